// sqlmap against a real `strongroom serve`, driven from its /openapi.json
// (issue 6). Used by sqlmap_ci.sh (level 1 / risk 1 / BEU on at most 10
// operations that take free text, hard time cap) and sqlmap_nightly.sh
// (level 3 / risk 2, all techniques, every injection point of every
// operation). Each operation gets its injection points marked with `*`:
// string fields of the JSON body, path parameters and query parameters; the
// other fields hold valid values (tests/support/hostile_ops.mjs), and
// authenticated operations carry `Authorization: Bearer`.
//
// A finding is any line where sqlmap reports an injection point ("is
// vulnerable", "appears to be ... injectable", "identified the following
// injection point", "might be injectable") or any row in its results CSV.
// --self-test first runs the same command line against a deliberately
// injectable JSON API (sqlmap_vulnerable_target.py) and fails unless sqlmap
// finds it there.
//
// Usage: node tests/security/sqlmap_run.mjs --mode ci|nightly --out FILE.json
//          [--self-test] [--budget-s N] [--op-timeout-s N] [--jobs N] [--ops id,id]

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  baseline, fillPath, isSelfOperation, makeFixture, operations, pathValue, queryValue, stringFields, withField,
} from '../support/hostile_ops.mjs';
import { freePort, repoRoot, startServer } from '../support/server.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const MODE = opt('mode', 'ci');
const OUT = opt('out', path.join(repoRoot, 'build', 'security', `sqlmap_${MODE}.json`));
const SELF_TEST = args.includes('--self-test');
const NIGHTLY = MODE === 'nightly';
const BUDGET_S = Number(opt('budget-s', NIGHTLY ? 6 * 3600 : 165));
const OP_TIMEOUT_S = Number(opt('op-timeout-s', NIGHTLY ? 1800 : 45));
const JOBS = Number(opt('jobs', 2));
const SQLMAP_LEVEL = NIGHTLY ? ['--level', '3', '--risk', '2'] : ['--level', '1', '--risk', '1', '--technique=BEU'];
const started = Date.now();

// The CI selection: operations that take free text, and the points to mark.
const CI_OPS = {
  createAccount: { body: ['company', 'name', 'slug'] },
  createSession: { body: ['account', 'identifier'] },
  createUser: { body: ['username', 'name'] },
  updateUser: { body: ['name'] },
  createChannel: { body: ['name', 'description'] },
  listUsers: { query: ['cursor'] },
  requestPasswordReset: { body: ['account', 'identifier'] },
  updateMe: { body: ['name'] },
  listRoleGrants: { query: ['user_id', 'channel_id'] },
  getUser: { path: ['userId'] },
};

const FINDING_RE = /(identified the following injection point|\bis vulnerable\b|appears to be '[^']+' injectable|\bis '[^']+' injectable|might be injectable|parameter '[^']+' is '[^']+' injectable)/i;
const NOT_RE = /\b(not|does not seem|do not appear)\b/i;

function sqlmapVersion() {
  const r = spawnSync('sqlmap', ['--version'], { encoding: 'utf8' });
  return (r.stdout || '').split('\n').find((l) => /\d/.test(l))?.trim() || 'unknown';
}

/** Marked request for one operation: {url, method, data, points}. */
function markedRequest(doc, op, fx, base, select) {
  const points = [];
  const overrides = {};
  for (const p of op.params.filter((x) => x.in === 'path')) {
    if (select && !(select.path || []).includes(p.name)) continue;
    overrides[p.name] = `${encodeURIComponent(pathValue(p.name, fx))}*`;
    points.push(`path:${p.name}`);
  }
  let url = base + fillPath(op, fx, overrides);
  const qs = [];
  for (const p of op.params.filter((x) => x.in === 'query')) {
    const v = encodeURIComponent(queryValue(p.name, p.schema, fx));
    const mark = !select || (select.query || []).includes(p.name);
    if (select && !mark && !['limit'].includes(p.name)) continue;
    qs.push(`${p.name}=${v}${mark ? '*' : ''}`);
    if (mark) points.push(`query:${p.name}`);
  }
  if (qs.length) url += `?${qs.join('&')}`;
  let data = null;
  if (op.bodySchema) {
    let body = baseline(doc, op, fx) ?? {};
    for (const f of stringFields(doc, op.bodySchema)) {
      const name = f.path.join('.');
      if (select && !(select.body || []).includes(name)) continue;
      // The mark goes after a valid value, so sqlmap's first request is a good one.
      let v = f.path.reduce((o, k) => (o == null ? undefined : o[k]), body);
      if (Array.isArray(v)) v = v[0];
      if (typeof v !== 'string') v = `v${Math.random().toString(16).slice(2, 8)}`;
      body = withField(body, f.path, f.array ? [`${v}*`] : `${v}*`);
      points.push(`body:${name}${f.array ? '[]' : ''}`);
    }
    data = JSON.stringify(body);
  }
  return { url, method: op.method, data, points };
}

function sqlmapArgs(req, token, outDir) {
  const a = ['-u', req.url, '--method', req.method, '--batch', ...SQLMAP_LEVEL,
    '--flush-session', '--output-dir', outDir, '--disable-coloring', '--timeout', '15', '--retries', '1',
    '--answers', 'follow=N,redirect=N', '--ignore-code', '401'];
  if (!NIGHTLY) a.push('--skip-waf');
  const headers = [];
  if (token) headers.push(`Authorization: Bearer ${token}`);
  if (req.data !== null) {
    a.push('--data', req.data);
    headers.push('Content-Type: application/json');
  }
  if (headers.length) a.push('--headers', headers.join('\n'));
  return a;
}

/** Runs sqlmap under a hard timeout → {status, stdout, seconds}. */
function runSqlmap(argv, timeoutS) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn('sqlmap', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutS * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, out, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

function csvFindings(outDir) {
  const rows = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/^results-.*\.csv$/.test(e.name)) {
        const lines = fs.readFileSync(p, 'utf8').split('\n').slice(1).filter((l) => l.trim());
        rows.push(...lines);
      }
    }
  };
  if (fs.existsSync(outDir)) walk(outDir);
  return rows;
}

function parse(out, outDir) {
  const hits = out.split('\n').filter((l) => FINDING_RE.test(l) && !NOT_RE.test(l)).map((l) => l.trim());
  const csv = csvFindings(outDir);
  const codes = (out.match(/HTTP error codes detected during run:\s*\n?([^\n]*)/) || [])[1] || '';
  // One verdict line per tested point; fewer means sqlmap gave up early.
  const tested = out.split('\n').filter((l) => /does not seem to be injectable|is vulnerable|appears to be '[^']+' injectable|is '[^']+' injectable/i.test(l)).length;
  const aborted = out.split('\n').filter((l) => /\[(CRITICAL|ERROR)\]/.test(l) && !/all tested parameters do not appear to be injectable/.test(l)).map((l) => l.trim());
  return { hits: [...new Set(hits)], csv, httpCodes: codes.trim(), tested, aborted };
}

async function pool(n, fns) {
  let next = 0;
  const worker = async () => { while (next < fns.length) { const i = next++; await fns[i](); } };
  await Promise.all(Array.from({ length: Math.min(n, fns.length) }, worker));
}

async function selfTest(work) {
  const port = await freePort();
  const target = spawn('/usr/bin/python3', [path.join(repoRoot, 'tests/security/sqlmap_vulnerable_target.py'), String(port)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    target.stdout.once('data', resolve);
    target.once('exit', () => reject(new Error('vulnerable target did not start')));
  });
  const results = [];
  try {
    const cases = [
      { url: `http://127.0.0.1:${port}/v1/items`, method: 'POST', data: '{"name":"alpha*"}', points: ['body:name'] },
      { url: `http://127.0.0.1:${port}/v1/items?q=alpha*`, method: 'GET', data: null, points: ['query:q'] },
    ];
    for (const [i, c] of cases.entries()) {
      const dir = path.join(work, `selftest-${i}`);
      const r = await runSqlmap(sqlmapArgs(c, 'self-test-token', dir), 90);
      const p = parse(r.out, dir);
      results.push({ case: `${c.method} ${c.points.join(',')}`, found: p.hits.length > 0 || p.csv.length > 0, seconds: Math.round(r.seconds * 10) / 10, hits: p.hits.slice(0, 3) });
    }
  } finally {
    target.stdin.end();
    target.kill('SIGTERM');
  }
  return results;
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `sr-sqlmap-${MODE}-`));
  const version = sqlmapVersion();
  const details = [];
  const perOp = [];
  let selfResults = null;
  if (SELF_TEST) {
    selfResults = await selfTest(work);
    for (const s of selfResults) {
      console.log(`sqlmap self-test ${s.case}: ${s.found ? 'injection found (good)' : 'NOT FOUND'} in ${s.seconds.toFixed(1)} s`);
      if (!s.found) details.push(`self-test: sqlmap did not find the planted injection (${s.case}); the harness cannot see injections`);
    }
  }

  const srv = await startServer({ name: `sqlmap-${MODE}` });
  let findings = 0;
  try {
    const docRes = await srv.request('GET', '/openapi.json');
    if (docRes.status !== 200) throw new Error(`getOpenApi answered ${docRes.status}`);
    const doc = docRes.json;
    const ops = operations(doc);
    const only = opt('ops', '') ? opt('ops', '').split(',') : null;
    let chosen;
    if (NIGHTLY) {
      chosen = ops.filter((o) => o.params.length > 0 || (o.bodySchema && stringFields(doc, o.bodySchema).length > 0))
        .map((o) => ({ op: o, select: null }));
    } else {
      chosen = Object.entries(CI_OPS).map(([id, select]) => {
        const op = ops.find((o) => o.operationId === id);
        if (!op) details.push(`${id}: not in /openapi.json any more (update CI_OPS)`);
        return op ? { op, select } : null;
      }).filter(Boolean).slice(0, 10);
    }
    if (only) chosen = chosen.filter((c) => only.includes(c.op.operationId));

    const shared = NIGHTLY ? null : await makeFixture(srv);
    const jobs = chosen.map(({ op, select }) => async () => {
      const left = BUDGET_S - (Date.now() - started) / 1000;
      if (left < 10) {
        perOp.push({ operation: op.operationId, status: 'skipped (time budget)' });
        details.push(`${op.operationId}: not scanned, time budget of ${BUDGET_S} s used up`);
        return;
      }
      const fx = shared || await makeFixture(srv);
      const token = op.authenticated ? (isSelfOperation(op) ? fx.selves[0].token : fx.token) : null;
      const req = markedRequest(doc, op, fx, srv.url, select);
      if (req.points.length === 0) { perOp.push({ operation: op.operationId, status: 'no injection point' }); return; }
      const dir = path.join(work, op.operationId);
      const before = (srv.logs().match(/"msg":"request"/g) || []).length;
      const r = await runSqlmap(sqlmapArgs(req, token, dir), Math.min(OP_TIMEOUT_S, left - 5));
      const after = (srv.logs().match(/"msg":"request"/g) || []).length;
      const p = parse(r.out, dir);
      fs.writeFileSync(path.join(work, `${op.operationId}.log`), r.out);
      const n = p.hits.length + p.csv.length;
      findings += n;
      for (const h of p.hits) details.push(`${op.operationId}: ${h}`);
      for (const c of p.csv) details.push(`${op.operationId}: results CSV: ${c}`);
      const status = r.timedOut ? 'timed out' : r.code !== 0 ? `exit ${r.code}`
        : p.tested < req.points.length ? `incomplete (${p.tested}/${req.points.length} points tested)` : 'done';
      if (!r.timedOut && r.code === 0 && p.tested < req.points.length) {
        details.push(`${op.operationId}: sqlmap tested ${p.tested} of ${req.points.length} points: ${p.aborted.slice(-2).join(' | ')}`);
      }
      if (r.timedOut) details.push(`${op.operationId}: sqlmap hit the ${Math.min(OP_TIMEOUT_S, Math.round(left - 5))} s cap; scan incomplete`);
      else if (r.code !== 0) details.push(`${op.operationId}: sqlmap exited ${r.code}: ${r.out.split('\n').filter((l) => /CRITICAL|ERROR/.test(l)).slice(-2).join(' | ')}`);
      perOp.push({
        operation: op.operationId, method: op.method, points: req.points, seconds: Math.round(r.seconds * 10) / 10,
        requests: after - before, status, points_tested: p.tested, findings: n, http_codes: p.httpCodes,
      });
      console.log(`sqlmap ${op.operationId} [${req.points.join(', ')}]: ${status}, ${(after - before)} requests, ${r.seconds.toFixed(1)} s, ${n} finding(s)`);
    });
    await pool(NIGHTLY ? 1 : JOBS, jobs);

    const health = await srv.request('GET', '/v1/health', { timeout: 10_000 }).catch((e) => ({ status: 0, text: e.message }));
    if (health.status !== 200) details.push(`server did not answer getHealth after the scan (${health.status})`);
    if (/AddressSanitizer|runtime error:|LeakSanitizer/.test(srv.logs())) details.push('sanitizer report in the server log during the scan');
    const fivexx = (srv.logs().match(/"status":"5\d\d"/g) || []).length;
    if (fivexx) details.push(`${fivexx} answer(s) with a 5xx status during the scan (server log)`);
  } finally {
    await srv.close();
    if (!process.env.STRONGROOM_KEEP_DATA) fs.rmSync(work, { recursive: true, force: true });
    else console.log(`sqlmap output kept in ${work}`);
  }

  const incomplete = perOp.filter((p) => p.status !== 'done' && p.status !== 'no injection point');
  const problems = details.length - findings;
  const result = {
    check: `sqlmap_${MODE}`,
    tool: 'sqlmap',
    version: { sqlmap: version },
    ran: `sqlmap --batch ${SQLMAP_LEVEL.join(' ')} --flush-session${NIGHTLY ? '' : ' --skip-waf'} --method M [--data '<JSON body with * marks>'] `
      + `--headers 'Authorization: Bearer …' against ${perOp.length} operation(s) of /openapi.json on a fresh strongroom serve `
      + `(${perOp.reduce((n, p) => n + (p.points ? p.points.length : 0), 0)} injection points; per-operation cap ${OP_TIMEOUT_S} s, `
      + `total budget ${BUDGET_S} s)${SELF_TEST ? '; self-test against a planted injection first' : ''}`,
    started_at: new Date(started).toISOString(),
    findings,
    details,
    claims: ['No SQL injection in any operation that takes free text (JSON body fields, path and query parameters): '
      + 'sqlmap finds no injection point; backs the house rule "constant SQL, bound parameters" (DATA-2, ACC-4)'],
    figures: {
      operations: perOp.length,
      injection_points: perOp.reduce((n, p) => n + (p.points ? p.points.length : 0), 0),
      requests: perOp.reduce((n, p) => n + (p.requests || 0), 0),
      runtime_s: Math.round((Date.now() - started) / 100) / 10,
      incomplete: incomplete.length,
      self_test: selfResults,
      per_operation: perOp,
    },
  };
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`sqlmap_${MODE}: ${perOp.length} operations, ${result.figures.injection_points} injection points, `
    + `${result.figures.requests} requests, ${result.figures.runtime_s} s, ${findings} finding(s), ${problems} problem(s)`);
  for (const d of details) console.log(`  ${d}`);
  process.exitCode = findings > 0 || problems > 0 ? 1 : 0;
}

main().catch((e) => { console.error(e); process.exitCode = 2; });
