/* getMe and changePassword (AUTH-5). */
#include "api/decode.h"
#include "api/handlers.h"
#include "api/render.h"
#include "domain/identity/normalize.h"

enum sr_rc
sr_api_get_me(struct sr_call *call)
{
        struct sr_user_view v;
        enum sr_rc rc = sr_user_me(call->app, call->actor, &v);
        if (rc != SR_OK)
                return rc;
        call->resp = sr_render_user(&v);
        sr_user_view_fini(&v);
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_change_password(struct sr_call *call)
{
        static const char *const fields[] = {"current_password", "new_password", NULL};
        const char *cur, *next;
        size_t cur_len, next_len;
        enum sr_rc rc = sr_decode_fields(call, fields);
        if (rc != SR_OK)
                return rc;
        sr_decode_secret(call, "current_password", true, SR_PASSWORD_MAX_BYTES, &cur, &cur_len);
        /* Over-long new passwords are a policy failure, not a shape error. */
        sr_decode_secret(call, "new_password", true, SR_PASSWORD_MAX_BYTES + 1, &next, &next_len);
        rc = sr_decode_done(call);
        if (rc != SR_OK)
                return rc;
        const char *reason = NULL;
        rc = sr_session_change_password(call->app, call->client, call->actor, cur, cur_len, next,
                                        next_len, &call->issued, &reason);
        if (rc == SR_E_PASSWORD_POLICY && reason != NULL)
                sr_decode_error(call, "new_password", reason);
        if (rc != SR_OK)
                return rc;
        call->resp = sr_render_issued(&call->issued);
        return call->resp ? SR_OK : SR_E_NOMEM;
}
