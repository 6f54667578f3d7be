/* The account directory: id, slug, region, state. No personal data. */
#include <string.h>

#include "store/db.h"
#include "util/alloc.h"

static enum sr_rc
row_read(struct db_stmt *s, struct sr_dir_account *a)
{
        char region[8];
        db_col_text(s, 0, a->id, sizeof(a->id));
        db_col_text(s, 1, a->slug, sizeof(a->slug));
        db_col_text(s, 2, region, sizeof(region));
        db_col_text(s, 3, a->state, sizeof(a->state));
        a->created_at = db_col_int(s, 4);
        return sr_region_parse(region, &a->region) == SR_OK ? SR_OK : SR_E_STORE;
}

enum sr_rc
sr_store_dir_insert(struct sr_store *st, const struct sr_dir_account *a)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DIRECTORY, SR_REGION_US,
                                   "INSERT INTO accounts (id, slug, region, state, created_at)"
                                   " VALUES (?, ?, ?, ?, ?)",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, a->id);
        db_bind_text(s, 2, a->slug);
        db_bind_text(s, 3, sr_region_name(a->region));
        db_bind_text(s, 4, a->state);
        db_bind_int(s, 5, a->created_at);
        return db_exec(s);
}

enum sr_rc
sr_store_dir_delete(struct sr_store *st, const char *id)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DIRECTORY, SR_REGION_US,
                                   "DELETE FROM accounts WHERE id = ?", &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, id);
        return db_exec(s);
}

enum sr_rc
sr_store_dir_find(struct sr_store *st, const char *id_or_slug, struct sr_dir_account *ret)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DIRECTORY, SR_REGION_US,
                                   "SELECT id, slug, region, state, created_at FROM accounts"
                                   " WHERE id = ?1 OR slug = ?1",
                                   &s);
        if (rc != SR_OK)
                return rc;
        db_bind_text(s, 1, id_or_slug);
        int src = sqlite3_step(s);
        if (src != SQLITE_ROW) {
                sqlite3_reset(s);
                return src == SQLITE_DONE ? SR_E_NOT_FOUND : db_rc(src);
        }
        struct sr_dir_account a;
        rc = row_read(s, &a);
        sqlite3_reset(s);
        if (rc == SR_OK)
                *ret = a;
        return rc;
}

enum sr_rc
sr_store_dir_each(struct sr_store *st, enum sr_rc (*fn)(const struct sr_dir_account *, void *),
                  void *arg)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DIRECTORY, SR_REGION_US,
                                   "SELECT id, slug, region, state, created_at FROM accounts"
                                   " ORDER BY created_at, id",
                                   &s);
        if (rc != SR_OK)
                return rc;
        /* Collect first: fn may use the store on this thread. */
        struct sr_dir_account *all = NULL;
        size_t n = 0, cap = 0;
        int src;
        while ((src = sqlite3_step(s)) == SQLITE_ROW) {
                if (n == cap) {
                        cap = cap ? cap * 2 : 16;
                        struct sr_dir_account *p = sr_realloc(all, cap * sizeof(*all));
                        if (p == NULL) {
                                rc = SR_E_NOMEM;
                                break;
                        }
                        all = p;
                }
                rc = row_read(s, &all[n]);
                if (rc != SR_OK)
                        break;
                n++;
        }
        sqlite3_reset(s);
        if (rc == SR_OK && src != SQLITE_DONE)
                rc = db_rc(src) == SR_OK ? SR_E_STORE : db_rc(src);
        for (size_t i = 0; rc == SR_OK && i < n; i++)
                rc = fn(&all[i], arg);
        sr_free(all);
        return rc;
}
