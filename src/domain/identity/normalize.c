/* Identifier and password normalisation (AUTH-1). NFC and case folding
 * come from libunistring, never from hand-written tables. */
#include "domain/identity/normalize.h"

#include <ctype.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <uninorm.h>
#include <unistr.h>

#include "util/alloc.h"

enum sr_rc
sr_norm_username(const char *in, char **ret)
{
        size_t n = strlen(in);
        if (n == 0 || n > 64)
                return SR_E_VALIDATION;
        char *out = sr_malloc(n + 1);
        if (out == NULL)
                return SR_E_NOMEM;
        for (size_t i = 0; i < n; i++) {
                char c = (char)tolower((unsigned char)in[i]);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                      c == '-')) {
                        sr_free(out);
                        return SR_E_VALIDATION;
                }
                out[i] = c;
        }
        out[n] = '\0';
        *ret = out;
        return SR_OK;
}

static char *
nfc_lower(const char *in, size_t len)
{
        size_t out_len = 0;
        uint8_t *low = u8_tolower((const uint8_t *)in, len, NULL, UNINORM_NFC, NULL, &out_len);
        if (low == NULL)
                return NULL;
        char *out = sr_strndup((const char *)low, out_len);
        free(low);
        return out;
}

enum sr_rc
sr_norm_email(const char *in, char **ret)
{
        while (*in == ' ' || *in == '\t' || *in == '\r' || *in == '\n')
                in++;
        size_t n = strlen(in);
        while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\t' || in[n - 1] == '\r' ||
                         in[n - 1] == '\n'))
                n--;
        if (n < 3 || n > 254 || u8_check((const uint8_t *)in, n) != NULL)
                return SR_E_VALIDATION;
        const char *at = memchr(in, '@', n);
        if (at == NULL || at == in || at == in + n - 1 || memchr(at + 1, '@', n - (size_t)(at - in) - 1))
                return SR_E_VALIDATION;
        /* No spaces, controls or the characters that would need quoting
         * in a mail header: such an address could smuggle a header. */
        for (size_t i = 0; i < n; i++)
                if ((unsigned char)in[i] <= ' ' || in[i] == 0x7f || strchr("<>\",;()\\[]:", in[i]))
                        return SR_E_VALIDATION;
        char *out = nfc_lower(in, n);
        if (out == NULL)
                return SR_E_NOMEM;
        *ret = out;
        return SR_OK;
}

enum sr_rc
sr_norm_phone(const char *in, char **ret)
{
        size_t n = strlen(in);
        /* E.164: '+', a non-zero digit, up to 15 digits in all. */
        if (n < 8 || n > 16 || in[0] != '+' || in[1] < '1' || in[1] > '9')
                return SR_E_INVALID_PHONE;
        for (size_t i = 1; i < n; i++)
                if (in[i] < '0' || in[i] > '9')
                        return SR_E_INVALID_PHONE;
        char *out = sr_strdup(in);
        if (out == NULL)
                return SR_E_NOMEM;
        *ret = out;
        return SR_OK;
}

enum sr_ident_kind
sr_norm_ident_kind(const char *in)
{
        if (strchr(in, '@') != NULL)
                return SR_IDENT_EMAIL;
        if (in[0] == '+')
                return SR_IDENT_PHONE;
        return SR_IDENT_USERNAME;
}

enum sr_rc
sr_norm_password(const char *in, size_t len, struct sr_secret **ret)
{
        if (len > SR_PASSWORD_MAX_BYTES)
                return SR_E_PASSWORD_POLICY;
        if (u8_check((const uint8_t *)in, len) != NULL || memchr(in, 0, len) != NULL)
                return SR_E_VALIDATION;
        size_t out_len = 0;
        uint8_t *nfc = u8_normalize(UNINORM_NFC, (const uint8_t *)in, len, NULL, &out_len);
        if (nfc == NULL)
                return SR_E_NOMEM;
        enum sr_rc rc = out_len > SR_PASSWORD_MAX_BYTES ? SR_E_PASSWORD_POLICY
                                                        : sr_secret_new(nfc, out_len, ret);
        sodium_memzero(nfc, out_len);
        free(nfc);
        return rc;
}

size_t
sr_norm_codepoints(const unsigned char *s, size_t len)
{
        return u8_mbsnlen(s, len);
}
