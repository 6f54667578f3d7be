// Per-account password profiles (AUTH-2) and imported legacy hashes
// (AUTH-4): getPasswordPolicy / updatePasswordPolicy, what each preset
// refuses, the no-reuse history, expiry moved by the test clock, and
// importUsers with bcrypt and SHA-crypt hashes made here by openssl and
// Python's crypt module, verified at sign-in and re-hashed to argon2id.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';

import {
  Checks, activeUser, describeResponse, expectProblem, expectStatus, expectValidation, managerSession,
  newUser, signIn, signInFull, signInRaw, strongPassword, uid,
} from '../support/api.mjs';
import { startServer } from '../support/server.mjs';
import { storeQuery } from '../support/store.mjs';
import { serverNow, totp } from '../support/totp.mjs';

let srv;
before(async () => { srv = await startServer({ name: 'password-policy' }); });
after(async () => { await srv?.close(); });

const policyPath = (a) => `/v1/accounts/${a}/password-policy`;

function changePassword(token, current, next) {
  return srv.request('POST', '/v1/me/password', { token, body: { current_password: current, new_password: next } });
}

async function setPolicy(m, body) {
  const res = await srv.request('PATCH', policyPath(m.account_id), { token: m.token, body });
  expectStatus(res, 200, `updatePasswordPolicy ${JSON.stringify(body)}`);
  return res.json;
}

/** A user of m's account whose first (manager-set) password was changed to `own`. */
async function userWithOwnPassword(m, own) {
  const initial = `Init-${crypto.randomBytes(12).toString('base64url')}#1a`;
  const u = await newUser(srv, m.token, m.account_id, { password: initial });
  const first = await signInFull(srv, m.account_id, u.username, initial);
  assert.equal(first.json.password_change_required, true);
  const res = await changePassword(first.json.token, initial, own);
  expectStatus(res, 200, 'first changePassword');
  return { id: u.id, username: u.username, token: res.json.token, password: own };
}

/** A password matching seed-002 (8+, upper, lower, digit, symbol). */
function seed002Password() {
  return `Ab1#${crypto.randomBytes(6).toString('hex')}`;
}

test('AUTH-2 getPasswordPolicy answers the nist preset by default and updatePasswordPolicy switches presets (audited)', async () => {
  const m = await managerSession(srv);
  const get = await srv.request('GET', policyPath(m.account_id), { token: m.token });
  expectStatus(get, 200, 'getPasswordPolicy');
  assert.equal(get.json.preset, 'nist');
  assert.equal(get.json.min_length, 15);
  assert.equal(get.json.min_length_with_second_factor, 8);
  assert.equal(get.json.use_blocklist, true);
  assert.equal(get.json.min_zxcvbn_score, 3);
  assert.equal(get.json.max_age_days, 0, 'nist: no expiry');
  assert.equal(get.json.history_count, 0);
  for (const k of ['require_upper', 'require_lower', 'require_digit', 'require_symbol']) {
    assert.equal(get.json[k], false, `nist: no composition rule ${k}`);
  }
  assert.equal(get.json.must_change_initial, true);

  const s2 = await setPolicy(m, { preset: 'seed-002' });
  assert.equal(s2.preset, 'seed-002');
  assert.equal(s2.min_length, 8);
  assert.equal(s2.history_count, 5);
  assert.equal(s2.max_age_days, 90);
  assert.equal(s2.symbols, '#?@$%^&*-_');
  for (const k of ['require_upper', 'require_lower', 'require_digit', 'require_symbol']) assert.equal(s2[k], true, k);
  const again = await srv.request('GET', policyPath(m.slug), { token: m.token });
  assert.deepEqual(again.json, s2, 'the change is stored');

  const custom = await setPolicy(m, { max_age_days: 30, history_count: 3 });
  assert.equal(custom.preset, 'custom');
  assert.equal(custom.max_age_days, 30);
  assert.equal(custom.history_count, 3);
  assert.equal(custom.min_length, 8, 'other fields keep their values');

  const ev = await srv.request('GET', `/v1/accounts/${m.account_id}/audit-events?limit=50`, { token: m.token });
  expectStatus(ev, 200);
  const hits = ev.json.items.filter((e) => e.action === 'updatePasswordPolicy');
  assert.equal(hits.length, 2, `two updatePasswordPolicy events: ${ev.text.slice(0, 1500)}`);
  assert.ok(hits.every((e) => e.actor_id === m.user_id && e.outcome === 'success'));
});

test('AUTH-2 updatePasswordPolicy validates its body (max_age_days 400 → 422)', async () => {
  const m = await managerSession(srv);
  const c = new Checks();
  for (const [label, body, field] of [
    ['max_age_days 400', { max_age_days: 400 }, 'max_age_days'],
    ['max_age_days -1', { max_age_days: -1 }, 'max_age_days'],
    ['min_length 5', { min_length: 5 }, 'min_length'],
    ['min_length 129', { min_length: 129 }, 'min_length'],
    ['history_count 25', { history_count: 25 }, 'history_count'],
    ['min_zxcvbn_score 5', { min_zxcvbn_score: 5 }, 'min_zxcvbn_score'],
    ['require_upper a string', { require_upper: 'yes' }, 'require_upper'],
    ['unknown preset', { preset: 'lax' }, 'preset'],
    ['preset plus a field', { preset: 'nist', min_length: 20 }, 'preset'],
    ['must_change_initial off', { must_change_initial: false }, 'must_change_initial'],
    ['empty body', {}, undefined],
  ]) {
    const res = await srv.request('PATCH', policyPath(m.account_id), { token: m.token, body });
    c.check(label, () => expectValidation(res, field, label));
  }
  await c.checkAsync('unknown field', async () => expectProblem(
    await srv.request('PATCH', policyPath(m.account_id), { token: m.token, body: { max_age: 3 } }), 400, 'unknown_field'));
  c.done();
  const get = await srv.request('GET', policyPath(m.account_id), { token: m.token });
  assert.equal(get.json.preset, 'nist', 'nothing was changed');
  // 1 and 365 are the edges that are allowed.
  assert.equal((await setPolicy(m, { max_age_days: 365 })).max_age_days, 365);
  assert.equal((await setPolicy(m, { max_age_days: 1 })).max_age_days, 1);
  assert.equal((await setPolicy(m, { max_age_days: 0 })).max_age_days, 0);
});

test('AUTH-2 the password policy is for account managers only', async () => {
  const m = await managerSession(srv);
  const other = await managerSession(srv);
  expectProblem(await srv.request('GET', policyPath(m.account_id), { token: other.token }), 404, 'not_found', 'another account');
  expectProblem(await srv.request('PATCH', policyPath(m.account_id), { token: other.token, body: { preset: 'seed-000' } }), 404, 'not_found');
  expectProblem(await srv.request('GET', policyPath(m.account_id)), 401, 'unauthenticated');
});

test('AUTH-2 nist refuses short, blocklisted and zxcvbn-weak passwords and accepts a long random one', async () => {
  const m = await managerSession(srv);
  const c = new Checks();
  for (const pw of ['password1234567', 'Password1234567!', 'qwertyqwertyqwerty', 'letmeinletmein2024',
    'aaaaaaaaaaaaaaaa', '123456789012345', 'abcdefghijklmnop', 'Short-pw-12']) {
    const res = await changePassword(m.token, m.password, pw);
    c.check(`changePassword ${JSON.stringify(pw)}`, () => expectProblem(res, 422, 'password_policy'));
  }
  const cu = await srv.request('POST', `/v1/accounts/${m.account_id}/users`, {
    token: m.token, body: { username: `w-${uid()}`, password: 'password1234567' },
  });
  c.check('createUser with a blocklisted password', () => expectProblem(cu, 422, 'password_policy'));
  const su = await srv.request('POST', '/v1/accounts', {
    body: { company: `Weak ${uid()}`, email: `weak-${uid()}@example.test`, country: 'NL', region: 'EU', password: 'password1234567' },
  });
  c.check('createAccount with a blocklisted password', () => expectProblem(su, 422, 'password_policy'));
  const why = await changePassword(m.token, m.password, 'password1234567');
  c.check('the reason is named', () => assert.deepEqual(why.json.errors, [{ field: 'new_password', reason: 'blocklisted' }]));
  const weak = await changePassword(m.token, m.password, 'abcdefghijklmnop');
  c.check('zxcvbn reason', () => assert.deepEqual(weak.json.errors, [{ field: 'new_password', reason: 'too_weak' }]));
  c.done();
  // No composition rule: a long lower-case passphrase of random words is fine.
  const phrase = `${crypto.randomBytes(6).toString('hex')} glacier tuba ${crypto.randomBytes(4).toString('hex')}`;
  expectStatus(await changePassword(m.token, m.password, phrase), 200, 'a long passphrase');
  await signIn(srv, m.slug, m.email, phrase);
});

test('AUTH-2 seed-000 accepts a 6-character password and nothing shorter', async () => {
  const m = await managerSession(srv);
  await setPolicy(m, { preset: 'seed-000' });
  const u = await userWithOwnPassword(m, 'qwe123');
  await signIn(srv, m.account_id, u.username, 'qwe123');
  expectProblem(await changePassword(u.token, 'qwe123', 'ab12c'), 422, 'password_policy', '5 characters');
  expectStatus(await changePassword(u.token, 'qwe123', 'zxy987'), 200, 'another 6-character password');
});

test('AUTH-2 seed-002 needs 8 characters with upper, lower, digit and a symbol from #?@$%^&*-_', async () => {
  const m = await managerSession(srv);
  await setPolicy(m, { preset: 'seed-002' });
  const own = seed002Password();
  const u = await userWithOwnPassword(m, own);
  const c = new Checks();
  for (const [label, pw] of [
    ['7 characters', 'Ab1#xyz'], ['no upper', 'ab1#wxyz'], ['no lower', 'AB1#WXYZ'],
    ['no digit', 'Abc#wxyz'], ['no symbol', 'Ab12wxyz'], ['other symbol only', 'Ab12wx!yz'],
  ]) {
    const res = await changePassword(u.token, own, pw);
    c.check(label, () => expectProblem(res, 422, 'password_policy'));
  }
  c.done();
  // seed-002 has no blocklist: the classic "Password1#" passes (docs/passwords.md).
  expectStatus(await changePassword(u.token, own, 'Password1#'), 200, 'Password1# under seed-002');
});

test('AUTH-2 seed-002 refuses reuse of earlier passwords after a change', async () => {
  const m = await managerSession(srv);
  await setPolicy(m, { preset: 'seed-002' });
  const p1 = seed002Password();
  const u = await userWithOwnPassword(m, p1);
  const p2 = seed002Password();
  let res = await changePassword(u.token, p1, p2);
  expectStatus(res, 200, 'p1 → p2');
  let token = res.json.token;
  res = await changePassword(token, p2, p1);
  const p = expectProblem(res, 422, 'password_policy', 'back to p1');
  assert.ok(!res.text.includes(p1), 'the password is not echoed');
  assert.deepEqual(p.errors, [{ field: 'new_password', reason: 'reused' }], 'the rule is named');
  // The session survives a refused change; the password is unchanged.
  const p3 = seed002Password();
  res = await changePassword(token, p2, p3);
  expectStatus(res, 200, 'p2 → p3');
  token = res.json.token;
  expectProblem(await changePassword(token, p3, p2), 422, 'password_policy', 'back to p2');
  expectProblem(await changePassword(token, p3, p1), 422, 'password_policy', 'back to p1 again');
  await signIn(srv, m.account_id, u.username, p3);
  // Without a history (seed-000) the same account may go back to an old one.
  await setPolicy(m, { preset: 'seed-000' });
  expectStatus(await changePassword(token, p3, p1), 200, 'no history under seed-000');
});

test('AUTH-2 bad passwords: over 1024 bytes, invalid UTF-8 and empty are refused with a problem document', async () => {
  const m = await managerSession(srv);
  const c = new Checks();
  const long = `${'x'.repeat(1025)}`;
  await c.checkAsync('new password of 1025 bytes', async () => expectProblem(await changePassword(m.token, m.password, long), 422, 'password_policy'));
  await c.checkAsync('new password of 1024 bytes of one letter', async () => expectProblem(await changePassword(m.token, m.password, 'y'.repeat(1024)), 422, 'password_policy'));
  await c.checkAsync('empty new password', async () => expectProblem(await changePassword(m.token, m.password, ''), 422, 'validation_failed'));
  await c.checkAsync('current password over 1024 bytes', async () => {
    const res = await changePassword(m.token, 'z'.repeat(1025), strongPassword());
    expectStatus(res, [401, 403, 422]);
    expectProblem(res, res.status);
  });
  const raw = Buffer.concat([
    Buffer.from(`{"current_password":${JSON.stringify(m.password)},"new_password":"abc`),
    Buffer.from([0xff, 0xfe, 0xc3]),
    Buffer.from('defghijklmnopqrstu"}'),
  ]);
  await c.checkAsync('invalid UTF-8', async () => expectProblem(
    await srv.request('POST', '/v1/me/password', { token: m.token, rawBody: raw }), 400, 'invalid_json'));
  await c.checkAsync('createUser with 1025-byte password', async () => expectProblem(
    await srv.request('POST', `/v1/accounts/${m.account_id}/users`, { token: m.token, body: { username: `l-${uid()}`, password: long } }),
    422, 'password_policy'));
  await c.checkAsync('createUser with empty password', async () => expectProblem(
    await srv.request('POST', `/v1/accounts/${m.account_id}/users`, { token: m.token, body: { username: `e-${uid()}`, password: '' } }),
    422, 'validation_failed'));
  c.done();
  await signIn(srv, m.slug, m.email, m.password);
});

// ---- AUTH-4: importUsers ----

const PYTHON = process.env.STRONGROOM_SINK_PYTHON || '/usr/bin/python3';

function sha512crypt(pw) {
  const r = spawnSync('openssl', ['passwd', '-6', '-stdin'], { input: `${pw}\n`, encoding: 'utf8' });
  assert.equal(r.status, 0, `openssl passwd -6: ${r.stderr}`);
  return r.stdout.trim();
}

function sha256crypt(pw) {
  const r = spawnSync('openssl', ['passwd', '-5', '-stdin'], { input: `${pw}\n`, encoding: 'utf8' });
  assert.equal(r.status, 0, `openssl passwd -5: ${r.stderr}`);
  return r.stdout.trim();
}

/** bcrypt via Python's (deprecated) crypt module, or null when unavailable. */
function bcrypt(pw, cost = 4) {
  const code = 'import sys, crypt\n'
    + 'print(crypt.crypt(sys.stdin.read(), crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=2**int(sys.argv[1]))))';
  const r = spawnSync(PYTHON, ['-W', 'ignore', '-c', code, String(cost)], { input: pw, encoding: 'utf8' });
  if (r.status !== 0 || !/^\$2b\$/.test(r.stdout.trim())) return null;
  return r.stdout.trim();
}

/** users.pw_hash of a user, read from the EU region store. */
function storedHash(userId) {
  const rows = storeQuery(srv, 'data', 'EU', 'SELECT pw_hash FROM users WHERE id = ?', [userId]);
  assert.equal(rows.length, 1, `one users row for ${userId}`);
  return rows[0].pw_hash;
}

function importUsers(m, users) {
  return srv.request('POST', `/v1/accounts/${m.account_id}/users/import`, { token: m.token, body: { users } });
}

async function userIdByUsername(m, username) {
  const res = await srv.request('GET', `/v1/accounts/${m.account_id}/users?limit=200`, { token: m.token });
  expectStatus(res, 200);
  const u = res.json.items.find((x) => x.username === username);
  return u ? u.id : null;
}

test('AUTH-4 importUsers takes SHA-512-crypt, SHA-256-crypt and bcrypt hashes; sign-in with the original password re-hashes to argon2id', async (t) => {
  const m = await managerSession(srv);
  const entries = [];
  const pw6 = `legacy-six ${uid()}`;
  const pw5 = `legacy-five ${uid()}`;
  entries.push({ username: `sha512-${uid()}`, email: `s6-${uid()}@example.test`, name: 'Six', password_hash: sha512crypt(pw6), pw: pw6 });
  entries.push({ username: `sha256-${uid()}`, password_hash: sha256crypt(pw5), pw: pw5 });
  const pwb = `legacy-bcrypt ${uid()}`;
  const hb = bcrypt(pwb);
  if (hb) entries.push({ username: `bcrypt-${uid()}`, phone: '+31612345678', password_hash: hb, pw: pwb });
  else t.diagnostic('bcrypt: /usr/bin/python3 has no crypt module with Blowfish here; bcrypt import not exercised');
  const res = await importUsers(m, entries.map(({ pw, ...e }) => e));
  expectStatus(res, 200, 'importUsers');
  assert.deepEqual(res.json, { imported: entries.length, failed: [] });
  assert.ok(!res.text.includes('$6$') && !res.text.includes('$2b$'), 'hashes are not echoed');

  for (const e of entries) {
    const id = await userIdByUsername(m, e.username);
    assert.ok(id, `${e.username} exists`);
    assert.equal(storedHash(id), e.password_hash, 'the imported hash is stored as is');
    expectProblem(await signInRaw(srv, m.account_id, e.username, `${e.pw}x`), 401, 'invalid_credentials', 'wrong password');
    const s = await signInFull(srv, m.account_id, e.username, e.pw);
    assert.equal(s.json.password_change_required, false, 'imported users chose their own password');
    assert.match(storedHash(id), /^\$argon2id\$/, `${e.username}: re-hashed with argon2id after sign-in`);
    await signIn(srv, m.account_id, e.username, e.pw); // the argon2id hash works
    expectProblem(await signInRaw(srv, m.account_id, e.username, `${e.pw}x`), 401, 'invalid_credentials');
  }
  const me = await srv.request('GET', '/v1/me', { token: await signIn(srv, m.account_id, entries[0].username, entries[0].pw) });
  assert.equal(me.json.email, entries[0].email);
  assert.equal(me.json.name, 'Six');
});

test('AUTH-4 importUsers rejects unsupported or malformed hashes with 422 and writes nothing', async () => {
  const m = await managerSession(srv);
  const good = sha512crypt('fine');
  const c = new Checks();
  for (const [label, hash] of [
    ['MD5-crypt', '$1$saltsalt$qjXMvbEw8oaL.CzflDugX/'],
    ['unsalted MD5', '5f4dcc3b5aa765d61d8327deb882cf99'],
    ['argon2id', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA'],
    ['bcrypt too short', '$2b$04$abcdefghijklmnopqrstuu8MECwk.R7Fm'],
    ['bcrypt cost 31', '$2b$31$abcdefghijklmnopqrstuu8MECwk.R7FmMygoyOGvEm8de09J0q9C'],
    ['$2x$', '$2x$04$abcdefghijklmnopqrstuu8MECwk.R7FmMygoyOGvEm8de09J0q9C'],
    ['SHA-crypt rounds 999', '$6$rounds=999$salt$' + good.split('$').pop()],
    ['SHA-crypt bad digest', `${good.slice(0, -2)}!!`],
  ]) {
    const name = `bad-${uid()}`;
    const res = await importUsers(m, [{ username: `ok-${uid()}`, password_hash: good }, { username: name, password_hash: hash }]);
    c.check(label, () => {
      const p = expectValidation(res, undefined, label);
      assert.ok(p.errors.some((e) => e.field === 'users[1].password_hash'), describeResponse(res));
    });
  }
  c.done();
  const list = await srv.request('GET', `/v1/accounts/${m.account_id}/users?limit=200`, { token: m.token });
  assert.equal(list.json.items.length, 1, `only the manager exists: ${list.text.slice(0, 500)}`);
  const shapes = new Checks();
  for (const [label, body, status, code] of [
    ['no users', {}, 422, 'validation_failed'],
    ['users not an array', { users: 'x' }, 422, 'validation_failed'],
    ['empty users', { users: [] }, 422, 'validation_failed'],
    ['1001 users', { users: Array.from({ length: 1001 }, (_, i) => ({ username: `u${i}`, password_hash: good })) }, 422, 'validation_failed'],
    ['bad username', { users: [{ username: 'Not Valid!', password_hash: good }] }, 422, 'validation_failed'],
    ['bad phone', { users: [{ username: `p-${uid()}`, phone: '0612', password_hash: good }] }, 422, 'validation_failed'],
    ['missing hash', { users: [{ username: `h-${uid()}` }] }, 422, 'validation_failed'],
    ['unknown item field', { users: [{ username: `f-${uid()}`, password_hash: good, password: 'x' }] }, 400, 'unknown_field'],
    ['unknown top field', { users: [], extra: 1 }, 400, 'unknown_field'],
  ]) {
    const res = await srv.request('POST', `/v1/accounts/${m.account_id}/users/import`, { token: m.token, body });
    shapes.check(label, () => expectProblem(res, status, code, label));
  }
  shapes.done();
});

test('AUTH-4 importUsers skips taken names, reports them by index and audits each imported user', async () => {
  const m = await managerSession(srv);
  const existing = await newUser(srv, m.token, m.account_id, {});
  const dup = `dup-${uid()}`;
  const h = sha256crypt('whatever');
  const res = await importUsers(m, [
    { username: `a-${uid()}`, password_hash: h },
    { username: existing.username, password_hash: h },
    { username: dup, password_hash: h },
    { username: dup, password_hash: h },
    { username: `b-${uid()}`, email: m.email, password_hash: h },
  ]);
  expectStatus(res, 200);
  assert.equal(res.json.imported, 2);
  assert.deepEqual(res.json.failed.map((f) => f.index), [1, 3, 4]);
  assert.ok(res.json.failed.every((f) => typeof f.reason === 'string' && !f.reason.includes(m.email)));
  const ev = await srv.request('GET', `/v1/accounts/${m.account_id}/audit-events?limit=50`, { token: m.token });
  const imports = ev.json.items.filter((e) => e.action === 'importUsers');
  assert.equal(imports.length, 2, `one event per imported user: ${ev.text.slice(0, 1500)}`);
  assert.ok(imports.every((e) => e.actor_id === m.user_id && e.target_type === 'user' && e.outcome === 'success'));
  // Members cannot import.
  const member = await activeUser(srv, m.token, m.account_id, {});
  const denied = await srv.request('POST', `/v1/accounts/${m.account_id}/users/import`, { token: member.token, body: { users: [{ username: `x-${uid()}`, password_hash: h }] } });
  expectProblem(denied, [403, 404], ['forbidden', 'not_found'], 'a member calling importUsers');
});

test('AUTH-2 nist asks 15 characters, but 8 once the user has confirmed a second factor', async () => {
  const pw = `${crypto.randomBytes(8).toString('base64url').slice(0, 9)}#7`; // 11 random characters
  const plain = await managerSession(srv);
  expectProblem(await changePassword(plain.token, plain.password, pw), 422, 'password_policy', 'without a second factor');
  const m = await managerSession(srv);
  const en = await srv.request('POST', '/v1/me/totp', { token: m.token });
  expectStatus(en, [200, 201], 'enrollTotp');
  const conf = await srv.request('POST', '/v1/me/totp/confirm', { token: m.token, body: { code: totp(en.json.secret, serverNow(srv)) } });
  expectStatus(conf, [200, 201], 'confirmTotp');
  const ok = await changePassword(m.token, m.password, pw);
  expectStatus(ok, 200, 'with a second factor');
  expectProblem(await changePassword(ok.json.token, pw, 'Zq8#vK2'), 422, 'password_policy', '7 characters stay too short');
});

// Last: moves the clock forward by 91 days.
test('AUTH-2 seed-002 expiry: after 91 days sign-in answers password_change_required and changePassword clears it', async () => {
  const m = await managerSession(srv);
  await setPolicy(m, { preset: 'seed-002' });
  const p1 = seed002Password();
  const u = await userWithOwnPassword(m, p1);
  let s = await signInFull(srv, m.account_id, u.username, p1);
  assert.equal(s.json.password_change_required, false, 'a fresh password');
  srv.advanceClock(89 * 86400);
  s = await signInFull(srv, m.account_id, u.username, p1);
  assert.equal(s.json.password_change_required, false, 'after 89 days');
  srv.advanceClock(2 * 86400);
  s = await signInFull(srv, m.account_id, u.username, p1);
  assert.equal(s.json.password_change_required, true, `after 91 days: ${describeResponse(s)}`);
  const token = s.json.token;
  expectProblem(await srv.request('GET', `/v1/accounts/${m.account_id}/users`, { token }), 403, 'password_change_required');
  const me = await srv.request('GET', '/v1/me', { token });
  expectStatus(me, 200);
  assert.equal(me.json.password_change_required, true);
  const p2 = seed002Password();
  const res = await changePassword(token, p1, p2);
  expectStatus(res, 200, 'changePassword of the expired password');
  assert.equal(res.json.password_change_required, false);
  expectStatus(await srv.request('GET', '/v1/me', { token: res.json.token }), 200);
  s = await signInFull(srv, m.account_id, u.username, p2);
  assert.equal(s.json.password_change_required, false, 'the new password is fresh');
  expectProblem(await signInRaw(srv, m.account_id, u.username, p1), 401, 'invalid_credentials');
});
