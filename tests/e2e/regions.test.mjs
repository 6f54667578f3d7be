// DATA-7: an account's rows and keys live only in the store of the region
// chosen at sign-up.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { newUser, signIn, signupAccount } from '../support/api.mjs';
import { startServer } from '../support/server.mjs';
import { storeQuery } from '../support/store.mjs';

const REGIONS = ['US', 'EU', 'AU', 'SG', 'JP', 'IN'];
let srv;
before(async () => {
  srv = await startServer({ name: 'regions' });
});
after(async () => {
  await srv?.close();
});

/** count(*) AS n of one SELECT in a store (kind 'directory' | 'data' | 'keys' of region). */
function count(kind, region, sql, id) {
  const rows = storeQuery(srv, kind, region, sql, [id]);
  assert.equal(rows.length, 1, `one count row: ${JSON.stringify(rows)}`);
  return Number(rows[0].n);
}

test('DATA-7 an AU account is stored in the AU region only (rows and keys)', async () => {
  const acct = await signupAccount(srv, { region: 'AU', country: 'AU' });
  assert.equal(acct.region, 'AU');
  const token = await signIn(srv, acct.slug, acct.email, acct.password);
  await newUser(srv, token, acct.account_id, {});
  for (const r of REGIONS) {
    const rows = count('data', r, 'SELECT count(*) AS n FROM users WHERE account_id = ?', acct.account_id) +
      count('data', r, 'SELECT count(*) AS n FROM accounts WHERE account_id = ?', acct.account_id) +
      count('data', r, 'SELECT count(*) AS n FROM audit_events WHERE account_id = ?', acct.account_id);
    const k = count('keys', r, 'SELECT count(*) AS n FROM keys WHERE account_id = ?', acct.account_id);
    if (r === 'AU') {
      assert.ok(rows >= 4, `AU holds the account, its users and audit (${rows})`);
      assert.ok(k >= 3, `AU holds the account key and both subject keys (${k})`);
    } else {
      assert.equal(rows, 0, `${r} holds none of the AU account's rows`);
      assert.equal(k, 0, `${r} holds none of the AU account's keys`);
    }
  }
  // The directory only routes: id, slug, region, state.
  assert.equal(count('directory', null, "SELECT count(*) AS n FROM accounts WHERE id = ? AND region = 'AU'", acct.account_id), 1);
});
