/* enrollTotp, confirmTotp, deleteTotp, regenerateRecoveryCodes and
 * verifySecondFactor (AUTH-8; AUTH-3 for the bucket and the lockout of
 * code guesses). Codes are checked for shape here (422); whether they are
 * right is the domain's business. */
#include <string.h>

#include "api/decode.h"
#include "api/handlers.h"
#include "api/render.h"
#include "domain/identity/normalize.h"
#include "domain/session/mfa.h"
#include "domain/session/signin.h"
#include "domain/session/totp.h"

static json_t *
render_codes(const struct sr_recovery_codes *c)
{
        json_t *arr = json_array();
        for (size_t i = 0; arr != NULL && i < SR_RECOVERY_CODES; i++)
                if (json_array_append_new(arr, json_stringn((const char *)c->code[i]->bytes,
                                                            c->code[i]->len)) != 0) {
                        json_decref(arr);
                        arr = NULL;
                }
        return arr ? json_pack("{s:o}", "recovery_codes", arr) : NULL;
}

enum sr_rc
sr_api_enroll_totp(struct sr_call *call)
{
        struct sr_secret *secret = NULL, *uri = NULL;
        enum sr_rc rc = sr_mfa_enroll(call->app, call->client, call->actor, &secret, &uri);
        if (rc != SR_OK)
                return rc;
        call->resp = json_pack("{s:s%, s:s%}", "secret", (const char *)secret->bytes, secret->len,
                               "otpauth_uri", (const char *)uri->bytes, uri->len);
        sr_secret_free(secret);
        sr_secret_free(uri);
        call->status = 201;
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_confirm_totp(struct sr_call *call)
{
        static const char *const fields[] = {"code", NULL};
        const char *code = NULL;
        enum sr_rc rc = sr_decode_fields(call, fields);
        if (rc != SR_OK)
                return rc;
        sr_decode_string(call, "code", true, 1, 16, &code);
        if (code != NULL && !sr_totp_code_format_ok(code))
                sr_decode_error(call, "code", "must be 6 digits");
        rc = sr_decode_done(call);
        if (rc != SR_OK)
                return rc;
        struct sr_recovery_codes codes;
        rc = sr_mfa_confirm(call->app, call->client, call->actor, code, &codes);
        if (rc == SR_E_VALIDATION)
                sr_decode_error(call, "code", "does not match the enrolled secret");
        if (rc != SR_OK)
                return rc;
        call->resp = render_codes(&codes);
        sr_recovery_codes_fini(&codes);
        return call->resp ? SR_OK : SR_E_NOMEM;
}

/* {current_password?} of a sensitive change; the body itself is optional. */
static enum sr_rc
decode_reauth(struct sr_call *call, const char **ret_pw, size_t *ret_len)
{
        static const char *const fields[] = {"current_password", NULL};
        enum sr_rc rc = sr_decode_fields(call, fields);
        if (rc != SR_OK)
                return rc;
        sr_decode_secret(call, "current_password", false, SR_PASSWORD_MAX_BYTES, ret_pw, ret_len);
        return sr_decode_done(call);
}

enum sr_rc
sr_api_delete_totp(struct sr_call *call)
{
        const char *pw = NULL;
        size_t len = 0;
        enum sr_rc rc = decode_reauth(call, &pw, &len);
        if (rc == SR_OK)
                rc = sr_mfa_delete(call->app, call->client, call->actor, call->session, pw, len);
        if (rc != SR_OK)
                return rc;
        call->status = 204;
        return SR_OK;
}

enum sr_rc
sr_api_regenerate_recovery_codes(struct sr_call *call)
{
        const char *pw = NULL;
        size_t len = 0;
        struct sr_recovery_codes codes;
        enum sr_rc rc = decode_reauth(call, &pw, &len);
        if (rc == SR_OK)
                rc = sr_mfa_regenerate(call->app, call->client, call->actor, call->session, pw,
                                       len, &codes);
        if (rc != SR_OK)
                return rc;
        call->resp = render_codes(&codes);
        sr_recovery_codes_fini(&codes);
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_verify_second_factor(struct sr_call *call)
{
        static const char *const fields[] = {"challenge", "code", NULL};
        const char *challenge = NULL, *code = NULL;
        /* AUTH-3: the per-address bucket was taken before queueing
         * (SR_ROUTE_THROTTLED in http/server.c). */
        enum sr_rc rc = sr_decode_fields(call, fields);
        if (rc != SR_OK)
                return rc;
        sr_decode_string(call, "challenge", true, 1, SR_SESSION_TOKEN_MAX, &challenge);
        sr_decode_string(call, "code", true, 1, 16, &code);
        if (code != NULL && !sr_second_factor_code_format_ok(code))
                sr_decode_error(call, "code", "must be 6 digits or a recovery code");
        rc = sr_decode_done(call);
        if (rc != SR_OK)
                return rc;
        rc = sr_session_verify_second_factor(call->app, call->client, challenge, code,
                                             call->device_cookie, &call->issued);
        if (rc != SR_OK)
                return rc;
        call->resp = sr_render_issued(&call->issued);
        call->status = 201;
        return call->resp ? SR_OK : SR_E_NOMEM;
}
