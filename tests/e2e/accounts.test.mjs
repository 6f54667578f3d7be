// Sign-up of new accounts (AUTH-10, CONTRACTS.md "Accounts, users, sign-in").
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  accountBody, describeResponse, expectProblem, expectStatus, expectValidation, isRfc3339Utc,
  parseSetCookies, randomPhone, signIn, signInFull, signupAccount, uid,
} from '../support/api.mjs';
import { startServer } from '../support/server.mjs';
import { storeExists, storeName } from '../support/store.mjs';

let srv;
before(async () => { srv = await startServer({ name: 'accounts' }); });
after(async () => { await srv?.close(); });

const REGIONS = ['US', 'EU', 'AU', 'SG', 'JP', 'IN'];

test('AUTH-10 createAccount answers 201 {account_id, slug, user_id, region} and no session', async () => {
  const body = accountBody({ phone: randomPhone(), region: 'EU' });
  const res = await srv.request('POST', '/v1/accounts', {
    body, headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) e2e-signup' },
  });
  expectStatus(res, 201, 'createAccount');
  const a = res.json;
  assert.equal(typeof a.account_id, 'string');
  assert.equal(typeof a.user_id, 'string');
  assert.equal(a.slug, body.slug);
  assert.equal(a.region, 'EU');
  // Ids are opaque, random (>= 128 bits), never sequential numbers.
  for (const id of [a.account_id, a.user_id]) {
    assert.ok(id.length >= 16, `id "${id}" too short to carry 128 bits`);
    assert.ok(!/^\d+$/.test(id), `id "${id}" looks sequential`);
  }
  assert.notEqual(a.account_id, a.user_id);
  assert.deepEqual(parseSetCookies(res), [], 'createAccount must not set a session cookie');
  for (const k of ['token', 'session_id', 'password', 'email', 'phone']) {
    assert.ok(!(k in a), `createAccount answer must not carry "${k}"`);
  }
  assert.ok(!res.text.includes(body.password), 'password echoed');
  assert.ok(!res.text.includes(body.email), 'e-mail echoed');
});

test('AUTH-10 a second account gets different, non-sequential ids', async () => {
  const a = await signupAccount(srv);
  const b = await signupAccount(srv);
  assert.notEqual(a.account_id, b.account_id);
  assert.notEqual(a.user_id, b.user_id);
});

test('AUTH-10 createAccount without slug gets a generated slug that works for sign-in', async () => {
  const a = await signupAccount(srv, { slug: undefined });
  assert.equal(typeof a.slug, 'string');
  assert.ok(a.slug.length > 0);
  await signIn(srv, a.slug, a.email, a.password);
});

test('AUTH-10 every region of the enum is accepted and kept', async () => {
  for (const region of REGIONS) {
    const a = await signupAccount(srv, { region });
    assert.equal(a.region, region);
    assert.ok(storeExists(srv, 'data', region), `region store ${region} exists (${storeName(srv, 'data', region)})`);
  }
});

test('AUTH-10 region outside US EU AU SG JP IN → 422 validation_failed', async () => {
  for (const region of ['XX', 'UK', 'CN', '', 'eu-west-1', 'EUROPE']) {
    const res = await srv.request('POST', '/v1/accounts', { body: accountBody({ region }) });
    expectValidation(res, 'region', `region ${JSON.stringify(region)}`);
  }
});

test('AUTH-10 duplicate slug → 409 conflict', async () => {
  const a = await signupAccount(srv);
  const res = await srv.request('POST', '/v1/accounts', { body: accountBody({ slug: a.slug }) });
  expectProblem(res, 409, 'conflict', 'second account with the same slug');
  // Slug matching is not fooled by case.
  const upper = await srv.request('POST', '/v1/accounts', { body: accountBody({ slug: a.slug.toUpperCase() }) });
  assert.ok([409, 422].includes(upper.status), `upper-cased duplicate slug: ${describeResponse(upper)}`);
});

test('AUTH-10 the same e-mail may sign up another account; the answer reveals nothing', async () => {
  const a = await signupAccount(srv);
  const res = await srv.request('POST', '/v1/accounts', { body: accountBody({ email: a.email }) });
  expectStatus(res, 201, 'second account with an e-mail already used elsewhere');
  assert.deepEqual(Object.keys(res.json).sort(), Object.keys(a.response.json).sort(),
    'same answer shape as a first-time sign-up');
});

test('AUTH-10 the first user is the account manager and signs in at once with the e-mail', async () => {
  const a = await signupAccount(srv);
  const s = await signInFull(srv, a.slug, a.email, a.password);
  assert.equal(s.json.password_change_required, false, 'own password needs no change');
  assert.equal(s.json.second_factor_required, false);
  const me = await srv.request('GET', '/v1/me', { token: s.json.token });
  expectStatus(me, 200, 'getMe');
  assert.equal(me.json.id, a.user_id);
  assert.equal(me.json.account_id, a.account_id);
  assert.equal(me.json.email, a.email);
  assert.ok(Array.isArray(me.json.roles), `roles: ${me.text}`);
  assert.ok(me.json.roles.some((r) => r.role === 'account_manager'), `manager role: ${me.text}`);
  const u = await srv.request('POST', `/v1/accounts/${a.account_id}/users`, {
    token: s.json.token, body: { username: `first-${uid()}` },
  });
  expectStatus(u, 201, 'the manager can createUser');
  // Sign-in by account id works as well as by slug.
  await signIn(srv, a.account_id, a.email, a.password);
});

test('AUTH-10 manager personal data from sign-up is readable by the manager', async () => {
  const phone = randomPhone();
  const a = await signupAccount(srv, { phone, name: `Ada ${uid()}` });
  const token = await signIn(srv, a.slug, a.email, a.password);
  const me = await srv.request('GET', '/v1/me', { token });
  expectStatus(me, 200);
  assert.equal(me.json.phone, phone);
  assert.equal(me.json.name, a.body.name);
  // The manager can also sign in with the phone given at sign-up.
  await signIn(srv, a.slug, phone, a.password);
});

test('AUTH-10 weak sign-up password → 422 password_policy', async () => {
  const res = await srv.request('POST', '/v1/accounts', { body: accountBody({ password: 'Short-pw-12' }) });
  expectProblem(res, 422, 'password_policy');
});

test('AUTH-10 invalid phone at sign-up → 422 invalid_phone', async () => {
  // CONTRACTS.md: "phone E.164 only (else 422 invalid_phone)".
  for (const phone of ['06-1234 5678', '0612345678', '+31 6 1234 5678', '+0612345678']) {
    const res = await srv.request('POST', '/v1/accounts', { body: accountBody({ phone }) });
    expectProblem(res, 422, 'invalid_phone', `phone ${JSON.stringify(phone)}`);
  }
});

// The sign-up record (AUTH-10) is read back with getAccount (GET
// /v1/accounts/{accountId}, account managers; an operation beyond the
// foundation list): company, country, region, client address, browser and
// OS; the contact e-mail and phone are the manager's own (getMe).
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';

async function getAccount(s, a, token) {
  const res = await s.request('GET', `/v1/accounts/${a.account_id}`, { token });
  expectStatus(res, 200, 'getAccount');
  assert.ok(res.json && typeof res.json.signup === 'object' && res.json.signup !== null,
    `getAccount answer lacks the sign-up record: ${describeResponse(res)}`);
  return res;
}

test('AUTH-10 sign-up records company, country, region, client address, browser and OS', async () => {
  const phone = randomPhone();
  // No trusted proxy is configured: X-Forwarded-For from the peer is ignored.
  const a = await signupAccount(srv, { phone, country: 'BE', region: 'JP' },
    { headers: { 'user-agent': FIREFOX_LINUX, 'x-forwarded-for': '198.51.100.23' } });
  const token = await signIn(srv, a.slug, a.email, a.password);
  const res = await getAccount(srv, a, token);
  const acc = res.json;
  assert.equal(acc.id, a.account_id);
  assert.equal(acc.slug, a.slug);
  assert.equal(acc.company, a.body.company);
  assert.equal(acc.country, 'BE');
  assert.equal(acc.region, 'JP');
  assert.ok(isRfc3339Utc(acc.created_at), `created_at ${acc.created_at}`);
  assert.equal(acc.signup.client_ip, '127.0.0.1', `client address (the spoofed X-Forwarded-For must not count): ${res.text}`);
  assert.match(String(acc.signup.client_ip_prefix), /^127\.\d+\.\d+\.\d+\/\d+$/, `client_ip_prefix: ${res.text}`);
  assert.match(String(acc.signup.browser), /firefox/i, `browser from the User-Agent: ${res.text}`);
  assert.match(String(acc.signup.os), /linux/i, `OS from the User-Agent: ${res.text}`);
  assert.ok(!res.text.includes(FIREFOX_LINUX), 'the raw User-Agent is not handed back');
  // The slug form of {accountId} reaches the same account.
  const bySlug = await srv.request('GET', `/v1/accounts/${a.slug}`, { token });
  expectStatus(bySlug, 200, 'getAccount via slug');
  assert.equal(bySlug.json.id, a.account_id);
  // Contact e-mail and phone: the manager's own record.
  const me = await srv.request('GET', '/v1/me', { token });
  expectStatus(me, 200, 'getMe');
  assert.equal(me.json.email, a.email);
  assert.equal(me.json.phone, phone);
  // Another account's manager cannot read the record (404, not 403).
  const other = await signupAccount(srv);
  const otherToken = await signIn(srv, other.slug, other.email, other.password);
  expectProblem(await srv.request('GET', `/v1/accounts/${a.account_id}`, { token: otherToken }), 404, 'not_found',
    'getAccount of another account');
});

test('AUTH-10 behind a trusted proxy the client address and the sign-up limit follow X-Forwarded-For', async () => {
  const proxied = await startServer({
    name: 'accounts-proxy',
    config: '[server]\ntrusted_proxies = 127.0.0.1/32\n[signup]\nper_address_per_hour = 1\n',
  });
  try {
    const xff = (ip) => ({ headers: { 'x-forwarded-for': ip, 'user-agent': FIREFOX_LINUX } });
    const a = await signupAccount(proxied, {}, xff('203.0.113.77'));
    const token = await signIn(proxied, a.slug, a.email, a.password);
    const acc = (await getAccount(proxied, a, token)).json;
    assert.equal(acc.signup.client_ip, '203.0.113.77', `client address from X-Forwarded-For: ${JSON.stringify(acc)}`);
    assert.match(String(acc.signup.client_ip_prefix), /^203\.0\.113\.0\/\d+$/, `prefix: ${JSON.stringify(acc)}`);
    const again = await proxied.request('POST', '/v1/accounts', { body: accountBody(), ...xff('203.0.113.77') });
    expectProblem(again, 429, 'rate_limited', 'second sign-up from the same forwarded address');
    await signupAccount(proxied, {}, xff('198.51.100.9'));
  } finally {
    await proxied.close();
  }
});

test('createAccount is rate-limited per client address; the bucket follows the test clock', async () => {
  const limited = await startServer({ name: 'accounts-rl', config: '[signup]\nper_address_per_hour = 2\n' });
  try {
    await signupAccount(limited);
    await signupAccount(limited);
    const third = await limited.request('POST', '/v1/accounts', { body: accountBody() });
    expectProblem(third, 429, 'rate_limited', 'third sign-up within the hour');
    assert.ok(/^\d+$/.test(String(third.headers['retry-after'])), `Retry-After: ${third.headers['retry-after']}`);
    limited.advanceClock(3601);
    await signupAccount(limited);
  } finally {
    await limited.close();
  }
});

test('createAccount refused when sign-up is closed', async () => {
  const closed = await startServer({ name: 'accounts-closed', config: '[signup]\nmode = closed\n' });
  try {
    const res = await closed.request('POST', '/v1/accounts', { body: accountBody() });
    expectProblem(res, 403, 'forbidden', 'createAccount while sign-up is closed');
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  } finally {
    await closed.close();
  }
});
