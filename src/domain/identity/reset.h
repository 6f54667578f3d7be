#pragma once
/* Password reset by e-mail (AUTH-6, CONTRACTS.md "Password reset"). */
#include <stddef.h>

#include "domain/app.h"

#define SR_RESET_TOKEN_LIFETIME_S 1800
#define SR_RESET_MAX_PENDING 3
#define SR_RESET_TOKEN_MAX_BYTES 256

/* requestPasswordReset. Returns SR_OK whether or not the account, the user
 * or an e-mail address exists, after the same steps (one write transaction
 * with an audit event). When the user exists, is active, has an e-mail
 * address and fewer than SR_RESET_MAX_PENDING live tokens, a 256-bit token
 * is created (only its SHA-256 stored, valid SR_RESET_TOKEN_LIFETIME_S)
 * and the link <public_url>/reset#token=<token> is queued for mail in the
 * same transaction. Only internal failures (store, memory) are errors. */
SR_NODISCARD enum sr_rc sr_reset_request(struct sr_app *app, const struct sr_client *client,
                                         const char *account_ref, const char *identifier);

/* completePasswordReset (slow: argon2id; worker pool only). A token that
 * is unknown, used or expired is SR_E_INVALID_TOKEN, all alike. Otherwise
 * the new password is checked against the account's profile and the
 * user's history (SR_E_PASSWORD_POLICY with a short reason in *ret_reason
 * leaves the token usable), set, the must-change flag cleared, every
 * session of the user ended (epoch bump), other pending tokens spent,
 * the change audited and a notice mailed, all in one transaction. */
SR_NODISCARD enum sr_rc sr_reset_complete(struct sr_app *app, const struct sr_client *client,
                                          const char *token, size_t token_len,
                                          const char *new_password, size_t new_password_len,
                                          const char **ret_reason);

/* Writes "<public_url>/reset#token=<token>" into out; SR_E_TOO_LARGE when
 * it does not fit. A trailing '/' of public_url is not doubled. */
SR_NODISCARD enum sr_rc sr_reset_link(const char *public_url, const char *token, char *out,
                                      size_t out_len);
