// Changing passwords, and the forced change of a password someone else set
// (AUTH-5, AUTH-2 first-login change; CONTRACTS.md "Accounts, users, sign-in").
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  Checks, describeResponse, expectProblem, expectStatus, managerSession, newUser,
  signIn, signInFull, signInRaw, strongPassword, uid,
} from '../support/api.mjs';
import { startServer } from '../support/server.mjs';

let srv;
before(async () => { srv = await startServer({ name: 'passwords' }); });
after(async () => { await srv?.close(); });

function changePassword(token, current, next) {
  return srv.request('POST', '/v1/me/password', { token, body: { current_password: current, new_password: next } });
}

/** What a session with password_change_required may and may not do. */
async function checkChangeGate(c, label, token, accountId, userId) {
  for (const [op, method, p, body] of [
    ['listUsers', 'GET', `/v1/accounts/${accountId}/users`],
    ['getUser', 'GET', `/v1/accounts/${accountId}/users/${userId}`],
    ['createUser', 'POST', `/v1/accounts/${accountId}/users`, { username: `g-${uid()}` }],
    ['getAccountSettings', 'GET', `/v1/accounts/${accountId}/settings`],
    ['updateAccountSettings', 'PATCH', `/v1/accounts/${accountId}/settings`, { idle_timeout_s: 900 }],
    ['listAuditEvents', 'GET', `/v1/accounts/${accountId}/audit-events`],
    ['getMetrics', 'GET', '/v1/metrics'],
  ]) {
    const res = await srv.request(method, p, { token, body });
    c.check(`${label} ${op}`, () => expectProblem(res, 403, 'password_change_required'));
  }
  const me = await srv.request('GET', '/v1/me', { token });
  c.check(`${label} getMe`, () => {
    expectStatus(me, 200);
    assert.equal(me.json.password_change_required, true);
  });
  const cur = await srv.request('GET', '/v1/session', { token });
  c.check(`${label} getCurrentSession`, () => {
    expectStatus(cur, 200);
    assert.equal(cur.json.password_change_required, true);
  });
}

test('AUTH-5 changePassword with the right current password returns a new working token', async () => {
  const m = await managerSession(srv);
  const next = strongPassword('Next');
  const res = await changePassword(m.token, m.password, next);
  expectStatus(res, 200, 'changePassword');
  for (const k of ['session_id', 'token', 'token_type', 'expires_at', 'idle_expires_at', 'password_change_required']) {
    assert.ok(k in res.json, `changePassword answer lacks ${k}: ${res.text}`);
  }
  assert.equal(res.json.token_type, 'Bearer');
  assert.equal(res.json.password_change_required, false);
  assert.notEqual(res.json.token, m.token, 'a new token is issued');
  expectStatus(await srv.request('GET', '/v1/me', { token: res.json.token }), 200, 'new token works');
  const cookie = String(res.headers['set-cookie'] || '');
  assert.ok(cookie.includes(`__Host-sr_session=${res.json.token}`), `changePassword sets the new cookie: ${cookie}`);
  // Old password no longer signs in; the new one does.
  expectProblem(await signInRaw(srv, m.slug, m.email, m.password), 401, 'invalid_credentials', 'old password');
  await signIn(srv, m.slug, m.email, next);
});

test('AUTH-5 changePassword with a wrong current password is refused', async (t) => {
  const m = await managerSession(srv);
  const res = await changePassword(m.token, `${m.password}-wrong`, strongPassword());
  expectStatus(res, [401, 403], 'changePassword with a wrong current password');
  const p = expectProblem(res, res.status, undefined);
  t.diagnostic(`wrong current password answered ${res.status} ${p.code}`);
  assert.ok(['invalid_credentials', 'forbidden', 'reauthentication_required'].includes(p.code), describeResponse(res));
  // The caller's session survives a wrong guess, and the password is unchanged.
  expectStatus(await srv.request('GET', '/v1/me', { token: m.token }), 200, 'session survives');
  await signIn(srv, m.slug, m.email, m.password);
});

test('AUTH-5 changePassword ends every other session of the user', async (t) => {
  const m = await managerSession(srv);
  const other1 = await signIn(srv, m.slug, m.email, m.password);
  const other2 = await signIn(srv, m.slug, m.email, m.password);
  const res = await changePassword(m.token, m.password, strongPassword('Next'));
  expectStatus(res, 200);
  for (const [label, tok] of [['other session 1', other1], ['other session 2', other2]]) {
    expectProblem(await srv.request('GET', '/v1/me', { token: tok }), 401, 'unauthenticated', label);
  }
  expectStatus(await srv.request('GET', '/v1/me', { token: res.json.token }), 200, 'returned token');
  const old = await srv.request('GET', '/v1/me', { token: m.token });
  t.diagnostic(`the caller's previous token after changePassword: HTTP ${old.status}`);
});

test('AUTH-5 new password shorter than 15 characters → 422 password_policy', async () => {
  const m = await managerSession(srv);
  const c = new Checks();
  for (const pw of ['short', 'Fourteen-chars', `${uid()}-${uid()}`.slice(0, 14)]) {
    assert.ok(pw.length < 15);
    const res = await changePassword(m.token, m.password, pw);
    c.check(JSON.stringify(pw), () => expectProblem(res, 422, 'password_policy'));
  }
  c.done();
  await signIn(srv, m.slug, m.email, m.password);
});

test('AUTH-5 password policy on createUser: a short password → 422 password_policy', async () => {
  const m = await managerSession(srv);
  const res = await srv.request('POST', `/v1/accounts/${m.account_id}/users`, {
    token: m.token, body: { username: `p-${uid()}`, password: 'tooShort1!' },
  });
  expectProblem(res, 422, 'password_policy');
});

test('AUTH-2 a password set by a manager must be changed at first sign-in', async () => {
  const m = await managerSession(srv);
  const initial = strongPassword('Set');
  const u = await newUser(srv, m.token, m.account_id, { password: initial });
  assert.equal(u.password_change_required, true, `createUser answer: password_change_required ${JSON.stringify(u)}`);
  assert.ok(!('one_time_password' in u), 'no one-time password when the manager chose one');
  const s = await signInFull(srv, m.account_id, u.username, initial);
  assert.equal(s.json.password_change_required, true);
  const c = new Checks();
  await checkChangeGate(c, 'before change:', s.json.token, m.account_id, u.id);
  c.done();

  const next = strongPassword('Own');
  const res = await changePassword(s.json.token, initial, next);
  expectStatus(res, 200, 'first change');
  assert.equal(res.json.password_change_required, false);
  const me = await srv.request('GET', '/v1/me', { token: res.json.token });
  expectStatus(me, 200);
  assert.equal(me.json.password_change_required, false);
  const cur = await srv.request('GET', '/v1/session', { token: res.json.token });
  assert.equal(cur.json.password_change_required, false);
  // The manager sees the flag cleared too.
  const g = await srv.request('GET', `/v1/accounts/${m.account_id}/users/${u.id}`, { token: m.token });
  expectStatus(g, 200);
  assert.equal(g.json.password_change_required, false);
  // Next sign-in needs no change.
  const again = await signInFull(srv, m.account_id, u.username, next);
  assert.equal(again.json.password_change_required, false);
});

test('AUTH-2 a user created without password gets a one-time password that must be changed', async () => {
  const m = await managerSession(srv);
  const u = await newUser(srv, m.token, m.account_id, {});
  assert.equal(typeof u.one_time_password, 'string', `one_time_password in createUser answer: ${JSON.stringify(u)}`);
  assert.ok(u.one_time_password.length >= 15, 'one-time password meets the policy length');
  assert.equal(u.password_change_required, true);
  const g = await srv.request('GET', `/v1/accounts/${m.account_id}/users/${u.id}`, { token: m.token });
  expectStatus(g, 200);
  assert.ok(!('one_time_password' in g.json), 'the one-time password is shown once only');
  assert.ok(!g.text.includes(u.one_time_password), 'the one-time password is shown once only');

  const s = await signInFull(srv, m.slug, u.username, u.one_time_password);
  assert.equal(s.json.password_change_required, true);
  const c = new Checks();
  await checkChangeGate(c, 'one-time password:', s.json.token, m.account_id, u.id);
  c.done();
  const next = strongPassword('Mine');
  const res = await changePassword(s.json.token, u.one_time_password, next);
  expectStatus(res, 200);
  expectProblem(await signInRaw(srv, m.slug, u.username, u.one_time_password), 401, 'invalid_credentials',
    'the one-time password is single use');
  await signIn(srv, m.slug, u.username, next);
});

test('AUTH-2 deleteSession works while a password change is required', async () => {
  const m = await managerSession(srv);
  const u = await newUser(srv, m.token, m.account_id, {});
  const s = await signInFull(srv, m.slug, u.username, u.one_time_password);
  const res = await srv.request('DELETE', '/v1/session', { token: s.json.token });
  expectStatus(res, 204);
  expectProblem(await srv.request('GET', '/v1/me', { token: s.json.token }), 401, 'unauthenticated');
});

test('AUTH-2 the operator one-time password from init must be changed first', async () => {
  const op = srv.operator;
  const s = await signInFull(srv, op.account, op.username, op.one_time_password);
  assert.equal(s.json.password_change_required, true);
  const c = new Checks();
  for (const [label, method, p] of [['getMetrics', 'GET', '/v1/metrics'], ['listUsers platform', 'GET', '/v1/accounts/platform/users']]) {
    const res = await srv.request(method, p, { token: s.json.token });
    c.check(label, () => expectProblem(res, 403, 'password_change_required'));
  }
  const me = await srv.request('GET', '/v1/me', { token: s.json.token });
  c.check('getMe', () => { expectStatus(me, 200); assert.equal(me.json.id, op.operator_user_id); });
  await c.checkAsync('getCurrentSession', async () => expectStatus(await srv.request('GET', '/v1/session', { token: s.json.token }), 200));
  c.done();
  const next = strongPassword('Operator');
  const res = await changePassword(s.json.token, op.one_time_password, next);
  expectStatus(res, 200, 'operator changePassword');
  expectStatus(await srv.request('GET', '/v1/metrics', { token: res.json.token }), 200, 'getMetrics after the change');
  expectProblem(await signInRaw(srv, 'platform', op.username, op.one_time_password), 401, 'invalid_credentials');
  await signIn(srv, 'platform', op.username, next);
});

test('AUTH-5 a password change is recorded in the audit trail without the password', async () => {
  const m = await managerSession(srv);
  const next = strongPassword('Audited');
  const res = await changePassword(m.token, m.password, next);
  expectStatus(res, 200);
  const ev = await srv.request('GET', `/v1/accounts/${m.account_id}/audit-events?limit=200`, { token: res.json.token });
  expectStatus(ev, 200, 'listAuditEvents');
  const hit = ev.json.items.find((e) => /password/i.test(String(e.action)) && e.actor_id === m.user_id);
  assert.ok(hit, `an audit event for the password change: ${ev.text.slice(0, 2000)}`);
  assert.equal(hit.outcome, 'success');
  assert.ok(!ev.text.includes(next) && !ev.text.includes(m.password), 'no password in audit events');
});
