/* Password hashing with argon2id (AUTH-4): crypto_pwhash_str at t=2,
 * 19 MiB, and crypto_pwhash_str_verify. Every failed verification costs
 * one argon2id run, including an unknown user (stored == NULL) and a
 * malformed stored string, which are checked against the dummy hash from
 * crypto.c. Imported legacy hashes (bcrypt, SHA-crypt) are verified by
 * crypto/legacy.c plus one dummy argon2id run, so an imported user costs
 * at least what everyone else costs; needs_rehash reports them so the
 * caller upgrades them to argon2id. */
#include "crypto/pwhash.h"

#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "crypto/crypto.h"
#include "crypto/legacy.h"

#define ARGON2ID_PREFIX "$argon2id$"
#define ARGON2I_PREFIX "$argon2i$"

_Static_assert(SR_PWHASH_STR_BYTES == crypto_pwhash_STRBYTES, "pwhash string size");
_Static_assert(SR_PWHASH_OPSLIMIT >= crypto_pwhash_OPSLIMIT_MIN, "pwhash opslimit");
_Static_assert(SR_PWHASH_MEMLIMIT_BYTES >= crypto_pwhash_MEMLIMIT_MIN, "pwhash memlimit");

/* True when s is a NUL-terminated string shorter than the argon2 buffer
 * libsodium reads, starting with prefix. */
static bool
has_prefix(const char *s, const char *prefix)
{
        if (s == NULL || strnlen(s, SR_PWHASH_STR_BYTES) >= SR_PWHASH_STR_BYTES)
                return false;
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

enum sr_rc
sr_pwhash_hash(const struct sr_secret *password, char ret_str[SR_PWHASH_STR_BYTES])
{
        if (password == NULL || password->bytes == NULL)
                return SR_E_INTERNAL;
        char str[SR_PWHASH_STR_BYTES];
        errno = 0;
        if (crypto_pwhash_str(str, (const char *)password->bytes, password->len,
                              SR_PWHASH_OPSLIMIT, SR_PWHASH_MEMLIMIT_BYTES) != 0)
                return errno == ENOMEM ? SR_E_NOMEM : SR_E_CRYPTO;
        memcpy(ret_str, str, sizeof(str));
        return SR_OK;
}

/* AUTH-4: one argon2id run that can never succeed, for a missing or
 * unusable stored hash. */
static enum sr_rc
verify_dummy(const struct sr_secret *password)
{
        const char *dummy = sr_crypto_pwhash_dummy();
        char str[SR_PWHASH_STR_BYTES];
        errno = 0;
        if (dummy == NULL) {
                /* The dummy could not be built; hashing costs the same run. */
                if (crypto_pwhash_str(str, (const char *)password->bytes, password->len,
                                      SR_PWHASH_OPSLIMIT, SR_PWHASH_MEMLIMIT_BYTES) != 0)
                        return SR_E_NOMEM;
                sodium_memzero(str, sizeof(str));
                return SR_E_INVALID_CREDENTIALS;
        }
        if (crypto_pwhash_str_verify(dummy, (const char *)password->bytes,
                                     password->len) == 0)
                return SR_E_INTERNAL; /* a random 256-bit password matched */
        return errno == ENOMEM ? SR_E_NOMEM : SR_E_INVALID_CREDENTIALS;
}

enum sr_rc
sr_pwhash_verify(const char *stored, const struct sr_secret *password)
{
        if (password == NULL || password->bytes == NULL)
                return SR_E_INTERNAL;
        if (sr_pwhash_is_legacy(stored)) {
                /* AUTH-4: a cheap imported hash must not answer faster than
                 * argon2id (timing would tell who was imported); spend the
                 * dummy run whatever crypt_r said. */
                enum sr_rc rc = sr_pwhash_legacy_verify(stored, password);
                enum sr_rc dummy = verify_dummy(password);
                return dummy == SR_E_NOMEM || dummy == SR_E_INTERNAL ? dummy : rc;
        }
        /* libsodium turns any other prefix away at once (EINVAL). */
        if (!has_prefix(stored, ARGON2ID_PREFIX) && !has_prefix(stored, ARGON2I_PREFIX))
                return verify_dummy(password);
        errno = 0;
        if (crypto_pwhash_str_verify(stored, (const char *)password->bytes,
                                     password->len) == 0)
                return SR_OK;
        if (errno == EINVAL)
                return SR_E_INVALID_CREDENTIALS; /* libsodium's "mismatch" */
        /* Running out of memory is not a wrong password and must not count
         * towards a lockout. */
        if (errno == ENOMEM)
                return SR_E_NOMEM;
        /* AUTH-4: a stored string libsodium cannot parse fails before any
         * argon2id work; spend the run anyway. */
        return verify_dummy(password);
}

/* libsodium answers "yes" whenever the parameters differ from today's, so
 * a hash made stronger than today's is brought back to today's policy. */
bool
sr_pwhash_needs_rehash(const char *stored)
{
        if (!has_prefix(stored, ARGON2ID_PREFIX))
                return true; /* argon2i, legacy imports, garbage */
        return crypto_pwhash_str_needs_rehash(stored, SR_PWHASH_OPSLIMIT,
                                              SR_PWHASH_MEMLIMIT_BYTES) != 0;
}
