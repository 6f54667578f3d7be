// Helpers for the access-model suites (issue 5: channels, role grants,
// sessions, IP allowlists, API keys, support grants). Each helper fails
// with the server's answer in the message.

import assert from 'node:assert/strict';
import https from 'node:https';

import {
  activeUser, changeFirstPassword, describeResponse, expectStatus, newUser, signIn, uid,
} from './api.mjs';
import { recordRequest, recordResponse } from './hygiene_canary.mjs';

/** Paths of the access operations (docs/api-paths.md "Access model"). */
export const P = {
  account: (a) => `/v1/accounts/${a}`,
  users: (a) => `/v1/accounts/${a}/users`,
  user: (a, u) => `/v1/accounts/${a}/users/${u}`,
  channels: (a) => `/v1/accounts/${a}/channels`,
  channel: (a, c) => `/v1/accounts/${a}/channels/${c}`,
  grants: (a) => `/v1/accounts/${a}/role-grants`,
  grant: (a, g) => `/v1/accounts/${a}/role-grants/${g}`,
  revokeSessions: (a, u) => `/v1/accounts/${a}/users/${u}/sessions/revoke`,
  mySessions: () => '/v1/me/sessions',
  mySession: (s) => `/v1/me/sessions/${s}`,
  allowlist: (a) => `/v1/accounts/${a}/ip-allowlist`,
  apiKeys: (a) => `/v1/accounts/${a}/api-keys`,
  apiKey: (a, k) => `/v1/accounts/${a}/api-keys/${k}`,
  supportGrants: (a) => `/v1/accounts/${a}/support-grants`,
  supportGrant: (a, g) => `/v1/accounts/${a}/support-grants/${g}`,
  audit: (a) => `/v1/accounts/${a}/audit-events`,
  settings: (a) => `/v1/accounts/${a}/settings`,
};

/** A syntactically valid id (32 hex) that names nothing. */
export const NO_SUCH_ID = '0123456789abcdef0123456789abcdef';

/** RFC 3339 UTC time `seconds` from now on the server's (test) clock. */
export function serverTimeIn(srv, seconds) {
  const ms = Date.now() + (srv.clockOffset() + seconds) * 1000;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const operatorPasswords = new WeakMap(); // srv → the operator's password after the first change

/**
 * The init operator with a fresh session → {token, password, user_id,
 * account_id}. The first call changes the one-time password; later calls
 * sign in again with the new one.
 */
export async function operatorSession(srv) {
  const op = srv.operator;
  let token;
  let password = operatorPasswords.get(srv);
  if (password === undefined) {
    const changed = await changeFirstPassword(srv, 'platform', op.username, op.one_time_password);
    password = changed.password;
    operatorPasswords.set(srv, password);
    token = changed.token;
  } else {
    token = await signIn(srv, 'platform', op.username, password);
  }
  const me = await srv.request('GET', '/v1/me', { token });
  expectStatus(me, 200, 'operator getMe');
  return {
    token, password, user_id: op.operator_user_id, account_id: me.json.account_id, username: op.username,
  };
}

/** grantRole that must succeed → the grant. */
export async function grant(srv, token, accountId, userId, role, channelId) {
  const body = { user_id: userId, role };
  if (channelId) body.channel_id = channelId;
  const res = await srv.request('POST', P.grants(accountId), { token, body });
  expectStatus(res, 201, `grantRole ${role}${channelId ? ` on ${channelId}` : ''}`);
  assert.equal(typeof res.json.id, 'string', `grantRole answer lacks id: ${describeResponse(res)}`);
  return res.json;
}

/** createChannel that must succeed → the channel. */
export async function channel(srv, token, accountId, name = `ch-${uid()}`) {
  const res = await srv.request('POST', P.channels(accountId), { token, body: { name } });
  expectStatus(res, 201, 'createChannel');
  assert.equal(typeof res.json.id, 'string', `createChannel answer lacks id: ${describeResponse(res)}`);
  return res.json;
}

/**
 * A signed-in user (first password changed) holding `role` (optionally on
 * a channel) → {id, username, password, token, grant}. role null = no role.
 */
export async function userWithRole(srv, mgrToken, accountId, role, channelId, fields = {}) {
  const u = await activeUser(srv, mgrToken, accountId, { username: `u-${uid()}`, ...fields });
  const g = role ? await grant(srv, mgrToken, accountId, u.id, role, channelId) : null;
  return { ...u, grant: g };
}

/** A platform_support user in the platform account (created by the operator). */
export async function supportStaff(srv, op) {
  return userWithRole(srv, op.token, op.account_id, 'platform_support');
}

/** createUser without signing the user in → user (for throwaway targets). */
export async function plainUser(srv, token, accountId) {
  return newUser(srv, token, accountId, { username: `t-${uid()}` });
}

/** createApiKey → raw response. */
export function createApiKeyRaw(srv, token, accountId, body) {
  return srv.request('POST', P.apiKeys(accountId), { token, body });
}

/** createApiKey that must succeed → the answer (with `secret`). */
export async function apiKey(srv, token, accountId, body) {
  const res = await createApiKeyRaw(srv, token, accountId, { name: `key-${uid()}`, ...body });
  expectStatus(res, 201, 'createApiKey');
  assert.equal(typeof res.json.secret, 'string', `createApiKey answer lacks secret: ${describeResponse(res)}`);
  return res.json;
}

/** createSupportGrant that must succeed → the grant. */
export async function supportGrant(srv, token, accountId, granteeId, seconds = 3600, reason = 'ticket 4711') {
  const res = await srv.request('POST', P.supportGrants(accountId), {
    token, body: { grantee_user_id: granteeId, expires_at: serverTimeIn(srv, seconds), reason },
  });
  expectStatus(res, 201, 'createSupportGrant');
  return res.json;
}

/** Every audit event of the account (all pages). */
export async function allAuditEvents(srv, token, accountId, reqOpts = {}) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < 200; i++) {
    const q = cursor ? `?limit=200&cursor=${encodeURIComponent(cursor)}` : '?limit=200';
    const res = await (reqOpts.request || srv.request)('GET', `${P.audit(accountId)}${q}`, { token, ...reqOpts });
    expectStatus(res, 200, 'listAuditEvents');
    items.push(...res.json.items);
    cursor = res.json.next_cursor;
    if (!cursor) break;
  }
  return items;
}

/**
 * One HTTPS request from a chosen local address (e.g. 127.0.0.2: a real
 * second client on Linux loopback) → {status, headers, json, text}. Same
 * options as srv.request (body, token, headers). A fresh connection each
 * time, so the source address is what the server sees.
 */
export function requestFrom(srv, localAddress, method, p, o = {}) {
  const hdrs = {};
  let payload = null;
  if (o.body !== undefined) {
    payload = Buffer.from(JSON.stringify(o.body), 'utf8');
    hdrs['content-type'] = 'application/json';
    hdrs['content-length'] = String(payload.length);
  }
  if (o.token) hdrs.authorization = `Bearer ${o.token}`;
  for (const [k, v] of Object.entries(o.headers || {})) hdrs[k.toLowerCase()] = v;
  recordRequest(method, p, o); // secrets-hygiene canaries (no-op unless STRONGROOM_E2E_ARTIFACTS)
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1',
      port: srv.port,
      localAddress,
      method,
      path: p,
      headers: hdrs,
      agent: false,
      ca: srv.ca,
      servername: 'localhost',
      timeout: 60_000,
    }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        if (text && /json/i.test(String(res.headers['content-type'] || ''))) {
          try { json = JSON.parse(text); } catch { json = undefined; }
        }
        const answer = { status: res.statusCode, headers: res.headers, text, json };
        recordResponse(p, answer);
        resolve(answer);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`request ${method} ${p} timed out`)));
    req.on('error', reject);
    req.end(payload || undefined);
  });
}

/** A request function bound to a local address, shaped like srv.request. */
export function clientAt(srv, localAddress) {
  return (method, p, o = {}) => requestFrom(srv, localAddress, method, p, o);
}

/** The served OpenAPI document. */
export async function openapi(srv) {
  const res = await srv.request('GET', '/openapi.json');
  expectStatus(res, 200, 'getOpenApi');
  return res.json;
}

/** {method, path} of an operationId in the document, or null. */
export function findOperation(doc, operationId) {
  for (const [p, ops] of Object.entries(doc.paths || {})) {
    for (const [m, o] of Object.entries(ops)) {
      if (o && o.operationId === operationId) return { method: m.toUpperCase(), path: p, op: o };
    }
  }
  return null;
}

/** Status class for the matrix: 'allow' (2xx, 409, 422), 'deny' (403, 404) or 'other'. */
export function outcomeClass(status) {
  if (status >= 200 && status < 300) return 'allow';
  if (status === 409 || status === 422) return 'allow';
  if (status === 403 || status === 404) return 'deny';
  return 'other';
}
