// The responsiveness probe of limits_driver.mjs, run in a worker thread so
// its timing does not share an event loop with the attack clients.
//
// From 127.0.0.1 it sends, concurrently:
//  - keep-alive: GET /v1/me with a bearer token on one kept-alive HTTPS
//    connection, a new request every 50 ms (20/s; the next one waits for
//    the previous answer);
//  - fresh: GET /v1/session on a brand-new TCP+TLS connection every 500 ms;
//  - sign-in (only while enabled): createSession with the right password
//    every 1000 ms, to see what a legitimate sign-in gets during a flood.
// Every request has a 5 s timeout. Latencies are kept per phase; the main
// thread switches phases with {cmd:'phase', name} and collects with
// {cmd:'stop'}.

import https from 'node:https';
import { parentPort, workerData } from 'node:worker_threads';

const { port, ca, token, signin, timeoutMs = 5000 } = workerData;
const KEEPALIVE_MS = 50;
const FRESH_MS = 500;
const SIGNIN_MS = 1000;

let phase = 'setup';
let running = true;
let signinOn = false;
const results = {};

function bucket(name) {
  if (!results[name]) {
    results[name] = {
      keepalive: { lat: [], errors: 0, timeouts: 0, statuses: {} },
      fresh: { lat: [], errors: 0, timeouts: 0, statuses: {} },
      signin: { lat: [], errors: 0, timeouts: 0, statuses: {} },
      first_error: null,
    };
  }
  return results[name];
}

const keepAgent = new https.Agent({ keepAlive: true, maxSockets: 1, ca, servername: 'localhost' });

function req(kind, method, path, { agent, body, auth } = {}) {
  const b = bucket(phase)[kind];
  const t0 = process.hrtime.bigint();
  return new Promise((resolveOuter) => {
    // A hard deadline over connect, handshake and answer (the socket
    // timeout alone does not cover a connection waiting in the backlog).
    let done = false;
    const resolve = () => { if (!done) { done = true; clearTimeout(deadline); resolveOuter(); } };
    const deadline = setTimeout(() => {
      if (done) return;
      b.timeouts += 1;
      done = true;
      r.destroy(new Error('probe timeout'));
      resolveOuter();
    }, timeoutMs);
    const payload = body ? Buffer.from(JSON.stringify(body)) : null;
    const headers = {};
    if (auth) headers.authorization = `Bearer ${auth}`;
    if (payload) { headers['content-type'] = 'application/json'; headers['content-length'] = String(payload.length); }
    const r = https.request({
      host: '127.0.0.1', port, method, path, headers, agent, ca, servername: 'localhost',
      localAddress: '127.0.0.1', timeout: timeoutMs,
    }, (res) => {
      res.resume();
      res.on('end', () => {
        if (done) return;
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        b.lat.push(ms);
        b.statuses[res.statusCode] = (b.statuses[res.statusCode] || 0) + 1;
        resolve();
      });
      res.on('error', () => { if (!done) b.errors += 1; resolve(); });
    });
    r.on('timeout', () => {
      if (done) return;
      b.timeouts += 1;
      done = true;
      clearTimeout(deadline);
      r.destroy(new Error('probe timeout'));
      resolveOuter();
    });
    r.on('error', (e) => {
      if (!done && e.message !== 'probe timeout') {
        b.errors += 1;
        const bk = bucket(phase);
        if (!bk.first_error) bk.first_error = `${kind}: ${e.code || ''} ${e.message}`;
      }
      resolve();
    });
    r.end(payload || undefined);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function loop(everyMs, fn) {
  while (running) {
    const t0 = Date.now();
    await fn();
    const left = everyMs - (Date.now() - t0);
    if (left > 0) await sleep(left);
  }
}

const loops = [
  loop(KEEPALIVE_MS, () => req('keepalive', 'GET', '/v1/me', { agent: keepAgent, auth: token })),
  loop(FRESH_MS, () => req('fresh', 'GET', '/v1/session', { agent: false, auth: token })),
  loop(SIGNIN_MS, async () => {
    if (signinOn) await req('signin', 'POST', '/v1/session', { agent: false, body: signin });
  }),
];

parentPort.on('message', async (m) => {
  if (m.cmd === 'phase') { phase = m.name; bucket(phase); }
  else if (m.cmd === 'signin') signinOn = !!m.on;
  else if (m.cmd === 'stop') {
    running = false;
    await Promise.all(loops);
    keepAgent.destroy();
    parentPort.postMessage({ results });
  }
});
parentPort.postMessage({ ready: true });
