/* `strongroom serve --data-dir DIR --listen HOST:PORT
 * [--master-key-file PATH]`: runs the HTTPS server until SIGTERM/SIGINT. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "cli/cli.h"
#include "crypto/crypto.h"
#include "domain/account/account.h"
#include "http/server.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/log.h"

static const char usage[] =
        "usage: strongroom serve --data-dir DIR [--listen HOST:PORT] [--master-key-file PATH]\n"
        "Serves the API and web pages over HTTPS (default 127.0.0.1:8443).\n";

/* DESIGN.md: 16384 connections need as many descriptors. */
static void
raise_nofile(void)
{
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
                return;
        rlim_t want = 16384 + 256;
        rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
                sr_log(SR_LOG_WARN, "cannot raise the descriptor limit", NULL);
}

static int
run(const char *dir, const char *listen, const char *key_file)
{
        char err[256] = "";
        struct sr_config cfg;
        if (sr_config_load(dir, &cfg, err, sizeof(err)) != SR_OK) {
                sr_cli_fail("serve", "%s", err[0] ? err : "cannot read the configuration");
                return 1;
        }
        if (key_file != NULL) {
                sr_free(cfg.master_key_file);
                cfg.master_key_file = sr_strdup(key_file);
        }
        /* Block the stop signals before any thread starts so only sigwait
         * below receives them. */
        sigset_t stop;
        sigemptyset(&stop);
        sigaddset(&stop, SIGTERM);
        sigaddset(&stop, SIGINT);
        pthread_sigmask(SIG_BLOCK, &stop, NULL);
        signal(SIGPIPE, SIG_IGN);
        raise_nofile();

        struct sr_app *app = NULL;
        struct sr_server *srv = NULL;
        enum sr_rc rc = cfg.master_key_file ? sr_app_open(&cfg, &app) : SR_E_NOMEM;
        if (rc == SR_OK && app->platform_account_id[0] == '\0')
                rc = SR_E_NOT_FOUND;
        /* Finish or undo sign-ups a crash cut short, before serving. */
        if (rc == SR_OK)
                rc = sr_account_recover(app);
        if (rc != SR_OK) {
                sr_cli_fail("serve", "cannot open %s (%s); run `strongroom init` first", dir,
                            sr_rc_name(rc));
        } else {
                rc = sr_server_start(app, listen, &srv, err, sizeof(err));
                if (rc != SR_OK)
                        sr_cli_fail("serve", "%s", err[0] ? err : sr_rc_name(rc));
        }
        if (rc == SR_OK) {
                if (sr_clock_is_test())
                        sr_log(SR_LOG_WARN, "test clock active (STRONGROOM_CLOCK_OFFSET_FILE)",
                               NULL);
                sr_log(SR_LOG_INFO, "listening", "address", listen, "version", SR_VERSION, NULL);
                int sig = 0;
                sigwait(&stop, &sig);
                sr_log(SR_LOG_INFO, "stopping", NULL);
        }
        sr_server_stop(srv);
        sr_app_free(app);
        sr_store_thread_done();
        sr_config_fini(&cfg);
        return rc == SR_OK ? 0 : 1;
}

int
sr_cli_serve(int argc, char **argv)
{
        const char *dir = NULL, *listen = "127.0.0.1:8443", *key_file = NULL;
        for (int i = 1; i < argc; i++) {
                int r = sr_cli_opt(argc, argv, &i, "--data-dir", &dir);
                if (r == 0)
                        r = sr_cli_opt(argc, argv, &i, "--listen", &listen);
                if (r == 0)
                        r = sr_cli_opt(argc, argv, &i, "--master-key-file", &key_file);
                if (r < 0) {
                        sr_cli_fail("serve", "%s needs a value", argv[i]);
                        return 2;
                }
                if (r > 0)
                        continue;
                if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                        fputs(usage, stdout);
                        return 0;
                }
                sr_cli_fail("serve", "unknown option %s", argv[i]);
                return 2;
        }
        if (dir == NULL) {
                sr_cli_fail("serve", "--data-dir is required");
                return 2;
        }
        if (sr_crypto_init() != SR_OK) {
                sr_cli_fail("serve", "cannot start the crypto library");
                return 1;
        }
        sr_clock_init();
        return run(dir, listen, key_file);
}
