/* Password reset by e-mail (AUTH-6).
 *
 * Request: the answer never depends on whether the account, the user or an
 * address exists, and neither does the work: every request ends in one
 * write transaction with an audit event (probes of unknown accounts are
 * recorded in the platform account), and no request runs argon2id. The
 * link carries a 256-bit token in its fragment, built from the configured
 * public_url (never from Host); only the token's SHA-256 is stored, and
 * the mail is queued in the same transaction as the token.
 *
 * Completion: the token is found by its hash alone; used, expired and
 * unknown tokens give the same SR_E_INVALID_TOKEN. Spending the token,
 * setting the password, ending every session (epoch bump), the audit
 * event and the notice mail are one transaction, and the spend is a
 * conditional update, so two racing uses cannot both succeed.
 *
 * Not here: the password policy itself (identity/password.c) and mail
 * delivery (mail/mail.c). */
#include "domain/identity/reset.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "crypto/pwhash.h"
#include "crypto/token.h"
#include "domain/identity/normalize.h"
#include "domain/identity/password.h"
#include "domain/identity/policy.h"
#include "domain/identity/users.h"
#include "domain/mail/mail.h"
#include "domain/mail/templates.h"
#include "domain/session/session.h"
#include "store/reset.h"
#include "store/signin.h"
#include "util/alloc.h"
#include "util/clock.h"

#define LINK_MAX 2048

enum sr_rc
sr_reset_link(const char *public_url, const char *token, char *out, size_t out_len)
{
        size_t n = strlen(public_url);
        while (n > 0 && public_url[n - 1] == '/')
                n--;
        int w = snprintf(out, out_len, "%.*s/reset#token=%s", (int)n, public_url, token);
        if (w < 0 || (size_t)w >= out_len) {
                sodium_memzero(out, out_len);
                return SR_E_TOO_LARGE;
        }
        return SR_OK;
}

/* The user an identifier names (username, e-mail or phone by syntax). */
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

static void
wipe_free(char *s)
{
        if (s == NULL)
                return;
        sodium_memzero(s, strlen(s));
        sr_free(s);
}

/* The user's e-mail address in clear (*ret NULL when none). */
static enum sr_rc
user_email(struct sr_app *app, enum sr_region r, const struct sr_user_row *row, char **ret)
{
        *ret = NULL;
        if (!row->has_email)
                return SR_OK;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *key = NULL;
        enum sr_rc rc = sr_vault_key(app->vault, r, row->account_id, row->id, &key);
        struct sr_field f = {row->account_id, "users", "email", row->id};
        if (rc == SR_OK)
                rc = sr_vault_open(key, &f, &row->email_ct, ret);
        return rc;
}

/* Inside tx: a new token row and its mail. */
static enum sr_rc
issue_token(struct sr_app *app, struct sr_tx *tx, const struct sr_account_ref *acct,
            const struct sr_user_row *row, const char *email, int64_t now)
{
        SR_CLEANUP(sr_secret_freep) struct sr_secret *token = NULL;
        enum sr_rc rc = sr_token_new(&token);
        if (rc != SR_OK)
                return rc;
        struct sr_reset_row t;
        memset(&t, 0, sizeof(t));
        sr_id_new(t.id);
        snprintf(t.account_id, sizeof(t.account_id), "%s", acct->id);
        snprintf(t.user_id, sizeof(t.user_id), "%s", row->id);
        sr_token_hash(token->bytes, token->len, t.token_hash);
        t.created_at = now;
        t.expires_at = now + SR_RESET_TOKEN_LIFETIME_S;
        char link[LINK_MAX];
        rc = sr_reset_link(app->cfg->public_url, (const char *)token->bytes, link, sizeof(link));
        if (rc == SR_OK)
                rc = sr_store_reset_insert(tx, &t);
        if (rc == SR_OK)
                rc = sr_mail_enqueue_tx(app, tx, acct->id, row->id, email,
                                        SR_MAIL_PASSWORD_RESET, link);
        sodium_memzero(link, sizeof(link));
        return rc;
}

/* Inside tx: what the request does for a user found by the identifier.
 * *ret_outcome is the audit outcome. */
static enum sr_rc
request_for_user(struct sr_app *app, struct sr_tx *tx, const struct sr_account_ref *acct,
                 const struct sr_user_row *row, const char **ret_outcome)
{
        int64_t now = sr_clock_now();
        char *email = NULL;
        enum sr_rc rc = SR_OK;
        *ret_outcome = "failure";
        /* A blocked user or account gets no link: the same answer, no mail. */
        if (acct->blocked || strcmp(row->state, "active") != 0)
                return SR_OK;
        rc = user_email(app, acct->region, row, &email);
        if (rc != SR_OK || email == NULL || !sr_mail_address_ok(email)) {
                wipe_free(email);
                return rc;
        }
        int64_t pending = 0;
        rc = sr_store_reset_purge_user(tx, acct->id, row->id, now);
        if (rc == SR_OK)
                rc = sr_store_reset_count_pending(tx, acct->id, row->id, now, &pending);
        /* Per-user cap: more requests get the same answer and no mail. */
        if (rc == SR_OK && pending >= SR_RESET_MAX_PENDING) {
                *ret_outcome = "denied";
        } else if (rc == SR_OK) {
                rc = issue_token(app, tx, acct, row, email, now);
                if (rc == SR_OK)
                        *ret_outcome = "success";
        }
        wipe_free(email);
        return rc;
}

/* Resolves the account; an unknown one is replaced by the platform
 * account (for the audit record) with *ret_known false. */
static enum sr_rc
resolve(struct sr_app *app, const char *account_ref, struct sr_account_ref *ret, bool *ret_known)
{
        enum sr_rc rc = sr_account_resolve(app, account_ref, ret);
        *ret_known = rc == SR_OK;
        if (rc != SR_E_NOT_FOUND)
                return rc;
        if (app->platform_account_id[0] == '\0')
                return SR_E_NOT_FOUND;
        return sr_account_resolve(app, app->platform_account_id, ret);
}

enum sr_rc
sr_reset_request(struct sr_app *app, const struct sr_client *client, const char *account_ref,
                 const char *identifier)
{
        struct sr_account_ref acct;
        bool known = false, have_user = false;
        enum sr_rc rc = resolve(app, account_ref, &acct, &known);
        if (rc != SR_OK)
                return rc == SR_E_NOT_FOUND ? SR_OK : rc;
        struct sr_user_row row;
        memset(&row, 0, sizeof(row));
        if (known) {
                rc = find_user(app, &acct, identifier, &row);
                have_user = rc == SR_OK;
                if (rc == SR_E_NOT_FOUND)
                        rc = SR_OK;
        }
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        if (rc == SR_OK)
                rc = sr_store_begin(app->st, acct.region, &tx);
        const char *outcome = "failure";
        if (rc == SR_OK && have_user)
                rc = request_for_user(app, tx, &acct, &row, &outcome);
        /* AUTH-6: every request leaves the same trace and costs the same
         * write, so timing does not tell whether the user exists. */
        struct sr_audit_event ev = {have_user ? row.id : NULL,
                                    "user",
                                    "requestPasswordReset",
                                    known ? "user" : "account",
                                    have_user ? row.id : NULL,
                                    outcome,
                                    client->ip_prefix,
                                    client->request_id};
        if (rc == SR_OK)
                rc = sr_audit_append(app->audit, tx, acct.id, &ev);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        sr_user_row_fini(&row);
        return rc;
}

/* Finds the token row by hash in every region. */
static enum sr_rc
find_token(struct sr_app *app, const unsigned char hash[SR_TOKEN_HASH_BYTES],
           struct sr_reset_row *ret, enum sr_region *ret_region)
{
        for (unsigned r = 0; r < SR_REGION__COUNT; r++) {
                enum sr_rc rc = sr_store_reset_find(app->st, (enum sr_region)r, hash, ret);
                if (rc == SR_OK) {
                        *ret_region = (enum sr_region)r;
                        return SR_OK;
                }
                if (rc != SR_E_NOT_FOUND)
                        return rc;
        }
        return SR_E_INVALID_TOKEN;
}

/* The new password, normalised, checked against the account's profile
 * and the user's history, and hashed (slow). */
static enum sr_rc
new_password_hash(struct sr_app *app, const struct sr_account_ref *acct,
                  const struct sr_user_row *row, const char *pw, size_t len,
                  char ret_hash[SR_PWHASH_STR_BYTES], const char **ret_reason)
{
        SR_CLEANUP(sr_secret_freep) struct sr_secret *neu = NULL;
        enum sr_rc rc = sr_norm_password(pw, len, &neu);
        if (rc == SR_OK)
                rc = sr_password_prepare(app, acct, row, neu, ret_hash, ret_reason);
        return rc;
}

/* Inside tx: the notice to the user's address, when there is one. */
static enum sr_rc
notify_changed(struct sr_app *app, struct sr_tx *tx, enum sr_region r,
               const struct sr_user_row *row)
{
        char *email = NULL;
        enum sr_rc rc = user_email(app, r, row, &email);
        if (rc == SR_OK && email != NULL && sr_mail_address_ok(email))
                rc = sr_mail_enqueue_tx(app, tx, row->account_id, row->id, email,
                                        SR_MAIL_PASSWORD_CHANGED, NULL);
        wipe_free(email);
        return rc;
}

/* Inside tx: spend the token and apply the new password. */
static enum sr_rc
apply_reset(struct sr_app *app, struct sr_tx *tx, const struct sr_account_ref *acct,
            const struct sr_reset_row *t, const char *pw_hash, const struct sr_client *client)
{
        int64_t now = sr_clock_now();
        struct sr_user_row row;
        enum sr_rc rc = sr_store_reset_use(tx, t->account_id, t->id, now);
        if (rc == SR_OK)
                rc = sr_store_user_get(app->st, acct->region, t->account_id, t->user_id, &row);
        if (rc != SR_OK)
                return rc == SR_E_NOT_FOUND ? SR_E_INVALID_TOKEN : rc;
        /* AUTH-2: the old hash joins the no-reuse history. */
        rc = sr_password_history_push_tx(app, tx, acct, t->user_id, row.pw_hash);
        snprintf(row.pw_hash, sizeof(row.pw_hash), "%s", pw_hash);
        row.pw_must_change = false;
        row.pw_changed_at = row.updated_at = now;
        if (rc == SR_OK)
                rc = sr_store_user_update(tx, &row);
        if (rc == SR_OK)
                rc = sr_store_reset_use_all(tx, t->account_id, t->user_id, now);
        /* AUTH-3: whoever controls the mailbox could reset anyway, so a
         * completed reset also lifts a lockout (like unlockUser). */
        struct sr_lock_row unlocked = {0, 0};
        if (rc == SR_OK)
                rc = sr_store_user_lock_set_tx(tx, t->account_id, t->user_id, &unlocked);
        /* Every session of the user ends (epoch bump + rows deleted). */
        if (rc == SR_OK)
                rc = sr_session_revoke_user_tx(tx, t->account_id, t->user_id, NULL);
        struct sr_audit_event ev = {t->user_id,
                                    strcmp(t->account_id, app->platform_account_id) == 0
                                            ? "operator"
                                            : "user",
                                    "completePasswordReset",
                                    "user",
                                    t->user_id,
                                    "success",
                                    client->ip_prefix,
                                    client->request_id};
        if (rc == SR_OK)
                rc = sr_audit_append(app->audit, tx, t->account_id, &ev);
        if (rc == SR_OK)
                rc = notify_changed(app, tx, acct->region, &row);
        sr_user_row_fini(&row);
        return rc;
}

enum sr_rc
sr_reset_complete(struct sr_app *app, const struct sr_client *client, const char *token,
                  size_t token_len, const char *new_password, size_t new_password_len,
                  const char **ret_reason)
{
        if (token == NULL || token_len == 0 || token_len > SR_RESET_TOKEN_MAX_BYTES)
                return SR_E_INVALID_TOKEN;
        unsigned char hash[SR_TOKEN_HASH_BYTES];
        sr_token_hash(token, token_len, hash);
        struct sr_reset_row t;
        struct sr_account_ref acct;
        enum sr_rc rc = find_token(app, hash, &t, &acct.region);
        if (rc == SR_OK)
                rc = sr_account_resolve(app, t.account_id, &acct);
        if (rc != SR_OK)
                return rc == SR_E_NOT_FOUND ? SR_E_INVALID_TOKEN : rc;
        /* AUTH-6: used and expired look exactly like forged; so does a link
         * of a user or account blocked since it was sent. */
        if (t.used_at != 0 || sr_clock_now() >= t.expires_at || acct.blocked)
                return SR_E_INVALID_TOKEN;
        struct sr_user_row row;
        rc = sr_store_user_get(app->st, acct.region, acct.id, t.user_id, &row);
        if (rc == SR_OK && strcmp(row.state, "active") != 0) {
                sr_user_row_fini(&row);
                rc = SR_E_NOT_FOUND;
        }
        if (rc != SR_OK)
                return rc == SR_E_NOT_FOUND ? SR_E_INVALID_TOKEN : rc;
        char pw_hash[SR_PWHASH_STR_BYTES];
        rc = new_password_hash(app, &acct, &row, new_password, new_password_len, pw_hash,
                               ret_reason);
        sr_user_row_fini(&row);
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        if (rc == SR_OK)
                rc = sr_store_begin(app->st, acct.region, &tx);
        if (rc == SR_OK)
                rc = apply_reset(app, tx, &acct, &t, pw_hash, client);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        if (rc == SR_OK)
                sr_session_user_changed(app, t.user_id);
        return rc;
}
