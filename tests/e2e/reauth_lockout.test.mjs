// Re-authentication counts towards the lockout (AUTH-3; CONTRACTS.md
// "Accounts, users, sign-in", "Defaults"): a wrong current_password given to
// updateMe, createApiKey, deleteTotp or regenerateRecoveryCodes is a counted
// failure like a wrong sign-in, so a stolen session is no way to guess the
// password without limit. The lock it earns holds for sign-in too, a locked
// user's re-authentication is refused unchecked, a right one resets the
// count, and parallel guesses count exactly the threshold.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  activeUser, expectProblem, expectStatus, managerSession, randomPhone, signIn, signInRaw,
  strongPassword, uid, waitFor,
} from '../support/api.mjs';
import { allAuditEvents, createApiKeyRaw } from '../support/access.mjs';
import { startServer } from '../support/server.mjs';
import { readMaildir } from '../support/smtp.mjs';

let srv;
before(async () => { srv = await startServer({ name: 'reauth-lockout' }); });
after(async () => { await srv?.close(); });

const THRESHOLD = 3; // the default lockout_threshold
const PERIOD_S = 900; // the default lockout_period_s

async function userWithEmail(m) {
  const email = `reauth-${uid()}@example.test`;
  const u = await activeUser(srv, m.token, m.account_id, { email, password: strongPassword('Init') });
  return { ...u, email };
}

function updateMe(token, body) {
  return srv.request('PATCH', '/v1/me', { token, body });
}

// updateMe answers a wrong or refused current_password with 403
// reauthentication_required (unchanged by counting it).
async function wrongUpdateMe(token, what) {
  const r = await updateMe(token, { phone: randomPhone(), current_password: strongPassword('Wrong') });
  expectProblem(r, 403, 'reauthentication_required', what);
}

// createApiKey answers a wrong or refused current_password with 401.
function createKey(m, password) {
  return createApiKeyRaw(srv, m.token, m.account_id, { name: `k-${uid()}`, scopes: ['users:read'], current_password: password });
}

async function events(m, filter) {
  // The test clock may have moved past the manager's idle timeout.
  const token = await signIn(srv, m.slug, m.email, m.password);
  return (await allAuditEvents(srv, token, m.account_id)).filter(filter);
}

test('AUTH-3 wrong current_password values on updateMe lock the user at the threshold, for sign-in too, until the period ends', async () => {
  const m = await managerSession(srv);
  const u = await userWithEmail(m);
  for (let i = 0; i < THRESHOLD - 1; i++) await wrongUpdateMe(u.token, `wrong re-auth ${i + 1}`);
  expectStatus(await signInRaw(srv, m.slug, u.username, u.password), 201, 'not locked below the threshold');
  // The sign-in reset the count: the threshold is needed again.
  for (let i = 0; i < THRESHOLD; i++) await wrongUpdateMe(u.token, `wrong re-auth ${i + 1} after the reset`);
  expectProblem(await signInRaw(srv, m.slug, u.username, u.password), 401, 'invalid_credentials',
    'sign-in with the right password once re-auth locked the user');
  srv.advanceClock(PERIOD_S - 50);
  expectProblem(await signInRaw(srv, m.slug, u.username, u.password), 401, 'invalid_credentials',
    'right password 850 s into the 900 s lock');
  srv.advanceClock(60);
  expectStatus(await signInRaw(srv, m.slug, u.username, u.password), 201, 'sign-in after the lock period');

  const mine = (e) => e.target_id === u.id;
  const failures = await events(m, (e) => mine(e) && e.action === 'updateMe' && e.outcome === 'failure');
  const lockouts = await events(m, (e) => mine(e) && e.action === 'lockout');
  assert.equal(failures.length, 2 * THRESHOLD - 1, 'every wrong current_password is audited as a failure of updateMe');
  assert.equal(lockouts.length, 1, 'one lockout audit event');
  assert.equal(lockouts[0].outcome, 'success');
  // The user is told by e-mail, exactly as for sign-in.
  const maildir = path.join(srv.dataDir, 'mail');
  const mail = await waitFor(() => readMaildir(maildir).find((x) => x.to.includes(u.email) && /lock/i.test(x.subject)),
    'the lockout notice in DIR/mail');
  assert.match(mail.body, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/, 'the notice says until when');
});

test('AUTH-3 while locked, re-authentication with the right password is refused unchecked and audited as denied', async () => {
  const m = await managerSession(srv);
  for (let i = 0; i < THRESHOLD; i++) {
    expectProblem(await createKey(m, strongPassword('Wrong')), 401, 'invalid_credentials', `wrong createApiKey ${i + 1}`);
  }
  // The right password no longer opens anything: the locked account cannot be probed.
  expectProblem(await createKey(m, m.password), 401, 'invalid_credentials', 'createApiKey with the right password while locked');
  expectProblem(await updateMe(m.token, { phone: randomPhone(), current_password: m.password }), 403,
    'reauthentication_required', 'updateMe with the right password while locked');
  expectProblem(await srv.request('POST', '/v1/me/recovery-codes', { token: m.token, body: { current_password: m.password } }),
    401, 'invalid_credentials', 'regenerateRecoveryCodes with the right password while locked');
  expectProblem(await signInRaw(srv, m.slug, m.email, m.password), 401, 'invalid_credentials', 'sign-in while locked');
  // The refusals neither counted nor extended the lock: it ends on time.
  srv.advanceClock(PERIOD_S + 10);
  const all = await events(m, (e) => e.target_id === m.user_id);
  const failures = all.filter((e) => e.action === 'createApiKey' && e.outcome === 'failure');
  const denied = all.filter((e) => e.outcome === 'denied').map((e) => e.action).sort();
  assert.equal(failures.length, THRESHOLD, 'the wrong passwords were counted');
  assert.deepEqual(denied, ['createApiKey', 'createSession', 'regenerateRecoveryCodes', 'updateMe'],
    'each refused re-auth (and the refused sign-in) is audited as denied under its operation');
  assert.equal(all.filter((e) => e.action === 'lockout').length, 1, 'one lockout');
});

test('AUTH-3 a right re-authentication after wrong ones resets the count like a successful sign-in', async () => {
  const m = await managerSession(srv);
  const u = await userWithEmail(m);
  for (let i = 0; i < THRESHOLD - 1; i++) await wrongUpdateMe(u.token, `wrong re-auth ${i + 1}`);
  expectStatus(await updateMe(u.token, { phone: randomPhone(), current_password: u.password }), 200, 'right re-auth');
  // Were the count kept, the next wrong sign-in would lock the user.
  for (let i = 0; i < THRESHOLD - 1; i++) {
    expectProblem(await signInRaw(srv, m.slug, u.username, strongPassword('Wrong')), 401, 'invalid_credentials');
  }
  expectStatus(await signInRaw(srv, m.slug, u.username, u.password), 201, 'the count was reset by the right re-auth');
  // A right re-auth also clears failures earned by sign-in (createApiKey here).
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < THRESHOLD - 1; i++) {
      expectProblem(await signInRaw(srv, m.slug, m.email, strongPassword('Wrong')), 401, 'invalid_credentials');
    }
    expectStatus(await createKey(m, m.password), 201, `right createApiKey re-auth, round ${round}`);
  }
  expectStatus(await signInRaw(srv, m.slug, m.email, m.password), 201, 'not locked: each right re-auth reset the count');
  const lockouts = await events(m, (e) => e.action === 'lockout');
  assert.equal(lockouts.length, 0, 'no lockout');
});

test('AUTH-3 20 parallel wrong re-authentications count exactly the threshold', async () => {
  const m = await managerSession(srv);
  const guesses = await Promise.all(Array.from({ length: 20 }, () => createKey(m, strongPassword('Guess'))));
  for (const r of guesses) expectProblem(r, 401, 'invalid_credentials', 'parallel guess');
  expectProblem(await signInRaw(srv, m.slug, m.email, m.password), 401, 'invalid_credentials',
    'the right password after the flood');
  srv.advanceClock(PERIOD_S + 10);
  const all = await events(m, (e) => e.target_id === m.user_id);
  const failures = all.filter((e) => e.action === 'createApiKey' && e.outcome === 'failure');
  const denied = all.filter((e) => e.action === 'createApiKey' && e.outcome === 'denied');
  assert.equal(failures.length, THRESHOLD, 'exactly the threshold was counted');
  assert.equal(denied.length, 20 - THRESHOLD, 'the other guesses were refused without counting');
  assert.equal(all.filter((e) => e.action === 'lockout').length, 1, 'one lockout');
});

test('AUTH-3 deleteTotp counts a wrong current_password towards the lockout', async () => {
  const m = await managerSession(srv);
  for (let i = 0; i < THRESHOLD; i++) {
    expectProblem(await srv.request('DELETE', '/v1/me/totp', { token: m.token, body: { current_password: strongPassword('No') } }),
      401, 'invalid_credentials', `wrong deleteTotp ${i + 1}`);
  }
  expectProblem(await signInRaw(srv, m.slug, m.email, m.password), 401, 'invalid_credentials', 'locked by deleteTotp guesses');
  srv.advanceClock(PERIOD_S + 10);
  const all = await events(m, (e) => e.target_id === m.user_id);
  assert.equal(all.filter((e) => e.action === 'deleteTotp' && e.outcome === 'failure').length, THRESHOLD);
  assert.equal(all.filter((e) => e.action === 'lockout').length, 1);
});

test('AUTH-3 wrong current_password values on changePassword count toward the lockout too', async () => {
  const m = await managerSession(srv);
  const u = await userWithEmail(m);
  for (let i = 0; i < THRESHOLD; i++) {
    const r = await srv.request('POST', '/v1/me/password', {
      token: u.token, body: { current_password: strongPassword('Wrong'), new_password: strongPassword('New') },
    });
    expectProblem(r, 401, 'invalid_credentials', `wrong changePassword ${i + 1}`);
  }
  expectProblem(await signInRaw(srv, m.slug, u.username, u.password), 401, 'invalid_credentials',
    'sign-in with the right password once changePassword locked the user');
  const r = await srv.request('POST', '/v1/me/password', {
    token: u.token, body: { current_password: u.password, new_password: strongPassword('New') },
  });
  expectProblem(r, 401, 'invalid_credentials', 'changePassword with the right password while locked');
  srv.advanceClock(PERIOD_S + 10);
  expectStatus(await signInRaw(srv, m.slug, u.username, u.password), 201, 'sign-in after the lock period');
});
