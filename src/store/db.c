/* Per-thread connections with a cache of prepared statements, and the
 * statement API of db.h dispatched to the store's driver. */
#include "store/db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/driver.h"
#include "store/internal.h"
#include "util/alloc.h"

#define STMT_CACHE 512
#define CONN_SLOTS (1 + 2 * SR_REGION__COUNT)

struct db_stmt {
        const struct db_driver *drv;
        void *h;
};

struct db_conn {
        const struct db_driver *drv;
        void *h;
        bool in_tx; /* an sr_tx points here: never dropped meanwhile */
        const char *sql_keys[STMT_CACHE];
        struct db_stmt stmts[STMT_CACHE];
};

struct thread_conns {
        const struct sr_store *owner;
        unsigned long generation;
        struct db_conn *slots[CONN_SLOTS];
};

static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

static void
conn_close(struct db_conn *c)
{
        if (c == NULL)
                return;
        for (int i = 0; i < STMT_CACHE; i++)
                if (c->sql_keys[i] != NULL)
                        c->drv->finalize(c->stmts[i].h);
        c->drv->close(c->h);
        sr_free(c);
}

static void
thread_conns_free(void *p)
{
        struct thread_conns *t = p;
        if (t == NULL)
                return;
        for (int i = 0; i < CONN_SLOTS; i++)
                conn_close(t->slots[i]);
        sr_free(t);
}

static void
tls_init(void)
{
        if (pthread_key_create(&tls_key, thread_conns_free) != 0)
                abort();
}

void
sr_store_thread_done(void)
{
        pthread_once(&tls_once, tls_init);
        thread_conns_free(pthread_getspecific(tls_key));
        pthread_setspecific(tls_key, NULL);
}

static int
slot_of(enum db_kind kind, enum sr_region r)
{
        switch (kind) {
        case DB_DIRECTORY:
                return 0;
        case DB_DATA:
                return 1 + (int)r;
        case DB_KEYS:
        default:
                return 1 + SR_REGION__COUNT + (int)r;
        }
}

static enum sr_rc
conn_open(const struct sr_store *st, enum db_kind kind, enum sr_region r, struct db_conn **ret)
{
        struct db_conn *c = sr_calloc(1, sizeof(*c));
        if (c == NULL)
                return SR_E_NOMEM;
        c->drv = store_driver(st);
        enum sr_rc rc = c->drv->open(st, kind, r, &c->h);
        if (rc != SR_OK) {
                sr_free(c);
                return rc;
        }
        *ret = c;
        return SR_OK;
}

enum sr_rc
db_conn_get(struct sr_store *st, enum db_kind kind, enum sr_region r, struct db_conn **ret)
{
        if ((unsigned)r >= SR_REGION__COUNT)
                return SR_E_INTERNAL;
        pthread_once(&tls_once, tls_init);
        struct thread_conns *t = pthread_getspecific(tls_key);
        if (t != NULL && (t->owner != st || t->generation != store_generation(st))) {
                thread_conns_free(t);
                t = NULL;
                pthread_setspecific(tls_key, NULL);
        }
        if (t == NULL) {
                t = sr_calloc(1, sizeof(*t));
                if (t == NULL)
                        return SR_E_NOMEM;
                t->owner = st;
                t->generation = store_generation(st);
                pthread_setspecific(tls_key, t);
        }
        int slot = slot_of(kind, r);
        struct db_conn *old = t->slots[slot];
        if (old != NULL && !old->in_tx && old->drv->broken(old->h)) {
                conn_close(old);
                t->slots[slot] = NULL;
        }
        if (t->slots[slot] == NULL) {
                enum sr_rc rc = conn_open(st, kind, r, &t->slots[slot]);
                if (rc != SR_OK)
                        return rc;
        }
        *ret = t->slots[slot];
        return SR_OK;
}

enum sr_rc
db_stmt(struct db_conn *c, const char *sql, struct db_stmt **ret)
{
        size_t h = ((uintptr_t)sql >> 3) % STMT_CACHE;
        for (size_t i = 0; i < STMT_CACHE; i++) {
                size_t k = (h + i) % STMT_CACHE;
                if (c->sql_keys[k] == sql) {
                        c->drv->reset(c->stmts[k].h);
                        *ret = &c->stmts[k];
                        return SR_OK;
                }
                if (c->sql_keys[k] == NULL) {
                        void *s = NULL;
                        enum sr_rc rc = c->drv->prepare(c->h, sql, &s);
                        if (rc != SR_OK)
                                return rc;
                        c->sql_keys[k] = sql;
                        c->stmts[k].drv = c->drv;
                        c->stmts[k].h = s;
                        *ret = &c->stmts[k];
                        return SR_OK;
                }
        }
        return SR_E_INTERNAL; /* more distinct statements than the cache holds */
}

enum sr_rc
db_prepare(struct sr_store *st, enum db_kind kind, enum sr_region r, const char *sql,
           struct db_stmt **ret)
{
        struct db_conn *c = NULL;
        enum sr_rc rc = db_conn_get(st, kind, r, &c);
        if (rc != SR_OK)
                return rc;
        return db_stmt(c, sql, ret);
}

enum sr_rc
db_tx_stmt(struct sr_tx *tx, const char *sql, struct db_stmt **ret)
{
        if (tx == NULL || !tx->open)
                return SR_E_INTERNAL;
        return db_stmt(tx->c, sql, ret);
}

void
db_conn_forget_deleted(struct db_conn *c)
{
        c->drv->forget_deleted(c->h);
}

enum sr_rc
db_conn_script(struct db_conn *c, const char *sql)
{
        return c->drv->exec_script(c->h, sql);
}

enum sr_rc
db_conn_begin(struct db_conn *c)
{
        if (c->in_tx)
                return SR_E_INTERNAL; /* no nesting: PostgreSQL would only warn */
        enum sr_rc rc = c->drv->begin(c->h);
        c->in_tx = rc == SR_OK;
        return rc;
}

enum sr_rc
db_conn_commit(struct db_conn *c)
{
        enum sr_rc rc = c->drv->commit(c->h);
        if (rc == SR_OK)
                c->in_tx = false;
        return rc;
}

void
db_conn_rollback(struct db_conn *c)
{
        c->drv->rollback(c->h);
        c->in_tx = false;
}

const struct sr_migration *
db_conn_migrations(struct db_conn *c, enum db_kind kind)
{
        return c->drv->migrations(kind);
}

enum sr_rc
db_step(struct db_stmt *s, bool *row)
{
        return s->drv->step(s->h, row);
}

void
db_reset(struct db_stmt *s)
{
        s->drv->reset(s->h);
}

enum sr_rc
db_exec(struct db_stmt *s)
{
        bool row = false;
        enum sr_rc rc = db_step(s, &row);
        db_reset(s);
        return rc;
}

enum sr_rc
db_exec_count(struct db_stmt *s, int64_t *ret)
{
        bool row = false;
        enum sr_rc rc = db_step(s, &row);
        if (rc == SR_OK)
                *ret = s->drv->changes(s->h);
        db_reset(s);
        return rc;
}

enum sr_rc
db_exec_changed(struct db_stmt *s)
{
        int64_t n = 0;
        enum sr_rc rc = db_exec_count(s, &n);
        if (rc == SR_OK && n == 0)
                return SR_E_NOT_FOUND;
        return rc;
}

void
db_bind_text(struct db_stmt *s, int i, const char *v)
{
        if (v == NULL || v[0] == '\0')
                s->drv->bind_null(s->h, i);
        else
                s->drv->bind_text(s->h, i, v);
}

void
db_bind_str(struct db_stmt *s, int i, const char *v)
{
        s->drv->bind_text(s->h, i, v != NULL ? v : "");
}

void
db_bind_raw(struct db_stmt *s, int i, const void *p, size_t n)
{
        if (p == NULL || n == 0)
                s->drv->bind_null(s->h, i);
        else
                s->drv->bind_blob(s->h, i, p, n);
}

void
db_bind_blob(struct db_stmt *s, int i, const struct sr_blob *b)
{
        db_bind_raw(s, i, b->p, b->len);
}

void
db_bind_int(struct db_stmt *s, int i, int64_t v)
{
        s->drv->bind_int(s->h, i, v);
}

bool
db_col_null(struct db_stmt *s, int i)
{
        return s->drv->col_null(s->h, i);
}

int64_t
db_col_int(struct db_stmt *s, int i)
{
        return s->drv->col_int(s->h, i);
}

void
db_col_text(struct db_stmt *s, int i, char *dst, size_t dst_len)
{
        size_t n = 0;
        const char *p = s->drv->col_bytes(s->h, i, &n);
        if (dst_len == 0)
                return;
        if (p == NULL)
                n = 0;
        if (n >= dst_len)
                n = dst_len - 1;
        if (n > 0)
                memcpy(dst, p, n);
        dst[n] = '\0';
}

enum sr_rc
db_col_blob(struct db_stmt *s, int i, struct sr_blob *ret)
{
        size_t n = 0;
        const void *p = s->drv->col_bytes(s->h, i, &n);
        ret->p = NULL;
        ret->len = 0;
        if (p == NULL || n == 0)
                return SR_OK;
        ret->p = sr_malloc(n);
        if (ret->p == NULL)
                return SR_E_NOMEM;
        memcpy(ret->p, p, n);
        ret->len = n;
        return SR_OK;
}

bool
db_col_fixed(struct db_stmt *s, int i, unsigned char *dst, size_t n)
{
        size_t len = 0;
        const void *p = s->drv->col_bytes(s->h, i, &len);
        if (p == NULL || len != n)
                return false;
        memcpy(dst, p, n);
        return true;
}

enum sr_rc
db_one(struct db_stmt *s, db_read_fn read, void *ret)
{
        bool row = false;
        enum sr_rc rc = db_step(s, &row);
        if (rc == SR_OK)
                rc = row ? read(s, ret) : SR_E_NOT_FOUND;
        db_reset(s);
        return rc;
}

enum sr_rc
db_fill(struct db_stmt *s, db_read_fn read, size_t elem_size, void *dst, size_t max,
        size_t *ret_n)
{
        unsigned char *rows = dst;
        size_t n = 0;
        bool row = true;
        enum sr_rc rc = SR_OK;
        while (rc == SR_OK && n < max) {
                rc = db_step(s, &row);
                if (rc != SR_OK || !row)
                        break;
                rc = read(s, rows + n * elem_size);
                if (rc == SR_OK)
                        n++;
        }
        db_reset(s);
        *ret_n = n;
        return rc;
}

enum sr_rc
db_list(struct db_stmt *s, db_read_fn read, void (*fini)(void *row), size_t elem_size,
        size_t limit, void **ret, size_t *ret_n)
{
        *ret = NULL;
        *ret_n = 0;
        if (limit == 0) {
                db_reset(s);
                return SR_OK;
        }
        unsigned char *rows = sr_calloc(limit, elem_size);
        if (rows == NULL) {
                db_reset(s);
                return SR_E_NOMEM;
        }
        size_t n = 0;
        enum sr_rc rc = db_fill(s, read, elem_size, rows, limit, &n);
        if (rc != SR_OK) {
                for (size_t i = 0; fini != NULL && i < n; i++)
                        fini(rows + i * elem_size);
                sr_free(rows);
                return rc;
        }
        *ret = rows;
        *ret_n = n;
        return SR_OK;
}

enum sr_rc
db_each(struct db_stmt *s, enum sr_rc (*fn)(struct db_stmt *, void *), void *arg)
{
        bool row = false;
        enum sr_rc rc = SR_OK;
        while (rc == SR_OK) {
                rc = db_step(s, &row);
                if (rc != SR_OK || !row)
                        break;
                rc = fn(s, arg);
        }
        db_reset(s);
        return rc;
}

void
sr_blob_fini(struct sr_blob *b)
{
        sr_free(b->p);
        b->p = NULL;
        b->len = 0;
}
