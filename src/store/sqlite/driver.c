/* The SQLite driver: one file per database under the data directory.
 * WAL + synchronous=FULL so an acknowledged write survives kill -9 and
 * power loss; secure_delete so deleted rows (shredded keys, erased people)
 * are overwritten on the page; BEGIN IMMEDIATE so writers queue. */
#include <fcntl.h>
#include <sys/stat.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/driver.h"
#include "util/alloc.h"

static enum sr_rc
lite_rc(int src)
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

/* An error code that is never SR_OK, for calls that did not succeed. */
static enum sr_rc
lite_err(int src)
{
        enum sr_rc rc = lite_rc(src);
        return rc == SR_OK ? SR_E_STORE : rc;
}

static const char pragmas[] = "PRAGMA journal_mode=WAL;"
                              "PRAGMA synchronous=FULL;"
                              "PRAGMA foreign_keys=ON;"
                              "PRAGMA secure_delete=ON;"
                              "PRAGMA trusted_schema=OFF;";

static void
lite_path(const struct sr_store *st, enum db_kind kind, enum sr_region r, char *out,
          size_t out_len)
{
        switch (kind) {
        case DB_DIRECTORY:
                snprintf(out, out_len, "%s/directory.db", store_dir(st));
                break;
        case DB_DATA:
                snprintf(out, out_len, "%s/regions/%s/strongroom.db", store_dir(st),
                         sr_region_name(r));
                break;
        case DB_KEYS:
                snprintf(out, out_len, "%s/regions/%s/keystore.db", store_dir(st),
                         sr_region_name(r));
                break;
        }
}

static void
lite_close(void *conn)
{
        sqlite3_close_v2(conn);
}

static bool
lite_broken(void *conn)
{
        (void)conn;
        return false; /* a file does not go away under an open handle */
}

static enum sr_rc
lite_open(const struct sr_store *st, enum db_kind kind, enum sr_region r, void **ret)
{
        if (sqlite3_threadsafe() == 0)
                return SR_E_STORE;
        char path[4096];
        lite_path(st, kind, r, path, sizeof(path));
        /* Created here, not by SQLite, so the file is 0600 whatever the umask. */
        if (store_creating(st)) {
                int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
                if (fd < 0)
                        return SR_E_IO;
                int bad = fchmod(fd, 0600);
                close(fd);
                if (bad != 0)
                        return SR_E_IO;
        }
        sqlite3 *db = NULL;
        int src = sqlite3_open_v2(path, &db,
                                  SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
                                          SQLITE_OPEN_EXRESCODE,
                                  NULL);
        if (src == SQLITE_OK)
                src = sqlite3_busy_timeout(db, 10000);
        if (src == SQLITE_OK)
                src = sqlite3_exec(db, pragmas, NULL, NULL, NULL);
        if (src != SQLITE_OK) {
                sqlite3_close_v2(db);
                return src == SQLITE_CANTOPEN ? SR_E_IO : lite_err(src);
        }
        *ret = db;
        return SR_OK;
}

static const struct sr_migration *
lite_migrations(enum db_kind kind)
{
        switch (kind) {
        case DB_DIRECTORY:
                return sr_migrations_directory;
        case DB_KEYS:
                return sr_migrations_keys;
        case DB_DATA:
        default:
                return sr_migrations_data;
        }
}

static enum sr_rc
lite_exec_script(void *conn, const char *sql)
{
        int src = sqlite3_exec(conn, sql, NULL, NULL, NULL);
        return src == SQLITE_OK ? SR_OK : lite_err(src);
}

static enum sr_rc
lite_begin(void *conn)
{
        return lite_exec_script(conn, "BEGIN IMMEDIATE");
}

static enum sr_rc
lite_commit(void *conn)
{
        return lite_exec_script(conn, "COMMIT");
}

static void
lite_rollback(void *conn)
{
        sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
}

/* Readers may hold the WAL; then the next checkpoint overwrites it. */
static void
lite_forget_deleted(void *conn)
{
        sqlite3_wal_checkpoint_v2(conn, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
}

static enum sr_rc
lite_prepare(void *conn, const char *sql, void **ret)
{
        sqlite3_stmt *s = NULL;
        int src = sqlite3_prepare_v3(conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
        if (src != SQLITE_OK)
                return lite_err(src);
        *ret = s;
        return SR_OK;
}

static void
lite_finalize(void *stmt)
{
        sqlite3_finalize(stmt);
}

static void
lite_reset(void *stmt)
{
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
}

static void
lite_bind_null(void *stmt, int i)
{
        sqlite3_bind_null(stmt, i);
}

static void
lite_bind_int(void *stmt, int i, int64_t v)
{
        sqlite3_bind_int64(stmt, i, v);
}

static void
lite_bind_text(void *stmt, int i, const char *v)
{
        sqlite3_bind_text(stmt, i, v, -1, SQLITE_TRANSIENT);
}

static void
lite_bind_blob(void *stmt, int i, const void *p, size_t n)
{
        sqlite3_bind_blob64(stmt, i, p, n, SQLITE_TRANSIENT);
}

static enum sr_rc
lite_step(void *stmt, bool *row)
{
        int src = sqlite3_step(stmt);
        *row = src == SQLITE_ROW;
        if (src == SQLITE_ROW || src == SQLITE_DONE)
                return SR_OK;
        return lite_err(src);
}

static int64_t
lite_changes(void *stmt)
{
        return sqlite3_changes64(sqlite3_db_handle(stmt));
}

static bool
lite_col_null(void *stmt, int i)
{
        return sqlite3_column_type(stmt, i) == SQLITE_NULL;
}

static int64_t
lite_col_int(void *stmt, int i)
{
        return sqlite3_column_int64(stmt, i);
}

static const void *
lite_col_bytes(void *stmt, int i, size_t *len)
{
        const void *p = sqlite3_column_type(stmt, i) == SQLITE_TEXT
                                ? (const void *)sqlite3_column_text(stmt, i)
                                : sqlite3_column_blob(stmt, i);
        int n = sqlite3_column_bytes(stmt, i);
        *len = p != NULL && n > 0 ? (size_t)n : 0;
        return p;
}

const struct db_driver db_driver_sqlite = {
        .name = "sqlite",
        .open = lite_open,
        .close = lite_close,
        .broken = lite_broken,
        .migrations = lite_migrations,
        .exec_script = lite_exec_script,
        .begin = lite_begin,
        .commit = lite_commit,
        .rollback = lite_rollback,
        .forget_deleted = lite_forget_deleted,
        .prepare = lite_prepare,
        .finalize = lite_finalize,
        .reset = lite_reset,
        .bind_null = lite_bind_null,
        .bind_int = lite_bind_int,
        .bind_text = lite_bind_text,
        .bind_blob = lite_bind_blob,
        .step = lite_step,
        .changes = lite_changes,
        .col_null = lite_col_null,
        .col_int = lite_col_int,
        .col_bytes = lite_col_bytes,
};
