/* Imported legacy password hashes (AUTH-4): a strict parser for bcrypt and
 * SHA-crypt strings and verification through libcrypt (libxcrypt)
 * crypt_rn, the crypt_r variant that reports failure as NULL. Its output
 * is compared with the stored string by sodium_memcmp.
 * This file does not re-hash: the sign-in path sees sr_pwhash_needs_rehash
 * and replaces the string with argon2id once the password is known. */
#include "crypto/legacy.h"

#include <crypt.h>
#include <string.h>

#include <sodium.h>

#include "util/alloc.h"

/* The crypt(3) base-64 alphabet shared by bcrypt (in another order) and
 * SHA-crypt. */
static const char bcrypt_b64[] =
        "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
static const char crypt_b64[] =
        "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static int
index_in(const char *alphabet, char c)
{
        if (c == '\0')
                return -1;
        const char *p = strchr(alphabet, c);
        return p ? (int)(p - alphabet) : -1;
}

static bool
all_in(const char *alphabet, const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (index_in(alphabet, s[i]) < 0)
                        return false;
        return true;
}

bool
sr_pwhash_is_legacy(const char *s)
{
        if (s == NULL)
                return false;
        return strncmp(s, "$2a$", 4) == 0 || strncmp(s, "$2b$", 4) == 0 ||
               strncmp(s, "$2y$", 4) == 0 || strncmp(s, "$5$", 3) == 0 ||
               strncmp(s, "$6$", 3) == 0;
}

/* "$2b$10$" + 22 salt chars + 31 digest chars = 60. */
static enum sr_rc
check_bcrypt(const char *s, const char **why)
{
        if (strlen(s) != 60 || s[6] != '$') {
                *why = "bcrypt hash must be 60 characters";
                return SR_E_VALIDATION;
        }
        if (s[4] < '0' || s[4] > '9' || s[5] < '0' || s[5] > '9') {
                *why = "bcrypt cost must be two digits";
                return SR_E_VALIDATION;
        }
        int cost = (s[4] - '0') * 10 + (s[5] - '0');
        if (cost < 4 || cost > SR_LEGACY_BCRYPT_COST_MAX) {
                *why = "bcrypt cost out of range (04..14)";
                return SR_E_VALIDATION;
        }
        const char *salt = s + 7, *digest = s + 29;
        if (!all_in(bcrypt_b64, salt, 53)) {
                *why = "bcrypt salt or digest has characters outside its alphabet";
                return SR_E_VALIDATION;
        }
        /* 128 salt bits in 22 chars: the last one carries 2 bits; 184
         * digest bits in 31 chars: the last one carries 4. */
        if ((index_in(bcrypt_b64, salt[21]) & 0x0f) != 0 ||
            (index_in(bcrypt_b64, digest[30]) & 0x03) != 0) {
                *why = "bcrypt hash is not canonical";
                return SR_E_VALIDATION;
        }
        return SR_OK;
}

/* "$5$" or "$6$", optional "rounds=N$", salt (1..16), "$", digest. */
static enum sr_rc
check_shacrypt(const char *s, const char **why)
{
        bool sha512 = s[1] == '6';
        const char *p = s + 3;
        if (strncmp(p, "rounds=", 7) == 0) {
                p += 7;
                long rounds = 0;
                const char *start = p;
                while (*p >= '0' && *p <= '9' && p - start < 8)
                        rounds = rounds * 10 + (*p++ - '0');
                if (p == start || *start == '0' || *p != '$' || rounds < 1000 ||
                    rounds > SR_LEGACY_SHACRYPT_ROUNDS_MAX) {
                        *why = "SHA-crypt rounds out of range (1000..1000000)";
                        return SR_E_VALIDATION;
                }
                p++;
        }
        const char *dollar = strchr(p, '$');
        size_t salt_len = dollar ? (size_t)(dollar - p) : 0;
        if (dollar == NULL || salt_len < 1 || salt_len > 16 || !all_in(crypt_b64, p, salt_len)) {
                *why = "SHA-crypt salt must be 1..16 characters of ./0-9A-Za-z";
                return SR_E_VALIDATION;
        }
        const char *digest = dollar + 1;
        size_t want = sha512 ? 86 : 43;
        if (strlen(digest) != want || !all_in(crypt_b64, digest, want)) {
                *why = sha512 ? "SHA-512-crypt digest must be 86 characters"
                              : "SHA-256-crypt digest must be 43 characters";
                return SR_E_VALIDATION;
        }
        /* The last character carries 2 (SHA-512) or 4 (SHA-256) bits. */
        if (index_in(crypt_b64, digest[want - 1]) >= (sha512 ? 4 : 16)) {
                *why = "SHA-crypt digest is not canonical";
                return SR_E_VALIDATION;
        }
        return SR_OK;
}

enum sr_rc
sr_pwhash_legacy_check(const char *s, const char **ret_reason)
{
        const char *why = "unsupported hash (bcrypt $2a$/$2b$/$2y$ or SHA-crypt $5$/$6$)";
        enum sr_rc rc = SR_E_VALIDATION;
        if (s != NULL && strnlen(s, SR_LEGACY_HASH_MAX + 1) > SR_LEGACY_HASH_MAX)
                why = "hash too long";
        else if (s != NULL && s[0] == '$' && s[1] == '2' && sr_pwhash_is_legacy(s))
                rc = check_bcrypt(s, &why);
        else if (sr_pwhash_is_legacy(s))
                rc = check_shacrypt(s, &why);
        if (rc != SR_OK && ret_reason != NULL)
                *ret_reason = why;
        return rc;
}

enum sr_rc
sr_pwhash_legacy_verify(const char *stored, const struct sr_secret *password)
{
        if (password == NULL || password->bytes == NULL)
                return SR_E_INTERNAL;
        if (sr_pwhash_legacy_check(stored, NULL) != SR_OK)
                return SR_E_INVALID_CREDENTIALS;
        /* libcrypt's work area holds intermediate secret state: wipe it. */
        struct crypt_data *data = sr_calloc(1, sizeof(*data));
        if (data == NULL)
                return SR_E_NOMEM;
        /* password->bytes is NUL-terminated and holds no NUL (normalised).
         * crypt_rn is libxcrypt's crypt_r that returns NULL on failure; it
         * is also not intercepted by ASan, whose crypt_r wrapper makes the
         * linker drop libcrypt (--as-needed) and then has nothing to call. */
        const char *out = crypt_rn((const char *)password->bytes, stored, data, sizeof(*data));
        enum sr_rc rc = SR_E_INVALID_CREDENTIALS;
        size_t n = strlen(stored);
        if (out != NULL && out[0] != '*' && strlen(out) == n &&
            sodium_memcmp(out, stored, n) == 0)
                rc = SR_OK;
        sodium_memzero(data, sizeof(*data));
        sr_free(data);
        return rc;
}
