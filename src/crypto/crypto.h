#pragma once
/* Start-up of the crypto layer. sr_crypto_init() is called once by whoever
 * starts the program (main.c, each test binary) before any other sr_*
 * crypto call: it runs sodium_init() and builds the dummy argon2id hash that
 * sr_pwhash_verify(NULL, pw) checks against (AUTH-4). */
#include "util/rc.h"

/* Idempotent and thread-safe. SR_E_CRYPTO when libsodium cannot start,
 * SR_E_NOMEM when the dummy hash cannot be built. */
SR_NODISCARD enum sr_rc sr_crypto_init(void);

/* For crypto/pwhash.c only: the dummy "$argon2id$..." string, built once
 * with today's parameters, or NULL when building it failed. */
const char *sr_crypto_pwhash_dummy(void);
