// kill -9 during a burst of writes loses no acknowledged write, and the
// audit trail still verifies (OPS-2 durability; SQLite WAL, synchronous=FULL).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { expectStatus, managerSession, signIn, uid } from '../support/api.mjs';
import { startServer } from '../support/server.mjs';

let srv;
before(async () => { srv = await startServer({ name: 'durability' }); });
after(async () => { await srv?.close(); });

const BURST = 40;
const KILL_AFTER_ACKS = 20;

test('OPS-2 kill -9 mid-burst loses no acknowledged createUser; audit verify passes', async (t) => {
  const m = await managerSession(srv);
  const acked = [];
  const outcomes = { created: 0, busy: 0, otherStatus: 0, transportError: 0 };
  let killing = null;

  const one = async (i) => {
    const username = `burst-${i}-${uid()}`;
    try {
      const res = await srv.request('POST', `/v1/accounts/${m.account_id}/users`, {
        token: m.token, body: { username, email: `${username}@example.test` }, retry: false,
      });
      if (res.status === 201) {
        outcomes.created += 1;
        acked.push({ id: res.json.id, username, email: `${username}@example.test` });
        if (acked.length === KILL_AFTER_ACKS && !killing) killing = srv.kill9();
      } else if (res.status === 503) {
        outcomes.busy += 1;
      } else {
        outcomes.otherStatus += 1;
        t.diagnostic(`createUser ${i}: HTTP ${res.status} ${res.text}`);
      }
    } catch {
      outcomes.transportError += 1;
    }
  };
  await Promise.all(Array.from({ length: BURST }, (_, i) => one(i)));
  if (!killing) killing = srv.kill9();
  const exit = await killing;
  t.diagnostic(`outcomes: ${JSON.stringify(outcomes)}; exit ${JSON.stringify(exit)}`);
  assert.ok(acked.length >= KILL_AFTER_ACKS, `at least ${KILL_AFTER_ACKS} acknowledged writes before the kill (${JSON.stringify(outcomes)})`);
  assert.equal(outcomes.otherStatus, 0, 'every answer was 201 or 503 busy');

  await srv.restart();
  const token = await signIn(srv, m.slug, m.email, m.password);
  const missing = [];
  for (const u of acked) {
    const res = await srv.request('GET', `/v1/accounts/${m.account_id}/users/${u.id}`, { token });
    if (res.status !== 200) missing.push(`${u.username}: HTTP ${res.status}`);
    else assert.equal(res.json.email, u.email, 'personal data of an acknowledged user survives');
  }
  assert.deepEqual(missing, [], 'acknowledged users lost by kill -9');
  const list = await srv.request('GET', `/v1/accounts/${m.account_id}/users?limit=200`, { token });
  expectStatus(list, 200);
  assert.ok(list.json.items.length >= acked.length + 1, 'listUsers shows every acknowledged user');

  // A write after the crash works, and the trail verifies with the server up and down.
  const late = await srv.request('POST', `/v1/accounts/${m.account_id}/users`, { token, body: { username: `after-${uid()}` } });
  expectStatus(late, 201, 'createUser after restart');
  let v = srv.cli(['audit', 'verify', '--data-dir', srv.dataDir]);
  assert.equal(v.status, 0, `audit verify after kill -9 and restart: ${v.stdout}${v.stderr}`);
  await srv.stop();
  v = srv.cli(['audit', 'verify', '--data-dir', srv.dataDir]);
  assert.equal(v.status, 0, `audit verify after a clean stop: ${v.stdout}${v.stderr}`);
});

test('OPS-2 audit verify passes right after kill -9 (no shutdown checkpoint)', async () => {
  await srv.restart();
  const m = await managerSession(srv);
  for (let i = 0; i < 3; i++) {
    expectStatus(await srv.request('POST', `/v1/accounts/${m.account_id}/users`, { token: m.token, body: { username: `k-${uid()}` } }), 201);
  }
  await srv.kill9();
  const v = srv.cli(['audit', 'verify', '--data-dir', srv.dataDir]);
  assert.equal(v.status, 0, `audit verify on a crashed data dir: ${v.stdout}${v.stderr}`);
  await srv.restart();
});
