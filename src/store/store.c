/* Opening the store: choosing the driver, creating the data directory
 * layout, migrations, and transactions. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "store/driver.h"
#include "store/internal.h"
#include "util/alloc.h"
#include "util/clock.h"

struct sr_store {
        const struct db_driver *drv;
        char *dir;
        char *pg_conninfo[SR_REGION__COUNT + 1]; /* last: the directory */
        bool creating;
        unsigned long generation;
};

static unsigned long next_generation = 1;

const struct db_driver *
store_driver(const struct sr_store *st)
{
        return st->drv;
}

const char *
store_dir(const struct sr_store *st)
{
        return st->dir;
}

const char *
store_pg_conninfo(const struct sr_store *st, enum sr_region r)
{
        return st->pg_conninfo[(unsigned)r < SR_REGION__COUNT ? r : SR_REGION__COUNT];
}

bool
store_creating(const struct sr_store *st)
{
        return st->creating;
}

unsigned long
store_generation(const struct sr_store *st)
{
        return st->generation;
}

const char *
sr_store_driver_name(const struct sr_store *st)
{
        return st->drv->name;
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

static enum sr_rc
migration_done(struct db_conn *c, int version, bool *ret)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_stmt(c, "SELECT 1 FROM schema_migrations WHERE version = ?", &s);
        if (rc != SR_OK)
                return rc;
        db_bind_int(s, 1, version);
        rc = db_step(s, ret);
        db_reset(s);
        return rc;
}

static enum sr_rc
migration_apply(struct db_conn *c, const struct sr_migration *m)
{
        enum sr_rc rc = db_conn_begin(c);
        if (rc != SR_OK)
                return rc;
        bool done = false;
        rc = migration_done(c, m->version, &done); /* another process may have won */
        if (rc == SR_OK && !done)
                rc = db_conn_script(c, m->sql);
        struct db_stmt *s = NULL;
        if (rc == SR_OK && !done)
                rc = db_stmt(c, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                             &s);
        if (rc == SR_OK && !done) {
                db_bind_int(s, 1, m->version);
                db_bind_int(s, 2, sr_clock_now());
                rc = db_exec(s);
        }
        if (rc == SR_OK)
                rc = db_conn_commit(c);
        if (rc != SR_OK)
                db_conn_rollback(c);
        return rc;
}

static enum sr_rc
store_migrate(struct db_conn *c, enum db_kind kind)
{
        enum sr_rc rc = db_conn_script(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                          " version INTEGER PRIMARY KEY,"
                                          " applied_at BIGINT NOT NULL);");
        for (const struct sr_migration *m = db_conn_migrations(c, kind);
             rc == SR_OK && m->sql != NULL; m++) {
                bool done = false;
                rc = migration_done(c, m->version, &done);
                if (rc == SR_OK && !done)
                        rc = migration_apply(c, m);
        }
        return rc;
}

static enum sr_rc
make_dir(const char *path)
{
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
                return SR_E_IO;
        return SR_OK;
}

static enum sr_rc
open_one(struct sr_store *st, enum db_kind kind, enum sr_region r)
{
        struct db_conn *c = NULL;
        enum sr_rc rc = db_conn_get(st, kind, r, &c);
        if (rc != SR_OK)
                return rc;
        return store_migrate(c, kind);
}

/* DIR/regions/<R>/documents exists whatever the driver: documents are
 * files, kept in the region they belong to. */
static enum sr_rc
make_region_dirs(const struct sr_store *st)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/regions", st->dir);
        enum sr_rc rc = make_dir(path);
        for (unsigned r = 0; rc == SR_OK && r < SR_REGION__COUNT; r++) {
                const char *name = sr_region_name((enum sr_region)r);
                snprintf(path, sizeof(path), "%s/regions/%s", st->dir, name);
                rc = make_dir(path);
                snprintf(path, sizeof(path), "%s/regions/%s/documents", st->dir, name);
                if (rc == SR_OK)
                        rc = make_dir(path);
        }
        return rc;
}

static enum sr_rc
open_all(struct sr_store *st)
{
        enum sr_rc rc = st->creating ? make_region_dirs(st) : SR_OK;
        if (rc == SR_OK)
                rc = open_one(st, DB_DIRECTORY, SR_REGION_US);
        for (unsigned r = 0; rc == SR_OK && r < SR_REGION__COUNT; r++) {
                rc = open_one(st, DB_DATA, (enum sr_region)r);
                if (rc == SR_OK)
                        rc = open_one(st, DB_KEYS, (enum sr_region)r);
        }
        return rc;
}

static enum sr_rc
copy_conninfo(struct sr_store *st, const struct sr_config *cfg)
{
        for (unsigned r = 0; r <= SR_REGION__COUNT; r++) {
                const char *v = r < SR_REGION__COUNT && cfg->pg_region_conninfo[r] != NULL
                                        ? cfg->pg_region_conninfo[r]
                                        : cfg->pg_conninfo;
                if (v == NULL)
                        return SR_E_INVALID_REQUEST;
                st->pg_conninfo[r] = sr_strdup(v);
                if (st->pg_conninfo[r] == NULL)
                        return SR_E_NOMEM;
        }
        return SR_OK;
}

enum sr_rc
sr_store_open(const struct sr_config *cfg, bool create, struct sr_store **ret)
{
        struct sr_store *st = sr_calloc(1, sizeof(*st));
        if (st == NULL)
                return SR_E_NOMEM;
        st->drv = cfg->store_postgres ? &db_driver_pg : &db_driver_sqlite;
        st->creating = create;
        st->dir = sr_strdup(cfg->data_dir);
        st->generation = __atomic_fetch_add(&next_generation, 1, __ATOMIC_SEQ_CST);
        enum sr_rc rc = st->dir != NULL ? SR_OK : SR_E_NOMEM;
        if (rc == SR_OK && cfg->store_postgres)
                rc = copy_conninfo(st, cfg);
        if (rc == SR_OK)
                rc = open_all(st);
        st->creating = false;
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
        for (unsigned r = 0; r <= SR_REGION__COUNT; r++)
                sr_free(st->pg_conninfo[r]);
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
        rc = db_conn_begin(c);
        if (rc != SR_OK) {
                sr_free(tx);
                return rc;
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
        enum sr_rc rc = db_conn_commit(tx->c);
        if (rc != SR_OK)
                return rc;
        tx->open = false;
        return SR_OK;
}

void
sr_store_tx_free(struct sr_tx *tx)
{
        if (tx == NULL)
                return;
        if (tx->open)
                db_conn_rollback(tx->c);
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
