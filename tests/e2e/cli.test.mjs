// The command line of CONTRACTS.md: --version, --help everywhere, one-line
// failures, and `attest` reporting every claim.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { CLAIM_IDS } from '../support/api.mjs';
import { binPath, startServer } from '../support/server.mjs';
import { storeExists, storeName } from '../support/store.mjs';

let srv;
before(async () => { srv = await startServer({ name: 'cli' }); });
after(async () => { await srv?.close(); });

function run(args, env = {}) {
  const r = spawnSync(binPath, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  if (r.error) throw r.error;
  return r;
}

function oneLine(text) {
  return text.trim() !== '' && text.trim().split('\n').length === 1;
}

test('strongroom --version prints the version and exits 0', () => {
  const r = run(['--version']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\d+\.\d+\.\d+/);
});

test('--help exits 0 on every command', () => {
  for (const args of [['--help'], ['init', '--help'], ['serve', '--help'], ['audit', '--help'],
    ['audit', 'verify', '--help'], ['attest', '--help']]) {
    const r = run(args);
    assert.equal(r.status, 0, `${args.join(' ')}: exit ${r.status} ${r.stderr}`);
    assert.ok(`${r.stdout}${r.stderr}`.trim().length > 0, `${args.join(' ')} prints help`);
    assert.match(`${r.stdout}${r.stderr}`, /usage|--data-dir/i, `${args.join(' ')} looks like help`);
  }
});

test('failures exit non-zero with one line on stderr', () => {
  const missing = path.join(os.tmpdir(), `sr-e2e-missing-${process.pid}-${Date.now()}`);
  for (const args of [
    ['frobnicate'],
    ['--no-such-flag'],
    ['serve', '--data-dir', missing, '--listen', '127.0.0.1:1'],
    ['audit', 'verify', '--data-dir', missing],
    ['attest', '--data-dir', missing],
    ['serve', '--data-dir', srv.dataDir, '--listen', 'not-an-address'],
    ['audit', 'frobnicate', '--data-dir', srv.dataDir],
  ]) {
    const r = run(args);
    assert.notEqual(r.status, 0, `${args.join(' ')} should fail`);
    assert.ok(r.signal === null, `${args.join(' ')} died of ${r.signal}`);
    assert.ok(oneLine(r.stderr), `${args.join(' ')}: exactly one line on stderr, got:\n${r.stderr}`);
  }
  assert.ok(!fs.existsSync(missing), 'a failing command does not create the data directory');
});

test('init on an existing data directory changes nothing', () => {
  const keyFile = path.join(srv.dataDir, 'keys', 'master.key');
  const key = fs.readFileSync(keyFile);
  const r = run(['init', '--data-dir', srv.dataDir, '--json']);
  if (r.status !== 0) assert.ok(oneLine(r.stderr), `one line on stderr: ${r.stderr}`);
  assert.ok(fs.readFileSync(keyFile).equals(key), 'the master key is untouched');
  assert.ok(!r.stdout.includes('one_time_password'), 'no second operator password');
});

test('init creates the data directory 0700 and the master key 0600', () => {
  const st = fs.statSync(srv.dataDir);
  assert.equal(st.mode & 0o777, 0o700, `data dir mode ${(st.mode & 0o777).toString(8)}`);
  const key = fs.statSync(path.join(srv.dataDir, 'keys', 'master.key'));
  assert.equal(key.mode & 0o777, 0o600, `master.key mode ${(key.mode & 0o777).toString(8)}`);
  // The stores: files of the data directory on SQLite, schemas on PostgreSQL.
  assert.ok(storeExists(srv, 'directory'), storeName(srv, 'directory'));
  for (const region of ['US', 'EU', 'AU', 'SG', 'JP', 'IN']) {
    assert.ok(storeExists(srv, 'data', region), storeName(srv, 'data', region));
  }
  assert.ok(fs.existsSync(path.join(srv.dataDir, 'tls', 'cert.pem')), 'tls/cert.pem');
  const op = srv.operator;
  assert.equal(op.account, 'platform');
  assert.equal(op.username, 'operator');
  assert.equal(typeof op.operator_user_id, 'string');
  assert.ok(op.one_time_password.length >= 15, 'one-time password meets the default policy');
});

/** The first value of `key` anywhere in a JSON document (top level first). */
function findKey(doc, key) {
  if (!doc || typeof doc !== 'object') return undefined;
  if (key in doc) return doc[key];
  for (const v of Object.values(doc)) {
    const r = findKey(v, key);
    if (r !== undefined) return r;
  }
  return undefined;
}

/** Pulls [{id, status}] out of attest's JSON, whatever the exact nesting. */
function claimEntries(doc) {
  const out = new Map();
  const visit = (node, keyHint) => {
    if (Array.isArray(node)) { node.forEach((n) => visit(n)); return; }
    if (!node || typeof node !== 'object') return;
    const id = node.id ?? node.claim ?? node.claim_id ?? keyHint;
    if (typeof id === 'string' && /^(ACC|AUTH|DATA|PRIV|LIFE|OPS)-\d+$/.test(id) && typeof node.status === 'string') {
      out.set(id, node);
    }
    for (const [k, v] of Object.entries(node)) {
      if (typeof v === 'string' && /^(ACC|AUTH|DATA|PRIV|LIFE|OPS)-\d+$/.test(k)) out.set(k, { status: v });
      else visit(v, k);
    }
  };
  visit(doc);
  return out;
}

test('attest --json lists every claim ID with enforced|partial|no and reports the test clock', () => {
  const r = srv.cli(['attest', '--data-dir', srv.dataDir, '--json']);
  assert.equal(r.status, 0, `attest: ${r.stderr}`);
  const doc = JSON.parse(r.stdout);
  const entries = claimEntries(doc);
  const missing = CLAIM_IDS.filter((id) => !entries.has(id));
  assert.deepEqual(missing, [], 'claims missing from attest');
  for (const [id, e] of entries) {
    assert.ok(['enforced', 'partial', 'no'].includes(e.status), `${id} status "${e.status}"`);
  }
  assert.equal(findKey(doc, 'test_clock'), true, 'attest reports test_clock: true when STRONGROOM_CLOCK_OFFSET_FILE is set');
  // The master key lives inside the data directory here: attest says so.
  assert.match(r.stdout + r.stderr, /master[ _.-]?key/i, 'attest mentions where the master key lives');
});

test('attest without the test clock variable does not report test_clock: true', () => {
  const env = { ...process.env };
  delete env.STRONGROOM_CLOCK_OFFSET_FILE;
  const r = spawnSync(binPath, ['attest', '--data-dir', srv.dataDir, '--json'], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.notEqual(findKey(doc, 'test_clock'), true);
});

test('attest without --json prints a human-readable report naming the claims', () => {
  const r = srv.cli(['attest', '--data-dir', srv.dataDir]);
  assert.equal(r.status, 0, r.stderr);
  for (const id of ['AUTH-7', 'DATA-2', 'OPS-1']) assert.ok(r.stdout.includes(id), `${id} in the report`);
  assert.match(r.stdout, /enforced|partial/);
});
