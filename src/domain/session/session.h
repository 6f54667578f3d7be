#pragma once
/* Sessions (AUTH-7, ACC-3, ACC-5). A session token is
 * "<REGION>.<256-bit base64url>"; only its SHA-256 is stored. The hot path
 * (sr_session_authenticate) is an in-memory lookup plus the epoch check:
 * bumping a user's session epoch ends every session of that user on the
 * very next request. Last-seen times are kept in memory and written back
 * in batches by sr_session_sweep. */
#include <stdbool.h>
#include <stdint.h>

#include "domain/app.h"
#include "domain/cluster/cluster.h"
#include "domain/authz/authz.h"
#include "domain/identity/users.h"

#define SR_SESSION_TOKEN_MAX 64
#define SR_CSRF_TOKEN_CHARS 43

struct sr_session_issued {
        char session_id[SR_ID_LEN + 1];
        struct sr_secret *token; /* text; shown once */
        int64_t expires_at, idle_expires_at;
        bool pw_change_required;
        /* AUTH-8: a second factor is pending: token is NULL and challenge
         * (text, shown once) goes to verifySecondFactor. */
        bool second_factor_required;
        struct sr_secret *challenge;
        int64_t challenge_expires_at;
        /* AUTH-8: the account requires a second factor the user has not
         * enrolled: the session can only enrol (see sr_actor). */
        bool second_factor_setup_required;
        /* AUTH-3: a new device id for the __Host-sr_device cookie. */
        struct sr_secret *device_cookie;
};
void sr_session_issued_fini(struct sr_session_issued *s);

struct sr_session_info {
        char session_id[SR_ID_LEN + 1];
        char user_id[SR_ID_LEN + 1];
        char account_id[SR_ID_LEN + 1];
        int64_t created_at, expires_at, idle_expires_at;
        bool pw_change_required;
};

SR_NODISCARD enum sr_rc sr_session_state_init(struct sr_app *app);

/* Password sign-in (slow: one argon2id run whatever the outcome). Every
 * failure is SR_E_INVALID_CREDENTIALS (AUTH-3: locked and blocked users
 * too). device_cookie is the incoming __Host-sr_device value or NULL.
 * With TOTP, ret carries a challenge instead of a token (AUTH-8).
 * Implemented in signin.c. */
SR_NODISCARD enum sr_rc sr_session_signin(struct sr_app *app, const struct sr_client *client,
                                          const char *account_ref, const char *identifier,
                                          const char *password, size_t password_len,
                                          const char *device_cookie,
                                          struct sr_session_issued *ret);

/* What sign-in and the session check need to know about an account,
 * cached in memory (dropped by sr_session_account_changed). */
struct sr_account_facts {
        int64_t idle_timeout_s, max_lifetime_s;
        bool blocked;               /* ACC-6: directory state */
        bool require_second_factor; /* AUTH-8 */
        int64_t lockout_threshold, lockout_period_s; /* AUTH-3 */
        uint64_t loaded_ms; /* when cached (sr_cluster_fresh) */
};
SR_NODISCARD enum sr_rc sr_session_account_facts(struct sr_app *app, enum sr_region r,
                                                 const char *account_id,
                                                 struct sr_account_facts *ret);
/* Internal to domain/session: inserts a session row inside tx, caches it
 * and fills the token part of ret. */
SR_NODISCARD enum sr_rc sr_session_issue_tx(struct sr_app *app, struct sr_tx *tx,
                                            const struct sr_client *client,
                                            const struct sr_account_ref *acct,
                                            const char *user_id, int64_t epoch, bool must_change,
                                            struct sr_session_issued *ret);
/* Forgets cached facts of every user of an account and its in-memory
 * sessions (ACC-6 account block). */
void sr_session_account_users_changed(struct sr_app *app, const char *account_id);
/* Resolves a token into an actor. SR_E_UNAUTHENTICATED for anything wrong
 * (unknown, expired, idle, revoked, blocked). Refreshes last-seen. */
SR_NODISCARD enum sr_rc sr_session_authenticate(struct sr_app *app, const char *token,
                                                size_t token_len, struct sr_actor *ret_actor,
                                                struct sr_session_info *ret_info);
/* Ends the actor's session (deleteSession). */
SR_NODISCARD enum sr_rc sr_session_end(struct sr_app *app, const struct sr_client *client,
                                       const struct sr_actor *actor);
/* changePassword: verifies current (slow), applies policy, ends every
 * other session and issues a new token for the caller. On
 * SR_E_PASSWORD_POLICY, *ret_reason (may be NULL) says which rule
 * (see sr_password_check, plus "reused"). */
SR_NODISCARD enum sr_rc sr_session_change_password(struct sr_app *app,
                                                   const struct sr_client *client,
                                                   const struct sr_actor *actor,
                                                   const char *current, size_t current_len,
                                                   const char *next, size_t next_len,
                                                   struct sr_session_issued *ret,
                                                   const char **ret_reason);
/* CSRF token bound to the session (43 chars + NUL). */
void sr_session_csrf_token(struct sr_app *app, const struct sr_actor *actor,
                           char out[SR_CSRF_TOKEN_CHARS + 1]);
bool sr_session_csrf_ok(struct sr_app *app, const struct sr_actor *actor, const char *header);

/* Inside tx: bump the user's epoch and delete their sessions except
 * keep_session_id (NULL = all). Call sr_session_user_changed after commit. */
SR_NODISCARD enum sr_rc sr_session_revoke_user_tx(struct sr_tx *tx, const char *account_id,
                                                  const char *user_id,
                                                  const char *keep_session_id);
/* Forgets cached facts about a user (epoch, roles, state) after a commit,
 * on every node (domain/cluster). */
void sr_session_user_changed(struct sr_app *app, const char *user_id);
/* This node's copy only: what a cluster message asks for. */
void sr_session_forget(struct sr_app *app, enum sr_cluster_fact fact, const char *id);
void sr_session_forget_all(struct sr_app *app);
/* Forgets cached account settings after a commit. */
void sr_session_account_changed(struct sr_app *app, const char *account_id);
/* Periodic: drops dead sessions from memory and writes last-seen back. */
void sr_session_sweep(struct sr_app *app);
/* An actor for user_id with their current roles and state, without a
 * session (API keys act for their creator). region SR_REGION__COUNT means
 * "look it up". SR_E_UNAUTHENTICATED when the user is gone or blocked. */
SR_NODISCARD enum sr_rc sr_session_user_actor(struct sr_app *app, enum sr_region region,
                                              const char *account_id, const char *user_id,
                                              struct sr_actor *ret);
/* Number of sessions held in memory (metrics). */
size_t sr_session_count(struct sr_app *app);
