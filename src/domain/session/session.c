/* Sessions: the in-memory session check, revocation by epoch, password
 * change (AUTH-4, AUTH-5, AUTH-7, ACC-3, ACC-5, ACC-6). Password sign-in
 * and the second factor live in signin.c.
 *
 * Three maps keep the hot path off the database:
 *   sessions: token hash → entry (ids, epoch, times)
 *   users:    user id → epoch, state, must-change flag, roles, has TOTP
 *   accounts: account id → idle timeout, lifetime, blocked, sign-in policy
 * A miss loads from the store; a change drops the cached entry after its
 * transaction commits, so the next request sees the new truth. */
#include "domain/session/session.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "crypto/pwhash.h"
#include "crypto/token.h"
#include "domain/cluster/cluster.h"
#include "domain/identity/normalize.h"
#include "domain/identity/policy.h"
#include "domain/identity/users.h"
#include "domain/session/lockout.h"
#include "domain/session/signin.h"
#include "store/signin.h"
#include "store/reset.h"
#include "util/alloc.h"
#include "util/clock.h"

#define PERSIST_EVERY_S 30

struct session_entry {
        char session_id[SR_ID_LEN + 1];
        char account_id[SR_ID_LEN + 1];
        char user_id[SR_ID_LEN + 1];
        enum sr_region region;
        int64_t epoch;
        int64_t created_at, expires_at, last_seen_at, persisted_at;
        uint64_t loaded_ms; /* when read from the store (sr_cluster_fresh) */
};

struct user_entry {
        char account_id[SR_ID_LEN + 1];
        int64_t epoch;
        bool blocked, pw_must_change;
        bool has_totp; /* AUTH-8: a confirmed TOTP enrolment */
        size_t n_roles;
        struct sr_role_binding roles[SR_ACTOR_MAX_ROLES];
        uint64_t loaded_ms;
};

enum sr_rc
sr_session_state_init(struct sr_app *app)
{
        enum sr_rc rc = sr_hmap_new(SR_TOKEN_HASH_BYTES, sizeof(struct session_entry), 1 << 16,
                                    &app->sessions);
        if (rc == SR_OK)
                rc = sr_hmap_new(SR_ID_LEN, sizeof(struct user_entry), 1 << 14, &app->users);
        if (rc == SR_OK)
                rc = sr_hmap_new(SR_ID_LEN, sizeof(struct sr_account_facts), 1 << 10,
                                 &app->accounts);
        if (rc == SR_OK)
                rc = sr_hmap_new(64, 2 * sizeof(int64_t), 1 << 10, &app->signup_rate);
        if (rc == SR_OK)
                rc = sr_hmap_new(64, sizeof(struct sr_bucket), 1 << 10, &app->signin_buckets);
        return rc;
}

void
sr_session_issued_fini(struct sr_session_issued *s)
{
        sr_secret_free(s->token);
        sr_secret_free(s->challenge);
        sr_secret_free(s->device_cookie);
        s->token = s->challenge = s->device_cookie = NULL;
}

size_t
sr_session_count(struct sr_app *app)
{
        return sr_hmap_count(app->sessions);
}

static enum sr_rc
account_limits(struct sr_app *app, enum sr_region r, const char *account_id,
               struct sr_account_facts *ret)
{
        if (sr_hmap_get(app->accounts, account_id, ret) && sr_cluster_fresh(app, ret->loaded_ms))
                return SR_OK;
        uint64_t gen = sr_cluster_gen(app);
        struct sr_account_row row;
        enum sr_rc rc = sr_store_account_get(app->st, r, account_id, &row);
        if (rc != SR_OK)
                return rc;
        struct sr_account_facts f;
        memset(&f, 0, sizeof(f));
        f.idle_timeout_s = row.idle_timeout_s;
        f.max_lifetime_s = row.max_lifetime_s;
        sr_account_row_fini(&row);
        struct sr_signin_settings ss;
        struct sr_dir_account d;
        rc = sr_store_signin_settings_get(app->st, r, account_id, &ss);
        if (rc == SR_OK)
                rc = sr_store_dir_find(app->st, account_id, &d);
        if (rc != SR_OK)
                return rc;
        f.lockout_threshold = ss.lockout_threshold;
        f.lockout_period_s = ss.lockout_period_s;
        f.require_second_factor = ss.require_second_factor;
        f.blocked = strcmp(d.state, "active") != 0; /* ACC-6 */
        f.loaded_ms = sr_clock_mono_ms();
        rc = sr_cluster_cache_put(app, app->accounts, account_id, &f, gen);
        if (rc == SR_OK)
                *ret = f;
        return rc;
}

enum sr_rc
sr_session_account_facts(struct sr_app *app, enum sr_region r, const char *account_id,
                         struct sr_account_facts *ret)
{
        return account_limits(app, r, account_id, ret);
}

static enum sr_rc
user_facts(struct sr_app *app, enum sr_region r, const char *account_id, const char *user_id,
           struct user_entry *ret)
{
        if (sr_hmap_get(app->users, user_id, ret) && sr_cluster_fresh(app, ret->loaded_ms))
                return strcmp(ret->account_id, account_id) == 0 ? SR_OK : SR_E_UNAUTHENTICATED;
        uint64_t gen = sr_cluster_gen(app);
        struct sr_user_row row;
        enum sr_rc rc = sr_store_user_get(app->st, r, account_id, user_id, &row);
        if (rc != SR_OK)
                return rc == SR_E_NOT_FOUND ? SR_E_UNAUTHENTICATED : rc;
        struct user_entry u;
        memset(&u, 0, sizeof(u));
        snprintf(u.account_id, sizeof(u.account_id), "%s", account_id);
        u.epoch = row.session_epoch;
        u.blocked = strcmp(row.state, "active") != 0;
        u.pw_must_change = row.pw_must_change;
        sr_user_row_fini(&row);
        struct sr_totp_row t;
        rc = sr_store_totp_get(app->st, r, account_id, user_id, &t);
        if (rc == SR_OK) {
                u.has_totp = t.confirmed;
                sr_totp_row_fini(&t);
        } else if (rc != SR_E_NOT_FOUND) {
                return rc;
        }
        struct sr_grant_row grants[SR_ACTOR_MAX_ROLES];
        size_t n = 0;
        rc = sr_store_grant_list_user(app->st, r, account_id, user_id, grants, SR_ACTOR_MAX_ROLES,
                                      &n);
        if (rc != SR_OK)
                return rc;
        for (size_t i = 0; i < n; i++) {
                if (sr_role_parse(grants[i].role, &u.roles[u.n_roles].role) != SR_OK)
                        continue;
                snprintf(u.roles[u.n_roles].channel_id, sizeof(u.roles[0].channel_id), "%s",
                         grants[i].channel_id);
                u.n_roles++;
        }
        u.loaded_ms = sr_clock_mono_ms();
        rc = sr_cluster_cache_put(app, app->users, user_id, &u, gen);
        if (rc == SR_OK)
                *ret = u;
        return rc;
}

void
sr_session_user_changed(struct sr_app *app, const char *user_id)
{
        sr_cluster_changed(app, SR_FACT_USER, user_id);
}

void
sr_session_account_changed(struct sr_app *app, const char *account_id)
{
        sr_cluster_changed(app, SR_FACT_ACCOUNT, account_id);
}

static bool
user_of_account(const void *key, void *val, void *arg)
{
        (void)key;
        const struct user_entry *u = val;
        return strcmp(u->account_id, (const char *)arg) == 0;
}

static bool
session_of_account(const void *key, void *val, void *arg)
{
        (void)key;
        const struct session_entry *e = val;
        return strcmp(e->account_id, (const char *)arg) == 0;
}

void
sr_session_account_users_changed(struct sr_app *app, const char *account_id)
{
        sr_cluster_changed(app, SR_FACT_ACCOUNT_USERS, account_id);
}

static bool
match_session(const void *key, void *val, void *arg)
{
        (void)key;
        const struct session_entry *e = val;
        return strcmp(e->session_id, (const char *)arg) == 0;
}

void
sr_session_forget(struct sr_app *app, enum sr_cluster_fact fact, const char *id)
{
        switch (fact) {
        case SR_FACT_USER:
                sr_hmap_del(app->users, id);
                break;
        case SR_FACT_ACCOUNT:
                sr_hmap_del(app->accounts, id);
                break;
        case SR_FACT_ACCOUNT_USERS:
                sr_hmap_sweep(app->users, user_of_account, (void *)id);
                sr_hmap_sweep(app->sessions, session_of_account, (void *)id);
                break;
        case SR_FACT_SESSION:
                sr_hmap_sweep(app->sessions, match_session, (void *)id);
                break;
        case SR_FACT_ALLOWLIST:
        case SR_FACT_HEARTBEAT:
                break;
        }
}

void
sr_session_forget_all(struct sr_app *app)
{
        sr_hmap_clear(app->users);
        sr_hmap_clear(app->accounts);
        sr_hmap_clear(app->sessions);
}

/* Builds "<REGION>.<token>" and its hash. */
static enum sr_rc
new_token(enum sr_region r, struct sr_secret **ret_text, unsigned char ret_hash[32])
{
        SR_CLEANUP(sr_secret_freep) struct sr_secret *raw = NULL;
        enum sr_rc rc = sr_token_new(&raw);
        if (rc != SR_OK)
                return rc;
        char buf[SR_SESSION_TOKEN_MAX];
        int n = snprintf(buf, sizeof(buf), "%s.%s", sr_region_name(r), (const char *)raw->bytes);
        rc = sr_secret_new(buf, (size_t)n, ret_text);
        sodium_memzero(buf, sizeof(buf));
        if (rc == SR_OK)
                sr_token_hash((*ret_text)->bytes, (*ret_text)->len, ret_hash);
        return rc;
}

/* Inserts a session row (in tx) and caches it. */
enum sr_rc
sr_session_issue_tx(struct sr_app *app, struct sr_tx *tx, const struct sr_client *client,
                    const struct sr_account_ref *acct, const char *user_id, int64_t epoch,
                    bool must_change, struct sr_session_issued *ret)
{
        struct sr_account_facts lim;
        enum sr_rc rc = account_limits(app, acct->region, acct->id, &lim);
        if (rc != SR_OK)
                return rc;
        struct sr_session_row row;
        memset(&row, 0, sizeof(row));
        struct sr_secret *token = NULL;
        rc = new_token(acct->region, &token, row.token_hash);
        if (rc != SR_OK)
                return rc;
        sr_id_new(row.id);
        snprintf(row.account_id, sizeof(row.account_id), "%s", acct->id);
        snprintf(row.user_id, sizeof(row.user_id), "%s", user_id);
        snprintf(row.ip_prefix, sizeof(row.ip_prefix), "%s", client->ip_prefix);
        row.epoch = epoch;
        row.created_at = row.last_seen_at = sr_clock_now();
        row.expires_at = row.created_at + lim.max_lifetime_s;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *key = NULL;
        rc = sr_vault_key(app->vault, acct->region, acct->id, user_id, &key);
        struct sr_field fip = {acct->id, "sessions", "ip", row.id};
        struct sr_field fua = {acct->id, "sessions", "user_agent", row.id};
        if (rc == SR_OK)
                rc = sr_vault_seal(key, &fip, client->ip, strlen(client->ip), &row.ip_ct);
        if (rc == SR_OK && client->user_agent != NULL)
                rc = sr_vault_seal(key, &fua, client->user_agent, strlen(client->user_agent),
                                   &row.ua_ct);
        if (rc == SR_OK)
                rc = sr_store_session_insert(tx, &row);
        if (rc == SR_OK) {
                struct session_entry e = {.region = acct->region,
                                          .epoch = epoch,
                                          .created_at = row.created_at,
                                          .expires_at = row.expires_at,
                                          .last_seen_at = row.last_seen_at,
                                          .persisted_at = row.last_seen_at,
                                          .loaded_ms = sr_clock_mono_ms()};
                memcpy(e.session_id, row.id, sizeof(e.session_id));
                memcpy(e.account_id, row.account_id, sizeof(e.account_id));
                memcpy(e.user_id, row.user_id, sizeof(e.user_id));
                rc = sr_hmap_put(app->sessions, row.token_hash, &e);
        }
        if (rc == SR_OK) {
                memcpy(ret->session_id, row.id, sizeof(ret->session_id));
                ret->token = token;
                token = NULL;
                ret->expires_at = row.expires_at;
                ret->idle_expires_at = row.created_at + lim.idle_timeout_s;
                if (ret->idle_expires_at > ret->expires_at)
                        ret->idle_expires_at = ret->expires_at;
                ret->pw_change_required = must_change;
        }
        sr_secret_free(token);
        sr_session_row_fini(&row);
        return rc;
}

/* Loads a session missing from memory (after a restart). */
static enum sr_rc
load_session(struct sr_app *app, const char *token, size_t len, const unsigned char hash[32],
             struct session_entry *ret)
{
        const char *dot = memchr(token, '.', len);
        if (dot == NULL || dot - token != 2)
                return SR_E_UNAUTHENTICATED;
        char region_name[3] = {token[0], token[1], 0};
        enum sr_region r;
        if (sr_region_parse(region_name, &r) != SR_OK)
                return SR_E_UNAUTHENTICATED;
        uint64_t gen = sr_cluster_gen(app);
        struct sr_session_row row;
        enum sr_rc rc = sr_store_session_find(app->st, r, hash, &row);
        if (rc != SR_OK)
                return rc == SR_E_NOT_FOUND ? SR_E_UNAUTHENTICATED : rc;
        struct session_entry e = {.region = r,
                                  .epoch = row.epoch,
                                  .created_at = row.created_at,
                                  .expires_at = row.expires_at,
                                  .last_seen_at = row.last_seen_at,
                                  .persisted_at = row.last_seen_at,
                                  .loaded_ms = sr_clock_mono_ms()};
        memcpy(e.session_id, row.id, sizeof(e.session_id));
        memcpy(e.account_id, row.account_id, sizeof(e.account_id));
        memcpy(e.user_id, row.user_id, sizeof(e.user_id));
        sr_session_row_fini(&row);
        rc = sr_cluster_cache_put(app, app->sessions, hash, &e, gen);
        if (rc == SR_OK)
                *ret = e;
        return rc;
}

static void touch(void *val, void *arg);

/* The store's copy of a cached session: another node may have ended it or
 * served it since. The later last-seen of the two wins. */
static enum sr_rc
reload_session(struct sr_app *app, const char *token, size_t len, const unsigned char hash[32],
               struct session_entry *e)
{
        int64_t seen_here = e->last_seen_at;
        sr_hmap_del(app->sessions, hash);
        enum sr_rc rc = load_session(app, token, len, hash, e);
        if (rc == SR_OK && seen_here > e->last_seen_at) {
                e->last_seen_at = seen_here;
                sr_hmap_update(app->sessions, hash, touch, &seen_here);
        }
        return rc;
}

static void
touch(void *val, void *arg)
{
        struct session_entry *e = val;
        int64_t now = *(const int64_t *)arg;
        if (now > e->last_seen_at)
                e->last_seen_at = now;
}

enum sr_rc
sr_session_authenticate(struct sr_app *app, const char *token, size_t len,
                        struct sr_actor *ret_actor, struct sr_session_info *ret_info)
{
        if (len == 0 || len > SR_SESSION_TOKEN_MAX)
                return SR_E_UNAUTHENTICATED;
        unsigned char hash[SR_TOKEN_HASH_BYTES];
        sr_token_hash(token, len, hash);
        struct session_entry e;
        enum sr_rc rc = SR_OK;
        bool cached = sr_hmap_get(app->sessions, hash, &e);
        if (!cached)
                rc = load_session(app, token, len, hash, &e);
        else if (!sr_cluster_fresh(app, e.loaded_ms))
                rc = reload_session(app, token, len, hash, &e);
        if (rc != SR_OK)
                return rc;
        struct sr_account_facts lim;
        struct user_entry u;
        rc = account_limits(app, e.region, e.account_id, &lim);
        if (rc == SR_OK)
                rc = user_facts(app, e.region, e.account_id, e.user_id, &u);
        if (rc != SR_OK)
                return rc == SR_E_NOT_FOUND ? SR_E_UNAUTHENTICATED : rc;
        int64_t now = sr_clock_now();
        if (cached && now - e.last_seen_at >= lim.idle_timeout_s) {
                /* Idle here, but another node sharing the store may have
                 * served it since: it writes last-seen back at least every
                 * PERSIST_EVERY_S, so the stored value decides. */
                rc = reload_session(app, token, len, hash, &e);
                if (rc != SR_OK)
                        return rc;
        }
        /* AUTH-7: absolute lifetime (also under a lowered setting) and idle
         * timeout. ACC-3: a bumped epoch or a block ends the session. */
        int64_t hard_end = e.created_at + lim.max_lifetime_s;
        if (e.expires_at < hard_end)
                hard_end = e.expires_at;
        if (now >= hard_end || now - e.last_seen_at >= lim.idle_timeout_s ||
            e.epoch != u.epoch || u.blocked || lim.blocked) {
                sr_hmap_del(app->sessions, hash);
                return SR_E_UNAUTHENTICATED;
        }
        sr_hmap_update(app->sessions, hash, touch, &now);

        memset(ret_actor, 0, sizeof(*ret_actor));
        memcpy(ret_actor->user_id, e.user_id, sizeof(ret_actor->user_id));
        memcpy(ret_actor->account_id, e.account_id, sizeof(ret_actor->account_id));
        memcpy(ret_actor->session_id, e.session_id, sizeof(ret_actor->session_id));
        ret_actor->region = e.region;
        ret_actor->is_platform = strcmp(e.account_id, app->platform_account_id) == 0;
        ret_actor->pw_change_required = u.pw_must_change;
        ret_actor->n_roles = u.n_roles;
        memcpy(ret_actor->roles, u.roles, sizeof(u.roles));
        /* AUTH-8: such a session can only enrol a second factor. */
        ret_actor->second_factor_setup_required = lim.require_second_factor && !u.has_totp;
        if (ret_info != NULL) {
                memcpy(ret_info->session_id, e.session_id, sizeof(ret_info->session_id));
                memcpy(ret_info->user_id, e.user_id, sizeof(ret_info->user_id));
                memcpy(ret_info->account_id, e.account_id, sizeof(ret_info->account_id));
                ret_info->created_at = e.created_at;
                ret_info->expires_at = hard_end;
                ret_info->idle_expires_at = now + lim.idle_timeout_s < hard_end
                                                    ? now + lim.idle_timeout_s
                                                    : hard_end;
                ret_info->pw_change_required = u.pw_must_change;
        }
        return SR_OK;
}

enum sr_rc
sr_session_end(struct sr_app *app, const struct sr_client *client, const struct sr_actor *actor)
{
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        enum sr_rc rc = sr_store_begin(app->st, actor->region, &tx);
        if (rc == SR_OK)
                rc = sr_store_session_delete(tx, actor->account_id, actor->session_id);
        struct sr_audit_event ev = {sr_actor_id(actor), sr_actor_type(app, actor), "deleteSession",
                                    "session", actor->session_id, "success", client->ip_prefix,
                                    client->request_id};
        if (rc == SR_OK)
                rc = sr_audit_append(app->audit, tx, actor->account_id, &ev);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        if (rc == SR_OK)
                sr_cluster_changed(app, SR_FACT_SESSION, actor->session_id);
        return rc;
}

enum sr_rc
sr_session_revoke_user_tx(struct sr_tx *tx, const char *account_id, const char *user_id,
                          const char *keep_session_id)
{
        int64_t epoch = 0;
        enum sr_rc rc = sr_store_user_bump_epoch(tx, account_id, user_id, &epoch);
        if (rc == SR_OK)
                rc = sr_store_session_delete_user(tx, account_id, user_id, keep_session_id);
        return rc;
}

enum sr_rc
sr_session_change_password(struct sr_app *app, const struct sr_client *client,
                           const struct sr_actor *actor, const char *current, size_t current_len,
                           const char *next, size_t next_len, struct sr_session_issued *ret,
                           const char **ret_reason)
{
        SR_CLEANUP(sr_secret_freep) struct sr_secret *cur = NULL;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *neu = NULL;
        struct sr_user_row row;
        enum sr_rc rc = sr_store_user_get(app->st, actor->region, actor->account_id,
                                          actor->user_id, &row);
        if (rc != SR_OK)
                return rc == SR_E_NOT_FOUND ? SR_E_UNAUTHENTICATED : rc;
        struct sr_account_ref acct = {.region = actor->region};
        snprintf(acct.id, sizeof(acct.id), "%s", actor->account_id);
        /* AUTH-3: a wrong current password counts toward the lockout, as at
         * sign-in, so a stolen session cannot guess through this route. */
        rc = sr_signin_check_password(app, client, &acct, actor->user_id, current, current_len,
                                      "changePassword");
        if (rc == SR_OK)
                rc = sr_norm_password(current, current_len, &cur);
        if (rc == SR_OK)
                rc = sr_norm_password(next, next_len, &neu);
        if (rc == SR_OK && sr_secret_equal(cur, neu)) {
                rc = SR_E_PASSWORD_POLICY;
                if (ret_reason != NULL)
                        *ret_reason = "reused";
        }
        /* AUTH-2: the account's profile and the user's password history. */
        char hash[SR_PWHASH_STR_BYTES];
        if (rc == SR_OK)
                rc = sr_password_prepare(app, &acct, &row, neu, hash, ret_reason);
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        if (rc == SR_OK)
                rc = sr_store_begin(app->st, actor->region, &tx);
        if (rc == SR_OK)
                rc = sr_password_history_push_tx(app, tx, &acct, actor->user_id, row.pw_hash);
        if (rc == SR_OK) {
                snprintf(row.pw_hash, sizeof(row.pw_hash), "%s", hash);
                row.pw_must_change = false;
                row.pw_changed_at = row.updated_at = sr_clock_now();
                rc = sr_store_user_update(tx, &row);
        }
        /* Every session, this one included, ends; the caller gets a fresh
         * token (a new token after a password change). */
        if (rc == SR_OK)
                rc = sr_session_revoke_user_tx(tx, actor->account_id, actor->user_id, NULL);
        /* AUTH-6: reset links mailed before this change are spent too. */
        if (rc == SR_OK)
                rc = sr_store_reset_use_all(tx, actor->account_id, actor->user_id,
                                            sr_clock_now());
        int64_t epoch = row.session_epoch + 1;
        if (rc == SR_OK)
                rc = sr_session_issue_tx(app, tx, client, &acct, actor->user_id, epoch, false,
                                         ret);
        struct sr_audit_event ev = {sr_actor_id(actor), sr_actor_type(app, actor), "changePassword",
                                    "user", actor->user_id, rc == SR_OK ? "success" : "failure",
                                    client->ip_prefix, client->request_id};
        if (rc == SR_OK)
                rc = sr_audit_append(app->audit, tx, actor->account_id, &ev);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        sr_user_row_fini(&row);
        if (rc != SR_OK) {
                sr_session_issued_fini(ret);
                return rc;
        }
        sr_session_user_changed(app, actor->user_id);
        return SR_OK;
}

void
sr_session_csrf_token(struct sr_app *app, const struct sr_actor *actor,
                      char out[SR_CSRF_TOKEN_CHARS + 1])
{
        unsigned char mac[crypto_auth_hmacsha256_BYTES];
        crypto_auth_hmacsha256_state h;
        crypto_auth_hmacsha256_init(&h, app->csrf_key->bytes, app->csrf_key->len);
        crypto_auth_hmacsha256_update(&h, (const unsigned char *)actor->session_id,
                                      strlen(actor->session_id));
        crypto_auth_hmacsha256_final(&h, mac);
        sodium_bin2base64(out, SR_CSRF_TOKEN_CHARS + 1, mac, sizeof(mac),
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool
sr_session_csrf_ok(struct sr_app *app, const struct sr_actor *actor, const char *header)
{
        if (header == NULL || strlen(header) != SR_CSRF_TOKEN_CHARS)
                return false;
        char want[SR_CSRF_TOKEN_CHARS + 1];
        sr_session_csrf_token(app, actor, want);
        return sodium_memcmp(want, header, SR_CSRF_TOKEN_CHARS) == 0;
}

struct sweep_ctx {
        struct sr_app *app;
        int64_t now;
        size_t n_dirty;
        struct session_entry dirty[256];
};

static bool
sweep_one(const void *key, void *val, void *arg)
{
        (void)key;
        struct sweep_ctx *c = arg;
        struct session_entry *e = val;
        if (c->now >= e->expires_at)
                return true;
        if (e->last_seen_at > e->persisted_at + PERSIST_EVERY_S &&
            c->n_dirty < sizeof(c->dirty) / sizeof(c->dirty[0])) {
                c->dirty[c->n_dirty++] = *e;
                e->persisted_at = e->last_seen_at;
        }
        return false;
}

/* One transaction per region for a batch of last-seen times: one fsync,
 * not one per session. Best effort: a lost write only makes the idle
 * timeout stricter (after a restart, or on another node). */
static void
write_back(struct sr_app *app, const struct sweep_ctx *c)
{
        for (unsigned r = 0; r < SR_REGION__COUNT; r++) {
                struct sr_tx *tx = NULL;
                enum sr_rc rc = SR_OK;
                for (size_t i = 0; rc == SR_OK && i < c->n_dirty; i++) {
                        const struct session_entry *e = &c->dirty[i];
                        if (e->region != (enum sr_region)r)
                                continue;
                        if (tx == NULL)
                                rc = sr_store_begin(app->st, e->region, &tx);
                        if (rc == SR_OK)
                                rc = sr_store_session_touch(tx, e->account_id, e->session_id,
                                                            e->last_seen_at);
                }
                if (rc == SR_OK && tx != NULL)
                        sr_rc_ignore(sr_store_commit(tx));
                sr_store_tx_free(tx);
        }
}

void
sr_session_sweep(struct sr_app *app)
{
        struct sweep_ctx *c = sr_calloc(1, sizeof(*c));
        if (c == NULL)
                return;
        c->app = app;
        c->now = sr_clock_now();
        /* Every dirty session each sweep, a batch at a time: other nodes
         * read these times to judge idleness (sr_session_authenticate). */
        do {
                c->n_dirty = 0;
                sr_hmap_sweep(app->sessions, sweep_one, c);
                write_back(app, c);
        } while (c->n_dirty == sizeof(c->dirty) / sizeof(c->dirty[0]));
        sr_signin_sweep(app);
        sr_free(c);
}

enum sr_rc
sr_session_user_actor(struct sr_app *app, enum sr_region region, const char *account_id,
                      const char *user_id, struct sr_actor *ret)
{
        if (region == SR_REGION__COUNT) {
                struct sr_account_ref acct;
                enum sr_rc rc = sr_account_resolve(app, account_id, &acct);
                if (rc != SR_OK)
                        return SR_E_UNAUTHENTICATED;
                region = acct.region;
        }
        struct user_entry u;
        struct sr_account_facts lim;
        enum sr_rc rc = user_facts(app, region, account_id, user_id, &u);
        if (rc == SR_OK)
                rc = account_limits(app, region, account_id, &lim);
        if (rc != SR_OK)
                return rc == SR_E_NOT_FOUND ? SR_E_UNAUTHENTICATED : rc;
        if (u.blocked || lim.blocked) /* ACC-6: a blocked account suspends its keys */
                return SR_E_UNAUTHENTICATED;
        memset(ret, 0, sizeof(*ret));
        snprintf(ret->user_id, sizeof(ret->user_id), "%s", user_id);
        snprintf(ret->account_id, sizeof(ret->account_id), "%s", account_id);
        ret->region = region;
        ret->is_platform = strcmp(account_id, app->platform_account_id) == 0;
        ret->pw_change_required = u.pw_must_change;
        ret->n_roles = u.n_roles;
        memcpy(ret->roles, u.roles, sizeof(u.roles));
        return SR_OK;
}
