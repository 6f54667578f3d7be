/* Blind indexes (DATA-2): HMAC-SHA-256(index_key, kind ‖ 0x00 ‖ value), so
 * an exact-match look-up (e-mail, phone, username) needs no plaintext in the
 * store. The 0x00 keeps ("ab", "c") and ("a", "bc") apart; kind is a C
 * string and cannot contain one. Normalising the value (NFC, lower case,
 * E.164) is the caller's job, and the per-account key comes from keyring.c. */
#include "crypto/blindidx.h"

#include <string.h>

#include <sodium.h>

_Static_assert(SR_BLINDIDX_BYTES == crypto_auth_hmacsha256_BYTES, "blind index size");

void
sr_blindidx(const unsigned char key[SR_BLINDIDX_KEY_BYTES], const char *kind,
            const void *value, size_t value_len, unsigned char ret[SR_BLINDIDX_BYTES])
{
        static const unsigned char sep = 0x00;
        crypto_auth_hmacsha256_state st;
        /* These return 0 on every input in libsodium: there is no error to
         * pass on, which is why sr_blindidx() returns void. */
        (void)crypto_auth_hmacsha256_init(&st, key, SR_BLINDIDX_KEY_BYTES);
        if (kind != NULL)
                (void)crypto_auth_hmacsha256_update(&st, (const unsigned char *)kind,
                                                    strlen(kind));
        (void)crypto_auth_hmacsha256_update(&st, &sep, 1);
        if (value_len > 0)
                (void)crypto_auth_hmacsha256_update(&st, value, value_len);
        (void)crypto_auth_hmacsha256_final(&st, ret);
        sodium_memzero(&st, sizeof(st)); /* holds key-derived pads */
}
