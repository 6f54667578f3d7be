/* Authenticated encryption for personal data and wrapped keys (DATA-2,
 * DATA-4): XChaCha20-Poly1305-IETF with a fresh random 24-byte nonce per
 * message, stored as nonce ‖ ciphertext ‖ tag. The caller's associated data
 * (row, column, owner id) is authenticated, so a blob moved to another row
 * or column fails to open. Key management lives in keyring.c, not here. */
#include "crypto/aead.h"

#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "util/alloc.h"

#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES

_Static_assert(SR_AEAD_KEY_BYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
               "aead key size");
_Static_assert(SR_AEAD_OVERHEAD_BYTES == NONCE_BYTES + TAG_BYTES, "aead overhead");

enum sr_rc
sr_aead_seal(const unsigned char key[SR_AEAD_KEY_BYTES], const void *ad, size_t ad_len,
             const void *pt, size_t pt_len, unsigned char **ret_ct, size_t *ret_ct_len)
{
        if ((pt == NULL && pt_len > 0) || (ad == NULL && ad_len > 0))
                return SR_E_INTERNAL;
        if (pt_len > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX ||
            pt_len > SIZE_MAX - SR_AEAD_OVERHEAD_BYTES)
                return SR_E_TOO_LARGE;
        size_t ct_len = pt_len + SR_AEAD_OVERHEAD_BYTES;
        unsigned char *ct = sr_malloc(ct_len);
        if (ct == NULL)
                return SR_E_NOMEM;

        /* DATA-2: a random 192-bit nonce per message never repeats in practice. */
        randombytes_buf(ct, NONCE_BYTES);
        unsigned long long out_len = 0;
        if (crypto_aead_xchacha20poly1305_ietf_encrypt(ct + NONCE_BYTES, &out_len, pt, pt_len,
                                                       ad, ad_len, NULL, ct, key) != 0) {
                sodium_memzero(ct, ct_len);
                sr_free(ct);
                return SR_E_CRYPTO;
        }
        *ret_ct = ct;
        *ret_ct_len = ct_len;
        return SR_OK;
}

enum sr_rc
sr_aead_open(const unsigned char key[SR_AEAD_KEY_BYTES], const void *ad, size_t ad_len,
             const unsigned char *ct, size_t ct_len, char **ret_pt, size_t *ret_pt_len)
{
        if ((ct == NULL && ct_len > 0) || (ad == NULL && ad_len > 0))
                return SR_E_INTERNAL;
        if (ct_len < SR_AEAD_OVERHEAD_BYTES)
                return SR_E_CRYPTO;
        size_t pt_len = ct_len - SR_AEAD_OVERHEAD_BYTES;
        unsigned char *pt = sr_malloc(pt_len + 1);
        if (pt == NULL)
                return SR_E_NOMEM;

        unsigned long long out_len = 0;
        if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &out_len, NULL, ct + NONCE_BYTES,
                                                       ct_len - NONCE_BYTES, ad, ad_len, ct,
                                                       key) != 0) {
                /* Forged, truncated, or bound to other associated data. */
                sodium_memzero(pt, pt_len + 1);
                sr_free(pt);
                return SR_E_CRYPTO;
        }
        pt[pt_len] = '\0';
        *ret_pt = (char *)pt;
        *ret_pt_len = pt_len;
        return SR_OK;
}
