/* User management (AUTH-1, DATA-2, ACC-4, ACC-7). Access is decided by
 * sr_authz_require only: the route's action first (http layer), then
 * SR_ACT_USERS_PII_READ here to decide whether personal data is shown. */
#include "domain/identity/users.h"

#include <stdio.h>
#include <string.h>

#include "crypto/pwhash.h"
#include "crypto/token.h"
#include "domain/identity/normalize.h"
#include "domain/identity/policy.h"
#include "domain/session/mfa.h"
#include "domain/session/session.h"
#include "util/alloc.h"
#include "util/clock.h"

void
sr_user_view_fini(struct sr_user_view *v)
{
        sr_free(v->username);
        sr_free(v->email);
        sr_free(v->phone);
        sr_free(v->name);
        v->username = v->email = v->phone = v->name = NULL;
}

void
sr_user_views_free(struct sr_user_view *v, size_t n)
{
        for (size_t i = 0; v != NULL && i < n; i++)
                sr_user_view_fini(&v[i]);
        sr_free(v);
}

enum sr_rc
sr_account_resolve(struct sr_app *app, const char *id_or_slug, struct sr_account_ref *ret)
{
        struct sr_dir_account d;
        enum sr_rc rc = sr_store_dir_find(app->st, id_or_slug, &d);
        if (rc != SR_OK)
                return rc;
        if (strcmp(d.state, "pending") == 0)
                return SR_E_NOT_FOUND; /* a sign-up still in progress */
        snprintf(ret->id, sizeof(ret->id), "%s", d.id);
        ret->region = d.region;
        ret->blocked = strcmp(d.state, "blocked") == 0;
        return SR_OK;
}

const char *
sr_actor_type(const struct sr_app *app, const struct sr_actor *actor)
{
        if (actor == NULL)
                return "system";
        if (actor->api_key_id[0] != '\0')
                return "api_key";
        return strcmp(actor->account_id, app->platform_account_id) == 0 ? "operator" : "user";
}

const char *
sr_actor_id(const struct sr_actor *actor)
{
        if (actor == NULL)
                return NULL;
        return actor->api_key_id[0] != '\0' ? actor->api_key_id : actor->user_id;
}

/* Normalised identifiers of an input, each sr_malloc'd or NULL. */
struct normalised {
        char *username, *email, *phone;
};

static void
normalised_fini(struct normalised *n)
{
        sr_free(n->username);
        sr_free(n->email);
        sr_free(n->phone);
}

static enum sr_rc
normalise(const struct sr_user_input *in, struct normalised *out)
{
        enum sr_rc rc = SR_OK;
        if (in->username != NULL)
                rc = sr_norm_username(in->username, &out->username);
        if (rc == SR_OK && in->email != NULL)
                rc = sr_norm_email(in->email, &out->email);
        if (rc == SR_OK && in->phone != NULL)
                rc = sr_norm_phone(in->phone, &out->phone);
        return rc;
}

static enum sr_rc
seal_field(const struct sr_secret *key, const char *account_id, const char *user_id,
           const char *column, const char *value, struct sr_blob *ret)
{
        struct sr_field f = {account_id, "users", column, user_id};
        sr_blob_fini(ret);
        return sr_vault_seal(key, &f, value, value ? strlen(value) : 0, ret);
}

/* Seals and indexes the fields that are set in `in` into row. */
static enum sr_rc
apply_input(struct sr_app *app, const struct sr_account_ref *acct, const struct sr_user_input *in,
            struct sr_user_row *row)
{
        struct normalised n = {0};
        SR_CLEANUP(sr_secret_freep) struct sr_secret *key = NULL;
        enum sr_rc rc = normalise(in, &n);
        if (rc == SR_OK)
                rc = sr_vault_key(app->vault, acct->region, acct->id, row->id, &key);
        if (rc == SR_OK && in->username_set) {
                rc = seal_field(key, acct->id, row->id, "username", n.username, &row->username_ct);
                if (rc == SR_OK)
                        rc = sr_vault_index(app->vault, acct->region, acct->id, "username",
                                            n.username, row->username_bi);
        }
        if (rc == SR_OK && in->email_set) {
                rc = seal_field(key, acct->id, row->id, "email", n.email, &row->email_ct);
                row->has_email = n.email != NULL;
                if (rc == SR_OK && n.email != NULL)
                        rc = sr_vault_index(app->vault, acct->region, acct->id, "email", n.email,
                                            row->email_bi);
        }
        if (rc == SR_OK && in->phone_set) {
                rc = seal_field(key, acct->id, row->id, "phone", n.phone, &row->phone_ct);
                row->has_phone = n.phone != NULL;
                if (rc == SR_OK && n.phone != NULL)
                        rc = sr_vault_index(app->vault, acct->region, acct->id, "phone", n.phone,
                                            row->phone_bi);
        }
        if (rc == SR_OK && in->name_set)
                rc = seal_field(key, acct->id, row->id, "name", in->name, &row->name_ct);
        normalised_fini(&n);
        return rc;
}

enum sr_rc
sr_user_insert_tx(struct sr_app *app, struct sr_tx *tx, const struct sr_account_ref *acct,
                  const char *user_id, const struct sr_user_input *in, const char *pw_hash,
                  bool pw_must_change)
{
        struct sr_user_row row;
        memset(&row, 0, sizeof(row));
        snprintf(row.id, sizeof(row.id), "%s", user_id);
        snprintf(row.account_id, sizeof(row.account_id), "%s", acct->id);
        snprintf(row.pw_hash, sizeof(row.pw_hash), "%s", pw_hash);
        snprintf(row.state, sizeof(row.state), "active");
        row.pw_must_change = pw_must_change;
        row.created_at = row.updated_at = row.pw_changed_at = sr_clock_now();
        row.session_epoch = 1;
        struct sr_user_input all = *in;
        all.username_set = all.email_set = all.phone_set = all.name_set = true;
        enum sr_rc rc = sr_vault_subject_create(app->vault, acct->region, acct->id, user_id);
        if (rc == SR_OK)
                rc = apply_input(app, acct, &all, &row);
        if (rc == SR_OK)
                rc = sr_store_user_insert(tx, &row);
        sr_user_row_fini(&row);
        return rc;
}

static enum sr_rc
load_roles(struct sr_app *app, const struct sr_account_ref *acct, struct sr_user_view *v)
{
        struct sr_grant_row grants[SR_ACTOR_MAX_ROLES];
        size_t n = 0;
        enum sr_rc rc = sr_store_grant_list_user(app->st, acct->region, acct->id, v->id, grants,
                                                 SR_ACTOR_MAX_ROLES, &n);
        if (rc != SR_OK)
                return rc;
        v->n_roles = 0;
        for (size_t i = 0; i < n; i++) {
                enum sr_role role;
                if (sr_role_parse(grants[i].role, &role) != SR_OK)
                        continue;
                v->roles[v->n_roles].role = role;
                snprintf(v->roles[v->n_roles].channel_id, sizeof(v->roles[0].channel_id), "%s",
                         grants[i].channel_id);
                v->n_roles++;
        }
        return SR_OK;
}

static enum sr_rc
open_field(const struct sr_secret *key, const struct sr_user_row *row, const char *column,
           const struct sr_blob *ct, char **ret)
{
        struct sr_field f = {row->account_id, "users", column, row->id};
        return sr_vault_open(key, &f, ct, ret);
}

/* Builds a view; personal data only when show_pii. The username is an
 * identifier colleagues need, so it is shown to every reader. */
static enum sr_rc
view_of(struct sr_app *app, const struct sr_account_ref *acct, const struct sr_user_row *row,
        bool show_pii, const struct sr_actor *self, struct sr_user_view *ret)
{
        struct sr_user_view v;
        memset(&v, 0, sizeof(v));
        snprintf(v.id, sizeof(v.id), "%s", row->id);
        snprintf(v.account_id, sizeof(v.account_id), "%s", row->account_id);
        snprintf(v.state, sizeof(v.state), "%s", row->state);
        v.pw_must_change = row->pw_must_change;
        v.created_at = row->created_at;
        v.updated_at = row->updated_at;
        v.personal_data_withheld = !show_pii;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *key = NULL;
        enum sr_rc rc = sr_vault_key(app->vault, acct->region, acct->id, row->id, &key);
        if (rc == SR_OK)
                rc = open_field(key, row, "username", &row->username_ct, &v.username);
        if (rc == SR_OK && show_pii)
                rc = open_field(key, row, "email", &row->email_ct, &v.email);
        if (rc == SR_OK && show_pii)
                rc = open_field(key, row, "phone", &row->phone_ct, &v.phone);
        if (rc == SR_OK && show_pii)
                rc = open_field(key, row, "name", &row->name_ct, &v.name);
        /* The caller's own roles are already in memory (session check). */
        if (rc == SR_OK && self != NULL) {
                v.n_roles = self->n_roles;
                memcpy(v.roles, self->roles, sizeof(v.roles));
        } else if (rc == SR_OK) {
                rc = load_roles(app, acct, &v);
        }
        if (rc != SR_OK) {
                sr_user_view_fini(&v);
                return rc;
        }
        *ret = v;
        return SR_OK;
}

static bool
may_see_pii(const struct sr_actor *actor, const struct sr_account_ref *acct)
{
        struct sr_scope scope = {acct->id, NULL};
        return sr_authz_require(actor, SR_ACT_USERS_PII_READ, &scope) == SR_OK;
}

static enum sr_rc
new_password_hash(struct sr_app *app, const struct sr_account_ref *acct,
                  const struct sr_user_input *in, char hash[SR_PWHASH_STR_BYTES],
                  struct sr_secret **ret_otp)
{
        SR_CLEANUP(sr_secret_freep) struct sr_secret *pw = NULL;
        enum sr_rc rc;
        if (in->password != NULL) {
                /* AUTH-2: the account's profile (a new user has no history). */
                rc = sr_norm_password(in->password, in->password_len, &pw);
                if (rc == SR_OK)
                        rc = sr_password_prepare(app, acct, NULL, pw, hash, NULL);
        } else {
                rc = sr_token_new(&pw);
                if (rc == SR_OK)
                        rc = sr_pwhash_hash(pw, hash);
        }
        if (rc == SR_OK && in->password == NULL)
                *ret_otp = SR_TAKE(pw);
        return rc;
}

enum sr_rc
sr_user_create(struct sr_app *app, const struct sr_client *client, const struct sr_actor *actor,
               const struct sr_account_ref *acct, const struct sr_user_input *in,
               struct sr_user_view *ret, struct sr_secret **ret_otp)
{
        char hash[SR_PWHASH_STR_BYTES];
        struct sr_secret *otp = NULL;
        char user_id[SR_ID_LEN + 1];
        sr_id_new(user_id);
        enum sr_rc rc = new_password_hash(app, acct, in, hash, &otp);
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        if (rc == SR_OK)
                rc = sr_store_begin(app->st, acct->region, &tx);
        /* AUTH-2: a password someone else chose must be changed at first
         * sign-in. */
        if (rc == SR_OK)
                rc = sr_user_insert_tx(app, tx, acct, user_id, in, hash, true);
        struct sr_audit_event ev = {sr_actor_id(actor), sr_actor_type(app, actor), "createUser", "user",
                                    user_id, "success", client->ip_prefix, client->request_id};
        if (rc == SR_OK)
                rc = sr_audit_append(app->audit, tx, acct->id, &ev);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        if (rc != SR_OK) {
                sr_secret_free(otp);
                /* The user row never committed: drop its key too. */
                sr_rc_ignore(sr_vault_subject_shred(app->vault, acct->region, acct->id, user_id));
                return rc;
        }
        rc = sr_user_get(app, actor, acct, user_id, ret);
        if (rc != SR_OK) {
                sr_secret_free(otp);
                return rc;
        }
        *ret_otp = otp;
        return SR_OK;
}

enum sr_rc
sr_user_get(struct sr_app *app, const struct sr_actor *actor, const struct sr_account_ref *acct,
            const char *user_id, struct sr_user_view *ret)
{
        struct sr_user_row row;
        enum sr_rc rc = sr_store_user_get(app->st, acct->region, acct->id, user_id, &row);
        if (rc != SR_OK)
                return rc;
        rc = view_of(app, acct, &row, may_see_pii(actor, acct), NULL, ret);
        sr_user_row_fini(&row);
        return rc;
}

enum sr_rc
sr_user_me(struct sr_app *app, const struct sr_actor *actor, struct sr_user_view *ret)
{
        struct sr_account_ref acct;
        snprintf(acct.id, sizeof(acct.id), "%s", actor->account_id);
        acct.region = actor->region;
        struct sr_user_row row;
        enum sr_rc rc = sr_store_user_get(app->st, acct.region, acct.id, actor->user_id, &row);
        if (rc != SR_OK)
                return rc == SR_E_NOT_FOUND ? SR_E_UNAUTHENTICATED : rc;
        rc = view_of(app, &acct, &row, true, actor, ret);
        sr_user_row_fini(&row);
        return rc;
}

enum sr_rc
sr_user_list(struct sr_app *app, const struct sr_actor *actor, const struct sr_account_ref *acct,
             const char *cursor, unsigned limit, struct sr_user_view **ret, size_t *ret_n,
             char ret_next[SR_ID_LEN + 1])
{
        struct sr_user_row *rows = NULL;
        size_t n = 0;
        /* One extra row tells whether there is a next page. */
        enum sr_rc rc = sr_store_user_list(app->st, acct->region, acct->id, cursor, limit + 1,
                                           &rows, &n);
        if (rc != SR_OK)
                return rc;
        size_t shown = n > limit ? limit : n;
        struct sr_user_view *views = sr_calloc(shown ? shown : 1, sizeof(*views));
        if (views == NULL)
                rc = SR_E_NOMEM;
        bool pii = may_see_pii(actor, acct);
        size_t done = 0;
        for (; rc == SR_OK && done < shown; done++)
                rc = view_of(app, acct, &rows[done], pii, NULL, &views[done]);
        if (rc == SR_OK) {
                snprintf(ret_next, SR_ID_LEN + 1, "%s", n > limit ? rows[shown - 1].id : "");
                *ret = views;
                *ret_n = shown;
                views = NULL;
        }
        sr_user_views_free(views, rc == SR_OK ? 0 : done);
        sr_user_rows_free(rows, n);
        return rc;
}

enum sr_rc
sr_user_update(struct sr_app *app, const struct sr_client *client, const struct sr_actor *actor,
               const struct sr_account_ref *acct, const char *user_id,
               const struct sr_user_input *in, struct sr_user_view *ret)
{
        if (in->username_set && in->username == NULL)
                return SR_E_VALIDATION;
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        struct sr_user_row row;
        memset(&row, 0, sizeof(row));
        enum sr_rc rc = sr_store_begin(app->st, acct->region, &tx);
        if (rc == SR_OK)
                rc = sr_store_user_get(app->st, acct->region, acct->id, user_id, &row);
        if (rc == SR_OK)
                rc = apply_input(app, acct, in, &row);
        if (rc == SR_OK) {
                row.updated_at = sr_clock_now();
                rc = sr_store_user_update(tx, &row);
        }
        struct sr_audit_event ev = {sr_actor_id(actor), sr_actor_type(app, actor), "updateUser", "user",
                                    user_id, "success", client->ip_prefix, client->request_id};
        if (rc == SR_OK)
                rc = sr_audit_append(app->audit, tx, acct->id, &ev);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        sr_user_row_fini(&row);
        if (rc != SR_OK)
                return rc;
        sr_session_user_changed(app, user_id);
        return sr_user_get(app, actor, acct, user_id, ret);
}

enum sr_rc
sr_user_delete(struct sr_app *app, const struct sr_client *client, const struct sr_actor *actor,
               const struct sr_account_ref *acct, const char *user_id)
{
        /* PRIV-3 order: shred the key first. A crash after this leaves an
         * unreadable row, never a readable one. */
        struct sr_user_row row;
        enum sr_rc rc = sr_store_user_get(app->st, acct->region, acct->id, user_id, &row);
        if (rc != SR_OK)
                return rc;
        sr_user_row_fini(&row);
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        rc = sr_store_begin(app->st, acct->region, &tx);
        if (rc == SR_OK)
                rc = sr_session_revoke_user_tx(tx, acct->id, user_id, NULL);
        if (rc == SR_OK)
                rc = sr_store_grant_delete_user(tx, acct->id, user_id);
        if (rc == SR_OK)
                rc = sr_password_forget_user_tx(tx, acct->id, user_id);
        if (rc == SR_OK) /* AUTH-8, AUTH-3: second factor and known devices */
                rc = sr_mfa_forget_user_tx(tx, acct->id, user_id);
        if (rc == SR_OK)
                rc = sr_store_user_delete(tx, acct->id, user_id);
        struct sr_audit_event ev = {sr_actor_id(actor), sr_actor_type(app, actor), "deleteUser", "user",
                                    user_id, "success", client->ip_prefix, client->request_id};
        if (rc == SR_OK)
                rc = sr_audit_append(app->audit, tx, acct->id, &ev);
        if (rc == SR_OK)
                rc = sr_vault_subject_shred(app->vault, acct->region, acct->id, user_id);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        sr_session_user_changed(app, user_id);
        return rc;
}
