/* `strongroom audit verify --data-dir DIR [--master-key-file PATH]`:
 * proves every account's audit chain against its signed checkpoint
 * (OPS-1). Exit 0 when all verify; 1 naming the first bad event. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "crypto/crypto.h"
#include "domain/app.h"
#include "util/alloc.h"
#include "util/clock.h"

static const char usage[] =
        "usage: strongroom audit verify --data-dir DIR [--master-key-file PATH]\n"
        "Verifies the keyed audit chain and signed checkpoint of every account.\n";

struct verify_ctx {
        struct sr_app *app;
        enum sr_region region;
        long accounts;
        long long events;
        int failed;
};

static enum sr_rc
verify_account(const char *account_id, void *arg)
{
        struct verify_ctx *v = arg;
        char why[256] = "";
        int64_t n = 0;
        enum sr_rc rc = sr_audit_verify_account(v->app->audit, v->app->st, v->region, account_id,
                                                &n, why, sizeof(why));
        if (rc == SR_E_CONFLICT) {
                printf("FAIL account %s (region %s): %s\n", account_id, sr_region_name(v->region),
                       why);
                v->failed = 1;
                return SR_OK; /* report every broken account */
        }
        if (rc != SR_OK)
                return rc;
        v->accounts++;
        v->events += n;
        return SR_OK;
}

static enum sr_rc
verify_listed(const struct sr_dir_account *d, void *arg)
{
        struct verify_ctx *v = arg;
        v->region = d->region;
        return verify_account(d->id, v);
}

/* Chains whose account left the directory are still verified. */
static enum sr_rc
verify_orphan(const char *account_id, void *arg)
{
        struct verify_ctx *v = arg;
        struct sr_dir_account d;
        if (sr_store_dir_find(v->app->st, account_id, &d) == SR_OK)
                return SR_OK;
        return verify_account(account_id, v);
}

static int
run(const char *dir, const char *key_file)
{
        char err[256] = "";
        struct sr_config cfg;
        if (sr_config_load(dir, &cfg, err, sizeof(err)) != SR_OK) {
                sr_cli_fail("audit", "%s", err[0] ? err : "cannot read the configuration");
                return 1;
        }
        if (key_file != NULL) {
                sr_free(cfg.master_key_file);
                cfg.master_key_file = sr_strdup(key_file);
        }
        struct sr_app *app = NULL;
        enum sr_rc rc = cfg.master_key_file ? sr_app_open(&cfg, &app) : SR_E_NOMEM;
        struct verify_ctx v = {.app = app};
        if (rc == SR_OK)
                rc = sr_store_dir_each(app->st, verify_listed, &v);
        for (unsigned r = 0; rc == SR_OK && r < SR_REGION__COUNT; r++) {
                v.region = (enum sr_region)r;
                rc = sr_store_audit_accounts(app->st, v.region, verify_orphan, &v);
        }
        int status = 0;
        if (rc != SR_OK) {
                sr_cli_fail("audit", "cannot verify %s: %s", dir, sr_rc_name(rc));
                status = 1;
        } else if (v.failed) {
                fprintf(stderr, "strongroom audit: verification failed\n");
                status = 1;
        } else {
                printf("ok: %ld account chains, %lld events verified\n", v.accounts, v.events);
        }
        sr_app_free(app);
        sr_store_thread_done();
        sr_config_fini(&cfg);
        return status;
}

int
sr_cli_audit(int argc, char **argv)
{
        const char *dir = NULL, *key_file = NULL;
        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                fputs(usage, argc < 2 ? stderr : stdout);
                return argc < 2 ? 2 : 0;
        }
        if (strcmp(argv[1], "verify") != 0) {
                sr_cli_fail("audit", "unknown subcommand %s (try: verify)", argv[1]);
                return 2;
        }
        for (int i = 2; i < argc; i++) {
                int r = sr_cli_opt(argc, argv, &i, "--data-dir", &dir);
                if (r == 0)
                        r = sr_cli_opt(argc, argv, &i, "--master-key-file", &key_file);
                if (r < 0) {
                        sr_cli_fail("audit", "%s needs a value", argv[i]);
                        return 2;
                }
                if (r > 0)
                        continue;
                if (strcmp(argv[i], "--help") == 0) {
                        fputs(usage, stdout);
                        return 0;
                }
                sr_cli_fail("audit", "unknown option %s", argv[i]);
                return 2;
        }
        if (dir == NULL) {
                sr_cli_fail("audit", "--data-dir is required");
                return 2;
        }
        if (sr_crypto_init() != SR_OK)
                return 1;
        sr_clock_init();
        return run(dir, key_file);
}
