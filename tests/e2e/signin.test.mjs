// Sign-in by any identifier, one answer for every failure, the session
// cookie and CSRF (AUTH-1; CONTRACTS.md "Accounts, users, sign-in").
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  activeUser, csrfToken, expectProblem, expectStatus, expectValidation, isRfc3339Utc,
  managerSession, newUser, parseSetCookies, randomPhone, signIn, signInFull, signInRaw,
  signupAccount, strongPassword, uid,
} from '../support/api.mjs';
import { startServer } from '../support/server.mjs';

let srv;
before(async () => { srv = await startServer({ name: 'signin' }); });
after(async () => { await srv?.close(); });

const COOKIE = '__Host-sr_session';

async function userWithAllIdentifiers(m) {
  const tag = uid();
  const fields = {
    username: `alice.${tag}`,
    email: `Alice.${tag}@Example.TEST`,
    phone: randomPhone(),
    name: `Alice ${tag}`,
    password: strongPassword('Init'),
  };
  return { ...(await activeUser(srv, m.token, m.account_id, fields)), fields };
}

test('AUTH-1 sign in by username, by e-mail and by phone', async () => {
  const m = await managerSession(srv);
  const u = await userWithAllIdentifiers(m);
  for (const ident of [u.fields.username, u.fields.email, u.fields.phone]) {
    const s = await signInFull(srv, m.slug, ident, u.password);
    assert.equal(s.json.password_change_required, false);
    const me = await srv.request('GET', '/v1/me', { token: s.json.token });
    expectStatus(me, 200, `getMe after sign-in with ${ident}`);
    assert.equal(me.json.id, u.id, `sign-in with ${ident} reaches the same user`);
  }
});

test('AUTH-1 e-mail sign-in is case-insensitive and trimmed; username is ASCII case-insensitive', async () => {
  const m = await managerSession(srv);
  const u = await userWithAllIdentifiers(m);
  const variants = [
    u.fields.email.toLowerCase(),
    u.fields.email.toUpperCase(),
    `  ${u.fields.email}  `,
    ` ${u.fields.email.toLowerCase()}   `,
    u.fields.username.toUpperCase(),
  ];
  for (const ident of variants) {
    const s = await signInRaw(srv, m.slug, ident, u.password);
    expectStatus(s, 201, `sign-in with ${JSON.stringify(ident)}`);
  }
  // "Trimmed" does not say whether control characters such as TAB count as
  // white space. The server may trim them, or refuse every string field that
  // holds a control character as malformed input (422 naming the field);
  // either way it is no failed sign-in and no 5xx.
  const tabbed = `\t${u.fields.email.toLowerCase()} `;
  const t = await signInRaw(srv, m.slug, tabbed, u.password);
  if (t.status !== 201) expectValidation(t, 'identifier', `sign-in with ${JSON.stringify(tabbed)}`);
});

test('AUTH-1 createSession answer has the contract shape', async () => {
  const m = await signupAccount(srv);
  const res = await signInFull(srv, m.slug, m.email, m.password);
  const s = res.json;
  for (const k of ['session_id', 'token', 'token_type', 'expires_at', 'idle_expires_at',
    'password_change_required', 'second_factor_required']) {
    assert.ok(k in s, `createSession answer lacks ${k}: ${res.text}`);
  }
  assert.equal(s.token_type, 'Bearer');
  assert.equal(s.second_factor_required, false);
  assert.ok(s.token.length >= 32, 'token carries at least 256 bits');
  assert.ok(isRfc3339Utc(s.expires_at), `expires_at ${s.expires_at}`);
  assert.ok(isRfc3339Utc(s.idle_expires_at), `idle_expires_at ${s.idle_expires_at}`);
  const now = Date.now() / 1000 + srv.clockOffset();
  const exp = Date.parse(s.expires_at) / 1000;
  const idle = Date.parse(s.idle_expires_at) / 1000;
  assert.ok(Math.abs(exp - (now + 43200)) < 120, `expires_at ≈ now + 43200 s (got ${exp - now})`);
  assert.ok(Math.abs(idle - (now + 600)) < 120, `idle_expires_at ≈ now + 600 s (got ${idle - now})`);
});

test('AUTH-1 username, e-mail and phone are unique inside an account (409) but not across accounts', async () => {
  const m = await managerSession(srv);
  const other = await managerSession(srv);
  const tag = uid();
  const first = { username: `bob-${tag}`, email: `bob-${tag}@example.test`, phone: randomPhone() };
  await newUser(srv, m.token, m.account_id, first);
  const dupes = [
    ['username', { username: first.username }],
    ['username differing in case', { username: first.username.toUpperCase() }],
    ['e-mail', { username: `b2-${tag}`, email: first.email }],
    ['e-mail differing in case', { username: `b3-${tag}`, email: first.email.toUpperCase() }],
    ['phone', { username: `b4-${tag}`, phone: first.phone }],
  ];
  for (const [label, body] of dupes) {
    const res = await srv.request('POST', `/v1/accounts/${m.account_id}/users`, { token: m.token, body });
    if (label === 'username differing in case' && res.status === 422) continue; // rejected as not lower-case: also fine
    expectProblem(res, 409, 'conflict', `duplicate ${label}`);
  }
  // The same e-mail, phone and username in another account are fine.
  await newUser(srv, other.token, other.account_id, first);
  // A manager's own sign-up e-mail also counts inside their account.
  const res = await srv.request('POST', `/v1/accounts/${m.account_id}/users`, {
    token: m.token, body: { username: `b5-${tag}`, email: m.email },
  });
  expectProblem(res, 409, 'conflict', 'e-mail of the manager');
});

test('AUTH-1 one answer (401 invalid_credentials) for unknown account, unknown user and wrong password', async () => {
  const m = await managerSession(srv);
  const u = await userWithAllIdentifiers(m);
  const wrong = strongPassword('Wrong');
  const attempts = {
    'unknown account': await signInRaw(srv, `no-such-${uid()}`, u.fields.email, u.password),
    'unknown user (e-mail)': await signInRaw(srv, m.slug, `nobody-${uid()}@example.test`, wrong),
    'unknown user (username)': await signInRaw(srv, m.slug, `nobody-${uid()}`, wrong),
    'unknown user (phone)': await signInRaw(srv, m.slug, randomPhone(), wrong),
    'wrong password': await signInRaw(srv, m.slug, u.fields.username, wrong),
  };
  const reference = attempts['unknown account'];
  expectProblem(reference, 401, 'invalid_credentials', 'unknown account');
  for (const [label, res] of Object.entries(attempts)) {
    expectProblem(res, 401, 'invalid_credentials', label);
    assert.deepEqual(res.json, reference.json, `${label}: body differs from the unknown-account answer`);
    assert.equal(res.headers['content-type'], reference.headers['content-type']);
    assert.deepEqual(parseSetCookies(res), [], `${label}: no cookie on failure`);
    assert.equal(res.headers['www-authenticate'], reference.headers['www-authenticate']);
  }
  // The right password still works after one failure.
  await signIn(srv, m.slug, u.fields.username, u.password);
});

test('AUTH-1 session cookie __Host-sr_session is Secure, HttpOnly, SameSite=Lax, Path=/', async () => {
  const m = await signupAccount(srv);
  const res = await signInFull(srv, m.slug, m.email, m.password);
  const cookies = parseSetCookies(res).filter((c) => c.name === COOKIE);
  assert.equal(cookies.length, 1, `one ${COOKIE} cookie: ${JSON.stringify(res.headers['set-cookie'])}`);
  const c = cookies[0];
  assert.equal(c.value, res.json.token, 'cookie carries the session token');
  assert.equal(c.attrs.secure, true, 'Secure');
  assert.equal(c.attrs.httponly, true, 'HttpOnly');
  assert.equal(String(c.attrs.samesite).toLowerCase(), 'lax', 'SameSite=Lax');
  assert.equal(c.attrs.path, '/', 'Path=/');
  assert.equal(c.attrs.domain, undefined, '__Host- cookies carry no Domain');
});

test('AUTH-1 cookie authentication works for GET', async () => {
  const m = await signupAccount(srv);
  const res = await signInFull(srv, m.slug, m.email, m.password);
  const me = await srv.request('GET', '/v1/me', { cookie: res.json.token });
  expectStatus(me, 200, 'getMe with cookie');
  assert.equal(me.json.id, m.user_id);
  const cur = await srv.request('GET', '/v1/session', { cookie: res.json.token });
  expectStatus(cur, 200, 'getCurrentSession with cookie');
  for (const k of ['session_id', 'user_id', 'account_id', 'created_at', 'expires_at', 'idle_expires_at',
    'csrf_token', 'password_change_required']) {
    assert.ok(k in cur.json, `getCurrentSession lacks ${k}: ${cur.text}`);
  }
  assert.equal(cur.json.session_id, res.json.session_id);
  assert.equal(cur.json.user_id, m.user_id);
  assert.equal(cur.json.account_id, m.account_id);
  const bogus = await srv.request('GET', '/v1/me', { cookie: `${res.json.token.slice(0, -2)}xx` });
  expectProblem(bogus, 401, 'unauthenticated', 'altered cookie');
});

test('AUTH-1 cookie requests with unsafe methods need a same-origin Origin and X-CSRF-Token', async () => {
  const m = await signupAccount(srv);
  const s = await signInFull(srv, m.slug, m.email, m.password);
  const cookie = s.json.token;
  const csrf = await csrfToken(srv, { cookie });
  assert.ok(csrf.length >= 16, 'csrf_token has some entropy');
  const usersPath = `/v1/accounts/${m.account_id}/users`;
  const body = () => ({ username: `c-${uid()}` });

  const noToken = await srv.request('POST', usersPath, { cookie, body: body(), headers: { origin: srv.origin } });
  expectProblem(noToken, 403, 'csrf_failed', 'cookie POST without X-CSRF-Token');
  const wrongToken = await srv.request('POST', usersPath, {
    cookie, body: body(), headers: { origin: srv.origin, 'x-csrf-token': `${csrf}x` },
  });
  expectProblem(wrongToken, 403, 'csrf_failed', 'cookie POST with a wrong X-CSRF-Token');
  const foreign = await srv.request('POST', usersPath, {
    cookie, body: body(), headers: { origin: 'https://evil.example', 'x-csrf-token': csrf },
  });
  expectProblem(foreign, 403, 'csrf_failed', 'cookie POST from a foreign Origin');
  const noOrigin = await srv.request('POST', usersPath, { cookie, body: body(), headers: { 'x-csrf-token': csrf } });
  expectProblem(noOrigin, 403, 'csrf_failed', 'cookie POST without Origin');
  const patch = await srv.request('PATCH', `/v1/accounts/${m.account_id}/settings`, {
    cookie, body: { idle_timeout_s: 900 }, headers: { origin: srv.origin },
  });
  expectProblem(patch, 403, 'csrf_failed', 'cookie PATCH without X-CSRF-Token');
  const del = await srv.request('DELETE', '/v1/session', { cookie, headers: { origin: srv.origin } });
  expectProblem(del, 403, 'csrf_failed', 'cookie DELETE without X-CSRF-Token');

  const ok = await srv.request('POST', usersPath, {
    cookie, body: body(), headers: { origin: srv.origin, 'x-csrf-token': csrf },
  });
  expectStatus(ok, 201, 'cookie POST with CSRF token and same-origin Origin');
  const okPatch = await srv.request('PATCH', `/v1/accounts/${m.account_id}/settings`, {
    cookie, body: { idle_timeout_s: 900 }, headers: { origin: srv.origin, 'x-csrf-token': csrf },
  });
  expectStatus(okPatch, 200, 'cookie PATCH with CSRF token');
  // The bearer form of getCurrentSession reports the same CSRF token.
  assert.equal(await csrfToken(srv, { token: cookie }), csrf);
});

test('AUTH-1 bearer requests need no CSRF token', async () => {
  const m = await managerSession(srv);
  const res = await srv.request('POST', `/v1/accounts/${m.account_id}/users`, {
    token: m.token, body: { username: `b-${uid()}` },
  });
  expectStatus(res, 201, 'bearer POST without CSRF token');
  const patch = await srv.request('PATCH', `/v1/accounts/${m.account_id}/settings`, {
    token: m.token, body: { idle_timeout_s: 700 },
  });
  expectStatus(patch, 200, 'bearer PATCH without CSRF token');
});

test('AUTH-1 deleteSession → 204 with Clear-Site-Data, cookie expired, token dead', async () => {
  const m = await signupAccount(srv);
  const token = await signIn(srv, m.slug, m.email, m.password);
  const other = await signIn(srv, m.slug, m.email, m.password);
  const res = await srv.request('DELETE', '/v1/session', { token });
  expectStatus(res, 204, 'deleteSession');
  assert.equal(res.text, '', '204 has no body');
  const csd = String(res.headers['clear-site-data'] || '');
  assert.ok(/"cookies"/.test(csd) && /"storage"/.test(csd), `Clear-Site-Data: ${csd}`);
  const cookie = parseSetCookies(res).find((c) => c.name === COOKIE);
  assert.ok(cookie, `deleteSession expires ${COOKIE}: ${JSON.stringify(res.headers['set-cookie'])}`);
  const expired = cookie.attrs['max-age'] === '0'
    || (cookie.attrs.expires && Date.parse(cookie.attrs.expires) < Date.now());
  assert.ok(expired, `cookie is expired: ${cookie.line}`);
  assert.equal(cookie.attrs.path, '/');
  assert.equal(cookie.attrs.secure, true);

  const gone = await srv.request('GET', '/v1/me', { token });
  expectProblem(gone, 401, 'unauthenticated', 'token after deleteSession');
  const again = await srv.request('DELETE', '/v1/session', { token });
  expectProblem(again, 401, 'unauthenticated', 'second deleteSession');
  // Only that session ended.
  expectStatus(await srv.request('GET', '/v1/me', { token: other }), 200, 'the other session still works');
});

test('AUTH-1 deleteSession with cookie and CSRF ends the cookie session', async () => {
  const m = await signupAccount(srv);
  const token = await signIn(srv, m.slug, m.email, m.password);
  const csrf = await csrfToken(srv, { cookie: token });
  const res = await srv.request('DELETE', '/v1/session', {
    cookie: token, headers: { origin: srv.origin, 'x-csrf-token': csrf },
  });
  expectStatus(res, 204, 'deleteSession by cookie');
  expectProblem(await srv.request('GET', '/v1/me', { cookie: token }), 401, 'unauthenticated');
});

test('AUTH-1 deleteSession without a session → 401', async () => {
  expectProblem(await srv.request('DELETE', '/v1/session'), 401, 'unauthenticated', 'no credentials');
  expectProblem(await srv.request('DELETE', '/v1/session', { token: 'not-a-real-token' }), 401, 'unauthenticated', 'bogus bearer');
});

test('AUTH-1 protected operations without a session → 401 unauthenticated', async () => {
  const m = await signupAccount(srv);
  for (const [method, p] of [
    ['GET', '/v1/me'], ['GET', '/v1/session'], ['POST', '/v1/me/password'],
    ['GET', `/v1/accounts/${m.account_id}/users`], ['POST', `/v1/accounts/${m.account_id}/users`],
    ['GET', `/v1/accounts/${m.account_id}/users/${m.user_id}`],
    ['GET', `/v1/accounts/${m.account_id}/audit-events`], ['GET', `/v1/accounts/${m.account_id}/settings`],
  ]) {
    const body = p === '/v1/me/password'
      ? { current_password: strongPassword(), new_password: strongPassword() }
      : { username: `x-${uid()}` };
    const res = await srv.request(method, p, method === 'POST' ? { body } : {});
    expectProblem(res, 401, 'unauthenticated', `${method} ${p}`);
  }
  const malformed = await srv.request('GET', '/v1/me', { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
  expectProblem(malformed, 401, 'unauthenticated', 'Basic authorization');
});
