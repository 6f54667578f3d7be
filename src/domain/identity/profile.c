/* Self-service profile changes (AUTH-9) and the user's own activity view
 * (AUTH-5). updateMe changes the name at once; e-mail and phone need a
 * recent sign-in or the current password (session/reauth.c). A new e-mail
 * address is kept apart, sealed, in email_changes with the SHA-256 of a
 * 256-bit token until the link sent to it comes back (verifyEmail): only
 * then does it replace the address and its blind index, so an unverified
 * address never works for sign-in or reset. The old address is told at
 * once; a phone change is told to the account's e-mail address (no SMS).
 * Every change is audited in the transaction that makes it, and the
 * messages are queued in that same transaction. The activity view reads
 * audit events (ids, times, prefixes: no personal data). */
#include "domain/identity/profile.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "crypto/token.h"
#include "domain/identity/normalize.h"
#include "domain/mail/mail.h"
#include "domain/session/reauth.h"
#include "store/passwords.h"
#include "util/alloc.h"
#include "util/clock.h"

#define LINK_MAX 2048

static void
wipe_free(char *s)
{
        if (s != NULL)
                sodium_memzero(s, strlen(s));
        sr_free(s);
}

static void
acct_of(const struct sr_actor *actor, struct sr_account_ref *acct)
{
        snprintf(acct->id, sizeof(acct->id), "%s", actor->account_id);
        acct->region = actor->region;
}

/* Everything one updateMe needs, freed by change_fini. */
struct change {
        struct sr_account_ref acct;
        struct sr_user_row row;
        struct sr_secret *key;  /* the user's subject key */
        char *old_email;        /* current verified address or NULL */
        char *new_email;        /* normalised, when email_set */
        char *new_phone;        /* normalised, when phone_set */
        bool email_changed, phone_changed;
};

static void
change_fini(struct change *c)
{
        sr_user_row_fini(&c->row);
        sr_secret_free(c->key);
        wipe_free(c->old_email);
        wipe_free(c->new_email);
        wipe_free(c->new_phone);
}

/* Seals value (normalised, or NULL to clear) into the email or phone
 * column of the row, with its blind index. */
static enum sr_rc
set_indexed(struct sr_app *app, struct change *c, const char *column, const char *value)
{
        struct sr_user_row *row = &c->row;
        struct sr_field f = {row->account_id, "users", column, row->id};
        bool email = strcmp(column, "email") == 0;
        struct sr_blob *ct = email ? &row->email_ct : &row->phone_ct;
        sr_blob_fini(ct);
        enum sr_rc rc = sr_vault_seal(c->key, &f, value, value ? strlen(value) : 0, ct);
        if (rc == SR_OK && value != NULL)
                rc = sr_vault_index(app->vault, c->acct.region, c->acct.id, column, value,
                                    email ? row->email_bi : row->phone_bi);
        if (email)
                row->has_email = value != NULL;
        else
                row->has_phone = value != NULL;
        return rc;
}

static enum sr_rc
change_load(struct sr_app *app, const struct sr_actor *actor, const struct sr_me_update *in,
            struct change *c)
{
        acct_of(actor, &c->acct);
        enum sr_rc rc = sr_store_user_get(app->st, c->acct.region, c->acct.id, actor->user_id,
                                          &c->row);
        if (rc != SR_OK)
                return rc == SR_E_NOT_FOUND ? SR_E_UNAUTHENTICATED : rc;
        rc = sr_vault_key(app->vault, c->acct.region, c->acct.id, c->row.id, &c->key);
        struct sr_field f = {c->row.account_id, "users", "email", c->row.id};
        if (rc == SR_OK)
                rc = sr_vault_open(c->key, &f, &c->row.email_ct, &c->old_email);
        if (rc == SR_OK && in->email_set && in->email != NULL)
                rc = sr_norm_email(in->email, &c->new_email);
        if (rc == SR_OK && in->phone_set && in->phone != NULL)
                rc = sr_norm_phone(in->phone, &c->new_phone);
        if (rc != SR_OK)
                return rc;
        /* Setting what is already there is no change (and no mail). */
        c->email_changed = in->email_set && !(c->new_email == NULL && c->old_email == NULL) &&
                           !(c->new_email != NULL && c->old_email != NULL &&
                             strcmp(c->new_email, c->old_email) == 0);
        char *old_phone = NULL;
        f.column = "phone";
        rc = sr_vault_open(c->key, &f, &c->row.phone_ct, &old_phone);
        if (rc == SR_OK)
                c->phone_changed =
                        in->phone_set && !(c->new_phone == NULL && old_phone == NULL) &&
                        !(c->new_phone != NULL && old_phone != NULL &&
                          strcmp(c->new_phone, old_phone) == 0);
        wipe_free(old_phone);
        return rc;
}

static enum sr_rc
verify_link(const char *public_url, const char *token, char out[LINK_MAX])
{
        size_t n = strlen(public_url);
        while (n > 0 && public_url[n - 1] == '/')
                n--;
        int w = snprintf(out, LINK_MAX, "%.*s/verify-email#token=%s", (int)n, public_url, token);
        return w < 0 || w >= LINK_MAX ? SR_E_TOO_LARGE : SR_OK;
}

/* AUTH-9: park the new address, send it a link, tell the old one. */
static enum sr_rc
request_email_change(struct sr_app *app, struct sr_tx *tx, struct change *c)
{
        struct sr_email_change_row ch;
        memset(&ch, 0, sizeof(ch));
        sr_id_new(ch.id);
        snprintf(ch.account_id, sizeof(ch.account_id), "%s", c->acct.id);
        snprintf(ch.user_id, sizeof(ch.user_id), "%s", c->row.id);
        ch.created_at = sr_clock_now();
        ch.expires_at = ch.created_at + SR_EMAIL_VERIFY_LIFETIME_S;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *token = NULL;
        char link[LINK_MAX];
        struct sr_field f = {c->acct.id, "email_changes", "email", ch.id};
        enum sr_rc rc = sr_token_new(&token);
        if (rc == SR_OK) {
                sr_token_hash(token->bytes, token->len, ch.token_hash);
                rc = verify_link(app->cfg->public_url, (const char *)token->bytes, link);
        }
        if (rc == SR_OK)
                rc = sr_vault_seal(c->key, &f, c->new_email, strlen(c->new_email), &ch.email_ct);
        if (rc == SR_OK)
                rc = sr_store_email_change_put(tx, &ch);
        if (rc == SR_OK)
                rc = sr_mail_enqueue_tx(app, tx, c->acct.id, c->row.id, c->new_email,
                                        SR_MAIL_EMAIL_VERIFY, link);
        if (rc == SR_OK && c->old_email != NULL)
                rc = sr_mail_enqueue_tx(app, tx, c->acct.id, c->row.id, c->old_email,
                                        SR_MAIL_EMAIL_CHANGED_OLD, NULL);
        sodium_memzero(link, sizeof(link));
        sr_email_change_row_fini(&ch);
        return rc;
}

static enum sr_rc
audit(struct sr_app *app, struct sr_tx *tx, const struct sr_client *client,
      const struct sr_actor *actor, const char *action)
{
        struct sr_audit_event ev = {actor->user_id, sr_actor_type(app, actor), action,
                                    "user", actor->user_id, "success", client->ip_prefix,
                                    client->request_id};
        return sr_audit_append(app->audit, tx, actor->account_id, &ev);
}

/* The changes of one updateMe, inside tx. */
static enum sr_rc
apply(struct sr_app *app, struct sr_tx *tx, const struct sr_client *client,
      const struct sr_actor *actor, const struct sr_me_update *in, struct change *c)
{
        enum sr_rc rc = SR_OK;
        if (in->name_set) {
                struct sr_field f = {c->acct.id, "users", "name", c->row.id};
                sr_blob_fini(&c->row.name_ct);
                rc = sr_vault_seal(c->key, &f, in->name, in->name ? strlen(in->name) : 0,
                                   &c->row.name_ct);
                if (rc == SR_OK)
                        rc = audit(app, tx, client, actor, "updateMe");
        }
        if (rc == SR_OK && c->phone_changed) {
                rc = set_indexed(app, c, "phone", c->new_phone);
                if (rc == SR_OK && c->old_email != NULL)
                        rc = sr_mail_enqueue_tx(app, tx, c->acct.id, c->row.id, c->old_email,
                                                SR_MAIL_PHONE_CHANGED, NULL);
                if (rc == SR_OK)
                        rc = audit(app, tx, client, actor, "changePhone");
        }
        if (rc == SR_OK && c->email_changed && c->new_email == NULL) {
                /* Removing the address takes effect at once; the old
                 * address is told, and any pending change is dropped. */
                rc = set_indexed(app, c, "email", NULL);
                if (rc == SR_OK)
                        rc = sr_store_email_change_delete_user(tx, c->acct.id, c->row.id);
                if (rc == SR_OK && c->old_email != NULL)
                        rc = sr_mail_enqueue_tx(app, tx, c->acct.id, c->row.id, c->old_email,
                                                SR_MAIL_EMAIL_CHANGED_OLD, NULL);
                if (rc == SR_OK)
                        rc = audit(app, tx, client, actor, "removeEmail");
        } else if (rc == SR_OK && c->email_changed) {
                rc = request_email_change(app, tx, c);
                if (rc == SR_OK)
                        rc = audit(app, tx, client, actor, "requestEmailChange");
        }
        if (rc == SR_OK) {
                c->row.updated_at = sr_clock_now();
                rc = sr_store_user_update(tx, &c->row);
        }
        return rc;
}

static void
audit_reauth_failure(struct sr_app *app, const struct sr_client *client,
                     const struct sr_actor *actor)
{
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        struct sr_audit_event ev = {actor->user_id, sr_actor_type(app, actor), "updateMe",
                                    "user", actor->user_id, "denied", client->ip_prefix,
                                    client->request_id};
        if (sr_store_begin(app->st, actor->region, &tx) == SR_OK &&
            sr_audit_append(app->audit, tx, actor->account_id, &ev) == SR_OK)
                sr_rc_ignore(sr_store_commit(tx)); /* best effort: the answer is 403 */
}

enum sr_rc
sr_me_update(struct sr_app *app, const struct sr_client *client, const struct sr_actor *actor,
             const struct sr_session_info *session, const struct sr_me_update *in,
             struct sr_user_view *ret, bool *ret_email_pending)
{
        /* AUTH-9: contact changes need a fresh sign-in or the password; a
         * password that is given is always checked. */
        enum sr_rc rc = SR_OK;
        if (in->email_set || in->phone_set || in->current_password != NULL)
                rc = sr_session_reauth(app, client, actor, session, in->current_password,
                                       in->current_password_len, "updateMe");
        /* A password that was given is audited (and counted, AUTH-3) by
         * the check itself; the answer is the same either way. */
        if (rc == SR_E_REAUTH_REQUIRED)
                audit_reauth_failure(app, client, actor);
        if (rc == SR_E_INVALID_CREDENTIALS || rc == SR_E_REAUTH_REQUIRED)
                return SR_E_REAUTH_REQUIRED;
        if (rc != SR_OK)
                return rc;
        struct change c;
        memset(&c, 0, sizeof(c));
        rc = change_load(app, actor, in, &c);
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        if (rc == SR_OK)
                rc = sr_store_begin(app->st, c.acct.region, &tx);
        if (rc == SR_OK)
                rc = apply(app, tx, client, actor, in, &c);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        change_fini(&c);
        bool pending = false;
        if (rc == SR_OK)
                rc = sr_me_email_pending(app, actor, &pending);
        if (rc == SR_OK)
                rc = sr_user_me(app, actor, ret);
        if (rc == SR_OK)
                *ret_email_pending = pending;
        return rc;
}

enum sr_rc
sr_me_email_pending(struct sr_app *app, const struct sr_actor *actor, bool *ret)
{
        return sr_store_email_change_pending(app->st, actor->region, actor->account_id,
                                             actor->user_id, sr_clock_now(), ret);
}

/* The pending change a token names, in whichever region holds it. */
static enum sr_rc
find_change(struct sr_app *app, const unsigned char hash[SR_TOKEN_HASH_BYTES],
            struct sr_email_change_row *ret, enum sr_region *ret_region)
{
        for (unsigned r = 0; r < SR_REGION__COUNT; r++) {
                enum sr_rc rc = sr_store_email_change_find(app->st, (enum sr_region)r, hash, ret);
                if (rc == SR_OK) {
                        *ret_region = (enum sr_region)r;
                        return SR_OK;
                }
                if (rc != SR_E_NOT_FOUND)
                        return rc;
        }
        return SR_E_INVALID_TOKEN;
}

/* Inside tx: spend the change and make its address the user's. */
static enum sr_rc
activate(struct sr_app *app, struct sr_tx *tx, const struct sr_client *client,
         const struct sr_email_change_row *ch, struct change *c)
{
        char *addr = NULL;
        struct sr_field f = {ch->account_id, "email_changes", "email", ch->id};
        enum sr_rc rc = sr_store_email_change_delete(tx, ch->account_id, ch->id);
        if (rc == SR_OK)
                rc = sr_store_user_get(app->st, c->acct.region, ch->account_id, ch->user_id,
                                       &c->row);
        if (rc == SR_E_NOT_FOUND)
                return SR_E_INVALID_TOKEN; /* spent meanwhile, or the user is gone */
        if (rc == SR_OK)
                rc = sr_vault_key(app->vault, c->acct.region, ch->account_id, ch->user_id,
                                  &c->key);
        if (rc == SR_OK)
                rc = sr_vault_open(c->key, &f, &ch->email_ct, &addr);
        if (rc == SR_OK && addr == NULL)
                rc = SR_E_INVALID_TOKEN;
        /* A unique index over the blind index refuses an address another
         * user of the account has (SR_E_CONFLICT rolls everything back). */
        if (rc == SR_OK)
                rc = set_indexed(app, c, "email", addr);
        if (rc == SR_OK) {
                c->row.updated_at = sr_clock_now();
                rc = sr_store_user_update(tx, &c->row);
        }
        struct sr_audit_event ev = {ch->user_id,
                                    strcmp(ch->account_id, app->platform_account_id) == 0
                                            ? "operator"
                                            : "user",
                                    "verifyEmail", "user", ch->user_id, "success",
                                    client->ip_prefix, client->request_id};
        if (rc == SR_OK)
                rc = sr_audit_append(app->audit, tx, ch->account_id, &ev);
        wipe_free(addr);
        return rc;
}

enum sr_rc
sr_me_verify_email(struct sr_app *app, const struct sr_client *client, const char *token,
                   size_t token_len)
{
        if (token == NULL || token_len == 0 || token_len > SR_EMAIL_TOKEN_MAX_BYTES)
                return SR_E_INVALID_TOKEN;
        unsigned char hash[SR_TOKEN_HASH_BYTES];
        sr_token_hash(token, token_len, hash);
        struct sr_email_change_row ch;
        memset(&ch, 0, sizeof(ch));
        enum sr_region r = SR_REGION_EU;
        enum sr_rc rc = find_change(app, hash, &ch, &r);
        if (rc != SR_OK)
                return rc;
        struct change c;
        memset(&c, 0, sizeof(c));
        snprintf(c.acct.id, sizeof(c.acct.id), "%s", ch.account_id);
        c.acct.region = r;
        /* Expired looks exactly like unknown. */
        if (sr_clock_now() >= ch.expires_at)
                rc = SR_E_INVALID_TOKEN;
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        if (rc == SR_OK)
                rc = sr_store_begin(app->st, r, &tx);
        if (rc == SR_OK)
                rc = activate(app, tx, client, &ch, &c);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        change_fini(&c);
        sr_email_change_row_fini(&ch);
        return rc;
}

enum sr_rc
sr_me_activity(struct sr_app *app, const struct sr_actor *actor, int64_t before_seq,
               unsigned limit, struct sr_audit_row **ret_rows, size_t *ret_n)
{
        return sr_store_audit_list_user(app->st, actor->region, actor->account_id,
                                        actor->user_id, before_seq, limit, ret_rows, ret_n);
}
