/* Unit tests for password policy evaluation (src/domain/identity/password.c,
 * policy.c) and imported legacy hashes (src/crypto/legacy.c).
 * AUTH-2: each preset's rules, character classes, blocklist, the zxcvbn
 * score mapping, expiry against the clock, and the no-reuse history over
 * the real store. AUTH-4: strict parsing of bcrypt and SHA-crypt strings,
 * known-answer verification through libcrypt, and the 72-byte bcrypt
 * limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/legacy.h"
#include "crypto/pwhash.h"
#include "domain/identity/password.h"
#include "domain/identity/policy.h"
#include "store/passwords.h"
#include "unit_env.h"
#include "util/alloc.h"
#include "util/clock.h"

#define FAIL_AT_MAX 8

/* Known answers made with Python's crypt module (libxcrypt). */
#define LEGACY_PW "Tr0ub4dor&3-legacy"
static const char *const legacy_ok[] = {
        "$2b$04$abcdefghijklmnopqrstuu8MECwk.R7FmMygoyOGvEm8de09J0q9C",
        "$2y$05$abcdefghijklmnopqrstuuDLaJXEzL5oWvR5ECP4U2c7B/a0l4KSO",
        "$5$rounds=1000$saltsaltsaltsalt$18jMXZeY4n.s4cGIxkqFesdVmBcS6Mc.Ebd0DdmPWdB",
        "$6$saltsalt$OIoagzDo287JDXOEcKMG5yP7uY.G.rWDbaUePAWnExKEMqkn/UioJ86NdaXkexerVxlrPWsiD58hA5"
        "JTAqoxR1",
};

static struct sr_secret *
secret(const char *s)
{
        struct sr_secret *p = NULL;
        assert_int_equal(sr_secret_new(s, strlen(s), &p), SR_OK);
        return p;
}

static enum sr_rc
check(const struct sr_password_policy *p, const char *pw, const char **why)
{
        struct sr_secret *s = secret(pw);
        *why = NULL;
        enum sr_rc rc = sr_password_check(p, false, s, why);
        sr_secret_free(s);
        return rc;
}

static void
refused(const struct sr_password_policy *p, const char *pw, const char *want_reason)
{
        const char *why = NULL;
        enum sr_rc rc = check(p, pw, &why);
        if (rc != SR_E_PASSWORD_POLICY || why == NULL || strcmp(why, want_reason) != 0)
                fail_msg("\"%s\": want password_policy/%s, got %s/%s", pw, want_reason,
                         sr_rc_name(rc), why ? why : "-");
}

static void
accepted(const struct sr_password_policy *p, const char *pw)
{
        const char *why = NULL;
        enum sr_rc rc = check(p, pw, &why);
        if (rc != SR_OK)
                fail_msg("\"%s\": want ok, got %s/%s", pw, sr_rc_name(rc), why ? why : "-");
}

/* AUTH-2: nist — length in code points, no composition, blocklist, zxcvbn. */
static void
auth2_nist_rules(void **state)
{
        (void)state;
        struct sr_password_policy p;
        sr_password_policy_preset(SR_PW_PRESET_NIST, &p);
        assert_int_equal(p.min_length, 15);
        assert_int_equal(p.max_age_days, 0);
        assert_int_equal(p.history_count, 0);
        assert_false(p.require_upper || p.require_lower || p.require_digit || p.require_symbol);
        refused(&p, "vbKq-7mZ!xw2", "too_short");
        /* 15 code points but 30 bytes: length counts characters. */
        accepted(&p, "\xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f\xc3\xa9\xc3\xa8\xc3\xaa\xc3\xab"
                     "\xc3\xae\xc3\xaf\xc3\xb4\xc3\xbb\xc3\xa7\xc3\xb1\xc3\xa5");
        accepted(&p, "glacier-tuba-orbit-wren"); /* no classes needed */
        refused(&p, "password1234567", "blocklisted");
        refused(&p, "PASSWORD1234567!", "blocklisted");
        refused(&p, "qwertyqwertyqwerty", "blocklisted");
        refused(&p, "123456789012345", "too_weak");
        refused(&p, "aaaaaaaaaaaaaaaa", "too_weak");
        refused(&p, "abcdefghijklmnop", "too_weak");
        /* With a second factor 8 is enough under nist, not elsewhere. */
        assert_int_equal(sr_password_min_length(&p, true), 8);
        struct sr_password_policy s2;
        sr_password_policy_preset(SR_PW_PRESET_SEED_002, &s2);
        assert_int_equal(sr_password_min_length(&s2, true), 8);
        assert_int_equal(sr_password_min_length(&s2, false), 8);
}

/* AUTH-2: seed-000 — 6 characters, nothing else. */
static void
auth2_seed000_rules(void **state)
{
        (void)state;
        struct sr_password_policy p;
        sr_password_policy_preset(SR_PW_PRESET_SEED_000, &p);
        accepted(&p, "abcdef");
        accepted(&p, "123456"); /* the seed asked for nothing more */
        refused(&p, "abcde", "too_short");
        assert_true(p.must_change_initial);
        assert_int_equal(p.max_age_days, 0);
}

/* AUTH-2: seed-002 — 8 characters and all four classes. */
static void
auth2_seed002_classes(void **state)
{
        (void)state;
        struct sr_password_policy p;
        sr_password_policy_preset(SR_PW_PRESET_SEED_002, &p);
        assert_int_equal(p.history_count, 5);
        assert_int_equal(p.max_age_days, 90);
        accepted(&p, "Abcdef1#");
        refused(&p, "Abcde1#", "too_short");
        refused(&p, "abcdef1#", "needs_upper");
        refused(&p, "ABCDEF1#", "needs_lower");
        refused(&p, "Abcdefg#", "needs_digit");
        refused(&p, "Abcdefg1", "needs_symbol");
        /* Only #?@$%^&*-_ count as symbols. */
        refused(&p, "Abcdefg1!", "needs_symbol");
        refused(&p, "Abcdefg1+", "needs_symbol");
        for (const char *sym = SR_PASSWORD_SYMBOLS; *sym; sym++) {
                char pw[16];
                snprintf(pw, sizeof(pw), "Abcdefg1%c", *sym);
                accepted(&p, pw);
        }
        /* Non-ASCII letters count as upper and lower case. */
        accepted(&p, "\xc3\x84\xc3\xb6rtchen1@");
}

/* AUTH-2: profile ranges (max_age_days 1..365 or 0, min_length 6..128,
 * history 0..24) and must_change_initial never off. */
static void
auth2_policy_validation(void **state)
{
        (void)state;
        struct sr_password_policy p;
        const char *field = NULL;
        sr_password_policy_preset(SR_PW_PRESET_SEED_002, &p);
        assert_int_equal(sr_password_policy_validate(&p, &field), SR_OK);
        p.max_age_days = 400;
        assert_int_equal(sr_password_policy_validate(&p, &field), SR_E_VALIDATION);
        assert_string_equal(field, "max_age_days");
        p.max_age_days = 365;
        p.min_length = 5;
        assert_int_equal(sr_password_policy_validate(&p, &field), SR_E_VALIDATION);
        assert_string_equal(field, "min_length");
        p.min_length = 129;
        assert_int_equal(sr_password_policy_validate(&p, &field), SR_E_VALIDATION);
        p.min_length = 128;
        p.history_count = 25;
        assert_int_equal(sr_password_policy_validate(&p, &field), SR_E_VALIDATION);
        assert_string_equal(field, "history_count");
        p.history_count = 24;
        p.must_change_initial = false;
        assert_int_equal(sr_password_policy_validate(&p, &field), SR_E_VALIDATION);
        assert_string_equal(field, "must_change_initial");
        enum sr_password_preset which;
        assert_int_equal(sr_password_preset_parse("seed-002", &which), SR_OK);
        assert_int_equal(which, SR_PW_PRESET_SEED_002);
        assert_int_equal(sr_password_preset_parse("custom", &which), SR_E_VALIDATION);
        assert_int_equal(sr_password_preset_parse("NIST", &which), SR_E_VALIDATION);
}

/* AUTH-2: zxcvbn guesses thresholds 10^3, 10^6, 10^8, 10^10. */
static void
auth2_zxcvbn_score_mapping(void **state)
{
        (void)state;
        /* log2(10^k) = k * 3.3219... */
        assert_int_equal(sr_password_zxcvbn_score(0), 0);
        assert_int_equal(sr_password_zxcvbn_score(-1), 0);
        assert_int_equal(sr_password_zxcvbn_score(9.9), 0);
        assert_int_equal(sr_password_zxcvbn_score(10.0), 1);   /* 1024 guesses */
        assert_int_equal(sr_password_zxcvbn_score(19.9), 1);
        assert_int_equal(sr_password_zxcvbn_score(19.94), 2);  /* just over 10^6 */
        assert_int_equal(sr_password_zxcvbn_score(26.5), 2);
        assert_int_equal(sr_password_zxcvbn_score(26.6), 3);   /* just over 10^8 */
        assert_int_equal(sr_password_zxcvbn_score(33.2), 3);
        assert_int_equal(sr_password_zxcvbn_score(33.3), 4);   /* just over 10^10 */
        assert_int_equal(sr_password_zxcvbn_score(200), 4);
        struct sr_secret *weak = secret("password");
        struct sr_secret *strong = secret("Vq7#mZr2-Lp9@xTe4!wKd");
        assert_true(sr_password_strength(weak) <= 1);
        assert_int_equal(sr_password_strength(strong), 4);
        sr_secret_free(weak);
        sr_secret_free(strong);
}

/* AUTH-2: expiry from pw_changed_at, at max_age_days exactly. */
static void
auth2_expiry_with_clock(void **state)
{
        (void)state;
        struct sr_password_policy p;
        sr_password_policy_preset(SR_PW_PRESET_SEED_002, &p);
        sr_clock_set_offset(0);
        int64_t changed = sr_clock_now();
        assert_false(sr_password_expired(&p, changed, sr_clock_now()));
        sr_clock_set_offset(89 * 86400);
        assert_false(sr_password_expired(&p, changed, sr_clock_now()));
        sr_clock_set_offset(90 * 86400);
        assert_true(sr_password_expired(&p, changed, sr_clock_now()));
        sr_clock_set_offset(91 * 86400);
        assert_true(sr_password_expired(&p, changed, sr_clock_now()));
        struct sr_password_policy n;
        sr_password_policy_preset(SR_PW_PRESET_NIST, &n);
        sr_clock_set_offset(3650 * 86400);
        assert_false(sr_password_expired(&n, changed, sr_clock_now())); /* no expiry */
        sr_clock_set_offset(0);
}

/* AUTH-2: the blocklist catches padding and repetition, not everything. */
static void
auth2_blocklist(void **state)
{
        (void)state;
        static const char *const listed[] = {"password", "Password", "password1234567",
                                             "!!dragon2024", "123456", "123456123456",
                                             "letmeinletmein", "Qwerty123"};
        static const char *const fine[] = {"glacier-tuba-orbit", "pass-word-1", "x", ""};
        for (size_t i = 0; i < sizeof(listed) / sizeof(listed[0]); i++) {
                struct sr_secret *s = secret(listed[i]);
                if (!sr_password_blocklisted(s))
                        fail_msg("\"%s\" should be blocklisted", listed[i]);
                sr_secret_free(s);
        }
        for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
                struct sr_secret *s = secret(fine[i]);
                if (sr_password_blocklisted(s))
                        fail_msg("\"%s\" should not be blocklisted", fine[i]);
                sr_secret_free(s);
        }
}

/* AUTH-4: strict syntax of imported hashes. */
static void
auth4_legacy_syntax(void **state)
{
        (void)state;
        const char *why = NULL;
        for (size_t i = 0; i < sizeof(legacy_ok) / sizeof(legacy_ok[0]); i++) {
                assert_true(sr_pwhash_is_legacy(legacy_ok[i]));
                assert_int_equal(sr_pwhash_legacy_check(legacy_ok[i], &why), SR_OK);
        }
        static const char *const bad[] = {
                "",
                "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
                "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/", /* MD5-crypt */
                "$2x$04$abcdefghijklmnopqrstuu8MECwk.R7FmMygoyOGvEm8de09J0q9C",
                "$2b$03$abcdefghijklmnopqrstuu8MECwk.R7FmMygoyOGvEm8de09J0q9C", /* cost < 4 */
                "$2b$15$abcdefghijklmnopqrstuu8MECwk.R7FmMygoyOGvEm8de09J0q9C", /* cost > 14 */
                "$2b$04$abcdefghijklmnopqrstuv8MECwk.R7FmMygoyOGvEm8de09J0q9C", /* salt tail */
                "$2b$04$abcdefghijklmnopqrstuu8MECwk.R7FmMygoyOGvEm8de09J0q9D", /* digest tail */
                "$2b$04$abcdefghijklmnopqrstuu8MECwk.R7FmMygoyOGvEm8de09J0q9", /* 59 chars */
                "$2b$04$abcdefghijklmnopqrstuu8MECwk.R7FmMygoyOGvEm8de09J0q!C",
                "$5$rounds=999$saltsaltsaltsalt$18jMXZeY4n.s4cGIxkqFesdVmBcS6Mc.Ebd0DdmPWdB",
                "$5$rounds=01000$saltsaltsaltsalt$18jMXZeY4n.s4cGIxkqFesdVmBcS6Mc.Ebd0DdmPWdB",
                "$5$rounds=2000000$salt$18jMXZeY4n.s4cGIxkqFesdVmBcS6Mc.Ebd0DdmPWdB",
                "$5$$18jMXZeY4n.s4cGIxkqFesdVmBcS6Mc.Ebd0DdmPWdB", /* empty salt */
                "$5$saltsaltsaltsalts$18jMXZeY4n.s4cGIxkqFesdVmBcS6Mc.Ebd0DdmPWdB", /* 17 */
                "$5$salt$18jMXZeY4n.s4cGIxkqFesdVmBcS6Mc.Ebd0DdmPWd",   /* 42 chars */
                "$5$salt$18jMXZeY4n.s4cGIxkqFesdVmBcS6Mc.Ebd0DdmPWdz",  /* not canonical */
                "$6$saltsalt$OIoagzDo287JDXOEcKMG5yP7uY.G.rWDbaUePAWnExKEMqkn/UioJ86NdaXkexerVxl"
                "rPWsiD58hA5JTAqoxR",
                "$6$salt:salt$OIoagzDo287JDXOEcKMG5yP7uY.G.rWDbaUePAWnExKEMqkn/UioJ86NdaXkexerV"
                "xlrPWsiD58hA5JTAqoxR1",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                why = NULL;
                if (sr_pwhash_legacy_check(bad[i], &why) != SR_E_VALIDATION || why == NULL)
                        fail_msg("bad hash %zu accepted: %s", i, bad[i]);
        }
        assert_int_equal(sr_pwhash_legacy_check(NULL, &why), SR_E_VALIDATION);
}

/* AUTH-4: crypt_r verifies each kind; wrong passwords fail; bcrypt reads
 * 72 bytes only. */
static void
auth4_legacy_verify(void **state)
{
        (void)state;
        struct sr_secret *good = secret(LEGACY_PW);
        struct sr_secret *wrong = secret(LEGACY_PW "x");
        for (size_t i = 0; i < sizeof(legacy_ok) / sizeof(legacy_ok[0]); i++) {
                assert_int_equal(sr_pwhash_legacy_verify(legacy_ok[i], good), SR_OK);
                assert_int_equal(sr_pwhash_legacy_verify(legacy_ok[i], wrong),
                                 SR_E_INVALID_CREDENTIALS);
                /* The generic verifier routes legacy strings here too. */
                assert_int_equal(sr_pwhash_verify(legacy_ok[i], good), SR_OK);
                assert_int_equal(sr_pwhash_verify(legacy_ok[i], wrong), SR_E_INVALID_CREDENTIALS);
                assert_true(sr_pwhash_needs_rehash(legacy_ok[i]));
        }
        /* A malformed legacy string never verifies. */
        assert_int_equal(sr_pwhash_legacy_verify("$2b$04$short", good), SR_E_INVALID_CREDENTIALS);
        char a[80], b[80];
        memset(a, 'x', 72);
        memcpy(b, a, 72);
        a[72] = 'A';
        b[72] = 'B';
        a[73] = b[73] = '\0';
        struct sr_secret *sa = secret(a), *sb = secret(b);
        const char *h = "$2b$04$abcdefghijklmnopqrstuubzadhGtS2zEF.gu0yd0opP6cVzb.e0i";
        assert_int_equal(sr_pwhash_legacy_verify(h, sa), SR_OK);
        assert_int_equal(sr_pwhash_legacy_verify(h, sb), SR_OK); /* documented limit */
        sr_secret_free(sa);
        sr_secret_free(sb);
        for (unsigned long n = 1; n <= FAIL_AT_MAX; n++) {
                sr_alloc_fail_at(n);
                enum sr_rc rc = sr_pwhash_legacy_verify(legacy_ok[0], good);
                sr_alloc_fail_at(0);
                assert_true(rc == SR_OK || rc == SR_E_NOMEM);
        }
        sr_secret_free(good);
        sr_secret_free(wrong);
}

/* Writes a profile row for the account straight into the store. */
static void
put_policy(struct unit_env *e, const char *account_id, const struct sr_password_policy *p)
{
        struct sr_pw_policy_row row = {.min_length = p->min_length,
                                       .require_upper = p->require_upper,
                                       .require_lower = p->require_lower,
                                       .require_digit = p->require_digit,
                                       .require_symbol = p->require_symbol,
                                       .history_count = p->history_count,
                                       .max_age_days = p->max_age_days,
                                       .must_change_initial = p->must_change_initial,
                                       .use_blocklist = p->use_blocklist,
                                       .min_zxcvbn_score = p->min_zxcvbn_score};
        snprintf(row.account_id, sizeof(row.account_id), "%s", account_id);
        snprintf(row.preset, sizeof(row.preset), "%s", sr_password_preset_name(p->preset));
        struct sr_tx *tx = NULL;
        assert_int_equal(sr_store_begin(e->st, SR_REGION_EU, &tx), SR_OK);
        assert_int_equal(sr_store_pw_policy_put(tx, &row), SR_OK);
        assert_int_equal(sr_store_commit(tx), SR_OK);
        sr_store_tx_free(tx);
}

/* Changes the user's password to pw the way changePassword does; returns
 * what sr_password_prepare said. */
static enum sr_rc
change_to(struct sr_app *app, const struct sr_account_ref *acct, struct sr_user_row *row,
          const char *pw, const char **why)
{
        struct sr_secret *s = secret(pw);
        char hash[SR_PWHASH_STR_BYTES];
        enum sr_rc rc = sr_password_prepare(app, acct, row, s, hash, why);
        sr_secret_free(s);
        if (rc != SR_OK)
                return rc;
        struct sr_tx *tx = NULL;
        assert_int_equal(sr_store_begin(app->st, acct->region, &tx), SR_OK);
        assert_int_equal(sr_password_history_push_tx(app, tx, acct, row->id, row->pw_hash),
                         SR_OK);
        assert_int_equal(sr_store_commit(tx), SR_OK);
        sr_store_tx_free(tx);
        snprintf(row->pw_hash, sizeof(row->pw_hash), "%s", hash);
        return SR_OK;
}

/* AUTH-2: history_count 3 refuses the current and the two before it,
 * and forgets older ones; the stored history never exceeds N - 1. */
static void
auth2_history_count(void **state)
{
        struct unit_env *e = *state;
        struct sr_app app = {.st = e->st, .vault = e->vault, .audit = e->audit};
        struct sr_account_ref acct = {.id = "0123456789abcdef0123456789abcdef",
                                      .region = SR_REGION_EU};
        struct sr_password_policy p;
        sr_password_policy_preset(SR_PW_PRESET_SEED_000, &p);
        p.preset = SR_PW_PRESET_CUSTOM;
        p.history_count = 3;
        put_policy(e, acct.id, &p);
        struct sr_password_policy got;
        assert_int_equal(sr_password_policy_get(&app, &acct, &got), SR_OK);
        assert_int_equal(got.history_count, 3);

        struct sr_user_row row;
        memset(&row, 0, sizeof(row));
        snprintf(row.id, sizeof(row.id), "fedcba9876543210fedcba9876543210");
        snprintf(row.account_id, sizeof(row.account_id), "%s", acct.id);
        struct sr_secret *first = secret("first-pw");
        assert_int_equal(sr_pwhash_hash(first, row.pw_hash), SR_OK);
        sr_secret_free(first);

        const char *why = NULL;
        assert_int_equal(change_to(&app, &acct, &row, "first-pw", &why), SR_E_PASSWORD_POLICY);
        assert_string_equal(why, "reused");
        assert_int_equal(change_to(&app, &acct, &row, "second-pw", &why), SR_OK);
        assert_int_equal(change_to(&app, &acct, &row, "third-pw", &why), SR_OK);
        /* current third, earlier second and first: all refused */
        assert_int_equal(change_to(&app, &acct, &row, "first-pw", &why), SR_E_PASSWORD_POLICY);
        assert_int_equal(change_to(&app, &acct, &row, "second-pw", &why), SR_E_PASSWORD_POLICY);
        assert_int_equal(change_to(&app, &acct, &row, "third-pw", &why), SR_E_PASSWORD_POLICY);
        assert_int_equal(change_to(&app, &acct, &row, "fourth-pw", &why), SR_OK);
        /* first is now the fourth-newest: allowed again */
        assert_int_equal(change_to(&app, &acct, &row, "first-pw", &why), SR_OK);

        struct sr_pw_history_row hist[SR_PASSWORD_HISTORY_MAX];
        size_t n = 0;
        assert_int_equal(sr_store_pw_history_list(e->st, SR_REGION_EU, acct.id, row.id, hist,
                                                  SR_PASSWORD_HISTORY_MAX, &n),
                         SR_OK);
        assert_int_equal(n, 2);

        /* history_count 0: nothing is kept any more after the next change. */
        p.history_count = 0;
        put_policy(e, acct.id, &p);
        assert_int_equal(change_to(&app, &acct, &row, "fourth-pw", &why), SR_OK);
        assert_int_equal(sr_store_pw_history_list(e->st, SR_REGION_EU, acct.id, row.id, hist,
                                                  SR_PASSWORD_HISTORY_MAX, &n),
                         SR_OK);
        assert_int_equal(n, 0);
}

/* AUTH-2: an account without a stored profile gets nist. */
static void
auth2_default_is_nist(void **state)
{
        struct unit_env *e = *state;
        struct sr_app app = {.st = e->st, .vault = e->vault, .audit = e->audit};
        struct sr_account_ref acct = {.id = "00000000000000000000000000000001",
                                      .region = SR_REGION_EU};
        struct sr_password_policy p;
        assert_int_equal(sr_password_policy_get(&app, &acct, &p), SR_OK);
        assert_int_equal(p.preset, SR_PW_PRESET_NIST);
        assert_int_equal(p.min_length, 15);
        assert_true(p.use_blocklist);
        assert_int_equal(p.min_zxcvbn_score, 3);
}

static int
setup(void **state)
{
        return unit_env_setup(state);
}

int
main(void)
{
        if (sr_crypto_init() != SR_OK)
                return 1;
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(auth2_nist_rules),
                cmocka_unit_test(auth2_seed000_rules),
                cmocka_unit_test(auth2_seed002_classes),
                cmocka_unit_test(auth2_policy_validation),
                cmocka_unit_test(auth2_zxcvbn_score_mapping),
                cmocka_unit_test(auth2_expiry_with_clock),
                cmocka_unit_test(auth2_blocklist),
                cmocka_unit_test(auth4_legacy_syntax),
                cmocka_unit_test(auth4_legacy_verify),
                cmocka_unit_test_setup_teardown(auth2_history_count, setup, unit_env_teardown),
                cmocka_unit_test_setup_teardown(auth2_default_is_nist, setup, unit_env_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
