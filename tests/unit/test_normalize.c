/* Unit tests for identifier and password normalisation
 * (src/domain/identity/normalize.h). AUTH-1: one person's sign-in name must
 * map to one stored value however it is typed (case, spaces, Unicode
 * normal form), and anything that is not an e-mail address, an E.164
 * phone number or a plain username must be refused before it is indexed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/secret.h"
#include "domain/identity/normalize.h"
#include "util/alloc.h"

#define FAIL_AT_MAX 20

/* Normalises an e-mail address; asserts SR_OK and returns the result. */
static char *
email_ok(const char *in)
{
        char *out = NULL;
        assert_int_equal(sr_norm_email(in, &out), SR_OK);
        assert_non_null(out);
        return out;
}

static void
email_rejected(const char *in)
{
        char *out = NULL;
        enum sr_rc rc = sr_norm_email(in, &out);
        if (rc != SR_E_VALIDATION)
                fail_msg("e-mail \"%s\": want validation_failed, got %s", in, sr_rc_name(rc));
        assert_null(out);
}

/* AUTH-1: surrounding blanks are trimmed and the address is lower-cased. */
static void
auth1_email_trimmed_and_lower_cased(void **state)
{
        (void)state;
        char *a = email_ok("  Ann@EXAMPLE.com ");
        assert_string_equal(a, "ann@example.com");
        char *b = email_ok("\tann@example.COM\r\n");
        assert_string_equal(b, a);
        sr_free(a);
        sr_free(b);
}

/* AUTH-1: NFD and NFC spellings of the same address give one value. */
static void
auth1_email_nfd_and_nfc_are_one_address(void **state)
{
        (void)state;
        char *nfc = email_ok("Jos\xc3\xa9@example.com");     /* U+00E9 */
        char *nfd = email_ok("Jose\xcc\x81@example.com");    /* e + U+0301 */
        char *upper = email_ok("JOSE\xcc\x81@EXAMPLE.COM");  /* E + U+0301 */
        assert_string_equal(nfc, "jos\xc3\xa9@example.com");
        assert_string_equal(nfd, nfc);
        assert_string_equal(upper, nfc);
        sr_free(nfc);
        sr_free(nfd);
        sr_free(upper);
}

/* AUTH-1: anything that is not one local part, one '@' and one domain. */
static void
auth1_email_malformed_rejected(void **state)
{
        (void)state;
        email_rejected("a@b@c");
        email_rejected("@x");
        email_rejected("x@");
        email_rejected("a b@c");
        /* Characters that would need quoting in a mail header. */
        email_rejected("a<b@c.test");
        email_rejected("a@c.test>, x@evil.test");
        email_rejected("\"a\"@c.test");
        email_rejected("a;b@c.test");
        email_rejected("");
        email_rejected("   ");
        email_rejected("noatsign");
        email_rejected("a@");
        email_rejected("a\x01@b.c");
        email_rejected("a@b\x7f.c");
        email_rejected("\xff\xfe@b.c"); /* not UTF-8 */
        email_rejected("a@\xc3(.c");    /* truncated sequence */
        /* 255 bytes: over the 254 limit. */
        char long_addr[256];
        memset(long_addr, 'a', sizeof(long_addr) - 1);
        long_addr[sizeof(long_addr) - 1] = '\0';
        memcpy(long_addr + 240, "@example.com", 12);
        assert_int_equal(strlen(long_addr), 255);
        email_rejected(long_addr);
        long_addr[254] = '\0'; /* 254 bytes: ok */
        long_addr[253] = 'm';
        char *ok = email_ok(long_addr);
        sr_free(ok);
}

static void
phone_rejected(const char *in)
{
        char *out = NULL;
        enum sr_rc rc = sr_norm_phone(in, &out);
        if (rc != SR_E_INVALID_PHONE)
                fail_msg("phone \"%s\": want invalid_phone, got %s", in, sr_rc_name(rc));
        assert_null(out);
}

/* AUTH-1: phone numbers are E.164 only, stored exactly as given. */
static void
auth1_phone_e164_only(void **state)
{
        (void)state;
        char *out = NULL;
        assert_int_equal(sr_norm_phone("+14155550123", &out), SR_OK);
        assert_string_equal(out, "+14155550123");
        sr_free(out);
        out = NULL;
        /* 15 digits, the E.164 maximum. */
        assert_int_equal(sr_norm_phone("+123456789012345", &out), SR_OK);
        sr_free(out);

        phone_rejected("0612345678");        /* national form */
        phone_rejected("+0123");             /* leading zero country code */
        phone_rejected("+0123456789");       /* leading zero, long enough */
        phone_rejected("+1 415 555 0123");   /* spaces */
        phone_rejected("+1-415-555-0123");   /* dashes */
        phone_rejected("+1234567890123456"); /* 17 chars: 16 digits */
        phone_rejected("+1415555012a");
        phone_rejected("14155550123");
        phone_rejected("++14155550123");
        phone_rejected("+");
        phone_rejected("");
}

static void
username_rejected(const char *in)
{
        char *out = NULL;
        enum sr_rc rc = sr_norm_username(in, &out);
        if (rc != SR_E_VALIDATION)
                fail_msg("username \"%s\": want validation_failed, got %s", in, sr_rc_name(rc));
        assert_null(out);
}

/* AUTH-1: usernames are ASCII [a-z0-9._-]{1,64}, upper case lowered. */
static void
auth1_username_lowered_and_restricted(void **state)
{
        (void)state;
        char *out = NULL;
        assert_int_equal(sr_norm_username("Alice.Smith_01-X", &out), SR_OK);
        assert_string_equal(out, "alice.smith_01-x");
        sr_free(out);

        char name[66];
        memset(name, 'A', 64);
        name[64] = '\0';
        out = NULL;
        assert_int_equal(sr_norm_username(name, &out), SR_OK); /* 64: ok */
        assert_int_equal(strlen(out), 64);
        assert_int_equal(out[0], 'a');
        sr_free(out);
        name[64] = 'a';
        name[65] = '\0';
        username_rejected(name); /* 65 */

        username_rejected("ann@example.com");
        username_rejected("ann+1");
        username_rejected("ann smith");
        username_rejected(" ann");
        username_rejected("");
        username_rejected("jos\xc3\xa9");
        username_rejected("ann/..");
        username_rejected("ann\tx");
}

/* AUTH-1: the kind of a sign-in identifier follows from its syntax. */
static void
auth1_ident_kind_by_syntax(void **state)
{
        (void)state;
        assert_int_equal(sr_norm_ident_kind("ann@example.com"), SR_IDENT_EMAIL);
        assert_int_equal(sr_norm_ident_kind("+14155550123"), SR_IDENT_PHONE);
        assert_int_equal(sr_norm_ident_kind("alice"), SR_IDENT_USERNAME);
        assert_int_equal(sr_norm_ident_kind("alice.smith_1"), SR_IDENT_USERNAME);
        assert_int_equal(sr_norm_ident_kind("+ann@example.com"), SR_IDENT_EMAIL);
        assert_int_equal(sr_norm_ident_kind("14155550123"), SR_IDENT_USERNAME);
}

static struct sr_secret *
password_ok(const char *in, size_t len)
{
        struct sr_secret *s = NULL;
        assert_int_equal(sr_norm_password(in, len, &s), SR_OK);
        assert_non_null(s);
        return s;
}

static void
password_refused(const char *in, size_t len, enum sr_rc want)
{
        struct sr_secret *s = NULL;
        enum sr_rc rc = sr_norm_password(in, len, &s);
        if (rc != want)
                fail_msg("password of %zu bytes: want %s, got %s", len, sr_rc_name(want),
                         sr_rc_name(rc));
        assert_null(s);
}

/* AUTH-1: the NFD and NFC spellings of one password give the same
 * secret, so a password typed on another keyboard still matches. */
static void
auth1_password_nfc(void **state)
{
        (void)state;
        static const char nfc[] = "caf\xc3\xa9 cr\xc3\xa8me";
        static const char nfd[] = "cafe\xcc\x81 cre\xcc\x80me";
        SR_CLEANUP(sr_secret_freep) struct sr_secret *a = password_ok(nfc, strlen(nfc));
        SR_CLEANUP(sr_secret_freep) struct sr_secret *b = password_ok(nfd, strlen(nfd));
        assert_int_equal(a->len, strlen(nfc));
        assert_memory_equal(a->bytes, nfc, a->len);
        assert_true(sr_secret_equal(a, b));
        /* Case is kept: passwords are not folded. */
        SR_CLEANUP(sr_secret_freep) struct sr_secret *c = password_ok("CAF\xc3\x89", 5);
        assert_false(sr_secret_equal(a, c));
}

/* AUTH-1: at most 1024 bytes, valid UTF-8, no NUL. */
static void
auth1_password_cap_and_encoding(void **state)
{
        (void)state;
        char *buf = malloc(2048);
        assert_non_null(buf);
        memset(buf, 'p', 2048);
        SR_CLEANUP(sr_secret_freep) struct sr_secret *max = password_ok(buf, 1024);
        assert_int_equal(max->len, 1024);
        password_refused(buf, 1025, SR_E_PASSWORD_POLICY);
        password_refused(buf, 2048, SR_E_PASSWORD_POLICY);

        password_refused("abc\xff" "def", 7, SR_E_VALIDATION); /* not UTF-8 */
        password_refused("abc\xc3", 4, SR_E_VALIDATION);         /* cut sequence */
        password_refused("\xed\xa0\x80xx", 5, SR_E_VALIDATION);  /* surrogate */
        password_refused("abc\0def", 7, SR_E_VALIDATION);        /* embedded NUL */
        password_refused("\0", 1, SR_E_VALIDATION);

        /* U+0958 is a composition exclusion: NFC turns its 3 bytes into 6.
         * 341 of them are 1023 bytes in, 2046 after NFC: over the cap. */
        for (int i = 0; i < 341; i++)
                memcpy(buf + 3 * i, "\xe0\xa5\x98", 3);
        password_refused(buf, 1023, SR_E_PASSWORD_POLICY);
        free(buf);
}

static void
codepoints_counted(void **state)
{
        (void)state;
        assert_int_equal(sr_norm_codepoints((const unsigned char *)"abc", 3), 3);
        assert_int_equal(sr_norm_codepoints((const unsigned char *)"caf\xc3\xa9", 5), 4);
        assert_int_equal(sr_norm_codepoints((const unsigned char *)"\xf0\x9f\x94\x91", 4), 1);
        assert_int_equal(sr_norm_codepoints((const unsigned char *)"", 0), 0);
}

/* Every normaliser returns SR_OK or SR_E_NOMEM when the nth allocation
 * fails, leaves *ret alone on failure and leaks nothing (ASan). */
static void
nomem_normalizers(void **state)
{
        (void)state;
        int saw_nomem = 0;
        for (unsigned long n = 1; n <= FAIL_AT_MAX; n++) {
                char *e = NULL, *p = NULL, *u = NULL;
                struct sr_secret *pw = NULL;
                sr_alloc_fail_at(n);
                enum sr_rc rc = sr_norm_email("  Jose\xcc\x81@EXAMPLE.com ", &e);
                sr_alloc_fail_at(0);
                assert_true(rc == SR_OK || rc == SR_E_NOMEM);
                if (rc == SR_OK)
                        assert_string_equal(e, "jos\xc3\xa9@example.com");
                else {
                        saw_nomem = 1;
                        assert_null(e);
                }
                sr_alloc_fail_at(n);
                enum sr_rc rc_p = sr_norm_phone("+14155550123", &p);
                sr_alloc_fail_at(0);
                assert_true(rc_p == SR_OK || rc_p == SR_E_NOMEM);
                sr_alloc_fail_at(n);
                enum sr_rc rc_u = sr_norm_username("Alice", &u);
                sr_alloc_fail_at(0);
                assert_true(rc_u == SR_OK || rc_u == SR_E_NOMEM);
                sr_alloc_fail_at(n);
                enum sr_rc rc_pw = sr_norm_password("cafe\xcc\x81", 6, &pw);
                sr_alloc_fail_at(0);
                assert_true(rc_pw == SR_OK || rc_pw == SR_E_NOMEM);
                if (rc_p != SR_OK)
                        assert_null(p);
                if (rc_u != SR_OK)
                        assert_null(u);
                if (rc_pw != SR_OK)
                        assert_null(pw);
                sr_free(e);
                sr_free(p);
                sr_free(u);
                sr_secret_free(pw);
        }
        assert_true(saw_nomem);
}

static int
setup(void **state)
{
        (void)state;
        return sodium_init() < 0 ? -1 : 0;
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(auth1_email_trimmed_and_lower_cased),
                cmocka_unit_test(auth1_email_nfd_and_nfc_are_one_address),
                cmocka_unit_test(auth1_email_malformed_rejected),
                cmocka_unit_test(auth1_phone_e164_only),
                cmocka_unit_test(auth1_username_lowered_and_restricted),
                cmocka_unit_test(auth1_ident_kind_by_syntax),
                cmocka_unit_test(auth1_password_nfc),
                cmocka_unit_test(auth1_password_cap_and_encoding),
                cmocka_unit_test(codepoints_counted),
                cmocka_unit_test(nomem_normalizers),
        };
        return cmocka_run_group_tests(tests, setup, NULL);
}
