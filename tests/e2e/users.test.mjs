// User management by the account manager: create, list (paginated), read,
// update, delete; isolation between accounts (ACC-4, ACC-1, AUTH-1, DATA-2).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  Checks, activeUser, describeResponse, expectProblem, expectStatus, isRfc3339Utc,
  managerSession, newUser, randomPhone, signIn, signInRaw, strongPassword, uid,
} from '../support/api.mjs';
import { startServer } from '../support/server.mjs';

let srv;
before(async () => { srv = await startServer({ name: 'users' }); });
after(async () => { await srv?.close(); });

/** A different id of the same shape: the last character swapped for another one the id uses. */
function mutateId(id) {
  const last = id[id.length - 1];
  const other = [...id].find((ch) => ch !== last && /[0-9A-Za-z]/.test(ch)) || (last === 'a' ? 'b' : 'a');
  return id.slice(0, -1) + other;
}

const usersPath = (m) => `/v1/accounts/${m.account_id}/users`;
const userPath = (m, id) => `/v1/accounts/${m.account_id}/users/${id}`;

function personal(tag = uid()) {
  return {
    username: `carol-${tag}`,
    email: `carol.${tag}@example.test`,
    phone: randomPhone(),
    name: `Carol Ünïcødé ${tag}`,
  };
}

test('createUser answers 201 with the user object, personal data in clear for the manager', async () => {
  const m = await managerSession(srv);
  const fields = personal();
  const u = await newUser(srv, m.token, m.account_id, fields);
  assert.equal(u.username, fields.username);
  assert.equal(u.email, fields.email);
  assert.equal(u.phone, fields.phone);
  assert.equal(u.name, fields.name);
  assert.equal(u.account_id, m.account_id);
  assert.equal(u.state, 'active');
  assert.equal(u.password_change_required, true);
  assert.ok(Array.isArray(u.roles), 'roles is a list');
  assert.ok(isRfc3339Utc(u.created_at) && isRfc3339Utc(u.updated_at), `times: ${u.created_at} ${u.updated_at}`);
  assert.ok(u.id.length >= 16 && !/^\d+$/.test(u.id), `opaque id ${u.id}`);
  assert.ok(!('personal_data_withheld' in u) || u.personal_data_withheld === false);
  // The server's own answer (newUser adds a `password` field of its own).
  const answer = u.response.json;
  for (const k of ['password', 'password_hash', 'hash', 'salt']) {
    assert.ok(!(k in answer), `no password material ("${k}") in the createUser answer: ${u.response.text}`);
  }
  // Without a password in the request, the answer carries the one-time password (shown once).
  assert.equal(typeof answer.one_time_password, 'string', `one_time_password: ${u.response.text}`);
  // CONTRACTS.md: "phone E.164 only (else 422 invalid_phone)".
  const bad = await srv.request('POST', usersPath(m), { token: m.token, body: { username: `p-${uid()}`, phone: '0612345678' } });
  expectProblem(bad, 422, 'invalid_phone', 'createUser with a non-E.164 phone');
});

test('getUser shows the manager e-mail, phone and name in clear', async () => {
  const m = await managerSession(srv);
  const fields = personal();
  const u = await newUser(srv, m.token, m.account_id, fields);
  const res = await srv.request('GET', userPath(m, u.id), { token: m.token });
  expectStatus(res, 200, 'getUser');
  for (const k of ['id', 'account_id', 'username', 'email', 'phone', 'name', 'roles', 'state',
    'password_change_required', 'created_at', 'updated_at']) {
    assert.ok(k in res.json, `user object lacks ${k}: ${res.text}`);
  }
  assert.equal(res.json.id, u.id);
  assert.equal(res.json.email, fields.email);
  assert.equal(res.json.phone, fields.phone);
  assert.equal(res.json.name, fields.name);
  // The account id's slug form is accepted in the path too.
  const bySlug = await srv.request('GET', `/v1/accounts/${m.slug}/users/${u.id}`, { token: m.token });
  expectStatus(bySlug, 200, 'getUser via slug');
  assert.equal(bySlug.json.id, u.id);
});

test('listUsers paginates with limit=1 and next_cursor', async () => {
  const m = await managerSession(srv);
  const created = [];
  for (let i = 0; i < 4; i++) created.push(await newUser(srv, m.token, m.account_id, personal()));
  const expected = new Set([m.user_id, ...created.map((u) => u.id)]);

  const seen = [];
  let cursor = null;
  for (let page = 0; page < 20; page++) {
    const q = cursor === null ? '?limit=1' : `?limit=1&cursor=${encodeURIComponent(cursor)}`;
    const res = await srv.request('GET', `${usersPath(m)}${q}`, { token: m.token });
    expectStatus(res, 200, `listUsers page ${page}`);
    assert.ok(Array.isArray(res.json.items), `items: ${res.text}`);
    assert.ok('next_cursor' in res.json, `next_cursor present (null at the end): ${res.text}`);
    assert.ok(res.json.items.length <= 1, 'limit=1 honoured');
    seen.push(...res.json.items);
    cursor = res.json.next_cursor;
    if (cursor === null || cursor === undefined) break;
    assert.equal(typeof cursor, 'string');
  }
  assert.ok(cursor === null, `next_cursor is null on the last page (got ${JSON.stringify(cursor)})`);
  const ids = seen.map((u) => u.id);
  assert.equal(new Set(ids).size, ids.length, 'no user twice across pages');
  assert.deepEqual(new Set(ids), expected, 'every user exactly once');
  const one = seen.find((u) => u.id === created[0].id);
  assert.equal(one.email, created[0].email, 'manager sees e-mail in clear in lists');
  assert.equal(one.phone, created[0].phone);
  assert.equal(one.name, created[0].name);

  const all = await srv.request('GET', `${usersPath(m)}?limit=200`, { token: m.token });
  expectStatus(all, 200);
  assert.equal(all.json.items.length, expected.size);
  assert.equal(all.json.next_cursor ?? null, null);
});

test('listUsers rejects a bad limit or cursor', async () => {
  const m = await managerSession(srv);
  const c = new Checks();
  for (const q of ['?limit=0', '?limit=201', '?limit=-1', '?limit=abc', '?limit=1.5', '?cursor=not-a-cursor']) {
    const res = await srv.request('GET', `${usersPath(m)}${q}`, { token: m.token });
    c.check(q, () => expectProblem(res, [400, 422], ['invalid_request', 'validation_failed']));
  }
  c.done();
});

test('AUTH-1 updateUser changes fields; null clears e-mail, phone and name; sign-in follows', async () => {
  const m = await managerSession(srv);
  const fields = personal();
  const u = await newUser(srv, m.token, m.account_id, { ...fields, password: strongPassword() });
  const newName = `Carol Renamed ${uid()}`;
  const newEmail = `renamed.${uid()}@example.test`;
  let res = await srv.request('PATCH', userPath(m, u.id), { token: m.token, body: { name: newName, email: newEmail } });
  expectStatus(res, 200, 'updateUser name+email');
  assert.equal(res.json.name, newName);
  assert.equal(res.json.email, newEmail);
  assert.equal(res.json.phone, fields.phone, 'untouched field kept');
  assert.ok(Date.parse(res.json.updated_at) >= Date.parse(u.updated_at));

  res = await srv.request('PATCH', userPath(m, u.id), { token: m.token, body: { phone: null, name: null } });
  expectStatus(res, 200, 'updateUser clearing phone and name');
  const got = await srv.request('GET', userPath(m, u.id), { token: m.token });
  assert.ok(got.json.phone === undefined || got.json.phone === null, `phone cleared: ${got.text}`);
  assert.ok(got.json.name === undefined || got.json.name === null, `name cleared: ${got.text}`);
  assert.equal(got.json.email, newEmail);

  // The new e-mail signs in, the old one and the cleared phone do not.
  const changed = await activeUserFrom(m, u, newEmail);
  expectStatus(await srv.request('GET', '/v1/me', { token: changed }), 200);
  expectProblem(await signInRaw(srv, m.slug, fields.email, u.password), 401, 'invalid_credentials', 'old e-mail');
  expectProblem(await signInRaw(srv, m.slug, fields.phone, u.password), 401, 'invalid_credentials', 'cleared phone');
});

async function activeUserFrom(m, u, ident) {
  const s = await signInRaw(srv, m.slug, ident, u.password);
  expectStatus(s, 201, `sign-in with ${ident}`);
  return s.json.token;
}

test('AUTH-1 updateUser username: new name signs in; conflicts → 409', async () => {
  const m = await managerSession(srv);
  const a = await activeUser(srv, m.token, m.account_id, personal());
  const b = await newUser(srv, m.token, m.account_id, personal());
  const newUsername = `dave-${uid()}`;
  const res = await srv.request('PATCH', userPath(m, a.id), { token: m.token, body: { username: newUsername } });
  expectStatus(res, 200);
  assert.equal(res.json.username, newUsername);
  await signIn(srv, m.slug, newUsername, a.password);
  expectProblem(await signInRaw(srv, m.slug, a.username, a.password), 401, 'invalid_credentials', 'old username');
  for (const [label, body] of [
    ['username of another user', { username: b.username }],
    ['e-mail of another user', { email: b.email }],
    ['phone of another user', { phone: b.phone }],
  ]) {
    const r = await srv.request('PATCH', userPath(m, a.id), { token: m.token, body });
    expectProblem(r, 409, 'conflict', label);
  }
  const bad = await srv.request('PATCH', userPath(m, a.id), { token: m.token, body: { phone: '0612345678' } });
  expectProblem(bad, 422, 'invalid_phone', 'non-E.164 phone (CONTRACTS.md: "phone E.164 only (else 422 invalid_phone)")');
});

test('deleteUser ends the user’s sessions at once; getUser → 404', async () => {
  const m = await managerSession(srv);
  const u = await activeUser(srv, m.token, m.account_id, personal());
  const second = await signIn(srv, m.slug, u.username, u.password);
  expectStatus(await srv.request('GET', '/v1/me', { token: u.token }), 200);

  const del = await srv.request('DELETE', userPath(m, u.id), { token: m.token });
  expectStatus(del, 204, 'deleteUser');
  assert.equal(del.text, '');
  for (const [label, tok] of [['session 1', u.token], ['session 2', second]]) {
    expectProblem(await srv.request('GET', '/v1/me', { token: tok }), 401, 'unauthenticated', `${label} after deleteUser`);
  }
  expectProblem(await srv.request('GET', userPath(m, u.id), { token: m.token }), 404, 'not_found', 'getUser after delete');
  expectProblem(await srv.request('DELETE', userPath(m, u.id), { token: m.token }), 404, 'not_found', 'second delete');
  expectProblem(await srv.request('PATCH', userPath(m, u.id), { token: m.token, body: { name: 'x' } }), 404, 'not_found', 'update after delete');
  const list = await srv.request('GET', `${usersPath(m)}?limit=200`, { token: m.token });
  assert.ok(!list.json.items.some((x) => x.id === u.id), 'deleted user not listed');
  expectProblem(await signInRaw(srv, m.slug, u.username, u.password), 401, 'invalid_credentials', 'deleted user signs in');
  // Identifiers of a deleted user are free again.
  const again = await srv.request('POST', usersPath(m), { token: m.token, body: { username: u.username, email: u.user.email } });
  expectStatus(again, 201, 're-create with the same username and e-mail');
  assert.notEqual(again.json.id, u.id);
});

test('ACC-1 ACC-4 another account’s manager gets 404 (not 403) for these users', async () => {
  const m = await managerSession(srv);
  const other = await managerSession(srv);
  const u = await newUser(srv, m.token, m.account_id, personal());
  const c = new Checks();
  for (const [label, method, p, body] of [
    ['listUsers', 'GET', usersPath(m)],
    ['createUser', 'POST', usersPath(m), { username: `x-${uid()}` }],
    ['getUser', 'GET', userPath(m, u.id)],
    ['getUser of the manager', 'GET', userPath(m, m.user_id)],
    ['updateUser', 'PATCH', userPath(m, u.id), { name: 'Hijacked' }],
    ['deleteUser', 'DELETE', userPath(m, u.id)],
    ['getUser via own account path', 'GET', `/v1/accounts/${other.account_id}/users/${u.id}`],
    ['deleteUser via own account path', 'DELETE', `/v1/accounts/${other.account_id}/users/${u.id}`],
    ['updateUser via own account path', 'PATCH', `/v1/accounts/${other.account_id}/users/${u.id}`, { name: 'Hijacked' }],
    ['listAuditEvents', 'GET', `/v1/accounts/${m.account_id}/audit-events`],
    ['getAccountSettings', 'GET', `/v1/accounts/${m.account_id}/settings`],
  ]) {
    const res = await srv.request(method, p, { token: other.token, body });
    c.check(label, () => {
      expectProblem(res, 404, 'not_found');
      assert.ok(!res.text.includes(u.email) && !res.text.includes(u.username), 'nothing about the user leaks');
    });
  }
  // A nonexistent user in the other account looks exactly the same.
  const ghost = await srv.request('GET', userPath(m, mutateId(u.id)), { token: other.token });
  c.check('nonexistent user', () => expectProblem(ghost, 404, 'not_found'));
  c.done();
  const still = await srv.request('GET', userPath(m, u.id), { token: m.token });
  expectStatus(still, 200, 'the user is untouched');
  assert.equal(still.json.name, u.name);
});

test('unknown user id in own account → 404', async () => {
  const m = await managerSession(srv);
  const u = await newUser(srv, m.token, m.account_id, personal());
  const ghost = mutateId(u.id);
  expectProblem(await srv.request('GET', userPath(m, ghost), { token: m.token }), 404, 'not_found', `getUser ${ghost}`);
  expectProblem(await srv.request('DELETE', userPath(m, ghost), { token: m.token }), 404, 'not_found', `deleteUser ${ghost}`);
  expectProblem(await srv.request('PATCH', userPath(m, ghost), { token: m.token, body: { name: 'x' } }), 404, 'not_found', `updateUser ${ghost}`);
  // An id of the wrong shape is a malformed path (400) or simply not found (404).
  for (const id of ['does-not-exist', uid(16)]) {
    expectProblem(await srv.request('GET', userPath(m, id), { token: m.token }), [400, 404], ['invalid_request', 'not_found'], `getUser ${id}`);
  }
});

test('ACC-4 a user without a manager role cannot manage users', async (t) => {
  const m = await managerSession(srv);
  const u = await activeUser(srv, m.token, m.account_id, personal());
  const victim = await newUser(srv, m.token, m.account_id, personal());
  const c = new Checks();
  for (const [label, method, p, body] of [
    ['createUser', 'POST', usersPath(m), { username: `x-${uid()}` }],
    ['updateUser', 'PATCH', userPath(m, victim.id), { name: 'Changed' }],
    ['deleteUser', 'DELETE', userPath(m, victim.id)],
    ['updateAccountSettings', 'PATCH', `/v1/accounts/${m.account_id}/settings`, { idle_timeout_s: 900 }],
    ['listAuditEvents', 'GET', `/v1/accounts/${m.account_id}/audit-events`],
  ]) {
    const res = await srv.request(method, p, { token: u.token, body });
    c.check(label, () => expectProblem(res, [403, 404], ['forbidden', 'not_found']));
    t.diagnostic(`plain user ${label}: ${res.status}`);
  }
  c.done();
  const still = await srv.request('GET', userPath(m, victim.id), { token: m.token });
  expectStatus(still, 200);
  assert.equal(still.json.name, victim.name, describeResponse(still));
});

test('ACC-7 an operator reads a customer’s users with personal data withheld and cannot change them', async () => {
  const m = await managerSession(srv, { phone: randomPhone() });
  const fields = personal();
  const u = await newUser(srv, m.token, m.account_id, { ...fields, password: strongPassword() });
  // The operator of `strongroom init` (only this test signs in as the operator).
  const op = srv.operator;
  const first = await signIn(srv, 'platform', op.username, op.one_time_password);
  const cp = await srv.request('POST', '/v1/me/password', {
    token: first, body: { current_password: op.one_time_password, new_password: strongPassword('Operator') },
  });
  expectStatus(cp, 200, 'operator changePassword');
  const token = cp.json.token;

  // CONTRACTS.md: a caller who may read a user but has no personal-data rights
  // (operators without a grant) gets 200 with email, phone and name left out
  // and "personal_data_withheld": true.
  const secrets = [fields.email, fields.phone, fields.name, m.email, m.body.phone, m.body.name];
  const c = new Checks();
  const g = await srv.request('GET', userPath(m, u.id), { token });
  c.check('getUser', () => {
    expectStatus(g, 200, 'operator getUser');
    assert.equal(g.json.id, u.id);
    assert.equal(g.json.username, fields.username);
    assert.equal(g.json.personal_data_withheld, true, g.text);
    for (const k of ['email', 'phone', 'name']) assert.ok(!(k in g.json), `"${k}" left out: ${g.text}`);
  });
  const l = await srv.request('GET', `${usersPath(m)}?limit=200`, { token });
  c.check('listUsers', () => {
    expectStatus(l, 200, 'operator listUsers');
    assert.equal(l.json.items.length, 2, l.text);
    for (const item of l.json.items) {
      assert.equal(item.personal_data_withheld, true, JSON.stringify(item));
      for (const k of ['email', 'phone', 'name']) assert.ok(!(k in item), `"${k}" left out: ${JSON.stringify(item)}`);
    }
  });
  for (const [label, res] of [['getUser', g], ['listUsers', l]]) {
    c.check(`${label} leaks nothing`, () => {
      for (const sec of secrets) assert.ok(!res.text.includes(sec), `answer contains "${sec}"`);
    });
  }
  // May read, may not change: 403 forbidden (not 404, not 2xx).
  for (const [label, method, p, body] of [
    ['updateUser', 'PATCH', userPath(m, u.id), { name: 'Changed by staff' }],
    ['deleteUser', 'DELETE', userPath(m, u.id)],
  ]) {
    const res = await srv.request(method, p, { token, body });
    c.check(`operator ${label}`, () => expectProblem(res, 403, 'forbidden'));
  }
  c.done();
  const still = await srv.request('GET', userPath(m, u.id), { token: m.token });
  expectStatus(still, 200);
  assert.equal(still.json.name, fields.name, 'the user is untouched');
});
