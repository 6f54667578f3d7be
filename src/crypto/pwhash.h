#pragma once
/* Password hashing: argon2id via crypto_pwhash_str (AUTH-4). Slow by design:
 * call only from the worker pool, never from the HTTP event loop. */
#include <stdbool.h>
#include <stddef.h>

#include "crypto/secret.h"
#include "util/rc.h"

/* At least OWASP's 19 MiB / t=2 / p=1. */
#define SR_PWHASH_MEMLIMIT_BYTES (19u * 1024u * 1024u)
#define SR_PWHASH_OPSLIMIT 2u
#define SR_PWHASH_STR_BYTES 128

/* Hashes the password into ret_str (a "$argon2id$..." string). */
SR_NODISCARD enum sr_rc sr_pwhash_hash(const struct sr_secret *password,
                                       char ret_str[SR_PWHASH_STR_BYTES]);
/* SR_OK when password matches stored (argon2id, or an imported bcrypt or
 * SHA-crypt string: see crypto/legacy.h); SR_E_INVALID_CREDENTIALS otherwise.
 * When stored is NULL (unknown user) it verifies against a dummy hash with
 * the same parameters, so every failure costs one argon2id run. */
SR_NODISCARD enum sr_rc sr_pwhash_verify(const char *stored,
                                         const struct sr_secret *password);
/* True when stored was made with weaker parameters than today's. */
bool sr_pwhash_needs_rehash(const char *stored);
