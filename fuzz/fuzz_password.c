/* libFuzzer target: imported legacy hashes and password policy checks
 * (crypto/legacy.c, domain/identity/password.c), both fed by clients
 * (importUsers' password_hash, every new password). A hash the strict
 * parser accepts must have a legacy prefix and fit the stored column;
 * crypt_rn itself is not run (bcrypt cost would make every input slow).
 * The policy check runs with the zxcvbn estimate off (its cost grows fast
 * with length) and with the blocklist and all class rules on. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/legacy.h"
#include "crypto/secret.h"
#include "domain/identity/password.h"

#include "check.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        if (sodium_init() < 0)
                abort();
        return 0;
}

static void
check_legacy(const char *s)
{
        const char *why = NULL;
        enum sr_rc rc = sr_pwhash_legacy_check(s, &why);
        FUZZ_CHECK(rc == SR_OK || rc == SR_E_VALIDATION, "legacy check: ok or validation");
        if (rc != SR_OK) {
                FUZZ_CHECK(why != NULL && strlen(why) < 96, "a short reason");
                return;
        }
        FUZZ_CHECK(sr_pwhash_is_legacy(s), "accepted hashes have a legacy prefix");
        FUZZ_CHECK(strlen(s) <= SR_LEGACY_HASH_MAX, "accepted hashes fit the column");
        FUZZ_CHECK(strchr(s, ':') == NULL && strchr(s, '\n') == NULL, "crypt alphabet only");
}

static void
check_policy(const uint8_t *data, size_t size)
{
        struct sr_secret *pw = NULL;
        if (sr_secret_new(data, size, &pw) != SR_OK)
                return;
        struct sr_password_policy p;
        sr_password_policy_preset(SR_PW_PRESET_SEED_002, &p);
        p.use_blocklist = true;
        const char *why = NULL;
        enum sr_rc rc = sr_password_check(&p, false, pw, &why);
        FUZZ_CHECK(rc == SR_OK || (rc == SR_E_PASSWORD_POLICY && why != NULL),
                   "policy: ok or a reason");
        FUZZ_CHECK(rc != SR_OK || size >= 8, "accepted passwords have 8+ bytes");
        (void)sr_password_blocklisted(pw);
        sr_secret_free(pw);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);
        if (s == NULL)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        check_legacy(s);
        check_policy(data, size); /* exact-size copy: ASan sees overreads */
        free(s);
        return 0;
}
