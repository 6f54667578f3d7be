/* SQLite connections, one per thread and database file, with a cache of
 * prepared statements. WAL + synchronous=FULL so an acknowledged write
 * survives kill -9 and power loss; secure_delete so deleted rows (shredded
 * keys, erased people) are overwritten on the page. */
#include "store/sqlite/db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/internal.h"
#include "util/alloc.h"

#define STMT_CACHE 512
#define CONN_SLOTS (1 + 2 * SR_REGION__COUNT)

struct db_conn {
        sqlite3 *db;
        const char *sql_keys[STMT_CACHE];
        sqlite3_stmt *stmts[STMT_CACHE];
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
                sqlite3_finalize(c->stmts[i]);
        sqlite3_close_v2(c->db);
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

enum sr_rc
db_rc(int src)
{
        switch (src & 0xff) {
        case SQLITE_OK:
        case SQLITE_DONE:
        case SQLITE_ROW:
                return SR_OK;
        case SQLITE_CONSTRAINT:
                return SR_E_CONFLICT;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return SR_E_BUSY;
        case SQLITE_NOMEM:
                return SR_E_NOMEM;
        default:
                return SR_E_STORE;
        }
}

static const char pragmas[] = "PRAGMA journal_mode=WAL;"
                              "PRAGMA synchronous=FULL;"
                              "PRAGMA foreign_keys=ON;"
                              "PRAGMA secure_delete=ON;"
                              "PRAGMA trusted_schema=OFF;";

static enum sr_rc
conn_open(const char *path, struct db_conn **ret)
{
        struct db_conn *c = sr_calloc(1, sizeof(*c));
        if (c == NULL)
                return SR_E_NOMEM;
        int src = sqlite3_open_v2(path, &c->db,
                                  SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
                                          SQLITE_OPEN_EXRESCODE,
                                  NULL);
        if (src == SQLITE_OK)
                src = sqlite3_busy_timeout(c->db, 10000);
        if (src == SQLITE_OK)
                src = sqlite3_exec(c->db, pragmas, NULL, NULL, NULL);
        if (src != SQLITE_OK) {
                conn_close(c);
                return src == SQLITE_CANTOPEN ? SR_E_IO : db_rc(src);
        }
        *ret = c;
        return SR_OK;
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
        if (t->slots[slot] == NULL) {
                char path[4096];
                store_path(st, kind, r, path, sizeof(path));
                enum sr_rc rc = conn_open(path, &t->slots[slot]);
                if (rc != SR_OK)
                        return rc;
        }
        *ret = t->slots[slot];
        return SR_OK;
}

sqlite3 *
db_handle(struct db_conn *c)
{
        return c->db;
}

enum sr_rc
db_stmt(struct db_conn *c, const char *sql, sqlite3_stmt **ret)
{
        size_t h = ((uintptr_t)sql >> 3) % STMT_CACHE;
        for (size_t i = 0; i < STMT_CACHE; i++) {
                size_t k = (h + i) % STMT_CACHE;
                if (c->sql_keys[k] == sql) {
                        sqlite3_reset(c->stmts[k]);
                        sqlite3_clear_bindings(c->stmts[k]);
                        *ret = c->stmts[k];
                        return SR_OK;
                }
                if (c->sql_keys[k] == NULL) {
                        sqlite3_stmt *s = NULL;
                        int src = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                                     &s, NULL);
                        if (src != SQLITE_OK)
                                return db_rc(src) == SR_OK ? SR_E_STORE : db_rc(src);
                        c->sql_keys[k] = sql;
                        c->stmts[k] = s;
                        *ret = s;
                        return SR_OK;
                }
        }
        return SR_E_INTERNAL; /* more distinct statements than the cache holds */
}

enum sr_rc
db_prepare(struct sr_store *st, enum db_kind kind, enum sr_region r, const char *sql,
           sqlite3_stmt **ret)
{
        struct db_conn *c = NULL;
        enum sr_rc rc = db_conn_get(st, kind, r, &c);
        if (rc != SR_OK)
                return rc;
        return db_stmt(c, sql, ret);
}

enum sr_rc
db_tx_stmt(struct sr_tx *tx, const char *sql, sqlite3_stmt **ret)
{
        if (tx == NULL || !tx->open)
                return SR_E_INTERNAL;
        return db_stmt(tx->c, sql, ret);
}

enum sr_rc
db_exec_stmt(sqlite3_stmt *s)
{
        int src = sqlite3_step(s);
        sqlite3_reset(s);
        return src == SQLITE_DONE ? SR_OK : (db_rc(src) == SR_OK ? SR_E_STORE : db_rc(src));
}

enum sr_rc
db_exec_changed(sqlite3_stmt *s)
{
        enum sr_rc rc = db_exec_stmt(s);
        if (rc == SR_OK && sqlite3_changes(sqlite3_db_handle(s)) == 0)
                return SR_E_NOT_FOUND;
        return rc;
}

void
db_bind_text(sqlite3_stmt *s, int i, const char *v)
{
        if (v == NULL || v[0] == '\0')
                sqlite3_bind_null(s, i);
        else
                sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

void
db_bind_raw(sqlite3_stmt *s, int i, const void *p, size_t n)
{
        if (p == NULL || n == 0)
                sqlite3_bind_null(s, i);
        else
                sqlite3_bind_blob64(s, i, p, n, SQLITE_TRANSIENT);
}

void
db_bind_blob(sqlite3_stmt *s, int i, const struct sr_blob *b)
{
        db_bind_raw(s, i, b->p, b->len);
}

void
db_bind_int(sqlite3_stmt *s, int i, int64_t v)
{
        sqlite3_bind_int64(s, i, v);
}

void
db_col_text(sqlite3_stmt *s, int i, char *dst, size_t dst_len)
{
        const unsigned char *t = sqlite3_column_text(s, i);
        snprintf(dst, dst_len, "%s", t ? (const char *)t : "");
}

enum sr_rc
db_col_blob(sqlite3_stmt *s, int i, struct sr_blob *ret)
{
        const void *p = sqlite3_column_blob(s, i);
        int n = sqlite3_column_bytes(s, i);
        ret->p = NULL;
        ret->len = 0;
        if (p == NULL || n <= 0)
                return SR_OK;
        ret->p = sr_malloc((size_t)n);
        if (ret->p == NULL)
                return SR_E_NOMEM;
        memcpy(ret->p, p, (size_t)n);
        ret->len = (size_t)n;
        return SR_OK;
}

bool
db_col_fixed(sqlite3_stmt *s, int i, unsigned char *dst, size_t n)
{
        const void *p = sqlite3_column_blob(s, i);
        if (p == NULL || (size_t)sqlite3_column_bytes(s, i) != n)
                return false;
        memcpy(dst, p, n);
        return true;
}

void
sr_blob_fini(struct sr_blob *b)
{
        sr_free(b->p);
        b->p = NULL;
        b->len = 0;
}
