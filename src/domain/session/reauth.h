#pragma once
/* Re-authentication for sensitive changes (CONTRACTS.md): the current
 * password in the body, or a sign-in within the last 5 minutes. */
#include <stddef.h>

#include "domain/session/session.h"

#define SR_REAUTH_WINDOW_S 300

/* SR_OK, SR_E_REAUTH_REQUIRED (no password and an older sign-in) or
 * SR_E_INVALID_CREDENTIALS (wrong password, or the user is locked). A
 * password counts towards the user's lockout like a sign-in (AUTH-3):
 * audited under action (the operation re-authenticated for) as seen from
 * client; one argon2id run at most — call from the worker pool. API keys
 * can never re-authenticate. */
SR_NODISCARD enum sr_rc sr_session_reauth(struct sr_app *app, const struct sr_client *client,
                                          const struct sr_actor *actor,
                                          const struct sr_session_info *session,
                                          const char *password, size_t password_len,
                                          const char *action);
