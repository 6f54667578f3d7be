// Canary recording for the secrets-hygiene scan (issue 6, DATA-5). When
// STRONGROOM_E2E_ARTIFACTS=DIR is set, server.mjs keeps every server's data
// dir and logs under DIR/servers/ and calls these helpers with every request
// it sends and every answer it gets; each password, token, secret, one-time
// password, recovery code, challenge and personal value (e-mail, phone, name,
// company) is appended to DIR/canaries.txt as `kind<TAB>JSON string`.
// tests/security/hygiene_scan.sh then looks for each of them in the logs and
// data dirs. Without the variable everything here is a no-op.

import fs from 'node:fs';
import path from 'node:path';

export const artifactsDir = process.env.STRONGROOM_E2E_ARTIFACTS
  ? path.resolve(process.env.STRONGROOM_E2E_ARTIFACTS) : null;

const SECRET_KEYS = new Map([
  ['password', 'password'], ['new_password', 'password'], ['current_password', 'password'],
  ['one_time_password', 'one_time_password'], ['token', 'token'], ['csrf_token', 'token'],
  ['secret', 'secret'], ['challenge', 'token'], ['recovery_codes', 'recovery_code'],
  ['code', 'code'],
]);
const PERSONAL_KEYS = new Map([['email', 'email'], ['phone', 'phone'], ['company', 'company']]);
// `name` is personal only on users and accounts (channels and API keys have names too).
const NAME_PATHS = /^\/v1\/(accounts(\/[^/]+\/users(\/.*)?)?|me(\/.*)?)$/;

const seen = new Set();
let file = null;

function write(kind, value) {
  if (!artifactsDir || typeof value !== 'string' || value.length === 0) return;
  const key = `${kind}\t${value}`;
  if (seen.has(key)) return;
  seen.add(key);
  if (file === null) {
    fs.mkdirSync(artifactsDir, { recursive: true });
    file = path.join(artifactsDir, 'canaries.txt');
  }
  // One short append per line: lines from parallel test files do not interleave.
  fs.appendFileSync(file, `${kind}\t${JSON.stringify(value)}\n`);
}

/** Records one value under a kind (e.g. 'password'). */
export function recordCanary(kind, value) {
  write(kind, value);
}

// `code` is a TOTP or recovery code in a request, but a problem code in an answer.
function walk(obj, names, answer, depth = 0) {
  if (depth > 8 || obj === null || typeof obj !== 'object') return;
  if (Array.isArray(obj)) {
    for (const x of obj) walk(x, names, answer, depth + 1);
    return;
  }
  for (const [k, v] of Object.entries(obj)) {
    if (answer && k === 'code') continue;
    // Personal values come from requests: in answers they are echoes of what
    // the suite sent, or built-ins such as the platform account ("Platform").
    const personal = answer ? null : PERSONAL_KEYS.get(k) || (k === 'name' && names ? 'name' : null);
    const kind = SECRET_KEYS.get(k) || personal;
    if (kind && typeof v === 'string') write(kind, v);
    else if (kind && Array.isArray(v)) for (const x of v) if (typeof x === 'string') write(kind, x);
    else if (!answer && k === 'identifier' && typeof v === 'string' && /@|^\+\d/.test(v)) write(v.includes('@') ? 'email' : 'phone', v);
    if (v && typeof v === 'object') walk(v, names, answer, depth + 1);
  }
}

/**
 * Records the canaries of a request (body object or raw JSON, bearer token,
 * cookie). `o.canaries === false` skips it: the hostile-input suite sends
 * SQL fragments and filler, not secrets or personal data, and some of them
 * are rightly stored in clear (channel names).
 */
export function recordRequest(method, urlPath, o = {}) {
  if (!artifactsDir || o.canaries === false) return;
  const p = String(urlPath).split('?')[0];
  const names = NAME_PATHS.test(p);
  let body = o.body;
  if (body === undefined && o.rawBody !== undefined) {
    try { body = JSON.parse(Buffer.isBuffer(o.rawBody) ? o.rawBody.toString('utf8') : String(o.rawBody)); } catch { body = undefined; }
  }
  if (body && typeof body === 'object') walk(body, names, false);
  if (typeof o.token === 'string') write('token', o.token);
  if (typeof o.cookie === 'string') write('token', o.cookie.includes('=') ? o.cookie.split('=').slice(1).join('=').split(';')[0] : o.cookie);
  const auth = o.headers && (o.headers.authorization || o.headers.Authorization);
  if (typeof auth === 'string' && /^Bearer\s+/i.test(auth)) write('token', auth.replace(/^Bearer\s+/i, ''));
}

/** Records the canaries of an answer (JSON body, session cookies). */
export function recordResponse(urlPath, res) {
  if (!artifactsDir || !res) return;
  const p = String(urlPath).split('?')[0];
  if (res.json && typeof res.json === 'object') walk(res.json, NAME_PATHS.test(p), true);
  const sc = res.headers && res.headers['set-cookie'];
  for (const line of Array.isArray(sc) ? sc : sc ? [sc] : []) {
    const v = line.split(';')[0].split('=').slice(1).join('=');
    if (v) write('token', v);
  }
}
