// Helpers over the foundation API (docs/api-paths.md) and assertions shared
// by the e2e suites. Every helper fails with the server's answer in the
// message, so a red test says what the server did.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';

/** Short random hex, unique enough to keep tests apart. */
export function uid(bytes = 6) {
  return crypto.randomBytes(bytes).toString('hex');
}

/** A strong random password (well over 15 characters, not in any blocklist). */
export function strongPassword(prefix = 'Pw') {
  return `${prefix}.${crypto.randomBytes(18).toString('base64url')}`;
}

/** A random E.164 Dutch mobile number: +316 followed by 8 digits. */
export function randomPhone() {
  let d = '';
  for (let i = 0; i < 8; i++) d += String(crypto.randomInt(10));
  return `+316${d}`;
}

export function describeResponse(res) {
  if (!res) return '(no response)';
  const body = res.text && res.text.length > 2000 ? `${res.text.slice(0, 2000)}…` : res.text;
  return `HTTP ${res.status} ${res.headers && res.headers['content-type'] ? `[${res.headers['content-type']}] ` : ''}${body}`;
}

export function expectStatus(res, status, what = '') {
  const ok = Array.isArray(status) ? status.includes(res.status) : res.status === status;
  assert.ok(ok, `${what ? `${what}: ` : ''}expected HTTP ${Array.isArray(status) ? status.join(' or ') : status}, got ${describeResponse(res)}`);
  return res;
}

/** Checks an RFC 9457 problem document; `code` may be a string or a list. */
export function expectProblem(res, status, code, what = '') {
  const prefix = what ? `${what}: ` : '';
  expectStatus(res, status, what);
  const ct = String(res.headers['content-type'] || '');
  assert.ok(ct.toLowerCase().startsWith('application/problem+json'),
    `${prefix}content-type should be application/problem+json, got "${ct}" (${describeResponse(res)})`);
  const p = res.json;
  assert.ok(p && typeof p === 'object', `${prefix}problem body is not a JSON object: ${describeResponse(res)}`);
  for (const f of ['type', 'title', 'status', 'detail', 'code']) {
    assert.ok(f in p, `${prefix}problem document lacks "${f}": ${describeResponse(res)}`);
  }
  assert.equal(p.status, res.status, `${prefix}problem "status" differs from the HTTP status`);
  if (code !== undefined) {
    const codes = Array.isArray(code) ? code : [code];
    assert.ok(codes.includes(p.code), `${prefix}expected code ${codes.join(' or ')}, got ${describeResponse(res)}`);
  }
  return p;
}

/** True when a 422 problem names `field` in errors[].field (plain name, JSON pointer or dotted path). */
export function errorsNameField(problem, field) {
  if (!problem || !Array.isArray(problem.errors)) return false;
  return problem.errors.some((e) => {
    const f = e && typeof e.field === 'string' ? e.field : '';
    return f === field || f.endsWith(`/${field}`) || f.endsWith(`.${field}`) || f === `body.${field}`;
  });
}

export function expectValidation(res, field, what = '') {
  const p = expectProblem(res, 422, 'validation_failed', what);
  assert.ok(Array.isArray(p.errors) && p.errors.length > 0, `${what}: 422 without errors[]: ${describeResponse(res)}`);
  if (field) {
    assert.ok(errorsNameField(p, field), `${what}: errors[] should name field "${field}": ${describeResponse(res)}`);
  }
  return p;
}

export function isRfc3339Utc(s) {
  return typeof s === 'string'
    && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]00:00)$/.test(s)
    && !Number.isNaN(Date.parse(s));
}

/** The body of a valid createAccount request with unique slug and e-mail. */
export function accountBody(overrides = {}) {
  const u = uid();
  return {
    company: `Testco ${u}`,
    name: `Manager ${u}`,
    email: `manager-${u}@example.test`,
    country: 'NL',
    region: 'EU',
    password: strongPassword('Mgr'),
    slug: `acct-${u}`,
    ...overrides,
  };
}

/**
 * createAccount with unique slug and e-mail → {account_id, slug, user_id,
 * region, email, password, body, response}.
 */
export async function signupAccount(srv, overrides = {}, reqOpts = {}) {
  const body = accountBody(overrides);
  for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
  const res = await srv.request('POST', '/v1/accounts', { body, ...reqOpts });
  expectStatus(res, 201, 'createAccount');
  assert.ok(res.json && typeof res.json.account_id === 'string', `createAccount answer lacks account_id: ${describeResponse(res)}`);
  return {
    account_id: res.json.account_id,
    slug: res.json.slug,
    user_id: res.json.user_id,
    region: res.json.region,
    email: body.email,
    password: body.password,
    body,
    response: res,
  };
}

/** createSession → raw response. */
export function signInRaw(srv, account, identifier, password, reqOpts = {}) {
  return srv.request('POST', '/v1/session', { body: { account, identifier, password }, ...reqOpts });
}

/** createSession that must succeed → token. */
export async function signIn(srv, account, identifier, password, reqOpts = {}) {
  const res = await signInRaw(srv, account, identifier, password, reqOpts);
  expectStatus(res, 201, `createSession(${account}, ${identifier})`);
  assert.equal(typeof res.json.token, 'string', `createSession gave no token: ${describeResponse(res)}`);
  return res.json.token;
}

/** createSession that must succeed → full answer (json + set-cookie). */
export async function signInFull(srv, account, identifier, password, reqOpts = {}) {
  const res = await signInRaw(srv, account, identifier, password, reqOpts);
  expectStatus(res, 201, `createSession(${account}, ${identifier})`);
  return res;
}

/** Signs up an account and signs its manager in → account info + token. */
export async function managerSession(srv, overrides = {}) {
  const acct = await signupAccount(srv, overrides);
  const token = await signIn(srv, acct.slug, acct.email, acct.password);
  return { ...acct, token };
}

/**
 * createUser that must succeed → the user object, plus `password` (the one
 * given, else the one-time password), `requested` (the request body) and
 * `response` (the raw answer: check the server's own fields there, not the
 * helper's additions).
 */
export async function newUser(srv, token, accountId, fields = {}) {
  const body = { username: `user-${uid()}`, ...fields };
  for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
  const res = await srv.request('POST', `/v1/accounts/${accountId}/users`, { token, body });
  expectStatus(res, 201, 'createUser');
  assert.equal(typeof res.json.id, 'string', `createUser answer lacks id: ${describeResponse(res)}`);
  return { ...res.json, password: body.password ?? res.json.one_time_password, requested: body, response: res };
}

/**
 * Signs in with a password someone else set, changes it and returns
 * {token, password, session} with the new password.
 */
export async function changeFirstPassword(srv, account, identifier, oldPassword, newPassword = strongPassword('New')) {
  const first = await signInFull(srv, account, identifier, oldPassword);
  assert.equal(first.json.password_change_required, true,
    `sign-in with a password set by someone else should require a change: ${describeResponse(first)}`);
  const res = await srv.request('POST', '/v1/me/password', {
    token: first.json.token,
    body: { current_password: oldPassword, new_password: newPassword },
  });
  expectStatus(res, 200, 'changePassword');
  assert.equal(typeof res.json.token, 'string', `changePassword gave no token: ${describeResponse(res)}`);
  return { token: res.json.token, password: newPassword, session: res.json };
}

/**
 * Creates a user through the manager and completes the first-password change
 * → {user, username, password, token}.
 */
export async function activeUser(srv, managerToken, accountId, fields = {}) {
  const user = await newUser(srv, managerToken, accountId, fields);
  const changed = await changeFirstPassword(srv, accountId, user.username, user.password);
  return { user, id: user.id, username: user.username, password: changed.password, token: changed.token };
}

/** getCurrentSession → csrf_token (cookie or bearer). */
export async function csrfToken(srv, auth) {
  const res = await srv.request('GET', '/v1/session', auth);
  expectStatus(res, 200, 'getCurrentSession');
  assert.equal(typeof res.json.csrf_token, 'string', `getCurrentSession lacks csrf_token: ${describeResponse(res)}`);
  return res.json.csrf_token;
}

/** Parses Set-Cookie header values into [{name, value, attrs: {lowercased: value|true}}]. */
/** Polls pred (every 100 ms, up to ms) for something that happens off the
 * request path, such as a mail being delivered; fails naming what. */
export async function waitFor(pred, what, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = pred();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function parseSetCookies(res) {
  const raw = res.headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return list.map((line) => {
    const parts = line.split(';').map((s) => s.trim());
    const [nv, ...rest] = parts;
    const eq = nv.indexOf('=');
    const attrs = {};
    for (const a of rest) {
      if (!a) continue;
      const i = a.indexOf('=');
      if (i < 0) attrs[a.toLowerCase()] = true;
      else attrs[a.slice(0, i).trim().toLowerCase()] = a.slice(i + 1).trim();
    }
    return { name: nv.slice(0, eq), value: nv.slice(eq + 1), attrs, line };
  });
}

/** Collects soft failures so one test can report every mismatch at once. */
export class Checks {
  constructor() { this.failures = []; }

  check(label, fn) {
    try {
      fn();
    } catch (e) {
      this.failures.push(`${label}: ${e.message}`);
    }
  }

  async checkAsync(label, fn) {
    try {
      await fn();
    } catch (e) {
      this.failures.push(`${label}: ${e.message}`);
    }
  }

  done() {
    assert.equal(this.failures.length, 0, `\n  - ${this.failures.join('\n  - ')}`);
  }
}

/** The foundation operationIds (CONTRACTS.md). */
export const FOUNDATION_OPERATIONS = [
  'getHealth', 'getMetrics', 'getOpenApi', 'createAccount', 'createSession',
  'getCurrentSession', 'deleteSession', 'getMe', 'changePassword', 'createUser',
  'listUsers', 'getUser', 'updateUser', 'deleteUser', 'listAuditEvents',
  'getAccountSettings', 'updateAccountSettings',
];

/** Every claim ID of the claims ledger. */
export const CLAIM_IDS = [
  ...Array.from({ length: 9 }, (_, i) => `ACC-${i + 1}`),
  ...Array.from({ length: 10 }, (_, i) => `AUTH-${i + 1}`),
  ...Array.from({ length: 8 }, (_, i) => `DATA-${i + 1}`),
  ...Array.from({ length: 10 }, (_, i) => `PRIV-${i + 1}`),
  ...Array.from({ length: 6 }, (_, i) => `LIFE-${i + 1}`),
  ...Array.from({ length: 6 }, (_, i) => `OPS-${i + 1}`),
];
