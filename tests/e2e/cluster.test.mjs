// Several `strongroom serve` nodes on one PostgreSQL store (docs/postgres.md):
// node A (srv) and node B (srv.startPeer()) share the data directory, the
// master key, the clock file and the database. Each node caches sessions,
// users, account settings, allowlists and API keys in memory; a change made
// through A must reach B's cache (LISTEN/NOTIFY), so every claim that says
// "on the very next request" holds whichever node serves that request.
//
// A change on A reaches B asynchronously: a check that B refuses (or
// accepts) polls B until PROPAGATION_MS (a deadline, not a sleep) and
// reports the latency it saw as a test diagnostic. The session's stored
// last-seen (the idle timeout across nodes, AUTH-7) is written back by the
// scheduler's session sweep, so those tests wait for the row, read with
// tests/support/store.mjs.
//
// SQLite: two processes may open one SQLite file, but the cluster is a
// PostgreSQL feature; the whole file skips without STRONGROOM_TEST_PG.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';

import {
  describeResponse, expectProblem, expectStatus, managerSession, newUser, signIn, signInFull, signInRaw,
  strongPassword, uid,
} from '../support/api.mjs';
import {
  P, apiKey, clientAt, grant, operatorSession, userWithRole,
} from '../support/access.mjs';
import { pgConninfo, startServer } from '../support/server.mjs';
import { startSmtpSink } from '../support/smtp.mjs';
import { storeDropConnections, storeQuery } from '../support/store.mjs';

const skip = pgConninfo ? false : 'several nodes need the PostgreSQL store (STRONGROOM_TEST_PG)';

/** How long a change on one node may take to reach the other (notification latency, with slack). */
const PROPAGATION_MS = 5_000;
/** The session sweep runs every 5 s (src/http/server.c); allow three rounds. */
const WRITE_BACK_MS = 15_000;
const DEFAULT_IDLE_S = 600;
/** Each SMTP connection through the relay waits this long for its greeting. */
const RELAY_DELAY_MS = 50;

/**
 * A TCP relay on loopback to port `to` that holds every connection for
 * delayMs before connecting it: a slow mail server, so a delivery round
 * of many messages lasts several of the other node's scheduler ticks and
 * an unclaimed row would be sent by both nodes.
 */
function slowRelay(to, delayMs) {
  const sockets = new Set();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    setTimeout(() => {
      if (client.destroyed) return;
      const up = net.connect(to, '127.0.0.1');
      sockets.add(up);
      up.on('close', () => { sockets.delete(up); client.destroy(); });
      up.on('error', () => client.destroy());
      client.on('close', () => up.destroy());
      client.pipe(up);
      up.pipe(client);
    }, delayMs);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({
      url: `smtp://127.0.0.1:${server.address().port}`,
      close: () => new Promise((r) => { for (const x of sockets) x.destroy(); server.close(() => r()); }),
    }));
  });
}

let sink;
let relay;
let srv; // node A
let peer; // node B
before(async () => {
  if (skip) return;
  sink = await startSmtpSink();
  relay = await slowRelay(sink.port, RELAY_DELAY_MS);
  srv = await startServer({ name: 'cluster', config: `[mail]\nsmtp_url = ${relay.url}\n` });
  peer = await srv.startPeer();
});
after(async () => {
  await srv?.close();
  await relay?.close();
  await sink?.stop();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const me = (node, token) => node.request('GET', '/v1/me', { token });
const listUsers = (node, token, accountId) => node.request('GET', P.users(accountId), { token });

/**
 * Polls probe() until accept(answer) or PROPAGATION_MS → the milliseconds it
 * took (also a test diagnostic). Fails with the last answer and the time spent.
 */
async function eventually(t, what, probe, accept) {
  const t0 = Date.now();
  let last;
  for (;;) {
    last = await probe();
    let ok = false;
    try { ok = accept(last) !== false; } catch { ok = false; }
    const ms = Date.now() - t0;
    if (ok) {
      t.diagnostic(`${what}: after ${ms} ms`);
      return ms;
    }
    if (ms > PROPAGATION_MS) assert.fail(`${what}: not within ${ms} ms (deadline ${PROPAGATION_MS} ms); last answer ${describeResponse(last)}`);
    await sleep(20);
  }
}

/** B answers 401 unauthenticated to the token (poll). */
function refusedOn(t, node, what, token, probe = () => me(node, token)) {
  return eventually(t, `${what}: 401`, probe, (r) => { expectProblem(r, 401, 'unauthenticated'); });
}

/** B answers `status` to the probe (poll). */
function answersOn(t, what, status, probe) {
  return eventually(t, `${what}: ${status}`, probe, (r) => { expectStatus(r, status); });
}

/** Server time now (real clock + the shared test offset), in whole seconds. */
function serverNow() {
  return Math.floor(Date.now() / 1000) + srv.clockOffset();
}

/** The stored last_seen_at of a session (region EU, the default of signupAccount). */
function storedLastSeen(sessionId) {
  const rows = storeQuery(srv, 'data', 'EU', 'SELECT last_seen_at FROM sessions WHERE id = ?', [sessionId]);
  return rows.length ? Number(rows[0].last_seen_at) : null;
}

/** Waits until the stored last-seen of the session reaches `atLeast` (a node wrote it back). */
async function waitWrittenBack(sessionId, atLeast, what) {
  const t0 = Date.now();
  for (;;) {
    const seen = storedLastSeen(sessionId);
    if (seen !== null && seen >= atLeast) return Date.now() - t0;
    assert.ok(Date.now() - t0 < WRITE_BACK_MS,
      `${what}: stored last_seen_at ${seen} never reached ${atLeast} within ${WRITE_BACK_MS} ms (no write-back)`);
    await sleep(100);
  }
}

test('cluster harness: the peer is a second process on its own port, same data directory and database', { skip }, async () => {
  assert.notEqual(peer.port, srv.port);
  assert.notEqual(peer.pid(), srv.pid());
  assert.ok(peer.running() && srv.running());
  assert.equal(peer.dataDir, srv.dataDir);
  assert.equal(peer.pgDb, srv.pgDb);
  assert.ok(srv.pgDb, 'the server runs on PostgreSQL');
  expectStatus(await peer.request('GET', '/v1/health'), 200, 'getHealth on B');
});

test('ACC-3 a session created on A works on B (token and cookie), and one created on B works on A', { skip }, async () => {
  const m = await managerSession(srv);
  expectStatus(await me(peer, m.token), 200, 'getMe on B with A\'s token');
  expectStatus(await peer.request('GET', '/v1/me', { cookie: m.token }), 200, 'getMe on B with A\'s session cookie');
  expectStatus(await listUsers(peer, m.token, m.account_id), 200, 'listUsers on B (roles known on B)');
  const onB = await signIn(peer, m.slug, m.email, m.password);
  expectStatus(await me(srv, onB), 200, 'getMe on A with B\'s token');
});

test('ACC-3 a role removed on A ends the user\'s sessions on B (token and cookie) on B\'s next request', { skip }, async (t) => {
  const m = await managerSession(srv);
  const u = await userWithRole(srv, m.token, m.account_id, 'account_member');
  const second = await signIn(srv, m.account_id, u.username, u.password);
  // B has both sessions and the user's roles cached.
  expectStatus(await listUsers(peer, u.token, m.account_id), 200, 'member lists users on B');
  expectStatus(await peer.request('GET', '/v1/me', { cookie: second }), 200, 'cookie session on B');

  expectStatus(await srv.request('DELETE', P.grant(m.account_id, u.grant.id), { token: m.token }), 204, 'revokeRole on A');
  expectProblem(await me(srv, u.token), 401, 'unauthenticated', 'A at once');
  await refusedOn(t, peer, 'B, token session, after revokeRole on A', u.token, () => listUsers(peer, u.token, m.account_id));
  await refusedOn(t, peer, 'B, cookie session, after revokeRole on A', second,
    () => peer.request('GET', '/v1/me', { cookie: second }));
  expectStatus(await me(peer, m.token), 200, 'the manager who revoked keeps working on B');
});

test('ACC-3 a role granted on A takes effect on B for an existing session', { skip }, async (t) => {
  const m = await managerSession(srv);
  const u = await userWithRole(srv, m.token, m.account_id, null);
  expectStatus(await listUsers(peer, u.token, m.account_id), [403, 404], 'listUsers on B before any role');
  await grant(srv, m.token, m.account_id, u.id, 'account_viewer');
  await answersOn(t, 'B listUsers after grantRole on A', 200, () => listUsers(peer, u.token, m.account_id));
});

test('ACC-3 deleteUser on A ends the user\'s session on B', { skip }, async (t) => {
  const m = await managerSession(srv);
  const u = await userWithRole(srv, m.token, m.account_id, 'account_member');
  // listUsers, not getMe: getMe reads the user's row, which is gone anyway.
  expectStatus(await listUsers(peer, u.token, m.account_id), 200, 'on B before');
  expectStatus(await srv.request('DELETE', P.user(m.account_id, u.id), { token: m.token }), 204, 'deleteUser on A');
  await refusedOn(t, peer, 'B after deleteUser on A', u.token, () => listUsers(peer, u.token, m.account_id));
  expectProblem(await signInRaw(peer, m.account_id, u.username, u.password), 401, 'invalid_credentials',
    'sign-in of the deleted user on B');
});

test('ACC-6 blockUser on A ends the user\'s sessions on B; unblock on A lets a new session work on B', { skip }, async (t) => {
  const op = await operatorSession(srv);
  const m = await managerSession(srv);
  const u = await userWithRole(srv, m.token, m.account_id, 'account_member');
  const second = await signIn(srv, m.account_id, u.username, u.password);
  for (const tok of [u.token, second]) expectStatus(await me(peer, tok), 200, 'on B before the block');

  expectStatus(await srv.request('POST', `${P.user(m.account_id, u.id)}/block`, { token: op.token }), 204, 'blockUser on A');
  await refusedOn(t, peer, 'B, first session, after blockUser on A', u.token);
  await refusedOn(t, peer, 'B, second session, after blockUser on A', second);
  expectProblem(await signInRaw(peer, m.account_id, u.username, u.password), 401, 'invalid_credentials',
    'sign-in of the blocked user on B');

  expectStatus(await srv.request('POST', `${P.user(m.account_id, u.id)}/unblock`, { token: op.token }), 204, 'unblockUser on A');
  const back = await signIn(srv, m.account_id, u.username, u.password);
  await answersOn(t, 'B, a session made after unblockUser on A', 200, () => me(peer, back));
  expectProblem(await me(peer, u.token), 401, 'unauthenticated', 'sessions ended by the block stay ended on B');
});

test('ACC-5 deleteSession (sign out) on A ends that session on B; the user\'s other session lives on', { skip }, async (t) => {
  const m = await managerSession(srv);
  const u = await userWithRole(srv, m.token, m.account_id, 'account_member');
  const other = await signIn(srv, m.account_id, u.username, u.password);
  for (const tok of [u.token, other]) expectStatus(await me(peer, tok), 200, 'on B before sign-out');
  expectStatus(await srv.request('DELETE', '/v1/session', { token: u.token }), [200, 204], 'deleteSession on A');
  await refusedOn(t, peer, 'B after deleteSession on A', u.token);
  expectStatus(await me(peer, other), 200, 'the other session on B');
});

test('ACC-5 deleteMySession on A ends the named session on B', { skip }, async (t) => {
  const m = await managerSession(srv);
  const u = await userWithRole(srv, m.token, m.account_id, 'account_viewer');
  const two = (await signInFull(srv, m.account_id, u.username, u.password)).json;
  expectStatus(await me(peer, two.token), 200, 'on B before');
  expectStatus(await srv.request('DELETE', P.mySession(two.session_id), { token: u.token }), 204, 'deleteMySession on A');
  await refusedOn(t, peer, 'B after deleteMySession on A', two.token);
  expectStatus(await me(peer, u.token), 200, 'the calling session on B');
});

test('ACC-5 sign out everywhere on A (revokeUserSessions for oneself) ends every session on B', { skip }, async (t) => {
  const m = await managerSession(srv);
  const u = await userWithRole(srv, m.token, m.account_id, 'account_member');
  const s1 = await signIn(srv, m.account_id, u.username, u.password);
  const s2 = await signIn(peer, m.account_id, u.username, u.password);
  for (const tok of [u.token, s1, s2]) expectStatus(await me(peer, tok), 200, 'on B before');
  expectStatus(await srv.request('POST', P.revokeSessions(m.account_id, u.id), { token: s1 }), 204, 'revokeUserSessions (self) on A');
  for (const [label, tok] of [['first', u.token], ['calling', s1], ['made on B', s2]]) {
    await refusedOn(t, peer, `B, ${label} session, after sign-out everywhere on A`, tok);
  }
  expectStatus(await me(peer, m.token), 200, 'the manager on B');
});

test('ACC-5 a manager signs a user out everywhere on A: every session of the user ends on B', { skip }, async (t) => {
  const m = await managerSession(srv);
  const u = await userWithRole(srv, m.token, m.account_id, 'account_member');
  const s1 = await signIn(peer, m.account_id, u.username, u.password);
  for (const tok of [u.token, s1]) expectStatus(await me(peer, tok), 200, 'on B before');
  expectStatus(await srv.request('POST', P.revokeSessions(m.account_id, u.id), { token: m.token }), 204, 'revokeUserSessions by the manager on A');
  await refusedOn(t, peer, 'B, first session, after revokeUserSessions on A', u.token);
  await refusedOn(t, peer, 'B, session made on B, after revokeUserSessions on A', s1);
});

test('AUTH-5 ACC-3 a password change on A ends the user\'s other sessions on B; the new token works on B', { skip }, async (t) => {
  const m = await managerSession(srv);
  const u = await userWithRole(srv, m.token, m.account_id, 'account_member');
  const other = await signIn(srv, m.account_id, u.username, u.password);
  expectStatus(await me(peer, other), 200, 'the other session on B before');
  const newPassword = strongPassword('Chg');
  const ch = await srv.request('POST', '/v1/me/password', { token: u.token, body: { current_password: u.password, new_password: newPassword } });
  expectStatus(ch, 200, 'changePassword on A');
  await refusedOn(t, peer, 'B, other session, after changePassword on A', other);
  expectStatus(await me(peer, ch.json.token), 200, 'the token changePassword gave, on B');
  expectStatus(await signInRaw(peer, m.account_id, u.username, newPassword), 201, 'sign-in with the new password on B');
});

test('ACC-9 revokeApiKey on A: the key is refused on B', { skip }, async (t) => {
  const m = await managerSession(srv);
  const k = await apiKey(srv, m.token, m.account_id, { scopes: ['users:read'], current_password: m.password });
  expectStatus(await listUsers(peer, k.secret, m.account_id), 200, 'the key on B before');
  expectStatus(await srv.request('DELETE', P.apiKey(m.account_id, k.id), { token: m.token }), 204, 'revokeApiKey on A');
  await refusedOn(t, peer, 'B, the key, after revokeApiKey on A', k.secret, () => listUsers(peer, k.secret, m.account_id));
});

test('AUTH-7 a session used only on A for 20 minutes (every 5 minutes) stays alive on B', { skip }, async (t) => {
  const m = await managerSession(srv);
  const s = (await signInFull(srv, m.slug, m.email, m.password)).json;
  // B loads and caches the session (its last-seen: now).
  expectStatus(await me(peer, s.token), 200, 'on B once');
  for (let i = 1; i <= 4; i++) {
    srv.advanceClock(300);
    const at = serverNow();
    expectStatus(await me(srv, s.token), 200, `on A at +${i * 300} s`);
    // A writes the last-seen back (at most every 30 s, by the session sweep).
    // One second of slack: the server's time(2) is the coarse clock, which
    // can trail this process's Date.now() across a second boundary.
    const ms = await waitWrittenBack(s.session_id, at - 1, `A's write-back at +${i * 300} s`);
    t.diagnostic(`stored last-seen at +${i * 300} s after ${ms} ms`);
  }
  // 1200 s since B last saw the session, 0 s since anyone did.
  expectStatus(await me(peer, s.token), 200, `on B after ${4 * 300} s of use on A only (B must not go by its own stale last-seen)`);
  expectStatus(await me(srv, s.token), 200, 'and on A');
  srv.advanceClock(DEFAULT_IDLE_S + 1);
  const a = await me(srv, s.token);
  const b = await me(peer, s.token);
  expectProblem(a, 401, 'unauthenticated', `A after ${DEFAULT_IDLE_S + 1} s without any use`);
  expectProblem(b, 401, 'unauthenticated', `B after ${DEFAULT_IDLE_S + 1} s without any use`);
});

test('AUTH-7 a session idle for 601 s is refused by both nodes, though both had it cached and A wrote its last-seen back', { skip }, async () => {
  const m = await managerSession(srv);
  const s = (await signInFull(srv, m.slug, m.email, m.password)).json;
  expectStatus(await me(peer, s.token), 200, 'on B');
  srv.advanceClock(100);
  const at = serverNow();
  expectStatus(await me(srv, s.token), 200, 'on A 100 s later');
  expectStatus(await me(peer, s.token), 200, 'on B 100 s later');
  await waitWrittenBack(s.session_id, at - 1, 'write-back of the last-seen'); // see above: coarse clock
  srv.advanceClock(DEFAULT_IDLE_S + 1);
  const b = await me(peer, s.token);
  const a = await me(srv, s.token);
  expectProblem(b, 401, 'unauthenticated', `B after ${DEFAULT_IDLE_S + 1} s idle`);
  expectProblem(a, 401, 'unauthenticated', `A after ${DEFAULT_IDLE_S + 1} s idle`);
});

test('ACC-6 blockAccount on A ends every session of the account on B; unblock on A lets new sessions work on B', { skip }, async (t) => {
  const op = await operatorSession(srv);
  const m = await managerSession(srv);
  const u = await userWithRole(srv, m.token, m.account_id, 'account_member');
  const bystander = await managerSession(srv);
  for (const tok of [m.token, u.token, bystander.token]) expectStatus(await me(peer, tok), 200, 'on B before the block');

  expectStatus(await srv.request('POST', `${P.account(m.account_id)}/block`, { token: op.token }), 204, 'blockAccount on A');
  await refusedOn(t, peer, 'B, the manager, after blockAccount on A', m.token);
  await refusedOn(t, peer, 'B, a user, after blockAccount on A', u.token);
  expectProblem(await signInRaw(peer, m.slug, m.email, m.password), 401, 'invalid_credentials', 'sign-in on B into the blocked account');
  expectStatus(await me(peer, bystander.token), 200, 'another account on B is untouched');

  expectStatus(await srv.request('POST', `${P.account(m.account_id)}/unblock`, { token: op.token }), 204, 'unblockAccount on A');
  const back = await signIn(srv, m.slug, m.email, m.password);
  await answersOn(t, 'B, a session made after unblockAccount on A', 200, () => me(peer, back));
});

test('AUTH-7 updateAccountSettings on A (shorter lifetime and idle timeout) is applied by B to sessions it has cached', { skip }, async (t) => {
  const m = await managerSession(srv);
  const bystander = await managerSession(srv);
  const s = await signIn(srv, m.slug, m.email, m.password);
  // B caches the session and the account's settings (idle 600 s, lifetime 43200 s).
  for (const tok of [s, bystander.token]) expectStatus(await me(peer, tok), 200, 'on B before the change');

  const upd = await srv.request('PATCH', P.settings(m.account_id), { token: m.token, body: { idle_timeout_s: 120, max_lifetime_s: 300 } });
  expectStatus(upd, 200, 'updateAccountSettings on A');
  srv.advanceClock(310);
  // Past the new lifetime: a request on B cannot keep the session alive,
  // so B may be polled until it has the new settings.
  await refusedOn(t, peer, 'B, a session 310 s old, after max_lifetime_s 300 on A', s);
  expectStatus(await me(peer, bystander.token), 200, 'another account on B keeps its 600 s idle timeout');

  // B now applies the shorter idle timeout too.
  const fresh = await signIn(srv, m.slug, m.email, m.password);
  expectStatus(await me(peer, fresh), 200, 'a new session on B');
  srv.advanceClock(125);
  expectProblem(await me(peer, fresh), 401, 'unauthenticated', 'B after 125 s idle with idle_timeout_s 120 set on A');
  const got = await peer.request('GET', P.settings(m.account_id), { token: await signIn(peer, m.slug, m.email, m.password) });
  expectStatus(got, 200, 'getAccountSettings on B');
  assert.equal(got.json.idle_timeout_s, 120, `B shows the settings set on A: ${describeResponse(got)}`);
  assert.equal(got.json.max_lifetime_s, 300, `B shows the settings set on A: ${describeResponse(got)}`);
});

test('ACC-8 an IP allowlist set on A is enforced by B, and lifting it on A is seen by B', { skip }, async (t) => {
  const m = await managerSession(srv);
  const b2 = clientAt(peer, '127.0.0.2');
  const a2 = clientAt(srv, '127.0.0.2');
  // B caches the account's (empty) list.
  expectStatus(await listUsers(peer, m.token, m.account_id), 200, 'B from 127.0.0.1 before any list');

  const set = await srv.request('PUT', P.allowlist(m.account_id), { token: m.token, body: { cidrs: ['127.0.0.2/32'], confirm_self_lockout: true } });
  expectStatus(set, 200, 'setIpAllowlist on A');
  await eventually(t, 'B from 127.0.0.1 after the list on A: 403 ip_not_allowed',
    () => listUsers(peer, m.token, m.account_id), (r) => { expectProblem(r, 403, 'ip_not_allowed'); });
  expectProblem(await signInRaw(peer, m.slug, m.email, m.password), 403, 'ip_not_allowed', 'sign-in on B from 127.0.0.1');
  expectStatus(await b2('GET', P.users(m.account_id), { token: m.token }), 200, 'B from 127.0.0.2');

  expectStatus(await a2('PUT', P.allowlist(m.account_id), { token: m.token, body: { cidrs: [] } }), 200, 'clearing the list on A from 127.0.0.2');
  await answersOn(t, 'B from 127.0.0.1 after the list was cleared on A', 200, () => listUsers(peer, m.token, m.account_id));
});

test('ACC-3 after PostgreSQL drops every connection both nodes reconnect, and a role removed on A still ends the session on B', { skip }, async (t) => {
  const m = await managerSession(srv);
  const u = await userWithRole(srv, m.token, m.account_id, 'account_member');
  expectStatus(await listUsers(peer, u.token, m.account_id), 200, 'on B before');
  const dropped = storeDropConnections(srv);
  assert.ok(dropped >= 2, `expected the nodes' connections to be ended, ended ${dropped}`);
  // A request on a thread whose connection was ended may fail (5xx, never a
  // crash); the next one on that thread connects again.
  for (const [name, node] of [['A', srv], ['B', peer]]) {
    await eventually(t, `${name} serves again after the connections were dropped`,
      () => listUsers(node, m.token, m.account_id), (r) => {
        if (r.status !== 200) assert.ok(r.status >= 500 && r.status < 600 && r.json?.code, describeResponse(r));
        return r.status === 200;
      });
    assert.ok(node.running(), `node ${name} is still running`);
  }
  expectStatus(await srv.request('DELETE', P.grant(m.account_id, u.grant.id), { token: m.token }), 204, 'revokeRole on A');
  await refusedOn(t, peer, 'B after revokeRole on A, once reconnected', u.token, () => listUsers(peer, u.token, m.account_id));
});

test('AUTH-6 mail queued on either node is delivered exactly once although both nodes run the delivery loop', { skip }, async (t) => {
  const m = await managerSession(srv);
  const isReset = (msg, address) => msg.rcptTo.includes(address) && /reset/i.test(msg.subject);
  const resetsOf = (address) => sink.messages().filter((msg) => isReset(msg, address)).length;
  const users = [];
  for (let i = 0; i < 20; i++) {
    const email = `cluster-${uid()}@example.test`;
    await newUser(srv, m.token, m.account_id, { email, password: strongPassword('Init') });
    users.push(email);
  }
  const sent = new Map(users.map((a) => [a, 0])); // reset requests per address
  const reset = async (node, address) => {
    const r = await node.request('POST', '/v1/password-reset', { body: { account: m.slug, identifier: address } });
    expectStatus(r, 202, `requestPasswordReset on ${node === srv ? 'A' : 'B'}`);
    sent.set(address, sent.get(address) + 1);
  };
  /** Waits (real time: delivery) until every address has at least as many mails as requests. */
  const allDelivered = () => sink.waitFor(() => users.every((a) => resetsOf(a) >= sent.get(a)), 60_000);

  // One reset on A, delivered; then one for another user on B, delivered.
  await reset(srv, users[0]);
  await allDelivered();
  await reset(peer, users[1]);
  await allDelivered();
  // A burst queued through both nodes at once (38 rows), so that both
  // delivery loops find the same due rows and one is still sending when
  // the other's tick comes round. At most SR_RESET_MAX_PENDING (3) live
  // links per user, so the burst is spread over 20 users.
  const burst = [];
  users.forEach((a, i) => {
    burst.push(reset(i % 2 ? peer : srv, a));
    if (i >= 2) burst.push(reset(i % 2 ? srv : peer, a));
  });
  await Promise.all(burst);
  const t0 = Date.now();
  const before = sink.messages().length;
  await allDelivered();
  t.diagnostic(`burst of ${burst.length} delivered in ${Date.now() - t0} ms (${sink.messages().length - before} messages meanwhile, ${sink.messages().length} in all)`);
  // A last message, queued after every earlier one was delivered: by the
  // time it arrives both loops have run past the earlier rows.
  await reset(peer, users[0]);
  await allDelivered();

  const counts = users.map((a) => ({ address: a, requested: sent.get(a), delivered: resetsOf(a) }));
  const wrong = counts.filter((c) => c.delivered !== c.requested);
  assert.equal(wrong.length, 0,
    `${wrong.length} of ${users.length} users got more mails than reset requests (sent twice?): ${JSON.stringify(wrong)}`);
});
