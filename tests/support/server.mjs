// End-to-end harness: runs the real `strongroom` binary on 127.0.0.1 with a
// fresh data directory, a test clock file (CONTRACTS.md "Test clock") and a
// keep-alive HTTPS client that trusts the server's self-signed certificate.
//
// Every suite (test file) starts its own server in `before` and stops it in
// `after`, so files can run in parallel. srv.startPeer() starts another
// `serve` process on the same data directory and database (a cluster node,
// tests/e2e/cluster.test.mjs); srv.close() stops the peers too.
//
// STRONGROOM_E2E_ARTIFACTS=DIR (the secrets-hygiene scan, DATA-5): every
// server's base dir is made under DIR/servers/ and kept, its stderr and
// stdout are written to serve.log / serve.stdout.log there as they arrive,
// CLI stderr to cli.log, and every secret and personal value sent or
// received is recorded in DIR/canaries.txt (hygiene_canary.mjs).

import crypto from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { artifactsDir, recordCanary, recordRequest, recordResponse } from './hygiene_canary.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const binPath = process.env.STRONGROOM_BIN || path.join(repoRoot, 'build', 'strongroom');

const HEALTH_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 20_000;
const REQUEST_TIMEOUT_MS = 60_000;

// Children still running when the test process exits are killed hard, so a
// crashed suite never leaves a server behind.
const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

/** A TCP port that was free a moment ago (listen on 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Writes the clock file atomically (new inode, mode 0600). */
function writeClock(file, seconds) {
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  fs.writeFileSync(tmp, `${Math.trunc(seconds)}\n`, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

function parseInitJson(stdout) {
  const text = stdout.trim();
  try {
    return JSON.parse(text);
  } catch { /* maybe other lines around it */ }
  for (const line of text.split('\n').reverse()) {
    const l = line.trim();
    if (l.startsWith('{')) {
      try { return JSON.parse(l); } catch { /* keep looking */ }
    }
  }
  return null;
}

/**
 * Starts a server. opts:
 *   config: extra ini text appended to DIR/strongroom.conf
 *   env:    extra environment variables
 *   clock:  initial clock offset in seconds (default 0)
 *   name:   label used in the temp dir name
 */
export async function startServer(opts = {}) {
  const made = [];
  try {
    return await startServerIn(opts, made);
  } catch (e) {
    if (!process.env.STRONGROOM_KEEP_DATA && !artifactsDir) for (const d of made) fs.rmSync(d, { recursive: true, force: true });
    throw e;
  }
}

/*
 * STRONGROOM_TEST_PG=conninfo (of a maintenance database such as postgres,
 * see tests/support/pg.sh) runs the server on the PostgreSQL driver: each
 * server gets a fresh database, named in a strongroom.conf written before
 * init. Returns the database name, or null on SQLite.
 */
export const pgConninfo = process.env.STRONGROOM_TEST_PG || '';

function pgPrepare(dataDir, name) {
  if (!pgConninfo) return null;
  const db = `sr_${String(name || 'suite').replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 20)}_${crypto.randomBytes(6).toString('hex')}`;
  const r = spawnSync('psql', [pgConninfo, '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE ${db}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql CREATE DATABASE failed: ${r.stderr || r.error}`);
  // Looser than init leaves it, so the 0700 of the init test is init's doing.
  fs.mkdirSync(dataDir, { mode: 0o755 });
  fs.chmodSync(dataDir, 0o755);
  const conninfo = pgConninfo.replace(/dbname=\S+/, '').trim() + ` dbname=${db}`;
  fs.writeFileSync(path.join(dataDir, 'strongroom.conf'), `[store]\ndriver = postgres\npostgres = ${conninfo}\n`, { mode: 0o600 });
  return db;
}

/** Drops a database pgPrepare made (the server is stopped), so the cluster stays small to scan. */
function pgDrop(db) {
  const r = spawnSync('psql', [pgConninfo, '-X', '-v', 'ON_ERROR_STOP=1', '-qc', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql DROP DATABASE ${db} failed: ${r.stderr || r.error}`);
}

async function startServerIn(opts, made) {
  if (!fs.existsSync(binPath)) {
    throw new Error(`strongroom binary not found at ${binPath} (set STRONGROOM_BIN or run ninja -C build)`);
  }
  let tmpRoot = os.tmpdir();
  if (artifactsDir) {
    tmpRoot = path.join(artifactsDir, 'servers');
    fs.mkdirSync(tmpRoot, { recursive: true });
  }
  const base = fs.mkdtempSync(path.join(tmpRoot, `sr-e2e-${opts.name || 'suite'}-`));
  made.push(base);
  const dataDir = path.join(base, 'data');
  const clockDir = path.join(base, 'clock');
  fs.mkdirSync(clockDir, { mode: 0o700 });
  const clockFile = path.join(clockDir, 'clock');
  let clockOffset = Math.trunc(opts.clock || 0);
  writeClock(clockFile, clockOffset);

  const env = {
    ...process.env,
    STRONGROOM_CLOCK_OFFSET_FILE: clockFile,
    ...(opts.env || {}),
  };

  const port = await freePort();
  const url = `https://127.0.0.1:${port}`;

  const cli = (args, extra = {}) => {
    const r = spawnSync(binPath, args, {
      env: { ...env, ...(extra.env || {}) },
      encoding: 'utf8',
      timeout: extra.timeout || 120_000,
      input: extra.input,
    });
    if (r.error) throw r.error;
    if (artifactsDir) {
      fs.appendFileSync(path.join(base, 'cli.log'), `### strongroom ${args.join(' ')} (exit ${r.status})\n${r.stderr || ''}`);
      // init prints the operator's one-time password on stdout by design.
      if (args[0] !== 'init') fs.appendFileSync(path.join(base, 'cli.stdout.log'), r.stdout || '');
      if (typeof extra.input === 'string') for (const l of extra.input.split('\n')) recordCanary('cli_input', l.trim());
    }
    return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  };

  const pgDb = pgPrepare(dataDir, opts.name);
  const init = cli(['init', '--data-dir', dataDir, '--json']);
  if (init.status !== 0) {
    throw new Error(`strongroom init failed (exit ${init.status}):\n${init.stderr}\n${init.stdout}`);
  }
  const operator = parseInitJson(init.stdout);
  if (operator && typeof operator.one_time_password === 'string') recordCanary('one_time_password', operator.one_time_password);
  if (!operator || typeof operator.one_time_password !== 'string') {
    throw new Error(`strongroom init --json printed no operator JSON:\n${init.stdout}\n${init.stderr}`);
  }

  const confPath = path.join(dataDir, 'strongroom.conf');
  const conf = [
    '',
    '# added by tests/support/server.mjs',
    '[server]',
    `public_url = ${url}`,
    '[signup]',
    'per_address_per_hour = 100000',
    // Every suite signs in from 127.0.0.1; the per-address sign-in bucket
    // (AUTH-3) is tested on its own with a small burst in opts.config.
    '[signin]',
    'bucket_burst = 100000',
    opts.config || '',
    '',
  ].join('\n');
  fs.appendFileSync(confPath, conf, { mode: 0o600 });

  const ca = fs.readFileSync(path.join(dataDir, 'tls', 'cert.pem'), 'utf8');

  /*
   * One `strongroom serve` process on this data directory (same config,
   * master key, clock file and database) listening on `port`, with its own
   * keep-alive client. The primary is node 0; srv.startPeer() adds more.
   */
  function makeNode(port, label = '') {
    const logName = label ? `serve.${label}` : 'serve';
    let stderrText = '';
    let stdoutText = '';
    let child = null;
    let exited = null; // promise resolving to {code, signal}
    let lastExit = null;
    let agent = null;

    function newAgent() {
      if (agent) agent.destroy();
      agent = new https.Agent({ keepAlive: true, maxSockets: 64, ca, servername: 'localhost' });
    }

    function spawnServe() {
      newAgent();
      const c = spawn(binPath, ['serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      live.add(c);
      c.stdout.setEncoding('utf8');
      c.stderr.setEncoding('utf8');
      c.stdout.on('data', (d) => { stdoutText += d; });
      c.stderr.on('data', (d) => { stderrText += d; });
      if (artifactsDir) {
        c.stdout.on('data', (d) => fs.appendFileSync(path.join(base, `${logName}.stdout.log`), d));
        c.stderr.on('data', (d) => fs.appendFileSync(path.join(base, `${logName}.log`), d));
      }
      exited = new Promise((resolve) => {
        c.on('exit', (code, signal) => {
          live.delete(c);
          lastExit = { code, signal };
          resolve(lastExit);
        });
      });
      child = c;
    }

    async function waitHealthy() {
      const deadline = Date.now() + HEALTH_TIMEOUT_MS;
      let lastErr = null;
      while (Date.now() < deadline) {
        if (child && (child.exitCode !== null || child.signalCode !== null)) break;
        try {
          const r = await request('GET', '/v1/health', { retry: false, timeout: 2000 });
          if (r.status === 200) return;
          lastErr = new Error(`health answered ${r.status}: ${r.text}`);
        } catch (e) {
          lastErr = e;
        }
        await sleep(100);
      }
      const why = child && (child.exitCode !== null || child.signalCode !== null)
        ? `server exited (code ${child.exitCode}, signal ${child.signalCode})`
        : `no 200 from /v1/health within ${HEALTH_TIMEOUT_MS} ms (${lastErr && lastErr.message})`;
      await stop();
      throw new Error(`${why}\n--- stderr ---\n${stderrText}\n--- stdout ---\n${stdoutText}`);
    }

    async function stop({ signal = 'SIGTERM' } = {}) {
      if (agent) { agent.destroy(); agent = null; }
      if (!child) return lastExit;
      const c = child;
      child = null;
      if (c.exitCode === null && c.signalCode === null) {
        c.kill(signal);
        const t = setTimeout(() => { try { c.kill('SIGKILL'); } catch { /* gone */ } }, STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(t);
      } else {
        await exited;
      }
      return lastExit;
    }

    async function kill9() {
      return stop({ signal: 'SIGKILL' });
    }

    async function restart() {
      await stop();
      spawnServe();
      await waitHealthy();
    }

    /**
     * request(method, path, opts) → {status, headers, json, text, body}
     *   body:    object, serialised as JSON (content-type application/json)
     *   rawBody: string or Buffer sent as is (content-type application/json
     *            unless headers say otherwise; a header set to null is omitted)
     *   token:   bearer token; cookie: session token (or a full Cookie value)
     *   chunked: send without Content-Length
     *   retry:   retry once on a reset of a reused keep-alive socket (default true)
     *   canaries: false = not a secrets-hygiene canary source (hostile filler)
     */
    function request(method, p, o = {}) {
      const hdrs = {};
      let payload = null;
      if (o.rawBody !== undefined) {
        payload = Buffer.isBuffer(o.rawBody) ? o.rawBody : Buffer.from(String(o.rawBody), 'utf8');
        hdrs['content-type'] = 'application/json';
      } else if (o.body !== undefined) {
        payload = Buffer.from(JSON.stringify(o.body), 'utf8');
        hdrs['content-type'] = 'application/json';
      }
      if (o.token) hdrs.authorization = `Bearer ${o.token}`;
      if (o.cookie) hdrs.cookie = o.cookie.includes('=') ? o.cookie : `__Host-sr_session=${o.cookie}`;
      for (const [k, v] of Object.entries(o.headers || {})) hdrs[k.toLowerCase()] = v;
      for (const k of Object.keys(hdrs)) if (hdrs[k] === null || hdrs[k] === undefined) delete hdrs[k];
      if (payload && !o.chunked) hdrs['content-length'] = String(payload.length);

      const once = () => new Promise((resolve, reject) => {
        if (!agent) { reject(new Error('server is not running')); return; }
        let settled = false;
        const req = https.request({
          host: '127.0.0.1',
          port,
          method,
          path: p,
          headers: hdrs,
          agent,
          ca,
          servername: 'localhost',
          timeout: o.timeout || REQUEST_TIMEOUT_MS,
        }, (res) => {
          const chunks = [];
          res.on('data', (d) => chunks.push(d));
          res.on('error', (e) => { if (!settled) { settled = true; reject(e); } });
          res.on('end', () => {
            if (settled) return;
            settled = true;
            const buf = Buffer.concat(chunks);
            const text = buf.toString('utf8');
            let json;
            const ct = String(res.headers['content-type'] || '');
            if (text.length > 0 && /json/i.test(ct)) {
              try { json = JSON.parse(text); } catch { json = undefined; }
            }
            const answer = { status: res.statusCode, headers: res.headers, rawHeaders: res.rawHeaders, text, json, body: buf };
            recordResponse(p, answer);
            resolve(answer);
          });
        });
        req.on('timeout', () => req.destroy(new Error(`request ${method} ${p} timed out`)));
        req.on('error', (e) => {
          if (settled) return;
          settled = true;
          e.reusedSocket = req.reusedSocket;
          reject(e);
        });
        if (payload && o.chunked) {
          const step = 64 * 1024;
          for (let i = 0; i < payload.length; i += step) req.write(payload.subarray(i, i + step));
          req.end();
        } else {
          req.end(payload || undefined);
        }
      });

      recordRequest(method, p, o);
      return once().catch((e) => {
        if (o.retry !== false && e.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) return once();
        throw e;
      });
    }

    return {
      url: `https://127.0.0.1:${port}`,
      origin: `https://127.0.0.1:${port}`,
      port,
      ca,
      spawnServe,
      waitHealthy,
      request,
      stop,
      kill9,
      restart,
      logs: () => stderrText,
      stdout: () => stdoutText,
      lastExit: () => lastExit,
      running: () => child !== null && child.exitCode === null,
      pid: () => (child ? child.pid : null),
    };
  }

  const primary = makeNode(port);
  primary.spawnServe();
  await primary.waitHealthy();

  const shared = {
    baseDir: base,
    dataDir,
    pgDb,
    clockFile,
    ca,
    setClockOffset(seconds) { clockOffset = Math.trunc(seconds); writeClock(clockFile, clockOffset); },
    advanceClock(seconds) { clockOffset += Math.trunc(seconds); writeClock(clockFile, clockOffset); return clockOffset; },
    clockOffset: () => clockOffset,
    cli,
  };
  const nodeApi = (n) => ({
    url: n.url,
    origin: n.origin,
    port: n.port,
    logs: n.logs,
    stdout: n.stdout,
    lastExit: n.lastExit,
    running: n.running,
    pid: n.pid,
    stop: n.stop,
    kill9: n.kill9,
    restart: n.restart,
    request: n.request,
  });

  const peers = [];
  const srv = {
    ...shared,
    ...nodeApi(primary),
    operator,
    initOutput: init,
    /**
     * Another `strongroom serve` on the same data directory, config,
     * master key, clock file and database, on a new port → an object shaped
     * like srv (url, port, request, logs, stop, kill9, restart, running,
     * the shared clock …). Its logs go to serve.peerN.log under artifacts.
     * Several nodes need the PostgreSQL store; on SQLite it starts but the
     * cluster suite skips.
     */
    async startPeer() {
      const n = makeNode(await freePort(), `peer${peers.length + 1}`);
      n.spawnServe();
      await n.waitHealthy();
      const peer = { ...shared, ...nodeApi(n), primary: srv };
      peers.push(peer);
      return peer;
    },
    peers: () => [...peers],
    /** Stops the server and its peers and removes their directories and database (keep them with STRONGROOM_KEEP_DATA=1). */
    async close() {
      await Promise.all(peers.map((p) => p.stop()));
      await primary.stop();
      if (process.env.STRONGROOM_KEEP_DATA || artifactsDir) return;
      fs.rmSync(base, { recursive: true, force: true });
      if (pgDb) pgDrop(pgDb);
    },
  };
  return srv;
}
