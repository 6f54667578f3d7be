#pragma once
/* Imported password hashes (AUTH-4): bcrypt ($2a$, $2b$, $2y$) and
 * SHA-crypt ($5$, $6$) strings from other systems, verified through
 * libcrypt (crypt_rn, the crypt_r variant of libxcrypt). They are kept
 * only until the user's next successful sign-in, which replaces them with
 * argon2id (sr_pwhash_needs_rehash is true for them). bcrypt looks at the
 * first 72 bytes of a password only. */
#include <stdbool.h>
#include <stddef.h>

#include "crypto/secret.h"
#include "util/rc.h"

/* Longest accepted legacy string (SHA-512-crypt with rounds=1000000). */
#define SR_LEGACY_HASH_MAX 140
/* Cost ceilings: an imported hash is verified at sign-in in the worker
 * pool, so its cost must stay near one argon2id run. */
#define SR_LEGACY_BCRYPT_COST_MAX 14
#define SR_LEGACY_SHACRYPT_ROUNDS_MAX 1000000

/* True when s starts with a legacy prefix ($2a$ $2b$ $2y$ $5$ $6$),
 * whether or not the rest is well formed. */
bool sr_pwhash_is_legacy(const char *s);
/* Strict syntax check of an imported hash: prefix, cost or rounds within
 * the ceilings above, salt and digest of the exact length and alphabet,
 * and canonical final characters (crypt_r would never reproduce a
 * non-canonical string, so such a hash could never verify). On failure
 * *ret_reason says why in a few words (no hash material). */
SR_NODISCARD enum sr_rc sr_pwhash_legacy_check(const char *s, const char **ret_reason);
/* SR_OK when password matches the legacy hash stored, compared in
 * constant time; SR_E_INVALID_CREDENTIALS otherwise (also for a malformed
 * string); SR_E_NOMEM when libcrypt's work area cannot be allocated. */
SR_NODISCARD enum sr_rc sr_pwhash_legacy_verify(const char *stored,
                                                const struct sr_secret *password);
