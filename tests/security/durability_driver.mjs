#!/usr/bin/env node
// Durability under kill -9 (issue 6 "Durability"; OPS-1 and "a crash or
// kill -9 at any moment loses no committed data").
//
// Several concurrent clients write steadily — sign-ups (createAccount),
// sessions (createSession), user creations (createUser, with an e-mail so the
// subject key and ciphertext matter), channel creations (createChannel) and
// role grants (grantRole on an acknowledged user and channel). Every 2xx
// answer is an acknowledged write and is remembered with its id. The server
// is killed with SIGKILL at random moments KILLS times (default 20) and
// restarted on the same data directory and port while the clients go on.
//
// After every kill, a copy of the crashed data directory gets
// `strongroom audit verify` and `PRAGMA integrity_check` on every .db file.
// At the end, every acknowledged write is looked up through the API
// (getAccount as the new manager, getCurrentSession with the token, getUser
// with the e-mail decrypted, getChannel, listRoleGrants) and counted in the
// raw databases with `sqlite3 -readonly`; then, after a clean stop, audit
// verify and integrity_check run on the real data directory.
//
// Writes the result JSON ({check, tool, version, ran, findings, details,
// claims, figures}; tools/security_report.py renders it) to argv[2] or
// build/security/durability_kill9.json. Exit 0 when nothing was lost and
// every check passed, 1 otherwise.
//
// Environment: STRONGROOM_BIN, DURABILITY_KILLS (20), DURABILITY_CLIENTS (6),
// DURABILITY_SEED (random), DURABILITY_MIN_MS / DURABILITY_MAX_MS (gap
// between restarts and the next kill: 300 / 3000), DURABILITY_STARTUP_KILLS
// (5 further kills 0–150 ms into a restart), DURABILITY_SELFTEST=1 (tamper
// with the crashed data dir before the last restart: must report findings).

import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { strongPassword, uid } from '../support/api.mjs';
import { binPath, repoRoot, startServer } from '../support/server.mjs';

const KILLS = Number(process.env.DURABILITY_KILLS || 20);
const CLIENTS = Number(process.env.DURABILITY_CLIENTS || 6);
const MIN_MS = Number(process.env.DURABILITY_MIN_MS || 300);
const MAX_MS = Number(process.env.DURABILITY_MAX_MS || 3000);
const STARTUP_KILLS = Number(process.env.DURABILITY_STARTUP_KILLS ?? 5);
const SELFTEST = process.env.DURABILITY_SELFTEST === '1';
const SEED = Number(process.env.DURABILITY_SEED || crypto.randomInt(1, 2 ** 31));
const OUT = process.argv[2] || path.join(repoRoot, 'build', 'security', 'durability_kill9.json');
const REGIONS = ['US', 'EU', 'AU', 'SG', 'JP', 'IN'];

// mulberry32: a seeded PRNG so a failing schedule can be replayed.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = prng(SEED);
const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function toolVersion(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout || r.stderr).trim().split('\n')[0] : `unknown (${cmd})`;
}

function sqlite(file, sql) {
  const r = spawnSync('sqlite3', ['-readonly', '-batch', file, sql], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: (r.stdout || '').trim(), err: (r.stderr || '').trim() };
}

function dbFiles(dir) {
  const files = [path.join(dir, 'directory.db')];
  const regions = path.join(dir, 'regions');
  if (fs.existsSync(regions)) {
    for (const r of fs.readdirSync(regions).sort()) {
      for (const f of ['strongroom.db', 'keystore.db']) {
        const p = path.join(regions, r, f);
        if (fs.existsSync(p)) files.push(p);
      }
    }
  }
  return files;
}

/** integrity_check + audit verify on dir → {ok, integrity:{file: text}, audit:{status, out}} */
function checkDir(srv, dir) {
  const integrity = {};
  let ok = true;
  for (const f of dbFiles(dir)) {
    // Not -readonly: a crashed WAL database needs recovery, which writes
    // the -shm; callers pass a copy for crashed states.
    const r = spawnSync('sqlite3', ['-batch', f, 'PRAGMA integrity_check;'], { encoding: 'utf8', timeout: 60_000 });
    const text = `${(r.stdout || '').trim()}${r.stderr ? ` ${r.stderr.trim()}` : ''}`;
    integrity[path.relative(dir, f)] = text;
    if (r.status !== 0 || text !== 'ok') ok = false;
  }
  const v = srv.cli(['audit', 'verify', '--data-dir', dir]);
  const audit = { status: v.status, out: `${v.stdout}${v.stderr}`.trim().slice(0, 500) };
  if (v.status !== 0) ok = false;
  return { ok, integrity, audit };
}

/**
 * Explains each `FAIL account <id> (region <R>): ...` line of audit verify
 * from the raw databases of dir: is there a directory row, a region account
 * row, users, audit events, keystore keys, and was the account's sign-up
 * acknowledged? → [{account_id, region, why, directory_row, region_account_row, ...}]
 */
function diagnoseAudit(dir, out) {
  const res = [];
  for (const m of out.matchAll(/FAIL account ([0-9a-f]{32}) \(region ([A-Z]{2})\): ([^\n]*)/g)) {
    const [, id, region, why] = m;
    const one = (file, sql) => {
      const f = path.join(dir, file);
      return fs.existsSync(f) ? Number(sqlite(f, sql).out || 0) : null;
    };
    const ack = acked.account.find((a) => a.account_id === id) || seeds.find((x) => x.account_id === id);
    res.push({
      account_id: id, region, why,
      directory_row: one('directory.db', `SELECT count(*) FROM accounts WHERE id='${id}';`),
      region_account_row: one(`regions/${region}/strongroom.db`, `SELECT count(*) FROM accounts WHERE id='${id}';`),
      region_users: one(`regions/${region}/strongroom.db`, `SELECT count(*) FROM users WHERE account_id='${id}';`),
      region_audit_events: one(`regions/${region}/strongroom.db`, `SELECT count(*) FROM audit_events WHERE account_id='${id}';`),
      keystore_keys: one(`regions/${region}/keystore.db`, `SELECT count(*) FROM keys WHERE account_id='${id}';`),
      signup_acknowledged: !!ack,
    });
  }
  return res;
}
// One finding per distinct failure (a half-made account stays broken in
// every later crash state): key → detail.
const crashProblems = new Map();
function recordCrashProblem(where, dir, chk) {
  const diag = diagnoseAudit(dir, chk.audit.out);
  const keys = [];
  for (const d of diag) keys.push([`audit:${d.account_id}`, d]);
  for (const [f, t] of Object.entries(chk.integrity)) if (t !== 'ok') keys.push([`integrity:${f}:${t}`, { file: f, integrity_check: t }]);
  if (chk.audit.status !== 0 && diag.length === 0) keys.push([`audit:${chk.audit.out}`, { audit_verify: chk.audit.out }]);
  for (const [k, d] of keys) {
    const seen = crashProblems.get(k);
    if (seen) { seen.seen_again.push(where); continue; }
    let what;
    if (d.account_id && d.directory_row === 1 && d.region_account_row === 0) {
      what = `${where}: audit verify fails — account ${d.account_id} (${d.region}) is half-made: ${d.keystore_keys ? `its directory row and ${d.keystore_keys} keystore key(s) were` : 'its directory row was'} committed, its region rows (account, users, audit events) were not; the sign-up was ${d.signup_acknowledged ? 'ACKNOWLEDGED' : 'never acknowledged'}. createAccount commits directory.db before the region transaction and only removes the directory row on an error return, not after a crash; audit verify then reports "${d.why}" for good, and the slug stays taken (409 on retry)`;
    } else if (d.account_id) {
      what = `${where}: audit verify fails for account ${d.account_id} (${d.region}): ${d.why}`;
    } else {
      what = `${where}: ${JSON.stringify(d)}`;
    }
    const rec = { severity: 'finding', what, first_seen: where, seen_again: [], ...d };
    crashProblems.set(k, rec);
    details.push(rec);
  }
}

const started = Date.now();
const ranAt = new Date().toISOString();
const srv = await startServer({ name: 'durability-kill9' });

// Acknowledged writes, by kind.
const acked = { account: [], session: [], user: [], channel: [], grant: [] };
const counts = {
  attempts: 0, acked: 0, transport_errors: 0, busy_503: 0, conflict_409: 0,
  other_status: 0, reauth_after_restart: 0,
};
const otherStatuses = {};
const details = [];

// Seed accounts the clients write into (one per client, regions spread).
const seeds = [];
for (let i = 0; i < Math.min(CLIENTS, REGIONS.length); i++) {
  const body = {
    company: `Durable ${uid()}`, name: `Mgr ${uid()}`, email: `mgr-${uid()}@example.test`,
    country: 'NL', region: REGIONS[i], password: strongPassword('Dur'), slug: `dur-${uid()}`,
  };
  const r = await srv.request('POST', '/v1/accounts', { body });
  if (r.status !== 201) throw new Error(`seed createAccount: HTTP ${r.status} ${r.text}`);
  const s = await srv.request('POST', '/v1/session', { body: { account: body.slug, identifier: body.email, password: body.password } });
  if (s.status !== 201) throw new Error(`seed createSession: HTTP ${s.status} ${s.text}`);
  seeds.push({ ...body, account_id: r.json.account_id, token: s.json.token, users: [], channels: [], combos: new Set() });
}

let serverUp = true;
let stopping = false;

async function signInSeed(seed) {
  const s = await srv.request('POST', '/v1/session', { body: { account: seed.slug, identifier: seed.email, password: seed.password }, retry: false, timeout: 10_000 });
  if (s.status === 201) return s.json.token;
  throw Object.assign(new Error(`re-sign-in HTTP ${s.status}`), { status: s.status });
}

// One write; returns nothing, records the outcome.
async function oneWrite(seed) {
  const r = rnd();
  let kind;
  if (r < 0.12) kind = 'account';
  else if (r < 0.22) kind = 'session';
  else if (r < 0.55) kind = 'user';
  else if (r < 0.75) kind = 'channel';
  else kind = 'grant';
  if (kind === 'grant' && (seed.users.length === 0 || seed.channels.length === 0)) kind = 'channel';

  let req;
  let remember;
  if (kind === 'account') {
    const body = {
      company: `Acme ${uid()}`, name: `Person ${uid()}`, email: `signup-${uid()}@example.test`,
      country: 'DE', region: pick(REGIONS), password: strongPassword('Sgn'), slug: `sg-${uid()}`,
    };
    req = ['POST', '/v1/accounts', { body }];
    remember = (j) => acked.account.push({ account_id: j.account_id, user_id: j.user_id, slug: body.slug, region: j.region, email: body.email, password: body.password, company: body.company });
  } else if (kind === 'session') {
    req = ['POST', '/v1/session', { body: { account: seed.slug, identifier: seed.email, password: seed.password } }];
    remember = (j) => acked.session.push({ account_id: seed.account_id, session_id: j.session_id, token: j.token });
  } else if (kind === 'user') {
    const username = `d-${uid()}`;
    const email = `${username}@example.test`;
    req = ['POST', `/v1/accounts/${seed.account_id}/users`, { token: seed.token, body: { username, email } }];
    remember = (j) => {
      const u = { account_id: seed.account_id, id: j.id, username, email };
      acked.user.push(u);
      seed.users.push(u);
    };
  } else if (kind === 'channel') {
    const name = `ch-${uid()}`;
    req = ['POST', `/v1/accounts/${seed.account_id}/channels`, { token: seed.token, body: { name } }];
    remember = (j) => {
      const c = { account_id: seed.account_id, id: j.id, name };
      acked.channel.push(c);
      seed.channels.push(c);
    };
  } else {
    let u; let c; let role; let key;
    for (let tries = 0; tries < 10; tries++) {
      u = pick(seed.users); c = pick(seed.channels); role = pick(['channel_member', 'channel_viewer', 'channel_manager']);
      key = `${u.id}/${role}/${c.id}`;
      if (!seed.combos.has(key)) break;
    }
    if (seed.combos.has(key)) return;
    seed.combos.add(key); // attempted, acknowledged or not: never retried (a lost answer may have committed)
    req = ['POST', `/v1/accounts/${seed.account_id}/role-grants`, { token: seed.token, body: { user_id: u.id, role, channel_id: c.id } }];
    remember = (j) => acked.grant.push({ account_id: seed.account_id, id: j.id, user_id: u.id, channel_id: c.id, role });
  }

  counts.attempts += 1;
  let res;
  try {
    res = await srv.request(req[0], req[1], { ...req[2], retry: false, timeout: 10_000 });
  } catch {
    counts.transport_errors += 1;
    await sleep(20);
    return;
  }
  if (res.status === 200 || res.status === 201) {
    if (!res.json || (typeof res.json.id !== 'string' && typeof res.json.account_id !== 'string' && typeof res.json.token !== 'string')) {
      counts.other_status += 1;
      details.push({ severity: 'error', what: `${kind}: 2xx without an id`, answer: res.text.slice(0, 300) });
      return;
    }
    counts.acked += 1;
    remember(res.json);
  } else if (res.status === 503) {
    counts.busy_503 += 1;
  } else if (res.status === 409 && kind === 'grant') {
    counts.conflict_409 += 1; // an unacknowledged earlier attempt may have committed it
  } else if (res.status === 401 && req[2].token) {
    // The token was acknowledged before a kill; losing it is a lost write.
    counts.reauth_after_restart += 1;
    details.push({ severity: 'finding', what: `acknowledged session token of seed account ${seed.slug} rejected (HTTP 401) after a restart` });
    try { seed.token = await signInSeed(seed); } catch { /* next round */ }
  } else {
    counts.other_status += 1;
    const k = `${kind} ${res.status} ${(res.json && res.json.code) || ''}`.trim();
    otherStatuses[k] = (otherStatuses[k] || 0) + 1;
  }
}

async function client(i) {
  const seed = seeds[i % seeds.length];
  while (!stopping) {
    if (!serverUp) { await sleep(10); continue; }
    await oneWrite(seed);
  }
}

// The kill schedule.
const kills = [];
let startupKillsLeft = STARTUP_KILLS;

// Starts the server and SIGKILLs it 0–150 ms later, before or while it opens
// its databases; the restart that follows must still find everything.
async function killDuringStartup() {
  const delay = Math.floor(rnd() * 150);
  const old = srv.pid();
  const starting = srv.restart().then(() => 'healthy', () => 'died');
  let pid = null;
  for (let i = 0; i < 500 && !pid; i++) {
    const p = srv.pid();
    if (p && p !== old) pid = p; else await sleep(1);
  }
  await sleep(delay);
  if (pid) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  const how = await starting;
  if (how === 'healthy') await srv.kill9(); // it won the race: still a kill, just after start-up
  const copy = path.join(srv.baseDir, 'crash-startup');
  fs.cpSync(srv.dataDir, copy, { recursive: true });
  const chk = checkDir(srv, copy);
  if (!chk.ok) recordCrashProblem(`crash state after a kill ${delay} ms into a restart`, copy, chk);
  fs.rmSync(copy, { recursive: true, force: true });
  startupKills.push({ delay_ms: delay, reached_healthy: how === 'healthy', crash_copy_ok: chk.ok });
  return { delay_ms: delay, reached_healthy: how === 'healthy', crash_copy_ok: chk.ok };
}
const startupKills = [];

// DURABILITY_SELFTEST=1: proves the checks can fail. Before the last
// restart, delete one acknowledged user row and one audit event straight
// from the crashed database; the run must then report findings and exit 1.
function selftestTamper() {
  const u = acked.user[0];
  if (!u) return;
  const regionOf = seeds.find((s) => s.account_id === u.account_id).region;
  const db = path.join(srv.dataDir, 'regions', regionOf, 'strongroom.db');
  const sql = `DELETE FROM users WHERE id='${u.id}'; DELETE FROM audit_events WHERE rowid = (SELECT rowid FROM audit_events WHERE account_id='${u.account_id}' ORDER BY seq LIMIT 1 OFFSET 1);`;
  const r = spawnSync('sqlite3', ['-batch', db, sql], { encoding: 'utf8' });
  details.push({ severity: 'note', what: `SELFTEST: deleted user ${u.id} and one audit event of account ${u.account_id} (sqlite3 exit ${r.status})` });
}
async function killer() {
  for (let k = 0; k < KILLS; k++) {
    const gap = MIN_MS + Math.floor(rnd() * (MAX_MS - MIN_MS));
    const ackedBefore = counts.acked;
    await sleep(gap);
    const pid = srv.pid();
    const inflightAcked = counts.acked;
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    serverUp = false;
    const exit = await srv.kill9();
    // Check a copy of exactly what the crash left behind.
    const copy = path.join(srv.baseDir, `crash-${k + 1}`);
    fs.cpSync(srv.dataDir, copy, { recursive: true });
    const chk = checkDir(srv, copy);
    if (!chk.ok) recordCrashProblem(`crash state after kill ${k + 1}`, copy, chk);
    fs.rmSync(copy, { recursive: true, force: true });
    // Some kills land while the server starts up (opening the databases,
    // WAL recovery, migrations, key loading) instead of mid-traffic.
    let startupKill = null;
    if (startupKillsLeft > 0 && (KILLS - k <= startupKillsLeft || rnd() < 0.3)) {
      startupKillsLeft -= 1;
      startupKill = await killDuringStartup();
    }
    if (SELFTEST && k === KILLS - 1) selftestTamper();
    const t0 = Date.now();
    await srv.restart();
    const restartMs = Date.now() - t0;
    serverUp = true;
    kills.push({
      n: k + 1, after_ms: gap, pid, signal: exit && exit.signal, acked_since_previous: inflightAcked - ackedBefore,
      crash_copy_ok: chk.ok, audit_verify_exit: chk.audit.status, restart_ms: restartMs,
      ...(startupKill ? { then_killed_during_startup: startupKill } : {}),
    });
    if (!exit || exit.signal !== 'SIGKILL') {
      details.push({ severity: 'error', what: `kill ${k + 1}: server exit was ${JSON.stringify(exit)}, not SIGKILL` });
    }
  }
}

const clients = Array.from({ length: CLIENTS }, (_, i) => client(i));
await killer();
// A little more writing after the last restart, then stop the writers.
await sleep(500);
stopping = true;
await Promise.all(clients);
const writeSeconds = (Date.now() - started) / 1000;

// ---- verification through the API ----
const lost = { account: [], session: [], user: [], channel: [], grant: [] };
const tokens = new Map(seeds.map((s) => [s.account_id, s.token]));
for (const s of seeds) {
  const t = await srv.request('GET', '/v1/session', { token: s.token });
  if (t.status !== 200) s.token = await signInSeed(s);
  tokens.set(s.account_id, s.token);
}
async function get(p, token) {
  return srv.request('GET', p, { token, timeout: 20_000 });
}
async function pool(items, n, fn) {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (i < items.length) { const it = items[i++]; await fn(it); }
  }));
}
const mismatches = [];
await pool(acked.session, 8, async (x) => {
  const r = await get('/v1/session', x.token);
  if (r.status !== 200 || r.json.session_id !== x.session_id) lost.session.push({ session_id: x.session_id, status: r.status });
});
await pool(acked.account, 4, async (a) => {
  const s = await srv.request('POST', '/v1/session', { body: { account: a.slug, identifier: a.email, password: a.password }, timeout: 20_000 });
  if (s.status !== 201) { lost.account.push({ account_id: a.account_id, region: a.region, step: 'createSession', status: s.status }); return; }
  const r = await get(`/v1/accounts/${a.account_id}`, s.json.token);
  if (r.status !== 200) lost.account.push({ account_id: a.account_id, region: a.region, step: 'getAccount', status: r.status });
  else if (r.json.company !== a.company || r.json.region !== a.region) mismatches.push({ kind: 'account', account_id: a.account_id, what: 'company or region differs' });
});
await pool(acked.user, 8, async (u) => {
  const r = await get(`/v1/accounts/${u.account_id}/users/${u.id}`, tokens.get(u.account_id));
  if (r.status !== 200) lost.user.push({ id: u.id, account_id: u.account_id, status: r.status });
  else if (r.json.email !== u.email || r.json.username !== u.username) mismatches.push({ kind: 'user', id: u.id, what: 'username or e-mail differs (personal data unreadable?)' });
});
await pool(acked.channel, 8, async (c) => {
  const r = await get(`/v1/accounts/${c.account_id}/channels/${c.id}`, tokens.get(c.account_id));
  if (r.status !== 200) lost.channel.push({ id: c.id, account_id: c.account_id, status: r.status });
  else if (r.json.name !== c.name) mismatches.push({ kind: 'channel', id: c.id, what: 'name differs' });
});
// listRoleGrants per seed account, paged.
const grantIds = new Set();
for (const s of seeds) {
  let cursor = null;
  for (let page = 0; page < 1000; page++) {
    const q = `/v1/accounts/${s.account_id}/role-grants?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const r = await get(q, s.token);
    if (r.status !== 200) { details.push({ severity: 'error', what: `listRoleGrants ${s.slug}: HTTP ${r.status}` }); break; }
    for (const g of r.json.items) grantIds.add(g.id);
    cursor = r.json.next_cursor;
    if (!cursor) break;
  }
}
for (const g of acked.grant) if (!grantIds.has(g.id)) lost.grant.push({ id: g.id, account_id: g.account_id });

// ---- clean stop, then raw counts, audit verify, integrity_check ----
const stopExit = await srv.stop();
const raw = { missing: {} };
{
  const dir = srv.dataDir;
  const dirIds = new Set(sqlite(path.join(dir, 'directory.db'), 'SELECT id FROM accounts;').out.split('\n'));
  const regionIds = { accounts: new Set(), users: new Set(), channels: new Set(), role_grants: new Set(), sessions: new Set(), keys: new Set() };
  for (const f of dbFiles(dir)) {
    if (f.endsWith('strongroom.db')) {
      for (const t of ['accounts', 'users', 'channels', 'role_grants', 'sessions']) {
        for (const id of sqlite(f, `SELECT id FROM ${t};`).out.split('\n')) if (id) regionIds[t].add(id);
      }
    } else if (f.endsWith('keystore.db')) {
      for (const id of sqlite(f, 'SELECT owner_id FROM keys;').out.split('\n')) if (id) regionIds.keys.add(id);
    }
  }
  const miss = (list, set, key = 'id') => list.filter((x) => !set.has(x[key])).map((x) => x[key]);
  raw.missing.directory_accounts = miss(acked.account, dirIds, 'account_id');
  raw.missing.region_accounts = miss(acked.account, regionIds.accounts, 'account_id');
  raw.missing.users = miss(acked.user, regionIds.users);
  raw.missing.channels = miss(acked.channel, regionIds.channels);
  raw.missing.role_grants = miss(acked.grant, regionIds.role_grants);
  raw.missing.sessions = miss(acked.session, regionIds.sessions, 'session_id');
  raw.counts = {
    directory_accounts: dirIds.size - (dirIds.has('') ? 1 : 0),
    region_accounts: regionIds.accounts.size, users: regionIds.users.size, channels: regionIds.channels.size,
    role_grants: regionIds.role_grants.size, sessions: regionIds.sessions.size, keystore_keys: regionIds.keys.size,
  };
}
const final = checkDir(srv, srv.dataDir);

// ---- result ----
const lostTotal = Object.values(lost).reduce((n, l) => n + l.length, 0);
const rawMissing = Object.values(raw.missing).reduce((n, l) => n + l.length, 0);
for (const [kind, list] of Object.entries(lost)) {
  for (const x of list) details.push({ severity: 'finding', what: `acknowledged ${kind} missing after kill -9 and restart`, ...x });
}
for (const [what, list] of Object.entries(raw.missing)) {
  if (list.length) details.push({ severity: 'finding', what: `acknowledged ids absent from the raw databases (${what})`, ids: list.slice(0, 20), count: list.length });
}
for (const m of mismatches) details.push({ severity: 'finding', ...m });
if (!final.ok) recordCrashProblem('final data directory (after a clean stop)', srv.dataDir, final);
const crashFailures = kills.filter((k) => !k.crash_copy_ok).length;
const findings = details.filter((d) => d.severity === 'finding').length;
const errors = details.filter((d) => d.severity === 'error').length;
const ackedCounts = Object.fromEntries(Object.entries(acked).map(([k, v]) => [k, v.length]));
const runtime = (Date.now() - started) / 1000;

const result = {
  check: 'durability_kill9',
  tool: 'durability_kill9 (tests/security/durability_driver.mjs: node client, kill -9, sqlite3, strongroom audit verify)',
  version: {
    node: process.version,
    sqlite3: toolVersion('sqlite3', ['-version']),
    strongroom: toolVersion(binPath, ['--version']),
    binary: path.relative(repoRoot, binPath) || binPath,
  },
  ran: `${CLIENTS} concurrent clients writing (createAccount, createSession, createUser, createChannel, grantRole); `
    + `${KILLS} × kill -9 at random moments ${MIN_MS}–${MAX_MS} ms apart (seed ${SEED}), restart on the same data dir and port; `
    + `${STARTUP_KILLS} further kill -9 0–150 ms into a restart (during start-up); `
    + 'after each kill: PRAGMA integrity_check and audit verify on a copy of the crashed data dir; at the end: every acknowledged '
    + 'write looked up through the API and in the raw databases (sqlite3 -readonly), then audit verify and integrity_check after a clean stop',
  started_at: ranAt,
  findings,
  details,
  claims: [
    `OPS-1 The audit chain verifies (strongroom audit verify exit 0) after each of ${KILLS} kill -9 crashes and after the final clean stop`,
    `A crash or kill -9 at any moment loses no committed data: ${counts.acked} acknowledged writes, ${lostTotal} missing after ${KILLS} kill -9`,
    'PRAGMA integrity_check is ok on directory.db and every regions/*/strongroom.db and keystore.db after every crash',
  ],
  figures: {
    kills: kills.length,
    startup_kills: startupKills.length,
    startup_kills_reaching_healthy: startupKills.filter((x) => x.reached_healthy).length,
    selftest: SELFTEST,
    clients: CLIENTS,
    seed: SEED,
    runtime_s: Number(runtime.toFixed(1)),
    write_phase_s: Number(writeSeconds.toFixed(1)),
    attempts: counts.attempts,
    acknowledged: counts.acked,
    acknowledged_by_kind: ackedCounts,
    lost_by_kind: Object.fromEntries(Object.entries(lost).map(([k, v]) => [k, v.length])),
    lost_total: lostTotal,
    raw_missing_total: rawMissing,
    raw_counts: raw.counts,
    value_mismatches: mismatches.length,
    transport_errors: counts.transport_errors,
    busy_503: counts.busy_503,
    grant_conflicts_409: counts.conflict_409,
    sessions_rejected_after_restart: counts.reauth_after_restart,
    other_status: counts.other_status,
    other_statuses: otherStatuses,
    crash_copies_failing_checks: crashFailures,
    final_integrity: final.integrity,
    final_audit_verify_exit: final.audit.status,
    final_stop: stopExit,
    mean_restart_ms: kills.length ? Math.round(kills.reduce((n, k) => n + k.restart_ms, 0) / kills.length) : null,
    kill_schedule: kills,
    errors,
  },
};
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
if (!process.env.STRONGROOM_KEEP_DATA) fs.rmSync(srv.baseDir, { recursive: true, force: true });

const ok = findings === 0 && errors === 0 && kills.length === KILLS;
if (SELFTEST) console.log(`durability_kill9 SELFTEST: ${findings} findings expected > 0 → ${ok ? 'NOT DETECTED' : 'detected'}`);
console.log(`durability_kill9: ${kills.length} kills, ${counts.acked} acknowledged writes ${JSON.stringify(ackedCounts)}, `
  + `${lostTotal} lost, ${rawMissing} absent in raw dbs, ${crashFailures} crash copies failing checks, final audit verify exit ${final.audit.status}, `
  + `${findings} findings, ${errors} errors, ${runtime.toFixed(1)} s (seed ${SEED}) → ${path.relative(repoRoot, OUT)}`);
process.exit(ok ? 0 : 1);
