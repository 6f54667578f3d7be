/* Configuration file reader. The file is optional; what it does not say
 * takes the defaults of CONTRACTS.md. */
#include "util/config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

const char sr_config_default_text[] =
        "; Strongroom configuration. Every key is optional; shown are the defaults.\n"
        "[server]\n"
        "; public_url = https://127.0.0.1:8443   ; base of links in e-mail\n"
        "; plain_listen =                         ; plain HTTP port, off by default\n"
        "; trusted_proxies =                      ; addresses/CIDRs whose X-Forwarded-For we believe\n"
        "; outbound_addresses =                   ; where mail/webhook jobs connect from (shown to customers)\n"
        "; worker_threads = 2\n"
        "; worker_queue = 64\n"
        "; http_threads = 2\n"
        "; platform_region = EU\n"
        "; master_key_file = DATA_DIR/keys/master.key\n"
        "[signup]\n"
        "; mode = open\n"
        "; per_address_per_hour = 10\n"
        "[signin]\n"
        "; bucket_burst = 100\n"
        "; bucket_per_s = 5\n"
        "[mail]\n"
        "; smtp_url =                             ; unset: write to DATA_DIR/mail (Maildir)\n"
        "; from = Strongroom <no-reply@localhost>  ; From header of outgoing mail\n"
        "[store]\n"
        "; driver = sqlite                        ; or postgres (docs/postgres.md)\n"
        "; postgres =                             ; libpq conninfo, no password (use .pgpass)\n"
        "; postgres_EU =                          ; per-region database, default: postgres\n";

struct parse_ctx {
        struct sr_config *c;
        char *err;
        size_t err_len;
        int failed;
};

static int
set_str(char **dst, const char *v)
{
        char *d = NULL;
        if (v[0] != '\0') {
                d = sr_strdup(v);
                if (d == NULL)
                        return 0;
        }
        sr_free(*dst);
        *dst = d;
        return 1;
}

/* Settings that always need a value: empty is a bad value, not "off". */
static int
set_required_str(char **dst, const char *v)
{
        return v[0] != '\0' && set_str(dst, v);
}

static int
set_uint(unsigned *dst, const char *v, unsigned lo, unsigned hi)
{
        char *end = NULL;
        errno = 0;
        unsigned long n = strtoul(v, &end, 10);
        if (errno != 0 || end == v || *end != '\0' || n < lo || n > hi)
                return 0;
        *dst = (unsigned)n;
        return 1;
}

static int
on_entry(void *user, const char *section, const char *name, const char *value)
{
        struct parse_ctx *p = user;
        struct sr_config *c = p->c;
        int ok = -1;
#define KEY(s, k) (strcmp(section, s) == 0 && strcmp(name, k) == 0)
        if (KEY("server", "public_url"))
                ok = set_required_str(&c->public_url, value);
        else if (KEY("server", "plain_listen"))
                ok = set_str(&c->plain_listen, value);
        else if (KEY("server", "trusted_proxies"))
                ok = set_str(&c->trusted_proxies, value);
        else if (KEY("server", "outbound_addresses"))
                ok = set_str(&c->outbound_addresses, value);
        else if (KEY("server", "platform_region"))
                ok = set_required_str(&c->platform_region, value);
        else if (KEY("server", "master_key_file"))
                ok = set_required_str(&c->master_key_file, value);
        else if (KEY("server", "worker_threads"))
                ok = set_uint(&c->worker_threads, value, 1, 64);
        else if (KEY("server", "worker_queue"))
                ok = set_uint(&c->worker_queue, value, 1, 65536);
        else if (KEY("server", "http_threads"))
                ok = set_uint(&c->http_threads, value, 1, 64);
        else if (KEY("signup", "mode")) {
                ok = strcmp(value, "open") == 0 || strcmp(value, "closed") == 0;
                c->signup_open = strcmp(value, "open") == 0;
        } else if (KEY("signup", "per_address_per_hour"))
                ok = set_uint(&c->signup_per_address_per_hour, value, 1, 1000000);
        else if (KEY("signin", "bucket_burst"))
                ok = set_uint(&c->signin_bucket_burst, value, 1, 1000000);
        else if (KEY("signin", "bucket_per_s"))
                ok = set_uint(&c->signin_bucket_per_s, value, 1, 1000000);
        else if (KEY("store", "driver")) {
                ok = strcmp(value, "sqlite") == 0 || strcmp(value, "postgres") == 0;
                c->store_postgres = strcmp(value, "postgres") == 0;
        } else if (KEY("store", "postgres"))
                ok = set_required_str(&c->pg_conninfo, value);
        else if (strcmp(section, "store") == 0 && strncmp(name, "postgres_", 9) == 0) {
                enum sr_region r;
                ok = sr_region_parse(name + 9, &r) == SR_OK &&
                     set_required_str(&c->pg_region_conninfo[r], value);
        } else if (KEY("mail", "smtp_url"))
                ok = set_str(&c->smtp_url, value);
        else if (KEY("mail", "from"))
                ok = strchr(value, '@') != NULL && set_required_str(&c->mail_from, value);
#undef KEY
        if (ok == 1)
                return 1;
        if (!p->failed)
                snprintf(p->err, p->err_len, "%s [%s] %s", ok == -1 ? "unknown setting" : "bad value for",
                         section, name);
        p->failed = 1;
        return 0;
}

static enum sr_rc
set_defaults(const char *data_dir, struct sr_config *c)
{
        memset(c, 0, sizeof(*c));
        c->worker_threads = 2;
        c->worker_queue = 64;
        c->http_threads = 2;
        c->signup_open = true;
        c->signup_per_address_per_hour = 10;
        c->signin_bucket_burst = 100;
        c->signin_bucket_per_s = 5;
        size_t n = strlen(data_dir) + 32;
        c->data_dir = sr_strdup(data_dir);
        c->public_url = sr_strdup("https://127.0.0.1:8443");
        c->platform_region = sr_strdup("EU");
        c->master_key_file = sr_malloc(n);
        if (c->data_dir == NULL || c->public_url == NULL || c->platform_region == NULL ||
            c->master_key_file == NULL)
                return SR_E_NOMEM;
        snprintf(c->master_key_file, n, "%s/keys/master.key", data_dir);
        return SR_OK;
}

enum sr_rc
sr_config_load(const char *data_dir, struct sr_config *ret, char *err, size_t err_len)
{
        struct sr_config c;
        enum sr_rc rc = set_defaults(data_dir, &c);
        if (rc != SR_OK) {
                sr_config_fini(&c);
                return rc;
        }
        char path[4096];
        snprintf(path, sizeof(path), "%s/strongroom.conf", data_dir);
        FILE *f = fopen(path, "re");
        if (f != NULL) {
                struct parse_ctx p = {&c, err, err_len, 0};
                int line = ini_parse_file(f, on_entry, &p);
                fclose(f);
                if (line != 0 || p.failed) {
                        if (!p.failed)
                                snprintf(err, err_len, "%s: syntax error on line %d", path, line);
                        sr_config_fini(&c);
                        return SR_E_INVALID_REQUEST;
                }
        }
        /* The directory, and every region without its own, live there. */
        if (c.store_postgres && c.pg_conninfo == NULL) {
                snprintf(err, err_len, "%s: [store] driver = postgres needs postgres =", path);
                sr_config_fini(&c);
                return SR_E_INVALID_REQUEST;
        }
        *ret = c;
        return SR_OK;
}

void
sr_config_fini(struct sr_config *c)
{
        sr_free(c->data_dir);
        sr_free(c->master_key_file);
        sr_free(c->public_url);
        sr_free(c->plain_listen);
        sr_free(c->trusted_proxies);
        sr_free(c->outbound_addresses);
        sr_free(c->smtp_url);
        sr_free(c->mail_from);
        sr_free(c->platform_region);
        sr_free(c->pg_conninfo);
        for (unsigned r = 0; r < SR_REGION__COUNT; r++)
                sr_free(c->pg_region_conninfo[r]);
        memset(c, 0, sizeof(*c));
}
