#pragma once
/* The access model (ACC-1 … ACC-9): channels inside an account, role
 * grants with delegation, session revocation, IP allowlists, scoped API
 * keys and support access grants. Every function decides access only
 * through sr_authz_require / sr_authz_may_grant, writes its audit event in
 * the same transaction and, where rights shrink, bumps the affected
 * users' session epochs so every token stops on the very next request. */
#include <stdbool.h>
#include <stdint.h>

#include "domain/app.h"
#include "domain/authz/authz.h"
#include "domain/identity/users.h"
#include "store/access.h"

/* ---- channels (ACC-1) ---- */
struct sr_channel_input {
        const char *name;        /* required on create */
        const char *description; /* optional */
        bool description_set;
};
SR_NODISCARD enum sr_rc sr_channel_create(struct sr_app *app, const struct sr_client *client,
                                          const struct sr_actor *actor,
                                          const struct sr_account_ref *acct,
                                          const struct sr_channel_input *in,
                                          struct sr_channel_row *ret);
SR_NODISCARD enum sr_rc sr_channel_get(struct sr_app *app, const struct sr_actor *actor,
                                       const struct sr_account_ref *acct, const char *channel_id,
                                       struct sr_channel_row *ret);
/* Channels the actor may read (all of them for account-level readers). */
SR_NODISCARD enum sr_rc sr_channel_list(struct sr_app *app, const struct sr_actor *actor,
                                        const struct sr_account_ref *acct, const char *cursor,
                                        unsigned limit, struct sr_channel_row **ret,
                                        size_t *ret_n, char ret_next[SR_ID_LEN + 1]);
SR_NODISCARD enum sr_rc sr_channel_update(struct sr_app *app, const struct sr_client *client,
                                          const struct sr_actor *actor,
                                          const struct sr_account_ref *acct,
                                          const char *channel_id,
                                          const struct sr_channel_input *in,
                                          struct sr_channel_row *ret);
/* Deletes the channel and its grants; holders lose their sessions. */
SR_NODISCARD enum sr_rc sr_channel_delete(struct sr_app *app, const struct sr_client *client,
                                          const struct sr_actor *actor,
                                          const struct sr_account_ref *acct,
                                          const char *channel_id);

/* ---- role grants (ACC-2, ACC-3) ---- */
SR_NODISCARD enum sr_rc sr_grant_create(struct sr_app *app, const struct sr_client *client,
                                        const struct sr_actor *actor,
                                        const struct sr_account_ref *acct, const char *user_id,
                                        enum sr_role role, const char *channel_id,
                                        struct sr_grant_row *ret);
/* Removes a grant and ends every session of its holder (ACC-3). */
SR_NODISCARD enum sr_rc sr_grant_revoke(struct sr_app *app, const struct sr_client *client,
                                        const struct sr_actor *actor,
                                        const struct sr_account_ref *acct, const char *grant_id);
SR_NODISCARD enum sr_rc sr_grant_list(struct sr_app *app, const struct sr_actor *actor,
                                      const struct sr_account_ref *acct, const char *user_id,
                                      const char *channel_id, const char *cursor, unsigned limit,
                                      struct sr_grant_row **ret, size_t *ret_n,
                                      char ret_next[SR_ID_LEN + 1]);

/* ---- sessions (ACC-5) ---- */
/* "Sign out everywhere": by the user themself or a manager. */
SR_NODISCARD enum sr_rc sr_sessions_revoke_user(struct sr_app *app, const struct sr_client *client,
                                                const struct sr_actor *actor,
                                                const struct sr_account_ref *acct,
                                                const char *user_id);
struct sr_session_summary {
        char id[SR_ID_LEN + 1];
        char ip_prefix[64];
        char browser[32], os[32];
        int64_t created_at, last_seen_at, expires_at;
        bool current;
};
SR_NODISCARD enum sr_rc sr_sessions_list_mine(struct sr_app *app, const struct sr_actor *actor,
                                              struct sr_session_summary **ret, size_t *ret_n);
SR_NODISCARD enum sr_rc sr_sessions_delete_mine(struct sr_app *app,
                                                const struct sr_client *client,
                                                const struct sr_actor *actor,
                                                const char *session_id);

/* ---- IP allowlist (ACC-8) ---- */
#define SR_ALLOWLIST_MAX 64
/* *ret is an sr_malloc'd comma-separated list ("" = no list). */
SR_NODISCARD enum sr_rc sr_allowlist_get(struct sr_app *app, const struct sr_account_ref *acct,
                                         char **ret);
/* cidrs: n strings. SR_E_CONFLICT when the list excludes the caller's own
 * address and confirm_self_lockout is false. */
SR_NODISCARD enum sr_rc sr_allowlist_set(struct sr_app *app, const struct sr_client *client,
                                         const struct sr_actor *actor,
                                         const struct sr_account_ref *acct,
                                         const char *const *cidrs, size_t n,
                                         bool confirm_self_lockout);
/* Size of one cached list (for the map in struct sr_app). */
size_t sr_allowlist_entry_size(void);
/* SR_OK when the account has no list or client->ip is on it; otherwise
 * SR_E_IP_NOT_ALLOWED and an audit event in the account's chain. */
SR_NODISCARD enum sr_rc sr_allowlist_check(struct sr_app *app, const struct sr_client *client,
                                           const char *account_id, enum sr_region region,
                                           const char *actor_id);

/* ---- API keys (ACC-9) ---- */
struct sr_api_key_issued {
        struct sr_api_key_row row;
        struct sr_secret *secret; /* shown once */
};
SR_NODISCARD enum sr_rc sr_api_key_create(struct sr_app *app, const struct sr_client *client,
                                          const struct sr_actor *actor,
                                          const struct sr_account_ref *acct, const char *name,
                                          unsigned scopes, const char *channel_id,
                                          int64_t expires_at, struct sr_api_key_issued *ret);
SR_NODISCARD enum sr_rc sr_api_key_revoke(struct sr_app *app, const struct sr_client *client,
                                          const struct sr_actor *actor,
                                          const struct sr_account_ref *acct, const char *key_id);
SR_NODISCARD enum sr_rc sr_api_key_list(struct sr_app *app, const struct sr_account_ref *acct,
                                        const char *cursor, unsigned limit,
                                        struct sr_api_key_row **ret, size_t *ret_n,
                                        char ret_next[SR_ID_LEN + 1]);
/* Resolves "sk_<REGION>.<secret>" into an actor acting for its creator
 * with the key's scopes. SR_E_UNAUTHENTICATED for anything wrong
 * (unknown, revoked, expired, creator gone or blocked). */
SR_NODISCARD enum sr_rc sr_api_key_authenticate(struct sr_app *app, const char *secret,
                                                size_t len, struct sr_actor *ret_actor);
bool sr_api_key_looks_like(const char *token);

/* ---- support access (ACC-7) ---- */
SR_NODISCARD enum sr_rc sr_support_grant_create(struct sr_app *app,
                                                const struct sr_client *client,
                                                const struct sr_actor *actor,
                                                const struct sr_account_ref *acct,
                                                const char *grantee_user_id, int64_t expires_at,
                                                const char *reason,
                                                struct sr_support_grant_row *ret);
SR_NODISCARD enum sr_rc sr_support_grant_revoke(struct sr_app *app,
                                                const struct sr_client *client,
                                                const struct sr_actor *actor,
                                                const struct sr_account_ref *acct,
                                                const char *grant_id);
SR_NODISCARD enum sr_rc sr_support_grant_list(struct sr_app *app,
                                              const struct sr_account_ref *acct,
                                              struct sr_support_grant_row **ret, size_t *ret_n);
/* For platform staff acting on acct: sets actor->support_account_id when
 * a live grant exists. */
SR_NODISCARD enum sr_rc sr_support_apply(struct sr_app *app, struct sr_actor *actor,
                                         const struct sr_account_ref *acct);
/* After the access decision: records a request made under a support grant
 * (allowed or refused) in acct's audit chain. No-op without a grant. */
SR_NODISCARD enum sr_rc sr_support_record(struct sr_app *app, const struct sr_client *client,
                                          const struct sr_actor *actor,
                                          const struct sr_account_ref *acct,
                                          const char *operation_id, enum sr_rc decision);
