// Personal data never rests in clear (DATA-2), and passwords, tokens and
// personal data never reach the logs or error answers (DATA-5).
//
// The tests in this file run in order and stop/restart the shared server.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  expectStatus, managerSession, newUser, randomPhone, signInFull, signInRaw, signupAccount, strongPassword,
} from '../support/api.mjs';
import { startServer } from '../support/server.mjs';
import { storeDriver, storeScan, storeWalMark } from '../support/store.mjs';

let srv;
const allCanaries = []; // every distinctive secret or personal string written in this file
before(async () => { srv = await startServer({ name: 'privacy' }); });
after(async () => { await srv?.close(); });

/** Distinctive personal data: each value contains a token found nowhere else. */
function canaryData() {
  const tag = crypto.randomBytes(5).toString('hex');
  const digits = String(crypto.randomInt(10_000_000, 99_999_999));
  return {
    tag,
    company: `Zyxcorp${tag}Holdings`,
    name: `Quintessa Vandermolen${tag}`,
    email: `q.canary${tag}@privacy${tag}.test`,
    phone: `+316${digits}`,
    userAgent: `CanaryAgent/${tag} (X11; Strongroom e2e)`,
    userName: `Bartholomeus Ypsilanti${tag}`,
    userEmail: `b.canary${tag}@mailcanary${tag}.test`,
    userPhone: randomPhone(),
    renamed: `Renamed Persona${tag}`,
  };
}

/** Strings that must not be found, with case variants and the phone without '+'. */
function needlesOf(d) {
  const base = [d.company, d.name, d.email, d.phone, d.userAgent, d.userName, d.userEmail, d.userPhone, d.renamed,
    `Vandermolen${d.tag}`, `Ypsilanti${d.tag}`, `canary${d.tag}@`, d.phone.slice(1), d.userPhone.slice(1)];
  const out = new Set();
  for (const s of base) {
    out.add(s);
    out.add(s.toLowerCase());
    out.add(s.toUpperCase());
  }
  return [...out];
}

/**
 * Every file under the data directory and, on PostgreSQL, every file of the
 * cluster (storeScan), as bytes. DIR/mail is left out: a delivered message
 * necessarily names its recipient (it is the hand-off to the mail system,
 * not storage of the account's data).
 */
function scanStore(needles, opts = {}) {
  return storeScan(srv, needles, { skip: ['mail'], ...opts });
}

/** Writes the canary data through the API; returns ids to read it back later. */
async function writePersonalData(d) {
  const ua = { 'user-agent': d.userAgent };
  const acct = await signupAccount(srv, { company: d.company, name: d.name, email: d.email, phone: d.phone },
    { headers: ua });
  const s = await signInFull(srv, acct.slug, d.email, acct.password, { headers: ua });
  const token = s.json.token;
  const u = await newUser(srv, token, acct.account_id, { username: `canary-${d.tag}`, name: d.userName, email: d.userEmail, phone: d.userPhone });
  // An update writes a second ciphertext (and the old value must not linger in clear).
  const upd = await srv.request('PATCH', `/v1/accounts/${acct.account_id}/users/${u.id}`, {
    token, body: { name: d.renamed }, headers: ua,
  });
  expectStatus(upd, 200, 'updateUser');
  // Sign-in attempts by e-mail and phone (found and not found) go through blind indexes.
  await signInRaw(srv, acct.slug, d.userEmail.toUpperCase(), strongPassword('Nope'), { headers: ua });
  await signInRaw(srv, acct.slug, d.phone, acct.password, { headers: ua });
  allCanaries.push(...needlesOf(d), acct.password);
  return { acct, userId: u.id };
}

async function expectReadableAfterRestart(d, w) {
  const token = (await signInFull(srv, w.acct.slug, d.email, w.acct.password)).json.token;
  const me = await srv.request('GET', '/v1/me', { token });
  expectStatus(me, 200);
  assert.equal(me.json.email, d.email, 'manager e-mail decrypts after restart');
  assert.equal(me.json.phone, d.phone);
  assert.equal(me.json.name, d.name);
  const u = await srv.request('GET', `/v1/accounts/${w.acct.account_id}/users/${w.userId}`, { token });
  expectStatus(u, 200);
  assert.equal(u.json.name, d.renamed);
  assert.equal(u.json.email, d.userEmail);
  assert.equal(u.json.phone, d.userPhone);
}

test('DATA-2 personal data is not in any file of the data directory after a clean stop', async (t) => {
  const d = canaryData();
  const w = await writePersonalData(d);
  const exit = await srv.stop();
  t.diagnostic(`server exit after SIGTERM: ${JSON.stringify(exit)}`);
  const { files, hits, dbFiles } = await scanStore(needlesOf(d));
  assert.ok(dbFiles.length > 0, `region databases scanned (${files.length} files)`);
  assert.deepEqual(hits, [], 'personal data found in clear');
  await srv.restart();
  await expectReadableAfterRestart(d, w);
});

test('DATA-2 personal data is not in any file, WAL included, after kill -9', async (t) => {
  const d = canaryData();
  const mark = storeWalMark(srv);
  const w = await writePersonalData(d);
  await srv.kill9();
  const { files, hits, wal } = await scanStore(needlesOf(d), { walSince: mark });
  t.diagnostic(`files scanned: ${files.length}; WAL files: ${wal.files.map((f) => path.basename(f)).join(', ') || 'none'}; WAL bytes: ${wal.bytes}`);
  assert.ok(wal.bytes > 0 && wal.files.length > 0 && wal.files.every((f) => files.includes(f)),
    `after kill -9 the writes sit in a non-empty, scanned WAL (${storeDriver === 'sqlite' ? 'SQLite WAL mode' : 'PostgreSQL pg_wal'})`);
  assert.deepEqual(hits, [], 'personal data found in clear');
  await srv.restart();
  await expectReadableAfterRestart(d, w);
});

test('DATA-5 passwords, tokens and personal data never appear in logs or error answers', async () => {
  const d = canaryData();
  const logStart = srv.logs().length;
  const secrets = [];
  const problems = [];
  const req = async (method, p, o) => {
    const r = await srv.request(method, p, o);
    if (r.status >= 400) problems.push({ what: `${method} ${p.replace(/\?.*/, '?…')}`, text: r.text, headers: JSON.stringify(r.headers) });
    return r;
  };

  const password = `CanaryPw-${d.tag}-${crypto.randomBytes(8).toString('hex')}`;
  const wrongPassword = `WrongCanaryPw-${d.tag}-${crypto.randomBytes(8).toString('hex')}`;
  secrets.push(password, wrongPassword);

  const acct = await signupAccount(srv, { company: d.company, name: d.name, email: d.email, phone: d.phone, password },
    { headers: { 'user-agent': d.userAgent } });
  // Failed sign-ins of every kind, then a good one.
  await req('POST', '/v1/session', { body: { account: acct.slug, identifier: d.email, password: wrongPassword } });
  await req('POST', '/v1/session', { body: { account: acct.slug, identifier: d.phone, password: wrongPassword } });
  await req('POST', '/v1/session', { body: { account: `nope-${d.tag}`, identifier: d.userEmail, password: wrongPassword } });
  const s = await signInFull(srv, acct.slug, d.email, password);
  const token = s.json.token;
  secrets.push(token);
  const cur = await srv.request('GET', '/v1/session', { token });
  secrets.push(cur.json.csrf_token);
  await srv.request('GET', '/v1/me', { token });
  await srv.request('GET', '/v1/me', { cookie: token });

  // Bad input that carries secrets and personal data: the parser must not echo it.
  await req('POST', '/v1/session', { rawBody: `{"account":"${acct.slug}","identifier":"${d.email}","password":"${password}"` });
  await req('POST', '/v1/session', { body: { account: acct.slug, identifier: d.email, password, extra: d.name } });
  await req('POST', '/v1/session', { body: { account: acct.slug, identifier: 12, password } });
  await req('POST', `/v1/accounts/${acct.account_id}/users`, { token, body: { username: `x${d.tag}`, email: `${d.userEmail}@@bad`, phone: `${d.userPhone}x` } });
  await req('POST', `/v1/accounts/${acct.account_id}/users`, { token, body: { username: `y${d.tag}`, email: d.email } }); // 409 conflict
  await req('POST', `/v1/accounts/${acct.account_id}/users`, { token, rawBody: `{"username":"z${d.tag}","name":"${d.name}",`, headers: { 'content-type': 'text/plain' } });
  await req('GET', `/v1/me?access_token=${token}&email=${encodeURIComponent(d.email)}`, {});
  await req('GET', `/v1/no-such-path/${encodeURIComponent(d.email)}`, { token });
  await req('GET', '/v1/me', { token: `${token}x` });
  await req('GET', '/v1/me', { cookie: `${token}x` });

  // A user with a one-time password, who then changes it.
  const u = await newUser(srv, token, acct.account_id, { username: `canary-${d.tag}`, name: d.userName, email: d.userEmail, phone: d.userPhone });
  secrets.push(u.one_time_password);
  const us = await signInFull(srv, acct.slug, d.userPhone, u.one_time_password);
  secrets.push(us.json.token);
  const newPw = `CanaryNewPw-${d.tag}-${crypto.randomBytes(8).toString('hex')}`;
  secrets.push(newPw);
  await req('POST', '/v1/me/password', { token: us.json.token, body: { current_password: wrongPassword, new_password: newPw } });
  await req('POST', '/v1/me/password', { token: us.json.token, body: { current_password: u.one_time_password, new_password: 'short' } });
  const cp = await req('POST', '/v1/me/password', { token: us.json.token, body: { current_password: u.one_time_password, new_password: newPw } });
  expectStatus(cp, 200);
  secrets.push(cp.json.token);
  await srv.request('PATCH', `/v1/accounts/${acct.account_id}/users/${u.id}`, { token, body: { name: d.renamed } });
  await srv.request('DELETE', '/v1/session', { token: cp.json.token });
  // Personal-data lookups that miss.
  await req('POST', '/v1/session', { body: { account: acct.slug, identifier: `  ${d.userEmail.toUpperCase()} `, password: wrongPassword } });

  const m2 = await managerSession(srv);
  secrets.push(m2.token, m2.password);
  allCanaries.push(...needlesOf(d), ...secrets);

  const liveLogs = srv.logs().slice(logStart);
  await srv.stop();
  const logs = `${srv.logs()}\n${srv.stdout()}`;

  const leaks = [];
  for (const n of new Set(allCanaries)) {
    if (n && logs.includes(n)) leaks.push(`logs contain "${n}"`);
  }
  for (const p of problems) {
    for (const n of [...needlesOf(d), ...secrets]) {
      if (n && (p.text.includes(n) || p.headers.includes(n))) leaks.push(`${p.what} answer contains "${n}"`);
    }
  }
  assert.deepEqual(leaks, [], 'secrets or personal data leaked');

  // The logs are JSON lines with request id, operationId, status and latency.
  const lines = liveLogs.split('\n').filter((l) => l.trim() !== '');
  const notJson = lines.filter((l) => { try { JSON.parse(l); return false; } catch { return true; } });
  assert.deepEqual(notJson.slice(0, 5), [], 'every stderr line is JSON');
  const entries = lines.map((l) => JSON.parse(l));
  const getMe = entries.find((e) => Object.values(e).includes('getMe'));
  assert.ok(getMe, 'a log line names the operationId getMe');
  const keys = Object.keys(getMe).join(' ');
  assert.match(keys, /request/i, `request id in the log line (${keys})`);
  assert.match(keys, /status/i, `status in the log line (${keys})`);
  assert.match(keys, /latency|duration|elapsed|_ms|_us/i, `latency in the log line (${keys})`);
});
