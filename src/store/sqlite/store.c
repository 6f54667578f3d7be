/* Opening the store: the file layout, creation and migrations, and
 * transactions. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "store/migrations/migrations.h"
#include "store/sqlite/internal.h"
#include "util/alloc.h"

struct sr_store {
        char *dir;
        unsigned long generation;
};

static unsigned long next_generation = 1;

void
store_path(const struct sr_store *st, enum db_kind kind, enum sr_region r, char *out,
           size_t out_len)
{
        switch (kind) {
        case DB_DIRECTORY:
                snprintf(out, out_len, "%s/directory.db", st->dir);
                break;
        case DB_DATA:
                snprintf(out, out_len, "%s/regions/%s/strongroom.db", st->dir, sr_region_name(r));
                break;
        case DB_KEYS:
                snprintf(out, out_len, "%s/regions/%s/keystore.db", st->dir, sr_region_name(r));
                break;
        }
}

unsigned long
store_generation(const struct sr_store *st)
{
        return st->generation;
}

int
sr_store_schema_version(void)
{
        int v = 0;
        for (const struct sr_migration *m = sr_migrations_data; m->sql != NULL; m++)
                if (m->version > v)
                        v = m->version;
        return v;
}

static const struct sr_migration *
migrations_of(enum db_kind kind)
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

enum sr_rc
store_migrate(struct db_conn *c, enum db_kind kind)
{
        sqlite3 *db = db_handle(c);
        int src = sqlite3_exec(db,
                               "CREATE TABLE IF NOT EXISTS schema_migrations ("
                               " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);",
                               NULL, NULL, NULL);
        if (src != SQLITE_OK)
                return SR_E_STORE;
        for (const struct sr_migration *m = migrations_of(kind); m->sql != NULL; m++) {
                sqlite3_stmt *s = NULL;
                enum sr_rc rc = db_stmt(c, "SELECT 1 FROM schema_migrations WHERE version = ?", &s);
                if (rc != SR_OK)
                        return rc;
                db_bind_int(s, 1, m->version);
                int done = sqlite3_step(s) == SQLITE_ROW;
                sqlite3_reset(s);
                if (done)
                        continue;
                if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
                        return SR_E_STORE;
                src = sqlite3_exec(db, m->sql, NULL, NULL, NULL);
                if (src == SQLITE_OK) {
                        rc = db_stmt(c,
                                     "INSERT INTO schema_migrations (version, applied_at)"
                                     " VALUES (?, strftime('%s','now'))",
                                     &s);
                        if (rc == SR_OK) {
                                db_bind_int(s, 1, m->version);
                                rc = db_exec_stmt(s);
                        }
                        src = rc == SR_OK ? SQLITE_OK : SQLITE_ERROR;
                }
                if (src != SQLITE_OK ||
                    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
                        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
                        return SR_E_STORE;
                }
        }
        return SR_OK;
}

static enum sr_rc
make_dir(const char *path)
{
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
                return SR_E_IO;
        return SR_OK;
}

static enum sr_rc
create_file(const char *path)
{
        FILE *f = fopen(path, "ae");
        if (f == NULL)
                return SR_E_IO;
        fclose(f);
        return chmod(path, 0600) == 0 ? SR_OK : SR_E_IO;
}

static enum sr_rc
open_one(struct sr_store *st, enum db_kind kind, enum sr_region r, bool create)
{
        char path[4096];
        store_path(st, kind, r, path, sizeof(path));
        if (create) {
                enum sr_rc rc = create_file(path);
                if (rc != SR_OK)
                        return rc;
        }
        struct db_conn *c = NULL;
        enum sr_rc rc = db_conn_get(st, kind, r, &c);
        if (rc != SR_OK)
                return rc;
        return store_migrate(c, kind);
}

static enum sr_rc
open_all(struct sr_store *st, bool create)
{
        char path[4096];
        enum sr_rc rc = SR_OK;
        if (create) {
                snprintf(path, sizeof(path), "%s/regions", st->dir);
                rc = make_dir(path);
        }
        if (rc == SR_OK)
                rc = open_one(st, DB_DIRECTORY, SR_REGION_US, create);
        for (unsigned r = 0; rc == SR_OK && r < SR_REGION__COUNT; r++) {
                if (create) {
                        snprintf(path, sizeof(path), "%s/regions/%s", st->dir,
                                 sr_region_name((enum sr_region)r));
                        rc = make_dir(path);
                        if (rc == SR_OK) {
                                snprintf(path, sizeof(path), "%s/regions/%s/documents", st->dir,
                                         sr_region_name((enum sr_region)r));
                                rc = make_dir(path);
                        }
                }
                if (rc == SR_OK)
                        rc = open_one(st, DB_DATA, (enum sr_region)r, create);
                if (rc == SR_OK)
                        rc = open_one(st, DB_KEYS, (enum sr_region)r, create);
        }
        return rc;
}

enum sr_rc
sr_store_open(const char *data_dir, bool create, struct sr_store **ret)
{
        if (sqlite3_threadsafe() == 0)
                return SR_E_STORE;
        struct sr_store *st = sr_calloc(1, sizeof(*st));
        if (st == NULL)
                return SR_E_NOMEM;
        st->dir = sr_strdup(data_dir);
        st->generation = __atomic_fetch_add(&next_generation, 1, __ATOMIC_SEQ_CST);
        if (st->dir == NULL) {
                sr_store_free(st);
                return SR_E_NOMEM;
        }
        enum sr_rc rc = open_all(st, create);
        if (rc != SR_OK) {
                sr_store_thread_done();
                sr_store_free(st);
                return rc;
        }
        *ret = st;
        return SR_OK;
}

void
sr_store_free(struct sr_store *st)
{
        if (st == NULL)
                return;
        sr_free(st->dir);
        sr_free(st);
}

enum sr_rc
sr_store_begin(struct sr_store *st, enum sr_region r, struct sr_tx **ret)
{
        struct db_conn *c = NULL;
        enum sr_rc rc = db_conn_get(st, DB_DATA, r, &c);
        if (rc != SR_OK)
                return rc;
        struct sr_tx *tx = sr_calloc(1, sizeof(*tx));
        if (tx == NULL)
                return SR_E_NOMEM;
        int src = sqlite3_exec(db_handle(c), "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (src != SQLITE_OK) {
                sr_free(tx);
                return db_rc(src) == SR_OK ? SR_E_STORE : db_rc(src);
        }
        tx->c = c;
        tx->region = r;
        tx->open = true;
        *ret = tx;
        return SR_OK;
}

enum sr_rc
sr_store_commit(struct sr_tx *tx)
{
        if (tx == NULL || !tx->open)
                return SR_E_INTERNAL;
        int src = sqlite3_exec(db_handle(tx->c), "COMMIT", NULL, NULL, NULL);
        if (src != SQLITE_OK)
                return db_rc(src) == SR_OK ? SR_E_STORE : db_rc(src);
        tx->open = false;
        return SR_OK;
}

void
sr_store_tx_free(struct sr_tx *tx)
{
        if (tx == NULL)
                return;
        if (tx->open)
                sqlite3_exec(db_handle(tx->c), "ROLLBACK", NULL, NULL, NULL);
        sr_free(tx);
}

void
sr_store_tx_freep(struct sr_tx **tx)
{
        sr_store_tx_free(*tx);
        *tx = NULL;
}

enum sr_region
sr_store_tx_region(const struct sr_tx *tx)
{
        return tx->region;
}
