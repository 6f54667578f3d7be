/* Status codes and problem bodies (CONTRACTS.md "Errors"). */
#include "http/problem.h"

#include <stdio.h>

struct problem_text {
        unsigned status;
        const char *title;
        const char *detail;
};

static struct problem_text
text_of(enum sr_rc rc)
{
        switch (rc) {
        case SR_E_INVALID_JSON:
                return (struct problem_text){400, "Invalid JSON",
                                             "The request body is not a well-formed UTF-8 JSON object."};
        case SR_E_UNKNOWN_FIELD:
                return (struct problem_text){400, "Unknown field",
                                             "The request body has a field this operation does not accept."};
        case SR_E_INVALID_REQUEST:
                return (struct problem_text){400, "Invalid request",
                                             "The path, query or headers are malformed."};
        case SR_E_INVALID_TOKEN:
                return (struct problem_text){400, "Invalid or expired link",
                                             "This link is not valid: it was already used, has expired or was never issued. Ask for a new one."};
        case SR_E_HTTPS_REQUIRED:
                return (struct problem_text){400, "HTTPS required",
                                             "This server answers data requests over HTTPS only."};
        case SR_E_UNAUTHENTICATED:
                return (struct problem_text){401, "Unauthenticated",
                                             "A valid session or API key is required."};
        case SR_E_INVALID_CREDENTIALS:
                return (struct problem_text){401, "Invalid credentials",
                                             "The account, identifier or password is wrong."};
        case SR_E_FORBIDDEN:
                return (struct problem_text){403, "Forbidden",
                                             "You may not perform this operation."};
        case SR_E_CSRF:
                return (struct problem_text){403, "CSRF check failed",
                                             "Cookie requests that change state need a same-origin Origin and X-CSRF-Token."};
        case SR_E_PASSWORD_CHANGE_REQUIRED:
                return (struct problem_text){403, "Password change required",
                                             "Change your password before doing anything else."};
        case SR_E_REAUTH_REQUIRED:
                return (struct problem_text){403, "Re-authentication required",
                                             "Give your current password or sign in again."};
        case SR_E_IP_NOT_ALLOWED:
                return (struct problem_text){403, "Address not allowed",
                                             "This account does not accept requests from your address."};
        case SR_E_NOT_FOUND:
                return (struct problem_text){404, "Not found", "No such resource."};
        case SR_E_METHOD_NOT_ALLOWED:
                return (struct problem_text){405, "Method not allowed",
                                             "This resource does not support that method."};
        case SR_E_CONFLICT:
                return (struct problem_text){409, "Conflict",
                                             "The request conflicts with existing data."};
        case SR_E_TOO_LARGE:
                return (struct problem_text){413, "Payload too large",
                                             "The request body exceeds the limit."};
        case SR_E_UNSUPPORTED_MEDIA:
                return (struct problem_text){415, "Unsupported media type",
                                             "Send the body as application/json."};
        case SR_E_VALIDATION:
                return (struct problem_text){422, "Validation failed",
                                             "One or more fields are invalid; see errors."};
        case SR_E_PASSWORD_POLICY:
                return (struct problem_text){422, "Password policy",
                                             "The password does not meet the account's password policy."};
        case SR_E_INVALID_PHONE:
                return (struct problem_text){422, "Invalid phone number",
                                             "Phone numbers must be in E.164 form, e.g. +14155550123."};
        case SR_E_RATE_LIMITED:
                return (struct problem_text){429, "Too many requests", "Try again later."};
        case SR_E_BUSY:
                return (struct problem_text){503, "Busy", "The server is busy; try again shortly."};
        default:
                return (struct problem_text){500, "Internal error",
                                             "The server could not complete the request."};
        }
}

unsigned
sr_problem_status(enum sr_rc rc)
{
        return text_of(rc).status;
}

json_t *
sr_problem_new(enum sr_rc rc, const struct sr_call *call)
{
        struct problem_text t = text_of(rc);
        const char *code = sr_rc_name(rc);
        char type[96];
        snprintf(type, sizeof(type), "https://strongroom.dev/problems/%s", code);
        const char *detail = call != NULL && call->problem_detail != NULL ? call->problem_detail
                                                                           : t.detail;
        json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", type, "title", t.title,
                              "status", (int)t.status, "detail", detail, "code", code);
        if (o == NULL || call == NULL || call->n_errors == 0)
                return o;
        json_t *errs = json_array();
        for (size_t i = 0; errs != NULL && i < call->n_errors; i++)
                json_array_append_new(errs, json_pack("{s:s, s:s}", "field",
                                                      call->errors[i].field, "reason",
                                                      call->errors[i].reason));
        if (errs != NULL)
                json_object_set_new(o, "errors", errs);
        return o;
}
