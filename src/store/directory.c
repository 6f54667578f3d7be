/* The account directory: id, slug, region, state. No personal data. */
#include <string.h>

#include "store/db.h"
#include "util/alloc.h"

static enum sr_rc
row_read(struct db_stmt *s, void *row)
{
        struct sr_dir_account a;
        memset(&a, 0, sizeof(a));
        char region[8];
        db_col_text(s, 0, a.id, sizeof(a.id));
        db_col_text(s, 1, a.slug, sizeof(a.slug));
        db_col_text(s, 2, region, sizeof(region));
        db_col_text(s, 3, a.state, sizeof(a.state));
        a.created_at = db_col_int(s, 4);
        if (sr_region_parse(region, &a.region) != SR_OK)
                return SR_E_STORE;
        *(struct sr_dir_account *)row = a;
        return SR_OK;
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
        return db_one(s, row_read, ret);
}

struct dir_list {
        struct sr_dir_account *all;
        size_t n, cap;
};

static enum sr_rc
dir_collect(struct db_stmt *s, void *arg)
{
        struct dir_list *l = arg;
        if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 16;
                void *p = sr_realloc(l->all, cap * sizeof(*l->all));
                if (p == NULL)
                        return SR_E_NOMEM;
                l->all = p;
                l->cap = cap;
        }
        enum sr_rc rc = row_read(s, &l->all[l->n]);
        if (rc == SR_OK)
                l->n++;
        return rc;
}

/* Collects first, then calls fn: fn may use the store on this thread. */
static enum sr_rc
each_row(struct db_stmt *s, enum sr_rc (*fn)(const struct sr_dir_account *, void *), void *arg)
{
        struct dir_list l = {0};
        enum sr_rc rc = db_each(s, dir_collect, &l);
        for (size_t i = 0; rc == SR_OK && i < l.n; i++)
                rc = fn(&l.all[i], arg);
        sr_free(l.all);
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
        return each_row(s, fn, arg);
}

enum sr_rc
sr_store_dir_each_pending(struct sr_store *st,
                          enum sr_rc (*fn)(const struct sr_dir_account *, void *), void *arg)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DIRECTORY, SR_REGION_US,
                                   "SELECT id, slug, region, state, created_at FROM accounts"
                                   " WHERE state = 'pending' ORDER BY created_at, id",
                                   &s);
        if (rc != SR_OK)
                return rc;
        return each_row(s, fn, arg);
}
