// Per-account IP allowlists and documented egress (ACC-8). 127.0.0.2 is a
// real second client (Linux routes all of 127/8 over loopback); a second
// server trusts 127.0.0.1 as a proxy and reads X-Forwarded-For.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  Checks, describeResponse, expectProblem, expectStatus, expectValidation, managerSession,
} from '../support/api.mjs';
import {
  P, allAuditEvents, apiKey, clientAt, operatorSession, userWithRole,
} from '../support/access.mjs';
import { startServer } from '../support/server.mjs';

const OUTBOUND = '198.51.100.7';
let srv;
before(async () => {
  srv = await startServer({ name: 'access-allowlist', config: `[server]\noutbound_addresses = ${OUTBOUND}\n` });
});
after(async () => { await srv?.close(); });

function setList(request, token, accountId, body) {
  return request('PUT', P.allowlist(accountId), { token, body });
}

test('ACC-8 getIpAllowlist: a new account has no list, and the server\'s outbound addresses are shown (also in attest)', async () => {
  const m = await managerSession(srv);
  const res = await srv.request('GET', P.allowlist(m.account_id), { token: m.token });
  expectStatus(res, 200, 'getIpAllowlist');
  assert.deepEqual(res.json.cidrs, [], describeResponse(res));
  assert.deepEqual(res.json.outbound_addresses, [OUTBOUND], describeResponse(res));
  const attest = srv.cli(['attest', '--data-dir', srv.dataDir, '--json']);
  assert.ok(`${attest.stdout}`.includes(OUTBOUND), `attest shows the outbound addresses: ${attest.stdout.slice(0, 2000)} ${attest.stderr}`);
});

test('ACC-8 a list that excludes the caller\'s own address needs confirm_self_lockout (409 conflict), and nothing changes', async () => {
  const m = await managerSession(srv);
  const c = new Checks();
  const r1 = await setList(srv.request, m.token, m.account_id, { cidrs: ['10.0.0.0/8'] });
  c.check('without the flag', () => expectProblem(r1, 409, 'conflict'));
  const r2 = await setList(srv.request, m.token, m.account_id, { cidrs: ['10.0.0.0/8'], confirm_self_lockout: false });
  c.check('with the flag false', () => expectProblem(r2, 409, 'conflict'));
  c.done();
  const got = await srv.request('GET', P.allowlist(m.account_id), { token: m.token });
  expectStatus(got, 200);
  assert.deepEqual(got.json.cidrs, [], 'the refused list was not stored');
  expectStatus(await srv.request('GET', P.users(m.account_id), { token: m.token }), 200, 'the manager still works');
  // A list that includes the caller needs no flag.
  const ok = await setList(srv.request, m.token, m.account_id, { cidrs: ['10.0.0.0/8', '127.0.0.1/32'] });
  expectStatus(ok, 200, 'a list that includes the caller');
  assert.deepEqual(ok.json.cidrs, ['10.0.0.0/8', '127.0.0.1/32'], describeResponse(ok));
  expectStatus(await srv.request('GET', P.users(m.account_id), { token: m.token }), 200, 'listed address works');
});

test('ACC-8 allow only 127.0.0.2: every request of the account from 127.0.0.1 (API, sign-in, API key, staff) gets 403 ip_not_allowed and is audited; 127.0.0.2 works', async () => {
  const m = await managerSession(srv);
  const u = await userWithRole(srv, m.token, m.account_id, 'account_member');
  const key = await apiKey(srv, m.token, m.account_id, { scopes: ['users:read'], current_password: m.password });
  const op = await operatorSession(srv);
  const other = await managerSession(srv);
  const from2 = clientAt(srv, '127.0.0.2');

  // The second client is real: the server sees 127.0.0.2.
  const probe = await from2('GET', P.users(m.account_id), { token: m.token });
  expectStatus(probe, 200, 'listUsers from 127.0.0.2 before any list');

  const set = await setList(srv.request, m.token, m.account_id, { cidrs: ['127.0.0.2/32'], confirm_self_lockout: true });
  expectStatus(set, 200, 'setIpAllowlist with confirm_self_lockout');
  assert.deepEqual(set.json.cidrs, ['127.0.0.2/32'], describeResponse(set));

  const c = new Checks();
  const r1 = await srv.request('GET', P.users(m.account_id), { token: m.token });
  c.check('manager from 127.0.0.1', () => expectProblem(r1, 403, 'ip_not_allowed'));
  const r2 = await srv.request('GET', '/v1/me', { token: u.token });
  c.check('member getMe from 127.0.0.1', () => expectProblem(r2, 403, 'ip_not_allowed'));
  const r3 = await srv.request('GET', P.users(m.account_id), { token: key.secret });
  c.check('API key from 127.0.0.1', () => expectProblem(r3, 403, 'ip_not_allowed'));
  const r4 = await srv.request('POST', '/v1/session', { body: { account: m.account_id, identifier: u.username, password: u.password } });
  c.check('sign-in from 127.0.0.1', () => expectProblem(r4, 403, 'ip_not_allowed'));
  const r5 = await srv.request('GET', P.users(m.account_id), { token: op.token });
  c.check('platform operator reading the account from 127.0.0.1', () => expectProblem(r5, 403, 'ip_not_allowed'));
  const r6 = await srv.request('GET', '/v1/session', { cookie: m.token });
  c.check('the browser\'s cookie session from 127.0.0.1', () => expectProblem(r6, 403, 'ip_not_allowed'));

  const a1 = await from2('GET', P.users(m.account_id), { token: m.token });
  c.check('manager from 127.0.0.2', () => expectStatus(a1, 200));
  const a2 = await from2('GET', P.users(m.account_id), { token: key.secret });
  c.check('API key from 127.0.0.2', () => expectStatus(a2, 200));
  const a3 = await from2('POST', '/v1/session', { body: { account: m.account_id, identifier: u.username, password: u.password } });
  c.check('sign-in from 127.0.0.2', () => expectStatus(a3, 201));
  const a4 = await from2('GET', '/v1/me', { token: u.token });
  c.check('member from 127.0.0.2', () => expectStatus(a4, 200));
  // Other accounts are not affected.
  const o1 = await srv.request('GET', P.users(other.account_id), { token: other.token });
  c.check('another account from 127.0.0.1', () => expectStatus(o1, 200));
  c.done();

  // Every refusal is an audit event the managers see (read from the allowed address).
  const events = await allAuditEvents(srv, m.token, m.account_id, { request: from2 });
  const denied = events.filter((e) => e.action === 'ipNotAllowed');
  assert.ok(denied.length >= 4, `ipNotAllowed events (got ${denied.length}): ${JSON.stringify(denied)}`);
  for (const e of denied) {
    assert.equal(e.outcome, 'denied', JSON.stringify(e));
    assert.equal(e.client_ip_prefix, '127.0.0.0/24', JSON.stringify(e));
  }
  assert.ok(denied.some((e) => e.actor_id === m.user_id), `the manager's refused request names the manager: ${JSON.stringify(denied)}`);

  // The manager (from the allowed address) lifts the list; 127.0.0.1 works again.
  const clear = await setList(from2, m.token, m.account_id, { cidrs: [] });
  expectStatus(clear, 200, 'clearing the list from 127.0.0.2');
  expectStatus(await srv.request('GET', P.users(m.account_id), { token: m.token }), 200, '127.0.0.1 after the list was cleared');
  expectStatus(await srv.request('GET', '/v1/me', { token: u.token }), 200, 'member from 127.0.0.1 after the list was cleared');
});

test('ACC-8 IPv4 and IPv6 addresses and CIDR blocks are accepted; malformed entries and more than 64 entries are 422', async () => {
  const m = await managerSession(srv);
  const good = ['127.0.0.1', '192.0.2.0/24', '2001:db8::/32', '::1', '2001:db8::1/128'];
  const ok = await setList(srv.request, m.token, m.account_id, { cidrs: good });
  expectStatus(ok, 200, 'mixed list');
  assert.deepEqual(ok.json.cidrs, good, describeResponse(ok));
  const c = new Checks();
  for (const bad of ['999.1.1.1', '10.0.0.0/33', '2001:db8::/129', 'hello', '10.0.0.0/', '1.2.3.4/-1', '']) {
    const r = await setList(srv.request, m.token, m.account_id, { cidrs: ['127.0.0.1', bad] });
    c.check(`entry ${JSON.stringify(bad)}`, () => expectValidation(r, 'cidrs'));
  }
  const many = Array.from({ length: 65 }, (_, i) => `10.0.${i}.0/24`);
  const r65 = await setList(srv.request, m.token, m.account_id, { cidrs: ['127.0.0.1', ...many.slice(1)] });
  c.check('65 entries', () => expectValidation(r65, 'cidrs'));
  const r64 = await setList(srv.request, m.token, m.account_id, { cidrs: ['127.0.0.1', ...many.slice(2)] });
  c.check('64 entries', () => expectStatus(r64, 200));
  const notArray = await setList(srv.request, m.token, m.account_id, { cidrs: '127.0.0.1' });
  c.check('cidrs as a string', () => expectValidation(notArray, 'cidrs'));
  const numbers = await setList(srv.request, m.token, m.account_id, { cidrs: [127] });
  c.check('a number in cidrs', () => expectValidation(numbers, 'cidrs'));
  const flag = await setList(srv.request, m.token, m.account_id, { cidrs: [], confirm_self_lockout: 'yes' });
  c.check('confirm_self_lockout as a string', () => expectValidation(flag, 'confirm_self_lockout'));
  const missing = await setList(srv.request, m.token, m.account_id, {});
  c.check('cidrs missing', () => expectValidation(missing, 'cidrs'));
  const unknown = await setList(srv.request, m.token, m.account_id, { cidrs: [], except: ['1.2.3.4'] });
  c.check('unknown field', () => expectProblem(unknown, 400, 'unknown_field'));
  c.done();
});

test('ACC-8 behind a trusted proxy the X-Forwarded-For address is judged; from anyone else the header is ignored', async () => {
  const px = await startServer({ name: 'access-allowlist-proxy', config: '[server]\ntrusted_proxies = 127.0.0.1\n' });
  try {
    const m = await managerSession(px);
    const via = (xff) => ({ 'x-forwarded-for': xff });
    // Saving a list of 203.0.113.9 needs no confirmation when the proxy says the caller is 203.0.113.9.
    const set = await px.request('PUT', P.allowlist(m.account_id), {
      token: m.token, body: { cidrs: ['203.0.113.9/32'] }, headers: via('203.0.113.9'),
    });
    expectStatus(set, 200, 'setIpAllowlist through the proxy for the caller\'s own forwarded address');
    const from2 = clientAt(px, '127.0.0.2');
    const c = new Checks();
    const ok = await px.request('GET', P.users(m.account_id), { token: m.token, headers: via('203.0.113.9') });
    c.check('through the trusted proxy as 203.0.113.9', () => expectStatus(ok, 200));
    const chain = await px.request('GET', P.users(m.account_id), { token: m.token, headers: via('198.51.100.1, 203.0.113.9') });
    c.check('a chain whose right-most untrusted hop is 203.0.113.9', () => expectStatus(chain, 200));
    const spoof = await px.request('GET', P.users(m.account_id), { token: m.token, headers: via('203.0.113.9, 198.51.100.1') });
    c.check('a chain with 203.0.113.9 only as a client-supplied left entry', () => expectProblem(spoof, 403, 'ip_not_allowed'));
    const direct = await px.request('GET', P.users(m.account_id), { token: m.token });
    c.check('the proxy itself (127.0.0.1) without the header', () => expectProblem(direct, 403, 'ip_not_allowed'));
    const otherClient = await px.request('GET', P.users(m.account_id), { token: m.token, headers: via('198.51.100.1') });
    c.check('through the proxy as 198.51.100.1', () => expectProblem(otherClient, 403, 'ip_not_allowed'));
    const untrusted = await from2('GET', P.users(m.account_id), { token: m.token, headers: via('203.0.113.9') });
    c.check('127.0.0.2 (not a trusted proxy) claiming 203.0.113.9', () => expectProblem(untrusted, 403, 'ip_not_allowed'));
    const signin = await px.request('POST', '/v1/session', {
      body: { account: m.slug, identifier: m.email, password: m.password }, headers: via('203.0.113.9'),
    });
    c.check('sign-in through the proxy as 203.0.113.9', () => expectStatus(signin, 201));
    c.done();
    // The audit trail records the forwarded client's prefix.
    const events = await allAuditEvents(px, m.token, m.account_id, { headers: via('203.0.113.9') });
    const setEv = events.find((e) => e.action === 'setIpAllowlist');
    assert.ok(setEv, `setIpAllowlist event: ${JSON.stringify(events.slice(-5))}`);
    assert.equal(setEv.client_ip_prefix, '203.0.113.0/24', JSON.stringify(setEv));
    const denied = events.filter((e) => e.action === 'ipNotAllowed');
    assert.ok(denied.some((e) => e.client_ip_prefix === '198.51.100.0/24'), `refusal of the forwarded 198.51.100.1: ${JSON.stringify(denied)}`);
  } finally {
    await px.close();
  }
});
