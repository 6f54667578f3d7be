/* `strongroom init --data-dir DIR [--json]`: the data directory (0700),
 * the stores of every region, the master key (0600), a self-signed
 * certificate and the first platform operator with a one-time password
 * that must be changed at first sign-in. Refuses an existing data dir so
 * a second run can never replace a key. A strongroom.conf written before
 * init is kept, so [store] driver = postgres applies from the start. */
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "crypto/crypto.h"
#include "crypto/keyring.h"
#include "domain/account/account.h"
#include "http/tlscert.h"
#include "util/clock.h"

static const char usage[] =
        "usage: strongroom init --data-dir DIR [--json]\n"
        "Creates DIR with its stores, master key, TLS certificate and first operator.\n";

static int
make_dirs(const char *dir)
{
        static const char *const subs[] = {"keys", "tls", "mail", "mail/new", "mail/cur",
                                           "mail/tmp"};
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
                return -1;
        if (chmod(dir, 0700) != 0)
                return -1;
        char path[4096];
        for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
                snprintf(path, sizeof(path), "%s/%s", dir, subs[i]);
                if (mkdir(path, 0700) != 0 && errno != EEXIST)
                        return -1;
        }
        return 0;
}

static int
write_default_config(const char *dir)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/strongroom.conf", dir);
        FILE *f = fopen(path, "wxe");
        if (f == NULL)
                return errno == EEXIST ? 0 : -1;
        int ok = fputs(sr_config_default_text, f) >= 0;
        return fclose(f) == 0 && ok ? 0 : -1;
}

static int
print_result(bool json, const char *user_id, const struct sr_secret *otp)
{
        if (!json) {
                printf("Strongroom initialised.\n"
                       "  operator account: platform\n"
                       "  username:         operator\n"
                       "  one-time password: %.*s\n"
                       "  (must be changed at first sign-in)\n",
                       (int)otp->len, (const char *)otp->bytes);
                return 0;
        }
        json_t *o = json_pack("{s:s, s:s, s:s, s:s%}", "account", "platform", "operator_user_id",
                              user_id, "username", "operator", "one_time_password",
                              (const char *)otp->bytes, otp->len);
        char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
        json_decref(o);
        if (s == NULL)
                return 1;
        puts(s);
        sodium_memzero(s, strlen(s));
        free(s);
        return 0;
}

static int
run(const char *dir, bool json)
{
        char path[4096], mkey[4096], key[4096], cert[4096], err[256] = "";
        snprintf(path, sizeof(path), "%s/directory.db", dir);
        snprintf(mkey, sizeof(mkey), "%s/keys/master.key", dir);
        struct stat st;
        if (stat(path, &st) == 0 || stat(mkey, &st) == 0) {
                sr_cli_fail("init", "%s is already initialised", dir);
                return 1;
        }
        if (make_dirs(dir) != 0 || write_default_config(dir) != 0) {
                sr_cli_fail("init", "cannot create %s: %s", dir, strerror(errno));
                return 1;
        }
        struct sr_config cfg;
        if (sr_config_load(dir, &cfg, err, sizeof(err)) != SR_OK) {
                sr_cli_fail("init", "%s", err[0] ? err : "cannot read the configuration");
                return 1;
        }
        enum sr_region region = SR_REGION_EU;
        enum sr_rc rc = sr_region_parse(cfg.platform_region, &region);
        struct sr_store *store = NULL;
        if (rc == SR_OK)
                rc = sr_store_open(&cfg, true, &store);
        /* A PostgreSQL store outlives data directories: never initialise
         * one that already has a platform account (before any key is made). */
        struct sr_dir_account existing;
        if (rc == SR_OK && sr_store_dir_find(store, "platform", &existing) == SR_OK) {
                sr_store_free(store);
                sr_store_thread_done();
                sr_config_fini(&cfg);
                sr_cli_fail("init", "the store of %s is already initialised", dir);
                return 1;
        }
        sr_store_free(store);
        if (rc == SR_OK)
                rc = sr_keyring_master_create(cfg.master_key_file);
        snprintf(key, sizeof(key), "%s/tls/key.pem", dir);
        snprintf(cert, sizeof(cert), "%s/tls/cert.pem", dir);
        if (rc == SR_OK)
                rc = sr_tls_make_selfsigned(key, cert);
        struct sr_app *app = NULL;
        if (rc == SR_OK)
                rc = sr_app_open(&cfg, &app);
        char user_id[SR_ID_LEN + 1];
        struct sr_secret *otp = NULL;
        if (rc == SR_OK)
                rc = sr_account_bootstrap(app, region, user_id, &otp);
        int status = 1;
        if (rc == SR_OK)
                status = print_result(json, user_id, otp);
        else
                sr_cli_fail("init", "failed: %s", sr_rc_name(rc));
        sr_secret_free(otp);
        sr_app_free(app);
        sr_store_thread_done();
        sr_config_fini(&cfg);
        return status;
}

int
sr_cli_init(int argc, char **argv)
{
        const char *dir = NULL;
        bool json = false;
        for (int i = 1; i < argc; i++) {
                int r = sr_cli_opt(argc, argv, &i, "--data-dir", &dir);
                if (r < 0) {
                        sr_cli_fail("init", "--data-dir needs a value");
                        return 2;
                }
                if (r > 0)
                        continue;
                if (strcmp(argv[i], "--json") == 0) {
                        json = true;
                } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                        fputs(usage, stdout);
                        return 0;
                } else {
                        sr_cli_fail("init", "unknown option %s", argv[i]);
                        return 2;
                }
        }
        if (dir == NULL) {
                sr_cli_fail("init", "--data-dir is required");
                return 2;
        }
        if (sr_crypto_init() != SR_OK) {
                sr_cli_fail("init", "cannot start the crypto library");
                return 1;
        }
        sr_clock_init();
        return run(dir, json);
}
