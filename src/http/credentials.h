#pragma once
/* Which credential a request carries: an `Authorization: Bearer` header
 * wins over the session cookie; any other Authorization scheme is refused
 * rather than ignored (no fallback to a cookie the caller did not mean). */

enum sr_cred_kind { SR_CRED_NONE, SR_CRED_BEARER, SR_CRED_COOKIE, SR_CRED_BAD };

/* authorization and cookie_token may be NULL. *ret_token points into one
 * of them and is set only for SR_CRED_BEARER and SR_CRED_COOKIE. */
enum sr_cred_kind sr_http_credential(const char *authorization, const char *cookie_token,
                                     const char **ret_token);
