// Operator blocking (ACC-6): platform operators block and unblock users and
// whole accounts; a blocked user cannot sign in (the same 401 as anyone
// else) and their live sessions end on the very next request. Nobody else
// may block, and operators cannot block inside the platform account.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  activeUser, changeFirstPassword, expectProblem, expectStatus, managerSession, signInRaw,
  strongPassword, uid,
} from '../support/api.mjs';
import { startServer } from '../support/server.mjs';

let srv;
let op; // the operator's token
before(async () => {
  srv = await startServer({ name: 'blocking' });
  op = (await changeFirstPassword(srv, 'platform', 'operator', srv.operator.one_time_password)).token;
});
after(async () => { await srv?.close(); });

const post = (p, token) => srv.request('POST', p, { token });

async function auditActions(m, action) {
  const r = await srv.request('GET', `/v1/accounts/${m.account_id}/audit-events?limit=200`, { token: m.token });
  expectStatus(r, 200, 'listAuditEvents');
  return r.json.items.filter((e) => e.action === action);
}

test('ACC-6 a blocked user\'s session ends on the next request and sign-in fails; unblock restores sign-in', async () => {
  const m = await managerSession(srv);
  const u = await activeUser(srv, m.token, m.account_id, { password: strongPassword('Init') });
  const second = await signInRaw(srv, m.slug, u.username, u.password);
  expectStatus(second, 201);
  expectStatus(await srv.request('GET', '/v1/me', { token: u.token }), 200, 'before the block');
  expectStatus(await post(`/v1/accounts/${m.account_id}/users/${u.id}/block`, op), 204, 'blockUser');
  for (const t of [u.token, second.json.token]) {
    expectProblem(await srv.request('GET', '/v1/me', { token: t }), 401, 'unauthenticated', 'a session of the blocked user');
  }
  const refused = await signInRaw(srv, m.slug, u.username, u.password);
  const unknown = await signInRaw(srv, m.slug, `nobody-${uid()}`, u.password);
  expectProblem(refused, 401, 'invalid_credentials', 'sign-in of a blocked user');
  assert.deepEqual(refused.json, unknown.json, 'the same answer as for an unknown user');
  // The manager and the account carry on; the manager sees the state.
  const g = await srv.request('GET', `/v1/accounts/${m.account_id}/users/${u.id}`, { token: m.token });
  expectStatus(g, 200);
  assert.equal(g.json.state, 'blocked');
  expectStatus(await post(`/v1/accounts/${m.account_id}/users/${u.id}/unblock`, op), 204, 'unblockUser');
  expectStatus(await signInRaw(srv, m.slug, u.username, u.password), 201, 'sign-in after unblock');
  expectProblem(await srv.request('GET', '/v1/me', { token: u.token }), 401, 'unauthenticated',
    'ended sessions stay ended');
  const blocks = await auditActions(m, 'blockUser');
  assert.equal(blocks.length, 1);
  assert.equal(blocks[0].actor_type, 'operator');
  assert.equal(blocks[0].target_id, u.id);
  assert.equal((await auditActions(m, 'unblockUser')).length, 1);
});

test('ACC-6 a blocked account ends every session of it and refuses every sign-in', async () => {
  const m = await managerSession(srv);
  const u = await activeUser(srv, m.token, m.account_id, { password: strongPassword('Init') });
  const bystander = await managerSession(srv);
  expectStatus(await post(`/v1/accounts/${m.slug}/block`, op), 204, 'blockAccount');
  for (const [who, t] of [['manager', m.token], ['user', u.token]]) {
    expectProblem(await srv.request('GET', '/v1/me', { token: t }), 401, 'unauthenticated', `${who} session`);
  }
  expectProblem(await signInRaw(srv, m.slug, m.email, m.password), 401, 'invalid_credentials', 'manager sign-in');
  expectProblem(await signInRaw(srv, m.account_id, u.username, u.password), 401, 'invalid_credentials', 'user sign-in');
  expectStatus(await srv.request('GET', '/v1/me', { token: bystander.token }), 200, 'another account is untouched');
  const acct = await srv.request('GET', `/v1/accounts/${m.account_id}`, { token: op });
  expectStatus(acct, 200);
  assert.equal(acct.json.state, 'blocked');
  expectStatus(await post(`/v1/accounts/${m.account_id}/unblock`, op), 204, 'unblockAccount');
  const back = await signInRaw(srv, m.slug, m.email, m.password);
  expectStatus(back, 201, 'manager sign-in after unblock');
  expectStatus(await signInRaw(srv, m.slug, u.username, u.password), 201, 'user sign-in after unblock');
  expectProblem(await srv.request('GET', '/v1/me', { token: u.token }), 401, 'unauthenticated',
    'sessions ended by the block stay ended');
  m.token = back.json.token;
  assert.equal((await auditActions(m, 'blockAccount')).length, 1);
  assert.equal((await auditActions(m, 'unblockAccount')).length, 1);
});

test('ACC-6 only platform operators block, and never inside the platform account', async () => {
  const m = await managerSession(srv);
  const u = await activeUser(srv, m.token, m.account_id, { password: strongPassword('Init') });
  const other = await managerSession(srv);
  const paths = [
    `/v1/accounts/${m.account_id}/users/${u.id}/block`,
    `/v1/accounts/${m.account_id}/users/${u.id}/unblock`,
    `/v1/accounts/${m.account_id}/block`,
    `/v1/accounts/${m.account_id}/unblock`,
  ];
  for (const p of paths) {
    expectProblem(await post(p, m.token), 403, 'forbidden', `the account's own manager: ${p}`);
    expectProblem(await post(p, u.token), [403, 404], undefined, `a user of the account: ${p}`);
    expectProblem(await post(p, other.token), 404, 'not_found', `another account's manager: ${p}`);
    expectProblem(await post(p, null), 401, 'unauthenticated', `no session: ${p}`);
  }
  expectStatus(await srv.request('GET', '/v1/me', { token: u.token }), 200, 'nothing was blocked');
  // The platform account cannot be blocked, nor its operators.
  const me = await srv.request('GET', '/v1/me', { token: op });
  expectProblem(await post('/v1/accounts/platform/block', op), 403, 'forbidden', 'blockAccount(platform)');
  expectProblem(await post(`/v1/accounts/platform/users/${me.json.id}/block`, op), 403, 'forbidden',
    'blockUser in the platform account');
  // Unknown targets.
  expectProblem(await post(`/v1/accounts/${m.account_id}/users/${'0'.repeat(32)}/block`, op), 404, 'not_found');
  expectProblem(await post(`/v1/accounts/no-such-${uid()}/block`, op), 404, 'not_found');
  expectProblem(await post(`/v1/accounts/${other.account_id}/users/${u.id}/block`, op), 404, 'not_found',
    'a user of another account');
});
