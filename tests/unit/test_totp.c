/* Unit tests for TOTP (src/domain/session/totp.c, AUTH-8) against the
 * RFC 6238 appendix B vectors (SHA-1 seed "12345678901234567890", the last
 * six digits), the ±1 step window and the replay guard, at fixed policy
 * times; and the shape of recovery codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "crypto/crypto.h"
#include "domain/session/mfa.h"
#include "domain/session/totp.h"
#include "util/alloc.h"

/* base32("12345678901234567890") */
#define RFC_SECRET "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

static struct sr_secret *
rfc_secret(void)
{
        struct sr_secret *s = NULL;
        assert_int_equal(sr_secret_new(RFC_SECRET, strlen(RFC_SECRET), &s), SR_OK);
        return s;
}

static void
auth8_rfc6238_vectors(void **state)
{
        (void)state;
        static const struct {
                int64_t t;
                const char *code;
        } v[] = {{59, "287082"},         {1111111109, "081804"}, {1111111111, "050471"},
                 {1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"}};
        struct sr_secret *s = rfc_secret();
        for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
                char out[SR_TOTP_DIGITS + 1];
                assert_int_equal(sr_totp_code(s, v[i].t, out), SR_OK);
                assert_string_equal(out, v[i].code);
                int64_t step = 0;
                assert_int_equal(sr_totp_check(s, v[i].t, v[i].code, 0, &step), SR_OK);
                assert_int_equal(step, v[i].t / 30);
        }
        sr_secret_free(s);
}

/* AUTH-8: a code is good one step before and after its own, not two. */
static void
auth8_window_is_one_step_each_side(void **state)
{
        (void)state;
        struct sr_secret *s = rfc_secret();
        const int64_t t = 1234567890; /* step 41152263, code 005924 */
        int64_t step = 0;
        assert_int_equal(sr_totp_check(s, t, "005924", 0, &step), SR_OK);
        assert_int_equal(sr_totp_check(s, t + 30, "005924", 0, &step), SR_OK);
        assert_int_equal(step, t / 30);
        assert_int_equal(sr_totp_check(s, t - 30, "005924", 0, &step), SR_OK);
        assert_int_equal(sr_totp_check(s, t + 60, "005924", 0, &step),
                         SR_E_INVALID_CREDENTIALS);
        assert_int_equal(sr_totp_check(s, t - 60, "005924", 0, &step),
                         SR_E_INVALID_CREDENTIALS);
        sr_secret_free(s);
}

/* AUTH-8: a step at or before the last accepted one is refused. */
static void
auth8_replay_of_an_accepted_step_is_refused(void **state)
{
        (void)state;
        struct sr_secret *s = rfc_secret();
        const int64_t t = 1234567890, accepted = t / 30;
        int64_t step = 0;
        assert_int_equal(sr_totp_check(s, t, "005924", accepted, &step),
                         SR_E_INVALID_CREDENTIALS);
        assert_int_equal(sr_totp_check(s, t, "005924", accepted + 1, &step),
                         SR_E_INVALID_CREDENTIALS);
        assert_int_equal(sr_totp_check(s, t, "005924", accepted - 1, &step), SR_OK);
        /* The next step's code is fine after the previous one. */
        char next[SR_TOTP_DIGITS + 1];
        assert_int_equal(sr_totp_code(s, t + 30, next), SR_OK);
        assert_int_equal(sr_totp_check(s, t + 30, next, accepted, &step), SR_OK);
        assert_int_equal(step, accepted + 1);
        sr_secret_free(s);
}

static void
auth8_code_shapes(void **state)
{
        (void)state;
        struct sr_secret *s = rfc_secret();
        int64_t step = 0;
        static const char *const bad[] = {"", "12345", "1234567", "12345a", "abcdef", " 12345",
                                          "１２３４５６"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_false(sr_totp_code_format_ok(bad[i]));
                assert_int_equal(sr_totp_check(s, 1234567890, bad[i], 0, &step),
                                 SR_E_INVALID_CREDENTIALS);
        }
        assert_true(sr_totp_code_format_ok("000000"));
        assert_true(sr_mfa_recovery_format_ok("abcde-fgh27"));
        assert_true(sr_mfa_recovery_format_ok("ABCDEFGH27"));
        assert_false(sr_mfa_recovery_format_ok("abcde-fgh2"));
        assert_false(sr_mfa_recovery_format_ok("abcd-efgh27"));
        assert_false(sr_mfa_recovery_format_ok("abcde-fgh28")); /* 8 is not base32 */
        assert_false(sr_mfa_recovery_format_ok("123456"));
        sr_secret_free(s);
}

/* New secrets are 160-bit base32, different each time; allocation
 * failures come back as SR_E_NOMEM without leaking. */
static void
auth8_new_secrets(void **state)
{
        (void)state;
        struct sr_secret *a = NULL, *b = NULL;
        assert_int_equal(sr_totp_secret_new(&a), SR_OK);
        assert_int_equal(sr_totp_secret_new(&b), SR_OK);
        assert_int_equal(a->len, SR_TOTP_SECRET_CHARS);
        assert_false(sr_secret_equal(a, b));
        char code[SR_TOTP_DIGITS + 1];
        assert_int_equal(sr_totp_code(a, 1800000000, code), SR_OK);
        int64_t step = 0;
        assert_int_equal(sr_totp_check(a, 1800000000, code, 0, &step), SR_OK);
        sr_secret_free(a);
        sr_secret_free(b);
        for (unsigned long n = 1; n < 8; n++) {
                struct sr_secret *c = NULL;
                sr_alloc_fail_at(n);
                enum sr_rc rc = sr_totp_secret_new(&c);
                sr_alloc_fail_at(0);
                assert_true(rc == SR_OK || rc == SR_E_NOMEM);
                sr_secret_free(c);
        }
}

static int
setup(void **state)
{
        (void)state;
        return sr_crypto_init() == SR_OK ? 0 : -1;
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(auth8_rfc6238_vectors),
                cmocka_unit_test(auth8_window_is_one_step_each_side),
                cmocka_unit_test(auth8_replay_of_an_accepted_step_is_refused),
                cmocka_unit_test(auth8_code_shapes),
                cmocka_unit_test(auth8_new_secrets),
        };
        return cmocka_run_group_tests(tests, setup, NULL);
}
