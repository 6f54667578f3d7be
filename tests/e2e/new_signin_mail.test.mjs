// AUTH-9: a sign-in from a browser the user never used is told by e-mail;
// a browser carrying its device cookie from an earlier sign-in is not.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { parseSetCookies, signInFull, signupAccount } from '../support/api.mjs';
import { startServer } from '../support/server.mjs';
import { startSmtpSink } from '../support/smtp.mjs';

let sink;
let srv;

before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({ name: 'new-signin', config: `[mail]\nsmtp_url = smtp://127.0.0.1:${sink.port}\n` });
});

after(async () => {
  await srv?.close();
  await sink?.stop();
});

test('AUTH-9 a sign-in from a new browser mails the user; a known browser does not', async () => {
  const acct = await signupAccount(srv);
  const firefox = { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' };
  const first = await signInFull(srv, acct.slug, acct.email, acct.password, { headers: firefox });
  const notice = await sink.waitFor((m) => m.to.includes(acct.email) && /new sign-in/i.test(m.subject));
  assert.match(notice.body, /Firefox on Linux from 127\.0\.0\.0\/24/);
  assert.doesNotMatch(notice.raw, new RegExp(acct.password), 'no password in the notice');

  const device = parseSetCookies(first).find((c) => c.name === '__Host-sr_device');
  assert.ok(device, 'the first sign-in remembers this browser');
  const before = sink.messages().filter((m) => m.to.includes(acct.email)).length;
  await signInFull(srv, acct.slug, acct.email, acct.password, {
    headers: { ...firefox, Cookie: `__Host-sr_device=${device.value}` },
  });
  // Give the outbox a moment to deliver anything it (wrongly) queued.
  await new Promise((r) => setTimeout(r, 2500));
  const newer = sink.messages().filter((m) => m.to.includes(acct.email) && /new sign-in/i.test(m.subject));
  assert.equal(newer.length, 1, 'the known browser caused no second notice');
  assert.ok(sink.messages().filter((m) => m.to.includes(acct.email)).length >= before);
});
