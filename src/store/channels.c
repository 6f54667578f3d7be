/* Channels and the grant queries of the access model (ACC-1, ACC-2). */
#include <string.h>

#include "store/access.h"
#include "store/db.h"
#include "util/alloc.h"

static enum sr_rc
step_rc(int src)
{
        return src == SQLITE_DONE ? SR_E_NOT_FOUND : (db_rc(src) == SR_OK ? SR_E_STORE : db_rc(src));
}

enum sr_rc
sr_store_channel_insert(struct sr_tx *tx, const struct sr_channel_row *c)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "INSERT INTO channels (id, account_id, name, description,"
                                   " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, c->id);
        db_bind_text(s, 2, c->account_id);
        db_bind_text(s, 3, c->name);
        db_bind_text(s, 4, c->description);
        db_bind_int(s, 5, c->created_at);
        db_bind_int(s, 6, c->updated_at);
        return db_exec(s);
}

enum sr_rc
sr_store_channel_update(struct sr_tx *tx, const struct sr_channel_row *c)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "UPDATE channels SET name = ?, description = ?, updated_at = ?"
                                   " WHERE id = ? AND account_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, c->name);
        db_bind_text(s, 2, c->description);
        db_bind_int(s, 3, c->updated_at);
        db_bind_text(s, 4, c->id);
        db_bind_text(s, 5, c->account_id);
        return db_exec_changed(s);
}

enum sr_rc
sr_store_channel_delete(struct sr_tx *tx, const char *account_id, const char *channel_id)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx, "DELETE FROM channels WHERE id = ? AND account_id = ?", &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, channel_id);
        db_bind_text(s, 2, account_id);
        return db_exec_changed(s);
}

static void
channel_read(struct db_stmt *s, struct sr_channel_row *c)
{
        memset(c, 0, sizeof(*c));
        db_col_text(s, 0, c->id, sizeof(c->id));
        db_col_text(s, 1, c->account_id, sizeof(c->account_id));
        db_col_text(s, 2, c->name, sizeof(c->name));
        db_col_text(s, 3, c->description, sizeof(c->description));
        c->created_at = db_col_int(s, 4);
        c->updated_at = db_col_int(s, 5);
}

enum sr_rc
sr_store_channel_get(struct sr_store *st, enum sr_region r, const char *account_id,
                     const char *channel_id, struct sr_channel_row *ret)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT id, account_id, name, description, created_at,"
                                   " updated_at FROM channels WHERE id = ? AND account_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, channel_id);
        db_bind_text(s, 2, account_id);
        int src = sqlite3_step(s);
        if (src == SQLITE_ROW)
                channel_read(s, ret);
        sqlite3_reset(s);
        return src == SQLITE_ROW ? SR_OK : step_rc(src);
}

enum sr_rc
sr_store_channel_list(struct sr_store *st, enum sr_region r, const char *account_id,
                      const char *after_id, unsigned limit, struct sr_channel_row **ret,
                      size_t *ret_n)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT id, account_id, name, description, created_at,"
                                   " updated_at FROM channels WHERE account_id = ? AND id > ?"
                                   " ORDER BY id LIMIT ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        struct sr_channel_row *rows = sr_calloc(limit ? limit : 1, sizeof(*rows));
        if (rows == NULL)
                return SR_E_NOMEM;
        db_bind_text(s, 1, account_id);
        db_bind_str(s, 2, after_id ? after_id : "");
        db_bind_int(s, 3, limit);
        size_t n = 0;
        while (n < limit && sqlite3_step(s) == SQLITE_ROW)
                channel_read(s, &rows[n++]);
        sqlite3_reset(s);
        *ret = rows;
        *ret_n = n;
        return SR_OK;
}

static void
grant_read(struct db_stmt *s, struct sr_grant_row *g)
{
        memset(g, 0, sizeof(*g));
        db_col_text(s, 0, g->id, sizeof(g->id));
        db_col_text(s, 1, g->account_id, sizeof(g->account_id));
        db_col_text(s, 2, g->user_id, sizeof(g->user_id));
        db_col_text(s, 3, g->role, sizeof(g->role));
        db_col_text(s, 4, g->channel_id, sizeof(g->channel_id));
        db_col_text(s, 5, g->granted_by, sizeof(g->granted_by));
        g->created_at = db_col_int(s, 6);
}

enum sr_rc
sr_store_grant_get(struct sr_store *st, enum sr_region r, const char *account_id,
                   const char *grant_id, struct sr_grant_row *ret)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT id, account_id, user_id, role, channel_id, granted_by,"
                                   " created_at FROM role_grants WHERE id = ? AND account_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, grant_id);
        db_bind_text(s, 2, account_id);
        int src = sqlite3_step(s);
        if (src == SQLITE_ROW)
                grant_read(s, ret);
        sqlite3_reset(s);
        return src == SQLITE_ROW ? SR_OK : step_rc(src);
}

enum sr_rc
sr_store_grant_delete(struct sr_tx *tx, const char *account_id, const char *grant_id)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx, "DELETE FROM role_grants WHERE id = ? AND account_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, grant_id);
        db_bind_text(s, 2, account_id);
        return db_exec_changed(s);
}

enum sr_rc
sr_store_grant_delete_channel(struct sr_tx *tx, const char *account_id, const char *channel_id)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "DELETE FROM role_grants WHERE account_id = ? AND channel_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, channel_id);
        return db_exec(s);
}

enum sr_rc
sr_store_grant_users_of_channel(struct sr_store *st, enum sr_region r, const char *account_id,
                                const char *channel_id, char (**ret_ids)[SR_ID_LEN + 1],
                                size_t *ret_n)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT DISTINCT user_id FROM role_grants"
                                   " WHERE account_id = ? AND channel_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, channel_id);
        char(*ids)[SR_ID_LEN + 1] = NULL;
        size_t n = 0, cap = 0;
        while (sqlite3_step(s) == SQLITE_ROW) {
                if (n == cap) {
                        cap = cap ? cap * 2 : 16;
                        void *p = sr_realloc(ids, cap * sizeof(*ids));
                        if (p == NULL) {
                                rc = SR_E_NOMEM;
                                break;
                        }
                        ids = p;
                }
                db_col_text(s, 0, ids[n++], SR_ID_LEN + 1);
        }
        sqlite3_reset(s);
        if (rc != SR_OK) {
                sr_free(ids);
                return rc;
        }
        *ret_ids = ids;
        *ret_n = n;
        return SR_OK;
}

enum sr_rc
sr_store_grant_list(struct sr_store *st, enum sr_region r, const char *account_id,
                    const char *user_id, const char *channel_id, const char *after_id,
                    unsigned limit, struct sr_grant_row **ret, size_t *ret_n)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT id, account_id, user_id, role, channel_id, granted_by,"
                                   " created_at FROM role_grants WHERE account_id = ?1"
                                   " AND (?2 = '' OR user_id = ?2)"
                                   " AND (?3 = '' OR channel_id = ?3) AND id > ?4"
                                   " ORDER BY id LIMIT ?5",
                                   &s);
        if (rc != SR_OK)
                return rc;
        struct sr_grant_row *rows = sr_calloc(limit ? limit : 1, sizeof(*rows));
        if (rows == NULL)
                return SR_E_NOMEM;
        db_bind_text(s, 1, account_id);
        db_bind_str(s, 2, user_id ? user_id : "");
        db_bind_str(s, 3, channel_id ? channel_id : "");
        db_bind_str(s, 4, after_id ? after_id : "");
        db_bind_int(s, 5, limit);
        size_t n = 0;
        while (n < limit && sqlite3_step(s) == SQLITE_ROW)
                grant_read(s, &rows[n++]);
        sqlite3_reset(s);
        *ret = rows;
        *ret_n = n;
        return SR_OK;
}
