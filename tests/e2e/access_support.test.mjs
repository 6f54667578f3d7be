// Least privilege for staff (ACC-7): operators and support staff see no
// customer personal data by default; the account manager's time-limited
// support grant lets the named staff member read it; every access under
// the grant is in the customer's audit trail.
//
// Tests in this file move the server clock; they run in order.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  Checks, describeResponse, expectProblem, expectStatus, expectValidation, managerSession, newUser, randomPhone, uid,
} from '../support/api.mjs';
import {
  NO_SUCH_ID, P, allAuditEvents, operatorSession, plainUser, serverTimeIn, supportGrant, supportStaff,
} from '../support/access.mjs';
import { startServer } from '../support/server.mjs';

let srv;
let op; // platform_operator
let ps; // platform_support
before(async () => {
  srv = await startServer({ name: 'access-support' });
  op = await operatorSession(srv);
  ps = await supportStaff(srv, op);
});
after(async () => { await srv?.close(); });

/** A customer account with one user carrying e-mail, phone and name. */
async function customer() {
  const m = await managerSession(srv);
  const tag = uid();
  const person = await newUser(srv, m.token, m.account_id, {
    username: `cust-${tag}`, email: `cust.${tag}@example.test`, phone: randomPhone(), name: `Customer Person ${tag}`,
  });
  return { m, person };
}

async function readPerson(token, c) {
  const res = await srv.request('GET', P.user(c.m.account_id, c.person.id), { token });
  expectStatus(res, 200, 'getUser by staff');
  return res;
}

function assertWithheld(res, c, who) {
  const u = res.json;
  assert.equal(u.personal_data_withheld, true, `${who}: personal_data_withheld: ${describeResponse(res)}`);
  for (const f of ['email', 'phone', 'name']) assert.ok(!(f in u) || u[f] === null, `${who}: ${f} left out: ${describeResponse(res)}`);
  for (const v of [c.person.requested.email, c.person.requested.phone, c.person.requested.name]) {
    assert.ok(!res.text.includes(v), `${who}: personal data in the answer: ${res.text}`);
  }
}

function assertVisible(res, c, who) {
  const u = res.json;
  assert.ok(u.personal_data_withheld !== true, `${who}: data should not be withheld: ${describeResponse(res)}`);
  assert.equal(u.email, c.person.requested.email, `${who}: email`);
  assert.equal(u.phone, c.person.requested.phone, `${who}: phone`);
  assert.equal(u.name, c.person.requested.name, `${who}: name`);
}

test('ACC-7 without a grant, operator and support staff read customers\' users with personal data withheld', async () => {
  const c = await customer();
  for (const [who, s] of [['operator', op], ['support', ps]]) {
    assertWithheld(await readPerson(s.token, c), c, who);
    const list = await srv.request('GET', P.users(c.m.account_id), { token: s.token });
    expectStatus(list, 200, `${who} listUsers`);
    for (const item of list.json.items) assert.equal(item.personal_data_withheld, true, `${who} listUsers: ${JSON.stringify(item)}`);
    assert.ok(!list.text.includes(c.person.requested.email) && !list.text.includes(c.m.email), `${who}: no e-mail in listUsers`);
  }
});

test('ACC-7 a support grant shows the named staff member the data; every access is in the customer\'s audit trail; revoking withholds it again', async () => {
  const c = await customer();
  const res = await srv.request('POST', P.supportGrants(c.m.account_id), {
    token: c.m.token, body: { grantee_user_id: op.user_id, expires_at: serverTimeIn(srv, 3600), reason: 'ticket 4711: login trouble' },
  });
  expectStatus(res, 201, 'createSupportGrant for the operator, 1 h');
  const g = res.json;
  assert.equal(g.grantee_user_id, op.user_id);
  assert.equal(typeof g.id, 'string');
  const listed = await srv.request('GET', P.supportGrants(c.m.account_id), { token: c.m.token });
  expectStatus(listed, 200, 'listSupportGrants');
  assert.ok(listed.json.items.some((x) => x.id === g.id), describeResponse(listed));

  assertVisible(await readPerson(op.token, c), c, 'operator under the grant');
  const list = await srv.request('GET', P.users(c.m.account_id), { token: op.token });
  expectStatus(list, 200);
  assert.ok(list.text.includes(c.person.requested.email), 'listUsers under the grant shows e-mail');
  // The grant names one staff member: support staff still see nothing.
  assertWithheld(await readPerson(ps.token, c), c, 'support without a grant');
  // Read-only: staff still cannot change anything.
  const patch = await srv.request('PATCH', P.user(c.m.account_id, c.person.id), { token: op.token, body: { name: 'Changed By Staff' } });
  expectProblem(patch, 403, 'forbidden', 'updateUser by the operator under a grant');

  // The customer sees the operator's accesses.
  const events = await allAuditEvents(srv, c.m.token, c.m.account_id);
  const byOp = events.filter((e) => e.actor_id === op.user_id);
  assert.ok(byOp.some((e) => e.action === 'getUser' && e.actor_type === 'operator'), `getUser by the operator in the customer's audit: ${JSON.stringify(byOp)}`);
  assert.ok(byOp.some((e) => e.action === 'listUsers' && e.actor_type === 'operator'), `listUsers by the operator: ${JSON.stringify(byOp)}`);
  const after = await srv.request('GET', P.user(c.m.account_id, c.person.id), { token: c.m.token });
  assert.equal(after.json.name, c.person.requested.name, 'the name is unchanged');

  const rv = await srv.request('DELETE', P.supportGrant(c.m.account_id, g.id), { token: c.m.token });
  expectStatus(rv, 204, 'revokeSupportGrant');
  assertWithheld(await readPerson(op.token, c), c, 'operator after revocation');
  const after2 = await srv.request('GET', P.supportGrants(c.m.account_id), { token: c.m.token });
  const item = after2.json.items.find((x) => x.id === g.id);
  assert.ok(!item || item.revoked_at || item.active === false, `revoked grant listed as inactive: ${JSON.stringify(item)}`);
});

test('ACC-7 the customer\'s audit trail tells refused staff attempts from accesses: a refused write under a grant is not a success', async () => {
  const c = await customer();
  await supportGrant(srv, c.m.token, c.m.account_id, op.user_id, 3600);
  const patch = await srv.request('PATCH', P.user(c.m.account_id, c.person.id), { token: op.token, body: { name: 'Changed By Staff' } });
  expectProblem(patch, 403, 'forbidden', 'updateUser by the operator under a grant');
  const del = await srv.request('DELETE', P.user(c.m.account_id, c.person.id), { token: op.token });
  expectProblem(del, 403, 'forbidden', 'deleteUser by the operator under a grant');
  const events = await allAuditEvents(srv, c.m.token, c.m.account_id);
  const lies = events.filter((e) => e.actor_id === op.user_id && ['updateUser', 'deleteUser'].includes(e.action) && e.outcome === 'success');
  assert.equal(lies.length, 0, `refused staff writes recorded with outcome "success" in the customer's audit trail: ${JSON.stringify(lies)}`);
});

test('ACC-7 a grant for one account shows nothing of another; support staff with a grant see the data', async () => {
  const c1 = await customer();
  const c2 = await customer();
  await supportGrant(srv, c1.m.token, c1.m.account_id, ps.id, 3600);
  assertVisible(await readPerson(ps.token, c1), c1, 'support in the granting account');
  assertWithheld(await readPerson(ps.token, c2), c2, 'support in another account');
  // Staff never write, grant or not.
  const mk = await srv.request('POST', P.users(c1.m.account_id), { token: ps.token, body: { username: `s-${uid()}` } });
  expectProblem(mk, 403, 'forbidden', 'createUser by support under a grant');
  // Accesses of support staff are in the customer's trail too.
  const events = await allAuditEvents(srv, c1.m.token, c1.m.account_id);
  assert.ok(events.some((e) => e.actor_id === ps.id && e.action === 'getUser'), 'support access audited');
});

test('ACC-7 createSupportGrant: more than 7 days ahead, in the past, or for someone who is not platform staff → 422; only the manager grants', async () => {
  const c = await customer();
  const body = (o) => ({ grantee_user_id: op.user_id, expires_at: serverTimeIn(srv, 3600), reason: 'ticket', ...o });
  const member = await plainUser(srv, c.m.token, c.m.account_id);
  const platformNobody = await plainUser(srv, op.token, op.account_id); // platform account, no staff role
  const other = await managerSession(srv);
  const cases = [
    ['expires_at 7 days + 1 h ahead', body({ expires_at: serverTimeIn(srv, 7 * 86400 + 3600) }), 'expires_at'],
    ['expires_at in the past', body({ expires_at: serverTimeIn(srv, -60) }), 'expires_at'],
    ['grantee is a user of the customer account', body({ grantee_user_id: member.id }), null],
    ['grantee is another customer\'s manager', body({ grantee_user_id: other.user_id }), null],
    ['grantee is a platform user without a staff role', body({ grantee_user_id: platformNobody.id }), null],
    ['grantee does not exist', body({ grantee_user_id: NO_SUCH_ID }), null],
    ['reason missing', { grantee_user_id: op.user_id, expires_at: serverTimeIn(srv, 3600) }, 'reason'],
    ['expires_at missing', { grantee_user_id: op.user_id, reason: 'x' }, 'expires_at'],
    ['expires_at not a time', body({ expires_at: 'next week' }), 'expires_at'],
    ['grantee_user_id malformed', body({ grantee_user_id: 'operator' }), 'grantee_user_id'],
    ['reason a number', body({ reason: 42 }), 'reason'],
  ];
  const chk = new Checks();
  for (const [label, b, field] of cases) {
    const r = await srv.request('POST', P.supportGrants(c.m.account_id), { token: c.m.token, body: b });
    chk.check(label, () => expectValidation(r, field || undefined));
  }
  const ok7 = await srv.request('POST', P.supportGrants(c.m.account_id), { token: c.m.token, body: body({ expires_at: serverTimeIn(srv, 7 * 86400 - 60) }) });
  chk.check('just under 7 days', () => expectStatus(ok7, 201));
  const unknown = await srv.request('POST', P.supportGrants(c.m.account_id), { token: c.m.token, body: body({ scope: 'all' }) });
  chk.check('unknown field', () => expectProblem(unknown, 400, 'unknown_field'));
  // Only the account's manager grants: not staff themselves, not another account.
  const self = await srv.request('POST', P.supportGrants(c.m.account_id), { token: op.token, body: body({}) });
  chk.check('the operator granting themself access', () => expectProblem(self, [403, 404]));
  const cross = await srv.request('POST', P.supportGrants(c.m.account_id), { token: other.token, body: body({}) });
  chk.check('another account\'s manager', () => expectProblem(cross, 404, 'not_found'));
  chk.done();
  const list = await srv.request('GET', P.supportGrants(c.m.account_id), { token: c.m.token });
  expectStatus(list, 200);
  assert.equal(list.json.items.length, 1, `only the valid grant exists: ${describeResponse(list)}`);
});

// The clock moves from here on.

test('ACC-7 an expired support grant withholds the data again', async () => {
  const c = await customer();
  await supportGrant(srv, c.m.token, c.m.account_id, op.user_id, 120);
  assertVisible(await readPerson(op.token, c), c, 'operator while the grant lives');
  srv.advanceClock(121);
  assertWithheld(await readPerson(op.token, c), c, 'operator after expires_at');
  const list = await srv.request('GET', P.supportGrants(c.m.account_id), { token: c.m.token });
  expectStatus(list, 200);
  assert.ok(list.json.items.every((g) => g.active !== true), `expired grant not active: ${describeResponse(list)}`);
});
