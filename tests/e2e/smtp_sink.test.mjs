// Smoke test of the test SMTP sink itself (tests/support/smtp.mjs): later
// suites rely on it to read the mail the server sends.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';

import { uid } from '../support/api.mjs';
import { startSmtpSink } from '../support/smtp.mjs';

let sink;
before(async () => { sink = await startSmtpSink(); });
after(async () => { await sink?.stop(); });

/** Minimal SMTP client: one message, no pipelining. */
function sendMail(port, from, to, data) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const steps = [
      [null, 220],
      ['EHLO test.local', 250],
      [`MAIL FROM:<${from}>`, 250],
      [`RCPT TO:<${to}>`, 250],
      ['DATA', 354],
      [`${data.replace(/\r?\n/g, '\r\n')}\r\n.`, 250],
      ['QUIT', 221],
    ];
    let buf = '';
    let i = 0;
    sock.setEncoding('utf8');
    sock.setTimeout(10_000, () => sock.destroy(new Error('SMTP timeout')));
    const next = () => {
      i += 1;
      if (i >= steps.length) { sock.end(); resolve(); return; }
      sock.write(`${steps[i][0]}\r\n`);
    };
    sock.on('data', (d) => {
      buf += d;
      // A reply is complete when a line has "NNN " (space after the code).
      const lines = buf.split('\r\n');
      const last = lines.findLast((l) => /^\d{3} /.test(l));
      if (!last) return;
      buf = '';
      const code = Number(last.slice(0, 3));
      if (code !== steps[i][1]) { sock.destroy(); reject(new Error(`SMTP step ${i}: expected ${steps[i][1]}, got ${last}`)); return; }
      next();
    });
    sock.on('error', reject);
  });
}

test('SMTP sink stores a delivered message in its Maildir', async () => {
  const tag = uid();
  const to = `rcpt-${tag}@example.test`;
  await sendMail(sink.port, 'sender@example.test', to,
    `From: sender@example.test\nTo: ${to}\nSubject: sink smoke ${tag}\n\nhello ${tag}\n`);
  const m = await sink.waitFor((x) => x.subject === `sink smoke ${tag}`);
  assert.equal(m.to, to);
  assert.ok(m.rcptTo.includes(to), `envelope recipient recorded: ${m.rcptTo}`);
  assert.match(m.body, new RegExp(`hello ${tag}`));
  assert.equal(sink.messages().length, 1);
});
