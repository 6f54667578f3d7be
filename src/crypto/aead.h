#pragma once
/* Authenticated encryption of personal data: XChaCha20-Poly1305-IETF
 * (libsodium). The stored blob is nonce(24) ‖ ciphertext ‖ tag(16); the
 * associated data binds it to its row and column (DATA-2). */
#include <stddef.h>

#include "util/rc.h"

#define SR_AEAD_KEY_BYTES 32
#define SR_AEAD_OVERHEAD_BYTES (24 + 16)

/* Seals pt under key with ad. *ret_ct is sr_malloc'd (caller frees),
 * *ret_ct_len = pt_len + SR_AEAD_OVERHEAD_BYTES. */
SR_NODISCARD enum sr_rc sr_aead_seal(const unsigned char key[SR_AEAD_KEY_BYTES],
                                     const void *ad, size_t ad_len,
                                     const void *pt, size_t pt_len,
                                     unsigned char **ret_ct, size_t *ret_ct_len);
/* Opens a blob from sr_aead_seal. *ret_pt is sr_malloc'd, NUL-terminated
 * (caller wipes if secret, then frees); SR_E_CRYPTO when forged or when ad
 * differs. */
SR_NODISCARD enum sr_rc sr_aead_open(const unsigned char key[SR_AEAD_KEY_BYTES],
                                     const void *ad, size_t ad_len,
                                     const unsigned char *ct, size_t ct_len,
                                     char **ret_pt, size_t *ret_pt_len);
