#pragma once
/* Shared fixture for unit tests that need the real store: a temporary data
 * directory laid out by sr_store_open, a fresh master key, a vault and an
 * audit chain over it. Each test gets its own directory; teardown closes
 * this thread's connections and removes the directory. Helpers return
 * SR_OK or the first failing status so callers can assert on them. */
#include <stddef.h>

#include "domain/audit/audit.h"
#include "domain/vault/vault.h"
#include "store/store.h"

struct unit_env {
        char dir[64];       /* /tmp/sr-unit-XXXXXX, the data directory */
        char key_path[128]; /* DIR/master.key */
        struct sr_store *st;
        struct sr_vault *vault;
        struct sr_audit *audit;
};

/* cmocka group/test setup: sr_crypto_init(), then a new env in *state. */
int unit_env_setup(void **state);
/* Frees the env in *state and removes its directory. */
int unit_env_teardown(void **state);

/* Creates a second master key at DIR/<name> and a vault (and, when
 * ret_audit is not NULL, an audit) over the same store. */
enum sr_rc unit_env_other_master(struct unit_env *e, const char *name, struct sr_vault **ret_vault,
                                 struct sr_audit **ret_audit);

/* Path of a region's data or key database: DIR/regions/<R>/<file>. */
void unit_env_db_path(const struct unit_env *e, enum sr_region r, const char *file, char *out,
                      size_t out_len);

/* Runs one SQL statement with text parameters (NULL-terminated list) on a
 * separate sqlite3 connection, as an attacker with file access would.
 * Returns the number of rows changed, or -1 on error. */
int unit_env_sql(const struct unit_env *e, enum sr_region r, const char *file, const char *sql,
                 ...);

/* rm -rf of a directory tree; returns 0 on success. */
int unit_env_rm_rf(const char *dir);
