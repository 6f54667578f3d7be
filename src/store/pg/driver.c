/* The PostgreSQL driver (libpq). Each database of the SQLite layout is a
 * schema: sr_directory, sr_data_<region>, sr_keys_<region>, in the
 * database of [store] postgres (or postgres_<REGION> for a region kept on
 * its own server, DESIGN.md "one database or cluster per region").
 *
 * Semantics kept equal to the SQLite driver:
 * - one writer per database at a time: BEGIN takes a transaction-level
 *   advisory lock on the schema, so read-modify-write sequences (audit
 *   chain, counters) need no retry loop;
 * - a failed statement inside a transaction leaves the transaction usable
 *   (SQLite rolls back just the statement): writes inside a transaction
 *   run under a savepoint;
 * - parameters are bound as text (integers, strings) or binary (blobs) and
 *   results come back binary, so blobs need no escaping. */
#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/driver.h"
#include "store/pg/translate.h"
#include "util/alloc.h"

#define PG_MAX_PARAMS 32

/* Type oids of the result columns we read as integers. */
#define OID_BOOL 16
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23

struct pg_conn {
        PGconn *pg;
        char schema[32];
        long long lock_key;
        bool in_tx;
        unsigned next_stmt;
};

struct pg_stmt {
        struct pg_conn *c;
        char name[24];
        int nparams;
        bool is_write;
        const char *vals[PG_MAX_PARAMS];
        char *owned[PG_MAX_PARAMS];
        int lens[PG_MAX_PARAMS];
        int fmts[PG_MAX_PARAMS];
        PGresult *res;
        int row; /* index of the current row; -1 before the first step */
        int64_t changes;
};

static enum sr_rc
pg_result_rc(const PGresult *res)
{
        switch (PQresultStatus(res)) {
        case PGRES_COMMAND_OK:
        case PGRES_TUPLES_OK:
                return SR_OK;
        default:
                break;
        }
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        if (state == NULL)
                return SR_E_STORE;
        if (strncmp(state, "23", 2) == 0) /* integrity constraint violation */
                return SR_E_CONFLICT;
        if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
            strcmp(state, "55P03") == 0)
                return SR_E_BUSY;
        return SR_E_STORE;
}

/* Runs sql without parameters; the result is checked and dropped. */
static enum sr_rc
pg_simple(struct pg_conn *c, const char *sql)
{
        PGresult *res = PQexec(c->pg, sql);
        enum sr_rc rc = res == NULL ? SR_E_STORE : pg_result_rc(res);
        PQclear(res);
        return rc;
}

static enum sr_rc
pg_params(struct pg_conn *c, const char *sql, const char *p1)
{
        PGresult *res = PQexecParams(c->pg, sql, 1, NULL, &p1, NULL, NULL, 0);
        enum sr_rc rc = res == NULL ? SR_E_STORE : pg_result_rc(res);
        PQclear(res);
        return rc;
}

static void
pg_schema_name(enum db_kind kind, enum sr_region r, char *out, size_t out_len)
{
        char region[8];
        snprintf(region, sizeof(region), "%s", sr_region_name(r));
        for (char *p = region; *p != '\0'; p++)
                *p = (char)(*p - 'A' + 'a');
        switch (kind) {
        case DB_DIRECTORY:
                snprintf(out, out_len, "sr_directory");
                break;
        case DB_DATA:
                snprintf(out, out_len, "sr_data_%s", region);
                break;
        case DB_KEYS:
                snprintf(out, out_len, "sr_keys_%s", region);
                break;
        }
}

/* FNV-1a of the schema name: the advisory lock of its writers. */
static long long
pg_lock_key(const char *schema)
{
        unsigned long long h = 1469598103934665603ULL;
        for (const char *p = schema; *p != '\0'; p++)
                h = (h ^ (unsigned char)*p) * 1099511628211ULL;
        return (long long)(h >> 1);
}

/* DDL takes no parameters: the schema name travels in a session setting
 * (bound as a parameter in pg_open) and is quoted by format(%I). */
static enum sr_rc
pg_create_schema(struct pg_conn *c)
{
        return pg_simple(c, "DO $$BEGIN EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I',"
                            " current_setting('sr.schema')); END$$");
}

/* libpq prints notices on stderr; ours carries only JSON log lines. */
static void
pg_drop_notice(void *arg, const char *message)
{
        (void)arg;
        (void)message;
}

static void
pg_close(void *conn)
{
        struct pg_conn *c = conn;
        if (c == NULL)
                return;
        PQfinish(c->pg);
        sr_free(c);
}

/* A server that restarted or ended the connection has sent its goodbye
 * (or EOF): reading what is pending tells before the next statement fails
 * on it. An idle connection has nothing pending, so this is one poll(2). */
static bool
pg_broken(void *conn)
{
        struct pg_conn *c = conn;
        struct pollfd pfd = {.fd = PQsocket(c->pg), .events = POLLIN};
        if (pfd.fd < 0)
                return true;
        /* The goodbye message first, then EOF: read until nothing is left. */
        for (int i = 0; i < 4 && poll(&pfd, 1, 0) > 0; i++)
                if (PQconsumeInput(c->pg) == 0)
                        break;
        return PQstatus(c->pg) != CONNECTION_OK;
}

/* Our connection defaults, which the operator's conninfo overrides (libpq
 * takes the last value of a repeated keyword; the expanded dbname comes
 * last): a connect timeout, and TCP keepalives so a dead peer is noticed
 * in about a minute rather than the kernel's two hours. */
static enum sr_rc
pg_connect(struct pg_conn *c, const char *conninfo)
{
        static const char *const keys[] = {"connect_timeout", "keepalives", "keepalives_idle",
                                           "keepalives_interval", "keepalives_count", "dbname",
                                           NULL};
        const char *const vals[] = {"10", "1", "30", "10", "3", conninfo, NULL};
        c->pg = PQconnectdbParams(keys, vals, 1);
        if (c->pg == NULL)
                return SR_E_NOMEM;
        PQsetNoticeProcessor(c->pg, pg_drop_notice, NULL);
        return PQstatus(c->pg) == CONNECTION_OK ? SR_OK : SR_E_IO;
}

static enum sr_rc
pg_open(const struct sr_store *st, enum db_kind kind, enum sr_region r, void **ret)
{
        struct pg_conn *c = sr_calloc(1, sizeof(*c));
        if (c == NULL)
                return SR_E_NOMEM;
        pg_schema_name(kind, r, c->schema, sizeof(c->schema));
        c->lock_key = pg_lock_key(c->schema);
        enum sr_region where = kind == DB_DIRECTORY ? SR_REGION__COUNT : r;
        enum sr_rc rc = pg_connect(c, store_pg_conninfo(st, where));
        /* SQLite's busy timeout, in PostgreSQL's words: a writer waits for
         * the schema's lock at most 10 s (then 503 busy), and a node that
         * stalls inside a transaction does not hold it for ever. */
        if (rc == SR_OK)
                rc = pg_simple(c, "SET client_min_messages = warning;"
                                  " SET lock_timeout = '10s';"
                                  " SET idle_in_transaction_session_timeout = '60s'");
        if (rc == SR_OK)
                rc = pg_params(c,
                               "SELECT set_config('search_path', $1, false),"
                               " set_config('sr.schema', $1, false)",
                               c->schema);
        if (rc == SR_OK && store_creating(st))
                rc = pg_create_schema(c);
        if (rc != SR_OK) {
                pg_close(c);
                return rc;
        }
        *ret = c;
        return SR_OK;
}

static const struct sr_migration *
pg_migrations(enum db_kind kind)
{
        switch (kind) {
        case DB_DIRECTORY:
                return sr_migrations_pg_directory;
        case DB_KEYS:
                return sr_migrations_pg_keys;
        case DB_DATA:
        default:
                return sr_migrations_pg_data;
        }
}

static enum sr_rc
pg_exec_script(void *conn, const char *sql)
{
        return pg_simple(conn, sql);
}

static enum sr_rc
pg_begin(void *conn)
{
        struct pg_conn *c = conn;
        enum sr_rc rc = pg_simple(c, "BEGIN");
        char key[24];
        snprintf(key, sizeof(key), "%lld", c->lock_key);
        if (rc == SR_OK)
                rc = pg_params(c, "SELECT pg_advisory_xact_lock($1::bigint)", key);
        if (rc != SR_OK) {
                pg_simple(c, "ROLLBACK");
                return rc;
        }
        c->in_tx = true;
        return SR_OK;
}

/* COMMIT of a transaction that failed answers "ROLLBACK", not an error. */
static enum sr_rc
pg_commit(void *conn)
{
        struct pg_conn *c = conn;
        PGresult *res = PQexec(c->pg, "COMMIT");
        enum sr_rc rc = res == NULL ? SR_E_STORE : pg_result_rc(res);
        if (rc == SR_OK && strcmp(PQcmdStatus(res), "COMMIT") != 0)
                rc = SR_E_STORE;
        PQclear(res);
        c->in_tx = false;
        return rc;
}

static void
pg_rollback(void *conn)
{
        struct pg_conn *c = conn;
        (void)pg_simple(c, "ROLLBACK");
        c->in_tx = false;
}

/* Deleted tuples stay until VACUUM and in archived WAL; nothing to do from
 * a connection (docs/postgres.md says what that means for shredding). */
static void
pg_forget_deleted(void *conn)
{
        (void)conn;
}

static bool
pg_is_write(const char *sql)
{
        while (*sql == ' ')
                sql++;
        return strncmp(sql, "INSERT", 6) == 0 || strncmp(sql, "UPDATE", 6) == 0 ||
               strncmp(sql, "DELETE", 6) == 0;
}

static enum sr_rc
pg_prepare(void *conn, const char *sql, void **ret)
{
        struct pg_conn *c = conn;
        struct pg_stmt *s = sr_calloc(1, sizeof(*s));
        if (s == NULL)
                return SR_E_NOMEM;
        s->c = c;
        s->row = -1;
        s->is_write = pg_is_write(sql);
        snprintf(s->name, sizeof(s->name), "sr%u", c->next_stmt++);
        char *text = NULL;
        enum sr_rc rc = pg_translate(sql, PG_MAX_PARAMS, &text, &s->nparams);
        if (rc == SR_OK) {
                PGresult *res = PQprepare(c->pg, s->name, text, 0, NULL);
                rc = res == NULL ? SR_E_STORE : pg_result_rc(res);
                PQclear(res);
        }
        sr_free(text);
        if (rc != SR_OK) {
                sr_free(s);
                return rc;
        }
        *ret = s;
        return SR_OK;
}

static void
pg_unbind(struct pg_stmt *s, int i)
{
        sr_free(s->owned[i]);
        s->owned[i] = NULL;
        s->vals[i] = NULL;
        s->lens[i] = 0;
        s->fmts[i] = 0;
}

static void
pg_reset(void *stmt)
{
        struct pg_stmt *s = stmt;
        PQclear(s->res);
        s->res = NULL;
        s->row = -1;
        for (int i = 0; i < s->nparams; i++)
                pg_unbind(s, i);
}

static void
pg_finalize(void *stmt)
{
        struct pg_stmt *s = stmt;
        if (s == NULL)
                return;
        pg_reset(s);
        sr_free(s);
}

/* Copies the value, as SQLite's SQLITE_TRANSIENT does. */
static void
pg_bind_copy(struct pg_stmt *s, int i, const void *p, size_t n, int fmt)
{
        if (i < 1 || i > s->nparams)
                return;
        pg_unbind(s, i - 1);
        char *v = sr_malloc(n + 1);
        if (v == NULL)
                return; /* stays NULL: the statement then fails its NOT NULL or finds nothing */
        memcpy(v, p, n);
        v[n] = '\0';
        s->owned[i - 1] = v;
        s->vals[i - 1] = v;
        s->lens[i - 1] = (int)n;
        s->fmts[i - 1] = fmt;
}

static void
pg_bind_null(void *stmt, int i)
{
        struct pg_stmt *s = stmt;
        if (i >= 1 && i <= s->nparams)
                pg_unbind(s, i - 1);
}

static void
pg_bind_int(void *stmt, int i, int64_t v)
{
        char buf[24];
        int n = snprintf(buf, sizeof(buf), "%lld", (long long)v);
        pg_bind_copy(stmt, i, buf, (size_t)n, 0);
}

static void
pg_bind_text(void *stmt, int i, const char *v)
{
        pg_bind_copy(stmt, i, v, strlen(v), 0);
}

static void
pg_bind_blob(void *stmt, int i, const void *p, size_t n)
{
        pg_bind_copy(stmt, i, p, n, 1);
}

static PGresult *
pg_run(struct pg_stmt *s)
{
        return PQexecPrepared(s->c->pg, s->name, s->nparams, s->vals, s->lens, s->fmts, 1);
}

/* Inside a transaction a write runs under a savepoint, so a failed one
 * (a unique violation, say) is undone alone and the transaction goes on. */
static enum sr_rc
pg_execute(struct pg_stmt *s)
{
        bool guard = s->c->in_tx && s->is_write;
        if (guard) {
                enum sr_rc rc = pg_simple(s->c, "SAVEPOINT sr_stmt");
                if (rc != SR_OK)
                        return rc;
        }
        s->res = pg_run(s);
        enum sr_rc rc = s->res == NULL ? SR_E_STORE : pg_result_rc(s->res);
        if (guard && rc == SR_OK)
                (void)pg_simple(s->c, "RELEASE SAVEPOINT sr_stmt");
        else if (guard)
                (void)pg_simple(s->c, "ROLLBACK TO SAVEPOINT sr_stmt");
        if (rc != SR_OK)
                return rc;
        const char *n = PQcmdTuples(s->res);
        s->changes = n[0] != '\0' ? strtoll(n, NULL, 10) : 0;
        return SR_OK;
}

static enum sr_rc
pg_step(void *stmt, bool *row)
{
        struct pg_stmt *s = stmt;
        *row = false;
        if (s->res == NULL) {
                enum sr_rc rc = pg_execute(s);
                if (rc != SR_OK) {
                        PQclear(s->res);
                        s->res = NULL;
                        return rc;
                }
        }
        if (s->row < PQntuples(s->res))
                s->row++;
        *row = s->row < PQntuples(s->res);
        return SR_OK;
}

static int64_t
pg_changes(void *stmt)
{
        return ((struct pg_stmt *)stmt)->changes;
}

static bool
pg_has_value(const struct pg_stmt *s, int i)
{
        return s->res != NULL && s->row >= 0 && s->row < PQntuples(s->res) && i >= 0 &&
               i < PQnfields(s->res) && !PQgetisnull(s->res, s->row, i);
}

static bool
pg_col_null(void *stmt, int i)
{
        return !pg_has_value(stmt, i);
}

static int64_t
pg_be(const unsigned char *p, int n)
{
        uint64_t v = (n < 8 && (p[0] & 0x80)) ? ~0ULL : 0; /* sign-extend */
        for (int k = 0; k < n; k++)
                v = (v << 8) | p[k];
        return (int64_t)v;
}

static int64_t
pg_col_int(void *stmt, int i)
{
        struct pg_stmt *s = stmt;
        if (!pg_has_value(s, i))
                return 0;
        const unsigned char *p = (const unsigned char *)PQgetvalue(s->res, s->row, i);
        int n = PQgetlength(s->res, s->row, i);
        switch (PQftype(s->res, i)) {
        case OID_INT8:
        case OID_INT4:
        case OID_INT2:
                return n == 8 || n == 4 || n == 2 ? pg_be(p, n) : 0;
        case OID_BOOL:
                return n == 1 && p[0] != 0;
        default:
                return 0; /* the schema keeps integers in integer columns */
        }
}

static const void *
pg_col_bytes(void *stmt, int i, size_t *len)
{
        struct pg_stmt *s = stmt;
        *len = 0;
        if (!pg_has_value(s, i))
                return NULL;
        *len = (size_t)PQgetlength(s->res, s->row, i);
        return PQgetvalue(s->res, s->row, i);
}

/* ---- LISTEN sr_cache on a connection of its own ---- */

static enum sr_rc
pg_listen_open(const struct sr_store *st, void **ret)
{
        struct pg_conn *c = sr_calloc(1, sizeof(*c));
        if (c == NULL)
                return SR_E_NOMEM;
        enum sr_rc rc = pg_connect(c, store_pg_conninfo(st, SR_REGION__COUNT));
        if (rc == SR_OK)
                rc = pg_simple(c, "LISTEN sr_cache");
        if (rc != SR_OK) {
                pg_close(c);
                return rc == SR_E_STORE ? SR_E_IO : rc;
        }
        *ret = c;
        return SR_OK;
}

static enum sr_rc
pg_listen_wait(void *h, int timeout_ms, void (*fn)(const char *payload, void *arg), void *arg)
{
        struct pg_conn *c = h;
        struct pollfd pfd = {.fd = PQsocket(c->pg), .events = POLLIN};
        if (pfd.fd < 0)
                return SR_E_IO;
        int n = poll(&pfd, 1, timeout_ms);
        if (n < 0)
                return errno == EINTR ? SR_OK : SR_E_IO;
        if (n > 0 && PQconsumeInput(c->pg) == 0)
                return SR_E_IO;
        PGnotify *note;
        while ((note = PQnotifies(c->pg)) != NULL) {
                fn(note->extra, arg);
                PQfreemem(note);
        }
        return PQstatus(c->pg) == CONNECTION_OK ? SR_OK : SR_E_IO;
}

static void
pg_listen_close(void *h)
{
        pg_close(h);
}

const struct db_driver db_driver_pg = {
        .name = "postgres",
        .open = pg_open,
        .close = pg_close,
        .broken = pg_broken,
        .migrations = pg_migrations,
        .exec_script = pg_exec_script,
        .begin = pg_begin,
        .commit = pg_commit,
        .rollback = pg_rollback,
        .forget_deleted = pg_forget_deleted,
        .prepare = pg_prepare,
        .finalize = pg_finalize,
        .reset = pg_reset,
        .bind_null = pg_bind_null,
        .bind_int = pg_bind_int,
        .bind_text = pg_bind_text,
        .bind_blob = pg_bind_blob,
        .step = pg_step,
        .changes = pg_changes,
        .col_null = pg_col_null,
        .col_int = pg_col_int,
        .col_bytes = pg_col_bytes,
        .listen_open = pg_listen_open,
        .listen_wait = pg_listen_wait,
        .listen_close = pg_listen_close,
};
