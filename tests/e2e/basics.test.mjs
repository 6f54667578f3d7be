// Basics: health, OpenAPI document, security headers, routing errors,
// metrics access (CONTRACTS.md "HTTP conventions"; DATA-1, OPS-2).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';

import {
  Checks, FOUNDATION_OPERATIONS, describeResponse, expectProblem, expectStatus,
  managerSession, signInFull, strongPassword,
} from '../support/api.mjs';
import { freePort, startServer } from '../support/server.mjs';

let srv;
before(async () => { srv = await startServer({ name: 'basics' }); });
after(async () => { await srv?.close(); });

function checkSecurityHeaders(res, label) {
  const h = res.headers;
  assert.equal(h['strict-transport-security'], 'max-age=31536000; includeSubDomains',
    `${label}: Strict-Transport-Security (${describeResponse(res)})`);
  assert.equal(String(h['x-content-type-options']).toLowerCase(), 'nosniff', `${label}: X-Content-Type-Options`);
  assert.equal(String(h['referrer-policy']).toLowerCase(), 'no-referrer', `${label}: Referrer-Policy`);
  const csp = h['content-security-policy'];
  assert.ok(typeof csp === 'string' && /frame-ancestors\s+'none'/.test(csp),
    `${label}: Content-Security-Policy with frame-ancestors 'none', got ${csp}`);
}

function checkNoStore(res, label) {
  const cc = String(res.headers['cache-control'] || '');
  assert.ok(/(^|,)\s*no-store\s*(,|$)/i.test(cc), `${label}: Cache-Control should contain no-store, got "${cc}"`);
}

test('OPS-2 getHealth is public and minimal, and reports the test clock', async () => {
  const res = await srv.request('GET', '/v1/health');
  expectStatus(res, 200, 'getHealth');
  assert.match(String(res.headers['content-type']), /^application\/json/);
  assert.deepEqual(Object.keys(res.json).sort(), ['status', 'test_clock'], `health body: ${res.text}`);
  assert.equal(res.json.status, 'ok');
  assert.equal(res.json.test_clock, true);
});

test('getOpenApi is public valid JSON listing the 17 foundation operationIds', async () => {
  const res = await srv.request('GET', '/openapi.json');
  expectStatus(res, 200, 'getOpenApi');
  const doc = JSON.parse(res.text);
  assert.match(String(doc.openapi), /^3\.1/, 'OpenAPI version 3.1');
  const ops = new Set();
  for (const item of Object.values(doc.paths || {})) {
    for (const op of Object.values(item)) {
      if (op && typeof op === 'object' && typeof op.operationId === 'string') ops.add(op.operationId);
    }
  }
  const missing = FOUNDATION_OPERATIONS.filter((o) => !ops.has(o));
  assert.deepEqual(missing, [], `operationIds missing from /openapi.json`);
});

test('DATA-1 security headers on every HTTPS response; no-store on authenticated ones', async () => {
  const m = await managerSession(srv);
  const c = new Checks();
  const auth = { token: m.token };
  const cases = [
    ['getHealth', 'GET', '/v1/health', {}],
    ['getOpenApi', 'GET', '/openapi.json', {}],
    ['unknown path', 'GET', '/v1/no-such-thing', {}],
    ['wrong method', 'PUT', '/v1/health', { body: {} }],
    ['unauthenticated getMe', 'GET', '/v1/me', {}],
    ['bad JSON', 'POST', '/v1/session', { rawBody: '{"account":' }],
    ['failed sign-in', 'POST', '/v1/session', { body: { account: m.slug, identifier: 'nobody-here', password: 'x'.repeat(20) } }],
    ['getMe', 'GET', '/v1/me', auth],
    ['getCurrentSession', 'GET', '/v1/session', auth],
    ['listUsers', 'GET', `/v1/accounts/${m.account_id}/users`, auth],
    ['getAccountSettings', 'GET', `/v1/accounts/${m.account_id}/settings`, auth],
    ['listAuditEvents', 'GET', `/v1/accounts/${m.account_id}/audit-events`, auth],
    ['getUser', 'GET', `/v1/accounts/${m.account_id}/users/${m.user_id}`, auth],
    ['getMetrics as manager', 'GET', '/v1/metrics', auth],
  ];
  for (const [label, method, path, o] of cases) {
    const res = await srv.request(method, path, o);
    c.check(label, () => checkSecurityHeaders(res, label));
    c.check(`${label} no CORS`, () => assert.equal(res.headers['access-control-allow-origin'], undefined));
    c.check(`${label} not 5xx`, () => assert.ok(res.status < 500, describeResponse(res)));
    if (o.token) c.check(`${label} no-store`, () => checkNoStore(res, label));
  }
  // Credential-bearing answers: sign-in, password change, sign-out.
  const s = await signInFull(srv, m.slug, m.email, m.password);
  c.check('createSession', () => { checkSecurityHeaders(s, 'createSession'); checkNoStore(s, 'createSession'); });
  const next = strongPassword('Next');
  const cp = await srv.request('POST', '/v1/me/password', {
    token: s.json.token, body: { current_password: m.password, new_password: next },
  });
  c.check('changePassword', () => { expectStatus(cp, 200); checkSecurityHeaders(cp, 'changePassword'); checkNoStore(cp, 'changePassword'); });
  const del = await srv.request('DELETE', '/v1/session', { token: cp.json?.token });
  c.check('deleteSession', () => { expectStatus(del, 204); checkSecurityHeaders(del, 'deleteSession'); checkNoStore(del, 'deleteSession'); });
  c.done();
});

test('DATA-1 no CORS headers even when a foreign Origin asks', async () => {
  const res = await srv.request('GET', '/v1/health', { headers: { origin: 'https://evil.example' } });
  expectStatus(res, 200);
  for (const h of Object.keys(res.headers)) assert.ok(!h.startsWith('access-control-'), `unexpected ${h}`);
  const pre = await srv.request('OPTIONS', '/v1/session', {
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
  });
  assert.ok(pre.status < 500, describeResponse(pre));
  for (const h of Object.keys(pre.headers)) assert.ok(!h.startsWith('access-control-'), `preflight answered ${h}`);
});

test('unknown path answers 404 problem+json not_found', async () => {
  for (const p of ['/v1/no-such-thing', '/nope', '/v1/accounts/x/unknown-collection', '/v1/me/nothing-here']) {
    const res = await srv.request('GET', p);
    // An unknown path under an account may also need a session first; the
    // contract's answer for a route that does not exist is 404.
    expectProblem(res, 404, 'not_found', `GET ${p}`);
  }
});

test('wrong method answers 405 with Allow', async () => {
  const m = await managerSession(srv);
  const cases = [
    ['PUT', '/v1/health', ['GET']],
    ['DELETE', '/v1/me', ['GET']],
    ['PUT', '/v1/session', ['GET', 'POST', 'DELETE']],
    ['DELETE', '/v1/accounts', ['POST']],
    ['PUT', `/v1/accounts/${m.account_id}/users`, ['GET', 'POST']],
    ['POST', `/v1/accounts/${m.account_id}/settings`, ['GET', 'PATCH']],
  ];
  const c = new Checks();
  for (const [method, path, allowed] of cases) {
    const res = await srv.request(method, path, { token: m.token, body: {} });
    c.check(`${method} ${path}`, () => {
      expectStatus(res, 405);
      const allow = String(res.headers.allow || '').split(',').map((s) => s.trim().toUpperCase());
      for (const a of allowed) assert.ok(allow.includes(a), `Allow "${res.headers.allow}" should include ${a}`);
      assert.ok(!allow.includes(method), `Allow "${res.headers.allow}" should not include ${method}`);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    });
  }
  c.done();
});

test('OPS-2 getMetrics needs a session: 401 without one', async () => {
  const res = await srv.request('GET', '/v1/metrics');
  expectProblem(res, 401, 'unauthenticated', 'getMetrics without session');
});

test('OPS-2 getMetrics: 403/404 for an account manager', async () => {
  const m = await managerSession(srv);
  const res = await srv.request('GET', '/v1/metrics', { token: m.token });
  expectStatus(res, [403, 404], 'getMetrics as account manager');
  assert.ok(!/^[a-z_]+\{|^# (HELP|TYPE)/m.test(res.text), 'no metrics text leaks to a manager');
});

test('OPS-2 getMetrics: operator gets 403 until the one-time password is changed, then 200', async () => {
  const op = srv.operator;
  assert.equal(op.account, 'platform');
  assert.equal(op.username, 'operator');
  const first = await signInFull(srv, 'platform', op.username, op.one_time_password);
  assert.equal(first.json.password_change_required, true, 'operator one-time password must be changed');
  const gated = await srv.request('GET', '/v1/metrics', { token: first.json.token });
  expectProblem(gated, 403, 'password_change_required', 'getMetrics before the change');

  const cp = await srv.request('POST', '/v1/me/password', {
    token: first.json.token,
    body: { current_password: op.one_time_password, new_password: strongPassword('Operator') },
  });
  expectStatus(cp, 200, 'operator changePassword');
  const res = await srv.request('GET', '/v1/metrics', { token: cp.json.token });
  expectStatus(res, 200, 'getMetrics as operator');
  assert.match(String(res.headers['content-type']), /^text\/plain/, 'Prometheus text format');
  assert.match(res.text, /^# (HELP|TYPE) \S+/m, 'Prometheus exposition with HELP/TYPE lines');
  checkNoStore(res, 'getMetrics');
});

/** One request over plain HTTP (no TLS) → {status, headers, text}. */
function plainRequest(port, method, p, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? null : Buffer.from(JSON.stringify(body), 'utf8');
    const h = { ...headers };
    if (payload) { h['content-type'] = 'application/json'; h['content-length'] = String(payload.length); }
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers: h, agent: false, timeout: 10_000 }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`plain ${method} ${p} timed out`)));
    req.on('error', reject);
    req.end(payload || undefined);
  });
}

test('DATA-1 the plain HTTP port only redirects web pages; API calls and credentials get 400 https_required', async () => {
  const plainPort = await freePort();
  const s = await startServer({ name: 'basics-plain', config: `[server]\nplain_listen = 127.0.0.1:${plainPort}\n` });
  try {
    const m = await managerSession(s);
    const c = new Checks();
    for (const [label, method, p, o] of [
      ['getHealth', 'GET', '/v1/health', {}],
      ['getOpenApi', 'GET', '/openapi.json', {}],
      ['createSession with good credentials', 'POST', '/v1/session', { body: { account: m.slug, identifier: m.email, password: m.password } }],
      ['getMe with a bearer token', 'GET', '/v1/me', { headers: { authorization: `Bearer ${m.token}` } }],
      ['web page with the session cookie', 'GET', '/', { headers: { cookie: `__Host-sr_session=${m.token}` } }],
      ['web page with a bearer token', 'GET', '/', { headers: { authorization: `Bearer ${m.token}` } }],
    ]) {
      const res = await plainRequest(plainPort, method, p, o);
      c.check(label, () => {
        expectProblem(res, 400, 'https_required', `plain ${method} ${p}`);
        assert.equal(res.headers['set-cookie'], undefined, 'no cookie over plain HTTP');
        assert.ok(!res.text.includes(m.email) && !res.text.includes(m.token), 'no data over plain HTTP');
      });
    }
    for (const p of ['/', '/reset']) {
      const res = await plainRequest(plainPort, 'GET', p);
      c.check(`web page ${p}`, () => {
        assert.ok([301, 302, 303, 307, 308].includes(res.status), `plain GET ${p}: expected a redirect, got ${res.status} ${res.text}`);
        assert.equal(res.headers.location, `${s.url}${p}`, 'redirect to the same path on public_url');
      });
    }
    c.done();
    // The HTTPS side is unaffected.
    expectStatus(await s.request('GET', '/v1/me', { token: m.token }), 200, 'getMe over HTTPS');
  } finally {
    await s.close();
  }
});
