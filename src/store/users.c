/* User rows. Personal data arrives here already encrypted; uniqueness of
 * username, e-mail and phone inside an account is enforced by unique
 * indexes over blind indexes (AUTH-1, DATA-2). */
#include <string.h>

#include "store/db.h"
#include "util/alloc.h"

#define USER_COLS                                                                          \
        "id, account_id, username_ct, username_bi, email_ct, email_bi, phone_ct, phone_bi," \
        " name_ct, pw_hash, pw_must_change, pw_changed_at, state, session_epoch,"           \
        " created_at, updated_at"

void
sr_user_row_fini(struct sr_user_row *u)
{
        sr_blob_fini(&u->username_ct);
        sr_blob_fini(&u->email_ct);
        sr_blob_fini(&u->phone_ct);
        sr_blob_fini(&u->name_ct);
}

void
sr_user_rows_free(struct sr_user_row *rows, size_t n)
{
        for (size_t i = 0; rows != NULL && i < n; i++)
                sr_user_row_fini(&rows[i]);
        sr_free(rows);
}

static enum sr_rc
row_read(struct db_stmt *s, void *row)
{
        struct sr_user_row u;
        memset(&u, 0, sizeof(u));
        db_col_text(s, 0, u.id, sizeof(u.id));
        db_col_text(s, 1, u.account_id, sizeof(u.account_id));
        db_col_fixed(s, 3, u.username_bi, SR_BI_LEN);
        u.has_email = db_col_fixed(s, 5, u.email_bi, SR_BI_LEN);
        u.has_phone = db_col_fixed(s, 7, u.phone_bi, SR_BI_LEN);
        db_col_text(s, 9, u.pw_hash, sizeof(u.pw_hash));
        u.pw_must_change = (int)db_col_int(s, 10) != 0;
        u.pw_changed_at = db_col_int(s, 11);
        db_col_text(s, 12, u.state, sizeof(u.state));
        u.session_epoch = db_col_int(s, 13);
        u.created_at = db_col_int(s, 14);
        u.updated_at = db_col_int(s, 15);
        enum sr_rc rc = db_col_blob(s, 2, &u.username_ct);
        if (rc == SR_OK)
                rc = db_col_blob(s, 4, &u.email_ct);
        if (rc == SR_OK)
                rc = db_col_blob(s, 6, &u.phone_ct);
        if (rc == SR_OK)
                rc = db_col_blob(s, 8, &u.name_ct);
        if (rc != SR_OK) {
                sr_user_row_fini(&u);
                return rc;
        }
        *(struct sr_user_row *)row = u;
        return SR_OK;
}

static void
row_fini(void *row)
{
        sr_user_row_fini(row);
}

static void
bind_mutable(struct db_stmt *s, const struct sr_user_row *u)
{
        db_bind_blob(s, 3, &u->username_ct);
        db_bind_raw(s, 4, u->username_bi, SR_BI_LEN);
        db_bind_blob(s, 5, &u->email_ct);
        db_bind_raw(s, 6, u->has_email ? u->email_bi : NULL, SR_BI_LEN);
        db_bind_blob(s, 7, &u->phone_ct);
        db_bind_raw(s, 8, u->has_phone ? u->phone_bi : NULL, SR_BI_LEN);
        db_bind_blob(s, 9, &u->name_ct);
        db_bind_text(s, 10, u->pw_hash);
        db_bind_int(s, 11, u->pw_must_change);
        db_bind_int(s, 12, u->pw_changed_at);
        db_bind_text(s, 13, u->state);
        db_bind_int(s, 14, u->session_epoch);
        db_bind_int(s, 15, u->created_at);
        db_bind_int(s, 16, u->updated_at);
}

enum sr_rc
sr_store_user_insert(struct sr_tx *tx, const struct sr_user_row *u)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "INSERT INTO users (" USER_COLS ") VALUES"
                                   " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
                                   " ?14, ?15, ?16)",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, u->id);
        db_bind_text(s, 2, u->account_id);
        bind_mutable(s, u);
        return db_exec(s);
}

enum sr_rc
sr_store_user_update(struct sr_tx *tx, const struct sr_user_row *u)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "UPDATE users SET username_ct = ?3, username_bi = ?4,"
                                   " email_ct = ?5, email_bi = ?6, phone_ct = ?7, phone_bi = ?8,"
                                   " name_ct = ?9, pw_hash = ?10, pw_must_change = ?11,"
                                   " pw_changed_at = ?12, state = ?13, session_epoch = ?14,"
                                   " created_at = ?15, updated_at = ?16"
                                   " WHERE id = ?1 AND account_id = ?2",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, u->id);
        db_bind_text(s, 2, u->account_id);
        bind_mutable(s, u);
        return db_exec_changed(s);
}

enum sr_rc
sr_store_user_delete(struct sr_tx *tx, const char *account_id, const char *user_id)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx, "DELETE FROM users WHERE id = ? AND account_id = ?", &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, user_id);
        db_bind_text(s, 2, account_id);
        return db_exec_changed(s);
}

enum sr_rc
sr_store_user_get(struct sr_store *st, enum sr_region r, const char *account_id,
                  const char *user_id, struct sr_user_row *ret)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT " USER_COLS " FROM users WHERE id = ? AND account_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, user_id);
        db_bind_text(s, 2, account_id);
        return db_one(s, row_read, ret);
}

enum sr_rc
sr_store_user_find(struct sr_store *st, enum sr_region r, const char *account_id,
                   enum sr_index_kind kind, const unsigned char bi[SR_BI_LEN],
                   struct sr_user_row *ret)
{
        static const char *const sql[] = {
                [SR_INDEX_USERNAME] = "SELECT " USER_COLS
                                      " FROM users WHERE account_id = ? AND username_bi = ?",
                [SR_INDEX_EMAIL] = "SELECT " USER_COLS
                                   " FROM users WHERE account_id = ? AND email_bi = ?",
                [SR_INDEX_PHONE] = "SELECT " USER_COLS
                                   " FROM users WHERE account_id = ? AND phone_bi = ?",
        };
        if ((unsigned)kind > SR_INDEX_PHONE)
                return SR_E_INTERNAL;
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r, sql[kind], &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_raw(s, 2, bi, SR_BI_LEN);
        return db_one(s, row_read, ret);
}

enum sr_rc
sr_store_user_list(struct sr_store *st, enum sr_region r, const char *account_id,
                   const char *after_id, unsigned limit, struct sr_user_row **ret_rows,
                   size_t *ret_n)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT " USER_COLS " FROM users WHERE account_id = ?"
                                   " AND id > ? ORDER BY id LIMIT ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_str(s, 2, after_id);
        db_bind_int(s, 3, limit);
        void *rows = NULL;
        size_t n = 0;
        rc = db_list(s, row_read, row_fini, sizeof(struct sr_user_row), limit, &rows, &n);
        if (rc != SR_OK)
                return rc;
        *ret_rows = rows;
        *ret_n = n;
        return SR_OK;
}

static enum sr_rc
epoch_read(struct db_stmt *s, void *row)
{
        *(int64_t *)row = db_col_int(s, 0);
        return SR_OK;
}

enum sr_rc
sr_store_user_bump_epoch(struct sr_tx *tx, const char *account_id, const char *user_id,
                         int64_t *ret_epoch)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "UPDATE users SET session_epoch = session_epoch + 1"
                                   " WHERE id = ? AND account_id = ? RETURNING session_epoch",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, user_id);
        db_bind_text(s, 2, account_id);
        return db_one(s, epoch_read, ret_epoch);
}
