// Bad input for the access operations (issue 5): unknown fields → 400
// unknown_field, wrong types and out-of-range values → 422
// validation_failed, malformed queries → 400 invalid_request, bad or
// unknown ids in paths → 404, oversized arrays → 422. Nothing is changed by
// a refused request.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  Checks, describeResponse, expectProblem, expectStatus, expectValidation, managerSession,
} from '../support/api.mjs';
import { NO_SUCH_ID, P, channel, plainUser, serverTimeIn, operatorSession } from '../support/access.mjs';
import { startServer } from '../support/server.mjs';

let srv;
let m;
let ch;
let user;
before(async () => {
  srv = await startServer({ name: 'access-bad-input' });
  m = await managerSession(srv);
  ch = await channel(srv, m.token, m.account_id);
  user = await plainUser(srv, m.token, m.account_id);
});
after(async () => { await srv?.close(); });

function req(method, path, body) {
  return srv.request(method, path, { token: m.token, body });
}

test('ACC-1 ACC-2 ACC-7 ACC-8 ACC-9 unknown fields in every new request body → 400 unknown_field', async () => {
  const op = await operatorSession(srv);
  const c = new Checks();
  const cases = [
    ['createChannel', 'POST', P.channels(m.account_id), { name: 'x', colour: 'red' }],
    ['updateChannel', 'PATCH', P.channel(m.account_id, ch.id), { name: 'y', owner: 'me' }],
    ['grantRole', 'POST', P.grants(m.account_id), { user_id: user.id, role: 'account_viewer', scope: 'all' }],
    ['setIpAllowlist', 'PUT', P.allowlist(m.account_id), { cidrs: [], deny: [] }],
    ['createApiKey', 'POST', P.apiKeys(m.account_id), { name: 'k', scopes: ['users:read'], admin: true }],
    ['createSupportGrant', 'POST', P.supportGrants(m.account_id), {
      grantee_user_id: op.user_id, expires_at: serverTimeIn(srv, 3600), reason: 'r', level: 'full',
    }],
  ];
  for (const [label, method, path, body] of cases) {
    const r = await req(method, path, body);
    c.check(label, () => expectProblem(r, 400, 'unknown_field'));
  }
  c.done();
});

test('ACC-1 bad channel bodies → 422 validation_failed naming the field', async () => {
  const c = new Checks();
  const cases = [
    ['name a number', 'POST', P.channels(m.account_id), { name: 5 }, 'name'],
    ['name empty', 'POST', P.channels(m.account_id), { name: '' }, 'name'],
    ['name 201 characters', 'POST', P.channels(m.account_id), { name: 'n'.repeat(201) }, 'name'],
    ['name missing', 'POST', P.channels(m.account_id), { description: 'd' }, 'name'],
    ['description 1001 characters', 'POST', P.channels(m.account_id), { name: 'dd', description: 'd'.repeat(1001) }, 'description'],
    ['description an object', 'POST', P.channels(m.account_id), { name: 'de', description: {} }, 'description'],
    ['update with no field', 'PATCH', P.channel(m.account_id, ch.id), {}, null],
    ['update name null', 'PATCH', P.channel(m.account_id, ch.id), { name: null }, 'name'],
    ['update name an array', 'PATCH', P.channel(m.account_id, ch.id), { name: ['a'] }, 'name'],
  ];
  for (const [label, method, path, body, field] of cases) {
    const r = await req(method, path, body);
    c.check(label, () => expectValidation(r, field || undefined));
  }
  const dup = await req('POST', P.channels(m.account_id), { name: ch.name });
  c.check('a second channel with the same name', () => expectProblem(dup, [409, 422]));
  c.done();
  const got = await req('GET', P.channel(m.account_id, ch.id));
  expectStatus(got, 200);
  assert.equal(got.json.name, ch.name, 'the channel is unchanged');
});

test('ACC-2 bad grant bodies → 422; unknown user or channel → 404', async () => {
  const c = new Checks();
  const cases = [
    ['user_id a number', { user_id: 5, role: 'account_viewer' }, 'user_id'],
    ['user_id malformed', { user_id: 'not-an-id', role: 'account_viewer' }, 'user_id'],
    ['role a number', { user_id: user.id, role: 7 }, 'role'],
    ['role unknown', { user_id: user.id, role: 'superuser' }, 'role'],
    ['role missing', { user_id: user.id }, 'role'],
    ['user_id missing', { role: 'account_viewer' }, 'user_id'],
    ['channel_id a number', { user_id: user.id, role: 'channel_viewer', channel_id: 5 }, 'channel_id'],
    ['channel_id malformed', { user_id: user.id, role: 'channel_viewer', channel_id: 'x' }, 'channel_id'],
  ];
  for (const [label, body, field] of cases) {
    const r = await req('POST', P.grants(m.account_id), body);
    c.check(label, () => expectValidation(r, field));
  }
  const nouser = await req('POST', P.grants(m.account_id), { user_id: NO_SUCH_ID, role: 'account_viewer' });
  c.check('an unknown user', () => expectProblem(nouser, 404, 'not_found'));
  const noch = await req('POST', P.grants(m.account_id), { user_id: user.id, role: 'channel_viewer', channel_id: NO_SUCH_ID });
  c.check('an unknown channel', () => expectProblem(noch, [404, 422]));
  c.done();
  const got = await req('GET', P.user(m.account_id, user.id));
  assert.deepEqual(got.json.roles, [], `nothing granted: ${describeResponse(got)}`);
});

test('ACC-4 bad and unknown ids in paths → 404 for every new operation with an id', async () => {
  const c = new Checks();
  for (const id of ['not-an-id', NO_SUCH_ID, 'ABCDEF0123456789ABCDEF0123456789', '%00', '..']) {
    const e = encodeURIComponent(id);
    const cases = [
      ['getChannel', 'GET', P.channel(m.account_id, e)],
      ['updateChannel', 'PATCH', P.channel(m.account_id, e), { name: 'zz' }],
      ['deleteChannel', 'DELETE', P.channel(m.account_id, e)],
      ['revokeRole', 'DELETE', P.grant(m.account_id, e)],
      ['revokeUserSessions', 'POST', P.revokeSessions(m.account_id, e)],
      ['deleteMySession', 'DELETE', P.mySession(e)],
      ['revokeApiKey', 'DELETE', P.apiKey(m.account_id, e)],
      ['revokeSupportGrant', 'DELETE', P.supportGrant(m.account_id, e)],
      ['listChannels of an unknown account', 'GET', P.channels(e)],
      ['getIpAllowlist of an unknown account', 'GET', P.allowlist(e)],
      ['createApiKey in an unknown account', 'POST', P.apiKeys(e), { name: 'k', scopes: ['users:read'] }],
    ];
    for (const [label, method, path, body] of cases) {
      const r = await req(method, path, body);
      c.check(`${label} with id ${JSON.stringify(id)}`, () => expectProblem(r, [400, 404]));
      // A well-formed but unknown id must be 404 exactly.
      if (id === NO_SUCH_ID) c.check(`${label} with an unknown id`, () => expectProblem(r, 404, 'not_found'));
    }
  }
  c.done();
  expectStatus(await req('GET', P.channel(m.account_id, ch.id)), 200, 'the real channel is still there');
});

test('ACC-8 ACC-9 oversized arrays → 422: 65 allowlist entries, 15 scopes', async () => {
  const cidrs = ['127.0.0.1', ...Array.from({ length: 64 }, (_, i) => `10.1.${i}.0/24`)];
  assert.equal(cidrs.length, 65);
  expectValidation(await req('PUT', P.allowlist(m.account_id), { cidrs }), 'cidrs', '65 cidrs');
  const got = await req('GET', P.allowlist(m.account_id));
  assert.deepEqual(got.json.cidrs, [], 'the list is unchanged');
  const scopes = ['users:read', 'users:write', 'channels:read', 'channels:write', 'roles:read', 'roles:write', 'audit:read',
    'audit:write', 'settings:read', 'settings:write', 'metrics:read', 'metrics:write', 'documents:read', 'documents:write', 'users:read'];
  expectValidation(await req('POST', P.apiKeys(m.account_id), { name: 'k', scopes }), 'scopes', '15 scopes');
  const long = await req('PUT', P.allowlist(m.account_id), { cidrs: [`127.0.0.1/32${' '.repeat(60)}`] });
  expectValidation(long, 'cidrs', 'an entry longer than 49 characters');
});

test('ACC-1 ACC-2 malformed queries → 400 invalid_request; unparseable JSON → 400 invalid_json; other media types → 415', async () => {
  const c = new Checks();
  for (const q of ['?user_id=nope', '?channel_id=nope', '?limit=0', '?limit=abc', '?cursor=%zz']) {
    const r = await req('GET', `${P.grants(m.account_id)}${q}`);
    c.check(`listRoleGrants${q}`, () => expectProblem(r, 400, 'invalid_request'));
  }
  for (const q of ['?limit=201', '?cursor=nope']) {
    const r = await req('GET', `${P.channels(m.account_id)}${q}`);
    c.check(`listChannels${q}`, () => expectProblem(r, 400, 'invalid_request'));
  }
  const bad = await srv.request('POST', P.channels(m.account_id), { token: m.token, rawBody: '{"name": "x",' });
  c.check('createChannel with broken JSON', () => expectProblem(bad, 400, 'invalid_json'));
  const form = await srv.request('PUT', P.allowlist(m.account_id), {
    token: m.token, rawBody: 'cidrs=1.2.3.4', headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  c.check('setIpAllowlist as a form', () => expectProblem(form, 415, 'unsupported_media_type'));
  const arr = await srv.request('POST', P.grants(m.account_id), { token: m.token, rawBody: '[]' });
  c.check('grantRole with a JSON array', () => expectProblem(arr, [400, 422]));
  c.done();
});
