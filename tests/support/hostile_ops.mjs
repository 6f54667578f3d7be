// Operations from /openapi.json with a valid baseline request each, for the
// scanners and hostile-input tests of issue 6 (tests/e2e/hostile_input.test.mjs,
// tests/security/sqlmap_run.mjs). Everything is read from the served document,
// so a new operation is covered as soon as it is documented: its body fields,
// path and query parameters get hostile values; the baseline table below only
// makes the *other* fields valid so the hostile one reaches deep code.

import { accountBody, activeUser, describeResponse, expectStatus, newUser, signIn, signInFull, signupAccount, strongPassword, uid } from './api.mjs';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

export function resolve(doc, s) {
  let x = s;
  for (let i = 0; x && x.$ref && i < 10; i++) {
    const parts = x.$ref.replace(/^#\//, '').split('/');
    x = parts.reduce((o, k) => (o ? o[k] : undefined), doc);
  }
  return x || {};
}

function typesOf(schema) {
  const t = schema.type;
  return Array.isArray(t) ? t : t ? [t] : [];
}

/** Every operation: {operationId, method, path, params, bodySchema, security}. */
export function operations(doc) {
  const ops = [];
  for (const [p, item] of Object.entries(doc.paths || {})) {
    for (const m of METHODS) {
      const op = item[m];
      if (!op) continue;
      const params = [...(item.parameters || []), ...(op.parameters || [])].map((x) => resolve(doc, x));
      const rb = op.requestBody ? resolve(doc, op.requestBody) : null;
      const bodySchema = rb && rb.content && rb.content['application/json']
        ? resolve(doc, rb.content['application/json'].schema) : null;
      ops.push({
        operationId: op.operationId,
        method: m.toUpperCase(),
        path: p,
        params,
        bodySchema,
        authenticated: Array.isArray(op.security) ? op.security.length > 0 : Array.isArray(doc.security) && doc.security.length > 0,
      });
    }
  }
  return ops;
}

/**
 * String fields of a body schema: [{path: ['a'], array: false}, {path:
 * ['cidrs'], array: true}, {path: ['users', 0, 'name'], array: false}, ...]:
 * top-level strings, arrays of strings, and string fields of objects inside
 * arrays (one level, e.g. importUsers users[]).
 */
export function stringFields(doc, schema) {
  const out = [];
  if (!schema) return out;
  const props = resolve(doc, schema).properties || {};
  for (const [k, raw] of Object.entries(props)) {
    const s = resolve(doc, raw);
    const t = typesOf(s);
    if (t.includes('string')) out.push({ path: [k], array: false });
    if (t.includes('array')) {
      const it = resolve(doc, s.items || {});
      const it_t = typesOf(it);
      if (it_t.includes('string')) out.push({ path: [k], array: true });
      if (it_t.includes('object')) {
        for (const [k2, raw2] of Object.entries(it.properties || {})) {
          const s2 = resolve(doc, raw2);
          if (typesOf(s2).includes('string')) out.push({ path: [k, 0, k2], array: false });
          else if (typesOf(s2).includes('array') && typesOf(resolve(doc, s2.items || {})).includes('string')) {
            out.push({ path: [k, 0, k2], array: true });
          }
        }
      }
    }
  }
  return out;
}

const BCRYPT_EXAMPLE = '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';

/** An RFC 3339 UTC time `seconds` from now (server clock offset 0). */
function timeIn(seconds) {
  return new Date(Math.floor(Date.now() / 1000 + seconds) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A value satisfying a schema as far as cheaply possible (fallback for undocumented baselines). */
export function sampleOf(doc, raw, name = '') {
  const s = resolve(doc, raw);
  if (s.enum) return s.enum[0];
  const t = typesOf(s).filter((x) => x !== 'null');
  switch (t[0]) {
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return false;
    case 'array': {
      const n = Math.max(1, s.minItems || 1);
      return Array.from({ length: n }, () => sampleOf(doc, s.items || {}, name));
    }
    case 'object': {
      const o = {};
      for (const k of s.required || []) o[k] = sampleOf(doc, s.properties[k], k);
      return o;
    }
    default:
      if (s.format === 'email') return `x-${uid()}@example.test`;
      if (s.format === 'date-time') return timeIn(86400);
      if (/password/.test(name)) return strongPassword('Base');
      if (s.pattern && /\[0-9a-f\]\{32\}/.test(s.pattern)) return '0123456789abcdef0123456789abcdef';
      if (s.pattern && /\^\[a-z0-9/.test(s.pattern)) return `x${uid(3)}`;
      return `sample-${uid(3)}`.slice(0, Math.max(s.minLength || 1, Math.min(s.maxLength || 20, 20)));
  }
}

/**
 * Sets up one account to aim at: a manager (the caller of most operations),
 * a member user, a channel, a grant, an API key, and separate "self" users
 * for /v1/me operations. Returns the fixture used by baseline() and
 * pathValue().
 */
export async function makeFixture(srv, { selfUsers = 1 } = {}) {
  const acct = await signupAccount(srv);
  const full = await signInFull(srv, acct.slug, acct.email, acct.password);
  const token = full.json.token;
  const member = await newUser(srv, token, acct.account_id, { name: `Member ${uid()}` });
  const victim = await newUser(srv, token, acct.account_id, {});
  const ch = await srv.request('POST', `/v1/accounts/${acct.account_id}/channels`, { token, body: { name: `chan-${uid()}` } });
  expectStatus(ch, 201, 'createChannel (fixture)');
  const gr = await srv.request('POST', `/v1/accounts/${acct.account_id}/role-grants`, {
    token, body: { user_id: member.id, role: 'channel_member', channel_id: ch.json.id },
  });
  expectStatus(gr, 201, 'grantRole (fixture)');
  const key = await srv.request('POST', `/v1/accounts/${acct.account_id}/api-keys`, {
    token, body: { name: `key-${uid()}`, scopes: ['users:read'], current_password: acct.password },
  });
  expectStatus(key, 201, 'createApiKey (fixture)');
  const selves = [];
  for (let i = 0; i < selfUsers; i++) selves.push(await activeUser(srv, token, acct.account_id, { name: `Self ${uid()}` }));
  return {
    account_id: acct.account_id,
    slug: acct.slug,
    email: acct.email,
    password: acct.password,
    token,
    session_id: full.json.session_id,
    member_id: member.id,
    member_username: member.username,
    victim_username: victim.username,
    channel_id: ch.json.id,
    grant_id: gr.json.id,
    api_key_id: key.json.id,
    operator_user_id: srv.operator.operator_user_id,
    selves,
  };
}

/** The baseline value of a path parameter. */
export function pathValue(name, fx) {
  switch (name) {
    case 'accountId': return fx.account_id;
    case 'userId': return fx.member_id;
    case 'channelId': return fx.channel_id;
    case 'grantId': return fx.grant_id;
    case 'sessionId': return '0123456789abcdef0123456789abcdef';
    case 'apiKeyId': return fx.api_key_id;
    default: return '0123456789abcdef0123456789abcdef';
  }
}

/** The baseline value of a query parameter. */
export function queryValue(name, schema, fx) {
  switch (name) {
    case 'limit': return '10';
    case 'cursor': return 'a';
    case 'user_id': return fx.member_id;
    case 'channel_id': return fx.channel_id;
    default: return String(sampleOf({}, schema || {}, name));
  }
}

/** Query parameters that filter a list (a hostile value must match nothing). */
export function isFilterParam(name) {
  return !['limit', 'cursor'].includes(name);
}

/**
 * A valid request body for an operation (new unique names each call), the
 * self user whose token it needs (or null for the manager / no auth).
 */
export function baseline(doc, op, fx) {
  const self = fx.selves[0];
  switch (op.operationId) {
    case 'createAccount': return accountBody();
    case 'createSession': return { account: fx.slug, identifier: fx.victim_username, password: strongPassword('Wrong') };
    case 'requestPasswordReset': return { account: fx.slug, identifier: fx.victim_username };
    case 'completePasswordReset': return { token: 'A'.repeat(43), new_password: strongPassword('Reset') };
    case 'verifySecondFactor': return { challenge: 'A'.repeat(43), code: '123456' };
    case 'verifyEmail': return { token: 'A'.repeat(43) };
    case 'updateMe': return { name: `Self ${uid()}` };
    case 'changePassword': return { current_password: self?.password || 'x', new_password: strongPassword('New') };
    case 'deleteTotp':
    case 'regenerateRecoveryCodes': return { current_password: self?.password || 'x' };
    case 'confirmTotp': return { code: '123456' };
    case 'createUser': return { username: `u-${uid()}`, name: `User ${uid()}` };
    case 'updateUser': return { name: `Renamed ${uid()}` };
    case 'createChannel': return { name: `chan-${uid()}`, description: 'a channel' };
    case 'updateChannel': return { name: `chan-${uid()}` };
    case 'grantRole': return { user_id: fx.member_id, role: 'account_viewer' };
    case 'setIpAllowlist': return { cidrs: ['0.0.0.0/0', '::/0'] };
    case 'createApiKey': return { name: `key-${uid()}`, scopes: ['users:read'], current_password: fx.password };
    case 'createSupportGrant': return { grantee_user_id: fx.operator_user_id, expires_at: timeIn(86400), reason: 'ticket 42' };
    case 'updatePasswordPolicy': return { preset: 'nist' };
    case 'updateAccountSettings': return { idle_timeout_s: 900 };
    case 'importUsers': return { users: [{ username: `imp-${uid()}`, password_hash: BCRYPT_EXAMPLE }] };
    default:
      return op.bodySchema ? sampleOf(doc, op.bodySchema) : undefined;
  }
}

/** Operations acting on the caller themself (run with a "self" user's token). */
export function isSelfOperation(op) {
  return op.path === '/v1/me' || op.path.startsWith('/v1/me/');
}

/** Sets body[path] = value (path from stringFields), on a deep copy. */
export function withField(body, path, value) {
  const copy = structuredClone(body ?? {});
  let o = copy;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i];
    if (o[k] === undefined || o[k] === null) o[k] = typeof path[i + 1] === 'number' ? [{}] : {};
    o = o[k];
  }
  o[path[path.length - 1]] = value;
  return copy;
}

/** Expands a path template with the fixture's ids (and optional overrides). */
export function fillPath(op, fx, overrides = {}) {
  return op.path.replace(/\{([^}]+)\}/g, (_, n) => (n in overrides ? overrides[n] : encodeURIComponent(pathValue(n, fx))));
}

export { describeResponse, signIn };
