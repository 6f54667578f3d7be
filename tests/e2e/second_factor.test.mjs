// Two-factor authentication (AUTH-8; CONTRACTS.md "Second factor"): TOTP
// enrolment and confirmation, sign-in through a challenge, replay, recovery
// codes, the challenge's tries and lifetime, lockout of code guesses,
// require_second_factor, re-authentication and bad input. Codes are computed
// here with node:crypto (tests/support/totp.mjs), never by the server.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  activeUser, expectProblem, expectStatus, expectValidation, managerSession, parseSetCookies,
  signIn, signInRaw, strongPassword,
} from '../support/api.mjs';
import { startServer } from '../support/server.mjs';
import { storeQuery, storeScan } from '../support/store.mjs';
import { readMaildir } from '../support/smtp.mjs';
import { serverNow, totp } from '../support/totp.mjs';

let srv;
before(async () => { srv = await startServer({ name: 'second-factor' }); });
after(async () => { await srv?.close(); });

const now = () => serverNow(srv);

/** Enrols and confirms TOTP for the holder of token → {secret, codes}. */
async function enrol(token, username = null) {
  const e = await srv.request('POST', '/v1/me/totp', { token });
  expectStatus(e, 201, 'enrollTotp');
  const { secret, otpauth_uri: uri } = e.json;
  assert.match(secret, /^[A-Z2-7]{32}$/, 'a 160-bit base32 secret');
  const u = new URL(uri);
  assert.equal(u.protocol, 'otpauth:');
  assert.equal(u.host, 'totp');
  if (username) assert.equal(decodeURIComponent(u.pathname), `/Strongroom:${username}`);
  assert.equal(u.searchParams.get('secret'), secret);
  assert.equal(u.searchParams.get('issuer'), 'Strongroom');
  assert.equal(u.searchParams.get('digits'), '6');
  assert.equal(u.searchParams.get('period'), '30');
  const c = await srv.request('POST', '/v1/me/totp/confirm', { token, body: { code: totp(secret, now()) } });
  expectStatus(c, 200, 'confirmTotp');
  const codes = c.json.recovery_codes;
  assert.equal(codes.length, 10);
  assert.equal(new Set(codes).size, 10, 'ten different codes');
  for (const code of codes) assert.match(code, /^[a-z2-7]{5}-[a-z2-7]{5}$/);
  // The confirming code's step is used up; sign-ins need the next one.
  srv.advanceClock(30);
  return { secret, codes };
}

async function challengeFor(account, identifier, password, opts = {}) {
  const r = await signInRaw(srv, account, identifier, password, opts);
  expectStatus(r, 201, 'createSession with TOTP');
  assert.equal(r.json.token, null, 'no token before the second factor');
  assert.equal(r.json.second_factor_required, true);
  assert.equal(typeof r.json.challenge, 'string');
  assert.equal(parseSetCookies(r).filter((c) => c.name === '__Host-sr_session').length, 0,
    'no session cookie before the second factor');
  return r.json.challenge;
}

function verify(challenge, code, opts = {}) {
  return srv.request('POST', '/v1/session/second-factor', { body: { challenge, code }, ...opts });
}

test('AUTH-8 enrol, confirm, then sign in through a challenge with a TOTP code', async () => {
  const m = await managerSession(srv);
  const { secret, codes } = await enrol(m.token, 'manager');
  const challenge = await challengeFor(m.slug, m.email, m.password);
  const r = await verify(challenge, totp(secret, now()));
  expectStatus(r, 201, 'verifySecondFactor');
  for (const k of ['session_id', 'token', 'token_type', 'expires_at', 'idle_expires_at',
    'password_change_required', 'second_factor_required']) assert.ok(k in r.json, `answer has ${k}`);
  assert.equal(r.json.second_factor_required, false);
  const cookie = parseSetCookies(r).find((c) => c.name === '__Host-sr_session');
  assert.ok(cookie && cookie.value === r.json.token, 'the session cookie comes with the token');
  expectStatus(await srv.request('GET', '/v1/me', { token: r.json.token }), 200, 'getMe with the new token');
  // The challenge is single use.
  expectProblem(await verify(challenge, totp(secret, now() + 30)), 401, 'invalid_credentials', 'used challenge');
  // Secrets at rest: no base32 secret or recovery code in the store (every file
  // of the data directory but DIR/mail, and on PostgreSQL of the cluster).
  const { dbFiles, hits } = await storeScan(srv, [secret, codes[0]], { skip: ['mail'] });
  assert.ok(dbFiles.length > 0, 'the region databases are scanned');
  assert.deepEqual(hits, [], 'TOTP secret or recovery code in clear');
  // The user is told about the change.
  const deadline = Date.now() + 15_000;
  while (!readMaildir(path.join(srv.dataDir, 'mail')).some((x) => x.to.includes(m.email) && /two-factor|second factor/i.test(x.subject))) {
    assert.ok(Date.now() < deadline, 'a notice of the 2FA change in DIR/mail');
    await new Promise((res) => setTimeout(res, 100));
  }
});

test('AUTH-8 a TOTP code cannot be used twice', async () => {
  const m = await managerSession(srv);
  const { secret } = await enrol(m.token);
  const code = totp(secret, now());
  expectStatus(await verify(await challengeFor(m.slug, m.email, m.password), code), 201, 'first use');
  expectProblem(await verify(await challengeFor(m.slug, m.email, m.password), code), 401, 'invalid_credentials',
    'the same code again');
  // Nor the previous step's code, still inside the window.
  expectProblem(await verify(await challengeFor(m.slug, m.email, m.password), totp(secret, now() - 30)), 401,
    'invalid_credentials', 'an older step');
  srv.advanceClock(30);
  expectStatus(await verify(await challengeFor(m.slug, m.email, m.password), totp(secret, now())), 201,
    'the next step\'s code');
});

test('AUTH-8 a recovery code works once', async () => {
  const m = await managerSession(srv);
  const { codes } = await enrol(m.token);
  expectStatus(await verify(await challengeFor(m.slug, m.email, m.password), codes[0]), 201, 'recovery code');
  expectProblem(await verify(await challengeFor(m.slug, m.email, m.password), codes[0]), 401, 'invalid_credentials',
    'the same recovery code again');
  expectStatus(await verify(await challengeFor(m.slug, m.email, m.password), codes[1].toUpperCase().replace('-', '')),
    201, 'another code, any case, without the dash');
  expectProblem(await verify(await challengeFor(m.slug, m.email, m.password), 'aaaaa-aaaaa'), 401,
    'invalid_credentials', 'a made-up code');
});

test('AUTH-8 a challenge allows five tries, then even the right code is refused', async () => {
  const m = await managerSession(srv);
  expectStatus(await srv.request('PATCH', `/v1/accounts/${m.account_id}/settings`,
    { token: m.token, body: { lockout_threshold: 20 } }), 200);
  const { secret } = await enrol(m.token);
  const challenge = await challengeFor(m.slug, m.email, m.password);
  const right = totp(secret, now());
  const wrongCode = right === '000000' ? '111111' : '000000';
  for (let i = 0; i < 5; i++) expectProblem(await verify(challenge, wrongCode), 401, 'invalid_credentials', `try ${i + 1}`);
  expectProblem(await verify(challenge, right), 401, 'invalid_credentials', 'the right code on a sixth try');
  expectStatus(await verify(await challengeFor(m.slug, m.email, m.password), right), 201, 'a new challenge works');
});

test('AUTH-8 a challenge dies 300 s after it was issued', async () => {
  const m = await managerSession(srv);
  const { secret } = await enrol(m.token);
  const challenge = await challengeFor(m.slug, m.email, m.password);
  srv.advanceClock(301);
  expectProblem(await verify(challenge, totp(secret, now())), 401, 'invalid_credentials', 'expired challenge');
  const fresh = await challengeFor(m.slug, m.email, m.password);
  srv.advanceClock(240);
  expectStatus(await verify(fresh, totp(secret, now())), 201, 'a challenge inside its 300 s');
});

test('AUTH-8 wrong codes count towards the lockout (AUTH-3)', async () => {
  const m = await managerSession(srv);
  const u = await activeUser(srv, m.token, m.account_id, { password: strongPassword('Init') });
  const { secret } = await enrol(u.token);
  const right = totp(secret, now());
  const wrongCode = right === '123456' ? '654321' : '123456';
  for (let i = 0; i < 3; i++) {
    const ch = await challengeFor(m.slug, u.username, u.password);
    expectProblem(await verify(ch, wrongCode), 401, 'invalid_credentials', `wrong code ${i + 1}`);
  }
  // Locked: the right password answers like a wrong one, and no challenge.
  const r = await signInRaw(srv, m.slug, u.username, u.password);
  expectProblem(r, 401, 'invalid_credentials', 'sign-in after three wrong codes');
  m.token = await signIn(srv, m.slug, m.email, m.password);
  expectStatus(await srv.request('POST', `/v1/accounts/${m.account_id}/users/${u.id}/unlock`, { token: m.token }), 204);
  expectStatus(await verify(await challengeFor(m.slug, u.username, u.password), totp(secret, now())), 201,
    'after unlockUser');
});

test('AUTH-8 require_second_factor holds users without TOTP to enrolment', async () => {
  const m = await managerSession(srv);
  const settings = `/v1/accounts/${m.account_id}/settings`;
  const u = await activeUser(srv, m.token, m.account_id, { password: strongPassword('Init') });
  expectStatus(await srv.request('PATCH', settings, { token: m.token, body: { require_second_factor: true } }), 200);
  expectProblem(await srv.request('GET', settings, { token: m.token }), 403, 'forbidden',
    'the setting holds live sessions of users without TOTP at once');
  const s = await signInRaw(srv, m.slug, u.username, u.password);
  expectStatus(s, 201);
  assert.equal(typeof s.json.token, 'string', 'a session to enrol with');
  assert.equal(s.json.second_factor_enrolment_required, true);
  const token = s.json.token;
  for (const [method, p] of [['GET', '/v1/me'], ['GET', '/v1/session']]) {
    expectStatus(await srv.request(method, p, { token }), 200, `${method} ${p} while enrolment is due`);
  }
  const blocked = await srv.request('GET', `/v1/accounts/${m.account_id}/users/${u.id}`, { token });
  const p = expectProblem(blocked, 403, 'forbidden', 'anything else');
  assert.match(p.detail, /second factor/i, 'the detail says what to do');
  const { secret } = await enrol(token);
  // Enrolled: the same session now works everywhere the user's roles allow.
  expectStatus(await srv.request('GET', `/v1/accounts/${m.account_id}/users/${u.id}`, { token }), [200, 403, 404]);
  const after_ = await srv.request('GET', `/v1/accounts/${m.account_id}/users/${u.id}`, { token });
  if (after_.status === 403) assert.doesNotMatch(after_.json.detail, /second factor/i);
  // The manager (no TOTP yet) is held too, but may enrol and confirm.
  const ms = await signInRaw(srv, m.slug, m.email, m.password);
  assert.equal(ms.json.second_factor_enrolment_required, true);
  expectProblem(await srv.request('GET', settings, { token: ms.json.token }), 403, 'forbidden', 'manager without TOTP');
  await enrol(ms.json.token);
  expectStatus(await srv.request('GET', settings, { token: ms.json.token }), 200, 'manager after enrolment');
  // Signing in now goes through the challenge.
  expectStatus(await verify(await challengeFor(m.slug, u.username, u.password), totp(secret, now())), 201);
});

test('AUTH-8 deleteTotp and regenerateRecoveryCodes need re-authentication', async () => {
  const m = await managerSession(srv);
  const { secret, codes } = await enrol(m.token);
  const s = await verify(await challengeFor(m.slug, m.email, m.password), totp(secret, now()));
  expectStatus(s, 201);
  const token = s.json.token;
  srv.advanceClock(301); // the sign-in is no longer recent (idle timeout is 600 s)
  expectProblem(await srv.request('DELETE', '/v1/me/totp', { token }), 403, 'reauthentication_required', 'no password');
  expectProblem(await srv.request('POST', '/v1/me/recovery-codes', { token }), 403, 'reauthentication_required',
    'no password');
  expectProblem(await srv.request('DELETE', '/v1/me/totp', { token, body: { current_password: strongPassword('No') } }),
    [401, 403], undefined, 'wrong password');
  const g = await srv.request('POST', '/v1/me/recovery-codes', { token, body: { current_password: m.password } });
  expectStatus(g, 200, 'regenerateRecoveryCodes');
  assert.equal(g.json.recovery_codes.length, 10);
  expectProblem(await verify(await challengeFor(m.slug, m.email, m.password), codes[2]), 401, 'invalid_credentials',
    'an old recovery code after regeneration');
  const t2 = await verify(await challengeFor(m.slug, m.email, m.password), g.json.recovery_codes[0]);
  expectStatus(t2, 201, 'a new recovery code');
  // A fresh sign-in counts as re-authentication for five minutes.
  expectStatus(await srv.request('DELETE', '/v1/me/totp', { token: t2.json.token }), 204, 'deleteTotp');
  expectProblem(await srv.request('DELETE', '/v1/me/totp', { token: t2.json.token }), 404, 'not_found', 'nothing left');
  const plain = await signInRaw(srv, m.slug, m.email, m.password);
  expectStatus(plain, 201);
  assert.equal(typeof plain.json.token, 'string', 'sign-in without a challenge after deleteTotp');
  expectProblem(await srv.request('POST', '/v1/me/recovery-codes', { token: plain.json.token }), 409, 'conflict',
    'no TOTP, no codes');
});

test('AUTH-8 enrolment conflicts and bad second-factor input', async () => {
  const m = await managerSession(srv);
  expectProblem(await srv.request('POST', '/v1/me/totp/confirm', { token: m.token, body: { code: '123456' } }), 409,
    'conflict', 'confirm without enrolment');
  const e1 = await srv.request('POST', '/v1/me/totp', { token: m.token });
  const e2 = await srv.request('POST', '/v1/me/totp', { token: m.token });
  expectStatus(e2, 201, 'a second enrolment replaces an unconfirmed one');
  assert.notEqual(e1.json.secret, e2.json.secret);
  const right = totp(e2.json.secret, now());
  const wrongCode = right === '999999' ? '888888' : '999999';
  expectValidation(await srv.request('POST', '/v1/me/totp/confirm', { token: m.token, body: { code: wrongCode } }), 'code',
    'a wrong confirmation code');
  for (const code of ['12345a', '1234567', '12345', 'abcdef', ' 123456', 123456]) {
    expectValidation(await srv.request('POST', '/v1/me/totp/confirm', { token: m.token, body: { code } }), 'code',
      `confirm ${JSON.stringify(code)}`);
  }
  expectStatus(await srv.request('POST', '/v1/me/totp/confirm', { token: m.token, body: { code: right } }), 200);
  srv.advanceClock(30);
  expectProblem(await srv.request('POST', '/v1/me/totp', { token: m.token }), 409, 'conflict',
    'enrolling again while confirmed');
  const challenge = await challengeFor(m.slug, m.email, m.password);
  for (const code of ['abcdef', '1234567', '12 345', '', 'abcde-fghij-k', 42]) {
    expectValidation(await verify(challenge, code), 'code', `verify ${JSON.stringify(code)}`);
  }
  expectValidation(await srv.request('POST', '/v1/session/second-factor', { body: { code: '123456' } }), 'challenge');
  expectProblem(await srv.request('POST', '/v1/session/second-factor', { body: { challenge, code: '123456', x: 1 } }),
    400, 'unknown_field');
  expectProblem(await verify(`EU.${'A'.repeat(43)}`, '123456'), 401, 'invalid_credentials', 'an unknown challenge');
  expectProblem(await verify('not-a-challenge', '123456'), 401, 'invalid_credentials', 'a malformed challenge');
  // The bad input did not use up the challenge's five tries.
  expectStatus(await verify(challenge, totp(e2.json.secret, now())), 201, 'the challenge still works');
  // Nothing here needs a session but enrolment does.
  expectProblem(await srv.request('POST', '/v1/me/totp', {}), 401, 'unauthenticated');
  expectProblem(await srv.request('POST', '/v1/me/totp/confirm', { body: { code: '123456' } }), 401, 'unauthenticated');
});

test('AUTH-8 deleting a user removes their TOTP secret, recovery codes, challenges and devices', async () => {
  const m = await managerSession(srv);
  const u = await activeUser(srv, m.token, m.account_id, { password: strongPassword('Init') });
  await enrol(u.token);
  await challengeFor(m.slug, u.username, u.password); // a live challenge
  const count = () => {
    const tables = ['totp', 'recovery_codes', 'signin_challenges', 'devices'];
    const sql = tables.map((t) => `SELECT '${t}' AS t, count(*) AS n FROM ${t} WHERE user_id = ?`).join(' UNION ALL ');
    const rows = storeQuery(srv, 'data', 'EU', sql, tables.map(() => u.id));
    return Object.fromEntries(rows.map((x) => [x.t, Number(x.n)]));
  };
  const before_ = count();
  for (const t of ['totp', 'recovery_codes', 'signin_challenges', 'devices']) assert.ok(before_[t] > 0, `${t} rows exist`);
  m.token = await signIn(srv, m.slug, m.email, m.password);
  expectStatus(await srv.request('DELETE', `/v1/accounts/${m.account_id}/users/${u.id}`, { token: m.token }), 204);
  assert.deepEqual(count(), { totp: 0, recovery_codes: 0, signin_challenges: 0, devices: 0 });
});
