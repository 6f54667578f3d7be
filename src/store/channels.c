/* Channels and the grant queries of the access model (ACC-1, ACC-2). */
#include <string.h>

#include "store/access.h"
#include "store/db.h"
#include "util/alloc.h"

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

static enum sr_rc
channel_read(struct db_stmt *s, void *row)
{
        struct sr_channel_row c;
        memset(&c, 0, sizeof(c));
        db_col_text(s, 0, c.id, sizeof(c.id));
        db_col_text(s, 1, c.account_id, sizeof(c.account_id));
        db_col_text(s, 2, c.name, sizeof(c.name));
        db_col_text(s, 3, c.description, sizeof(c.description));
        c.created_at = db_col_int(s, 4);
        c.updated_at = db_col_int(s, 5);
        *(struct sr_channel_row *)row = c;
        return SR_OK;
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
        return db_one(s, channel_read, ret);
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
        db_bind_text(s, 1, account_id);
        db_bind_str(s, 2, after_id);
        db_bind_int(s, 3, limit);
        void *rows = NULL;
        size_t n = 0;
        rc = db_list(s, channel_read, NULL, sizeof(struct sr_channel_row), limit, &rows, &n);
        if (rc != SR_OK)
                return rc;
        *ret = rows;
        *ret_n = n;
        return SR_OK;
}

static enum sr_rc
grant_read(struct db_stmt *s, void *row)
{
        struct sr_grant_row g;
        memset(&g, 0, sizeof(g));
        db_col_text(s, 0, g.id, sizeof(g.id));
        db_col_text(s, 1, g.account_id, sizeof(g.account_id));
        db_col_text(s, 2, g.user_id, sizeof(g.user_id));
        db_col_text(s, 3, g.role, sizeof(g.role));
        db_col_text(s, 4, g.channel_id, sizeof(g.channel_id));
        db_col_text(s, 5, g.granted_by, sizeof(g.granted_by));
        g.created_at = db_col_int(s, 6);
        *(struct sr_grant_row *)row = g;
        return SR_OK;
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
        return db_one(s, grant_read, ret);
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

struct id_list {
        char (*ids)[SR_ID_LEN + 1];
        size_t n, cap;
};

static enum sr_rc
id_collect(struct db_stmt *s, void *arg)
{
        struct id_list *l = arg;
        if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 16;
                void *p = sr_realloc(l->ids, cap * sizeof(*l->ids));
                if (p == NULL)
                        return SR_E_NOMEM;
                l->ids = p;
                l->cap = cap;
        }
        db_col_text(s, 0, l->ids[l->n++], SR_ID_LEN + 1);
        return SR_OK;
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
        struct id_list l = {0};
        rc = db_each(s, id_collect, &l);
        if (rc != SR_OK) {
                sr_free(l.ids);
                return rc;
        }
        *ret_ids = l.ids;
        *ret_n = l.n;
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
                                   " AND (CAST(?2 AS TEXT) = '' OR user_id = ?2)"
                                   " AND (CAST(?3 AS TEXT) = '' OR channel_id = ?3) AND id > ?4"
                                   " ORDER BY id LIMIT ?5",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_str(s, 2, user_id);
        db_bind_str(s, 3, channel_id);
        db_bind_str(s, 4, after_id);
        db_bind_int(s, 5, limit);
        void *rows = NULL;
        size_t n = 0;
        rc = db_list(s, grant_read, NULL, sizeof(struct sr_grant_row), limit, &rows, &n);
        if (rc != SR_OK)
                return rc;
        *ret = rows;
        *ret_n = n;
        return SR_OK;
}
