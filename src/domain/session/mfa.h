#pragma once
/* The user's own second factor (AUTH-8): TOTP enrolment and confirmation,
 * recovery codes, removal. The TOTP secret is sealed under the user's
 * subject key; recovery codes are stored only as keyed hashes. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/session/session.h"
#include "store/signin.h"

#define SR_RECOVERY_CODES 10
#define SR_RECOVERY_CODE_CHARS 11 /* "xxxxx-xxxxx" */

struct sr_recovery_codes {
        struct sr_secret *code[SR_RECOVERY_CODES]; /* text; shown once */
};
void sr_recovery_codes_fini(struct sr_recovery_codes *c);

/* enrollTotp: a new unconfirmed secret (replacing an unconfirmed one).
 * SR_E_CONFLICT when TOTP is already confirmed. *ret_secret is base32,
 * *ret_uri the otpauth:// URI (both secrets; caller frees). */
SR_NODISCARD enum sr_rc sr_mfa_enroll(struct sr_app *app, const struct sr_client *client,
                                      const struct sr_actor *actor, struct sr_secret **ret_secret,
                                      struct sr_secret **ret_uri);
/* confirmTotp: a first code turns TOTP on and yields the recovery codes.
 * SR_E_CONFLICT without a pending enrolment, SR_E_VALIDATION for a wrong
 * code. */
SR_NODISCARD enum sr_rc sr_mfa_confirm(struct sr_app *app, const struct sr_client *client,
                                       const struct sr_actor *actor, const char *code,
                                       struct sr_recovery_codes *ret);
/* deleteTotp (re-authentication: password, or a sign-in within 5 min;
 * slow when a password is given). SR_E_NOT_FOUND without TOTP. */
SR_NODISCARD enum sr_rc sr_mfa_delete(struct sr_app *app, const struct sr_client *client,
                                      const struct sr_actor *actor,
                                      const struct sr_session_info *session,
                                      const char *password, size_t password_len);
/* regenerateRecoveryCodes (re-authentication as for delete).
 * SR_E_CONFLICT without confirmed TOTP. */
SR_NODISCARD enum sr_rc sr_mfa_regenerate(struct sr_app *app, const struct sr_client *client,
                                          const struct sr_actor *actor,
                                          const struct sr_session_info *session,
                                          const char *password, size_t password_len,
                                          struct sr_recovery_codes *ret);

/* Does the user have confirmed TOTP? (for password policy: nist accepts
 * 8 characters with a second factor). */
SR_NODISCARD enum sr_rc sr_mfa_has_totp(struct sr_app *app, const struct sr_account_ref *acct,
                                        const char *user_id, bool *ret);

/* Inside the transaction that deletes a user: their TOTP enrolment,
 * recovery codes, challenges and known devices go too. */
SR_NODISCARD enum sr_rc sr_mfa_forget_user_tx(struct sr_tx *tx, const char *account_id,
                                              const char *user_id);

/* Internal to domain/session. The user's enrolment: SR_E_NOT_FOUND when
 * none; *ret_secret is the opened base32 secret (caller frees). */
SR_NODISCARD enum sr_rc sr_mfa_load(struct sr_app *app, const struct sr_account_ref *acct,
                                    const char *user_id, bool *ret_confirmed,
                                    int64_t *ret_last_step, struct sr_secret **ret_secret);
/* True when code looks like a recovery code (10 base32 characters, an
 * optional dash after the fifth). */
bool sr_mfa_recovery_format_ok(const char *code);
/* Keyed hash of a recovery code for user_id (case and dash ignored). */
SR_NODISCARD enum sr_rc sr_mfa_recovery_hash(struct sr_app *app, const char *user_id,
                                             const char *code, unsigned char ret[SR_HASH_LEN]);
