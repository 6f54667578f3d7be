/* Shared fixture for store-backed unit tests (see unit_env.h). */
#include "unit_env.h"

#include <ftw.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "crypto/keyring.h"
#include "util/alloc.h"

static enum sr_rc
new_vault(struct sr_store *st, const char *key_path, struct sr_vault **ret_vault,
          struct sr_audit **ret_audit)
{
        struct sr_secret *master = NULL;
        enum sr_rc rc = sr_keyring_master_create(key_path);
        if (rc == SR_OK)
                rc = sr_keyring_master_load(key_path, &master);
        if (rc != SR_OK)
                return rc;
        struct sr_vault *v = NULL;
        rc = sr_vault_new(st, master, &v);
        if (rc != SR_OK) {
                sr_secret_free(master); /* not taken on failure */
                return rc;
        }
        struct sr_audit *a = NULL;
        if (ret_audit != NULL) {
                rc = sr_audit_new(v, &a);
                if (rc != SR_OK) {
                        sr_vault_free(v);
                        return rc;
                }
                *ret_audit = a;
        }
        *ret_vault = v;
        return SR_OK;
}

static void
env_free(struct unit_env *e)
{
        if (e == NULL)
                return;
        sr_audit_free(e->audit);
        sr_vault_free(e->vault);
        sr_store_thread_done();
        sr_store_free(e->st);
        if (e->dir[0] != '\0' && unit_env_rm_rf(e->dir) != 0)
                fprintf(stderr, "unit_env: could not remove %s\n", e->dir);
        free(e);
}

int
unit_env_setup(void **state)
{
        if (sr_crypto_init() != SR_OK)
                return -1;
        struct unit_env *e = calloc(1, sizeof(*e));
        if (e == NULL)
                return -1;
        static const char tmpl[] = "/tmp/sr-unit-XXXXXX";
        memcpy(e->dir, tmpl, sizeof(tmpl));
        if (mkdtemp(e->dir) == NULL) {
                e->dir[0] = '\0';
                env_free(e);
                return -1;
        }
        snprintf(e->key_path, sizeof(e->key_path), "%s/master.key", e->dir);
        struct sr_config cfg = {.data_dir = e->dir};
        if (sr_store_open(&cfg, true, &e->st) != SR_OK ||
            new_vault(e->st, e->key_path, &e->vault, &e->audit) != SR_OK) {
                env_free(e);
                return -1;
        }
        *state = e;
        return 0;
}

int
unit_env_teardown(void **state)
{
        env_free(*state);
        *state = NULL;
        return 0;
}

enum sr_rc
unit_env_other_master(struct unit_env *e, const char *name, struct sr_vault **ret_vault,
                      struct sr_audit **ret_audit)
{
        char path[192];
        snprintf(path, sizeof(path), "%s/%s", e->dir, name);
        return new_vault(e->st, path, ret_vault, ret_audit);
}

void
unit_env_db_path(const struct unit_env *e, enum sr_region r, const char *file, char *out,
                 size_t out_len)
{
        snprintf(out, out_len, "%s/regions/%s/%s", e->dir, sr_region_name(r), file);
}

int
unit_env_sql(const struct unit_env *e, enum sr_region r, const char *file, const char *sql, ...)
{
        char path[256];
        unit_env_db_path(e, r, file, path, sizeof(path));
        sqlite3 *db = NULL;
        if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
                sqlite3_close(db);
                return -1;
        }
        sqlite3_busy_timeout(db, 5000);
        sqlite3_stmt *s = NULL;
        int changed = -1;
        if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
                va_list ap;
                va_start(ap, sql);
                const char *p;
                for (int i = 1; (p = va_arg(ap, const char *)) != NULL; i++)
                        sqlite3_bind_text(s, i, p, -1, SQLITE_TRANSIENT);
                va_end(ap);
                if (sqlite3_step(s) == SQLITE_DONE)
                        changed = sqlite3_changes(db);
        }
        sqlite3_finalize(s);
        sqlite3_close(db);
        return changed;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
        (void)sb;
        (void)ftw;
        return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int
unit_env_rm_rf(const char *dir)
{
        return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
