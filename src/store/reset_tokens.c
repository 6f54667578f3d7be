/* Password-reset token rows (AUTH-6): only the SHA-256 of a token is
 * stored, looked up by that hash alone; "use" is a conditional update so a
 * token can succeed once even under concurrent requests. */
#include "store/reset.h"

#include <string.h>

#include "store/db.h"

enum sr_rc
sr_store_reset_insert(struct sr_tx *tx, const struct sr_reset_row *t)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "INSERT INTO reset_tokens (id, account_id, user_id,"
                                   " token_hash, expires_at, used_at, created_at)"
                                   " VALUES (?, ?, ?, ?, ?, NULL, ?)",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, t->id);
        db_bind_text(s, 2, t->account_id);
        db_bind_text(s, 3, t->user_id);
        db_bind_raw(s, 4, t->token_hash, sizeof(t->token_hash));
        db_bind_int(s, 5, t->expires_at);
        db_bind_int(s, 6, t->created_at);
        return db_exec(s);
}

static enum sr_rc
reset_read(struct db_stmt *s, void *row)
{
        struct sr_reset_row t;
        memset(&t, 0, sizeof(t));
        db_col_text(s, 0, t.id, sizeof(t.id));
        db_col_text(s, 1, t.account_id, sizeof(t.account_id));
        db_col_text(s, 2, t.user_id, sizeof(t.user_id));
        t.expires_at = db_col_int(s, 3);
        t.used_at = db_col_int(s, 4);
        t.created_at = db_col_int(s, 5);
        *(struct sr_reset_row *)row = t;
        return SR_OK;
}

enum sr_rc
sr_store_reset_find(struct sr_store *st, enum sr_region r, const unsigned char token_hash[32],
                    struct sr_reset_row *ret)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT id, account_id, user_id, expires_at,"
                                   " COALESCE(used_at, 0), created_at FROM reset_tokens"
                                   " WHERE token_hash = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_raw(s, 1, token_hash, 32);
        struct sr_reset_row t;
        rc = db_one(s, reset_read, &t);
        if (rc != SR_OK)
                return rc;
        /* The row matched on this hash, so it needs no column of its own. */
        memcpy(t.token_hash, token_hash, 32);
        *ret = t;
        return SR_OK;
}

static enum sr_rc
count_read(struct db_stmt *s, void *row)
{
        *(int64_t *)row = db_col_int(s, 0);
        return SR_OK;
}

enum sr_rc
sr_store_reset_count_pending(struct sr_tx *tx, const char *account_id, const char *user_id,
                             int64_t now, int64_t *ret_n)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "SELECT count(*) FROM reset_tokens WHERE account_id = ?"
                                   " AND user_id = ? AND used_at IS NULL AND expires_at > ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, user_id);
        db_bind_int(s, 3, now);
        return db_one(s, count_read, ret_n);
}

enum sr_rc
sr_store_reset_use(struct sr_tx *tx, const char *account_id, const char *id, int64_t now)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "UPDATE reset_tokens SET used_at = ? WHERE id = ?"
                                   " AND account_id = ? AND used_at IS NULL AND expires_at > ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_int(s, 1, now);
        db_bind_text(s, 2, id);
        db_bind_text(s, 3, account_id);
        db_bind_int(s, 4, now);
        return db_exec_changed(s);
}

enum sr_rc
sr_store_reset_use_all(struct sr_tx *tx, const char *account_id, const char *user_id, int64_t now)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "UPDATE reset_tokens SET used_at = ? WHERE account_id = ?"
                                   " AND user_id = ? AND used_at IS NULL",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_int(s, 1, now);
        db_bind_text(s, 2, account_id);
        db_bind_text(s, 3, user_id);
        return db_exec(s);
}

enum sr_rc
sr_store_reset_purge_user(struct sr_tx *tx, const char *account_id, const char *user_id,
                          int64_t before)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "DELETE FROM reset_tokens WHERE account_id = ? AND user_id = ?"
                                   " AND expires_at < ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, user_id);
        db_bind_int(s, 3, before);
        return db_exec(s);
}
