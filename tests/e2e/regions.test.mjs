// DATA-7: an account's rows and keys live only in the store of the region
// chosen at sign-up.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { newUser, signIn, signupAccount } from '../support/api.mjs';
import { startServer } from '../support/server.mjs';

const REGIONS = ['US', 'EU', 'AU', 'SG', 'JP', 'IN'];
let srv;
before(async () => {
  srv = await startServer({ name: 'regions' });
});
after(async () => {
  await srv?.close();
});

function count(file, sql, id) {
  const out = execFileSync('sqlite3', ['-readonly', file, sql.replace('?', `'${id}'`)], { encoding: 'utf8' });
  return Number(out.trim());
}

test('DATA-7 an AU account is stored in the AU region only (rows and keys)', async () => {
  const acct = await signupAccount(srv, { region: 'AU', country: 'AU' });
  assert.equal(acct.region, 'AU');
  const token = await signIn(srv, acct.slug, acct.email, acct.password);
  await newUser(srv, token, acct.account_id, {});
  for (const r of REGIONS) {
    const dir = path.join(srv.dataDir, 'regions', r);
    const data = path.join(dir, 'strongroom.db');
    const keys = path.join(dir, 'keystore.db');
    const rows = count(data, 'SELECT count(*) FROM users WHERE account_id = ?', acct.account_id) +
      count(data, 'SELECT count(*) FROM accounts WHERE account_id = ?', acct.account_id) +
      count(data, 'SELECT count(*) FROM audit_events WHERE account_id = ?', acct.account_id);
    const k = count(keys, 'SELECT count(*) FROM keys WHERE account_id = ?', acct.account_id);
    if (r === 'AU') {
      assert.ok(rows >= 4, `AU holds the account, its users and audit (${rows})`);
      assert.ok(k >= 3, `AU holds the account key and both subject keys (${k})`);
    } else {
      assert.equal(rows, 0, `${r} holds none of the AU account's rows`);
      assert.equal(k, 0, `${r} holds none of the AU account's keys`);
    }
  }
  // The directory only routes: id, slug, region, state.
  const dir = path.join(srv.dataDir, 'directory.db');
  assert.equal(count(dir, "SELECT count(*) FROM accounts WHERE id = ? AND region = 'AU'", acct.account_id), 1);
});
