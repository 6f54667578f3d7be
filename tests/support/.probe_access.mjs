import { startServer } from './server.mjs';
import { managerSession, activeUser, newUser, signIn } from './api.mjs';
import * as A from './access.mjs';
const srv = await startServer({ name: 'probe' });
try {
  let t0 = Date.now();
  const m = await managerSession(srv);
  console.log('signup+signin', Date.now() - t0); t0 = Date.now();
  const u = await newUser(srv, m.token, m.account_id);
  console.log('createUser', Date.now() - t0); t0 = Date.now();
  const op = await A.operatorSession(srv);
  console.log('op', op.account_id, Date.now() - t0); t0 = Date.now();
  const ch = await A.channel(srv, m.token, m.account_id);
  const g = await A.grant(srv, m.token, m.account_id, u.id, 'channel_viewer', ch.id);
  console.log(g);
  const k = await A.apiKey(srv, m.token, m.account_id, { scopes: ['users:read'] });
  console.log(k);
  const r = await A.requestFrom(srv, '127.0.0.2', 'GET', '/v1/me', { token: m.token });
  console.log(r.status, r.text.slice(0, 200));
  const s = await srv.request('GET', '/v1/me/sessions', { token: m.token });
  console.log(s.text);
  const al = await srv.request('GET', A.P.allowlist(m.account_id), { token: m.token });
  console.log(al.status, al.text);
  t0 = Date.now();
  for (let i = 0; i < 50; i++) await srv.request('GET', A.P.channels(m.account_id), { token: m.token });
  console.log('50 listChannels', Date.now() - t0);
  const me0 = await srv.request('GET', '/v1/me', { token: m.token }); console.log(me0.text);
} finally { await srv.close(); }
