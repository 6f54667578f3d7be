#pragma once
/* Sign-in hardening (AUTH-3, AUTH-8, ACC-6): the per-address bucket, the
 * second-factor step of sign-in, and helpers shared with mfa.c. The
 * password step itself is sr_session_signin (session.h). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/mail/mail.h"
#include "domain/session/session.h"

#define SR_CHALLENGE_TTL_S 300
#define SR_CHALLENGE_MAX_TRIES 5

/* AUTH-3: takes a token from the client address's bucket (IPv4 address,
 * IPv6 /64). SR_E_RATE_LIMITED with *ret_retry_after_s when empty. Call
 * before anything else in createSession and verifySecondFactor. */
SR_NODISCARD enum sr_rc sr_signin_throttle(struct sr_app *app, const struct sr_client *client,
                                           int64_t *ret_retry_after_s);
/* Periodic: forgets buckets that are full again. */
void sr_signin_sweep(struct sr_app *app);

/* verifySecondFactor (AUTH-8): completes the sign-in a challenge stands
 * for with a TOTP or recovery code. Every failure is
 * SR_E_INVALID_CREDENTIALS; failures count towards the lockout (AUTH-3). */
SR_NODISCARD enum sr_rc sr_session_verify_second_factor(struct sr_app *app,
                                                        const struct sr_client *client,
                                                        const char *challenge, const char *code,
                                                        const char *device_cookie,
                                                        struct sr_session_issued *ret);
/* Re-authentication with a password (AUTH-3; sr_session_reauth): the
 * password step of a sign-in without the session. The attempt is counted
 * on the user before the one argon2id run, so parallel guesses cannot
 * pass the threshold. A locked user is refused without a check (audited
 * as denied); a wrong password is a counted failure (the one that reaches
 * the threshold locks the user, is audited as a lockout and told by
 * e-mail); the right one resets the count. action names the operation in
 * the audit trail. SR_OK, SR_E_INVALID_CREDENTIALS (locked or wrong),
 * SR_E_UNAUTHENTICATED (no such user) or a store error. */
SR_NODISCARD enum sr_rc sr_signin_check_password(struct sr_app *app,
                                                 const struct sr_client *client,
                                                 const struct sr_account_ref *acct,
                                                 const char *user_id, const char *password,
                                                 size_t password_len, const char *action);

/* True when code has the shape of a TOTP code (6 digits) or a recovery
 * code (xxxxx-xxxxx, base32); anything else is a 422. */
bool sr_second_factor_code_format_ok(const char *code);

/* Inside tx: queues kind for the user's e-mail address, if they have one. */
SR_NODISCARD enum sr_rc sr_signin_notify_tx(struct sr_app *app, struct sr_tx *tx,
                                            const struct sr_account_ref *acct,
                                            const struct sr_user_row *row,
                                            enum sr_mail_kind kind, const char *param);
