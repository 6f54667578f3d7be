// A real SMTP server on loopback for the e2e tests (tests/support/smtp_sink.py,
// aiosmtpd under /usr/bin/python3) writing every message to a Maildir.
//
//   const sink = await startSmtpSink();
//   // config: `[mail]\nsmtp_url = smtp://127.0.0.1:${sink.port}\n`
//   sink.messages() → [{file, raw, headers, subject, from, to, rcptTo, body}]
//   await sink.waitFor((m) => m.to.includes(addr))
//   await sink.stop()

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { freePort } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = process.env.STRONGROOM_SINK_PYTHON || '/usr/bin/python3';

/** Parses an RFC 5322 message (headers unfolded, lower-cased names; body as text). */
export function parseMessage(raw) {
  const sep = raw.search(/\r?\n\r?\n/);
  const head = sep < 0 ? raw : raw.slice(0, sep);
  const body = sep < 0 ? '' : raw.slice(sep).replace(/^\r?\n\r?\n/, '');
  const headers = {};
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const k = line.slice(0, i).trim().toLowerCase();
    const v = line.slice(i + 1).trim();
    headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
  }
  return {
    raw,
    headers,
    subject: headers.subject || '',
    from: headers.from || '',
    to: headers.to || '',
    rcptTo: headers['x-sink-rcpt-to'] || '',
    body,
  };
}

/** Reads every message of a Maildir (new/ and cur/), oldest first. */
export function readMaildir(dir) {
  const out = [];
  for (const sub of ['new', 'cur']) {
    const d = path.join(dir, sub);
    if (!fs.existsSync(d)) continue;
    for (const f of fs.readdirSync(d)) {
      const file = path.join(d, f);
      const st = fs.statSync(file);
      if (!st.isFile()) continue;
      out.push({ file, mtime: st.mtimeMs, ...parseMessage(fs.readFileSync(file, 'utf8')) });
    }
  }
  out.sort((a, b) => a.mtime - b.mtime || a.file.localeCompare(b.file));
  return out;
}

export async function startSmtpSink() {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'sr-e2e-smtp-'));
  const maildir = path.join(base, 'Maildir');
  const port = await freePort();
  let stderr = '';
  const child = spawn(PYTHON, [path.join(here, 'smtp_sink.py'), maildir, String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const killOnExit = () => { try { child.kill('SIGKILL'); } catch { /* gone */ } };
  process.on('exit', killOnExit);

  await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`SMTP sink not ready after 15 s:\n${stderr}`)), 15_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('READY')) { clearTimeout(timer); resolve(); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`SMTP sink exited (${code}):\n${stderr}`)); });
  });

  return {
    port,
    maildir,
    url: `smtp://127.0.0.1:${port}`,
    messages: () => readMaildir(maildir),
    logs: () => stderr,
    /** Waits (real time: mail delivery, not policy time) for a message matching pred. */
    async waitFor(pred = () => true, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = readMaildir(maildir).find(pred);
        if (m) return m;
        if (Date.now() > deadline) throw new Error(`no matching message in the SMTP sink after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const t = setTimeout(killOnExit, 10_000);
      await exited;
      clearTimeout(t);
      if (!process.env.STRONGROOM_KEEP_DATA) fs.rmSync(base, { recursive: true, force: true });
    },
  };
}
