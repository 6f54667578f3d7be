#pragma once
/* importUsers (AUTH-4): users from another system with their bcrypt or
 * SHA-crypt password hashes, kept as they are until each user's first
 * successful sign-in re-hashes the password with argon2id. */
#include <stddef.h>

#include "domain/app.h"
#include "domain/authz/authz.h"
#include "domain/identity/users.h"

#define SR_IMPORT_MAX_USERS 1000

struct sr_import_user {
        const char *username;
        const char *email; /* optional */
        const char *phone; /* optional, E.164 */
        const char *name;  /* optional */
        const char *password_hash;
};

struct sr_import_failure {
        size_t index;
        const char *reason; /* static text, no personal data */
};

/* Checks one entry before anything is written: identifiers normalise and
 * the hash is a well-formed bcrypt or SHA-crypt string. SR_E_VALIDATION
 * (or SR_E_INVALID_PHONE) with the field name and a reason. */
SR_NODISCARD enum sr_rc sr_user_import_check(const struct sr_import_user *u,
                                             const char **ret_field, const char **ret_reason);

/* Imports n (<= SR_IMPORT_MAX_USERS) entries that passed
 * sr_user_import_check, in one transaction with one audit event per user.
 * An entry whose username, e-mail or phone is already taken (in the
 * account or earlier in the same call) is skipped and reported in
 * ret_failed (room for n entries), the others are imported. */
SR_NODISCARD enum sr_rc sr_user_import(struct sr_app *app, const struct sr_client *client,
                                       const struct sr_actor *actor,
                                       const struct sr_account_ref *acct,
                                       const struct sr_import_user *users, size_t n,
                                       size_t *ret_imported,
                                       struct sr_import_failure *ret_failed,
                                       size_t *ret_n_failed);
