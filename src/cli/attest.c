/* `strongroom attest`: reports, for every claim of docs/claims.md, whether
 * this build enforces it (enforced, partial, no) and the active settings
 * that decide it, as text or JSON. It reads DIR/strongroom.conf and the
 * environment and nothing else: it does not open the databases or the key
 * file, and never prints a secret (the SMTP URL may carry a password, so
 * only whether one is set is shown). It enforces no claim itself; it warns
 * while the master key lives inside the data directory (CONTRACTS.md) and
 * while a test clock is active. */
#include "cli/attest.h"

#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "crypto/pwhash.h"
#include "mailer/mailer.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/config.h"
#include "util/rc.h"

#define SETTINGS_MAX_BYTES (16u * 1024u)
#define MAX_WARNINGS 4

enum status { ST_NO, ST_PARTIAL, ST_ENFORCED };
static const char *const status_names[] = {"no", "partial", "enforced"};

static enum sr_rc more_proxies(const struct sr_config *c, struct sr_buf *b);
static enum sr_rc more_signin(const struct sr_config *c, struct sr_buf *b);
static enum sr_rc more_pwhash(const struct sr_config *c, struct sr_buf *b);
static enum sr_rc more_mail(const struct sr_config *c, struct sr_buf *b);
static enum sr_rc more_signup(const struct sr_config *c, struct sr_buf *b);
static enum sr_rc more_plain(const struct sr_config *c, struct sr_buf *b);
static enum sr_rc more_master_key(const struct sr_config *c, struct sr_buf *b);
static enum sr_rc more_region(const struct sr_config *c, struct sr_buf *b);

/* What this milestone enforces. A claim missing here is `no` with no
 * settings. `fixed` holds whatever the config cannot change; `more` adds the
 * config-dependent part. Raise a status only together with a test that
 * names the claim. */
static const struct status_row {
        const char *id;
        enum status status;
        const char *fixed;
        enum sr_rc (*more)(const struct sr_config *c, struct sr_buf *b);
} rows[] = {
        {"ACC-1", ST_PARTIAL,
         "scope tree platform → account → channel; every row carries account_id; items "
         "(documents) not yet",
         NULL},
        {"ACC-2", ST_ENFORCED,
         "grants need a manager role at or above the grant's scope and a role not above the "
         "granter's (sr_authz_may_grant)",
         NULL},
        {"ACC-3", ST_ENFORCED,
         "removing a role, deleting or blocking a user bumps the session epoch: sessions and "
         "API keys stop on the next request (on every node of a PostgreSQL store via "
         "LISTEN/NOTIFY)",
         NULL},
        {"ACC-4", ST_ENFORCED,
         "one central check (sr_authz_require) on every route, proven by a generated "
         "role × operation × scope matrix",
         NULL},
        {"ACC-5", ST_ENFORCED, "revokeUserSessions by a manager or the user; deleteMySession",
         NULL},
        {"ACC-6", ST_ENFORCED,
         "platform operators block and unblock users and accounts (never the platform "
         "account); a blocked user or account gets the same 401 at sign-in and its sessions "
         "end on the next request (epoch bump, session rows deleted; every node)",
         NULL},
        {"ACC-7", ST_ENFORCED,
         "staff see no personal data without a manager's grant (≤ 7 days); every access "
         "under a grant is in the customer's audit trail",
         NULL},
        {"ACC-8", ST_ENFORCED,
         "per-account IP allowlist on every request with or for the account, sign-in "
         "included; refusals audited; self-lockout needs confirmation",
         more_proxies},
        {"ACC-9", ST_PARTIAL,
         "scoped API keys (secret shown once, SHA-256 stored, creator's rights ∩ scopes, "
         "immediate revocation); OAuth clients not yet",
         NULL},
        {"AUTH-1", ST_ENFORCED,
         "username, e-mail and phone unique per account, looked up by HMAC-SHA-256 blind index",
         NULL},
        {"AUTH-2", ST_ENFORCED,
         "per-account password profile (getPasswordPolicy); default preset nist: >= 15 code "
         "points (8 with confirmed TOTP), blocklist, zxcvbn score >= 3, no composition rules, "
         "no expiry; presets seed-000 (>= 6) and seed-002 (>= 8, upper+lower+digit+symbol "
         "from #?@$%^&*-_, no reuse of the last 5, max age 90 days) or custom fields; a "
         "password someone else set must be changed at first sign-in",
         NULL},
        {"AUTH-3", ST_ENFORCED,
         "per account lockout_threshold (default 3; password, TOTP and recovery-code failures) "
         "and lockout_period_s (default 900); each attempt is reserved in a write transaction "
         "before the hash is checked; attempts while locked are refused uncounted; unknown, "
         "wrong, locked and blocked all answer 401 invalid_credentials after one argon2id run; "
         "a browser with the __Host-sr_device cookie of an earlier sign-in has its own count "
         "instead of the user's; lockouts audited and mailed; unlockUser",
         more_signin},
        {"AUTH-4", ST_ENFORCED,
         "imported bcrypt ($2a$/$2b$/$2y$, cost <= 14) and SHA-crypt ($5$/$6$, rounds <= "
         "1000000) hashes verified through libcrypt plus one dummy argon2id run, re-hashed "
         "with argon2id at the first successful sign-in; bcrypt reads 72 bytes only",
         more_pwhash},
        {"AUTH-5", ST_ENFORCED,
         "changePassword needs current_password, checks the account's password profile and "
         "history, ends every other session and issues a new token; password changes, "
         "sign-ins and contact changes appear in listMyActivity",
         NULL},
        {"AUTH-6", ST_ENFORCED,
         "reset link <public_url>/reset#token=<256-bit token> in the fragment, single use, "
         "token lifetime 1800 s, only its SHA-256 stored, same answer and work for unknown "
         "users, at most 3 live links per user; completing it ends every session; outbox "
         "sealed under the user's key, delivered by the scheduler",
         more_mail},
        {"AUTH-7", ST_ENFORCED,
         "idle_timeout_s default 600, max_lifetime_s default 43200 (per account)", NULL},
        {"AUTH-8", ST_ENFORCED,
         "TOTP via liboath (RFC 6238: SHA-1, 30 s, 6 digits, one step either side, an "
         "accepted step never again), secret sealed under the user's key; 10 single-use "
         "recovery codes kept as keyed BLAKE2b hashes; sign-in challenge single use, 300 s, "
         "5 tries, hash only; require_second_factor per account (default off) holds users "
         "without TOTP to enrolment; deleteTotp and regenerateRecoveryCodes need "
         "re-authentication",
         NULL},
        {"AUTH-9", ST_PARTIAL,
         "e-mail or phone change (updateMe) needs the current password or a sign-in within "
         "300 s; a new e-mail is pending until its 24 h link is verified, the old address is "
         "told; a phone change is told by e-mail only (no SMS to the old or new number); "
         "password changes appear in listMyActivity",
         more_mail},
        {"AUTH-10", ST_ENFORCED,
         "company, contact e-mail, phone, country, region, client address, browser and OS "
         "recorded, personal parts sealed with AEAD",
         more_signup},
        {"DATA-1", ST_ENFORCED, "TLS 1.2/1.3 AEAD only, HSTS max-age=31536000", more_plain},
        {"DATA-2", ST_ENFORCED,
         "XChaCha20-Poly1305, per-subject keys, HMAC-SHA-256 blind indexes", more_master_key},
        {"DATA-5", ST_ENFORCED,
         "JSON-line logs take ids, codes and numbers only; secrets are struct sr_secret, "
         "wiped after use; problem details carry no secrets",
         NULL},
        {"DATA-7", ST_PARTIAL,
         "each account's data and keys live in the store of the region chosen at sign-up "
         "(DIR/regions/<R> or its PostgreSQL schemas); regional backups not yet",
         more_region},
        {"OPS-1", ST_ENFORCED,
         "per-account HMAC-SHA-256 event chain with an Ed25519-signed checkpoint; "
         "checked by `strongroom audit verify`",
         NULL},
        {"OPS-2", ST_PARTIAL,
         "getHealth public, getMetrics for operators and metrics:read keys, JSON-line logs "
         "on stderr; alert rules not yet",
         NULL},
};

struct args {
        const char *data_dir;
        const char *master_key_file; /* overrides the config, as for serve */
        bool json;
        bool help;
};

struct report {
        char dir_real[PATH_MAX];
        bool test_clock;
        char *warnings[MAX_WARNINGS]; /* owned, sr_free */
        size_t n_warnings;
};

static void
report_fini(struct report *r)
{
        for (size_t i = 0; i < r->n_warnings; i++)
                sr_free(r->warnings[i]);
        r->n_warnings = 0;
}

static void
usage(FILE *f)
{
        fputs("usage: strongroom attest --data-dir DIR [--json] [--master-key-file PATH]\n"
              "\n"
              "For every claim in docs/claims.md, print whether this build enforces it\n"
              "(enforced, partial or no) and the active settings that decide it.\n"
              "  --data-dir DIR          data directory (reads DIR/strongroom.conf)\n"
              "  --json                  print one JSON document instead of text\n"
              "  --master-key-file PATH  the key file serve uses, if not the configured one\n",
              f);
}

static enum sr_rc
more_proxies(const struct sr_config *c, struct sr_buf *b)
{
        return sr_buf_printf(b, "trusted_proxies: %s; our outbound jobs connect from: %s",
                             c->trusted_proxies != NULL ? c->trusted_proxies : "none",
                             c->outbound_addresses != NULL ? c->outbound_addresses
                                                           : "not configured");
}

static enum sr_rc
more_signin(const struct sr_config *c, struct sr_buf *b)
{
        return sr_buf_printf(b,
                             "per-address sign-in bucket (IPv4 address, IPv6 /64; in memory, "
                             "per node): burst %u, refill %u/s; 429 with Retry-After, not "
                             "counted towards the lockout",
                             c->signin_bucket_burst, c->signin_bucket_per_s);
}

static enum sr_rc
more_pwhash(const struct sr_config *c, struct sr_buf *b)
{
        return sr_buf_printf(b,
                             "argon2id m=%u MiB t=%u in the worker pool (worker_threads %u, "
                             "worker_queue %u)",
                             SR_PWHASH_MEMLIMIT_BYTES / (1024u * 1024u), SR_PWHASH_OPSLIMIT,
                             c->worker_threads, c->worker_queue);
}

static enum sr_rc
more_mail(const struct sr_config *c, struct sr_buf *b)
{
        /* The SMTP URL may hold credentials: name only its host. */
        struct sr_smtp_target t;
        if (c->smtp_url == NULL)
                return sr_buf_printf(b, "public_url: %s; mail: Maildir DIR/mail", c->public_url);
        if (sr_mailer_parse_url(c->smtp_url, &t) != SR_OK)
                return sr_buf_printf(b, "public_url: %s; mail: SMTP relay (unusable smtp_url)",
                                     c->public_url);
        return sr_buf_printf(b, "public_url: %s; mail: SMTP relay %s (%s)", c->public_url, t.host,
                             t.loopback && !t.implicit_tls
                                     ? "loopback, plain SMTP allowed"
                                     : "TLS required, certificate verified");
}

static enum sr_rc
more_signup(const struct sr_config *c, struct sr_buf *b)
{
        return sr_buf_printf(b, "signup: %s, %u per address per hour",
                             c->signup_open ? "open" : "closed", c->signup_per_address_per_hour);
}

static enum sr_rc
more_plain(const struct sr_config *c, struct sr_buf *b)
{
        return sr_buf_printf(b, "plain port: %s", c->plain_listen != NULL ? c->plain_listen : "off");
}

static enum sr_rc
more_master_key(const struct sr_config *c, struct sr_buf *b)
{
        return sr_buf_printf(b, "master key file: %s", c->master_key_file);
}

static enum sr_rc
more_region(const struct sr_config *c, struct sr_buf *b)
{
        enum sr_rc rc = sr_buf_printf(b, "platform_region: %s; store: ", c->platform_region);
        if (rc != SR_OK || !c->store_postgres)
                return rc == SR_OK ? sr_buf_puts(b, "sqlite, one file per region and kind") : rc;
        unsigned own = 0;
        for (unsigned r = 0; r < SR_REGION__COUNT; r++)
                own += c->pg_region_conninfo[r] != NULL;
        /* Never the conninfo itself: it names hosts and users. */
        return sr_buf_printf(b,
                             "postgres, schemas sr_data_<r>/sr_keys_<r>; %u of %d regions on "
                             "their own database; deleted rows linger until VACUUM",
                             own, (int)SR_REGION__COUNT);
}

static const struct status_row *
find_row(const char *id)
{
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
                if (strcmp(rows[i].id, id) == 0)
                        return &rows[i];
        return NULL;
}

/* Fills b (empty on entry) with the settings line of one claim. */
static enum sr_rc
build_settings(const struct status_row *row, const struct sr_config *c, struct sr_buf *b)
{
        if (row == NULL)
                return SR_OK;
        enum sr_rc rc = SR_OK;
        if (row->fixed != NULL)
                rc = sr_buf_puts(b, row->fixed);
        if (rc == SR_OK && row->more != NULL && row->fixed != NULL)
                rc = sr_buf_puts(b, "; ");
        if (rc == SR_OK && row->more != NULL)
                rc = row->more(c, b);
        return rc;
}

/* True when s is "--name" (value in the next argument, *ret_inline NULL) or
 * "--name=value" (*ret_inline points at the value). */
static bool
match_opt(const char *s, const char *name, const char **ret_inline)
{
        size_t n = strlen(name);
        if (strncmp(s, name, n) != 0 || (s[n] != '\0' && s[n] != '='))
                return false;
        *ret_inline = s[n] == '=' ? s + n + 1 : NULL;
        return true;
}

static int
parse_args(int argc, char **argv, struct args *ret)
{
        struct args a = {0};
        for (int i = 1; i < argc; i++) {
                const char *s = argv[i], *v = NULL, *name = NULL;
                const char **dst = NULL;
                if (strcmp(s, "--json") == 0) {
                        a.json = true;
                        continue;
                }
                if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
                        a.help = true;
                        continue;
                }
                if (match_opt(s, "--data-dir", &v)) {
                        name = "--data-dir";
                        dst = &a.data_dir;
                } else if (match_opt(s, "--master-key-file", &v)) {
                        name = "--master-key-file";
                        dst = &a.master_key_file;
                } else {
                        fprintf(stderr, "strongroom attest: unknown argument '%s' (try --help)\n", s);
                        return 2;
                }
                if (v == NULL && i + 1 < argc)
                        v = argv[++i];
                if (v == NULL || v[0] == '\0') {
                        fprintf(stderr, "strongroom attest: %s needs a value\n", name);
                        return 2;
                }
                *dst = v;
        }
        if (!a.help && a.data_dir == NULL) {
                fputs("strongroom attest: --data-dir DIR is required (try --help)\n", stderr);
                return 2;
        }
        *ret = a;
        return 0;
}

/* Appends the components of rest to out (an absolute, resolved path),
 * dropping "." and letting ".." remove the last component. Nothing below
 * the resolved prefix exists, so no symlink can change the result. */
static bool
append_normalised(char out[PATH_MAX], const char *rest)
{
        size_t len = strlen(out);
        while (*rest != '\0') {
                size_t n = strcspn(rest, "/");
                if (n == 2 && rest[0] == '.' && rest[1] == '.') {
                        while (len > 1 && out[len - 1] != '/')
                                len--;
                        if (len > 1)
                                len--;
                        out[len] = '\0';
                } else if (n > 0 && !(n == 1 && rest[0] == '.')) {
                        size_t sep = (len == 1 && out[0] == '/') ? 0 : 1;
                        if (len + sep + n >= PATH_MAX)
                                return false;
                        if (sep)
                                out[len++] = '/';
                        memcpy(out + len, rest, n);
                        len += n;
                        out[len] = '\0';
                }
                rest += n;
                while (*rest == '/')
                        rest++;
        }
        return true;
}

/* Resolves path as far as it exists: the deepest existing ancestor through
 * realpath(), the rest normalised by hand. False when nothing resolves. */
static bool
resolve_path(const char *path, char out[PATH_MAX])
{
        char prefix[PATH_MAX];
        size_t n = strlen(path);
        if (n == 0 || n >= sizeof(prefix))
                return false;
        memcpy(prefix, path, n + 1);
        for (;;) {
                const char *base = prefix[0] != '\0' ? prefix : (path[0] == '/' ? "/" : ".");
                if (realpath(base, out) != NULL)
                        return append_normalised(out, path + strlen(prefix));
                if (prefix[0] == '\0')
                        return false;
                char *slash = strrchr(prefix, '/');
                if (slash != NULL)
                        *slash = '\0';
                else
                        prefix[0] = '\0';
        }
}

static bool
path_is_under(const char *path, const char *dir)
{
        size_t n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/')
                n--;
        if (n == 1 && dir[0] == '/')
                return path[0] == '/';
        return n > 0 && strncmp(path, dir, n) == 0 && path[n] == '/';
}

static enum sr_rc __attribute__((format(printf, 2, 3)))
add_warning(struct report *r, const char *fmt, ...)
{
        if (r->n_warnings == MAX_WARNINGS)
                return SR_E_INTERNAL;
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0)
                return SR_E_INTERNAL;
        char *w = sr_malloc((size_t)n + 1);
        if (w == NULL)
                return SR_E_NOMEM;
        va_start(ap, fmt);
        vsnprintf(w, (size_t)n + 1, fmt, ap);
        va_end(ap);
        r->warnings[r->n_warnings++] = w;
        return SR_OK;
}

static enum sr_rc
collect_warnings(const struct args *a, const struct sr_config *c, struct report *r)
{
        const char *key = a->master_key_file != NULL ? a->master_key_file : c->master_key_file;
        char key_real[PATH_MAX];
        bool inside = resolve_path(key, key_real) ? path_is_under(key_real, r->dir_real)
                                                  : path_is_under(key, a->data_dir);
        enum sr_rc rc = SR_OK;
        if (inside)
                rc = add_warning(r,
                                 "master key file %s is inside the data directory %s; keep it "
                                 "elsewhere in production (master_key_file, --master-key-file)",
                                 key, r->dir_real);
        if (rc == SR_OK && r->test_clock)
                rc = add_warning(r, "STRONGROOM_CLOCK_OFFSET_FILE is set: policy times follow "
                                    "a test clock");
        return rc;
}

static enum sr_rc
emit_text(const struct sr_config *c, const struct report *r)
{
        printf("version: %s\ndata_dir: %s\ntest_clock: %s\n", SR_VERSION, r->dir_real,
               r->test_clock ? "true" : "false");
        for (size_t i = 0; i < r->n_warnings; i++)
                printf("WARNING: %s\n", r->warnings[i]);
        const char *id = NULL, *title = NULL;
        for (size_t i = 0; sr_attest_claim_at(i, &id, &title); i++) {
                const struct status_row *row = find_row(id);
                struct sr_buf b;
                sr_buf_init(&b, SETTINGS_MAX_BYTES);
                enum sr_rc rc = build_settings(row, c, &b);
                if (rc != SR_OK) {
                        sr_buf_fini(&b);
                        return rc;
                }
                const char *st = status_names[row != NULL ? row->status : ST_NO];
                if (b.len > 0)
                        printf("%-7s  %-8s  %s\n", id, st, b.data);
                else
                        printf("%-7s  %s\n", id, st);
                sr_buf_fini(&b);
        }
        return SR_OK;
}

/* Sets key on obj, taking v; NOMEM when v is NULL or the set fails. */
static enum sr_rc
jset(json_t *obj, const char *key, json_t *v)
{
        if (v == NULL)
                return SR_E_NOMEM;
        return json_object_set_new(obj, key, v) == 0 ? SR_OK : SR_E_NOMEM;
}

/* Appends v to arr, taking v; NOMEM when v is NULL or the append fails. */
static enum sr_rc
jappend(json_t *arr, json_t *v)
{
        if (v == NULL)
                return SR_E_NOMEM;
        return json_array_append_new(arr, v) == 0 ? SR_OK : SR_E_NOMEM;
}

static enum sr_rc
claim_json(const char *id, const char *title, const struct sr_config *c, json_t **ret)
{
        const struct status_row *row = find_row(id);
        SR_CLEANUP(json_decrefp) json_t *o = json_object();
        if (o == NULL)
                return SR_E_NOMEM;
        struct sr_buf b;
        sr_buf_init(&b, SETTINGS_MAX_BYTES);
        enum sr_rc rc = build_settings(row, c, &b);
        if (rc == SR_OK)
                rc = jset(o, "id", json_string(id));
        if (rc == SR_OK)
                rc = jset(o, "title", json_string(title));
        if (rc == SR_OK)
                rc = jset(o, "status", json_string(status_names[row != NULL ? row->status : ST_NO]));
        if (rc == SR_OK)
                rc = jset(o, "settings", json_string(b.len > 0 ? b.data : ""));
        sr_buf_fini(&b);
        if (rc != SR_OK)
                return rc;
        *ret = SR_TAKE(o);
        return SR_OK;
}

static enum sr_rc
emit_json(const struct sr_config *c, const struct report *r)
{
        SR_CLEANUP(json_decrefp) json_t *warnings = json_array();
        SR_CLEANUP(json_decrefp) json_t *claims = json_array();
        SR_CLEANUP(json_decrefp) json_t *root = json_object();
        if (warnings == NULL || claims == NULL || root == NULL)
                return SR_E_NOMEM;
        enum sr_rc rc = SR_OK;
        for (size_t i = 0; rc == SR_OK && i < r->n_warnings; i++)
                rc = jappend(warnings, json_string(r->warnings[i]));
        const char *id = NULL, *title = NULL;
        for (size_t i = 0; rc == SR_OK && sr_attest_claim_at(i, &id, &title); i++) {
                json_t *item = NULL;
                rc = claim_json(id, title, c, &item);
                if (rc == SR_OK)
                        rc = jappend(claims, item);
        }
        if (rc == SR_OK)
                rc = jset(root, "version", json_string(SR_VERSION));
        if (rc == SR_OK)
                rc = jset(root, "data_dir", json_string(r->dir_real));
        if (rc == SR_OK)
                rc = jset(root, "test_clock", json_boolean(r->test_clock));
        if (rc == SR_OK)
                rc = jset(root, "warnings", json_incref(warnings));
        if (rc == SR_OK)
                rc = jset(root, "claims", json_incref(claims));
        if (rc != SR_OK)
                return rc;
        SR_CLEANUP(sr_freep) char *text = json_dumps(root, JSON_INDENT(2));
        if (text == NULL)
                return SR_E_NOMEM;
        puts(text);
        return SR_OK;
}

/* Checks DIR and fills r->dir_real; prints one line and returns 1 if DIR is
 * missing or not a directory. */
static int
open_data_dir(const char *dir, struct report *r)
{
        struct stat st;
        if (stat(dir, &st) != 0) {
                fprintf(stderr, "strongroom attest: data directory %s: %s\n", dir, strerror(errno));
                return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
                fprintf(stderr, "strongroom attest: data directory %s: not a directory\n", dir);
                return 1;
        }
        if (realpath(dir, r->dir_real) == NULL) {
                fprintf(stderr, "strongroom attest: data directory %s: %s\n", dir, strerror(errno));
                return 1;
        }
        return 0;
}

int
sr_cli_attest(int argc, char **argv)
{
        struct args a;
        int code = parse_args(argc, argv, &a);
        if (code != 0)
                return code;
        if (a.help) {
                usage(stdout);
                return fflush(stdout) == 0 ? 0 : 1;
        }
        SR_CLEANUP(report_fini) struct report r = {0};
        code = open_data_dir(a.data_dir, &r);
        if (code != 0)
                return code;
        SR_CLEANUP(sr_config_fini) struct sr_config cfg = {0};
        char err[512] = "";
        enum sr_rc rc = sr_config_load(a.data_dir, &cfg, err, sizeof(err));
        if (rc != SR_OK) {
                fprintf(stderr, "strongroom attest: reading configuration: %s\n",
                        err[0] != '\0' ? err : sr_rc_name(rc));
                return 1;
        }
        sr_clock_init();
        r.test_clock = sr_clock_is_test();
        rc = collect_warnings(&a, &cfg, &r);
        if (rc == SR_OK)
                rc = a.json ? emit_json(&cfg, &r) : emit_text(&cfg, &r);
        if (rc != SR_OK) {
                fprintf(stderr, "strongroom attest: %s\n", sr_rc_name(rc));
                return 1;
        }
        if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "strongroom attest: writing output: %s\n", strerror(errno));
                return 1;
        }
        return 0;
}
