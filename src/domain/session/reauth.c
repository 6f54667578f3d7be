/* Re-authentication check shared by every sensitive operation. */
#include "domain/session/reauth.h"

#include <stdio.h>

#include "domain/session/signin.h"
#include "util/clock.h"

enum sr_rc
sr_session_reauth(struct sr_app *app, const struct sr_client *client,
                  const struct sr_actor *actor, const struct sr_session_info *session,
                  const char *password, size_t password_len, const char *action)
{
        if (actor->api_key_id[0] != '\0' || session == NULL)
                return SR_E_REAUTH_REQUIRED;
        if (password == NULL)
                return sr_clock_now() - session->created_at <= SR_REAUTH_WINDOW_S
                               ? SR_OK
                               : SR_E_REAUTH_REQUIRED;
        /* AUTH-3: a stolen session must not be a way round the lockout. */
        struct sr_account_ref acct = {.region = actor->region};
        snprintf(acct.id, sizeof(acct.id), "%s", actor->account_id);
        return sr_signin_check_password(app, client, &acct, actor->user_id, password,
                                        password_len, action);
}
