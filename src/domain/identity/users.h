#pragma once
/* Users of an account (AUTH-1, DATA-2). Usernames, e-mail addresses,
 * phone numbers and names are sealed under the user's own subject key and
 * found through blind indexes; deleting a user shreds that key. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/app.h"
#include "domain/authz/authz.h"

struct sr_user_view {
        char id[SR_ID_LEN + 1];
        char account_id[SR_ID_LEN + 1];
        char *username, *email, *phone, *name; /* NULL when absent or withheld */
        bool personal_data_withheld;
        char state[16];
        bool pw_must_change;
        int64_t created_at, updated_at;
        size_t n_roles;
        struct sr_role_binding roles[SR_ACTOR_MAX_ROLES];
};
void sr_user_view_fini(struct sr_user_view *v);
void sr_user_views_free(struct sr_user_view *v, size_t n);

/* Fields for create and update. For update, a NULL pointer with *_set
 * true clears the field; *_set false leaves it alone. */
struct sr_user_input {
        const char *username;
        const char *email;
        const char *phone;
        const char *name;
        bool username_set, email_set, phone_set, name_set;
        const char *password; /* create only; NULL = generate one-time */
        size_t password_len;
};

/* Resolved target account, from the directory. */
struct sr_account_ref {
        char id[SR_ID_LEN + 1];
        enum sr_region region;
        bool blocked; /* by an operator (blockAccount) */
};
/* Resolves an account id or slug. SR_E_NOT_FOUND otherwise. */
SR_NODISCARD enum sr_rc sr_account_resolve(struct sr_app *app, const char *id_or_slug,
                                           struct sr_account_ref *ret);

/* Inside tx: creates the user row (keys, indexes, ciphertexts), no audit.
 * pw_hash is an argon2id string already computed off the event loop. */
SR_NODISCARD enum sr_rc sr_user_insert_tx(struct sr_app *app, struct sr_tx *tx,
                                          const struct sr_account_ref *acct, const char *user_id,
                                          const struct sr_user_input *in, const char *pw_hash,
                                          bool pw_must_change);
/* createUser (slow: hashes the password). *ret_otp is the generated
 * one-time password when in->password is NULL (caller frees). */
SR_NODISCARD enum sr_rc sr_user_create(struct sr_app *app, const struct sr_client *client,
                                       const struct sr_actor *actor,
                                       const struct sr_account_ref *acct,
                                       const struct sr_user_input *in,
                                       struct sr_user_view *ret, struct sr_secret **ret_otp);
SR_NODISCARD enum sr_rc sr_user_get(struct sr_app *app, const struct sr_actor *actor,
                                    const struct sr_account_ref *acct, const char *user_id,
                                    struct sr_user_view *ret);
/* Up to limit users after cursor (a user id or ""); *ret_next is the
 * cursor for the next page or "" at the end. */
SR_NODISCARD enum sr_rc sr_user_list(struct sr_app *app, const struct sr_actor *actor,
                                     const struct sr_account_ref *acct, const char *cursor,
                                     unsigned limit, struct sr_user_view **ret, size_t *ret_n,
                                     char ret_next[SR_ID_LEN + 1]);
SR_NODISCARD enum sr_rc sr_user_update(struct sr_app *app, const struct sr_client *client,
                                       const struct sr_actor *actor,
                                       const struct sr_account_ref *acct, const char *user_id,
                                       const struct sr_user_input *in, struct sr_user_view *ret);
/* Deletes the user, ends their sessions at once and shreds their key. */
SR_NODISCARD enum sr_rc sr_user_delete(struct sr_app *app, const struct sr_client *client,
                                       const struct sr_actor *actor,
                                       const struct sr_account_ref *acct, const char *user_id);
/* The actor's own record with personal data in clear (getMe). */
SR_NODISCARD enum sr_rc sr_user_me(struct sr_app *app, const struct sr_actor *actor,
                                   struct sr_user_view *ret);
/* Audit actor type: "api_key", "operator" for platform staff, else "user". */
const char *sr_actor_type(const struct sr_app *app, const struct sr_actor *actor);
/* Audit actor id: the key id for API keys, else the user id. */
const char *sr_actor_id(const struct sr_actor *actor);
