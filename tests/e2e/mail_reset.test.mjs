// Password reset by e-mail (AUTH-6) and outgoing mail (AUTH-9 transport):
// a real SMTP server on loopback (tests/support/smtp.mjs) receives what the
// server sends; the tests read the link out of the message and follow it.
// A second server without smtp_url writes into the Maildir DIR/mail/, and a
// third one points at a relay that is not on loopback and offers no TLS.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  describeResponse, expectProblem, expectStatus, managerSession, newUser, signIn, signInFull,
  signInRaw, strongPassword, uid,
} from '../support/api.mjs';
import { operatorSession } from '../support/access.mjs';
import { startServer } from '../support/server.mjs';
import { storeScan } from '../support/store.mjs';
import { readMaildir, startSmtpSink } from '../support/smtp.mjs';

const LIFETIME_S = 1800;

let sink;
let srv;
before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({ name: 'mail-reset', config: `[mail]\nsmtp_url = ${sink.url}\n` });
});
after(async () => {
  await srv?.close();
  await sink?.stop();
});

function requestReset(s, account, identifier) {
  return s.request('POST', '/v1/password-reset', { body: { account, identifier } });
}

function completeReset(s, token, newPassword) {
  return s.request('POST', '/v1/password-reset/complete', { body: { token, new_password: newPassword } });
}

function isResetMail(m, address) {
  return m.rcptTo.includes(address) && /reset/i.test(m.subject);
}

/** The link and token of a reset message; the token sits in the fragment only. */
function linkOf(s, m) {
  const re = new RegExp(`${s.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/reset#token=([A-Za-z0-9_-]+)`);
  const hit = m.body.match(re);
  assert.ok(hit, `no ${s.url}/reset#token=… link in the message:\n${m.raw}`);
  return { link: hit[0], token: hit[1] };
}

/** Asks for a reset of a user with an address and returns the mailed token. */
async function mailedToken(account, address) {
  const before = sink.messages().filter((m) => isResetMail(m, address)).length;
  expectStatus(await requestReset(srv, account, address), 202, 'requestPasswordReset');
  const deadline = Date.now() + 15_000;
  for (;;) {
    const mails = sink.messages().filter((m) => isResetMail(m, address));
    if (mails.length > before) return { ...linkOf(srv, mails[mails.length - 1]), mail: mails[mails.length - 1] };
    assert.ok(Date.now() < deadline, `no reset mail for ${address} within 15 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A user with an e-mail address and a password they chose → {id, username, email, password}. */
async function userWithEmail(m) {
  const email = `reset-${uid()}@example.test`;
  const initial = strongPassword('Init');
  const u = await newUser(srv, m.token, m.account_id, { email, password: initial });
  return { id: u.id, username: u.username, email, password: initial };
}

/** Status, content type and body of an answer, for "same answer" checks. */
function shape(res) {
  return { status: res.status, type: res.headers['content-type'], body: res.text };
}

test('AUTH-6 requestPasswordReset answers the same for unknown account, unknown user, user without e-mail and a real user', async () => {
  const m = await managerSession(srv);
  const noMail = await newUser(srv, m.token, m.account_id, {});
  const cases = [
    ['unknown account', `no-such-${uid()}`, m.email],
    ['unknown user', m.slug, `nobody-${uid()}@example.test`],
    ['unknown username', m.slug, `nobody-${uid()}`],
    ['user without e-mail', m.slug, noMail.username],
    ['real user', m.slug, m.email],
  ];
  const answers = [];
  for (const [label, account, identifier] of cases) {
    const res = await requestReset(srv, account, identifier);
    expectStatus(res, 202, label);
    assert.deepEqual(res.json, { status: 'accepted' }, `${label}: ${describeResponse(res)}`);
    answers.push([label, shape(res)]);
  }
  for (const [label, a] of answers) assert.deepEqual(a, answers[0][1], `${label} answers like ${answers[0][0]}`);
  // Only the real user gets a message.
  const mail = await sink.waitFor((x) => isResetMail(x, m.email));
  assert.ok(mail);
  // Bad shapes are the only other answers: 422 for missing fields, 400 for unknown ones.
  expectProblem(await srv.request('POST', '/v1/password-reset', { body: { account: m.slug } }), 422, 'validation_failed');
  expectProblem(await srv.request('POST', '/v1/password-reset', { body: { account: m.slug, identifier: 'x', extra: 1 } }), 400, 'unknown_field');
});

test('AUTH-6 the reset mail carries a public_url link with the token in the fragment; following it sets the password and ends every session', async () => {
  const m = await managerSession(srv);
  const u = await userWithEmail(m);
  // Two sessions of the user (the initial password still has to be changed).
  const s1 = await signInFull(srv, m.slug, u.email, u.password);
  assert.equal(s1.json.password_change_required, true);
  const s2 = await signIn(srv, m.slug, u.username, u.password);

  const { link, token, mail } = await mailedToken(m.slug, u.email);
  assert.ok(link.startsWith(`${srv.url}/reset#token=`), link);
  assert.match(token, /^[A-Za-z0-9_-]{43}$/, '256-bit token, base64url');
  assert.ok(!/[?&]token=/.test(mail.body), 'the token travels only in the fragment');
  assert.ok(mail.rcptTo.includes(u.email), `envelope recipient: ${mail.rcptTo}`);
  assert.ok(mail.to.includes(u.email), `To: ${mail.to}`);
  assert.match(mail.from, /Strongroom <no-reply@localhost>/);
  assert.match(mail.headers['content-type'] || '', /^text\/plain; charset=utf-8$/i);
  assert.ok(mail.headers.date && !Number.isNaN(Date.parse(mail.headers.date)), `Date: ${mail.headers.date}`);
  assert.match(mail.headers['message-id'] || '', /^<[0-9a-f]{32}@localhost>$/);

  // The page the link opens: HTML under the web CSP, no referrer, its script separate.
  const page = await srv.request('GET', '/reset');
  expectStatus(page, 200, 'getResetPage');
  assert.match(page.headers['content-type'], /^text\/html/);
  assert.match(page.headers['content-security-policy'], /script-src 'self'/);
  assert.equal(page.headers['referrer-policy'], 'no-referrer');
  assert.equal(page.headers['cache-control'], 'no-store');
  assert.ok(page.text.includes('src="/reset.js"'));
  assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(page.text), 'no inline script');
  assert.ok(!/\son[a-z]+\s*=/i.test(page.text), 'no inline event handlers');
  const js = await srv.request('GET', '/reset.js');
  expectStatus(js, 200, 'getResetScript');
  assert.match(js.headers['content-type'], /^text\/javascript/);
  assert.ok(js.text.includes('history.replaceState') && js.text.includes('/v1/password-reset/complete'));

  // Follow the link as the page does.
  const next = strongPassword('Reset');
  const done = await completeReset(srv, token, next);
  expectStatus(done, 200, 'completePasswordReset');
  assert.deepEqual(done.json, { status: 'password_changed' });

  for (const [label, t] of [['first session', s1.json.token], ['second session', s2]]) {
    expectProblem(await srv.request('GET', '/v1/me', { token: t }), 401, 'unauthenticated', `${label} after the reset`);
  }
  expectProblem(await signInRaw(srv, m.slug, u.email, u.password), 401, 'invalid_credentials', 'old password');
  const fresh = await signInFull(srv, m.slug, u.email, next);
  assert.equal(fresh.json.password_change_required, false, 'a reset clears the forced change');
  expectStatus(await srv.request('GET', '/v1/me', { token: fresh.json.token }), 200, 'new session works');

  // The user is told, and the account's audit trail has both steps.
  await sink.waitFor((x) => x.rcptTo.includes(u.email) && /password was changed/i.test(x.subject));
  const audit = await srv.request('GET', `/v1/accounts/${m.account_id}/audit-events?limit=200`, { token: m.token });
  expectStatus(audit, 200, 'listAuditEvents');
  const mine = audit.json.items.filter((e) => e.target_id === u.id);
  for (const action of ['requestPasswordReset', 'completePasswordReset']) {
    assert.ok(mine.some((e) => e.action === action && e.outcome === 'success'),
      `audit lacks ${action}: ${JSON.stringify(mine)}`);
  }
});

test('AUTH-6 a reset token works once; the second use gets invalid_token', async () => {
  const m = await managerSession(srv);
  const { token } = await mailedToken(m.slug, m.email);
  const first = strongPassword('One');
  expectStatus(await completeReset(srv, token, first), 200, 'first use');
  const again = await completeReset(srv, token, strongPassword('Two'));
  expectProblem(again, 400, 'invalid_token', 'second use');
  await signIn(srv, m.slug, m.email, first); // the second use changed nothing
});

test('AUTH-6 a link mailed before its user was blocked no longer works; a blocked user gets no new link', async () => {
  const m = await managerSession(srv);
  const u = await userWithEmail(m);
  const { token } = await mailedToken(m.slug, u.email);
  const op = await operatorSession(srv);
  expectStatus(await srv.request('POST', `/v1/accounts/${m.account_id}/users/${u.id}/block`, { token: op.token }),
    [200, 204], 'blockUser');
  expectProblem(await completeReset(srv, token, strongPassword('Blocked')), 400, 'invalid_token', 'link of a blocked user');
  const before = sink.messages().filter((x) => isResetMail(x, u.email)).length;
  expectStatus(await requestReset(srv, m.slug, u.email), 202, 'requestPasswordReset for a blocked user');
  // Mail goes out in order: once a later request's mail is here, one for
  // the blocked user would have come too.
  await mailedToken(m.slug, m.email);
  assert.equal(sink.messages().filter((x) => isResetMail(x, u.email)).length, before, 'a blocked user got a new reset mail');
  expectStatus(await srv.request('POST', `/v1/accounts/${m.account_id}/users/${u.id}/unblock`, { token: op.token }),
    [200, 204], 'unblockUser');
  await signIn(srv, m.slug, u.email, u.password); // the old password still stands
});

test('AUTH-6 a link mailed before its account was blocked no longer works', async () => {
  const m = await managerSession(srv);
  const { token } = await mailedToken(m.slug, m.email);
  const op = await operatorSession(srv);
  expectStatus(await srv.request('POST', `/v1/accounts/${m.account_id}/block`, { token: op.token }), [200, 204], 'blockAccount');
  expectProblem(await completeReset(srv, token, strongPassword('Blocked')), 400, 'invalid_token', 'link in a blocked account');
  expectStatus(await srv.request('POST', `/v1/accounts/${m.account_id}/unblock`, { token: op.token }), [200, 204], 'unblockAccount');
  // Refused, not spent: once the account is unblocked the link works again.
  const pw = strongPassword('After');
  expectStatus(await completeReset(srv, token, pw), 200, 'the link after unblockAccount');
  await signIn(srv, m.slug, m.email, pw);
});

test('AUTH-6 a reset token expires after 1800 s', async () => {
  const m = await managerSession(srv);
  const late = await mailedToken(m.slug, m.email);
  const inTime = await mailedToken(m.slug, m.email);
  srv.advanceClock(LIFETIME_S - 10);
  const pw = strongPassword('InTime');
  expectStatus(await completeReset(srv, inTime.token, pw), 200, 'used 10 s before expiry');
  const l2 = await mailedToken(m.slug, m.email);
  srv.advanceClock(LIFETIME_S + 1);
  expectProblem(await completeReset(srv, l2.token, strongPassword('Late')), 400, 'invalid_token', 'used 1801 s after issue');
  expectProblem(await completeReset(srv, late.token, strongPassword('Late')), 400, 'invalid_token', 'older token');
  await signIn(srv, m.slug, m.email, pw);
});

test('AUTH-6 forged and malformed tokens get the same invalid_token as used ones', async () => {
  const m = await managerSession(srv);
  const { token } = await mailedToken(m.slug, m.email);
  expectStatus(await completeReset(srv, token, strongPassword('Used')), 200, 'spend it');
  const flipped = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
  const answers = [];
  for (const [label, t] of [
    ['used', token],
    ['one character changed', flipped],
    ['random', crypto.randomBytes(32).toString('base64url')],
    ['short', 'abc'],
    ['a session-like token', `EU.${crypto.randomBytes(32).toString('base64url')}`],
  ]) {
    const res = await completeReset(srv, t, strongPassword('Forged'));
    expectProblem(res, 400, 'invalid_token', label);
    answers.push([label, shape(res)]);
  }
  for (const [label, a] of answers) assert.deepEqual(a, answers[0][1], `${label} answers like a used token`);
});

test('AUTH-6 a weak new password is refused under the policy and the token stays usable', async () => {
  const m = await managerSession(srv);
  const { token } = await mailedToken(m.slug, m.email);
  expectProblem(await completeReset(srv, token, 'short'), 422, 'password_policy', 'too short');
  expectProblem(await completeReset(srv, token, 'x'.repeat(1025)), 422, 'password_policy', 'over 1024 bytes');
  expectStatus(await completeReset(srv, token, strongPassword('Good')), 200, 'then a good one');
});

test('AUTH-6 at most 3 live reset links per user; more requests answer the same and send nothing', async () => {
  const m = await managerSession(srv);
  const u = await userWithEmail(m);
  const answers = [];
  for (let i = 0; i < 5; i++) answers.push(shape(await requestReset(srv, m.slug, u.email)));
  for (const a of answers) assert.deepEqual(a, answers[0]);
  await sink.waitFor(() => sink.messages().filter((x) => isResetMail(x, u.email)).length >= 3);
  await new Promise((r) => setTimeout(r, 2500)); // two more delivery rounds (real time)
  assert.equal(sink.messages().filter((x) => isResetMail(x, u.email)).length, 3);
});

test('AUTH-6 the data directory holds no reset token and no e-mail address in clear; logs neither', async () => {
  const m = await managerSession(srv);
  const u = await userWithEmail(m);
  const { token } = await mailedToken(m.slug, u.email);
  // A second request whose message stays queued would also be sealed; the
  // delivered one is gone from the outbox. Either way nothing is in clear.
  // Every file of the data directory and, on PostgreSQL, of the cluster.
  const { dbFiles, hits } = await storeScan(srv, [token, u.email]);
  assert.ok(dbFiles.length > 0, 'the region databases are there');
  assert.deepEqual(hits, [], 'a reset token or e-mail address in clear');
  assert.ok(!srv.logs().includes(token), 'token in the server log');
  assert.ok(!srv.logs().includes(u.email), 'address in the server log');
});

test('AUTH-6 without smtp_url the reset mail lands in the Maildir DIR/mail/new', async () => {
  const s = await startServer({ name: 'mail-maildir' });
  try {
    const m = await managerSession(s);
    expectStatus(await requestReset(s, m.slug, m.email), 202);
    const dir = path.join(s.dataDir, 'mail');
    const deadline = Date.now() + 15_000;
    let mail;
    while (!(mail = readMaildir(dir).find((x) => x.to.includes(m.email) && /reset/i.test(x.subject)))) {
      assert.ok(Date.now() < deadline, 'no message in DIR/mail/new within 15 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(mail.file.includes(`${path.sep}new${path.sep}`), mail.file);
    // Other mail (e.g. the new-browser notice) may be mid-delivery: tmp/ must drain.
    const tmpDeadline = Date.now() + 5_000;
    while (fs.readdirSync(path.join(dir, 'tmp')).length > 0 && Date.now() < tmpDeadline)
      await new Promise((r) => setTimeout(r, 50));
    assert.equal(fs.readdirSync(path.join(dir, 'tmp')).length, 0, 'nothing left in tmp/');
    assert.equal(fs.statSync(mail.file).mode & 0o077, 0, 'private to the server user');
    const { token } = linkOf(s, mail);
    const pw = strongPassword('Maildir');
    expectStatus(await completeReset(s, token, pw), 200, 'completePasswordReset');
    await signIn(s, m.slug, m.email, pw);
  } finally {
    await s.close();
  }
});

function nonLoopbackIPv4() {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list || []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}

/** A relay that speaks SMTP but offers no STARTTLS; records what it is told. */
function plainRelay(host) {
  const seen = [];
  const server = net.createServer((sock) => {
    sock.setEncoding('utf8');
    sock.write('220 plain.example.test ESMTP\r\n');
    let buf = '';
    let inData = false;
    sock.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) { if (line === '.') { inData = false; sock.write('250 OK\r\n'); } else seen.push(`DATA:${line}`); continue; }
        seen.push(line);
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO') sock.write('250-plain.example.test\r\n250 SIZE 1000000\r\n');
        else if (cmd === 'QUIT') { sock.write('221 bye\r\n'); sock.end(); }
        else if (cmd === 'DATA') { inData = true; sock.write('354 go on\r\n'); }
        else sock.write('250 OK\r\n');
      }
    });
    sock.on('error', () => {});
  });
  return new Promise((resolve) => server.listen(0, host, () => resolve({ server, port: server.address().port, seen })));
}

test('AUTH-9 a relay that is not on loopback must offer TLS: without STARTTLS it gets no mail; OPS-2 the failure shows in getMetrics and the log', async (t) => {
  const ip = nonLoopbackIPv4();
  if (!ip) { t.skip('no non-loopback IPv4 address on this machine'); return; }
  const relay = await plainRelay(ip);
  const s = await startServer({ name: 'mail-notls', config: `[mail]\nsmtp_url = smtp://${ip}:${relay.port}\n` });
  try {
    const m = await managerSession(s);
    expectStatus(await requestReset(s, m.slug, m.email), 202);
    const deadline = Date.now() + 15_000;
    while (!relay.seen.some((l) => /^EHLO/i.test(l))) {
      assert.ok(Date.now() < deadline, 'the server never tried the relay');
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(!relay.seen.some((l) => /^(MAIL|RCPT|DATA)/i.test(l)),
      `plain relay off loopback was given the message: ${JSON.stringify(relay.seen)}`);
    assert.ok(!relay.seen.join('\n').includes(m.email), 'the address never crossed in clear');
    // OPS-2: the operator sees the failed attempt in getMetrics and the log,
    // without the address.
    const op = await operatorSession(s);
    let metrics = '';
    while (!/strongroom_mail_attempts_total\{outcome="retry"\} [1-9]/.test(metrics)) {
      assert.ok(Date.now() < deadline, `no failed mail attempt in getMetrics:\n${metrics}`);
      metrics = (await s.request('GET', '/v1/metrics', { token: op.token })).text;
      await new Promise((r) => setTimeout(r, 50));
    }
    const line = s.logs().split('\n').find((l) => l.includes('"mail delivery failed"'));
    assert.ok(line, 'no "mail delivery failed" log line');
    assert.ok(!line.includes(m.email), 'the failure log line names the address');
  } finally {
    await s.close();
    relay.server.close();
  }
});
