/* Role grants: which role a user holds at which scope (ACC-1, ACC-2). */
#include <string.h>

#include "store/db.h"

enum sr_rc
sr_store_grant_insert(struct sr_tx *tx, const struct sr_grant_row *g)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "INSERT INTO role_grants (id, account_id, user_id, role,"
                                   " channel_id, granted_by, created_at)"
                                   " VALUES (?, ?, ?, ?, ?, ?, ?)",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, g->id);
        db_bind_text(s, 2, g->account_id);
        db_bind_text(s, 3, g->user_id);
        db_bind_text(s, 4, g->role);
        db_bind_text(s, 5, g->channel_id);
        db_bind_text(s, 6, g->granted_by);
        db_bind_int(s, 7, g->created_at);
        return db_exec(s);
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
sr_store_grant_list_user(struct sr_store *st, enum sr_region r, const char *account_id,
                         const char *user_id, struct sr_grant_row *ret, size_t max,
                         size_t *ret_n)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DATA, r,
                                   "SELECT id, account_id, user_id, role, channel_id,"
                                   " granted_by, created_at FROM role_grants"
                                   " WHERE account_id = ? AND user_id = ? ORDER BY created_at, id",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, user_id);
        return db_fill(s, grant_read, sizeof(struct sr_grant_row), ret, max, ret_n);
}

enum sr_rc
sr_store_grant_delete_user(struct sr_tx *tx, const char *account_id, const char *user_id)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_tx_stmt(tx,
                                   "DELETE FROM role_grants WHERE account_id = ? AND user_id = ?",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, user_id);
        return db_exec(s);
}
