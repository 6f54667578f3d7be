#pragma once
/* Self-service profile changes and activity (AUTH-5, AUTH-9): updateMe,
 * verifyEmail, listMyActivity. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/app.h"
#include "domain/authz/authz.h"
#include "domain/identity/users.h"
#include "domain/session/session.h"

#define SR_EMAIL_VERIFY_LIFETIME_S 86400
#define SR_EMAIL_TOKEN_MAX_BYTES 256

/* updateMe fields; *_set false leaves a field alone, a NULL value with
 * *_set true clears it. */
struct sr_me_update {
        const char *name, *email, *phone;
        bool name_set, email_set, phone_set;
        const char *current_password; /* NULL when not given */
        size_t current_password_len;
};

/* updateMe (slow when current_password is given: argon2id). A changed
 * e-mail or phone needs re-authentication (current password or a sign-in
 * within 5 minutes; else SR_E_REAUTH_REQUIRED). A new e-mail address is
 * only pending until verified: a link goes to it and a notice to the old
 * address. A new phone number is announced by mail to the account's
 * e-mail address. *ret is the user afterwards (getMe view) and
 * *ret_email_pending whether an e-mail change awaits verification. */
SR_NODISCARD enum sr_rc sr_me_update(struct sr_app *app, const struct sr_client *client,
                                     const struct sr_actor *actor,
                                     const struct sr_session_info *session,
                                     const struct sr_me_update *in, struct sr_user_view *ret,
                                     bool *ret_email_pending);

/* verifyEmail (public): makes the pending address of the token's user
 * active (sign-in and reset use it from now on). SR_E_INVALID_TOKEN for
 * unknown, used or expired tokens alike; SR_E_CONFLICT when another user
 * of the account took the address meanwhile. */
SR_NODISCARD enum sr_rc sr_me_verify_email(struct sr_app *app, const struct sr_client *client,
                                           const char *token, size_t token_len);

/* Whether the actor has an e-mail change awaiting verification. */
SR_NODISCARD enum sr_rc sr_me_email_pending(struct sr_app *app, const struct sr_actor *actor,
                                            bool *ret);

/* listMyActivity: audit events where the actor is the actor or the
 * target, newest first, seq < before_seq (0 = newest). Rows sr_malloc'd. */
SR_NODISCARD enum sr_rc sr_me_activity(struct sr_app *app, const struct sr_actor *actor,
                                       int64_t before_seq, unsigned limit,
                                       struct sr_audit_row **ret_rows, size_t *ret_n);
