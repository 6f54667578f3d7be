/* Credential extraction from request headers (fuzzed: fuzz_credentials). */
#include "http/credentials.h"

#include <stddef.h>
#include <strings.h>

enum sr_cred_kind
sr_http_credential(const char *authorization, const char *cookie_token, const char **ret_token)
{
        if (authorization != NULL) {
                if (strncasecmp(authorization, "Bearer ", 7) != 0)
                        return SR_CRED_BAD;
                const char *t = authorization + 7;
                while (*t == ' ')
                        t++;
                if (*t == '\0')
                        return SR_CRED_BAD;
                *ret_token = t;
                return SR_CRED_BEARER;
        }
        if (cookie_token != NULL && cookie_token[0] != '\0') {
                *ret_token = cookie_token;
                return SR_CRED_COOKIE;
        }
        return SR_CRED_NONE;
}
