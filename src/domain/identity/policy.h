#pragma once
/* The account's password profile in the store, and setting a password
 * under it (AUTH-2, AUTH-5): rules, no reuse of the last N passwords,
 * argon2id, history bookkeeping, and expiry at sign-in. */
#include <stdbool.h>
#include <stdint.h>

#include "crypto/pwhash.h"
#include "domain/app.h"
#include "domain/authz/authz.h"
#include "domain/identity/password.h"
#include "domain/identity/users.h"

/* The account's profile; the `nist` preset when it never chose one. */
SR_NODISCARD enum sr_rc sr_password_policy_get(struct sr_app *app,
                                               const struct sr_account_ref *acct,
                                               struct sr_password_policy *ret);
/* updatePasswordPolicy: validates, stores and audits the whole profile.
 * SR_E_VALIDATION with the bad field's name in *ret_field. */
SR_NODISCARD enum sr_rc sr_password_policy_set(struct sr_app *app, const struct sr_client *client,
                                               const struct sr_actor *actor,
                                               const struct sr_account_ref *acct,
                                               const struct sr_password_policy *in,
                                               const char **ret_field);

/* Does the user have a confirmed second factor (TOTP)? Then nist accepts
 * 8 characters instead of 15. */
SR_NODISCARD enum sr_rc sr_password_has_second_factor(struct sr_app *app,
                                                      const struct sr_account_ref *acct,
                                                      const char *user_id, bool *ret);

/* Slow (argon2id; worker pool only). Checks an NFC-normalised new password
 * against the account's profile and, for an existing user (row not NULL),
 * against their current and last history_count - 1 earlier passwords,
 * then hashes it into ret_hash. SR_E_PASSWORD_POLICY with a reason (see
 * sr_password_check, plus "reused") in *ret_reason (may be NULL). */
SR_NODISCARD enum sr_rc sr_password_prepare(struct sr_app *app, const struct sr_account_ref *acct,
                                            const struct sr_user_row *row,
                                            const struct sr_secret *pw,
                                            char ret_hash[SR_PWHASH_STR_BYTES],
                                            const char **ret_reason);
/* Inside the transaction that replaces a user's password: remembers the
 * old hash for the no-reuse rule and keeps only as many as the profile
 * needs (none for history_count <= 1). */
SR_NODISCARD enum sr_rc sr_password_history_push_tx(struct sr_app *app, struct sr_tx *tx,
                                                    const struct sr_account_ref *acct,
                                                    const char *user_id, const char *old_hash);
/* Inside a sign-in transaction (AUTH-2): when the account's profile has a
 * maximum age and row's password is older, sets row->pw_must_change and
 * writes the row, so the session is held to changePassword. Call
 * sr_session_user_changed(app, row->id) after the commit. */
SR_NODISCARD enum sr_rc sr_password_expiry_mark_tx(struct sr_app *app, struct sr_tx *tx,
                                                   const struct sr_account_ref *acct,
                                                   struct sr_user_row *row);
/* Inside the transaction that deletes a user: drops their password
 * history and any pending e-mail change. */
SR_NODISCARD enum sr_rc sr_password_forget_user_tx(struct sr_tx *tx, const char *account_id,
                                                   const char *user_id);
