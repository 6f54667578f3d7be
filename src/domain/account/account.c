/* Account sign-up, the platform bootstrap, settings and the account
 * record (AUTH-10, AUTH-7, DATA-7). The directory row is written first
 * (it reserves the slug); the region transaction then writes the account,
 * its first user, their role and the audit events together. If that
 * transaction fails the directory row is removed again. */
#include "domain/account/account.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "crypto/pwhash.h"
#include "crypto/token.h"
#include "domain/account/useragent.h"
#include "domain/identity/normalize.h"
#include "domain/identity/password.h"
#include "domain/session/session.h"
#include "store/signin.h"
#include "util/alloc.h"
#include "util/clock.h"

#define SIGNUP_WINDOW_S 3600

struct rate_bucket {
        int64_t window_start;
        int64_t count;
};

/* AUTH-10 is public: a per-address cap keeps it from being a free
 * account factory. */
static enum sr_rc
signup_rate_check(struct sr_app *app, const struct sr_client *client)
{
        char key[64] = {0};
        snprintf(key, sizeof(key), "%s", client->ip);
        struct rate_bucket b = {0};
        int64_t now = sr_clock_now();
        if (!sr_hmap_get(app->signup_rate, key, &b) || now - b.window_start >= SIGNUP_WINDOW_S)
                b = (struct rate_bucket){now, 0};
        if (b.count >= app->cfg->signup_per_address_per_hour)
                return SR_E_RATE_LIMITED;
        b.count++;
        return sr_hmap_put(app->signup_rate, key, &b);
}

static void
slugify(const char *company, char out[SR_SLUG_MAX + 1])
{
        size_t n = 0;
        bool dash = false;
        for (const char *p = company; *p && n < 40; p++) {
                unsigned char c = (unsigned char)tolower((unsigned char)*p);
                if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                        if (dash && n > 0)
                                out[n++] = '-';
                        out[n++] = (char)c;
                        dash = false;
                } else {
                        dash = true;
                }
        }
        out[n] = '\0';
        if (n < 3)
                snprintf(out, SR_SLUG_MAX + 1, "account");
}

static enum sr_rc
reserve_slug(struct sr_app *app, const struct sr_signup *in, struct sr_dir_account *d)
{
        char base[SR_SLUG_MAX + 1];
        if (in->slug != NULL)
                snprintf(base, sizeof(base), "%s", in->slug);
        else
                slugify(in->company, base);
        if (strcmp(base, "platform") == 0 && in->slug != NULL)
                return SR_E_CONFLICT;
        snprintf(d->slug, sizeof(d->slug), "%s", base);
        for (int attempt = 0; attempt < 5; attempt++) {
                if (strcmp(d->slug, "platform") != 0) {
                        enum sr_rc rc = sr_store_dir_insert(app->st, d);
                        if (rc != SR_E_CONFLICT || in->slug != NULL)
                                return rc;
                }
                char suffix[SR_ID_LEN + 1];
                sr_id_new(suffix);
                snprintf(d->slug, sizeof(d->slug), "%.40s-%.6s", base, suffix);
        }
        return SR_E_CONFLICT;
}

/* Seals the company under the account key and the sign-up facts under
 * the first user's key: a client address is that person's data. */
static enum sr_rc
seal_account(struct sr_app *app, const struct sr_client *client, const struct sr_signup *in,
             const struct sr_account_ref *acct, const char *user_id, struct sr_account_row *row)
{
        SR_CLEANUP(sr_secret_freep) struct sr_secret *akey = NULL;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *ukey = NULL;
        struct sr_field f = {acct->id, "accounts", "company", acct->id};
        enum sr_rc rc = sr_vault_key(app->vault, acct->region, acct->id, NULL, &akey);
        if (rc == SR_OK)
                rc = sr_vault_key(app->vault, acct->region, acct->id, user_id, &ukey);
        if (rc == SR_OK)
                rc = sr_vault_seal(akey, &f, in->company, strlen(in->company), &row->company_ct);
        const char *browser = sr_ua_browser(client->user_agent);
        const char *os = sr_ua_os(client->user_agent);
        f.column = "signup_ip";
        if (rc == SR_OK)
                rc = sr_vault_seal(ukey, &f, client->ip, strlen(client->ip), &row->signup_ip_ct);
        f.column = "signup_browser";
        if (rc == SR_OK)
                rc = sr_vault_seal(ukey, &f, browser, strlen(browser), &row->signup_browser_ct);
        f.column = "signup_os";
        if (rc == SR_OK)
                rc = sr_vault_seal(ukey, &f, os, strlen(os), &row->signup_os_ct);
        return rc;
}

static enum sr_rc
grant_tx(struct sr_tx *tx, const char *account_id, const char *user_id, const char *role)
{
        struct sr_grant_row g;
        memset(&g, 0, sizeof(g));
        sr_id_new(g.id);
        snprintf(g.account_id, sizeof(g.account_id), "%s", account_id);
        snprintf(g.user_id, sizeof(g.user_id), "%s", user_id);
        snprintf(g.role, sizeof(g.role), "%s", role);
        g.created_at = sr_clock_now();
        return sr_store_grant_insert(tx, &g);
}

/* The region half of account creation, in one transaction. */
static enum sr_rc
create_in_region(struct sr_app *app, const struct sr_client *client, const struct sr_signup *in,
                 const struct sr_account_ref *acct, const char *user_id,
                 const struct sr_user_input *user, const char *pw_hash, bool pw_must_change,
                 const char *role)
{
        struct sr_account_row row;
        memset(&row, 0, sizeof(row));
        snprintf(row.id, sizeof(row.id), "%s", acct->id);
        snprintf(row.country, sizeof(row.country), "%s", in->country);
        snprintf(row.signup_user_id, sizeof(row.signup_user_id), "%s", user_id);
        snprintf(row.signup_ip_prefix, sizeof(row.signup_ip_prefix), "%s", client->ip_prefix);
        row.idle_timeout_s = SR_IDLE_TIMEOUT_DEFAULT_S;
        row.max_lifetime_s = SR_MAX_LIFETIME_DEFAULT_S;
        row.created_at = sr_clock_now();
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        enum sr_rc rc = sr_vault_account_create(app->vault, acct->region, acct->id);
        if (rc == SR_OK)
                rc = sr_store_begin(app->st, acct->region, &tx);
        if (rc == SR_OK)
                rc = sr_user_insert_tx(app, tx, acct, user_id, user, pw_hash, pw_must_change);
        if (rc == SR_OK)
                rc = seal_account(app, client, in, acct, user_id, &row);
        if (rc == SR_OK)
                rc = sr_store_account_insert(tx, &row);
        if (rc == SR_OK)
                rc = grant_tx(tx, acct->id, user_id, role);
        struct sr_audit_event ev = {user_id, "user", "createAccount", "account", acct->id,
                                    "success", client->ip_prefix, client->request_id};
        if (rc == SR_OK)
                rc = sr_audit_append(app->audit, tx, acct->id, &ev);
        ev.action = "grantRole";
        ev.actor_type = "system";
        ev.actor_id = NULL;
        ev.target_type = "user";
        ev.target_id = user_id;
        if (rc == SR_OK)
                rc = sr_audit_append(app->audit, tx, acct->id, &ev);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        sr_account_row_fini(&row);
        return rc;
}

static enum sr_rc
create_account(struct sr_app *app, const struct sr_client *client, const struct sr_signup *in,
               const struct sr_user_input *user, const char *pw_hash, bool pw_must_change,
               const char *role, struct sr_signup_result *ret)
{
        struct sr_dir_account d;
        memset(&d, 0, sizeof(d));
        sr_id_new(d.id);
        d.region = in->region;
        d.created_at = sr_clock_now();
        /* Pending until the region transaction commits: a crash between
         * the two files leaves a row that start-up recovery completes or
         * removes (sr_account_recover), never a half-made account. */
        snprintf(d.state, sizeof(d.state), "pending");
        enum sr_rc rc = reserve_slug(app, in, &d);
        if (rc != SR_OK)
                return rc;
        struct sr_account_ref acct;
        memcpy(acct.id, d.id, sizeof(acct.id));
        acct.region = d.region;
        char user_id[SR_ID_LEN + 1];
        sr_id_new(user_id);
        rc = create_in_region(app, client, in, &acct, user_id, user, pw_hash, pw_must_change, role);
        if (rc != SR_OK) {
                /* Release the slug; the keys of a half-made account are
                 * unreachable and dropped with it. */
                sr_rc_ignore(sr_store_dir_delete(app->st, d.id));
                return rc;
        }
        rc = sr_store_dir_set_state(app->st, d.id, "active");
        if (rc != SR_OK)
                return rc; /* recovery activates it at the next start */
        memcpy(ret->account_id, d.id, sizeof(ret->account_id));
        memcpy(ret->slug, d.slug, sizeof(ret->slug));
        memcpy(ret->user_id, user_id, sizeof(ret->user_id));
        ret->region = d.region;
        return SR_OK;
}

enum sr_rc
sr_account_signup(struct sr_app *app, const struct sr_client *client, const struct sr_signup *in,
                  struct sr_signup_result *ret)
{
        if (!app->cfg->signup_open)
                return SR_E_FORBIDDEN;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *pw = NULL;
        SR_CLEANUP(sr_freep) char *email = NULL;
        SR_CLEANUP(sr_freep) char *phone = NULL;
        enum sr_rc rc = sr_norm_email(in->email, &email);
        if (rc == SR_OK && in->phone != NULL)
                rc = sr_norm_phone(in->phone, &phone);
        if (rc == SR_OK)
                rc = sr_norm_password(in->password, in->password_len, &pw);
        if (rc == SR_OK)
                rc = sr_password_check(&sr_password_policy_nist, false, pw, NULL);
        if (rc == SR_OK)
                rc = signup_rate_check(app, client);
        char hash[SR_PWHASH_STR_BYTES];
        if (rc == SR_OK)
                rc = sr_pwhash_hash(pw, hash);
        if (rc != SR_OK)
                return rc;
        struct sr_user_input user = {.username = "manager", .email = in->email, .phone = in->phone,
                                     .name = in->name};
        /* The first user chose this password: no forced change. */
        return create_account(app, client, in, &user, hash, false, "account_manager", ret);
}

enum sr_rc
sr_account_bootstrap(struct sr_app *app, enum sr_region region, char ret_user_id[SR_ID_LEN + 1],
                     struct sr_secret **ret_otp)
{
        SR_CLEANUP(sr_secret_freep) struct sr_secret *otp = NULL;
        char hash[SR_PWHASH_STR_BYTES];
        enum sr_rc rc = sr_token_new(&otp);
        if (rc == SR_OK)
                rc = sr_pwhash_hash(otp, hash);
        if (rc != SR_OK)
                return rc;
        struct sr_signup in = {.company = "Platform", .country = "ZZ", .region = region,
                               .slug = "platform"};
        struct sr_client client = {.ip = "127.0.0.1", .ip_prefix = "127.0.0.0/24",
                                   .user_agent = "strongroom init"};
        struct sr_user_input user = {.username = "operator"};
        struct sr_dir_account d;
        memset(&d, 0, sizeof(d));
        struct sr_signup_result res;
        /* reserve_slug refuses "platform" for customers; insert it here. */
        sr_id_new(d.id);
        d.region = region;
        d.created_at = sr_clock_now();
        snprintf(d.state, sizeof(d.state), "pending");
        snprintf(d.slug, sizeof(d.slug), "platform");
        rc = sr_store_dir_insert(app->st, &d);
        if (rc != SR_OK)
                return rc;
        struct sr_account_ref acct;
        memcpy(acct.id, d.id, sizeof(acct.id));
        acct.region = region;
        sr_id_new(res.user_id);
        rc = create_in_region(app, &client, &in, &acct, res.user_id, &user, hash, true,
                              "platform_operator");
        if (rc != SR_OK) {
                sr_rc_ignore(sr_store_dir_delete(app->st, d.id)); /* init is re-runnable */
                return rc;
        }
        rc = sr_store_dir_set_state(app->st, d.id, "active");
        if (rc != SR_OK)
                return rc;
        memcpy(app->platform_account_id, d.id, sizeof(app->platform_account_id));
        memcpy(ret_user_id, res.user_id, SR_ID_LEN + 1);
        *ret_otp = SR_TAKE(otp);
        return SR_OK;
}

enum sr_rc
sr_account_settings_get(struct sr_app *app, const struct sr_account_ref *acct,
                        struct sr_account_settings *ret)
{
        struct sr_account_row row;
        enum sr_rc rc = sr_store_account_get(app->st, acct->region, acct->id, &row);
        if (rc != SR_OK)
                return rc;
        struct sr_signin_settings ss;
        int64_t idle = row.idle_timeout_s, life = row.max_lifetime_s;
        sr_account_row_fini(&row);
        rc = sr_store_signin_settings_get(app->st, acct->region, acct->id, &ss);
        if (rc != SR_OK)
                return rc;
        ret->idle_timeout_s = idle;
        ret->max_lifetime_s = life;
        ret->lockout_threshold = ss.lockout_threshold;
        ret->lockout_period_s = ss.lockout_period_s;
        ret->require_second_factor = ss.require_second_factor;
        return SR_OK;
}

enum sr_rc
sr_account_settings_update(struct sr_app *app, const struct sr_client *client,
                           const struct sr_actor *actor, const struct sr_account_ref *acct,
                           const struct sr_account_settings *in, struct sr_account_settings *ret)
{
        struct sr_account_settings cur;
        enum sr_rc rc = sr_account_settings_get(app, acct, &cur);
        if (rc != SR_OK)
                return rc;
        if (in->idle_timeout_s >= 0)
                cur.idle_timeout_s = in->idle_timeout_s;
        if (in->max_lifetime_s >= 0)
                cur.max_lifetime_s = in->max_lifetime_s;
        if (in->lockout_threshold >= 0)
                cur.lockout_threshold = in->lockout_threshold;
        if (in->lockout_period_s >= 0)
                cur.lockout_period_s = in->lockout_period_s;
        if (in->require_second_factor >= 0)
                cur.require_second_factor = in->require_second_factor != 0;
        if (cur.idle_timeout_s < 60 || cur.idle_timeout_s > 86400 || cur.max_lifetime_s < 300 ||
            cur.max_lifetime_s > 2592000 || cur.idle_timeout_s > cur.max_lifetime_s)
                return SR_E_VALIDATION;
        /* AUTH-3 ranges; the API checks them first, this keeps every
         * caller honest. */
        if (cur.lockout_threshold < 1 || cur.lockout_threshold > 20 ||
            cur.lockout_period_s < 60 || cur.lockout_period_s > 86400)
                return SR_E_VALIDATION;
        struct sr_signin_settings ss = {cur.lockout_threshold, cur.lockout_period_s,
                                        cur.require_second_factor != 0};
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        rc = sr_store_begin(app->st, acct->region, &tx);
        if (rc == SR_OK)
                rc = sr_store_account_set_session_limits(tx, acct->id, cur.idle_timeout_s,
                                                         cur.max_lifetime_s);
        if (rc == SR_OK)
                rc = sr_store_signin_settings_set_tx(tx, acct->id, &ss);
        struct sr_audit_event ev = {sr_actor_id(actor), sr_actor_type(app, actor),
                                    "updateAccountSettings", "account", acct->id, "success",
                                    client->ip_prefix, client->request_id};
        if (rc == SR_OK)
                rc = sr_audit_append(app->audit, tx, acct->id, &ev);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        if (rc != SR_OK)
                return rc;
        sr_session_account_changed(app, acct->id);
        *ret = cur;
        return SR_OK;
}

void
sr_account_view_fini(struct sr_account_view *v)
{
        sr_free(v->company);
        sr_free(v->signup_ip);
        sr_free(v->signup_browser);
        sr_free(v->signup_os);
        v->company = v->signup_ip = v->signup_browser = v->signup_os = NULL;
}

enum sr_rc
sr_account_get(struct sr_app *app, const struct sr_actor *actor, const struct sr_account_ref *acct,
               struct sr_account_view *ret)
{
        struct sr_dir_account d;
        struct sr_account_row row;
        enum sr_rc rc = sr_store_dir_find(app->st, acct->id, &d);
        if (rc != SR_OK)
                return rc;
        rc = sr_store_account_get(app->st, acct->region, acct->id, &row);
        if (rc != SR_OK)
                return rc;
        struct sr_account_view v;
        memset(&v, 0, sizeof(v));
        memcpy(v.id, d.id, sizeof(v.id));
        memcpy(v.slug, d.slug, sizeof(v.slug));
        memcpy(v.state, d.state, sizeof(v.state));
        memcpy(v.country, row.country, sizeof(v.country));
        memcpy(v.signup_ip_prefix, row.signup_ip_prefix, sizeof(v.signup_ip_prefix));
        v.region = d.region;
        v.created_at = row.created_at;
        struct sr_scope scope = {acct->id, NULL};
        v.personal_data_withheld = sr_authz_require(actor, SR_ACT_USERS_PII_READ, &scope) != SR_OK;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *akey = NULL;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *ukey = NULL;
        struct sr_field f = {acct->id, "accounts", "company", acct->id};
        rc = sr_vault_key(app->vault, acct->region, acct->id, NULL, &akey);
        if (rc == SR_OK)
                rc = sr_vault_open(akey, &f, &row.company_ct, &v.company);
        if (rc == SR_OK && !v.personal_data_withheld) {
                /* The signer-up may have been erased: then there is no key
                 * and the sign-up facts are gone with them (PRIV-3). */
                if (sr_vault_key(app->vault, acct->region, acct->id, row.signup_user_id, &ukey) ==
                    SR_OK) {
                        f.column = "signup_ip";
                        rc = sr_vault_open(ukey, &f, &row.signup_ip_ct, &v.signup_ip);
                        f.column = "signup_browser";
                        if (rc == SR_OK)
                                rc = sr_vault_open(ukey, &f, &row.signup_browser_ct,
                                                   &v.signup_browser);
                        f.column = "signup_os";
                        if (rc == SR_OK)
                                rc = sr_vault_open(ukey, &f, &row.signup_os_ct, &v.signup_os);
                }
        }
        sr_account_row_fini(&row);
        if (rc != SR_OK) {
                sr_account_view_fini(&v);
                return rc;
        }
        *ret = v;
        return SR_OK;
}

/* A sign-up on another node sharing the store is pending for a moment;
 * only rows older than this are left-overs of a crash. */
#define PENDING_GRACE_S 300

static enum sr_rc
recover_one(const struct sr_dir_account *d, void *arg)
{
        struct sr_app *app = arg;
        if (strcmp(d->state, "pending") != 0)
                return SR_OK;
        if (sr_store_shared(app->st) && sr_clock_now() - d->created_at < PENDING_GRACE_S)
                return SR_OK;
        struct sr_account_row row;
        enum sr_rc rc = sr_store_account_get(app->st, d->region, d->id, &row);
        if (rc == SR_OK) {
                /* The region half committed: finish the sign-up. */
                sr_account_row_fini(&row);
                return sr_store_dir_set_state(app->st, d->id, "active");
        }
        if (rc != SR_E_NOT_FOUND)
                return rc;
        /* It never did: drop the keys made for it, then the slug. */
        rc = sr_store_key_shred_account(app->st, d->region, d->id);
        if (rc == SR_OK)
                rc = sr_store_dir_delete(app->st, d->id);
        return rc;
}

enum sr_rc
sr_account_recover(struct sr_app *app)
{
        return sr_store_dir_each_pending(app->st, recover_one, app);
}
