// The keyed audit trail (OPS-1): events for every change with the fields of
// CONTRACTS.md "Audit events", no personal data, and `strongroom audit
// verify` catching an altered row, a removed row and a cut-off tail.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  expectProblem, expectStatus, isRfc3339Utc, managerSession, newUser, randomPhone,
  signIn, strongPassword, uid,
} from '../support/api.mjs';
import { startServer } from '../support/server.mjs';
import { storeDropTriggersSql, storeExec, storeName, storeQuery } from '../support/store.mjs';

let srv;
before(async () => { srv = await startServer({ name: 'audit' }); });
after(async () => { await srv?.close(); });

const EVENT_FIELDS = ['id', 'seq', 'time', 'actor_id', 'actor_type', 'action', 'target_type', 'target_id',
  'outcome', 'client_ip_prefix', 'request_id'];

async function allEvents(s, m, token = m.token) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < 100; i++) {
    const q = cursor ? `?limit=200&cursor=${encodeURIComponent(cursor)}` : '?limit=200';
    const res = await s.request('GET', `/v1/accounts/${m.account_id}/audit-events${q}`, { token });
    expectStatus(res, 200, 'listAuditEvents');
    items.push(...res.json.items);
    cursor = res.json.next_cursor;
    if (!cursor) break;
  }
  return items;
}

/** Some changes in an account: users created, updated, deleted; settings changed. */
async function someActivity(s, m) {
  const users = [];
  for (let i = 0; i < 3; i++) {
    users.push(await newUser(s, m.token, m.account_id, {
      username: `aud-${uid()}`, email: `aud.${uid()}@example.test`, phone: randomPhone(), name: `Audited Person ${uid()}`,
      password: strongPassword(),
    }));
  }
  expectStatus(await s.request('PATCH', `/v1/accounts/${m.account_id}/users/${users[1].id}`, {
    token: m.token, body: { name: `Renamed Person ${uid()}` },
  }), 200, 'updateUser');
  expectStatus(await s.request('PATCH', `/v1/accounts/${m.account_id}/settings`, {
    token: m.token, body: { idle_timeout_s: 900 },
  }), 200, 'updateAccountSettings');
  expectStatus(await s.request('DELETE', `/v1/accounts/${m.account_id}/users/${users[2].id}`, { token: m.token }), 204, 'deleteUser');
  return users;
}

function verify(s) {
  const r = s.cli(['audit', 'verify', '--data-dir', s.dataDir]);
  return { ...r, out: `${r.stdout}\n${r.stderr}` };
}

const q = (v) => `'${String(v).replace(/'/g, "''")}'`;

/**
 * The audit rows of one account in its region store, oldest first, plus the
 * SQL condition that selects that account (the API id, or the only account
 * the store has events for), and `run`/`query` on that store.
 */
function auditRows(s, m) {
  const run = (sql) => storeExec(s, 'data', m.region, sql);
  const query = (sql) => storeQuery(s, 'data', m.region, sql);
  const accounts = query('SELECT DISTINCT account_id AS a FROM audit_events');
  let sel = accounts.find((r) => r.a === m.account_id);
  if (!sel && accounts.length === 1) sel = accounts[0];
  assert.ok(sel, `audit_events rows for account ${m.account_id} in ${storeName(s, 'data', m.region)}: ${JSON.stringify(accounts)}`);
  const where = `account_id = ${q(sel.a)}`;
  const rows = query(`SELECT seq, action, outcome FROM audit_events WHERE ${where} ORDER BY seq`);
  assert.ok(rows.length >= 5, `enough audit rows to tamper with: ${JSON.stringify(rows)}`);
  // An attacker with write access to the store can drop append-only triggers.
  const dropTriggers = storeDropTriggersSql(s, 'data', m.region, 'audit_events');
  return { run, query, where, rows, dropTriggers };
}

/** How verify may name an event: its id, or its account and seq. */
function namesEvent(out, m, seq, idBySeq) {
  const id = idBySeq.get(seq);
  if (id && out.includes(id)) return true;
  return out.includes(m.account_id) && new RegExp(`seq\\D{0,3}${seq}\\b`, 'i').test(out);
}

test('OPS-1 listAuditEvents shows each change with the contract fields and no personal data', async () => {
  const m = await managerSession(srv);
  const users = await someActivity(srv, m);
  const events = await allEvents(srv, m);
  assert.ok(events.length >= 6, `events recorded: ${events.length}`);
  for (const e of events) {
    for (const f of EVENT_FIELDS) assert.ok(f in e, `event lacks ${f}: ${JSON.stringify(e)}`);
    assert.ok(['user', 'api_key', 'operator', 'system'].includes(e.actor_type), `actor_type ${e.actor_type}`);
    assert.ok(['success', 'failure', 'denied'].includes(e.outcome), `outcome ${e.outcome}`);
    assert.ok(isRfc3339Utc(e.time), `time ${e.time}`);
    assert.ok(Number.isInteger(e.seq), `seq ${e.seq}`);
    assert.notEqual(e.client_ip_prefix, '127.0.0.1', 'the client address is kept as a truncated prefix only');
  }
  const seqs = events.map((e) => e.seq);
  assert.equal(new Set(seqs).size, seqs.length, 'seq is unique');
  const sorted = [...seqs].sort((a, b) => a - b);
  assert.ok(JSON.stringify(seqs) === JSON.stringify(sorted) || JSON.stringify(seqs) === JSON.stringify([...sorted].reverse()),
    `events are listed in seq order: ${seqs}`);

  const created = events.find((e) => e.target_id === users[0].id && /create/i.test(e.action));
  assert.ok(created, `a createUser event for ${users[0].id}: ${JSON.stringify(events)}`);
  assert.equal(created.actor_id, m.user_id);
  assert.equal(created.actor_type, 'user');
  assert.equal(created.outcome, 'success');
  const now = Date.now() + srv.clockOffset() * 1000;
  assert.ok(Math.abs(Date.parse(created.time) - now) < 120_000, `event time ${created.time} is about now`);
  assert.ok(events.some((e) => e.target_id === users[1].id && /update/i.test(e.action)), 'an updateUser event');
  assert.ok(events.some((e) => e.target_id === users[2].id && /delete/i.test(e.action)), 'a deleteUser event');
  assert.ok(events.some((e) => /setting/i.test(e.action)), 'an updateAccountSettings event');

  const text = JSON.stringify(events);
  for (const u of users) {
    for (const k of ['email', 'phone', 'name']) assert.ok(!text.includes(u[k]), `audit events contain the ${k} "${u[k]}"`);
  }
  assert.ok(!text.includes(m.email), 'audit events contain the manager e-mail');
});

test('OPS-1 listAuditEvents paginates with limit=1 and next_cursor', async () => {
  const m = await managerSession(srv);
  await someActivity(srv, m);
  const all = await allEvents(srv, m);
  const seen = [];
  let cursor = null;
  for (let i = 0; i < all.length + 2; i++) {
    const qs = cursor ? `?limit=1&cursor=${encodeURIComponent(cursor)}` : '?limit=1';
    const res = await srv.request('GET', `/v1/accounts/${m.account_id}/audit-events${qs}`, { token: m.token });
    expectStatus(res, 200);
    assert.ok(res.json.items.length <= 1);
    seen.push(...res.json.items.map((e) => e.id));
    cursor = res.json.next_cursor;
    if (!cursor) break;
  }
  // New events (the listing itself is not a change) must not appear; compare the ids of the first listing.
  assert.deepEqual(seen.filter((id) => all.some((e) => e.id === id)), all.map((e) => e.id));
});

test('OPS-1 audit events are per account: another manager gets 404', async () => {
  const a = await managerSession(srv);
  const b = await managerSession(srv);
  await someActivity(srv, a);
  const res = await srv.request('GET', `/v1/accounts/${a.account_id}/audit-events`, { token: b.token });
  expectProblem(res, 404, 'not_found');
  const own = await allEvents(srv, b);
  const aEvents = await allEvents(srv, a);
  const aIds = new Set(aEvents.map((e) => e.id));
  assert.ok(!own.some((e) => aIds.has(e.id)), 'no event of account a in account b');
});

test('OPS-1 audit timestamps follow the test clock', async () => {
  const m = await managerSession(srv);
  srv.advanceClock(3 * 86400);
  const token = await signIn(srv, m.slug, m.email, m.password);
  const u = await newUser(srv, token, m.account_id, { password: strongPassword() });
  const events = await allEvents(srv, m, token);
  const e = events.find((x) => x.target_id === u.id);
  assert.ok(e, 'event for the new user');
  const expected = Date.now() + srv.clockOffset() * 1000;
  assert.ok(Math.abs(Date.parse(e.time) - expected) < 120_000, `event time ${e.time} follows the clock offset ${srv.clockOffset()} s`);
});

test('OPS-1 strongroom audit verify exits 0 on an intact trail', async () => {
  const m = await managerSession(srv);
  await someActivity(srv, m);
  const r = verify(srv);
  assert.equal(r.status, 0, `audit verify on a running server: ${r.out}`);
});

async function tamperScenario(name, tamper) {
  const s = await startServer({ name: `audit-${name}` });
  try {
    const m = await managerSession(s, { region: 'EU' });
    await someActivity(s, m);
    await someActivity(s, m);
    const events = await allEvents(s, m);
    const idBySeq = new Map(events.map((e) => [e.seq, e.id]));
    const ok = verify(s);
    assert.equal(ok.status, 0, `audit verify before tampering: ${ok.out}`);
    await s.stop();
    const okStopped = verify(s);
    assert.equal(okStopped.status, 0, `audit verify after a clean stop: ${okStopped.out}`);
    const info = auditRows(s, m);
    const detail = tamper(info);
    const bad = verify(s);
    assert.notEqual(bad.status, 0, `audit verify must fail after ${name}: ${bad.out}`);
    assert.ok(bad.stderr.trim().length > 0, 'the failure is explained on stderr');
    return { m, bad, idBySeq, ...detail };
  } finally {
    await s.close();
  }
}

test('OPS-1 audit verify fails naming the event when a row is altered', async () => {
  const r = await tamperScenario('alter', ({ run, query, where, rows, dropTriggers }) => {
    const target = rows[Math.floor(rows.length / 2)];
    run(`${dropTriggers}
UPDATE audit_events SET outcome = CASE WHEN outcome = 'success' THEN 'failure' ELSE 'success' END
WHERE ${where} AND seq = ${Number(target.seq)};`);
    const changed = query(`SELECT outcome FROM audit_events WHERE ${where} AND seq = ${Number(target.seq)}`);
    assert.notEqual(changed[0].outcome, target.outcome, 'the row was changed');
    return { seq: target.seq };
  });
  assert.ok(namesEvent(r.bad.out, r.m, r.seq, r.idBySeq),
    `verify output names the altered event (seq ${r.seq}, id ${r.idBySeq.get(r.seq)}): ${r.bad.out}`);
});

test('OPS-1 audit verify fails when the tail is cut', async () => {
  const r = await tamperScenario('tail', ({ run, where, rows, dropTriggers }) => {
    const real = rows.filter((x) => !/checkpoint/i.test(String(x.action)));
    const last = real[real.length - 1];
    run(`${dropTriggers}\nDELETE FROM audit_events WHERE ${where} AND seq >= ${Number(last.seq)};`);
    return { seq: last.seq };
  });
  // The signed checkpoint still covers the removed event: verify names the account.
  assert.ok(r.bad.out.includes(r.m.account_id), `verify output names the account ${r.m.account_id}: ${r.bad.out}`);
});

test('OPS-1 audit verify fails naming the gap when a middle row is deleted', async () => {
  const r = await tamperScenario('middle', ({ run, where, rows, dropTriggers }) => {
    const target = rows[Math.floor(rows.length / 2)];
    run(`${dropTriggers}\nDELETE FROM audit_events WHERE ${where} AND seq = ${Number(target.seq)};`);
    const next = rows[Math.floor(rows.length / 2) + 1];
    return { seq: target.seq, nextSeq: next.seq };
  });
  assert.ok(namesEvent(r.bad.out, r.m, r.seq, r.idBySeq) || namesEvent(r.bad.out, r.m, r.nextSeq, r.idBySeq),
    `verify output names the removed event or the one after it (seq ${r.seq}/${r.nextSeq}): ${r.bad.out}`);
});
