// The generated authorization matrix (ACC-4, ACC-1, ACC-2, ACC-7).
//
// Every operation of /openapi.json with an {accountId} path parameter (plus
// getMetrics) is called by each of the eight roles and by a user with no
// role, in the caller's own account and in another account, and for channel
// operations in the caller's own channel A and the sibling channel B. The
// allow/deny class of each answer is compared with a small REFERENCE MODEL
// written below from the policy (issue 5, docs/api-paths.md "Access model",
// the role tables described in src/domain/authz/authz.c) — not from
// observed answers. Destructive operations act on throwaway fixtures made
// per call by the target account's manager.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  activeUser, describeResponse, expectStatus, managerSession, signupAccount, uid,
} from '../support/api.mjs';
import {
  P, channel, grant, openapi, operatorSession, outcomeClass, plainUser, serverTimeIn, supportStaff,
  userWithRole, allAuditEvents,
} from '../support/access.mjs';
import { startServer } from '../support/server.mjs';

// ---------------------------------------------------------------------------
// Reference model.

/** Everything an account manager may do in their account. */
const MANAGER = [
  'account.read', 'users.read', 'users.write', 'audit.read', 'settings.read', 'settings.write',
  'channels.read', 'channels.write', 'roles.read', 'roles.delegate', 'sessions.revoke',
  'allowlist.read', 'allowlist.write', 'apikeys.read', 'apikeys.write', 'support.read', 'support.write',
];
/** Account members and viewers read the account, its users and all its channels. */
const MEMBER = ['account.read', 'users.read', 'channels.read'];

/** Rights of a role in the account it belongs to (account level; reaches every channel). */
const OWN_ACCOUNT = {
  account_manager: MANAGER,
  account_member: MEMBER,
  account_viewer: MEMBER,
  // A channel binding shows the account, nothing else at account level.
  channel_manager: ['account.read'],
  channel_member: ['account.read'],
  channel_viewer: ['account.read'],
  // Inside the platform account an operator is its manager (and reads metrics).
  platform_operator: [...MANAGER, 'metrics.read'],
  platform_support: ['account.read', 'users.read'],
  none: [],
};
/** Extra rights of a channel role inside its own channel (A). */
const OWN_CHANNEL = {
  channel_manager: ['channels.read', 'channels.write', 'roles.read', 'roles.delegate'],
  channel_member: ['channels.read'],
  channel_viewer: ['channels.read'],
};
/** Rights in an account other than one's own: staff read (no personal data, no writes); customers nothing. */
const OTHER_ACCOUNT = {
  platform_operator: ['account.read', 'users.read', 'audit.read', 'channels.read', 'roles.read', 'block'],
  platform_support: ['account.read', 'users.read', 'channels.read'],
};

/** The right each operation needs, and whether it is decided at channel level. */
const OPS = {
  getAccount: { need: 'account.read' },
  createUser: { need: 'users.write' },
  listUsers: { need: 'users.read' },
  getUser: { need: 'users.read' },
  updateUser: { need: 'users.write' },
  deleteUser: { need: 'users.write' },
  listAuditEvents: { need: 'audit.read' },
  getAccountSettings: { need: 'settings.read' },
  updateAccountSettings: { need: 'settings.write' },
  createChannel: { need: 'channels.write' },
  listChannels: { need: 'account.read' }, // everyone who sees the account; the list is filtered
  getChannel: { need: 'channels.read', channel: true },
  updateChannel: { need: 'channels.write', channel: true }, // account manager or that channel's manager
  deleteChannel: { need: 'channels.write', channel: true, accountLevel: true }, // account managers only
  grantRole: { delegate: true },
  revokeRole: { delegate: true },
  listRoleGrants: { need: 'account.read' }, // filtered to what the caller may read
  revokeUserSessions: { need: 'sessions.revoke' }, // of another user
  getIpAllowlist: { need: 'allowlist.read' },
  setIpAllowlist: { need: 'allowlist.write' },
  createApiKey: { need: 'apikeys.write' },
  listApiKeys: { need: 'apikeys.read' },
  revokeApiKey: { need: 'apikeys.write' },
  createSupportGrant: { need: 'support.write' },
  listSupportGrants: { need: 'support.read' },
  revokeSupportGrant: { need: 'support.write' },
  getMetrics: { operatorOnly: true },
  // Authentication issue (issue 4), in case they are in the document.
  getPasswordPolicy: { need: 'settings.read' },
  updatePasswordPolicy: { need: 'settings.write' },
  importUsers: { need: 'users.write' },
  unlockUser: { need: 'users.write' },
  blockUser: { need: 'block' }, // ACC-6: platform operators, in customer accounts
  unblockUser: { need: 'block' },
  blockAccount: { need: 'block' },
  unblockAccount: { need: 'block' },
};

const ROLES = [
  'account_manager', 'account_member', 'account_viewer',
  'channel_manager', 'channel_member', 'channel_viewer',
  'platform_operator', 'platform_support', 'none',
];
const STAFF = new Set(['platform_operator', 'platform_support']);
const CHANNEL_ROLES = new Set(['channel_manager', 'channel_member', 'channel_viewer']);
const READS = ['account.read', 'users.read', 'audit.read', 'channels.read'];

/** Rights of `role` at a place {own, channel: 'A'|'B'|null}; channel A is the one channel roles are bound to. */
function rightsAt(role, where) {
  const r = new Set(where.own ? OWN_ACCOUNT[role] : (OTHER_ACCOUNT[role] || []));
  if (where.own && where.channel === 'A') for (const x of OWN_CHANNEL[role] || []) r.add(x);
  return r;
}

/** May the caller see that the scope exists at all (else every denial is 404)? */
function mayReadScope(role, where) {
  const r = rightsAt(role, where);
  return where.channel ? r.has('channels.read') : READS.some((x) => r.has(x));
}

/**
 * ACC-2 delegation: the granter needs roles.delegate at the grant's scope,
 * account roles only from account managers (an operator manages the
 * platform account), channel roles from account managers or that
 * channel's manager; nobody grants outside their own account.
 */
function mayGrant(role, where, grantedRole) {
  if (!where.own) return false;
  if (!rightsAt(role, where).has('roles.delegate')) return false;
  const accountManager = role === 'account_manager' || role === 'platform_operator';
  if (grantedRole.startsWith('channel_')) return where.channel !== null && (accountManager || (role === 'channel_manager' && where.channel === 'A'));
  if (grantedRole.startsWith('platform_')) return role === 'platform_operator' && where.channel === null;
  return accountManager && where.channel === null;
}

/** Expected {allow, mayRead} for an operation called by role at variant. */
function expected(opId, role, v, grantedRole) {
  const m = OPS[opId];
  if (m.operatorOnly) return { allow: role === 'platform_operator', mayRead: true };
  if (m.delegate) return { allow: mayGrant(role, v, grantedRole), mayRead: mayReadScope(role, v) };
  const at = m.accountLevel ? { ...v, channel: null } : v;
  return { allow: rightsAt(role, at).has(m.need), mayRead: mayReadScope(role, v) };
}

// ---------------------------------------------------------------------------
// Fixtures.

let srv;
const fx = {}; // accounts: X (customers' own), Y (other customer), P (platform)
const actors = {}; // role → {token, id, home: 'X'|'P'}
let ps; // the platform_support user (grantee of support grants)

before(async () => {
  srv = await startServer({ name: 'access-matrix' });
  const op = await operatorSession(srv);
  const x = await managerSession(srv);
  const y = await managerSession(srv);
  fx.X = { id: x.account_id, token: x.token };
  fx.Y = { id: y.account_id, token: y.token };
  fx.P = { id: op.account_id, token: op.token };
  for (const a of Object.values(fx)) {
    a.A = (await channel(srv, a.token, a.id, `A-${uid()}`)).id;
    a.B = (await channel(srv, a.token, a.id, `B-${uid()}`)).id;
    a.target = (await plainUser(srv, a.token, a.id)).id; // read/updated, never deleted
    a.victim = (await plainUser(srv, a.token, a.id)).id; // receives grants, has no sessions
  }
  ps = await supportStaff(srv, op);
  actors.platform_operator = { token: op.token, id: op.user_id, home: 'P' };
  actors.platform_support = { token: ps.token, id: ps.id, home: 'P' };
  actors.account_manager = { token: x.token, id: x.user_id, home: 'X' };
  for (const role of ['account_member', 'account_viewer']) {
    const u = await userWithRole(srv, fx.X.token, fx.X.id, role);
    actors[role] = { token: u.token, id: u.id, home: 'X' };
  }
  for (const role of CHANNEL_ROLES) {
    const u = await userWithRole(srv, fx.X.token, fx.X.id, role, fx.X.A);
    actors[role] = { token: u.token, id: u.id, home: 'X' };
  }
  const none = await activeUser(srv, fx.X.token, fx.X.id, { username: `none-${uid()}` });
  actors.none = { token: none.token, id: none.id, home: 'X' };
});
after(async () => { await srv?.close(); });

// ---------------------------------------------------------------------------
// Building a call.

/** Operations the matrix covers: every {accountId} operation plus getMetrics. */
function matrixOperations(doc) {
  const out = [];
  for (const [p, ops] of Object.entries(doc.paths || {})) {
    for (const [m, o] of Object.entries(ops)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(m) || !o || !o.operationId) continue;
      if (p.includes('{accountId}') || o.operationId === 'getMetrics') out.push({ method: m.toUpperCase(), path: p, op: o });
    }
  }
  return out;
}

/** Where the call goes: variant names → {acct: 'X'|'Y'|'P', own, channel}. */
function variantsOf(opId, path, home) {
  const other = home === 'P' ? 'X' : 'Y';
  if (opId === 'getMetrics') return [{ name: 'platform', acct: home, own: true, channel: null }];
  const own = { name: 'own', acct: home, own: true, channel: null };
  const oth = { name: 'other', acct: other, own: false, channel: null };
  const ownA = { name: 'own/chA', acct: home, own: true, channel: 'A' };
  const ownB = { name: 'own/chB', acct: home, own: true, channel: 'B' };
  const othA = { name: 'other/chA', acct: other, own: false, channel: 'A' };
  if (path.includes('{channelId}')) return [ownA, ownB, othA];
  if (OPS[opId] && OPS[opId].delegate) return [own, ownA, ownB, oth, othA];
  return [own, oth];
}

function resolveRef(doc, s) {
  let cur = s;
  for (let i = 0; cur && cur.$ref && i < 10; i++) {
    cur = cur.$ref.replace(/^#\//, '').split('/').reduce((o, k) => o && o[k], doc);
  }
  return cur || {};
}

/** A minimal valid value for a schema (required fields only; ids from fixtures; first enum value). */
function sample(doc, schema, name, ids) {
  const s = resolveRef(doc, schema);
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  if (type === 'object' || s.properties) {
    const out = {};
    const req = s.required || [];
    for (const k of req) out[k] = sample(doc, s.properties[k], k, ids);
    if (req.length === 0 && (s.minProperties || 0) > 0) {
      const k = Object.keys(s.properties || {})[0];
      out[k] = sample(doc, s.properties[k], k, ids);
    }
    return out;
  }
  if (type === 'array') {
    const n = s.minItems || 0;
    return Array.from({ length: n }, () => sample(doc, s.items || {}, name, ids));
  }
  if (type === 'integer' || type === 'number') return s.minimum ?? 0;
  if (type === 'boolean') return false;
  if (type === 'string') {
    if (name && name.endsWith('_id') && ids[name]) return ids[name];
    if (s.format === 'email') return `mx-${uid()}@example.test`;
    if (s.format === 'date-time') return serverTimeIn(srv, 3600);
    if (s.pattern === '^[a-z0-9._-]{1,64}$') return `mx-${uid()}`;
    if (s.pattern && s.pattern.startsWith('^\\+')) return `+3161${String(Date.now()).slice(-7)}`;
    return 'x'.repeat(Math.max(s.minLength || 1, 1));
  }
  return null;
}

/** Bodies where the generic sample would not be one the handler accepts or would hurt fixtures. */
function bodyFor(doc, opId, schema, v, acct) {
  switch (opId) {
    case 'createUser': return { username: `mx-${uid()}` };
    case 'updateUser': return { name: `Matrix ${uid()}` };
    case 'updateAccountSettings': return { idle_timeout_s: 600 }; // the default: no session expires early
    case 'createChannel': return { name: `mx-${uid()}` };
    case 'updateChannel': return { description: `matrix ${uid()}` };
    case 'grantRole':
      return v.channel
        ? { user_id: acct.victim, role: 'channel_viewer', channel_id: acct[v.channel] }
        : { user_id: acct.victim, role: 'account_viewer' };
    case 'setIpAllowlist': return { cidrs: [] };
    case 'updatePasswordPolicy': return { preset: 'nist' }; // the default
    case 'importUsers': return { users: [{ username: `imp-${uid()}`, password_hash: IMPORT_HASH }] };
    case 'createApiKey': return { name: `mx-${uid()}`, scopes: ['users:read'] };
    case 'createSupportGrant':
      return { grantee_user_id: ps.id, expires_at: serverTimeIn(srv, 3600), reason: 'matrix' };
    default:
      return sample(doc, schema, '', { user_id: acct.target, channel_id: acct.A, grantee_user_id: ps.id });
  }
}

// `openssl passwd -6 -salt matrixsalt Matrix.import.password-123`
const IMPORT_HASH = '$6$matrixsalt$rIgwCt7YxmndYfHWmWnqKlIj7LeMYTUMSNC/pvre3NCq/TS21kXuQcEeCrKQifCUJCSZyCQPG2kW2orqQBoFx.';

const THROWAWAY = /^(delete|revoke|block|unblock)/;

/**
 * The request for (operation, actor, variant), with throwaway fixtures made
 * by the target account's manager → {method, path, body, grantedRole, cleanup}.
 */
async function buildCall(doc, entry, role, v) {
  const opId = entry.op.operationId;
  const acct = fx[v.acct];
  const mgr = acct.token;
  const cleanups = [];
  let grantedRole = null;
  let path = entry.path;
  for (const [, name] of entry.path.matchAll(/\{(\w+)\}/g)) {
    let value;
    switch (name) {
      case 'accountId':
        if (/^(block|unblock)Account$/.test(opId) && !v.own) {
          value = (await signupAccount(srv)).account_id; // never block a fixture account
        } else value = acct.id;
        break;
      case 'channelId':
        if (THROWAWAY.test(opId)) {
          const t = await channel(srv, mgr, acct.id, `T-${uid()}`);
          // "Own channel A" for a channel role: the caller holds its role on the throwaway channel.
          if (v.own && v.channel === 'A' && CHANNEL_ROLES.has(role)) await grant(srv, mgr, acct.id, actors[role].id, role, t.id);
          value = t.id;
        } else value = acct[v.channel];
        break;
      case 'userId':
        value = THROWAWAY.test(opId) ? (await plainUser(srv, mgr, acct.id)).id : acct.target;
        break;
      case 'grantId':
        if (opId === 'revokeRole') {
          grantedRole = v.channel ? 'channel_viewer' : 'account_viewer';
          const g = await grant(srv, mgr, acct.id, acct.victim, grantedRole, v.channel ? acct[v.channel] : undefined);
          cleanups.push(() => srv.request('DELETE', P.grant(acct.id, g.id), { token: mgr }));
          value = g.id;
        } else if (opId === 'revokeSupportGrant') {
          const res = await srv.request('POST', P.supportGrants(acct.id), {
            token: mgr, body: { grantee_user_id: ps.id, expires_at: serverTimeIn(srv, 3600), reason: 'matrix throwaway' },
          });
          expectStatus(res, 201, 'throwaway createSupportGrant');
          value = res.json.id;
        } else throw new Error(`no fixture for {grantId} of ${opId}`);
        break;
      case 'apiKeyId': {
        const res = await srv.request('POST', P.apiKeys(acct.id), { token: mgr, body: { name: `tk-${uid()}`, scopes: ['users:read'] } });
        expectStatus(res, 201, 'throwaway createApiKey');
        value = res.json.id;
        break;
      }
      default:
        throw new Error(`no fixture for path parameter {${name}} of ${opId}`);
    }
    path = path.replace(`{${name}}`, value);
  }
  let body;
  const schema = entry.op.requestBody?.content?.['application/json']?.schema;
  if (schema) body = bodyFor(doc, opId, schema, v, acct);
  if (opId === 'grantRole') grantedRole = body.role;
  return { method: entry.method, path, body, grantedRole, cleanups, mgr, acct };
}

// ---------------------------------------------------------------------------

const results = []; // {opId, variant, role, status, code, exp}

test('ACC-4 ACC-1 ACC-2 ACC-7 generated authorization matrix: every account operation × 8 roles + no role × own/other account and own/sibling channel matches the reference model', async () => {
  const doc = await openapi(srv);
  const entries = matrixOperations(doc);
  const unmodelled = entries.map((e) => e.op.operationId).filter((id) => !OPS[id]);
  // Operations that could block a fixture account run last.
  entries.sort((a, b) => Number(/Account$/.test(a.op.operationId) && /^(un)?block/.test(a.op.operationId))
    - Number(/Account$/.test(b.op.operationId) && /^(un)?block/.test(b.op.operationId)));
  const started = Date.now();
  const harness = [];
  for (const entry of entries) {
    const opId = entry.op.operationId;
    if (!OPS[opId]) continue;
    for (const role of ROLES) {
      for (const v of variantsOf(opId, entry.path, actors[role].home)) {
        let call;
        try {
          call = await buildCall(doc, entry, role, v);
        } catch (e) {
          harness.push(`${opId} ${v.name} ${role}: fixture failed: ${e.message}`);
          continue;
        }
        const res = await srv.request(call.method, call.path, { token: actors[role].token, body: call.body });
        // A grant made by an allowed grantRole is taken back, so the next call starts clean.
        if (opId === 'grantRole' && res.status === 201 && res.json?.id) {
          await srv.request('DELETE', P.grant(call.acct.id, res.json.id), { token: call.mgr });
        }
        for (const c of call.cleanups) await c();
        const exp = expected(opId, role, v, call.grantedRole || 'account_viewer');
        results.push({
          opId, variant: v.name, role, own: v.own, status: res.status, code: res.json?.code, exp,
          method: call.method, path: call.path, text: res.text,
        });
      }
    }
  }
  const elapsed = Date.now() - started;

  const mismatches = [];
  for (const r of results) {
    const got = outcomeClass(r.status);
    const want = r.exp.allow ? 'allow' : 'deny';
    let bad = got !== want;
    // "Zero cross-account reads or writes; another account's resources answer 404."
    if (!bad && !r.exp.allow && !r.own && !r.exp.mayRead && r.status !== 404) bad = true;
    if (bad) {
      const wantText = r.exp.allow ? 'allow (2xx/409/422)' : (!r.own && !r.exp.mayRead ? 'deny 404' : 'deny 403/404');
      mismatches.push(`${r.opId.padEnd(22)} ${r.variant.padEnd(10)} ${r.role.padEnd(18)} want ${wantText.padEnd(20)} got ${r.status} ${r.code || ''}  [${r.method} ${r.path}]`);
    }
  }
  const problems = [
    ...unmodelled.map((id) => `operation ${id} has no entry in the reference model (add it to OPS)`),
    ...harness,
  ];
  if (mismatches.length || problems.length) {
    assert.fail(`\n${problems.join('\n')}${problems.length ? '\n' : ''}`
      + `${mismatches.length} of ${results.length} calls differ from the reference model:\n`
      + `${'operation'.padEnd(22)} ${'scope'.padEnd(10)} ${'role'.padEnd(18)}\n${mismatches.join('\n')}`);
  }
  assert.ok(results.length >= entries.length * 9 * 2 - 50, `matrix ran ${results.length} calls`);
  assert.ok(elapsed < 60_000, `matrix took ${elapsed} ms (keep it under 60 s)`);
});

test('ACC-4 a caller who may not read an account or channel gets 404, never 403 (existence is not revealed)', () => {
  assert.ok(results.length > 0, 'the matrix ran');
  const bad = results.filter((r) => !r.exp.allow && !r.exp.mayRead && r.status === 403);
  assert.equal(bad.length, 0, `403 where the caller cannot read the scope (contract: "A caller who may not read a resource gets 404 whether it exists or not"):\n${
    bad.map((r) => `${r.opId} ${r.variant} ${r.role}: ${r.method} ${r.path} → ${r.status}`).join('\n')}`);
});

test('ACC-4 ACC-1 zero cross-account writes: the other account\'s audit trail holds no successful action by the matrix callers', async () => {
  assert.ok(results.length > 0, 'the matrix ran');
  const customers = new Set(ROLES.filter((r) => actors[r].home === 'X').map((r) => actors[r].id));
  const events = await allAuditEvents(srv, fx.Y.token, fx.Y.id);
  const bad = events.filter((e) => customers.has(e.actor_id) && e.outcome === 'success');
  assert.equal(bad.length, 0, `account Y's audit trail shows successful actions by account X's users: ${JSON.stringify(bad.slice(0, 5))}`);
});

// Sanity: the fixtures are what the matrix assumes (a wrong fixture would make every row meaningless).
test('ACC-1 matrix fixtures: channel roles are bound to channel A only, the no-role user holds nothing', async () => {
  const me = await srv.request('GET', '/v1/me', { token: actors.channel_manager.token });
  expectStatus(me, 200, 'getMe channel_manager');
  assert.ok(me.json.roles.some((r) => r.role === 'channel_manager' && r.channel_id === fx.X.A), describeResponse(me));
  assert.ok(!me.json.roles.some((r) => r.channel_id === fx.X.B), describeResponse(me));
  const none = await srv.request('GET', '/v1/me', { token: actors.none.token });
  expectStatus(none, 200, 'getMe no-role user');
  assert.deepEqual(none.json.roles, [], `createUser gives no role: ${describeResponse(none)}`);
});
