/* createSession, getCurrentSession, deleteSession (AUTH-1, AUTH-3,
 * AUTH-7, AUTH-8). */
#include <string.h>

#include "api/decode.h"
#include "api/render.h"
#include "api/handlers.h"
#include "domain/identity/normalize.h"
#include "domain/session/signin.h"

enum sr_rc
sr_api_create_session(struct sr_call *call)
{
        static const char *const fields[] = {"account", "identifier", "password", NULL};
        const char *account, *identifier, *password;
        size_t password_len;
        /* AUTH-3: the per-address bucket was taken before queueing
         * (SR_ROUTE_THROTTLED in http/server.c). */
        enum sr_rc rc = sr_decode_fields(call, fields);
        if (rc != SR_OK)
                return rc;
        sr_decode_string(call, "account", true, 1, 64, &account);
        sr_decode_string(call, "identifier", true, 1, 254, &identifier);
        sr_decode_secret(call, "password", true, SR_PASSWORD_MAX_BYTES, &password, &password_len);
        rc = sr_decode_done(call);
        if (rc != SR_OK)
                return rc;
        rc = sr_session_signin(call->app, call->client, account, identifier, password,
                               password_len, call->device_cookie, &call->issued);
        if (rc != SR_OK)
                return rc;
        call->resp = sr_render_issued(&call->issued);
        call->status = 201;
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_get_current_session(struct sr_call *call)
{
        char csrf[SR_CSRF_TOKEN_CHARS + 1];
        sr_session_csrf_token(call->app, call->actor, csrf);
        const struct sr_session_info *s = call->session;
        call->resp = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:b}", "session_id",
                               s->session_id, "user_id", s->user_id, "account_id", s->account_id,
                               "created_at", sr_json_time(s->created_at), "expires_at",
                               sr_json_time(s->expires_at), "idle_expires_at",
                               sr_json_time(s->idle_expires_at), "csrf_token", csrf,
                               "password_change_required", s->pw_change_required);
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_delete_session(struct sr_call *call)
{
        enum sr_rc rc = sr_session_end(call->app, call->client, call->actor);
        if (rc != SR_OK)
                return rc;
        call->clear_cookie = true;
        call->status = 204;
        return SR_OK;
}
