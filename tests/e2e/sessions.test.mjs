// Session idle timeout and absolute lifetime, moved with the test clock,
// never by sleeping (AUTH-7). Tests in this file share one server clock and
// only ever move it forward; each test signs in afresh.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';

import {
  Checks, expectProblem, expectStatus, expectValidation, managerSession, signIn, signInFull, signupAccount,
} from '../support/api.mjs';
import { startServer } from '../support/server.mjs';

let srv;
before(async () => { srv = await startServer({ name: 'sessions' }); });
after(async () => { await srv?.close(); });

// Real time passes between steps too; keep this much margin to the boundary.
const MARGIN_S = 5;

const me = (token) => srv.request('GET', '/v1/me', { token });
const settingsPath = (m) => `/v1/accounts/${m.account_id}/settings`;

test('AUTH-7 default settings are idle 600 s and lifetime 43200 s', async () => {
  const m = await managerSession(srv);
  const res = await srv.request('GET', settingsPath(m), { token: m.token });
  expectStatus(res, 200, 'getAccountSettings');
  assert.equal(res.json.idle_timeout_s, 600);
  assert.equal(res.json.max_lifetime_s, 43200);
});

test('AUTH-7 idle session ends after idle_timeout_s (default 600 s); activity refreshes it', async () => {
  const m = await managerSession(srv);
  const initial = await srv.request('GET', '/v1/session', { token: m.token });
  expectStatus(initial, 200);

  srv.advanceClock(600 - MARGIN_S);
  expectStatus(await me(m.token), 200, 'just before the idle timeout');
  const cur = await srv.request('GET', '/v1/session', { token: m.token });
  expectStatus(cur, 200);
  assert.ok(Date.parse(cur.json.idle_expires_at) > Date.parse(initial.json.idle_expires_at),
    `idle_expires_at moves on with activity (${initial.json.idle_expires_at} → ${cur.json.idle_expires_at})`);

  // Total idle time since sign-in is now past 600 s, but not since the last request.
  srv.advanceClock(600 - MARGIN_S);
  expectStatus(await me(m.token), 200, 'activity refreshed the idle timer');

  srv.advanceClock(601);
  expectProblem(await me(m.token), 401, 'unauthenticated', 'after 601 s without activity');
  // The ended session stays ended, also for getCurrentSession and the cookie.
  expectProblem(await srv.request('GET', '/v1/session', { token: m.token }), 401, 'unauthenticated');
  expectProblem(await srv.request('GET', '/v1/me', { cookie: m.token }), 401, 'unauthenticated');
  // A fresh sign-in works.
  expectStatus(await me(await signIn(srv, m.slug, m.email, m.password)), 200);
});

test('AUTH-7 a failed request does not keep a session alive past the idle timeout', async () => {
  const m = await managerSession(srv);
  srv.advanceClock(300);
  expectStatus(await me(m.token), 200);
  srv.advanceClock(601);
  expectProblem(await me(m.token), 401, 'unauthenticated');
  srv.advanceClock(1);
  expectProblem(await me(m.token), 401, 'unauthenticated', 'the 401 did not revive the session');
});

test('AUTH-7 absolute lifetime (default 43200 s) ends even an active session', async () => {
  const m = await managerSession(srv);
  const s = await srv.request('GET', '/v1/session', { token: m.token });
  const step = 500;
  let elapsed = 0;
  while (43200 - elapsed > step + 100) {
    elapsed += step;
    srv.advanceClock(step);
    expectStatus(await me(m.token), 200, `active session at +${elapsed} s`);
  }
  // Get within 60 s of the end (never idle for long), then step over it.
  const pre = 43200 - elapsed - 60;
  elapsed += pre;
  srv.advanceClock(pre);
  expectStatus(await me(m.token), 200, `active session at +${elapsed} s`);
  srv.advanceClock(60 + MARGIN_S);
  expectProblem(await me(m.token), 401, 'unauthenticated', 'after the absolute lifetime, though active');
  assert.ok(Math.abs(Date.parse(s.json.expires_at) - Date.parse(s.json.created_at) - 43200 * 1000) <= 1000,
    `expires_at - created_at = 43200 s (${s.json.created_at} → ${s.json.expires_at})`);
});

test('AUTH-7 updateAccountSettings changes the lifetime for new sessions', async () => {
  const m = await managerSession(srv);
  const upd = await srv.request('PATCH', settingsPath(m), { token: m.token, body: { max_lifetime_s: 1200 } });
  expectStatus(upd, 200, 'updateAccountSettings');
  const got = await srv.request('GET', settingsPath(m), { token: m.token });
  assert.equal(got.json.max_lifetime_s, 1200);
  assert.equal(got.json.idle_timeout_s, 600, 'untouched setting kept');

  const s = await signInFull(srv, m.slug, m.email, m.password);
  const lifetime = (Date.parse(s.json.expires_at) - Date.now()) / 1000 - srv.clockOffset();
  assert.ok(Math.abs(lifetime - 1200) < 60, `expires_at ≈ now + 1200 s (got ${lifetime})`);
  const token = s.json.token;
  srv.advanceClock(500);
  expectStatus(await me(token), 200, 'active at +500 s');
  srv.advanceClock(500);
  expectStatus(await me(token), 200, 'active at +1000 s');
  srv.advanceClock(200 + MARGIN_S);
  expectProblem(await me(token), 401, 'unauthenticated', 'past max_lifetime_s 1200 though active');
});

test('AUTH-7 a shorter idle_timeout_s applies to new sessions', async () => {
  const m = await managerSession(srv);
  const upd = await srv.request('PATCH', settingsPath(m), { token: m.token, body: { idle_timeout_s: 60 } });
  expectStatus(upd, 200);
  const token = await signIn(srv, m.slug, m.email, m.password);
  srv.advanceClock(60 - MARGIN_S);
  expectStatus(await me(token), 200, 'inside 60 s');
  srv.advanceClock(61);
  expectProblem(await me(token), 401, 'unauthenticated', 'after 61 s idle with idle_timeout_s 60');
});

test('AUTH-7 updateAccountSettings validates ranges (422) and keeps the old values', async () => {
  const m = await managerSession(srv);
  const c = new Checks();
  for (const [label, body, field] of [
    ['idle below 60', { idle_timeout_s: 59 }, 'idle_timeout_s'],
    ['idle above 86400', { idle_timeout_s: 86401 }, 'idle_timeout_s'],
    ['idle zero', { idle_timeout_s: 0 }, 'idle_timeout_s'],
    ['lifetime below 300', { max_lifetime_s: 299 }, 'max_lifetime_s'],
    ['lifetime above 2592000', { max_lifetime_s: 2592001 }, 'max_lifetime_s'],
    ['idle above lifetime (both given)', { idle_timeout_s: 4000, max_lifetime_s: 3000 }, null],
    ['idle above the current lifetime 43200', { idle_timeout_s: 86400 }, null],
    ['lifetime below the current idle 600', { max_lifetime_s: 300 }, null],
    ['idle a string', { idle_timeout_s: '600' }, 'idle_timeout_s'],
    ['lifetime huge', { max_lifetime_s: 2 ** 40 }, 'max_lifetime_s'],
  ]) {
    const res = await srv.request('PATCH', settingsPath(m), { token: m.token, body });
    c.check(label, () => expectValidation(res, field));
  }
  const got = await srv.request('GET', settingsPath(m), { token: m.token });
  c.check('old values kept', () => assert.deepEqual(
    { idle: got.json.idle_timeout_s, life: got.json.max_lifetime_s }, { idle: 600, life: 43200 }));
  c.done();
});

test('AUTH-7 settings edges are accepted and shown by getAccountSettings', async () => {
  const m = await managerSession(srv);
  for (const body of [
    { idle_timeout_s: 60, max_lifetime_s: 300 },
    { idle_timeout_s: 86400, max_lifetime_s: 2592000 },
    { idle_timeout_s: 900 },
    { idle_timeout_s: 300, max_lifetime_s: 300 },
  ]) {
    const res = await srv.request('PATCH', settingsPath(m), { token: m.token, body });
    expectStatus(res, 200, `PATCH ${JSON.stringify(body)}`);
    const got = await srv.request('GET', settingsPath(m), { token: m.token });
    expectStatus(got, 200);
    for (const [k, v] of Object.entries(body)) assert.equal(got.json[k], v, `${k} after PATCH ${JSON.stringify(body)}`);
    if (res.json && k0(res.json)) for (const [k, v] of Object.entries(body)) assert.equal(res.json[k], v, `PATCH answer ${k}`);
  }
});

function k0(o) { return typeof o === 'object' && o !== null && 'idle_timeout_s' in o; }

test('AUTH-7 settings of one account do not touch another', async () => {
  const a = await managerSession(srv);
  const b = await managerSession(srv);
  expectStatus(await srv.request('PATCH', settingsPath(a), { token: a.token, body: { idle_timeout_s: 120 } }), 200);
  const got = await srv.request('GET', settingsPath(b), { token: b.token });
  assert.equal(got.json.idle_timeout_s, 600);
  // And b's manager may not read or change a's settings (404, not 403).
  expectProblem(await srv.request('GET', settingsPath(a), { token: b.token }), 404, 'not_found');
  expectProblem(await srv.request('PATCH', settingsPath(a), { token: b.token, body: { idle_timeout_s: 900 } }), 404, 'not_found');
});

test('test clock: a file writable by group or others, or a missing file, means offset 0', async () => {
  // CONTRACTS.md "Test clock": the server ignores the file unless it is owned
  // by the server's user and not writable by group or others; a missing file
  // means offset 0. Own server: this test moves the clock backwards.
  const s = await startServer({ name: 'sessions-clock' });
  try {
    const a = await signupAccount(s);
    /** The offset the server applies, from a fresh session's idle_expires_at. */
    const appliedOffset = async () => {
      const res = await signInFull(s, a.slug, a.email, a.password);
      return Math.round((Date.parse(res.json.idle_expires_at) - Date.now()) / 1000) - 600;
    };
    /** Replaces the clock file (new inode, so the server notices) with the given mode. */
    const writeClockFile = (seconds, mode) => {
      const tmp = `${s.clockFile}.tmp`;
      fs.writeFileSync(tmp, `${seconds}\n`);
      fs.chmodSync(tmp, mode);
      fs.renameSync(tmp, s.clockFile);
    };
    const DAY = 86400;
    const near = (got, want, label) => assert.ok(Math.abs(got - want) < 60, `${label}: applied offset ${got} s, expected ${want} s`);

    writeClockFile(DAY, 0o600);
    near(await appliedOffset(), DAY, 'mode 0600');
    writeClockFile(2 * DAY, 0o620);
    near(await appliedOffset(), 0, 'group-writable file (0620) is ignored');
    writeClockFile(3 * DAY, 0o606);
    near(await appliedOffset(), 0, 'world-writable file (0606) is ignored');
    writeClockFile(4 * DAY, 0o644);
    near(await appliedOffset(), 4 * DAY, 'mode 0644 (readable, not writable, by others)');
    fs.unlinkSync(s.clockFile);
    near(await appliedOffset(), 0, 'missing file');
    writeClockFile(-DAY, 0o600);
    near(await appliedOffset(), -DAY, 'negative offset');
    const h = await s.request('GET', '/v1/health');
    assert.equal(h.json.test_clock, true, 'the variable is still set');
  } finally {
    await s.close();
  }
});
