#pragma once
/* Status codes. Every function that can fail returns one; SR_OK is 0.
 * http/problem.c maps each code to an HTTP status and a stable `code`. */

#define SR_NODISCARD __attribute__((warn_unused_result))
#define SR_CLEANUP(f) __attribute__((cleanup(f)))
#define SR_UNUSED __attribute__((unused))

/* Hand a pointer over and leave NULL behind, so the cleanup attribute
 * of the giver does not free it. */
#define SR_TAKE(p)                                                             \
        ({                                                                     \
                __typeof__(p) _sr_take_tmp = (p);                              \
                (p) = NULL;                                                    \
                _sr_take_tmp;                                                  \
        })

enum sr_rc {
        SR_OK = 0,
        SR_E_NOMEM,
        SR_E_INVALID_JSON,
        SR_E_UNKNOWN_FIELD,
        SR_E_INVALID_REQUEST,
        SR_E_HTTPS_REQUIRED,
        SR_E_UNAUTHENTICATED,
        SR_E_INVALID_CREDENTIALS,
        SR_E_FORBIDDEN,
        SR_E_CSRF,
        SR_E_PASSWORD_CHANGE_REQUIRED,
        SR_E_REAUTH_REQUIRED,
        SR_E_IP_NOT_ALLOWED,
        SR_E_NOT_FOUND,
        SR_E_METHOD_NOT_ALLOWED,
        SR_E_CONFLICT,
        SR_E_TOO_LARGE,
        SR_E_UNSUPPORTED_MEDIA,
        SR_E_VALIDATION,
        SR_E_PASSWORD_POLICY,
        SR_E_INVALID_PHONE,
        SR_E_RATE_LIMITED,
        SR_E_BUSY,
        SR_E_IO,
        SR_E_STORE,
        SR_E_CRYPTO,
        SR_E_INTERNAL,
        SR_E_INVALID_TOKEN, /* reset/verification link used, expired or forged */
        SR_E__COUNT
};

/* A short, stable, lower-case name ("not_found"); never NULL. */
const char *sr_rc_name(enum sr_rc rc);

/* Drops a status on purpose; the call site says why in a comment. */
static inline void
sr_rc_ignore(enum sr_rc rc)
{
        (void)rc;
}
