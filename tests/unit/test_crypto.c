/* Unit tests for src/crypto: known-answer vectors (RFC 4231 HMAC-SHA-256,
 * FIPS 180-2 SHA-256 "abc"), AEAD tamper and associated-data checks
 * (DATA-2), argon2id hashing and the unknown-user dummy (AUTH-4), master
 * key files, key wrapping and derivation, and allocation failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/aead.h"
#include "crypto/blindidx.h"
#include "crypto/crypto.h"
#include "crypto/keyring.h"
#include "crypto/pwhash.h"
#include "crypto/secret.h"
#include "crypto/token.h"
#include "util/alloc.h"
#include "util/rc.h"

#define FAIL_AT_MAX 5

static void
assert_hex_equal(const unsigned char *bin, size_t n, const char *want)
{
        char got[2 * 64 + 1];
        assert_true(n <= 64);
        sr_hex(bin, n, got);
        assert_string_equal(got, want);
}

static struct sr_secret *
secret_from(const char *s)
{
        struct sr_secret *sec = NULL;
        assert_int_equal(sr_secret_new(s, strlen(s), &sec), SR_OK);
        return sec;
}

/* --- secret ------------------------------------------------------------ */

static void
secret_copies_and_terminates(void **state)
{
        (void)state;
        struct sr_secret *s = secret_from("hunter2");
        assert_int_equal(s->len, 7);
        assert_memory_equal(s->bytes, "hunter2", 7);
        assert_int_equal(s->bytes[7], '\0');
        sr_secret_freep(&s);
        assert_null(s);
        sr_secret_free(NULL);
        sr_secret_freep(&s);
}

static void
secret_equal_is_exact(void **state)
{
        (void)state;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *a = secret_from("correct horse");
        SR_CLEANUP(sr_secret_freep) struct sr_secret *b = secret_from("correct horse");
        SR_CLEANUP(sr_secret_freep) struct sr_secret *c = secret_from("correct horsf");
        SR_CLEANUP(sr_secret_freep) struct sr_secret *d = secret_from("correct hors");
        SR_CLEANUP(sr_secret_freep) struct sr_secret *e1 = secret_from("");
        SR_CLEANUP(sr_secret_freep) struct sr_secret *e2 = secret_from("");
        assert_true(sr_secret_equal(a, b));
        assert_false(sr_secret_equal(a, c));
        assert_false(sr_secret_equal(a, d));
        assert_false(sr_secret_equal(d, a));
        assert_true(sr_secret_equal(e1, e2));
        assert_false(sr_secret_equal(a, NULL));
}

static void
secret_random_differs(void **state)
{
        (void)state;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *a = NULL;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *b = NULL;
        assert_int_equal(sr_secret_new_random(32, &a), SR_OK);
        assert_int_equal(sr_secret_new_random(32, &b), SR_OK);
        assert_int_equal(a->len, 32);
        assert_int_equal(a->bytes[32], '\0');
        assert_false(sr_secret_equal(a, b));
}

/* --- token, id, hex ---------------------------------------------------- */

static void
token_hash_sha256_abc(void **state)
{
        (void)state;
        unsigned char h[SR_TOKEN_HASH_BYTES];
        sr_token_hash("abc", 3, h);
        assert_hex_equal(h, sizeof(h),
                         "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        sr_token_hash("", 0, h);
        assert_hex_equal(h, sizeof(h),
                         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void
token_is_43_base64url_chars(void **state)
{
        (void)state;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *a = NULL;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *b = NULL;
        assert_int_equal(sr_token_new(&a), SR_OK);
        assert_int_equal(sr_token_new(&b), SR_OK);
        assert_int_equal(a->len, SR_TOKEN_CHARS);
        assert_int_equal(strlen((const char *)a->bytes), SR_TOKEN_CHARS);
        for (size_t i = 0; i < a->len; i++) {
                unsigned char c = a->bytes[i];
                int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                         (c >= '0' && c <= '9') || c == '-' || c == '_';
                assert_true(ok);
        }
        assert_false(sr_secret_equal(a, b));
        /* 43 chars decode back to exactly 32 bytes. */
        unsigned char raw[32];
        size_t raw_len = 0;
        assert_int_equal(sodium_base642bin(raw, sizeof(raw), (const char *)a->bytes, a->len,
                                           NULL, &raw_len, NULL,
                                           sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                         0);
        assert_int_equal(raw_len, 32);
}

static void
id_is_32_lower_hex(void **state)
{
        (void)state;
        char a[SR_ID_CHARS + 1], b[SR_ID_CHARS + 1];
        sr_id_new(a);
        sr_id_new(b);
        assert_int_equal(strlen(a), SR_ID_CHARS);
        assert_true(sr_id_valid(a));
        assert_string_not_equal(a, b);
        assert_true(sr_id_valid("0123456789abcdef0123456789abcdef"));
        assert_false(sr_id_valid("0123456789ABCDEF0123456789abcdef"));
        assert_false(sr_id_valid("0123456789abcdef0123456789abcde"));
        assert_false(sr_id_valid("0123456789abcdef0123456789abcdef0"));
        assert_false(sr_id_valid("0123456789abcdef0123456789abcdeg"));
        assert_false(sr_id_valid(""));
        assert_false(sr_id_valid(NULL));
}

static void
hex_is_lower_case(void **state)
{
        (void)state;
        const unsigned char in[] = {0x00, 0xab, 0xff, 0x10};
        char out[2 * sizeof(in) + 1];
        sr_hex(in, sizeof(in), out);
        assert_string_equal(out, "00abff10");
        sr_hex(in, 0, out);
        assert_string_equal(out, "");
}

/* --- blind index ------------------------------------------------------- */

/* RFC 4231 test case 2: the HMAC-SHA-256 primitive sr_blindidx is built on.
 * HMAC pads a short key with zeros, so "Jefe" and "Jefe" + 28 NULs (the
 * 32-byte key size sr_blindidx uses) must give the same tag. */
static void
hmac_sha256_rfc4231_case2(void **state)
{
        (void)state;
        static const char want[] =
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        const char *msg = "what do ya want for nothing?";
        unsigned char key[32] = {'J', 'e', 'f', 'e'};
        unsigned char tag[32];
        crypto_auth_hmacsha256_state st;
        assert_int_equal(crypto_auth_hmacsha256_init(&st, key, 4), 0);
        assert_int_equal(crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg,
                                                       strlen(msg)),
                         0);
        assert_int_equal(crypto_auth_hmacsha256_final(&st, tag), 0);
        assert_hex_equal(tag, sizeof(tag), want);
        assert_int_equal(crypto_auth_hmacsha256(tag, (const unsigned char *)msg,
                                                strlen(msg), key),
                         0);
        assert_hex_equal(tag, sizeof(tag), want);
}

/* DATA-2: sr_blindidx is HMAC-SHA-256(key, kind ‖ 0x00 ‖ value). The
 * expected value was computed outside libsodium (Python's hmac module). */
static void
blindidx_known_answer(void **state)
{
        (void)state;
        unsigned char key[SR_BLINDIDX_KEY_BYTES] = {'J', 'e', 'f', 'e'};
        unsigned char idx[SR_BLINDIDX_BYTES];
        sr_blindidx(key, "email", "alice@example.com", 17, idx);
        assert_hex_equal(idx, sizeof(idx),
                         "e3c022a3ac43b6bd7f965c3a0da33e213ee6e51eaaee8c0ce56477dd07a33270");
}

static void
blindidx_matches_one_shot_hmac(void **state)
{
        (void)state;
        unsigned char key[SR_BLINDIDX_KEY_BYTES];
        randombytes_buf(key, sizeof(key));
        const unsigned char msg[] = "phone\0+61412345678";
        unsigned char want[32], got[SR_BLINDIDX_BYTES];
        assert_int_equal(crypto_auth_hmacsha256(want, msg, sizeof(msg) - 1, key), 0);
        sr_blindidx(key, "phone", "+61412345678", 12, got);
        assert_memory_equal(got, want, sizeof(want));
}

static void
blindidx_separates_kind_and_value(void **state)
{
        (void)state;
        unsigned char key[SR_BLINDIDX_KEY_BYTES], key2[SR_BLINDIDX_KEY_BYTES];
        randombytes_buf(key, sizeof(key));
        memcpy(key2, key, sizeof(key));
        key2[0] ^= 1;
        unsigned char a[32], b[32], c[32], d[32];
        sr_blindidx(key, "ab", "c", 1, a);
        sr_blindidx(key, "a", "bc", 2, b);
        sr_blindidx(key, "email", "c", 1, c);
        sr_blindidx(key2, "ab", "c", 1, d);
        assert_memory_not_equal(a, b, 32);
        assert_memory_not_equal(a, c, 32);
        assert_memory_not_equal(a, d, 32);
        sr_blindidx(key, "ab", "c", 1, b);
        assert_memory_equal(a, b, 32);
}

/* --- aead -------------------------------------------------------------- */

static const char AD[] = "acct1|users|email|row1|1";

static void
aead_round_trip(void **state)
{
        (void)state;
        unsigned char key[SR_AEAD_KEY_BYTES];
        randombytes_buf(key, sizeof(key));
        const char *pt = "alice@example.com";
        SR_CLEANUP(sr_freep) unsigned char *ct = NULL;
        SR_CLEANUP(sr_freep) unsigned char *ct2 = NULL;
        size_t ct_len = 0, ct2_len = 0;
        assert_int_equal(sr_aead_seal(key, AD, strlen(AD), pt, strlen(pt), &ct, &ct_len), SR_OK);
        assert_int_equal(ct_len, strlen(pt) + SR_AEAD_OVERHEAD_BYTES);
        assert_null(memmem(ct, ct_len, pt, strlen(pt)));
        /* Fresh nonce each time: the same plaintext never seals the same. */
        assert_int_equal(sr_aead_seal(key, AD, strlen(AD), pt, strlen(pt), &ct2, &ct2_len),
                         SR_OK);
        assert_memory_not_equal(ct, ct2, ct_len);

        SR_CLEANUP(sr_freep) char *out = NULL;
        size_t out_len = 0;
        assert_int_equal(sr_aead_open(key, AD, strlen(AD), ct, ct_len, &out, &out_len), SR_OK);
        assert_int_equal(out_len, strlen(pt));
        assert_string_equal(out, pt);
}

static void
aead_empty_plaintext_and_ad(void **state)
{
        (void)state;
        unsigned char key[SR_AEAD_KEY_BYTES];
        randombytes_buf(key, sizeof(key));
        SR_CLEANUP(sr_freep) unsigned char *ct = NULL;
        size_t ct_len = 0;
        assert_int_equal(sr_aead_seal(key, NULL, 0, NULL, 0, &ct, &ct_len), SR_OK);
        assert_int_equal(ct_len, SR_AEAD_OVERHEAD_BYTES);
        SR_CLEANUP(sr_freep) char *out = NULL;
        size_t out_len = 1;
        assert_int_equal(sr_aead_open(key, NULL, 0, ct, ct_len, &out, &out_len), SR_OK);
        assert_int_equal(out_len, 0);
        assert_string_equal(out, "");
}

/* DATA-2: any flipped bit (nonce, ciphertext or tag), another row's AD, another
 * key or a truncated blob is refused, and the out-params stay untouched. */
static void
aead_rejects_tampering(void **state)
{
        (void)state;
        unsigned char key[SR_AEAD_KEY_BYTES], other[SR_AEAD_KEY_BYTES];
        randombytes_buf(key, sizeof(key));
        randombytes_buf(other, sizeof(other));
        const char *pt = "+61412345678";
        SR_CLEANUP(sr_freep) unsigned char *ct = NULL;
        size_t ct_len = 0;
        assert_int_equal(sr_aead_seal(key, AD, strlen(AD), pt, strlen(pt), &ct, &ct_len), SR_OK);

        char sentinel = 0;
        char *out = &sentinel;
        size_t out_len = 777;
        for (size_t i = 0; i < ct_len; i++) {
                ct[i] ^= 0x01;
                assert_int_equal(sr_aead_open(key, AD, strlen(AD), ct, ct_len, &out, &out_len),
                                 SR_E_CRYPTO);
                ct[i] ^= 0x01;
        }
        const char *ad2 = "acct1|users|email|row2|1";
        assert_int_equal(sr_aead_open(key, ad2, strlen(ad2), ct, ct_len, &out, &out_len),
                         SR_E_CRYPTO);
        assert_int_equal(sr_aead_open(key, NULL, 0, ct, ct_len, &out, &out_len), SR_E_CRYPTO);
        assert_int_equal(sr_aead_open(other, AD, strlen(AD), ct, ct_len, &out, &out_len),
                         SR_E_CRYPTO);
        assert_int_equal(sr_aead_open(key, AD, strlen(AD), ct, ct_len - 1, &out, &out_len),
                         SR_E_CRYPTO);
        assert_int_equal(sr_aead_open(key, AD, strlen(AD), ct, SR_AEAD_OVERHEAD_BYTES - 1, &out,
                                      &out_len),
                         SR_E_CRYPTO);
        assert_ptr_equal(out, &sentinel);
        assert_int_equal(out_len, 777);
}

/* --- pwhash ------------------------------------------------------------ */

static void
pwhash_hash_and_verify(void **state)
{
        (void)state;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *pw = secret_from("correct horse battery");
        SR_CLEANUP(sr_secret_freep) struct sr_secret *bad = secret_from("correct horse batterY");
        char h1[SR_PWHASH_STR_BYTES], h2[SR_PWHASH_STR_BYTES];
        assert_int_equal(sr_pwhash_hash(pw, h1), SR_OK);
        assert_int_equal(sr_pwhash_hash(pw, h2), SR_OK);
        /* AUTH-4: argon2id, 19 MiB, t=2, p=1, salted. */
        assert_int_equal(strncmp(h1, "$argon2id$v=19$m=19456,t=2,p=1$", 31), 0);
        assert_string_not_equal(h1, h2);
        assert_null(strstr(h1, "correct horse"));
        assert_int_equal(sr_pwhash_verify(h1, pw), SR_OK);
        assert_int_equal(sr_pwhash_verify(h2, pw), SR_OK);
        assert_int_equal(sr_pwhash_verify(h1, bad), SR_E_INVALID_CREDENTIALS);
        assert_false(sr_pwhash_needs_rehash(h1));
}

static void
pwhash_unknown_user_and_garbage_fail(void **state)
{
        (void)state;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *pw = secret_from("anything");
        SR_CLEANUP(sr_secret_freep) struct sr_secret *empty = secret_from("");
        assert_int_equal(sr_pwhash_verify(NULL, pw), SR_E_INVALID_CREDENTIALS);
        assert_int_equal(sr_pwhash_verify(NULL, empty), SR_E_INVALID_CREDENTIALS);
        assert_int_equal(sr_pwhash_verify("", pw), SR_E_INVALID_CREDENTIALS);
        assert_int_equal(sr_pwhash_verify("$2b$10$abcdefghijklmnopqrstuu", pw),
                         SR_E_INVALID_CREDENTIALS);
        assert_int_equal(sr_pwhash_verify("$argon2id$v=19$m=19456,t=2,p=1$bad", pw),
                         SR_E_INVALID_CREDENTIALS);
        assert_int_equal(sr_pwhash_verify("$argon2x$v=19$m=19456,t=2,p=1$bad", pw),
                         SR_E_INVALID_CREDENTIALS);
        assert_non_null(sr_crypto_pwhash_dummy());
        assert_int_equal(strncmp(sr_crypto_pwhash_dummy(), "$argon2id$v=19$m=19456,t=2,p=1$", 31),
                         0);
}

static double
seconds_for_verify(const char *stored, const struct sr_secret *pw)
{
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        assert_int_not_equal(sr_pwhash_verify(stored, pw), SR_OK);
        clock_gettime(CLOCK_MONOTONIC, &b);
        return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

/* AUTH-4: an unknown user, or a stored hash libsodium cannot parse, costs
 * an argon2id run like a wrong password does. Loose bound: the cheapest of
 * three runs must be at least a quarter of the dearest real one; skipping
 * argon2id entirely is thousands of times faster. */
static void
pwhash_failures_cost_one_argon2id_run(void **state)
{
        (void)state;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *pw = secret_from("right");
        SR_CLEANUP(sr_secret_freep) struct sr_secret *bad = secret_from("wrong");
        char h[SR_PWHASH_STR_BYTES];
        assert_int_equal(sr_pwhash_hash(pw, h), SR_OK);
        double real = 0, unknown = 1e9, garbled = 1e9, foreign = 1e9;
        for (int i = 0; i < 3; i++) {
                double t = seconds_for_verify(h, bad);
                real = t > real ? t : real;
                t = seconds_for_verify(NULL, bad);
                unknown = t < unknown ? t : unknown;
                t = seconds_for_verify("$argon2id$v=19$m=19456,t=2,p=1$bad", bad);
                garbled = t < garbled ? t : garbled;
                t = seconds_for_verify("$2b$10$abcdefghijklmnopqrstuu", bad);
                foreign = t < foreign ? t : foreign;
        }
        assert_true(unknown > real / 4);
        assert_true(garbled > real / 4);
        assert_true(foreign > real / 4);
}

static void
pwhash_needs_rehash_for_weaker_or_foreign(void **state)
{
        (void)state;
        const char *pw = "pw";
        char weak[crypto_pwhash_STRBYTES], argon2i[crypto_pwhash_STRBYTES];
        assert_int_equal(crypto_pwhash_str(weak, pw, 2, 1, SR_PWHASH_MEMLIMIT_BYTES / 2), 0);
        assert_int_equal(crypto_pwhash_argon2i_str(argon2i, pw, 2, SR_PWHASH_OPSLIMIT + 1,
                                                   SR_PWHASH_MEMLIMIT_BYTES),
                         0);
        assert_true(sr_pwhash_needs_rehash(weak));
        assert_true(sr_pwhash_needs_rehash(argon2i));
        assert_true(sr_pwhash_needs_rehash("$2b$10$abcdefghijklmnopqrstuu"));
        assert_true(sr_pwhash_needs_rehash(""));
        assert_true(sr_pwhash_needs_rehash(NULL));
        /* Older hashes still verify, so they can be upgraded at sign-in. */
        SR_CLEANUP(sr_secret_freep) struct sr_secret *s = secret_from(pw);
        assert_int_equal(sr_pwhash_verify(weak, s), SR_OK);
        assert_int_equal(sr_pwhash_verify(argon2i, s), SR_OK);
}

/* --- keyring ----------------------------------------------------------- */

struct tmp {
        char dir[64];
        char key[96];
};

static void
tmp_make(struct tmp *t)
{
        static const char tmpl[] = "/tmp/sr-test-crypto-XXXXXX";
        memcpy(t->dir, tmpl, sizeof(tmpl));
        assert_non_null(mkdtemp(t->dir));
        assert_true(snprintf(t->key, sizeof(t->key), "%s/master.key", t->dir) <
                    (int)sizeof(t->key));
}

static void
tmp_remove(struct tmp *t)
{
        (void)unlink(t->key); /* may not exist */
        assert_int_equal(rmdir(t->dir), 0);
}

static void
set_size(const char *path, off_t size)
{
        assert_int_equal(truncate(path, size), 0);
}

static void
keyring_master_create_and_load(void **state)
{
        (void)state;
        struct tmp t;
        tmp_make(&t);
        assert_int_equal(sr_keyring_master_create(t.key), SR_OK);
        struct stat st;
        assert_int_equal(stat(t.key, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_int_equal(st.st_size, SR_KEY_BYTES);
        /* O_EXCL: an existing key is never overwritten. */
        assert_int_equal(sr_keyring_master_create(t.key), SR_E_CONFLICT);

        SR_CLEANUP(sr_secret_freep) struct sr_secret *m1 = NULL;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *m2 = NULL;
        assert_int_equal(sr_keyring_master_load(t.key, &m1), SR_OK);
        assert_int_equal(m1->len, SR_KEY_BYTES);
        unsigned char raw[SR_KEY_BYTES];
        FILE *f = fopen(t.key, "rb");
        assert_non_null(f);
        assert_int_equal(fread(raw, 1, sizeof(raw), f), sizeof(raw));
        assert_int_equal(fclose(f), 0);
        assert_memory_equal(m1->bytes, raw, sizeof(raw));
        assert_int_equal(sr_keyring_master_load(t.key, &m2), SR_OK);
        assert_true(sr_secret_equal(m1, m2));
        tmp_remove(&t);
}

static void
keyring_master_load_refuses_bad_files(void **state)
{
        (void)state;
        struct tmp t;
        tmp_make(&t);
        static struct sr_secret sentinel_obj;
        struct sr_secret *const sentinel = &sentinel_obj;
        struct sr_secret *m = sentinel;
        assert_int_equal(sr_keyring_master_load(t.key, &m), SR_E_IO); /* missing */
        assert_int_equal(sr_keyring_master_create(t.key), SR_OK);

        const mode_t bad_modes[] = {0640, 0604, 0660, 0610, 0601, 0644};
        for (size_t i = 0; i < sizeof(bad_modes) / sizeof(bad_modes[0]); i++) {
                assert_int_equal(chmod(t.key, bad_modes[i]), 0);
                assert_int_equal(sr_keyring_master_load(t.key, &m), SR_E_IO);
        }
        assert_int_equal(chmod(t.key, 0400), 0);
        assert_int_equal(sr_keyring_master_load(t.key, &m), SR_OK);
        sr_secret_freep(&m);
        m = sentinel;
        assert_int_equal(chmod(t.key, 0600), 0);

        set_size(t.key, SR_KEY_BYTES - 1);
        assert_int_equal(sr_keyring_master_load(t.key, &m), SR_E_IO);
        set_size(t.key, SR_KEY_BYTES + 1);
        assert_int_equal(sr_keyring_master_load(t.key, &m), SR_E_IO);
        set_size(t.key, 0);
        assert_int_equal(sr_keyring_master_load(t.key, &m), SR_E_IO);
        assert_int_equal(sr_keyring_master_load(t.dir, &m), SR_E_IO); /* not a file */
        assert_ptr_equal(m, sentinel);
        tmp_remove(&t);
}

static void
keyring_wrap_round_trip_and_wrong_owner(void **state)
{
        (void)state;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *master = NULL;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *other = NULL;
        assert_int_equal(sr_secret_new_random(SR_KEY_BYTES, &master), SR_OK);
        assert_int_equal(sr_secret_new_random(SR_KEY_BYTES, &other), SR_OK);

        SR_CLEANUP(sr_secret_freep) struct sr_secret *key = NULL;
        SR_CLEANUP(sr_freep) unsigned char *wrapped = NULL;
        size_t wrapped_len = 0;
        assert_int_equal(sr_keyring_new_wrapped(master, "acct-a", &key, &wrapped, &wrapped_len),
                         SR_OK);
        assert_int_equal(key->len, SR_KEY_BYTES);
        assert_int_equal(wrapped_len, SR_KEY_BYTES + SR_AEAD_OVERHEAD_BYTES);
        assert_null(memmem(wrapped, wrapped_len, key->bytes, key->len));

        SR_CLEANUP(sr_secret_freep) struct sr_secret *back = NULL;
        assert_int_equal(sr_keyring_unwrap(master, "acct-a", wrapped, wrapped_len, &back), SR_OK);
        assert_true(sr_secret_equal(key, back));

        /* DATA-2: a wrapped key moved to another owner, or opened under another
         * parent, does not open. */
        struct sr_secret *none = NULL;
        assert_int_equal(sr_keyring_unwrap(master, "acct-b", wrapped, wrapped_len, &none),
                         SR_E_CRYPTO);
        assert_int_equal(sr_keyring_unwrap(other, "acct-a", wrapped, wrapped_len, &none),
                         SR_E_CRYPTO);
        wrapped[wrapped_len - 1] ^= 0x80;
        assert_int_equal(sr_keyring_unwrap(master, "acct-a", wrapped, wrapped_len, &none),
                         SR_E_CRYPTO);
        assert_null(none);

        /* A blob that authenticates but does not hold a 32-byte key. */
        SR_CLEANUP(sr_freep) unsigned char *short_ct = NULL;
        size_t short_len = 0;
        assert_int_equal(sr_aead_seal(master->bytes, "acct-a", 6, "short", 5, &short_ct,
                                      &short_len),
                         SR_OK);
        assert_int_equal(sr_keyring_unwrap(master, "acct-a", short_ct, short_len, &none),
                         SR_E_CRYPTO);
        assert_null(none);
}

static void
keyring_derive_separates_purposes(void **state)
{
        (void)state;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *parent = NULL;
        assert_int_equal(sr_secret_new_random(SR_KEY_BYTES, &parent), SR_OK);
        SR_CLEANUP(sr_secret_freep) struct sr_secret *a = NULL;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *a2 = NULL;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *b = NULL;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *c = NULL;
        assert_int_equal(sr_keyring_derive(parent, "blindidx", 1, &a), SR_OK);
        assert_int_equal(sr_keyring_derive(parent, "blindidx", 1, &a2), SR_OK);
        assert_int_equal(sr_keyring_derive(parent, "auditmac", 1, &b), SR_OK);
        assert_int_equal(sr_keyring_derive(parent, "blindidx", 2, &c), SR_OK);
        assert_int_equal(a->len, SR_KEY_BYTES);
        assert_true(sr_secret_equal(a, a2));
        assert_false(sr_secret_equal(a, b));
        assert_false(sr_secret_equal(a, c));
        assert_false(sr_secret_equal(a, parent));
}

/* crypto_kdf is BLAKE2b(key = parent, salt = id, personal = context); this
 * recomputes it independently so a swapped argument shows up. */
static void
keyring_derive_known_answer(void **state)
{
        (void)state;
        unsigned char parent_raw[SR_KEY_BYTES];
        for (size_t i = 0; i < sizeof(parent_raw); i++)
                parent_raw[i] = (unsigned char)i;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *parent = NULL;
        assert_int_equal(sr_secret_new(parent_raw, sizeof(parent_raw), &parent), SR_OK);
        SR_CLEANUP(sr_secret_freep) struct sr_secret *sub = NULL;
        assert_int_equal(sr_keyring_derive(parent, "csrf____", 7, &sub), SR_OK);

        /* salt = little-endian 64-bit id, zero-padded; personal = context. */
        unsigned char salt[16] = {7}, personal[16] = {0};
        memcpy(personal, "csrf____", 8);
        unsigned char want[SR_KEY_BYTES];
        assert_int_equal(crypto_generichash_blake2b_salt_personal(want, sizeof(want), NULL, 0,
                                                                  parent_raw, sizeof(parent_raw),
                                                                  salt, personal),
                         0);
        assert_memory_equal(sub->bytes, want, sizeof(want));
}

/* --- allocation failures ----------------------------------------------- */

static void
nomem_secret_new(void **state)
{
        (void)state;
        for (unsigned long n = 1; n <= FAIL_AT_MAX; n++) {
                struct sr_secret *s = NULL;
                sr_alloc_fail_at(n);
                enum sr_rc rc = sr_secret_new("abc", 3, &s);
                sr_alloc_fail_at(0);
                assert_true(rc == SR_OK || rc == SR_E_NOMEM);
                if (rc == SR_OK)
                        assert_memory_equal(s->bytes, "abc", 4);
                else
                        assert_null(s);
                sr_secret_free(s);

                sr_alloc_fail_at(n);
                rc = sr_secret_new_random(16, &s);
                sr_alloc_fail_at(0);
                assert_true(rc == SR_OK || rc == SR_E_NOMEM);
                if (rc != SR_OK)
                        assert_null(s);
                sr_secret_freep(&s);

                sr_alloc_fail_at(n);
                rc = sr_token_new(&s);
                sr_alloc_fail_at(0);
                assert_true(rc == SR_OK || rc == SR_E_NOMEM);
                if (rc != SR_OK)
                        assert_null(s);
                sr_secret_freep(&s);
        }
        struct sr_secret *s = NULL;
        sr_alloc_fail_at(1);
        assert_int_equal(sr_secret_new("abc", 3, &s), SR_E_NOMEM);
        sr_alloc_fail_at(0);
        assert_null(s);
}

static void
nomem_aead(void **state)
{
        (void)state;
        unsigned char key[SR_AEAD_KEY_BYTES];
        randombytes_buf(key, sizeof(key));
        int saw_nomem = 0;
        for (unsigned long n = 1; n <= FAIL_AT_MAX; n++) {
                unsigned char *ct = NULL;
                size_t ct_len = 0;
                sr_alloc_fail_at(n);
                enum sr_rc rc = sr_aead_seal(key, AD, strlen(AD), "pt", 2, &ct, &ct_len);
                sr_alloc_fail_at(0);
                assert_true(rc == SR_OK || rc == SR_E_NOMEM);
                if (rc != SR_OK) {
                        saw_nomem = 1;
                        assert_null(ct);
                        assert_int_equal(ct_len, 0);
                }
                sr_free(ct);
        }
        assert_true(saw_nomem);

        SR_CLEANUP(sr_freep) unsigned char *ct = NULL;
        size_t ct_len = 0;
        assert_int_equal(sr_aead_seal(key, AD, strlen(AD), "pt", 2, &ct, &ct_len), SR_OK);
        saw_nomem = 0;
        for (unsigned long n = 1; n <= FAIL_AT_MAX; n++) {
                char *pt = NULL;
                size_t pt_len = 0;
                sr_alloc_fail_at(n);
                enum sr_rc rc = sr_aead_open(key, AD, strlen(AD), ct, ct_len, &pt, &pt_len);
                sr_alloc_fail_at(0);
                assert_true(rc == SR_OK || rc == SR_E_NOMEM);
                if (rc == SR_OK) {
                        assert_string_equal(pt, "pt");
                } else {
                        saw_nomem = 1;
                        assert_null(pt);
                }
                sr_free(pt);
        }
        assert_true(saw_nomem);
}

static void
nomem_master_key(void **state)
{
        (void)state;
        struct tmp t;
        tmp_make(&t);
        int saw_nomem = 0;
        for (unsigned long n = 1; n <= FAIL_AT_MAX; n++) {
                sr_alloc_fail_at(n);
                enum sr_rc rc = sr_keyring_master_create(t.key);
                sr_alloc_fail_at(0);
                assert_true(rc == SR_OK || rc == SR_E_NOMEM);
                if (rc == SR_OK) {
                        assert_int_equal(unlink(t.key), 0);
                } else {
                        saw_nomem = 1;
                        assert_int_equal(access(t.key, F_OK), -1); /* nothing left */
                }
        }
        assert_true(saw_nomem);

        assert_int_equal(sr_keyring_master_create(t.key), SR_OK);
        saw_nomem = 0;
        for (unsigned long n = 1; n <= FAIL_AT_MAX; n++) {
                struct sr_secret *m = NULL;
                sr_alloc_fail_at(n);
                enum sr_rc rc = sr_keyring_master_load(t.key, &m);
                sr_alloc_fail_at(0);
                assert_true(rc == SR_OK || rc == SR_E_NOMEM);
                if (rc != SR_OK) {
                        saw_nomem = 1;
                        assert_null(m);
                }
                sr_secret_free(m);
        }
        assert_true(saw_nomem);
        tmp_remove(&t);
}

static void
nomem_wrap_unwrap_derive(void **state)
{
        (void)state;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *master = NULL;
        assert_int_equal(sr_secret_new_random(SR_KEY_BYTES, &master), SR_OK);
        int saw_nomem = 0;
        for (unsigned long n = 1; n <= FAIL_AT_MAX; n++) {
                struct sr_secret *key = NULL;
                unsigned char *wrapped = NULL;
                size_t wrapped_len = 0;
                sr_alloc_fail_at(n);
                enum sr_rc rc = sr_keyring_new_wrapped(master, "owner", &key, &wrapped,
                                                       &wrapped_len);
                sr_alloc_fail_at(0);
                assert_true(rc == SR_OK || rc == SR_E_NOMEM);
                if (rc != SR_OK) {
                        saw_nomem = 1;
                        assert_null(key);
                        assert_null(wrapped);
                        assert_int_equal(wrapped_len, 0);
                }
                sr_secret_free(key);
                sr_free(wrapped);
        }
        assert_true(saw_nomem);

        SR_CLEANUP(sr_secret_freep) struct sr_secret *key = NULL;
        SR_CLEANUP(sr_freep) unsigned char *wrapped = NULL;
        size_t wrapped_len = 0;
        assert_int_equal(sr_keyring_new_wrapped(master, "owner", &key, &wrapped, &wrapped_len),
                         SR_OK);
        saw_nomem = 0;
        for (unsigned long n = 1; n <= FAIL_AT_MAX; n++) {
                struct sr_secret *back = NULL;
                sr_alloc_fail_at(n);
                enum sr_rc rc = sr_keyring_unwrap(master, "owner", wrapped, wrapped_len, &back);
                sr_alloc_fail_at(0);
                assert_true(rc == SR_OK || rc == SR_E_NOMEM);
                if (rc == SR_OK) {
                        assert_true(sr_secret_equal(key, back));
                } else {
                        saw_nomem = 1;
                        assert_null(back);
                }
                sr_secret_free(back);
        }
        assert_true(saw_nomem);

        saw_nomem = 0;
        for (unsigned long n = 1; n <= FAIL_AT_MAX; n++) {
                struct sr_secret *sub = NULL;
                sr_alloc_fail_at(n);
                enum sr_rc rc = sr_keyring_derive(master, "blindidx", 1, &sub);
                sr_alloc_fail_at(0);
                assert_true(rc == SR_OK || rc == SR_E_NOMEM);
                if (rc != SR_OK) {
                        saw_nomem = 1;
                        assert_null(sub);
                }
                sr_secret_free(sub);
        }
        assert_true(saw_nomem);
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
                cmocka_unit_test(secret_copies_and_terminates),
                cmocka_unit_test(secret_equal_is_exact),
                cmocka_unit_test(secret_random_differs),
                cmocka_unit_test(token_hash_sha256_abc),
                cmocka_unit_test(token_is_43_base64url_chars),
                cmocka_unit_test(id_is_32_lower_hex),
                cmocka_unit_test(hex_is_lower_case),
                cmocka_unit_test(hmac_sha256_rfc4231_case2),
                cmocka_unit_test(blindidx_known_answer),
                cmocka_unit_test(blindidx_matches_one_shot_hmac),
                cmocka_unit_test(blindidx_separates_kind_and_value),
                cmocka_unit_test(aead_round_trip),
                cmocka_unit_test(aead_empty_plaintext_and_ad),
                cmocka_unit_test(aead_rejects_tampering),
                cmocka_unit_test(pwhash_hash_and_verify),
                cmocka_unit_test(pwhash_unknown_user_and_garbage_fail),
                cmocka_unit_test(pwhash_failures_cost_one_argon2id_run),
                cmocka_unit_test(pwhash_needs_rehash_for_weaker_or_foreign),
                cmocka_unit_test(keyring_master_create_and_load),
                cmocka_unit_test(keyring_master_load_refuses_bad_files),
                cmocka_unit_test(keyring_wrap_round_trip_and_wrong_owner),
                cmocka_unit_test(keyring_derive_separates_purposes),
                cmocka_unit_test(keyring_derive_known_answer),
                cmocka_unit_test(nomem_secret_new),
                cmocka_unit_test(nomem_aead),
                cmocka_unit_test(nomem_master_key),
                cmocka_unit_test(nomem_wrap_unwrap_derive),
        };
        return cmocka_run_group_tests(tests, setup, NULL);
}
