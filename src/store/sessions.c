/* Session rows: only the SHA-256 of a token is stored; the client address
 * and user agent are ciphertext with a truncated prefix in clear. */
#include <string.h>

#include "store/db.h"

void
sr_session_row_fini(struct sr_session_row *s)
{
        sr_blob_fini(&s->ip_ct);
        sr_blob_fini(&s->ua_ct);
}

enum sr_rc
sr_store_session_insert(struct sr_tx *tx, const struct sr_session_row *r)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "INSERT INTO sessions (id, account_id, user_id, token_hash,"
                                   " epoch, created_at, last_seen_at, expires_at, ip_prefix,"
                                   " ip_ct, ua_ct) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, r->id);
        db_bind_text(s, 2, r->account_id);
        db_bind_text(s, 3, r->user_id);
        db_bind_raw(s, 4, r->token_hash, sizeof(r->token_hash));
        db_bind_int(s, 5, r->epoch);
        db_bind_int(s, 6, r->created_at);
        db_bind_int(s, 7, r->last_seen_at);
        db_bind_int(s, 8, r->expires_at);
        db_bind_text(s, 9, r->ip_prefix);
        db_bind_blob(s, 10, &r->ip_ct);
        db_bind_blob(s, 11, &r->ua_ct);
        return db_exec(s);
}

static enum sr_rc
session_read(struct db_stmt *s, void *row)
{
        struct sr_session_row r;
        memset(&r, 0, sizeof(r));
        db_col_text(s, 0, r.id, sizeof(r.id));
        db_col_text(s, 1, r.account_id, sizeof(r.account_id));
        db_col_text(s, 2, r.user_id, sizeof(r.user_id));
        r.epoch = db_col_int(s, 3);
        r.created_at = db_col_int(s, 4);
        r.last_seen_at = db_col_int(s, 5);
        r.expires_at = db_col_int(s, 6);
        db_col_text(s, 7, r.ip_prefix, sizeof(r.ip_prefix));
        enum sr_rc rc = db_col_blob(s, 8, &r.ip_ct);
        if (rc == SR_OK)
                rc = db_col_blob(s, 9, &r.ua_ct);
        if (rc != SR_OK) {
                sr_session_row_fini(&r);
                return rc;
        }
        *(struct sr_session_row *)row = r;
        return SR_OK;
}

enum sr_rc
sr_store_session_find(struct sr_store *st, enum sr_region r, const unsigned char token_hash[32],
                      struct sr_session_row *ret)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT id, account_id, user_id, epoch, created_at,"
                                   " last_seen_at, expires_at, ip_prefix, ip_ct, ua_ct"
                                   " FROM sessions WHERE token_hash = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_raw(s, 1, token_hash, 32);
        struct sr_session_row row;
        rc = db_one(s, session_read, &row);
        if (rc != SR_OK)
                return rc;
        /* The row matched on this hash, so it needs no column of its own. */
        memcpy(row.token_hash, token_hash, 32);
        *ret = row;
        return SR_OK;
}

enum sr_rc
sr_store_session_touch(struct sr_tx *tx, const char *account_id, const char *session_id,
                       int64_t last_seen_at)
{
        /* Only forwards: a late touch from a slower request must not move
         * last_seen_at back and shorten the idle window. */
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "UPDATE sessions SET last_seen_at = ?1"
                                   " WHERE id = ?2 AND account_id = ?3 AND last_seen_at < ?1",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_int(s, 1, last_seen_at);
        db_bind_text(s, 2, session_id);
        db_bind_text(s, 3, account_id);
        return db_exec(s);
}

enum sr_rc
sr_store_session_delete(struct sr_tx *tx, const char *account_id, const char *session_id)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx, "DELETE FROM sessions WHERE id = ? AND account_id = ?", &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, session_id);
        db_bind_text(s, 2, account_id);
        return db_exec(s);
}

enum sr_rc
sr_store_session_delete_user(struct sr_tx *tx, const char *account_id, const char *user_id,
                             const char *keep_id)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "DELETE FROM sessions WHERE account_id = ? AND user_id = ?"
                                   " AND id IS DISTINCT FROM ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, user_id);
        db_bind_text(s, 3, keep_id);
        return db_exec(s);
}

enum sr_rc
sr_store_session_sweep(struct sr_store *st, enum sr_region r, int64_t before,
                       int64_t idle_before_max)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_int(s, 1, before);
        db_bind_int(s, 2, idle_before_max);
        return db_exec(s);
}
