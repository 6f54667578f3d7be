/* Re-authentication check shared by every sensitive operation. */
#include "domain/session/reauth.h"

#include "crypto/pwhash.h"
#include "domain/identity/normalize.h"
#include "util/clock.h"

enum sr_rc
sr_session_reauth(struct sr_app *app, const struct sr_actor *actor,
                  const struct sr_session_info *session, const char *password,
                  size_t password_len)
{
        if (actor->api_key_id[0] != '\0' || session == NULL)
                return SR_E_REAUTH_REQUIRED;
        if (password == NULL)
                return sr_clock_now() - session->created_at <= SR_REAUTH_WINDOW_S
                               ? SR_OK
                               : SR_E_REAUTH_REQUIRED;
        struct sr_user_row row;
        enum sr_rc rc = sr_store_user_get(app->st, actor->region, actor->account_id,
                                          actor->user_id, &row);
        if (rc != SR_OK)
                return rc == SR_E_NOT_FOUND ? SR_E_UNAUTHENTICATED : rc;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *pw = NULL;
        rc = sr_norm_password(password, password_len, &pw);
        if (rc == SR_OK)
                rc = sr_pwhash_verify(row.pw_hash, pw);
        else
                rc = SR_E_INVALID_CREDENTIALS;
        sr_user_row_fini(&row);
        return rc;
}
