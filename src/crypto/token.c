/* Bearer tokens and ids. A token is 32 bytes from randombytes_buf() written
 * as base64url without padding, handed out once in a struct sr_secret; only
 * its SHA-256 is stored, so a database leak gives no usable session or
 * reset link (AUTH-4, DATA-5). Ids are 16 random bytes in lower-case hex,
 * never sequential. Looking a token up by its hash is the store's job. */
#include "crypto/token.h"

#include <string.h>

#include <sodium.h>

#define TOKEN_RAW_BYTES 32
#define ID_RAW_BYTES 16
#define B64_VARIANT sodium_base64_VARIANT_URLSAFE_NO_PADDING

_Static_assert(sodium_base64_ENCODED_LEN(TOKEN_RAW_BYTES, B64_VARIANT) == SR_TOKEN_CHARS + 1,
               "token length");
_Static_assert(SR_TOKEN_HASH_BYTES == crypto_hash_sha256_BYTES, "token hash size");
_Static_assert(SR_ID_CHARS == 2 * ID_RAW_BYTES, "id length");

enum sr_rc
sr_token_new(struct sr_secret **ret)
{
        unsigned char raw[TOKEN_RAW_BYTES];
        char text[SR_TOKEN_CHARS + 1];
        randombytes_buf(raw, sizeof(raw));
        /* Returns text; the size is checked at compile time above. */
        (void)sodium_bin2base64(text, sizeof(text), raw, sizeof(raw), B64_VARIANT);
        struct sr_secret *s = NULL;
        enum sr_rc rc = sr_secret_new(text, SR_TOKEN_CHARS, &s);
        sodium_memzero(raw, sizeof(raw));
        sodium_memzero(text, sizeof(text));
        if (rc != SR_OK)
                return rc;
        *ret = s;
        return SR_OK;
}

void
sr_token_hash(const void *token, size_t len, unsigned char ret_hash[SR_TOKEN_HASH_BYTES])
{
        (void)crypto_hash_sha256(ret_hash, token, len); /* always 0 */
}

void
sr_hex(const unsigned char *in, size_t n, char *out)
{
        (void)sodium_bin2hex(out, 2 * n + 1, in, n); /* returns out */
}

void
sr_id_new(char out[SR_ID_CHARS + 1])
{
        unsigned char raw[ID_RAW_BYTES];
        randombytes_buf(raw, sizeof(raw));
        sr_hex(raw, sizeof(raw), out);
}

int
sr_id_valid(const char *s)
{
        if (s == NULL)
                return 0;
        for (size_t i = 0; i < SR_ID_CHARS; i++) {
                char c = s[i];
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
                        return 0; /* also stops at a NUL before the end */
        }
        return s[SR_ID_CHARS] == '\0';
}
