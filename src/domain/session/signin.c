/* Password sign-in and the second-factor step (AUTH-1, AUTH-3, AUTH-8,
 * ACC-6).
 *
 * Order of a password sign-in:
 *   1. (handler) the per-address bucket: 429 before any other work;
 *   2. account and user look-up; a blocked account or user is "no user";
 *   3. AUTH-3: the attempt is RESERVED in a write transaction before the
 *      password is checked (lockout.c decides): on the user, or on the
 *      browser's known device when it carries a device cookie of that
 *      user, so strangers cannot lock the user out. A locked target is
 *      refused without counting;
 *   4. exactly one argon2id run, whatever happened before;
 *   5. success: the count is reset, the device remembered, a session
 *      issued — or, with TOTP, the attempt is given back and a challenge
 *      (hash stored, 5 minutes, 5 tries, single use) is answered instead.
 *      Failure: audited; the failure that reached the threshold is a
 *      lockout (audit event and e-mail notice).
 * verifySecondFactor runs the same reservation around the code check, and
 * re-authentication (sr_signin_check_password) around its password check. */
#include "domain/session/signin.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "crypto/pwhash.h"
#include "crypto/token.h"
#include "domain/access/access.h"
#include "domain/account/useragent.h"
#include "domain/identity/normalize.h"
#include "domain/identity/policy.h"
#include "domain/session/lockout.h"
#include "domain/session/mfa.h"
#include "domain/session/totp.h"
#include "store/signin.h"
#include "util/alloc.h"
#include "util/clock.h"

/* ---- per-address bucket ------------------------------------------------ */

/* IPv4 (and IPv4-mapped) addresses count alone, IPv6 per /64: one host
 * usually holds a whole /64. */
static void
bucket_key(const struct sr_client *client, char key[64])
{
        memset(key, 0, 64);
        unsigned char a[16];
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (inet_pton(AF_INET6, client->ip, a) == 1 && memcmp(a, mapped, 12) != 0) {
                memset(a + 8, 0, 8);
                char buf[INET6_ADDRSTRLEN];
                inet_ntop(AF_INET6, a, buf, sizeof(buf));
                snprintf(key, 64, "%s/64", buf);
        } else {
                snprintf(key, 64, "%s", client->ip);
        }
}

struct take_arg {
        int64_t now, burst, per_s, retry;
        bool ok;
};

static void
take(void *val, void *arg)
{
        struct take_arg *t = arg;
        t->ok = sr_bucket_take(val, t->now, t->burst, t->per_s, &t->retry);
}

enum sr_rc
sr_signin_throttle(struct sr_app *app, const struct sr_client *client,
                   int64_t *ret_retry_after_s)
{
        char key[64];
        bucket_key(client, key);
        struct take_arg t = {sr_clock_now(), app->cfg->signin_bucket_burst,
                             app->cfg->signin_bucket_per_s, 0, false};
        if (!sr_hmap_update(app->signin_buckets, key, take, &t)) {
                struct sr_bucket fresh = {t.burst * 1000, t.now};
                enum sr_rc rc = sr_hmap_put(app->signin_buckets, key, &fresh);
                if (rc != SR_OK)
                        return rc;
                if (!sr_hmap_update(app->signin_buckets, key, take, &t))
                        t.ok = true; /* swept in between: it was full */
        }
        if (t.ok)
                return SR_OK;
        *ret_retry_after_s = t.retry;
        return SR_E_RATE_LIMITED;
}

struct sweep_arg {
        int64_t now, burst, per_s;
};

static bool
bucket_idle(const void *key, void *val, void *arg)
{
        (void)key;
        const struct sweep_arg *s = arg;
        return sr_bucket_full(val, s->now, s->burst, s->per_s);
}

void
sr_signin_sweep(struct sr_app *app)
{
        struct sweep_arg s = {sr_clock_now(), app->cfg->signin_bucket_burst,
                              app->cfg->signin_bucket_per_s};
        sr_hmap_sweep(app->signin_buckets, bucket_idle, &s);
}

/* ---- reservations ------------------------------------------------------ */

/* One attempt against one user, counted on the user or on a device. */
struct attempt {
        struct sr_account_ref acct;
        char user_id[SR_ID_LEN + 1];
        bool platform;
        struct sr_lockout_policy pol;
        bool have_cookie;
        unsigned char device_hash[SR_HASH_LEN];
        bool device; /* counted on the known device, not the user */
        bool reserved, refused;
        struct sr_lockout_state after; /* what the reservation wrote */
};

static bool
device_cookie_ok(const char *c)
{
        if (c == NULL || strlen(c) != SR_TOKEN_CHARS)
                return false;
        for (const char *p = c; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
                        return false;
        return true;
}

static void
attempt_init(struct sr_app *app, struct attempt *a, const struct sr_account_ref *acct,
             const char *user_id, const struct sr_account_facts *f, const char *device_cookie)
{
        memset(a, 0, sizeof(*a));
        a->acct = *acct;
        snprintf(a->user_id, sizeof(a->user_id), "%s", user_id);
        a->platform = strcmp(acct->id, app->platform_account_id) == 0;
        a->pol.threshold = f->lockout_threshold;
        a->pol.period_s = f->lockout_period_s;
        if (device_cookie_ok(device_cookie)) {
                a->have_cookie = true;
                sr_token_hash(device_cookie, strlen(device_cookie), a->device_hash);
        }
}

static enum sr_rc
audit_tx(struct sr_app *app, struct sr_tx *tx, const struct sr_client *client,
         const struct attempt *a, const char *action, const char *target_type,
         const char *target_id, const char *outcome)
{
        struct sr_audit_event ev = {a->user_id[0] ? a->user_id : NULL,
                                    a->platform ? "operator" : "user",
                                    action,
                                    target_type,
                                    target_id,
                                    outcome,
                                    client->ip_prefix,
                                    client->request_id};
        return sr_audit_append(app->audit, tx, a->acct.id, &ev);
}

/* The lock state the attempt counts on: the device when the cookie names a
 * device known for this user (AUTH-3 exemption), else the user. */
static enum sr_rc
lock_get_tx(struct sr_tx *tx, struct attempt *a, struct sr_lockout_state *ret)
{
        struct sr_lock_row l;
        enum sr_rc rc = SR_E_NOT_FOUND;
        a->device = false;
        if (a->have_cookie) {
                rc = sr_store_device_lock_get_tx(tx, a->acct.id, a->user_id, a->device_hash, &l);
                if (rc != SR_OK && rc != SR_E_NOT_FOUND)
                        return rc;
                a->device = rc == SR_OK;
        }
        if (!a->device)
                rc = sr_store_user_lock_get_tx(tx, a->acct.id, a->user_id, &l);
        if (rc != SR_OK)
                return rc;
        ret->failed_count = l.failed_count;
        ret->locked_until = l.locked_until;
        return SR_OK;
}

static enum sr_rc
lock_set_tx(struct sr_tx *tx, const struct attempt *a, const struct sr_lockout_state *st)
{
        struct sr_lock_row l = {st->failed_count, st->locked_until};
        return a->device ? sr_store_device_lock_set_tx(tx, a->acct.id, a->user_id,
                                                       a->device_hash, &l)
                         : sr_store_user_lock_set_tx(tx, a->acct.id, a->user_id, &l);
}

/* AUTH-3: inside tx, before any secret is checked. A refused attempt is
 * audited as denied and changes no lock state. */
static enum sr_rc
reserve_tx(struct sr_app *app, struct sr_tx *tx, const struct sr_client *client,
           struct attempt *a, const char *action)
{
        struct sr_lockout_state cur;
        enum sr_rc rc = lock_get_tx(tx, a, &cur);
        if (rc != SR_OK)
                return rc;
        if (!sr_lockout_reserve(&a->pol, &cur, sr_clock_now(), &a->after)) {
                a->refused = true;
                return audit_tx(app, tx, client, a, action, "user", a->user_id, "denied");
        }
        a->reserved = true;
        return lock_set_tx(tx, a, &a->after);
}

static enum sr_rc
reserve(struct sr_app *app, const struct sr_client *client, struct attempt *a,
        const char *action)
{
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        enum sr_rc rc = sr_store_begin(app->st, a->acct.region, &tx);
        if (rc == SR_OK)
                rc = reserve_tx(app, tx, client, a, action);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        if (rc != SR_OK)
                a->reserved = a->refused = false;
        return rc;
}

/* Inside tx: the attempt is given back (first factor right, second one
 * pending; or the check itself failed for lack of memory). */
static enum sr_rc
give_back_tx(struct sr_tx *tx, struct attempt *a)
{
        struct sr_lockout_state st;
        enum sr_rc rc = lock_get_tx(tx, a, &st);
        if (rc != SR_OK)
                return rc;
        sr_lockout_release(&a->pol, &st);
        return lock_set_tx(tx, a, &st);
}

static void
give_back(struct sr_app *app, struct attempt *a)
{
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        if (sr_store_begin(app->st, a->acct.region, &tx) == SR_OK &&
            give_back_tx(tx, a) == SR_OK)
                sr_rc_ignore(sr_store_commit(tx)); /* best effort: the answer is an error */
}

enum sr_rc
sr_signin_notify_tx(struct sr_app *app, struct sr_tx *tx, const struct sr_account_ref *acct,
                    const struct sr_user_row *row, enum sr_mail_kind kind, const char *param)
{
        if (row->email_ct.p == NULL || row->email_ct.len == 0)
                return SR_OK; /* nobody to tell */
        SR_CLEANUP(sr_secret_freep) struct sr_secret *key = NULL;
        struct sr_field f = {acct->id, "users", "email", row->id};
        char *email = NULL;
        enum sr_rc rc = sr_vault_key(app->vault, acct->region, acct->id, row->id, &key);
        if (rc == SR_OK)
                rc = sr_vault_open(key, &f, &row->email_ct, &email);
        if (rc == SR_OK && email != NULL)
                rc = sr_mail_enqueue_tx(app, tx, acct->id, row->id, email, kind, param);
        if (email != NULL) {
                sodium_memzero(email, strlen(email));
                sr_free(email);
        }
        return rc;
}

/* A counted failure: audited; the one that reached the threshold is a
 * lockout, audited as such and told to the user (AUTH-3). */
static void
record_failure(struct sr_app *app, const struct sr_client *client, const struct attempt *a,
               const char *action)
{
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        enum sr_rc rc = sr_store_begin(app->st, a->acct.region, &tx);
        if (rc == SR_OK)
                rc = audit_tx(app, tx, client, a, action, "user", a->user_id, "failure");
        bool locked = a->reserved && sr_lockout_reached(&a->pol, &a->after);
        if (rc == SR_OK && locked) {
                struct sr_audit_event ev = {NULL,
                                            "system",
                                            "lockout",
                                            a->device ? "device" : "user",
                                            a->user_id,
                                            "success",
                                            client->ip_prefix,
                                            client->request_id};
                rc = sr_audit_append(app->audit, tx, a->acct.id, &ev);
        }
        if (rc == SR_OK && locked && !a->device) {
                struct sr_user_row row;
                char until[32];
                sr_clock_format(a->after.locked_until, until, sizeof(until));
                if (sr_store_user_get(app->st, a->acct.region, a->acct.id, a->user_id, &row) ==
                    SR_OK) {
                        /* The lock holds whether or not the notice can be
                         * queued; never lose the audit event over it. */
                        sr_rc_ignore(
                                sr_signin_notify_tx(app, tx, &a->acct, &row, SR_MAIL_LOCKED_OUT,
                                                    until));
                        sr_user_row_fini(&row);
                }
        }
        if (rc == SR_OK)
                sr_rc_ignore(sr_store_commit(tx)); /* best effort: the answer is 401 anyway */
}

/* An uncounted failure (unknown user, blocked user or account). */
static void
audit_plain(struct sr_app *app, const struct sr_client *client,
            const struct sr_account_ref *acct, const char *user_id, const char *action)
{
        struct attempt a;
        memset(&a, 0, sizeof(a));
        a.acct = *acct;
        if (user_id != NULL)
                snprintf(a.user_id, sizeof(a.user_id), "%s", user_id);
        a.platform = strcmp(acct->id, app->platform_account_id) == 0;
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        if (sr_store_begin(app->st, acct->region, &tx) == SR_OK &&
            audit_tx(app, tx, client, &a, action, "user", user_id, "failure") == SR_OK)
                sr_rc_ignore(sr_store_commit(tx)); /* best effort: the answer is 401 anyway */
}

/* Inside tx: a full success clears the user's count. One made on a known
 * device leaves the user's count alone: a device's success must not lift
 * a lock strangers earned. */
static enum sr_rc
reset_tx(struct sr_tx *tx, const struct attempt *a)
{
        struct sr_lock_row zero = {0, 0};
        return a->device ? SR_OK : sr_store_user_lock_set_tx(tx, a->acct.id, a->user_id, &zero);
}

/* Inside tx: a complete sign-in. Resets the count the attempt was made
 * on — the user's, or only the known device's (a device's success must not
 * lift a lock strangers earned) — remembers the device (a new cookie when
 * this browser is not yet known for the user), applies password expiry
 * (AUTH-2) and issues the session. */
static enum sr_rc
succeed_tx(struct sr_app *app, struct sr_tx *tx, const struct sr_client *client,
           const struct attempt *a, struct sr_user_row *row, const char *action,
           struct sr_session_issued *ret)
{
        int64_t now = sr_clock_now();
        enum sr_rc rc = reset_tx(tx, a);
        unsigned char hash[SR_TOKEN_HASH_BYTES];
        memcpy(hash, a->device_hash, sizeof(hash));
        if (rc == SR_OK && !a->device) {
                rc = sr_token_new(&ret->device_cookie);
                if (rc == SR_OK)
                        sr_token_hash(ret->device_cookie->bytes, ret->device_cookie->len, hash);
        }
        if (rc == SR_OK)
                rc = sr_store_device_upsert_tx(tx, a->acct.id, a->user_id, hash, now);
        /* AUTH-9: a sign-in from a browser this user never used is told. */
        if (rc == SR_OK && !a->device) {
                char line[160];
                snprintf(line, sizeof(line), "%s on %s from %s",
                         sr_ua_browser(client->user_agent), sr_ua_os(client->user_agent),
                         client->ip_prefix[0] ? client->ip_prefix : "an unknown address");
                rc = sr_signin_notify_tx(app, tx, &a->acct, row, SR_MAIL_NEW_SIGNIN, line);
        }
        if (rc == SR_OK)
                rc = sr_password_expiry_mark_tx(app, tx, &a->acct, row);
        if (rc == SR_OK)
                rc = sr_session_issue_tx(app, tx, client, &a->acct, row->id, row->session_epoch,
                                         row->pw_must_change, ret);
        if (rc == SR_OK)
                rc = audit_tx(app, tx, client, a, action, "session", ret->session_id, "success");
        return rc;
}

/* After the commit of a successful sign-in. */
static void
succeeded(struct sr_app *app, const struct attempt *a, bool had_must_change,
          const struct sr_user_row *row, struct sr_session_issued *ret)
{
        if (row->pw_must_change != had_must_change)
                sr_session_user_changed(app, a->user_id); /* AUTH-2 expiry just applied */
        struct sr_account_facts f;
        bool totp = false;
        if (sr_session_account_facts(app, a->acct.region, a->acct.id, &f) == SR_OK &&
            sr_mfa_has_totp(app, &a->acct, a->user_id, &totp) == SR_OK)
                ret->second_factor_setup_required = f.require_second_factor && !totp;
}

/* Builds "<REGION>.<token>" and its hash. */
static enum sr_rc
new_challenge_text(enum sr_region r, struct sr_secret **ret, unsigned char hash[SR_HASH_LEN])
{
        SR_CLEANUP(sr_secret_freep) struct sr_secret *raw = NULL;
        enum sr_rc rc = sr_token_new(&raw);
        if (rc != SR_OK)
                return rc;
        char buf[SR_SESSION_TOKEN_MAX];
        int n = snprintf(buf, sizeof(buf), "%s.%s", sr_region_name(r), (const char *)raw->bytes);
        rc = sr_secret_new(buf, (size_t)n, ret);
        sodium_memzero(buf, sizeof(buf));
        if (rc == SR_OK)
                sr_token_hash((*ret)->bytes, (*ret)->len, hash);
        return rc;
}

/* AUTH-8: the password was right and the user has TOTP. The attempt is
 * given back (the count is not reset before the second factor) and a
 * challenge is answered instead of a session. */
static enum sr_rc
start_challenge(struct sr_app *app, const struct sr_client *client, struct attempt *a,
                const struct sr_user_row *row, const char *rehash, struct sr_session_issued *ret)
{
        struct sr_challenge_row c;
        memset(&c, 0, sizeof(c));
        sr_id_new(c.id);
        snprintf(c.account_id, sizeof(c.account_id), "%s", a->acct.id);
        snprintf(c.user_id, sizeof(c.user_id), "%s", a->user_id);
        c.created_at = sr_clock_now();
        c.expires_at = c.created_at + SR_CHALLENGE_TTL_S;
        struct sr_secret *text = NULL;
        enum sr_rc rc = new_challenge_text(a->acct.region, &text, c.hash);
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        if (rc == SR_OK)
                rc = sr_store_begin(app->st, a->acct.region, &tx);
        if (rc == SR_OK)
                rc = give_back_tx(tx, a);
        if (rc == SR_OK)
                rc = sr_store_challenge_insert_tx(tx, &c);
        if (rc == SR_OK && rehash != NULL) {
                struct sr_user_row up = *row;
                snprintf(up.pw_hash, sizeof(up.pw_hash), "%s", rehash);
                rc = sr_store_user_update(tx, &up);
        }
        if (rc == SR_OK)
                rc = audit_tx(app, tx, client, a, "createSession", "challenge", c.id, "success");
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        if (rc != SR_OK) {
                sr_secret_free(text);
                return rc;
        }
        ret->second_factor_required = true;
        ret->challenge = text;
        ret->challenge_expires_at = c.expires_at;
        ret->pw_change_required = row->pw_must_change;
        return SR_OK;
}

static enum sr_rc
complete_signin(struct sr_app *app, const struct sr_client *client, const struct attempt *a,
                struct sr_user_row *row, const char *rehash, struct sr_session_issued *ret)
{
        bool had_must_change = row->pw_must_change;
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        enum sr_rc rc = sr_store_begin(app->st, a->acct.region, &tx);
        if (rc == SR_OK && rehash != NULL) {
                snprintf(row->pw_hash, sizeof(row->pw_hash), "%s", rehash);
                rc = sr_store_user_update(tx, row);
        }
        if (rc == SR_OK)
                rc = succeed_tx(app, tx, client, a, row, "createSession", ret);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        if (rc != SR_OK) {
                sr_session_issued_fini(ret);
                return rc;
        }
        succeeded(app, a, had_must_change, row, ret);
        return SR_OK;
}

static enum sr_rc
find_user(struct sr_app *app, const struct sr_account_ref *acct, const char *identifier,
          struct sr_user_row *ret)
{
        static const char *const kinds[] = {"username", "email", "phone"};
        static const enum sr_index_kind idx[] = {SR_INDEX_USERNAME, SR_INDEX_EMAIL, SR_INDEX_PHONE};
        enum sr_ident_kind kind = sr_norm_ident_kind(identifier);
        char *norm = NULL;
        enum sr_rc rc = kind == SR_IDENT_EMAIL   ? sr_norm_email(identifier, &norm)
                        : kind == SR_IDENT_PHONE ? sr_norm_phone(identifier, &norm)
                                                 : sr_norm_username(identifier, &norm);
        if (rc != SR_OK)
                return rc == SR_E_NOMEM ? rc : SR_E_NOT_FOUND;
        unsigned char bi[SR_BI_LEN];
        rc = sr_vault_index(app->vault, acct->region, acct->id, kinds[kind], norm, bi);
        sr_free(norm);
        if (rc != SR_OK)
                return rc;
        return sr_store_user_find(app->st, acct->region, acct->id, idx[kind], bi, ret);
}

/* The password step after the argon2id run. */
static enum sr_rc
after_password(struct sr_app *app, const struct sr_client *client, struct attempt *a,
               struct sr_user_row *row, const struct sr_secret *pw,
               struct sr_session_issued *ret)
{
        char rehash[SR_PWHASH_STR_BYTES];
        bool need = sr_pwhash_needs_rehash(row->pw_hash);
        bool totp = false;
        enum sr_rc rc = need ? sr_pwhash_hash(pw, rehash) : SR_OK;
        if (rc == SR_OK)
                rc = sr_mfa_has_totp(app, &a->acct, row->id, &totp);
        if (rc == SR_OK)
                rc = totp ? start_challenge(app, client, a, row, need ? rehash : NULL, ret)
                          : complete_signin(app, client, a, row, need ? rehash : NULL, ret);
        sodium_memzero(rehash, sizeof(rehash));
        if (rc != SR_OK)
                give_back(app, a); /* not the user's failure */
        return rc;
}

enum sr_rc
sr_session_signin(struct sr_app *app, const struct sr_client *client, const char *account_ref,
                  const char *identifier, const char *password, size_t password_len,
                  const char *device_cookie, struct sr_session_issued *ret)
{
        SR_CLEANUP(sr_secret_freep) struct sr_secret *pw = NULL;
        enum sr_rc rc = sr_norm_password(password, password_len, &pw);
        if (rc != SR_OK) {
                /* Unusable password: same work, same answer. */
                rc = sr_secret_new("-", 1, &pw);
                if (rc != SR_OK)
                        return rc;
                sr_rc_ignore(sr_pwhash_verify(NULL, pw)); /* only for the time it takes */
                return SR_E_INVALID_CREDENTIALS;
        }
        struct sr_account_ref acct;
        struct sr_account_facts facts;
        struct sr_user_row row;
        memset(&row, 0, sizeof(row));
        bool have_acct = sr_account_resolve(app, account_ref, &acct) == SR_OK &&
                         sr_session_account_facts(app, acct.region, acct.id, &facts) == SR_OK;
        /* ACC-8: the account's IP allowlist holds for sign-in too (refused
         * and audited there, before any password work). */
        if (have_acct) {
                rc = sr_allowlist_check(app, client, acct.id, acct.region, NULL);
                if (rc != SR_OK)
                        return rc;
        }
        /* ACC-6: a blocked account has no users that can sign in. */
        bool have_user = have_acct && !facts.blocked &&
                         find_user(app, &acct, identifier, &row) == SR_OK;
        bool active = have_user && strcmp(row.state, "active") == 0;
        struct attempt a;
        memset(&a, 0, sizeof(a));
        if (active) {
                attempt_init(app, &a, &acct, row.id, &facts, device_cookie);
                rc = reserve(app, client, &a, "createSession");
                if (rc != SR_OK) {
                        sr_user_row_fini(&row);
                        return rc;
                }
        }
        /* AUTH-3: one argon2id run whatever the failure: unknown account or
         * user, blocked, locked or wrong. */
        rc = sr_pwhash_verify(have_user ? row.pw_hash : NULL, pw);
        if (rc == SR_OK && a.reserved) {
                rc = after_password(app, client, &a, &row, pw, ret);
        } else if (rc == SR_E_NOMEM) {
                if (a.reserved)
                        give_back(app, &a); /* no memory is no wrong password */
        } else {
                if (a.reserved)
                        record_failure(app, client, &a, "createSession");
                else if (have_acct && !a.refused)
                        audit_plain(app, client, &acct, have_user ? row.id : NULL,
                                    "createSession");
                rc = SR_E_INVALID_CREDENTIALS;
        }
        sr_user_row_fini(&row);
        return rc;
}

/* ---- re-authentication ------------------------------------------------- */

/* A right re-authentication password is a full success: the count goes. */
static enum sr_rc
reset(struct sr_app *app, const struct attempt *a)
{
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        enum sr_rc rc = sr_store_begin(app->st, a->acct.region, &tx);
        if (rc == SR_OK)
                rc = reset_tx(tx, a);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        return rc;
}

/* The argon2id run of a reserved attempt and its consequences. A password
 * that cannot be normalised is a wrong one and counts like one: the
 * caller is a known user, there is no existence to hide by not counting. */
static enum sr_rc
check_reserved(struct sr_app *app, const struct sr_client *client, struct attempt *a,
               const char *pw_hash, const char *password, size_t password_len,
               const char *action)
{
        SR_CLEANUP(sr_secret_freep) struct sr_secret *pw = NULL;
        enum sr_rc rc = sr_norm_password(password, password_len, &pw);
        if (rc == SR_OK)
                rc = sr_pwhash_verify(pw_hash, pw);
        else if (rc != SR_E_NOMEM)
                rc = SR_E_INVALID_CREDENTIALS;
        if (rc == SR_OK)
                rc = reset(app, a);
        if (rc == SR_OK)
                return SR_OK;
        if (rc != SR_E_INVALID_CREDENTIALS) {
                give_back(app, a); /* no memory or no store is no wrong password */
                return rc;
        }
        record_failure(app, client, a, action);
        return SR_E_INVALID_CREDENTIALS;
}

enum sr_rc
sr_signin_check_password(struct sr_app *app, const struct sr_client *client,
                         const struct sr_account_ref *acct, const char *user_id,
                         const char *password, size_t password_len, const char *action)
{
        struct sr_account_facts facts;
        struct sr_user_row row;
        enum sr_rc rc = sr_session_account_facts(app, acct->region, acct->id, &facts);
        if (rc == SR_OK)
                rc = sr_store_user_get(app->st, acct->region, acct->id, user_id, &row);
        if (rc != SR_OK)
                return rc == SR_E_NOT_FOUND ? SR_E_UNAUTHENTICATED : rc;
        /* Counted on the user, never a device: a stolen session comes with
         * the victim's browser, whose exemption must not lift the lock. */
        struct attempt a;
        attempt_init(app, &a, acct, user_id, &facts, NULL);
        rc = reserve(app, client, &a, action);
        if (rc == SR_OK && a.refused)
                rc = SR_E_INVALID_CREDENTIALS; /* locked: not even checked */
        else if (rc == SR_OK)
                rc = check_reserved(app, client, &a, row.pw_hash, password, password_len, action);
        sr_user_row_fini(&row);
        return rc;
}

/* ---- the second factor ------------------------------------------------- */

bool
sr_second_factor_code_format_ok(const char *code)
{
        return sr_totp_code_format_ok(code) || sr_mfa_recovery_format_ok(code);
}

/* Is code a valid second factor of the user right now? TOTP codes yield
 * their time step (the replay guard is applied when it is accepted). */
static bool
code_ok(struct sr_app *app, const struct attempt *a, const char *code, bool *ret_totp,
        int64_t *ret_step, unsigned char recovery_hash[SR_HASH_LEN])
{
        *ret_totp = sr_totp_code_format_ok(code);
        if (!*ret_totp)
                return sr_mfa_recovery_hash(app, a->user_id, code, recovery_hash) == SR_OK;
        bool confirmed = false;
        int64_t last = 0;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *secret = NULL;
        if (sr_mfa_load(app, &a->acct, a->user_id, &confirmed, &last, &secret) != SR_OK ||
            !confirmed)
                return false;
        return sr_totp_check(secret, sr_clock_now(), code, last, ret_step) == SR_OK;
}

/* The challenge's try is counted and the attempt reserved in one write
 * transaction. SR_E_INVALID_CREDENTIALS when the challenge is dead, the
 * user or account blocked, or the target locked. */
static enum sr_rc
open_challenge(struct sr_app *app, const struct sr_client *client, enum sr_region r,
               const unsigned char hash[SR_HASH_LEN], const char *device_cookie,
               struct attempt *a, struct sr_challenge_row *ret_c, struct sr_user_row *ret_row)
{
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        struct sr_challenge_row c;
        struct sr_account_facts facts;
        struct sr_account_ref acct = {.region = r};
        enum sr_rc rc = sr_store_begin(app->st, r, &tx);
        if (rc == SR_OK)
                rc = sr_store_challenge_try_tx(tx, hash, sr_clock_now(), SR_CHALLENGE_MAX_TRIES,
                                               &c);
        if (rc == SR_E_NOT_FOUND)
                return SR_E_INVALID_CREDENTIALS; /* unknown, expired or used up */
        if (rc != SR_OK)
                return rc;
        snprintf(acct.id, sizeof(acct.id), "%s", c.account_id);
        rc = sr_session_account_facts(app, r, acct.id, &facts);
        if (rc == SR_OK) /* ACC-8, as for the password step */
                rc = sr_allowlist_check(app, client, acct.id, r, c.user_id);
        if (rc == SR_E_IP_NOT_ALLOWED) {
                /* Refused inside our transaction, where its audit event
                 * cannot be written: undo the try, then refuse again. */
                sr_store_tx_freep(&tx);
                rc = sr_allowlist_check(app, client, acct.id, r, c.user_id);
                return rc == SR_OK ? SR_E_IP_NOT_ALLOWED : rc;
        }
        if (rc == SR_OK)
                rc = sr_store_user_get(app->st, r, acct.id, c.user_id, ret_row);
        if (rc != SR_OK)
                return rc == SR_E_NOT_FOUND ? SR_E_INVALID_CREDENTIALS : rc;
        attempt_init(app, a, &acct, c.user_id, &facts, device_cookie);
        bool blocked = facts.blocked || strcmp(ret_row->state, "active") != 0;
        rc = blocked ? audit_tx(app, tx, client, a, "verifySecondFactor", "user", c.user_id,
                                "failure")
                     : reserve_tx(app, tx, client, a, "verifySecondFactor");
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        if (rc == SR_OK && (blocked || a->refused))
                rc = SR_E_INVALID_CREDENTIALS;
        if (rc != SR_OK) {
                a->reserved = false;
                sr_user_row_fini(ret_row);
                return rc;
        }
        *ret_c = c;
        return SR_OK;
}

enum sr_rc
sr_session_verify_second_factor(struct sr_app *app, const struct sr_client *client,
                                const char *challenge, const char *code,
                                const char *device_cookie, struct sr_session_issued *ret)
{
        size_t len = strlen(challenge);
        enum sr_region r;
        char region_name[3] = {0};
        if (len < 4 || len > SR_SESSION_TOKEN_MAX || challenge[2] != '.')
                return SR_E_INVALID_CREDENTIALS;
        memcpy(region_name, challenge, 2);
        if (sr_region_parse(region_name, &r) != SR_OK)
                return SR_E_INVALID_CREDENTIALS;
        unsigned char hash[SR_HASH_LEN];
        sr_token_hash(challenge, len, hash);
        struct attempt a;
        struct sr_challenge_row c;
        struct sr_user_row row;
        memset(&a, 0, sizeof(a));
        enum sr_rc rc = open_challenge(app, client, r, hash, device_cookie, &a, &c, &row);
        if (rc != SR_OK)
                return rc;
        bool totp = false, had_must_change = row.pw_must_change;
        int64_t step = 0;
        unsigned char rhash[SR_HASH_LEN];
        bool ok = code_ok(app, &a, code, &totp, &step, rhash);
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        rc = ok ? sr_store_begin(app->st, r, &tx) : SR_OK;
        /* AUTH-8: accepting the step or using the code is the replay guard. */
        if (ok && rc == SR_OK) {
                rc = totp ? sr_store_totp_accept_tx(tx, a.acct.id, a.user_id, step, false)
                          : sr_store_recovery_use_tx(tx, a.acct.id, a.user_id, rhash,
                                                     sr_clock_now());
                if (rc == SR_E_CONFLICT || rc == SR_E_NOT_FOUND) {
                        ok = false;
                        rc = SR_OK;
                }
        }
        if (ok && rc == SR_OK)
                rc = sr_store_challenge_delete_tx(tx, a.acct.id, c.id);
        if (ok && rc == SR_OK)
                rc = succeed_tx(app, tx, client, &a, &row, "verifySecondFactor", ret);
        if (ok && rc == SR_OK)
                rc = sr_store_commit(tx);
        if (ok && rc == SR_OK)
                succeeded(app, &a, had_must_change, &row, ret);
        sr_user_row_fini(&row);
        if (ok) {
                if (rc != SR_OK)
                        sr_session_issued_fini(ret);
                return rc;
        }
        sr_store_tx_freep(&tx); /* roll back before the failure is recorded */
        if (rc == SR_OK)
                record_failure(app, client, &a, "verifySecondFactor");
        return rc == SR_OK ? SR_E_INVALID_CREDENTIALS : rc;
}
