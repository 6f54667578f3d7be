/* Password policy evaluation (AUTH-2). */
#include "domain/identity/password.h"

#include "domain/identity/normalize.h"

enum sr_rc
sr_password_check(const struct sr_secret *pw)
{
        if (pw->len > SR_PASSWORD_MAX_BYTES)
                return SR_E_PASSWORD_POLICY;
        if (sr_norm_codepoints(pw->bytes, pw->len) < SR_PASSWORD_MIN_CHARS_NIST)
                return SR_E_PASSWORD_POLICY;
        return SR_OK;
}
