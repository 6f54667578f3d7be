/* API keys, IP allowlists and support grants (ACC-7, ACC-8, ACC-9).
 * API key secrets are stored only as SHA-256 hashes. */
#include <string.h>

#include "store/access.h"
#include "store/db.h"
#include "util/alloc.h"

#define KEY_COLS                                                                         \
        "id, account_id, creator_id, name, scopes, channel_id, secret_hash, expires_at," \
        " revoked_at, last_used_at, created_at"

static enum sr_rc
key_read(struct db_stmt *s, void *row)
{
        struct sr_api_key_row k;
        memset(&k, 0, sizeof(k));
        db_col_text(s, 0, k.id, sizeof(k.id));
        db_col_text(s, 1, k.account_id, sizeof(k.account_id));
        db_col_text(s, 2, k.creator_id, sizeof(k.creator_id));
        db_col_text(s, 3, k.name, sizeof(k.name));
        k.scopes = (unsigned)db_col_int(s, 4);
        db_col_text(s, 5, k.channel_id, sizeof(k.channel_id));
        db_col_fixed(s, 6, k.secret_hash, sizeof(k.secret_hash));
        k.expires_at = db_col_int(s, 7);
        k.revoked_at = db_col_int(s, 8);
        k.last_used_at = db_col_int(s, 9);
        k.created_at = db_col_int(s, 10);
        *(struct sr_api_key_row *)row = k;
        return SR_OK;
}

enum sr_rc
sr_store_api_key_insert(struct sr_tx *tx, const struct sr_api_key_row *k)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "INSERT INTO api_keys (" KEY_COLS ") VALUES"
                                   " (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, k->id);
        db_bind_text(s, 2, k->account_id);
        db_bind_text(s, 3, k->creator_id);
        db_bind_text(s, 4, k->name);
        db_bind_int(s, 5, k->scopes);
        db_bind_text(s, 6, k->channel_id);
        db_bind_raw(s, 7, k->secret_hash, sizeof(k->secret_hash));
        if (k->expires_at > 0)
                db_bind_int(s, 8, k->expires_at);
        db_bind_int(s, 9, k->created_at);
        return db_exec(s);
}

enum sr_rc
sr_store_api_key_find(struct sr_store *st, enum sr_region r, const unsigned char hash[32],
                      struct sr_api_key_row *ret)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT " KEY_COLS " FROM api_keys WHERE secret_hash = ?", &s);
        if (rc != SR_OK)
                return rc;
        db_bind_raw(s, 1, hash, 32);
        return db_one(s, key_read, ret);
}

enum sr_rc
sr_store_api_key_get(struct sr_store *st, enum sr_region r, const char *account_id,
                     const char *id, struct sr_api_key_row *ret)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT " KEY_COLS " FROM api_keys WHERE id = ? AND account_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, id);
        db_bind_text(s, 2, account_id);
        return db_one(s, key_read, ret);
}

enum sr_rc
sr_store_api_key_revoke(struct sr_tx *tx, const char *account_id, const char *id, int64_t at)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "UPDATE api_keys SET revoked_at = ? WHERE id = ?"
                                   " AND account_id = ? AND revoked_at IS NULL",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_int(s, 1, at);
        db_bind_text(s, 2, id);
        db_bind_text(s, 3, account_id);
        return db_exec_changed(s);
}

enum sr_rc
sr_store_api_key_list(struct sr_store *st, enum sr_region r, const char *account_id,
                      const char *after_id, unsigned limit, struct sr_api_key_row **ret,
                      size_t *ret_n)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT " KEY_COLS " FROM api_keys WHERE account_id = ?"
                                   " AND id > ? ORDER BY id LIMIT ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_str(s, 2, after_id);
        db_bind_int(s, 3, limit);
        void *rows = NULL;
        size_t n = 0;
        rc = db_list(s, key_read, NULL, sizeof(struct sr_api_key_row), limit, &rows, &n);
        if (rc != SR_OK)
                return rc;
        *ret = rows;
        *ret_n = n;
        return SR_OK;
}

enum sr_rc
sr_store_api_key_touch(struct sr_store *st, enum sr_region r, const char *account_id,
                       const char *id, int64_t at)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "UPDATE api_keys SET last_used_at = ? WHERE id = ?"
                                   " AND account_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_int(s, 1, at);
        db_bind_text(s, 2, id);
        db_bind_text(s, 3, account_id);
        return db_exec(s);
}

/* The whole list, however long: a cut-off CIDR (10.0.0.0/16 read as
 * 10.0.0.0/1) would let far more addresses in. */
static enum sr_rc
cidrs_read(struct db_stmt *s, void *row)
{
        struct sr_blob b = {0};
        enum sr_rc rc = db_col_blob(s, 0, &b);
        if (rc != SR_OK)
                return rc;
        char *out = sr_malloc(b.len + 1);
        if (out != NULL) {
                if (b.len > 0)
                        memcpy(out, b.p, b.len);
                out[b.len] = '\0';
        }
        sr_blob_fini(&b);
        if (out == NULL)
                return SR_E_NOMEM;
        *(char **)row = out;
        return SR_OK;
}

enum sr_rc
sr_store_allowlist_get(struct sr_store *st, enum sr_region r, const char *account_id, char **ret)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT cidrs FROM ip_allowlists WHERE account_id = ?", &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        char *out = NULL;
        rc = db_one(s, cidrs_read, &out);
        if (rc == SR_E_NOT_FOUND) {
                out = sr_strdup("");
                rc = out != NULL ? SR_OK : SR_E_NOMEM;
        }
        if (rc != SR_OK)
                return rc;
        *ret = out;
        return SR_OK;
}

enum sr_rc
sr_store_allowlist_set(struct sr_tx *tx, const char *account_id, const char *cidrs, int64_t at)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "INSERT INTO ip_allowlists (account_id, cidrs, updated_at)"
                                   " VALUES (?, ?, ?) ON CONFLICT (account_id) DO UPDATE"
                                   " SET cidrs = excluded.cidrs, updated_at = excluded.updated_at",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_str(s, 2, cidrs);
        db_bind_int(s, 3, at);
        return db_exec(s);
}

void
sr_support_grant_rows_free(struct sr_support_grant_row *rows, size_t n)
{
        for (size_t i = 0; rows != NULL && i < n; i++)
                sr_blob_fini(&rows[i].reason_ct);
        sr_free(rows);
}

enum sr_rc
sr_store_support_insert(struct sr_tx *tx, const struct sr_support_grant_row *g)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "INSERT INTO support_grants (id, account_id, grantee_id,"
                                   " granted_by, reason_ct, expires_at, revoked_at, created_at)"
                                   " VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, g->id);
        db_bind_text(s, 2, g->account_id);
        db_bind_text(s, 3, g->grantee_id);
        db_bind_text(s, 4, g->granted_by);
        db_bind_blob(s, 5, &g->reason_ct);
        db_bind_int(s, 6, g->expires_at);
        db_bind_int(s, 7, g->created_at);
        return db_exec(s);
}

enum sr_rc
sr_store_support_revoke(struct sr_tx *tx, const char *account_id, const char *id, int64_t at)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "UPDATE support_grants SET revoked_at = ? WHERE id = ?"
                                   " AND account_id = ? AND revoked_at IS NULL",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_int(s, 1, at);
        db_bind_text(s, 2, id);
        db_bind_text(s, 3, account_id);
        return db_exec_changed(s);
}

static enum sr_rc
support_read(struct db_stmt *s, void *row)
{
        struct sr_support_grant_row g;
        memset(&g, 0, sizeof(g));
        db_col_text(s, 0, g.id, sizeof(g.id));
        db_col_text(s, 1, g.account_id, sizeof(g.account_id));
        db_col_text(s, 2, g.grantee_id, sizeof(g.grantee_id));
        db_col_text(s, 3, g.granted_by, sizeof(g.granted_by));
        g.expires_at = db_col_int(s, 5);
        g.revoked_at = db_col_int(s, 6);
        g.created_at = db_col_int(s, 7);
        enum sr_rc rc = db_col_blob(s, 4, &g.reason_ct);
        if (rc != SR_OK)
                return rc;
        *(struct sr_support_grant_row *)row = g;
        return SR_OK;
}

static void
support_fini(void *row)
{
        sr_blob_fini(&((struct sr_support_grant_row *)row)->reason_ct);
}

enum sr_rc
sr_store_support_list(struct sr_store *st, enum sr_region r, const char *account_id,
                      struct sr_support_grant_row **ret, size_t *ret_n)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT id, account_id, grantee_id, granted_by, reason_ct,"
                                   " expires_at, revoked_at, created_at FROM support_grants"
                                   " WHERE account_id = ? ORDER BY created_at DESC, id LIMIT 200",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        void *rows = NULL;
        size_t n = 0;
        rc = db_list(s, support_read, support_fini, sizeof(struct sr_support_grant_row), 200,
                     &rows, &n);
        if (rc != SR_OK)
                return rc;
        *ret = rows;
        *ret_n = n;
        return SR_OK;
}

enum sr_rc
sr_store_support_active(struct sr_store *st, enum sr_region r, const char *account_id,
                        const char *grantee_id, int64_t now, bool *ret_active)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT 1 FROM support_grants WHERE account_id = ?"
                                   " AND grantee_id = ? AND revoked_at IS NULL AND expires_at > ?"
                                   " LIMIT 1",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, grantee_id);
        db_bind_int(s, 3, now);
        bool row = false;
        rc = db_step(s, &row);
        db_reset(s);
        if (rc != SR_OK)
                return rc;
        *ret_active = row;
        return SR_OK;
}

void
sr_session_rows_free(struct sr_session_row *rows, size_t n)
{
        for (size_t i = 0; rows != NULL && i < n; i++)
                sr_session_row_fini(&rows[i]);
        sr_free(rows);
}

static enum sr_rc
session_read(struct db_stmt *s, void *row)
{
        struct sr_session_row x;
        memset(&x, 0, sizeof(x));
        db_col_text(s, 0, x.id, sizeof(x.id));
        db_col_text(s, 1, x.account_id, sizeof(x.account_id));
        db_col_text(s, 2, x.user_id, sizeof(x.user_id));
        x.epoch = db_col_int(s, 3);
        x.created_at = db_col_int(s, 4);
        x.last_seen_at = db_col_int(s, 5);
        x.expires_at = db_col_int(s, 6);
        db_col_text(s, 7, x.ip_prefix, sizeof(x.ip_prefix));
        enum sr_rc rc = db_col_blob(s, 8, &x.ua_ct);
        if (rc != SR_OK)
                return rc;
        *(struct sr_session_row *)row = x;
        return SR_OK;
}

static void
session_fini(void *row)
{
        sr_session_row_fini(row);
}

enum sr_rc
sr_store_session_list_user(struct sr_store *st, enum sr_region r, const char *account_id,
                           const char *user_id, struct sr_session_row **ret, size_t *ret_n)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT id, account_id, user_id, epoch, created_at,"
                                   " last_seen_at, expires_at, ip_prefix, ua_ct FROM sessions"
                                   " WHERE account_id = ? AND user_id = ?"
                                   " ORDER BY last_seen_at DESC LIMIT 100",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, user_id);
        void *rows = NULL;
        size_t n = 0;
        rc = db_list(s, session_read, session_fini, sizeof(struct sr_session_row), 100, &rows,
                     &n);
        if (rc != SR_OK)
                return rc;
        *ret = rows;
        *ret_n = n;
        return SR_OK;
}
