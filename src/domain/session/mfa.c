/* TOTP enrolment, confirmation, removal and recovery codes (AUTH-8).
 * The secret is sealed under the user's subject key (so erasing the user
 * shreds it too) with the field position as associated data; recovery
 * codes are kept only as BLAKE2b hashes keyed with a purpose key, so a
 * copy of the database does not allow guessing them offline. Every change
 * is audited and the user is told by e-mail in the same transaction.
 * Sign-in with a code is in signin.c. */
#include "domain/session/mfa.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "domain/session/reauth.h"
#include "domain/session/signin.h"
#include "domain/session/totp.h"
#include "util/alloc.h"
#include "util/clock.h"

static const char b32_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

void
sr_recovery_codes_fini(struct sr_recovery_codes *c)
{
        for (size_t i = 0; i < SR_RECOVERY_CODES; i++) {
                sr_secret_free(c->code[i]);
                c->code[i] = NULL;
        }
}

static void
acct_of(const struct sr_actor *actor, struct sr_account_ref *acct)
{
        snprintf(acct->id, sizeof(acct->id), "%s", actor->account_id);
        acct->region = actor->region;
}

static struct sr_field
secret_field(const char *account_id, const char *user_id)
{
        return (struct sr_field){account_id, "totp", "secret", user_id};
}

enum sr_rc
sr_mfa_load(struct sr_app *app, const struct sr_account_ref *acct, const char *user_id,
            bool *ret_confirmed, int64_t *ret_last_step, struct sr_secret **ret_secret)
{
        struct sr_totp_row t;
        enum sr_rc rc = sr_store_totp_get(app->st, acct->region, acct->id, user_id, &t);
        if (rc != SR_OK)
                return rc;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *key = NULL;
        char *b32 = NULL;
        struct sr_field f = secret_field(acct->id, user_id);
        rc = sr_vault_key(app->vault, acct->region, acct->id, user_id, &key);
        if (rc == SR_OK)
                rc = sr_vault_open(key, &f, &t.secret_ct, &b32);
        if (rc == SR_OK && b32 == NULL)
                rc = SR_E_STORE;
        struct sr_secret *s = NULL;
        if (rc == SR_OK)
                rc = sr_secret_new(b32, strlen(b32), &s);
        if (b32 != NULL) {
                sodium_memzero(b32, strlen(b32));
                sr_free(b32);
        }
        bool confirmed = t.confirmed;
        int64_t last = t.last_step;
        sr_totp_row_fini(&t);
        if (rc != SR_OK)
                return rc;
        *ret_confirmed = confirmed;
        *ret_last_step = last;
        *ret_secret = s;
        return SR_OK;
}

enum sr_rc
sr_mfa_has_totp(struct sr_app *app, const struct sr_account_ref *acct, const char *user_id,
                bool *ret)
{
        struct sr_totp_row t;
        enum sr_rc rc = sr_store_totp_get(app->st, acct->region, acct->id, user_id, &t);
        if (rc == SR_E_NOT_FOUND) {
                *ret = false;
                return SR_OK;
        }
        if (rc != SR_OK)
                return rc;
        *ret = t.confirmed;
        sr_totp_row_fini(&t);
        return SR_OK;
}

bool
sr_mfa_recovery_format_ok(const char *code)
{
        size_t n = 0, len = code ? strlen(code) : 0;
        if (len != 10 && len != 11)
                return false;
        for (size_t i = 0; i < len; i++) {
                if (len == 11 && i == 5) {
                        if (code[i] != '-')
                                return false;
                        continue;
                }
                char c = (char)tolower((unsigned char)code[i]);
                if (strchr(b32_alphabet, c) == NULL || c == '\0')
                        return false;
                n++;
        }
        return n == 10;
}

enum sr_rc
sr_mfa_recovery_hash(struct sr_app *app, const char *user_id, const char *code,
                     unsigned char ret[SR_HASH_LEN])
{
        char norm[SR_ID_LEN + 1 + 11];
        size_t n = (size_t)snprintf(norm, sizeof(norm), "%s", user_id) + 1; /* keep the NUL */
        for (const char *p = code; *p && n < sizeof(norm); p++)
                if (*p != '-')
                        norm[n++] = (char)tolower((unsigned char)*p);
        SR_CLEANUP(sr_secret_freep) struct sr_secret *key = NULL;
        enum sr_rc rc = sr_vault_purpose_key(app->vault, "recovery", &key);
        if (rc == SR_OK)
                crypto_generichash(ret, SR_HASH_LEN, (const unsigned char *)norm, n, key->bytes,
                                   key->len);
        sodium_memzero(norm, sizeof(norm));
        return rc;
}

/* Ten new codes and their hashes. */
static enum sr_rc
new_codes(struct sr_app *app, const char *user_id, struct sr_recovery_codes *ret,
          unsigned char (*hashes)[SR_HASH_LEN])
{
        struct sr_recovery_codes c;
        memset(&c, 0, sizeof(c));
        enum sr_rc rc = SR_OK;
        for (size_t i = 0; rc == SR_OK && i < SR_RECOVERY_CODES; i++) {
                char text[SR_RECOVERY_CODE_CHARS + 1];
                for (size_t j = 0; j < SR_RECOVERY_CODE_CHARS; j++)
                        text[j] = j == 5 ? '-' : b32_alphabet[randombytes_uniform(32)];
                text[SR_RECOVERY_CODE_CHARS] = '\0';
                rc = sr_mfa_recovery_hash(app, user_id, text, hashes[i]);
                if (rc == SR_OK)
                        rc = sr_secret_new(text, SR_RECOVERY_CODE_CHARS, &c.code[i]);
                sodium_memzero(text, sizeof(text));
        }
        if (rc != SR_OK) {
                sr_recovery_codes_fini(&c);
                return rc;
        }
        *ret = c;
        return SR_OK;
}

/* Appends the audit event and the e-mail notice of a 2FA change. */
static enum sr_rc
record_change_tx(struct sr_app *app, struct sr_tx *tx, const struct sr_client *client,
                 const struct sr_actor *actor, const char *action, bool notify)
{
        struct sr_account_ref acct;
        acct_of(actor, &acct);
        struct sr_audit_event ev = {sr_actor_id(actor), sr_actor_type(app, actor), action, "user",
                                    actor->user_id, "success", client->ip_prefix,
                                    client->request_id};
        enum sr_rc rc = sr_audit_append(app->audit, tx, acct.id, &ev);
        if (rc != SR_OK || !notify)
                return rc;
        struct sr_user_row row;
        rc = sr_store_user_get(app->st, acct.region, acct.id, actor->user_id, &row);
        if (rc != SR_OK)
                return rc;
        rc = sr_signin_notify_tx(app, tx, &acct, &row, SR_MAIL_SECOND_FACTOR_CHANGED, NULL);
        sr_user_row_fini(&row);
        return rc;
}

/* otpauth://totp/Strongroom:<username>?secret=...&issuer=Strongroom&... */
static enum sr_rc
otpauth_uri(const char *username, const struct sr_secret *secret, struct sr_secret **ret)
{
        char label[3 * 64 + 1];
        size_t n = 0;
        for (const unsigned char *p = (const unsigned char *)username; *p && n + 3 < sizeof(label);
             p++) {
                if (isalnum(*p) || *p == '.' || *p == '_' || *p == '-' || *p == '~')
                        label[n++] = (char)*p;
                else
                        n += (size_t)snprintf(label + n, sizeof(label) - n, "%%%02X", *p);
        }
        label[n] = '\0';
        char buf[512];
        int len = snprintf(buf, sizeof(buf),
                           "otpauth://totp/Strongroom:%s?secret=%s&issuer=Strongroom"
                           "&algorithm=SHA1&digits=%d&period=%d",
                           label, (const char *)secret->bytes, SR_TOTP_DIGITS, SR_TOTP_STEP_S);
        enum sr_rc rc = len > 0 && (size_t)len < sizeof(buf) ? sr_secret_new(buf, (size_t)len, ret)
                                                             : SR_E_INTERNAL;
        sodium_memzero(buf, sizeof(buf));
        return rc;
}

static enum sr_rc
username_of(struct sr_app *app, const struct sr_account_ref *acct, const char *user_id,
            char **ret)
{
        struct sr_user_row row;
        enum sr_rc rc = sr_store_user_get(app->st, acct->region, acct->id, user_id, &row);
        if (rc != SR_OK)
                return rc == SR_E_NOT_FOUND ? SR_E_UNAUTHENTICATED : rc;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *key = NULL;
        struct sr_field f = {acct->id, "users", "username", user_id};
        rc = sr_vault_key(app->vault, acct->region, acct->id, user_id, &key);
        char *name = NULL;
        if (rc == SR_OK)
                rc = sr_vault_open(key, &f, &row.username_ct, &name);
        sr_user_row_fini(&row);
        if (rc == SR_OK && name == NULL)
                rc = SR_E_STORE;
        if (rc == SR_OK)
                *ret = name;
        return rc;
}

enum sr_rc
sr_mfa_enroll(struct sr_app *app, const struct sr_client *client, const struct sr_actor *actor,
              struct sr_secret **ret_secret, struct sr_secret **ret_uri)
{
        struct sr_account_ref acct;
        acct_of(actor, &acct);
        bool has = false;
        enum sr_rc rc = sr_mfa_has_totp(app, &acct, actor->user_id, &has);
        if (rc == SR_OK && has)
                rc = SR_E_CONFLICT; /* remove it first (deleteTotp) */
        SR_CLEANUP(sr_secret_freep) struct sr_secret *secret = NULL;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *uri = NULL;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *key = NULL;
        SR_CLEANUP(sr_freep) char *username = NULL;
        if (rc == SR_OK)
                rc = sr_totp_secret_new(&secret);
        if (rc == SR_OK)
                rc = username_of(app, &acct, actor->user_id, &username);
        if (rc == SR_OK)
                rc = otpauth_uri(username, secret, &uri);
        struct sr_totp_row row;
        memset(&row, 0, sizeof(row));
        row.created_at = sr_clock_now();
        struct sr_field f = secret_field(acct.id, actor->user_id);
        if (rc == SR_OK)
                rc = sr_vault_key(app->vault, acct.region, acct.id, actor->user_id, &key);
        if (rc == SR_OK)
                rc = sr_vault_seal(key, &f, (const char *)secret->bytes, secret->len,
                                   &row.secret_ct);
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        if (rc == SR_OK)
                rc = sr_store_begin(app->st, acct.region, &tx);
        if (rc == SR_OK)
                rc = sr_store_totp_put_tx(tx, acct.id, actor->user_id, &row);
        if (rc == SR_OK)
                rc = record_change_tx(app, tx, client, actor, "enrollTotp", false);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        sr_totp_row_fini(&row);
        if (rc != SR_OK)
                return rc;
        *ret_secret = SR_TAKE(secret);
        *ret_uri = SR_TAKE(uri);
        return SR_OK;
}

enum sr_rc
sr_mfa_confirm(struct sr_app *app, const struct sr_client *client, const struct sr_actor *actor,
               const char *code, struct sr_recovery_codes *ret)
{
        struct sr_account_ref acct;
        acct_of(actor, &acct);
        bool confirmed = false;
        int64_t last = 0, step = 0;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *secret = NULL;
        enum sr_rc rc = sr_mfa_load(app, &acct, actor->user_id, &confirmed, &last, &secret);
        if (rc == SR_E_NOT_FOUND || (rc == SR_OK && confirmed))
                return SR_E_CONFLICT; /* nothing pending: enrollTotp first */
        if (rc != SR_OK)
                return rc;
        rc = sr_totp_check(secret, sr_clock_now(), code, last, &step);
        if (rc == SR_E_INVALID_CREDENTIALS)
                return SR_E_VALIDATION;
        if (rc != SR_OK)
                return rc;
        struct sr_recovery_codes codes;
        unsigned char hashes[SR_RECOVERY_CODES][SR_HASH_LEN];
        rc = new_codes(app, actor->user_id, &codes, hashes);
        if (rc != SR_OK)
                return rc;
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        rc = sr_store_begin(app->st, acct.region, &tx);
        /* The first code is accepted like any later one: no replay. */
        if (rc == SR_OK)
                rc = sr_store_totp_accept_tx(tx, acct.id, actor->user_id, step, true);
        if (rc == SR_E_CONFLICT)
                rc = SR_E_VALIDATION;
        if (rc == SR_OK)
                rc = sr_store_recovery_replace_tx(tx, acct.id, actor->user_id,
                                                  (const unsigned char(*)[SR_HASH_LEN])hashes,
                                                  SR_RECOVERY_CODES, sr_clock_now());
        if (rc == SR_OK)
                rc = record_change_tx(app, tx, client, actor, "confirmTotp", true);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        if (rc != SR_OK) {
                sr_recovery_codes_fini(&codes);
                return rc;
        }
        sr_session_user_changed(app, actor->user_id);
        *ret = codes;
        return SR_OK;
}

enum sr_rc
sr_mfa_delete(struct sr_app *app, const struct sr_client *client, const struct sr_actor *actor,
              const struct sr_session_info *session, const char *password, size_t password_len)
{
        struct sr_account_ref acct;
        acct_of(actor, &acct);
        enum sr_rc rc =
                sr_session_reauth(app, client, actor, session, password, password_len, "deleteTotp");
        if (rc != SR_OK)
                return rc;
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        rc = sr_store_begin(app->st, acct.region, &tx);
        if (rc == SR_OK)
                rc = sr_store_totp_delete_tx(tx, acct.id, actor->user_id);
        if (rc == SR_OK)
                rc = sr_store_recovery_delete_tx(tx, acct.id, actor->user_id);
        if (rc == SR_OK)
                rc = record_change_tx(app, tx, client, actor, "deleteTotp", true);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        if (rc != SR_OK)
                return rc;
        sr_session_user_changed(app, actor->user_id);
        return SR_OK;
}

enum sr_rc
sr_mfa_regenerate(struct sr_app *app, const struct sr_client *client,
                  const struct sr_actor *actor, const struct sr_session_info *session,
                  const char *password, size_t password_len, struct sr_recovery_codes *ret)
{
        struct sr_account_ref acct;
        acct_of(actor, &acct);
        enum sr_rc rc = sr_session_reauth(app, client, actor, session, password, password_len,
                                          "regenerateRecoveryCodes");
        bool has = false;
        if (rc == SR_OK)
                rc = sr_mfa_has_totp(app, &acct, actor->user_id, &has);
        if (rc == SR_OK && !has)
                rc = SR_E_CONFLICT;
        if (rc != SR_OK)
                return rc;
        struct sr_recovery_codes codes;
        unsigned char hashes[SR_RECOVERY_CODES][SR_HASH_LEN];
        rc = new_codes(app, actor->user_id, &codes, hashes);
        if (rc != SR_OK)
                return rc;
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        rc = sr_store_begin(app->st, acct.region, &tx);
        if (rc == SR_OK)
                rc = sr_store_recovery_replace_tx(tx, acct.id, actor->user_id,
                                                  (const unsigned char(*)[SR_HASH_LEN])hashes,
                                                  SR_RECOVERY_CODES, sr_clock_now());
        if (rc == SR_OK)
                rc = record_change_tx(app, tx, client, actor, "regenerateRecoveryCodes", true);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        if (rc != SR_OK) {
                sr_recovery_codes_fini(&codes);
                return rc;
        }
        *ret = codes;
        return SR_OK;
}

enum sr_rc
sr_mfa_forget_user_tx(struct sr_tx *tx, const char *account_id, const char *user_id)
{
        enum sr_rc rc = sr_store_totp_delete_tx(tx, account_id, user_id);
        if (rc == SR_E_NOT_FOUND)
                rc = SR_OK; /* never enrolled */
        if (rc == SR_OK)
                rc = sr_store_recovery_delete_tx(tx, account_id, user_id);
        if (rc == SR_OK)
                rc = sr_store_challenge_delete_user_tx(tx, account_id, user_id);
        if (rc == SR_OK)
                rc = sr_store_device_delete_user_tx(tx, account_id, user_id);
        return rc;
}
