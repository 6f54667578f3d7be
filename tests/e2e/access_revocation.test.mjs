// Revocation that takes effect at once (ACC-3) and session management by
// users and managers (ACC-5): removing a role, deleting a channel and
// "sign out everywhere" end every session (and narrow every API key) on the
// very next request; listMySessions / deleteMySession.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  Checks, describeResponse, expectProblem, expectStatus, isRfc3339Utc, managerSession, signIn, signInFull,
} from '../support/api.mjs';
import {
  NO_SUCH_ID, P, apiKey, channel, grant, userWithRole,
} from '../support/access.mjs';
import { startServer } from '../support/server.mjs';

let srv;
let m; // account manager of the account most tests use
before(async () => {
  srv = await startServer({ name: 'access-revocation' });
  m = await managerSession(srv);
});
after(async () => { await srv?.close(); });

const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0';
const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

/** A second and third session of the user (two more sign-ins) → [token, token]. */
async function twoMoreSessions(u) {
  return [
    await signIn(srv, m.account_id, u.username, u.password),
    await signIn(srv, m.account_id, u.username, u.password),
  ];
}

function listUsers(token, accountId = m.account_id) {
  return srv.request('GET', P.users(accountId), { token });
}

test('ACC-3 a user working in two sessions loses their role: the next call of each session gets 401', async () => {
  const u = await userWithRole(srv, m.token, m.account_id, 'account_member');
  const [s1, s2] = await twoMoreSessions(u);
  // A third session used through the cookie, as a browser would.
  const s3 = (await signInFull(srv, m.account_id, u.username, u.password)).json.token;
  expectStatus(await listUsers(s1), 200, 'session 1 works while the user is a member');
  expectStatus(await srv.request('GET', '/v1/me', { token: s2 }), 200, 'session 2 works');
  expectStatus(await srv.request('GET', '/v1/me', { cookie: s3 }), 200, 'cookie session works');

  const rv = await srv.request('DELETE', P.grant(m.account_id, u.grant.id), { token: m.token });
  expectStatus(rv, 204, 'revokeRole');

  const c = new Checks();
  const r1 = await listUsers(s1);
  const r2 = await srv.request('GET', '/v1/me', { token: s2 });
  const r3 = await srv.request('GET', '/v1/me', { cookie: s3 });
  const r0 = await srv.request('GET', '/v1/me', { token: u.token });
  c.check('session 1 (listUsers) right after the role was removed', () => expectProblem(r1, 401, 'unauthenticated'));
  c.check('session 2 (getMe) right after the role was removed', () => expectProblem(r2, 401, 'unauthenticated'));
  c.check('cookie session right after the role was removed', () => expectProblem(r3, 401, 'unauthenticated'));
  c.check('the first session too', () => expectProblem(r0, 401, 'unauthenticated'));
  c.done();

  // Not a block: the user signs in again, now without the role.
  const again = await signIn(srv, m.account_id, u.username, u.password);
  expectStatus(await srv.request('GET', '/v1/me', { token: again }), 200, 'getMe after signing in again');
  expectStatus(await listUsers(again), [403, 404], 'listUsers without a role');
  // The manager is unaffected.
  expectStatus(await listUsers(m.token), 200, 'the manager who revoked');
});

test('ACC-3 a new role takes effect on the next request of an existing session', async () => {
  const u = await userWithRole(srv, m.token, m.account_id, null);
  expectStatus(await listUsers(u.token), [403, 404], 'listUsers before any role');
  await grant(srv, m.token, m.account_id, u.id, 'account_viewer');
  expectStatus(await listUsers(u.token), 200, 'listUsers on the next request after the grant');
});

test('ACC-3 ACC-9 a demoted account manager\'s API key loses its rights at once, and their sessions end', async () => {
  const m2 = await userWithRole(srv, m.token, m.account_id, 'account_manager');
  // Re-authentication: m2 changed the first password (a fresh sign-in) moments ago.
  const key = await apiKey(srv, m2.token, m.account_id, {
    scopes: ['users:read', 'settings:read', 'settings:write'], current_password: m2.password,
  });
  expectStatus(await srv.request('GET', P.settings(m.account_id), { token: key.secret }), 200, 'key reads settings while its creator is a manager');
  expectStatus(await listUsers(key.secret), 200, 'key lists users while its creator is a manager');

  expectStatus(await srv.request('DELETE', P.grant(m.account_id, m2.grant.id), { token: m.token }), 204, 'revokeRole account_manager');

  const c = new Checks();
  const settings = await srv.request('GET', P.settings(m.account_id), { token: key.secret });
  c.check('key on getAccountSettings right after the demotion', () => expectStatus(settings, [401, 403, 404]));
  const patch = await srv.request('PATCH', P.settings(m.account_id), { token: key.secret, body: { idle_timeout_s: 700 } });
  c.check('key on updateAccountSettings right after the demotion', () => expectStatus(patch, [401, 403, 404]));
  const users = await listUsers(key.secret);
  c.check('key on listUsers right after the demotion (creator holds no role)', () => expectStatus(users, [401, 403, 404]));
  const s = await srv.request('GET', '/v1/me', { token: m2.token });
  c.check('the demoted manager\'s session, next call', () => expectProblem(s, 401, 'unauthenticated'));
  c.done();
  const after = await srv.request('GET', P.settings(m.account_id), { token: m.token });
  expectStatus(after, 200);
  assert.notEqual(after.json.idle_timeout_s, 700, 'the demoted key must not have changed the settings');
});

test('ACC-3 deleting a channel signs out everyone who held a role on it', async () => {
  const ch = await channel(srv, m.token, m.account_id);
  const holder = await userWithRole(srv, m.token, m.account_id, 'channel_member', ch.id);
  const bystander = await userWithRole(srv, m.token, m.account_id, 'account_member');
  expectStatus(await srv.request('GET', P.channel(m.account_id, ch.id), { token: holder.token }), 200, 'holder reads the channel');
  expectStatus(await srv.request('DELETE', P.channel(m.account_id, ch.id), { token: m.token }), 204, 'deleteChannel');
  expectProblem(await srv.request('GET', '/v1/me', { token: holder.token }), 401, 'unauthenticated', 'channel role holder after deleteChannel');
  expectStatus(await srv.request('GET', '/v1/me', { token: bystander.token }), 200, 'a user without a role on that channel keeps the session');
  expectStatus(await srv.request('GET', P.channel(m.account_id, ch.id), { token: m.token }), 404, 'the channel is gone');
});

test('ACC-5 a manager signs a user out everywhere: every session ends, the manager\'s does not', async () => {
  const u = await userWithRole(srv, m.token, m.account_id, 'account_member');
  const [s1, s2] = await twoMoreSessions(u);
  const res = await srv.request('POST', P.revokeSessions(m.account_id, u.id), { token: m.token });
  expectStatus(res, 204, 'revokeUserSessions by the manager');
  const c = new Checks();
  for (const [label, t] of [['first', u.token], ['second', s1], ['third', s2]]) {
    const r = await srv.request('GET', '/v1/me', { token: t });
    c.check(`${label} session after revokeUserSessions`, () => expectProblem(r, 401, 'unauthenticated'));
  }
  c.done();
  expectStatus(await listUsers(m.token), 200, 'the manager keeps working');
  // The user keeps the role and can sign in again.
  const again = await signIn(srv, m.account_id, u.username, u.password);
  expectStatus(await listUsers(again), 200, 'role kept after sign-out everywhere');
  // It is audited.
  const ev = await srv.request('GET', `${P.audit(m.account_id)}?limit=200`, { token: m.token });
  expectStatus(ev, 200);
  assert.ok(JSON.stringify(ev.json).includes('revokeUserSessions'), 'audit event revokeUserSessions');
});

test('ACC-5 a user signs themself out everywhere (all their sessions, the calling one included)', async () => {
  const u = await userWithRole(srv, m.token, m.account_id, 'account_member');
  const [s1] = await twoMoreSessions(u);
  const res = await srv.request('POST', P.revokeSessions(m.account_id, u.id), { token: s1 });
  expectStatus(res, 204, 'revokeUserSessions for oneself');
  const c = new Checks();
  const a = await srv.request('GET', '/v1/me', { token: u.token });
  const b = await srv.request('GET', '/v1/me', { token: s1 });
  c.check('the other session', () => expectProblem(a, 401, 'unauthenticated'));
  c.check('the calling session', () => expectProblem(b, 401, 'unauthenticated'));
  c.done();
});

test('ACC-5 a user without any role can still sign themself out everywhere', async () => {
  // authz: "anyone may sign themself out everywhere"; issue 5: revokeUserSessions "by the user or a manager".
  const u = await userWithRole(srv, m.token, m.account_id, null);
  const s1 = await signIn(srv, m.account_id, u.username, u.password);
  const res = await srv.request('POST', P.revokeSessions(m.account_id, u.id), { token: s1 });
  expectStatus(res, 204, 'revokeUserSessions for oneself by a user with no role');
  expectProblem(await srv.request('GET', '/v1/me', { token: u.token }), 401, 'unauthenticated', 'other session');
});

test('ACC-5 a member cannot sign someone else out, nor can another account\'s manager', async () => {
  const victim = await userWithRole(srv, m.token, m.account_id, 'account_member');
  const member = await userWithRole(srv, m.token, m.account_id, 'account_member');
  const r = await srv.request('POST', P.revokeSessions(m.account_id, victim.id), { token: member.token });
  expectProblem(r, [403, 404], undefined, 'member revoking a colleague\'s sessions');
  const other = await managerSession(srv);
  const x = await srv.request('POST', P.revokeSessions(m.account_id, victim.id), { token: other.token });
  expectProblem(x, 404, 'not_found', 'another account\'s manager');
  const y = await srv.request('POST', P.revokeSessions(other.account_id, victim.id), { token: other.token });
  expectProblem(y, 404, 'not_found', 'own account, but the user id of another account');
  expectStatus(await srv.request('GET', '/v1/me', { token: victim.token }), 200, 'the victim\'s session still works');
  // An API key never signs people out (no scope grants it).
  const k = await apiKey(srv, m.token, m.account_id, { scopes: ['users:read', 'users:write'], current_password: m.password });
  const kr = await srv.request('POST', P.revokeSessions(m.account_id, victim.id), { token: k.secret });
  expectStatus(kr, [403, 404], 'revokeUserSessions with an API key');
  expectStatus(await srv.request('GET', '/v1/me', { token: victim.token }), 200, 'still signed in');
});

test('ACC-5 listMySessions shows browser, OS, a truncated address and which session is current', async () => {
  const u = await userWithRole(srv, m.token, m.account_id, 'account_viewer');
  const ff = await signInFull(srv, m.account_id, u.username, u.password, { headers: { 'user-agent': FIREFOX_LINUX } });
  const ch = await signInFull(srv, m.account_id, u.username, u.password, { headers: { 'user-agent': CHROME_WINDOWS } });
  const res = await srv.request('GET', P.mySessions(), { token: ff.json.token, headers: { 'user-agent': FIREFOX_LINUX } });
  expectStatus(res, 200, 'listMySessions');
  assert.ok(Array.isArray(res.json.items), describeResponse(res));
  const byId = new Map(res.json.items.map((s) => [s.id, s]));
  const a = byId.get(ff.json.session_id);
  const b = byId.get(ch.json.session_id);
  assert.ok(a && b, `both sessions listed by id: ${describeResponse(res)}`);
  assert.equal(a.browser, 'Firefox', JSON.stringify(a));
  assert.equal(a.os, 'Linux', JSON.stringify(a));
  assert.equal(b.browser, 'Chrome', JSON.stringify(b));
  assert.equal(b.os, 'Windows', JSON.stringify(b));
  assert.equal(a.current, true, 'the calling session is current');
  assert.equal(b.current, false, 'the other session is not current');
  assert.equal(res.json.items.filter((s) => s.current === true).length, 1, 'exactly one current session');
  for (const s of res.json.items) {
    assert.equal(s.client_ip_prefix, '127.0.0.0/24', `truncated address: ${JSON.stringify(s)}`);
    for (const f of ['created_at', 'last_seen_at', 'expires_at']) assert.ok(isRfc3339Utc(s[f]), `${f}: ${JSON.stringify(s)}`);
  }
  assert.ok(!res.text.includes('127.0.0.1'), `the full address is not shown: ${res.text}`);
  for (const t of [ff.json.token, ch.json.token, u.token]) assert.ok(!res.text.includes(t), 'no session token in the list');
  // Only one's own sessions.
  const mine = await srv.request('GET', P.mySessions(), { token: m.token });
  expectStatus(mine, 200);
  assert.ok(!mine.json.items.some((s) => s.id === ff.json.session_id || s.id === ch.json.session_id),
    'another user\'s sessions are not listed');
});

test('ACC-5 deleteMySession ends that one session only; other users\' sessions cannot be named', async () => {
  const u = await userWithRole(srv, m.token, m.account_id, 'account_viewer');
  const one = await signInFull(srv, m.account_id, u.username, u.password);
  const two = await signInFull(srv, m.account_id, u.username, u.password);
  const other = await userWithRole(srv, m.token, m.account_id, 'account_viewer');
  const otherSession = (await signInFull(srv, m.account_id, other.username, other.password)).json;

  const c = new Checks();
  const foreign = await srv.request('DELETE', P.mySession(otherSession.session_id), { token: one.json.token });
  c.check('deleting another user\'s session id', () => expectProblem(foreign, 404, 'not_found'));
  const unknown = await srv.request('DELETE', P.mySession(NO_SUCH_ID), { token: one.json.token });
  c.check('deleting an unknown session id', () => expectProblem(unknown, 404, 'not_found'));
  const malformed = await srv.request('DELETE', P.mySession('not-an-id'), { token: one.json.token });
  c.check('deleting a malformed session id', () => expectProblem(malformed, 404, 'not_found'));
  c.done();
  expectStatus(await srv.request('GET', '/v1/me', { token: otherSession.token }), 200, 'the other user\'s session survives');

  const del = await srv.request('DELETE', P.mySession(two.json.session_id), { token: one.json.token });
  expectStatus(del, 204, 'deleteMySession of my other session');
  expectProblem(await srv.request('GET', '/v1/me', { token: two.json.token }), 401, 'unauthenticated', 'the deleted session');
  expectStatus(await srv.request('GET', '/v1/me', { token: one.json.token }), 200, 'the calling session survives');
  expectStatus(await srv.request('GET', '/v1/me', { token: u.token }), 200, 'the first session survives');
  const list = await srv.request('GET', P.mySessions(), { token: one.json.token });
  expectStatus(list, 200);
  assert.ok(!list.json.items.some((s) => s.id === two.json.session_id), 'the deleted session is no longer listed');
  assert.ok(list.json.items.some((s) => s.id === one.json.session_id), 'the calling session is listed');

  // Deleting the current session ends it as well.
  const self = await srv.request('DELETE', P.mySession(one.json.session_id), { token: one.json.token });
  expectStatus(self, 204, 'deleteMySession of the current session');
  expectProblem(await srv.request('GET', '/v1/me', { token: one.json.token }), 401, 'unauthenticated', 'the current session after deleting it');
  expectStatus(await srv.request('GET', '/v1/me', { token: u.token }), 200, 'the remaining session survives');
});

test('ACC-5 an API key cannot list or delete sessions (it is no person)', async () => {
  const k = await apiKey(srv, m.token, m.account_id, { scopes: ['users:read'], current_password: m.password });
  expectStatus(await srv.request('GET', P.mySessions(), { token: k.secret }), [401, 403], 'listMySessions with an API key');
  const del = await srv.request('DELETE', P.mySession(NO_SUCH_ID), { token: k.secret });
  expectStatus(del, [401, 403], 'deleteMySession with an API key');
});
