/* requestPasswordReset, completePasswordReset and the reset page the
 * e-mailed link opens (AUTH-6). */
#include "api/decode.h"
#include "api/handlers.h"
#include "domain/identity/normalize.h"
#include "domain/identity/reset.h"

extern const char sr_web_reset_html[];
extern const char sr_web_reset_js[];

enum sr_rc
sr_api_request_password_reset(struct sr_call *call)
{
        static const char *const fields[] = {"account", "identifier", NULL};
        const char *account, *identifier;
        enum sr_rc rc = sr_decode_fields(call, fields);
        if (rc != SR_OK)
                return rc;
        sr_decode_string(call, "account", true, 1, 64, &account);
        sr_decode_string(call, "identifier", true, 1, 254, &identifier);
        rc = sr_decode_done(call);
        if (rc == SR_OK)
                rc = sr_reset_request(call->app, call->client, account, identifier);
        if (rc != SR_OK)
                return rc;
        call->resp = json_pack("{s:s}", "status", "accepted");
        call->status = 202;
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_complete_password_reset(struct sr_call *call)
{
        static const char *const fields[] = {"token", "new_password", NULL};
        const char *token, *pw;
        size_t token_len, pw_len;
        enum sr_rc rc = sr_decode_fields(call, fields);
        if (rc != SR_OK)
                return rc;
        sr_decode_secret(call, "token", true, SR_RESET_TOKEN_MAX_BYTES, &token, &token_len);
        /* Over-long new passwords are a policy failure, not a shape error. */
        sr_decode_secret(call, "new_password", true, SR_PASSWORD_MAX_BYTES + 1, &pw, &pw_len);
        rc = sr_decode_done(call);
        const char *reason = NULL;
        if (rc == SR_OK)
                rc = sr_reset_complete(call->app, call->client, token, token_len, pw, pw_len,
                                       &reason);
        if (rc == SR_E_PASSWORD_POLICY && reason != NULL)
                sr_decode_error(call, "new_password", reason);
        if (rc != SR_OK)
                return rc;
        call->resp = json_pack("{s:s}", "status", "password_changed");
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_get_reset_page(struct sr_call *call)
{
        call->text_body = sr_web_reset_html;
        call->text_type = "text/html; charset=utf-8";
        return SR_OK;
}

enum sr_rc
sr_api_get_reset_script(struct sr_call *call)
{
        call->text_body = sr_web_reset_js;
        call->text_type = "text/javascript; charset=utf-8";
        return SR_OK;
}
