// AUTH-6 with AUTH-3 and AUTH-5: a completed reset lifts a lockout; a
// password change spends reset links mailed before it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { expectProblem, expectStatus, managerSession, signIn, signInRaw, strongPassword } from '../support/api.mjs';
import { startServer } from '../support/server.mjs';
import { startSmtpSink } from '../support/smtp.mjs';

let sink;
let srv;
before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({ name: 'reset-lockout', config: `[mail]\nsmtp_url = ${sink.url}\n` });
});
after(async () => {
  await srv?.close();
  await sink?.stop();
});

async function mailedToken(m) {
  const seen = sink.messages().filter((x) => x.rcptTo.includes(m.email) && /reset/i.test(x.subject)).length;
  expectStatus(await srv.request('POST', '/v1/password-reset', { body: { account: m.slug, identifier: m.email } }), 202);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const mails = sink.messages().filter((x) => x.rcptTo.includes(m.email) && /reset/i.test(x.subject));
    if (mails.length > seen) return mails[mails.length - 1].body.match(/#token=([A-Za-z0-9_-]+)/)[1];
    assert.ok(Date.now() < deadline, 'no reset mail within 15 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('AUTH-6 AUTH-3 a completed reset lifts a lockout', async () => {
  const m = await managerSession(srv);
  for (let i = 0; i < 3; i++) expectStatus(await signInRaw(srv, m.slug, m.email, 'wrong password attempt ' + i), 401);
  expectStatus(await signInRaw(srv, m.slug, m.email, m.password), 401, 'locked after three failures');
  const token = await mailedToken(m);
  const pw = strongPassword('AfterReset');
  expectStatus(await srv.request('POST', '/v1/password-reset/complete', { body: { token, new_password: pw } }), 200);
  await signIn(srv, m.slug, m.email, pw);
});

test('AUTH-6 AUTH-5 a password change spends reset links mailed before it', async () => {
  const m = await managerSession(srv);
  const token = await mailedToken(m);
  const next = strongPassword('Changed');
  const res = await srv.request('POST', '/v1/me/password', {
    token: m.token,
    body: { current_password: m.password, new_password: next },
  });
  expectStatus(res, 200, 'changePassword');
  const late = await srv.request('POST', '/v1/password-reset/complete', {
    body: { token, new_password: strongPassword('Late') },
  });
  expectProblem(late, 400, 'invalid_token');
  await signIn(srv, m.slug, m.email, next);
});
