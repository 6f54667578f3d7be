/* Names for status codes, used in logs and as problem-document codes. */
#include "util/rc.h"

#include <stddef.h>

static const char *const names[SR_E__COUNT] = {
        [SR_OK] = "ok",
        [SR_E_NOMEM] = "internal_error",
        [SR_E_INVALID_JSON] = "invalid_json",
        [SR_E_UNKNOWN_FIELD] = "unknown_field",
        [SR_E_INVALID_REQUEST] = "invalid_request",
        [SR_E_HTTPS_REQUIRED] = "https_required",
        [SR_E_UNAUTHENTICATED] = "unauthenticated",
        [SR_E_INVALID_CREDENTIALS] = "invalid_credentials",
        [SR_E_FORBIDDEN] = "forbidden",
        [SR_E_CSRF] = "csrf_failed",
        [SR_E_PASSWORD_CHANGE_REQUIRED] = "password_change_required",
        [SR_E_REAUTH_REQUIRED] = "reauthentication_required",
        [SR_E_IP_NOT_ALLOWED] = "ip_not_allowed",
        [SR_E_NOT_FOUND] = "not_found",
        [SR_E_METHOD_NOT_ALLOWED] = "method_not_allowed",
        [SR_E_CONFLICT] = "conflict",
        [SR_E_TOO_LARGE] = "payload_too_large",
        [SR_E_UNSUPPORTED_MEDIA] = "unsupported_media_type",
        [SR_E_VALIDATION] = "validation_failed",
        [SR_E_PASSWORD_POLICY] = "password_policy",
        [SR_E_INVALID_PHONE] = "invalid_phone",
        [SR_E_RATE_LIMITED] = "rate_limited",
        [SR_E_BUSY] = "busy",
        [SR_E_IO] = "internal_error",
        [SR_E_STORE] = "internal_error",
        [SR_E_CRYPTO] = "internal_error",
        [SR_E_INTERNAL] = "internal_error",
        [SR_E_INVALID_TOKEN] = "invalid_token",
};

const char *
sr_rc_name(enum sr_rc rc)
{
        if ((unsigned)rc >= SR_E__COUNT || names[rc] == NULL)
                return "internal_error";
        return names[rc];
}
