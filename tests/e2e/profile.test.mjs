// Self-service profile changes and activity (AUTH-5, AUTH-9): updateMe
// with re-authentication for e-mail and phone, the verification link to a
// new address and the notice to the old one (read from a real SMTP server
// on loopback), verifyEmail, and listMyActivity.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  Checks, activeUser, describeResponse, expectProblem, expectStatus, expectValidation,
  managerSession, randomPhone, signIn, signInFull, signInRaw, strongPassword, uid,
} from '../support/api.mjs';
import { startServer } from '../support/server.mjs';
import { startSmtpSink } from '../support/smtp.mjs';

let sink;
let srv;
before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({ name: 'profile', config: `[mail]\nsmtp_url = ${sink.url}\n` });
});
after(async () => {
  await srv?.close();
  await sink?.stop();
});

const REAUTH_WINDOW_S = 300;

function updateMe(token, body) {
  return srv.request('PATCH', '/v1/me', { token, body });
}

function verifyEmail(token) {
  return srv.request('POST', '/v1/me/email/verify', { body: { token } });
}

async function activity(token, query = '') {
  const res = await srv.request('GET', `/v1/me/activity${query}`, { token });
  expectStatus(res, 200, 'listMyActivity');
  return res;
}

function mailTo(address, pred = () => true) {
  return sink.waitFor((m) => m.rcptTo.includes(address) && pred(m));
}

function verifyTokenOf(m) {
  const re = new RegExp(`${srv.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/verify-email#token=([A-Za-z0-9_-]+)`);
  const hit = m.body.match(re);
  assert.ok(hit, `no ${srv.url}/verify-email#token=… link in:\n${m.raw}`);
  return hit[1];
}

/** Lets the sign-in of `token` age past the re-authentication window. */
function ageSession() {
  srv.advanceClock(REAUTH_WINDOW_S + 60);
}

test('AUTH-5 a password change is recorded in listMyActivity, without personal data', async () => {
  const m = await managerSession(srv);
  const next = strongPassword('Act');
  const res = await srv.request('POST', '/v1/me/password', { token: m.token, body: { current_password: m.password, new_password: next } });
  expectStatus(res, 200);
  const act = await activity(res.json.token);
  const items = act.json.items;
  assert.ok(Array.isArray(items) && 'next_cursor' in act.json, describeResponse(act));
  const change = items.find((e) => e.action === 'changePassword');
  assert.ok(change, `changePassword in the activity: ${act.text.slice(0, 1500)}`);
  assert.equal(change.outcome, 'success');
  assert.equal(change.by_self, true);
  assert.ok(typeof change.time === 'string' && typeof change.id === 'string');
  assert.ok(items.some((e) => e.action === 'createSession' && e.outcome === 'success'), 'the sign-in is there too');
  // Newest first.
  const times = items.map((e) => Date.parse(e.time));
  assert.deepEqual(times, [...times].sort((a, b) => b - a));
  for (const secret of [m.email, m.password, next, res.json.token]) {
    assert.ok(!act.text.includes(secret), 'no personal data or secrets in the activity');
  }
  // Paging.
  const page = await activity(res.json.token, '?limit=1');
  assert.equal(page.json.items.length, 1);
  assert.equal(typeof page.json.next_cursor, 'string');
  const page2 = await activity(res.json.token, `?limit=1&cursor=${page.json.next_cursor}`);
  assert.notEqual(page2.json.items[0].id, page.json.items[0].id);
  expectProblem(await srv.request('GET', '/v1/me/activity?cursor=abc', { token: res.json.token }), 400, 'invalid_request');
});

test('AUTH-5 a failed sign-in and a change by a manager appear in the activity of the user; events of other users do not', async () => {
  const m = await managerSession(srv);
  const u = await activeUser(srv, m.token, m.account_id, {});
  const other = await activeUser(srv, m.token, m.account_id, {});
  expectProblem(await signInRaw(srv, m.account_id, u.username, `${u.password}-wrong`), 401, 'invalid_credentials');
  expectStatus(await srv.request('PATCH', `/v1/accounts/${m.account_id}/users/${u.id}`, { token: m.token, body: { name: 'Renamed' } }), 200);
  const act = await activity(u.token);
  const failed = act.json.items.find((e) => e.action === 'createSession' && e.outcome === 'failure');
  assert.ok(failed, `failed sign-in shown: ${act.text.slice(0, 1500)}`);
  const byManager = act.json.items.find((e) => e.action === 'updateUser');
  assert.ok(byManager, 'the manager\'s change is shown');
  assert.equal(byManager.by_self, false);
  assert.equal(byManager.client_ip_prefix, null, 'no one else\'s address prefix');
  const theirs = await activity(other.token);
  assert.ok(!theirs.json.items.some((e) => e.id === failed.id), 'another user does not see it');
});

test('AUTH-9 changing e-mail or phone needs re-authentication; the name does not', async () => {
  const m = await managerSession(srv);
  const token = m.token;
  ageSession();
  const c = new Checks();
  for (const [label, body] of [
    ['email without password', { email: `new-${uid()}@example.test` }],
    ['phone without password', { phone: randomPhone() }],
    ['email with a wrong password', { email: `new-${uid()}@example.test`, current_password: `${m.password}x` }],
    ['removing the e-mail', { email: null }],
  ]) {
    const res = await updateMe(token, body);
    c.check(label, () => expectProblem(res, 403, 'reauthentication_required'));
  }
  c.done();
  const named = await updateMe(token, { name: 'New Name' });
  expectStatus(named, 200, 'name needs no re-authentication');
  assert.equal(named.json.name, 'New Name');
  const me = await srv.request('GET', '/v1/me', { token });
  assert.equal(me.json.email, m.email, 'e-mail unchanged');
  const withPw = await updateMe(token, { phone: randomPhone(), current_password: m.password });
  expectStatus(withPw, 200, 'phone with the current password');
  // A fresh sign-in counts as re-authentication for 5 minutes.
  const fresh = await signIn(srv, m.slug, m.email, m.password);
  expectStatus(await updateMe(fresh, { phone: randomPhone() }), 200, 'phone right after sign-in');
  const act = await activity(fresh);
  assert.ok(act.json.items.some((e) => e.action === 'updateMe' && e.outcome === 'denied'), 'refused attempts are recorded');
});

test('AUTH-9 a new e-mail is announced to the old and the new address and works for sign-in only once verified', async () => {
  const m = await managerSession(srv);
  const newAddr = `moved-${uid()}@example.test`;
  const res = await updateMe(m.token, { email: newAddr });
  expectStatus(res, 200, 'updateMe email');
  assert.equal(res.json.email, m.email, 'the old address stays until verified');
  assert.equal(res.json.email_verification_pending, true);

  const toNew = await mailTo(newAddr, (x) => /confirm/i.test(x.subject));
  const token = verifyTokenOf(toNew);
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.ok(!/[?&]token=/.test(toNew.body), 'the token travels in the fragment only');
  const toOld = await mailTo(m.email, (x) => /e-mail address was changed/i.test(x.subject));
  assert.ok(!toOld.body.includes(token), 'the old address does not get the link');

  // Not yet usable for sign-in (nor for reset, which looks up the same index).
  expectProblem(await signInRaw(srv, m.slug, newAddr, m.password), 401, 'invalid_credentials', 'unverified address');
  await signIn(srv, m.slug, m.email, m.password);

  const v = await verifyEmail(token);
  expectStatus(v, 200, 'verifyEmail');
  assert.deepEqual(v.json, { verified: true });
  const t2 = await signIn(srv, m.slug, newAddr, m.password);
  expectProblem(await signInRaw(srv, m.slug, m.email, m.password), 401, 'invalid_credentials', 'old address after the change');
  const me = await srv.request('GET', '/v1/me', { token: t2 });
  assert.equal(me.json.email, newAddr);
  expectProblem(await verifyEmail(token), 400, 'invalid_token', 'the link is single use');
  const act = await activity(t2);
  for (const a of ['requestEmailChange', 'verifyEmail']) {
    assert.ok(act.json.items.some((e) => e.action === a && e.outcome === 'success'), `${a} in the activity`);
  }
  assert.ok(!act.text.includes(newAddr) && !act.text.includes(m.email), 'no addresses in the activity');
});

test('AUTH-9 a phone change is mailed to the account e-mail address and recorded', async () => {
  const m = await managerSession(srv);
  const phone = randomPhone();
  const res = await updateMe(m.token, { phone });
  expectStatus(res, 200);
  assert.equal(res.json.phone, phone);
  const mail = await mailTo(m.email, (x) => /phone number was changed/i.test(x.subject));
  assert.ok(!mail.body.includes(phone), 'the number itself is not mailed');
  await signIn(srv, m.slug, phone, m.password);
  const act = await activity(m.token);
  assert.ok(act.json.items.some((e) => e.action === 'changePhone'), act.text.slice(0, 1500));
  expectProblem(await updateMe(m.token, { phone: '0612345678' }), 422, 'invalid_phone');
});

test('AUTH-9 updateMe and verifyEmail refuse bad input', async () => {
  const m = await managerSession(srv);
  const c = new Checks();
  for (const [label, body, status, code] of [
    ['empty body', {}, 422, 'validation_failed'],
    ['unknown field', { username: 'x' }, 400, 'unknown_field'],
    ['email not an address', { email: 'not-an-address' }, 422, 'validation_failed'],
    ['name a number', { name: 5 }, 422, 'validation_failed'],
    ['current_password empty', { name: 'x', current_password: '' }, 422, 'validation_failed'],
    ['current_password over 1024 bytes', { name: 'x', current_password: 'p'.repeat(1025) }, 422, 'validation_failed'],
  ]) {
    const res = await updateMe(m.token, body);
    c.check(label, () => expectProblem(res, status, code, label));
  }
  for (const [label, body, status, code] of [
    ['forged token', { token: 'A'.repeat(43) }, 400, 'invalid_token'],
    ['empty token', { token: '' }, 422, 'validation_failed'],
    ['no token', {}, 422, 'validation_failed'],
    ['token too long', { token: 'A'.repeat(300) }, 422, 'validation_failed'],
  ]) {
    const res = await srv.request('POST', '/v1/me/email/verify', { body });
    c.check(label, () => expectProblem(res, status, code, label));
  }
  c.done();
  expectProblem(await srv.request('PATCH', '/v1/me', { body: { name: 'x' } }), 401, 'unauthenticated');
  expectProblem(await srv.request('GET', '/v1/me/activity'), 401, 'unauthenticated');
});

test('AUTH-9 the verification link opens a page whose script sends the token from the fragment only', async () => {
  const page = await srv.request('GET', '/verify-email');
  expectStatus(page, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
  assert.equal(page.headers['referrer-policy'], 'no-referrer');
  assert.ok(page.text.includes('/verify-email.js'));
  const js = await srv.request('GET', '/verify-email.js');
  expectStatus(js, 200);
  assert.match(String(js.headers['content-type']), /^text\/javascript/);
  assert.ok(js.text.includes('location.hash') && js.text.includes('replaceState') && js.text.includes('/v1/me/email/verify'));
});

// Last: moves the clock a day forward.
test('AUTH-9 a verification link expires after 24 hours', async () => {
  const m = await managerSession(srv);
  const newAddr = `late-${uid()}@example.test`;
  expectStatus(await updateMe(m.token, { email: newAddr }), 200);
  const token = verifyTokenOf(await mailTo(newAddr));
  srv.advanceClock(24 * 3600 + 1);
  expectProblem(await verifyEmail(token), 400, 'invalid_token', 'expired link');
  await signIn(srv, m.slug, m.email, m.password);
  expectProblem(await signInRaw(srv, m.slug, newAddr, m.password), 401, 'invalid_credentials');
});
