/* Wrapped keys, one file per region (DATA-7). Shredding deletes the row
 * with secure_delete on and checkpoints the WAL, so the wrapped key is gone
 * from the live files at once (PRIV-3). */
#include "store/db.h"
#include "util/clock.h"

enum sr_rc
sr_store_key_put(struct sr_store *st, enum sr_region r, const char *account_id,
                 const char *owner_id, const unsigned char *wrapped, size_t len)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_KEYS, r,
                                   "INSERT INTO keys (account_id, owner_id, wrapped, created_at)"
                                   " VALUES (?, ?, ?, ?)",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, owner_id);
        db_bind_raw(s, 3, wrapped, len);
        db_bind_int(s, 4, sr_clock_now());
        return db_exec(s);
}

static enum sr_rc
read_wrapped(struct db_stmt *s, void *ret)
{
        return db_col_blob(s, 0, ret);
}

enum sr_rc
sr_store_key_get(struct sr_store *st, enum sr_region r, const char *account_id,
                 const char *owner_id, struct sr_blob *ret)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_KEYS, r,
                                   "SELECT wrapped FROM keys WHERE account_id = ? AND owner_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, owner_id);
        return db_one(s, read_wrapped, ret);
}

enum sr_rc
sr_store_key_shred(struct sr_store *st, enum sr_region r, const char *account_id,
                   const char *owner_id)
{
        struct db_conn *c = NULL;
        enum sr_rc rc = db_conn_get(st, DB_KEYS, r, &c);
        struct db_stmt *s = NULL;
        if (rc == SR_OK)
                rc = db_stmt(c, "DELETE FROM keys WHERE account_id = ? AND owner_id = ?", &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, owner_id);
        rc = db_exec(s);
        if (rc != SR_OK)
                return rc;
        db_conn_forget_deleted(c);
        return SR_OK;
}

enum sr_rc
sr_store_key_shred_account(struct sr_store *st, enum sr_region r, const char *account_id)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_KEYS, r, "DELETE FROM keys WHERE account_id = ?", &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        return db_exec(s);
}
