// Bad input on every write operation of the foundation: the 4xx answers of
// CONTRACTS.md "HTTP conventions", problem documents, never a 5xx, and the
// server still answers afterwards.
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { after, afterEach, before, describe, test } from 'node:test';

import {
  Checks, accountBody, describeResponse, errorsNameField, expectProblem, expectStatus,
  managerSession, newUser, signIn, strongPassword, uid,
} from '../support/api.mjs';
import { startServer } from '../support/server.mjs';

let srv;
const seen = []; // every answer of this file: none may be 5xx
before(async () => { srv = await startServer({ name: 'badinput' }); });
after(async () => { await srv?.close(); });

async function send(method, path, o) {
  let res;
  try {
    res = await srv.request(method, path, o);
  } catch (e) {
    // A reset instead of an answer is a failure too, reported with the cause.
    seen.push({ method, path: path.slice(0, 120), status: 0, error: `${e.code || ''} ${e.message}` });
    return { status: 0, headers: {}, text: `transport error: ${e.code || ''} ${e.message}`, json: undefined, error: e };
  }
  seen.push({ method, path: path.slice(0, 120), status: res.status });
  return res;
}

const ONE_MIB = 1024 * 1024;

/** Shared checks of one operation; `ctx` comes from the op's setup. */
function defineBadInputSuite(name, setup) {
  describe(`bad input: ${name}`, () => {
    let ctx;
    before(async () => { ctx = await setup(); });
    afterEach(async () => {
      const h = await send('GET', '/v1/health');
      assert.equal(h.status, 200, `server stopped answering health after a ${name} test: ${describeResponse(h)}`);
    });

    const call = (o) => send(ctx.method, ctx.path(), { token: ctx.token, ...o }).then((r) => { ctx.onAnswer?.(r); return r; });

    test(`${name}: malformed JSON → 400 invalid_json`, async () => {
      const c = new Checks();
      for (const raw of ['{', '{"a":', '{"username": "x",}', 'not json', "{'a': 1}", '{"a":1}{"b":2}', '', '\u0000']) {
        const res = await call({ rawBody: raw });
        c.check(JSON.stringify(raw), () => expectProblem(res, 400, 'invalid_json'));
      }
      c.done();
    });

    test(`${name}: unknown field → 400 unknown_field`, async () => {
      const res = await call({ body: { ...ctx.valid(), surprise_field: 'x' } });
      expectProblem(res, 400, 'unknown_field');
    });

    test(`${name}: wrong types and missing fields → 422 validation_failed naming the field`, async () => {
      const c = new Checks();
      for (const [label, body, field] of ctx.invalid()) {
        const res = await call({ body });
        c.check(label, () => {
          const p = expectProblem(res, 422, 'validation_failed');
          assert.ok(Array.isArray(p.errors) && p.errors.length > 0, `errors[] missing: ${describeResponse(res)}`);
          for (const e of p.errors) assert.equal(typeof e.field, 'string', `errors[].field: ${describeResponse(res)}`);
          assert.ok(errorsNameField(p, field), `errors[] should name "${field}": ${describeResponse(res)}`);
        });
      }
      c.done();
    });

    test(`${name}: non-JSON content types → 415 unsupported_media_type`, async () => {
      const c = new Checks();
      const text = JSON.stringify(ctx.valid());
      for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', null]) {
        const res = await call({ rawBody: text, headers: { 'content-type': ct } });
        c.check(`content-type ${ct}`, () => expectProblem(res, 415, 'unsupported_media_type'));
      }
      c.done();
    });

    test(`${name}: body over 1 MiB → 413 payload_too_large`, async () => {
      const c = new Checks();
      const big = JSON.stringify({ ...ctx.valid(), padding: 'a'.repeat(ONE_MIB) });
      let res = await call({ rawBody: big });
      c.check('with Content-Length', () => expectProblem(res, 413, 'payload_too_large'));
      res = await call({ rawBody: big, chunked: true });
      c.check('chunked', () => expectProblem(res, 413, 'payload_too_large'));
      c.done();
    });

    test(`${name}: invalid UTF-8 and hostile JSON → 400 or 422, never 5xx`, async () => {
      const c = new Checks();
      const valid = ctx.valid();
      const key = ctx.stringField;
      const prefix = Buffer.from(`{"${key}":"`, 'utf8');
      const rest = Buffer.from(`"${Object.entries(valid).filter(([k]) => k !== key).map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`).join('')}}`, 'utf8');
      const bads = {
        'lone 0xff': Buffer.from([0xff, 0xfe]),
        'overlong slash': Buffer.from([0xc0, 0xaf]),
        'truncated sequence': Buffer.from([0xe2, 0x82]),
        'UTF-16 surrogate': Buffer.from([0xed, 0xa0, 0x80]),
      };
      for (const [label, bytes] of Object.entries(bads)) {
        const res = await call({ rawBody: Buffer.concat([prefix, Buffer.from('ab'), bytes, Buffer.from('cd'), rest]) });
        c.check(label, () => expectProblem(res, [400, 422], undefined));
      }
      const hostile = {
        'NUL escape': `{"${key}":"a\\u0000b"}`,
        'lone surrogate escape': `{"${key}":"\\ud800"}`,
        // 2 × 30,000 brackets: deep for the parser, under the 64 KiB body limit.
        'deep nesting': `{"${key}":${'['.repeat(30000)}${']'.repeat(30000)}}`,
        'huge number': `{"${key}":1e99999}`,
        'top-level array': '[]',
        'top-level null': 'null',
        'top-level string': '"x"',
      };
      for (const [label, raw] of Object.entries(hostile)) {
        const res = await call({ rawBody: raw });
        c.check(label, () => expectProblem(res, [400, 422], undefined));
      }
      c.done();
    });

    if (setup.passwordField) {
      test(`${name}: a password of 1025 bytes → 422`, async () => {
        const c = new Checks();
        for (const [label, pw] of [['ascii', `${uid()}${'x'.repeat(1013)}`], ['multibyte', `${'é'.repeat(512)}a`]]) {
          assert.equal(Buffer.byteLength(pw), 1025);
          const res = await call({ body: { ...ctx.valid(), [setup.passwordField]: pw } });
          c.check(label, () => expectProblem(res, 422, ['validation_failed', 'password_policy']));
        }
        c.done();
      });
    }
  });
}

// createAccount (public)
const createAccountSetup = async () => ({
  method: 'POST',
  path: () => '/v1/accounts',
  valid: () => accountBody(),
  stringField: 'company',
  invalid: () => [
    ['company missing', (({ company, ...b }) => b)(accountBody()), 'company'],
    ['email missing', (({ email, ...b }) => b)(accountBody()), 'email'],
    ['password missing', (({ password, ...b }) => b)(accountBody()), 'password'],
    ['region missing', (({ region, ...b }) => b)(accountBody()), 'region'],
    ['country missing', (({ country, ...b }) => b)(accountBody()), 'country'],
    ['company a number', accountBody({ company: 42 }), 'company'],
    ['email an array', accountBody({ email: ['a@b.test'] }), 'email'],
    ['email without @', accountBody({ email: 'not-an-address' }), 'email'],
    ['region lower-case unknown', accountBody({ region: 'mars' }), 'region'],
    ['password an object', accountBody({ password: { p: 1 } }), 'password'],
    ['slug with spaces', accountBody({ slug: 'no spaces allowed' }), 'slug'],
    ['name a boolean', accountBody({ name: true }), 'name'],
  ],
});
createAccountSetup.passwordField = 'password';
defineBadInputSuite('createAccount', createAccountSetup);

// createSession (public)
const createSessionSetup = async () => {
  const m = await managerSession(srv);
  const valid = () => ({ account: m.slug, identifier: m.email, password: m.password });
  return {
    method: 'POST',
    path: () => '/v1/session',
    valid,
    stringField: 'identifier',
    invalid: () => [
      ['account missing', { identifier: m.email, password: m.password }, 'account'],
      ['identifier missing', { account: m.slug, password: m.password }, 'identifier'],
      ['password missing', { account: m.slug, identifier: m.email }, 'password'],
      ['identifier a number', { ...valid(), identifier: 12345 }, 'identifier'],
      ['password null', { ...valid(), password: null }, 'password'],
      ['account an object', { ...valid(), account: { id: m.account_id } }, 'account'],
    ],
  };
};
createSessionSetup.passwordField = 'password';
defineBadInputSuite('createSession', createSessionSetup);

// createUser (account manager)
const createUserSetup = async () => {
  const m = await managerSession(srv);
  return {
    method: 'POST',
    path: () => `/v1/accounts/${m.account_id}/users`,
    token: m.token,
    valid: () => ({ username: `u-${uid()}`, password: strongPassword() }),
    stringField: 'username',
    invalid: () => [
      ['username missing', { email: `x-${uid()}@example.test` }, 'username'],
      ['username a number', { username: 7 }, 'username'],
      ['username with @', { username: `a@b${uid()}` }, 'username'],
      ['username with leading +', { username: `+${uid()}` }, 'username'],
      ['username too long', { username: 'a'.repeat(65) }, 'username'],
      ['email a number', { username: `u-${uid()}`, email: 5 }, 'email'],
      ['email without @', { username: `u-${uid()}`, email: 'nope' }, 'email'],
      ['name an array', { username: `u-${uid()}`, name: ['x'] }, 'name'],
      ['password a boolean', { username: `u-${uid()}`, password: true }, 'password'],
    ],
  };
};
createUserSetup.passwordField = 'password';
defineBadInputSuite('createUser', createUserSetup);

// changePassword (self). If a broken server accepts a request, follow the
// new password and token so later checks stay meaningful.
const changePasswordSetup = async () => {
  const m = await managerSession(srv);
  const ctx = {
    method: 'POST',
    path: () => '/v1/me/password',
    token: m.token,
    current: m.password,
    next: strongPassword('Chg'),
    valid: () => ({ current_password: ctx.current, new_password: ctx.next }),
    stringField: 'new_password',
    invalid: () => [
      ['current_password missing', { new_password: strongPassword() }, 'current_password'],
      ['new_password missing', { current_password: ctx.current }, 'new_password'],
      ['current_password a number', { current_password: 1, new_password: strongPassword() }, 'current_password'],
      ['new_password an object', { current_password: ctx.current, new_password: { a: 1 } }, 'new_password'],
    ],
    onAnswer(res) {
      if (res.status === 200 && res.json && res.json.token) {
        ctx.token = res.json.token;
        ctx.current = ctx.next;
        ctx.next = strongPassword('Chg');
      }
    },
  };
  return ctx;
};
changePasswordSetup.passwordField = 'new_password';
defineBadInputSuite('changePassword', changePasswordSetup);

// updateUser (account manager)
defineBadInputSuite('updateUser', async () => {
  const m = await managerSession(srv);
  const u = await newUser(srv, m.token, m.account_id, { password: strongPassword() });
  return {
    method: 'PATCH',
    path: () => `/v1/accounts/${m.account_id}/users/${u.id}`,
    token: m.token,
    valid: () => ({ name: `Name ${uid()}` }),
    stringField: 'name',
    invalid: () => [
      ['username a number', { username: 42 }, 'username'],
      ['username with @', { username: 'x@y' }, 'username'],
      ['username null', { username: null }, 'username'],
      ['email a number', { email: 5 }, 'email'],
      ['email without @', { email: 'plainly-wrong' }, 'email'],
      ['name an object', { name: { first: 'a' } }, 'name'],
      ['phone a number', { phone: 31612345678 }, 'phone'],
    ],
  };
});

// updateAccountSettings (account manager)
defineBadInputSuite('updateAccountSettings', async () => {
  const m = await managerSession(srv);
  return {
    method: 'PATCH',
    path: () => `/v1/accounts/${m.account_id}/settings`,
    token: m.token,
    valid: () => ({ idle_timeout_s: 600 }),
    stringField: 'idle_timeout_s',
    invalid: () => [
      ['idle_timeout_s a string', { idle_timeout_s: '600' }, 'idle_timeout_s'],
      ['idle_timeout_s a float', { idle_timeout_s: 600.5 }, 'idle_timeout_s'],
      ['idle_timeout_s below range', { idle_timeout_s: 59 }, 'idle_timeout_s'],
      ['max_lifetime_s null', { max_lifetime_s: null }, 'max_lifetime_s'],
      ['max_lifetime_s negative', { max_lifetime_s: -1 }, 'max_lifetime_s'],
      ['max_lifetime_s a boolean', { max_lifetime_s: true }, 'max_lifetime_s'],
    ],
  };
});

describe('bad input: other paths', () => {
  test('application/json with a charset parameter is accepted', async () => {
    const m = await managerSession(srv);
    const res = await send('PATCH', `/v1/accounts/${m.account_id}/settings`, {
      token: m.token,
      rawBody: JSON.stringify({ idle_timeout_s: 900 }),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expectStatus(res, 200, 'updateAccountSettings with charset');
  });

  test('a failed request leaves the data unchanged', async () => {
    const m = await managerSession(srv);
    const was = await send('GET', `/v1/accounts/${m.account_id}/settings`, { token: m.token });
    expectStatus(was, 200);
    const res = await send('PATCH', `/v1/accounts/${m.account_id}/settings`, {
      token: m.token, body: { idle_timeout_s: 1200, max_lifetime_s: 'forever' },
    });
    expectProblem(res, 422, 'validation_failed');
    const now = await send('GET', `/v1/accounts/${m.account_id}/settings`, { token: m.token });
    assert.deepEqual(now.json, was.json, 'a rejected PATCH must not apply part of itself');
    // The password did not change through a rejected changePassword either.
    const cp = await send('POST', '/v1/me/password', {
      token: m.token, body: { current_password: m.password, new_password: strongPassword(), extra: 1 },
    });
    expectProblem(cp, 400, 'unknown_field');
    await signIn(srv, m.slug, m.email, m.password);
  });

  test('malformed path and query → 400 invalid_request or 404, never 5xx', async () => {
    const m = await managerSession(srv);
    const c = new Checks();
    for (const p of [
      `/v1/accounts/${m.account_id}/users?limit=abc`,
      `/v1/accounts/${m.account_id}/users?limit=`,
      `/v1/accounts/${m.account_id}/users?cursor=%ZZ`,
      `/v1/accounts/${m.account_id}/users?cursor=${'A'.repeat(5000)}`,
      `/v1/accounts/%ZZ/users`,
      `/v1/accounts/${'x'.repeat(3000)}/users`,
      `/v1/accounts/${m.account_id}/users/%00`,
      `/v1/accounts/${m.account_id}/users/..%2f..%2fetc%2fpasswd`,
    ]) {
      const res = await send('GET', p, { token: m.token });
      c.check(p.slice(0, 120), () => expectProblem(res, [400, 404, 422], undefined));
    }
    c.done();
  });
});

/**
 * Sends raw bytes over TLS and collects the answer until the server closes
 * the connection → {statusLine, hung, error}. The write side stays open, so
 * the server decides when the exchange ends.
 */
function rawTls(data, timeoutMs = 5000) {
  return new Promise((resolve) => {
    let buf = '';
    let done = false;
    const finish = (extra) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ statusLine: buf.split('\r\n')[0], ...extra });
    };
    const sock = tls.connect({ host: '127.0.0.1', port: srv.port, ca: srv.ca, servername: 'localhost' }, () => sock.write(data));
    const timer = setTimeout(() => finish({ hung: true }), timeoutMs);
    sock.setEncoding('latin1');
    sock.on('data', (d) => {
      buf += d;
      // One answer is enough: the status line and the end of its headers.
      if (buf.includes('\r\n\r\n')) finish({});
    });
    sock.on('close', () => finish({}));
    sock.on('error', (e) => finish({ error: e.code || e.message }));
  });
}

test('malformed request lines and oversized headers: the library’s own 4xx or a closed connection, no hang', async () => {
  // CONTRACTS.md: errors libmicrohttpd raises before the access handler runs
  // "are the library's own 4xx; they must not crash or hang anything".
  const c = new Checks();
  const cases = {
    'garbage request line': 'GARBAGE\r\n\r\n',
    'request line without version': 'GET /v1/health\r\n\r\n',
    'header of 200 kB': `GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(200_000)}\r\n\r\n`,
    '5000 headers': `GET /v1/health HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 5000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`,
    'URL of 100 kB': `GET /v1/${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    'bad chunk size': 'POST /v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n',
    'Content-Length and chunked': 'POST /v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    'negative Content-Length': 'POST /v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n',
    'Content-Length beyond 64 bits': 'POST /v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n',
  };
  for (const [label, data] of Object.entries(cases)) {
    const r = await rawTls(data);
    c.check(label, () => {
      assert.ok(!r.hung, `no answer and no close within 5 s (${JSON.stringify(r.statusLine)})`);
      if (r.statusLine) assert.match(r.statusLine, /^HTTP\/1\.[01] 4\d\d /, `status line ${JSON.stringify(r.statusLine)}`);
    });
  }
  c.done();
  expectStatus(await send('GET', '/v1/health'), 200, 'health afterwards');
  assert.ok(srv.running(), 'server process is still running');
});

test('no answer in this file was a 5xx and the server still answers', async () => {
  const h = await send('GET', '/v1/health');
  expectStatus(h, 200);
  const bad = seen.filter((s) => s.status >= 500 || s.status === 0);
  assert.deepEqual(bad, [], 'answers with 5xx or no answer at all');
  assert.ok(srv.running(), 'server process is still running');
});
