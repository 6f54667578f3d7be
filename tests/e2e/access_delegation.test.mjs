// Delegated role management (ACC-2): account managers grant at account
// level and below in their account, channel managers only in their own
// channels and never above their own role; nobody grants across accounts;
// platform roles are not for customers to give.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  Checks, describeResponse, expectProblem, expectStatus, expectValidation, isRfc3339Utc, managerSession,
} from '../support/api.mjs';
import {
  P, allAuditEvents, channel, grant, operatorSession, plainUser, userWithRole,
} from '../support/access.mjs';
import { startServer } from '../support/server.mjs';

let srv;
let m; // account manager of X
let A; let B; // channels of X
let cm; // channel_manager on A
before(async () => {
  srv = await startServer({ name: 'access-delegation' });
  m = await managerSession(srv);
  A = await channel(srv, m.token, m.account_id);
  B = await channel(srv, m.token, m.account_id);
  cm = await userWithRole(srv, m.token, m.account_id, 'channel_manager', A.id);
});
after(async () => { await srv?.close(); });

function grantRaw(token, accountId, body) {
  return srv.request('POST', P.grants(accountId), { token, body });
}

test('ACC-2 an account manager grants account_member and channel_manager on a channel; the answer carries the grant', async () => {
  const u = await plainUser(srv, m.token, m.account_id);
  const res = await grantRaw(m.token, m.account_id, { user_id: u.id, role: 'account_member' });
  expectStatus(res, 201, 'grantRole account_member');
  const g = res.json;
  assert.equal(typeof g.id, 'string');
  assert.ok(g.id.length >= 16 && !/^\d+$/.test(g.id), `opaque id ${g.id}`);
  assert.equal(g.user_id, u.id);
  assert.equal(g.role, 'account_member');
  assert.equal(g.channel_id, null, 'an account-level grant has channel_id null');
  assert.equal(g.granted_by, m.user_id);
  assert.ok(isRfc3339Utc(g.created_at), `created_at ${g.created_at}`);

  const c2 = await plainUser(srv, m.token, m.account_id);
  const res2 = await grantRaw(m.token, m.account_id, { user_id: c2.id, role: 'channel_manager', channel_id: A.id });
  expectStatus(res2, 201, 'grantRole channel_manager on A');
  assert.equal(res2.json.channel_id, A.id);
  assert.equal(res2.json.role, 'channel_manager');

  const got = await srv.request('GET', P.user(m.account_id, c2.id), { token: m.token });
  expectStatus(got, 200, 'getUser');
  assert.ok(got.json.roles.some((r) => r.role === 'channel_manager' && r.channel_id === A.id), `roles: ${describeResponse(got)}`);
});

test('ACC-2 a channel manager grants channel roles on their own channel only, never an account role', async () => {
  const u = await userWithRole(srv, m.token, m.account_id, null);
  const c = new Checks();
  const onA = await grantRaw(cm.token, m.account_id, { user_id: u.id, role: 'channel_member', channel_id: A.id });
  c.check('channel_member on own channel A', () => expectStatus(onA, 201));
  const viewerA = await grantRaw(cm.token, m.account_id, { user_id: u.id, role: 'channel_viewer', channel_id: A.id });
  c.check('channel_viewer on own channel A', () => expectStatus(viewerA, 201));
  const peer = await plainUser(srv, m.token, m.account_id);
  const mgrA = await grantRaw(cm.token, m.account_id, { user_id: peer.id, role: 'channel_manager', channel_id: A.id });
  c.check('channel_manager on own channel A (not above the granter\'s own role)', () => expectStatus(mgrA, 201));
  const onB = await grantRaw(cm.token, m.account_id, { user_id: u.id, role: 'channel_member', channel_id: B.id });
  c.check('channel_member on sibling channel B', () => expectProblem(onB, [403, 404]));
  for (const role of ['account_member', 'account_viewer', 'account_manager']) {
    const r = await grantRaw(cm.token, m.account_id, { user_id: u.id, role });
    c.check(`${role} by a channel manager (above their scope)`, () => expectProblem(r, 403, 'forbidden'));
  }
  for (const role of ['platform_operator', 'platform_support']) {
    const r = await grantRaw(cm.token, m.account_id, { user_id: u.id, role });
    c.check(`${role} by a channel manager`, () => expectProblem(r, [403, 404]));
  }
  c.done();
  // The grants on A work at once; nothing on B or at account level came along.
  expectStatus(await srv.request('GET', P.channel(m.account_id, A.id), { token: u.token }), 200, 'getChannel A by the new channel member');
  expectProblem(await srv.request('GET', P.channel(m.account_id, B.id), { token: u.token }), 404, 'not_found', 'getChannel B');
  expectStatus(await srv.request('GET', P.users(m.account_id), { token: u.token }), [403, 404], 'listUsers by a channel member');
  const me = await srv.request('GET', '/v1/me', { token: u.token });
  expectStatus(me, 200);
  assert.ok(!me.json.roles.some((r) => r.channel_id === B.id || r.channel_id === null), `roles: ${describeResponse(me)}`);
});

test('ACC-2 members, viewers, channel members and users without a role cannot grant anything', async () => {
  const target = await plainUser(srv, m.token, m.account_id);
  const c = new Checks();
  for (const [role, ch] of [['account_member'], ['account_viewer'], ['channel_member', A.id], ['channel_viewer', A.id], [null]]) {
    const u = await userWithRole(srv, m.token, m.account_id, role, ch);
    const r1 = await grantRaw(u.token, m.account_id, { user_id: target.id, role: 'channel_viewer', channel_id: A.id });
    c.check(`${role || 'no role'} grants channel_viewer on A`, () => expectProblem(r1, [403, 404]));
    const r2 = await grantRaw(u.token, m.account_id, { user_id: target.id, role: 'account_viewer' });
    c.check(`${role || 'no role'} grants account_viewer`, () => expectProblem(r2, [403, 404]));
  }
  c.done();
  const list = await srv.request('GET', `${P.grants(m.account_id)}?user_id=${target.id}`, { token: m.token });
  expectStatus(list, 200);
  assert.equal(list.json.items.length, 0, `no grant was created: ${describeResponse(list)}`);
});

test('ACC-2 nobody grants across accounts: another account\'s users, channels and grants answer 404', async () => {
  const y = await managerSession(srv);
  const yUser = await plainUser(srv, y.token, y.account_id);
  const yChannel = await channel(srv, y.token, y.account_id);
  const xUser = await plainUser(srv, m.token, m.account_id);
  const c = new Checks();
  const r1 = await grantRaw(m.token, y.account_id, { user_id: yUser.id, role: 'account_member' });
  c.check('X\'s manager grants in account Y', () => expectProblem(r1, 404, 'not_found'));
  const r2 = await grantRaw(y.token, m.account_id, { user_id: xUser.id, role: 'account_manager' });
  c.check('Y\'s manager grants in account X', () => expectProblem(r2, 404, 'not_found'));
  const r3 = await grantRaw(m.token, m.account_id, { user_id: yUser.id, role: 'account_member' });
  c.check('X\'s manager grants to a user of Y in X', () => expectProblem(r3, 404, 'not_found'));
  const r4 = await grantRaw(m.token, m.account_id, { user_id: xUser.id, role: 'channel_member', channel_id: yChannel.id });
  c.check('X\'s manager grants on Y\'s channel', () => expectProblem(r4, 404, 'not_found'));
  const r5 = await grantRaw(cm.token, y.account_id, { user_id: yUser.id, role: 'channel_member', channel_id: yChannel.id });
  c.check('X\'s channel manager grants in Y', () => expectProblem(r5, 404, 'not_found'));
  // Revoking and listing across accounts.
  const yGrant = await grant(srv, y.token, y.account_id, yUser.id, 'account_viewer');
  const r6 = await srv.request('DELETE', P.grant(y.account_id, yGrant.id), { token: m.token });
  c.check('X\'s manager revokes a grant of Y', () => expectProblem(r6, 404, 'not_found'));
  const r7 = await srv.request('DELETE', P.grant(m.account_id, yGrant.id), { token: m.token });
  c.check('X\'s manager revokes Y\'s grant id through account X', () => expectProblem(r7, 404, 'not_found'));
  const r8 = await srv.request('GET', P.grants(y.account_id), { token: m.token });
  c.check('X\'s manager lists Y\'s grants', () => expectProblem(r8, 404, 'not_found'));
  c.done();
  const still = await srv.request('GET', `${P.grants(y.account_id)}?user_id=${yUser.id}`, { token: y.token });
  expectStatus(still, 200);
  assert.deepEqual(still.json.items.map((g) => g.id), [yGrant.id], 'Y\'s grants are unchanged');
});

test('ACC-2 ACC-7 platform roles cannot be granted by customers (nor by an operator inside a customer account)', async () => {
  const u = await plainUser(srv, m.token, m.account_id);
  const c = new Checks();
  for (const role of ['platform_operator', 'platform_support']) {
    const r = await grantRaw(m.token, m.account_id, { user_id: u.id, role });
    c.check(`account manager grants ${role}`, () => expectProblem(r, 403, 'forbidden'));
  }
  const op = await operatorSession(srv);
  const r = await grantRaw(op.token, m.account_id, { user_id: u.id, role: 'platform_support' });
  c.check('operator grants platform_support to a customer user in the customer account', () => expectProblem(r, [403, 404]));
  const r2 = await grantRaw(op.token, m.account_id, { user_id: u.id, role: 'account_manager' });
  c.check('operator grants account_manager in a customer account (staff do not write there)', () => expectProblem(r2, [403, 404]));
  c.done();
  const got = await srv.request('GET', P.user(m.account_id, u.id), { token: m.token });
  expectStatus(got, 200);
  assert.deepEqual(got.json.roles, [], `no role was granted: ${describeResponse(got)}`);
  // Positive control: the operator grants platform_support inside the platform account.
  const staff = await plainUser(srv, op.token, op.account_id);
  const ok = await grantRaw(op.token, op.account_id, { user_id: staff.id, role: 'platform_support' });
  expectStatus(ok, 201, 'operator grants platform_support in the platform account');
});

test('ACC-2 channel roles need channel_id and account roles must not have one (422)', async () => {
  const u = await plainUser(srv, m.token, m.account_id);
  const c = new Checks();
  for (const role of ['channel_manager', 'channel_member', 'channel_viewer']) {
    const r = await grantRaw(m.token, m.account_id, { user_id: u.id, role });
    c.check(`${role} without channel_id`, () => expectValidation(r, 'channel_id'));
    const n = await grantRaw(m.token, m.account_id, { user_id: u.id, role, channel_id: null });
    c.check(`${role} with channel_id null`, () => expectValidation(n, 'channel_id'));
  }
  for (const role of ['account_member', 'account_viewer', 'account_manager']) {
    const r = await grantRaw(m.token, m.account_id, { user_id: u.id, role, channel_id: A.id });
    c.check(`${role} with a channel_id`, () => expectValidation(r, 'channel_id'));
  }
  const bad = await grantRaw(m.token, m.account_id, { user_id: u.id, role: 'channel_owner', channel_id: A.id });
  c.check('an unknown role', () => expectValidation(bad, 'role'));
  c.done();
  const got = await srv.request('GET', P.user(m.account_id, u.id), { token: m.token });
  assert.deepEqual(got.json.roles, [], `nothing was granted: ${describeResponse(got)}`);
});

test('ACC-2 revoking a grant the caller may not grant is refused; the channel manager revokes on their channel', async () => {
  const u = await plainUser(srv, m.token, m.account_id);
  const acctGrant = await grant(srv, m.token, m.account_id, u.id, 'account_member');
  const bGrant = await grant(srv, m.token, m.account_id, u.id, 'channel_viewer', B.id);
  const aGrant = await grant(srv, m.token, m.account_id, u.id, 'channel_viewer', A.id);
  const member = await userWithRole(srv, m.token, m.account_id, 'account_member');
  const c = new Checks();
  const r1 = await srv.request('DELETE', P.grant(m.account_id, acctGrant.id), { token: cm.token });
  c.check('channel manager revokes an account-level grant', () => expectProblem(r1, [403, 404]));
  const r2 = await srv.request('DELETE', P.grant(m.account_id, bGrant.id), { token: cm.token });
  c.check('channel manager revokes a grant on sibling channel B', () => expectProblem(r2, [403, 404]));
  const r3 = await srv.request('DELETE', P.grant(m.account_id, aGrant.id), { token: member.token });
  c.check('account member revokes a grant', () => expectProblem(r3, [403, 404]));
  c.done();
  const list = await srv.request('GET', `${P.grants(m.account_id)}?user_id=${u.id}`, { token: m.token });
  expectStatus(list, 200);
  const ids = list.json.items.map((g) => g.id).sort();
  assert.deepEqual(ids, [acctGrant.id, bGrant.id, aGrant.id].sort(), `refused revocations left the grants in place: ${describeResponse(list)}`);
  const r5 = await srv.request('DELETE', P.grant(m.account_id, aGrant.id), { token: cm.token });
  expectStatus(r5, 204, 'channel manager revokes a channel_viewer grant on their own channel A');
  const again = await srv.request('DELETE', P.grant(m.account_id, aGrant.id), { token: m.token });
  expectProblem(again, 404, 'not_found', 'the revoked grant is gone');
});

test('ACC-2 listRoleGrants: the account manager sees every grant, a channel manager only their channel\'s; filters work', async () => {
  const u = await plainUser(srv, m.token, m.account_id);
  const ga = await grant(srv, m.token, m.account_id, u.id, 'channel_member', A.id);
  const gb = await grant(srv, m.token, m.account_id, u.id, 'channel_member', B.id);
  const gacc = await grant(srv, m.token, m.account_id, u.id, 'account_viewer');

  const all = await srv.request('GET', `${P.grants(m.account_id)}?user_id=${u.id}`, { token: m.token });
  expectStatus(all, 200, 'listRoleGrants by the account manager');
  assert.deepEqual(all.json.items.map((g) => g.id).sort(), [ga.id, gb.id, gacc.id].sort(), describeResponse(all));
  assert.ok(all.json.items.every((g) => g.user_id === u.id), '?user_id filters');

  const byCh = await srv.request('GET', `${P.grants(m.account_id)}?channel_id=${B.id}`, { token: m.token });
  expectStatus(byCh, 200);
  assert.ok(byCh.json.items.length >= 1 && byCh.json.items.every((g) => g.channel_id === B.id), `?channel_id filters: ${describeResponse(byCh)}`);

  const mine = await srv.request('GET', P.grants(m.account_id), { token: cm.token });
  expectStatus(mine, 200, 'listRoleGrants by the channel manager');
  assert.ok(mine.json.items.some((g) => g.id === ga.id), `the channel manager sees grants on A: ${describeResponse(mine)}`);
  const leaked = mine.json.items.filter((g) => g.channel_id !== A.id);
  assert.equal(leaked.length, 0, `the channel manager sees grants outside channel A: ${JSON.stringify(leaked)}`);

  const member = await userWithRole(srv, m.token, m.account_id, 'account_member');
  const ml = await srv.request('GET', P.grants(m.account_id), { token: member.token });
  if (ml.status === 200) assert.equal(ml.json.items.length, 0, `a member sees no grants: ${describeResponse(ml)}`);
  else expectProblem(ml, 403, 'forbidden', 'listRoleGrants by a member');
});

test('ACC-2 grants and revocations are audited in the account', async () => {
  const u = await plainUser(srv, m.token, m.account_id);
  const g = await grant(srv, m.token, m.account_id, u.id, 'account_viewer');
  expectStatus(await srv.request('DELETE', P.grant(m.account_id, g.id), { token: m.token }), 204);
  const events = await allAuditEvents(srv, m.token, m.account_id);
  const mine = events.filter((e) => e.target_id === u.id && e.actor_id === m.user_id);
  assert.ok(mine.some((e) => e.action === 'grantRole' && e.outcome === 'success'), `grantRole event: ${JSON.stringify(mine)}`);
  assert.ok(mine.some((e) => e.action === 'revokeRole' && e.outcome === 'success'), `revokeRole event: ${JSON.stringify(mine)}`);
});
