/* Unit tests for field encryption over the key hierarchy
 * (src/domain/vault), with the real store in a temporary directory.
 * DATA-2: a sealed field opens only at its own position (account, table,
 * column, row) under its own key, so ciphertexts cannot be moved between
 * rows, columns, tables or accounts; blind indexes are deterministic per
 * account and differ between accounts. PRIV-3 (partial): shredding a
 * subject key makes it unobtainable, so the old ciphertext can never be
 * opened again, and the wrapped key is gone from the keystore files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/aead.h"
#include "crypto/keyring.h"
#include "domain/vault/vault.h"
#include "unit_env.h"
#include "util/alloc.h"

#define ACC_A "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"
#define ACC_B "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1"
#define USER_1 "c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2"
#define USER_2 "d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3"
#define USER_B "e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4"
#define PT "ann@example.com"
#define FAIL_AT_MAX 20

/* Accounts A and B in EU; users 1 and 2 in A, user B in B. */
static int
setup(void **state)
{
        if (unit_env_setup(state) != 0)
                return -1;
        struct unit_env *e = *state;
        if (sr_vault_account_create(e->vault, SR_REGION_EU, ACC_A) != SR_OK ||
            sr_vault_account_create(e->vault, SR_REGION_EU, ACC_B) != SR_OK ||
            sr_vault_subject_create(e->vault, SR_REGION_EU, ACC_A, USER_1) != SR_OK ||
            sr_vault_subject_create(e->vault, SR_REGION_EU, ACC_A, USER_2) != SR_OK ||
            sr_vault_subject_create(e->vault, SR_REGION_EU, ACC_B, USER_B) != SR_OK) {
                unit_env_teardown(state);
                return -1;
        }
        return 0;
}

static struct sr_secret *
key_of(struct unit_env *e, const char *account, const char *subject)
{
        struct sr_secret *k = NULL;
        assert_int_equal(sr_vault_key(e->vault, SR_REGION_EU, account, subject, &k), SR_OK);
        assert_non_null(k);
        assert_int_equal(k->len, SR_KEY_BYTES);
        return k;
}

static struct sr_blob
seal(const struct sr_secret *k, const struct sr_field *f, const char *pt)
{
        struct sr_blob b = {0};
        assert_int_equal(sr_vault_seal(k, f, pt, strlen(pt), &b), SR_OK);
        assert_non_null(b.p);
        return b;
}

/* Asserts the blob opens to pt at f under k. */
static void
opens_to(const struct sr_secret *k, const struct sr_field *f, const struct sr_blob *b,
         const char *pt)
{
        char *out = NULL;
        assert_int_equal(sr_vault_open(k, f, b, &out), SR_OK);
        assert_non_null(out);
        assert_string_equal(out, pt);
        sr_free(out);
}

/* Asserts the blob does not open at f under k. */
static void
refused(const struct sr_secret *k, const struct sr_field *f, const struct sr_blob *b,
        const char *what)
{
        char *out = NULL;
        enum sr_rc rc = sr_vault_open(k, f, b, &out);
        if (rc != SR_E_CRYPTO)
                fail_msg("%s: want crypto_error, got %s", what, sr_rc_name(rc));
        assert_null(out);
}

/* DATA-2: the same key opens a field only at the position it was sealed
 * for; changing any one of account, table, column or row id fails. */
static void
data2_field_opens_only_at_its_position(void **state)
{
        struct unit_env *e = *state;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *k = key_of(e, ACC_A, USER_1);
        const struct sr_field at = {ACC_A, "users", "email_ct", USER_1};
        struct sr_blob b = seal(k, &at, PT);
        opens_to(k, &at, &b, PT);

        const struct sr_field other_account = {ACC_B, "users", "email_ct", USER_1};
        const struct sr_field other_table = {ACC_A, "accounts", "email_ct", USER_1};
        const struct sr_field other_column = {ACC_A, "users", "phone_ct", USER_1};
        const struct sr_field other_row = {ACC_A, "users", "email_ct", USER_2};
        /* The separators must keep boundaries: shifting bytes between two
         * parts is a different position. */
        const struct sr_field shifted = {ACC_A, "usersemail", "_ct", USER_1};
        refused(k, &other_account, &b, "other account");
        refused(k, &other_table, &b, "other table");
        refused(k, &other_column, &b, "other column");
        refused(k, &other_row, &b, "other row");
        refused(k, &shifted, &b, "shifted boundary");
        sr_blob_fini(&b);
}

/* DATA-2: a ciphertext copied into another user's row or another column
 * does not open there, under either user's key. */
static void
data2_ciphertext_cannot_be_swapped_between_rows_or_columns(void **state)
{
        struct unit_env *e = *state;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *k1 = key_of(e, ACC_A, USER_1);
        SR_CLEANUP(sr_secret_freep) struct sr_secret *k2 = key_of(e, ACC_A, USER_2);
        const struct sr_field email1 = {ACC_A, "users", "email_ct", USER_1};
        const struct sr_field email2 = {ACC_A, "users", "email_ct", USER_2};
        const struct sr_field name1 = {ACC_A, "users", "name_ct", USER_1};
        struct sr_blob b1 = seal(k1, &email1, "one@example.com");
        struct sr_blob b2 = seal(k2, &email2, "two@example.com");
        opens_to(k1, &email1, &b1, "one@example.com");
        opens_to(k2, &email2, &b2, "two@example.com");
        refused(k2, &email2, &b1, "row 1 ciphertext in row 2, key 2");
        refused(k1, &email2, &b1, "row 1 ciphertext in row 2, key 1");
        refused(k1, &email1, &b2, "row 2 ciphertext in row 1, key 1");
        refused(k2, &email1, &b2, "row 2 ciphertext in row 1, key 2");
        refused(k1, &name1, &b1, "email ciphertext in the name column");
        refused(k2, &email1, &b1, "right position, other user's key");
        sr_blob_fini(&b1);
        sr_blob_fini(&b2);
}

/* DATA-2: keys differ per subject and per account, and no other key
 * (account data key, another account's subject key) opens a field. */
static void
data2_only_the_subject_key_opens(void **state)
{
        struct unit_env *e = *state;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *k1 = key_of(e, ACC_A, USER_1);
        SR_CLEANUP(sr_secret_freep) struct sr_secret *ka = key_of(e, ACC_A, NULL);
        SR_CLEANUP(sr_secret_freep) struct sr_secret *kb = key_of(e, ACC_B, USER_B);
        SR_CLEANUP(sr_secret_freep) struct sr_secret *kb_acct = key_of(e, ACC_B, NULL);
        assert_false(sr_secret_equal(k1, ka));
        assert_false(sr_secret_equal(k1, kb));
        assert_false(sr_secret_equal(ka, kb_acct));
        const struct sr_field at = {ACC_A, "users", "email_ct", USER_1};
        struct sr_blob b = seal(k1, &at, PT);
        refused(ka, &at, &b, "account data key");
        refused(kb, &at, &b, "other account's subject key");
        refused(kb_acct, &at, &b, "other account's data key");
        /* The same key is handed out again. */
        SR_CLEANUP(sr_secret_freep) struct sr_secret *again = key_of(e, ACC_A, USER_1);
        assert_true(sr_secret_equal(k1, again));
        sr_blob_fini(&b);
}

/* DATA-2: the stored blob is nonce ‖ ciphertext ‖ tag: no plaintext,
 * fresh nonce each time, and any change to it is refused. */
static void
data2_blob_is_randomised_and_authenticated(void **state)
{
        struct unit_env *e = *state;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *k = key_of(e, ACC_A, USER_1);
        const struct sr_field at = {ACC_A, "users", "email_ct", USER_1};
        struct sr_blob a = seal(k, &at, PT);
        struct sr_blob b = seal(k, &at, PT);
        assert_int_equal(a.len, strlen(PT) + SR_AEAD_OVERHEAD_BYTES);
        assert_null(memmem(a.p, a.len, PT, strlen(PT)));
        assert_null(memmem(a.p, a.len, "example", 7));
        assert_memory_not_equal(a.p, b.p, a.len);
        for (size_t i = 0; i < a.len; i++) {
                a.p[i] ^= 0x01;
                refused(k, &at, &a, "flipped bit");
                a.p[i] ^= 0x01;
        }
        struct sr_blob cut = {a.p, a.len - 1};
        refused(k, &at, &cut, "truncated");
        struct sr_blob tiny = {a.p, 10};
        refused(k, &at, &tiny, "shorter than nonce and tag");
        opens_to(k, &at, &a, PT);
        /* Empty values seal to an empty blob and open to NULL. */
        struct sr_blob empty = {(unsigned char *)"x", 1};
        assert_int_equal(sr_vault_seal(k, &at, "", 0, &empty), SR_OK);
        assert_null(empty.p);
        assert_int_equal(empty.len, 0);
        char *out = (char *)"sentinel";
        assert_int_equal(sr_vault_open(k, &at, &empty, &out), SR_OK);
        assert_null(out);
        sr_blob_fini(&a);
        sr_blob_fini(&b);
}

/* DATA-2: a second master key cannot unwrap the account keys. */
static void
data2_other_master_key_cannot_unwrap(void **state)
{
        struct unit_env *e = *state;
        struct sr_vault *v2 = NULL;
        assert_int_equal(unit_env_other_master(e, "other.key", &v2, NULL), SR_OK);
        struct sr_secret *k = NULL;
        assert_int_equal(sr_vault_key(v2, SR_REGION_EU, ACC_A, NULL, &k), SR_E_CRYPTO);
        assert_null(k);
        assert_int_equal(sr_vault_key(v2, SR_REGION_EU, ACC_A, USER_1, &k), SR_E_CRYPTO);
        assert_null(k);
        unsigned char bi[SR_BI_LEN];
        assert_int_equal(sr_vault_index(v2, SR_REGION_EU, ACC_A, "email", PT, bi), SR_E_CRYPTO);
        sr_vault_free(v2);
}

/* Unknown accounts and subjects have no key; keys live per region. */
static void
data2_unknown_keys_not_found(void **state)
{
        struct unit_env *e = *state;
        struct sr_secret *k = NULL;
        assert_int_equal(sr_vault_key(e->vault, SR_REGION_EU, "f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5",
                                      NULL, &k),
                         SR_E_NOT_FOUND);
        assert_int_equal(sr_vault_key(e->vault, SR_REGION_EU, ACC_A,
                                      "f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5", &k),
                         SR_E_NOT_FOUND);
        /* USER_B belongs to account B, not A. */
        assert_int_equal(sr_vault_key(e->vault, SR_REGION_EU, ACC_A, USER_B, &k),
                         SR_E_NOT_FOUND);
        assert_int_equal(sr_vault_key(e->vault, SR_REGION_US, ACC_A, USER_1, &k),
                         SR_E_NOT_FOUND);
        assert_null(k);
}

static int
file_contains(const char *path, const unsigned char *needle, size_t n)
{
        FILE *f = fopen(path, "rb");
        if (f == NULL)
                return 0; /* no file, no copy */
        size_t cap = 1 << 20, len = 0;
        unsigned char *buf = malloc(cap);
        assert_non_null(buf);
        size_t got;
        while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
                len += got;
                if (len == cap) {
                        cap *= 2;
                        buf = realloc(buf, cap);
                        assert_non_null(buf);
                }
        }
        fclose(f);
        int found = memmem(buf, len, needle, n) != NULL;
        free(buf);
        return found;
}

/* PRIV-3: after shredding, the subject key is gone for good: the vault
 * reports not_found, the wrapped key bytes are in neither the keystore
 * nor its WAL, a new key for the same id does not open the old data, and
 * nobody else's key is touched. */
static void
priv3_shredded_subject_key_is_gone(void **state)
{
        struct unit_env *e = *state;
        const struct sr_field at = {ACC_A, "users", "email_ct", USER_1};
        struct sr_blob ct;
        {
                SR_CLEANUP(sr_secret_freep) struct sr_secret *k = key_of(e, ACC_A, USER_1);
                ct = seal(k, &at, PT);
        }
        struct sr_blob wrapped = {0};
        assert_int_equal(sr_store_key_get(e->st, SR_REGION_EU, ACC_A, USER_1, &wrapped), SR_OK);
        assert_true(wrapped.len > 16);

        char db[256], wal[256];
        unit_env_db_path(e, SR_REGION_EU, "keystore.db", db, sizeof(db));
        unit_env_db_path(e, SR_REGION_EU, "keystore.db-wal", wal, sizeof(wal));
        assert_true(file_contains(db, wrapped.p, wrapped.len) ||
                    file_contains(wal, wrapped.p, wrapped.len)); /* the probe works */

        assert_int_equal(sr_vault_subject_shred(e->vault, SR_REGION_EU, ACC_A, USER_1), SR_OK);
        struct sr_secret *k = NULL;
        assert_int_equal(sr_vault_key(e->vault, SR_REGION_EU, ACC_A, USER_1, &k), SR_E_NOT_FOUND);
        assert_null(k);
        assert_false(file_contains(db, wrapped.p, wrapped.len));
        assert_false(file_contains(wal, wrapped.p, wrapped.len));
        /* Shredding twice is harmless. */
        assert_int_equal(sr_vault_subject_shred(e->vault, SR_REGION_EU, ACC_A, USER_1), SR_OK);

        /* A new key under the same id cannot open the old ciphertext. */
        assert_int_equal(sr_vault_subject_create(e->vault, SR_REGION_EU, ACC_A, USER_1), SR_OK);
        SR_CLEANUP(sr_secret_freep) struct sr_secret *fresh = key_of(e, ACC_A, USER_1);
        refused(fresh, &at, &ct, "old ciphertext under the re-created key");

        /* Other subjects and the account key are untouched. */
        SR_CLEANUP(sr_secret_freep) struct sr_secret *k2 = key_of(e, ACC_A, USER_2);
        SR_CLEANUP(sr_secret_freep) struct sr_secret *ka = key_of(e, ACC_A, NULL);
        const struct sr_field at2 = {ACC_A, "users", "email_ct", USER_2};
        struct sr_blob ct2 = seal(k2, &at2, PT);
        opens_to(k2, &at2, &ct2, PT);
        /* The account key is not shredded through this door. */
        assert_int_not_equal(sr_vault_subject_shred(e->vault, SR_REGION_EU, ACC_A, ACC_A), SR_OK);
        SR_CLEANUP(sr_secret_freep) struct sr_secret *ka2 = key_of(e, ACC_A, NULL);
        assert_true(sr_secret_equal(ka, ka2));
        sr_blob_fini(&ct);
        sr_blob_fini(&ct2);
        sr_blob_fini(&wrapped);
}

/* DATA-2: blind indexes are the same for the same account, kind and
 * value (also from a freshly started vault on the same master key), and
 * differ across accounts, kinds and values. */
static void
data2_blind_index_deterministic_per_account(void **state)
{
        struct unit_env *e = *state;
        unsigned char a1[SR_BI_LEN], a2[SR_BI_LEN], b[SR_BI_LEN], kind[SR_BI_LEN],
                value[SR_BI_LEN], restarted[SR_BI_LEN];
        assert_int_equal(sr_vault_index(e->vault, SR_REGION_EU, ACC_A, "email", PT, a1), SR_OK);
        assert_int_equal(sr_vault_index(e->vault, SR_REGION_EU, ACC_A, "email", PT, a2), SR_OK);
        assert_int_equal(sr_vault_index(e->vault, SR_REGION_EU, ACC_B, "email", PT, b), SR_OK);
        assert_int_equal(sr_vault_index(e->vault, SR_REGION_EU, ACC_A, "username", PT, kind),
                         SR_OK);
        assert_int_equal(sr_vault_index(e->vault, SR_REGION_EU, ACC_A, "email",
                                        "bob@example.com", value),
                         SR_OK);
        assert_memory_equal(a1, a2, SR_BI_LEN);
        assert_memory_not_equal(a1, b, SR_BI_LEN);
        assert_memory_not_equal(a1, kind, SR_BI_LEN);
        assert_memory_not_equal(a1, value, SR_BI_LEN);

        struct sr_secret *master = NULL;
        assert_int_equal(sr_keyring_master_load(e->key_path, &master), SR_OK);
        struct sr_vault *v2 = NULL;
        assert_int_equal(sr_vault_new(e->st, master, &v2), SR_OK);
        assert_int_equal(sr_vault_index(v2, SR_REGION_EU, ACC_A, "email", PT, restarted), SR_OK);
        assert_memory_equal(a1, restarted, SR_BI_LEN);
        sr_vault_free(v2);

        /* An unknown account has no index key. */
        assert_int_equal(sr_vault_index(e->vault, SR_REGION_EU,
                                        "f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5", "email", PT, b),
                         SR_E_NOT_FOUND);
}

/* Purpose keys are stable per context and separate from each other. */
static void
purpose_keys_separate(void **state)
{
        struct unit_env *e = *state;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *m1 = NULL;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *m2 = NULL;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *s = NULL;
        assert_int_equal(sr_vault_purpose_key(e->vault, "auditmac", &m1), SR_OK);
        assert_int_equal(sr_vault_purpose_key(e->vault, "auditmac", &m2), SR_OK);
        assert_int_equal(sr_vault_purpose_key(e->vault, "auditsig", &s), SR_OK);
        assert_true(sr_secret_equal(m1, m2));
        assert_false(sr_secret_equal(m1, s));
}

/* Sealing, opening, key look-up, key creation and indexing return SR_OK
 * or SR_E_NOMEM when the nth allocation fails, and leak nothing. */
static void
nomem_vault(void **state)
{
        struct unit_env *e = *state;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *k = key_of(e, ACC_A, USER_1);
        const struct sr_field at = {ACC_A, "users", "email_ct", USER_1};
        struct sr_blob good = seal(k, &at, PT);
        int saw_nomem = 0;
        for (unsigned long n = 1; n <= FAIL_AT_MAX; n++) {
                struct sr_blob b = {0};
                sr_alloc_fail_at(n);
                enum sr_rc rc = sr_vault_seal(k, &at, PT, strlen(PT), &b);
                sr_alloc_fail_at(0);
                assert_true(rc == SR_OK || rc == SR_E_NOMEM);
                if (rc == SR_OK)
                        opens_to(k, &at, &b, PT);
                else
                        saw_nomem = 1;
                sr_blob_fini(&b);

                char *out = NULL;
                sr_alloc_fail_at(n);
                rc = sr_vault_open(k, &at, &good, &out);
                sr_alloc_fail_at(0);
                assert_true(rc == SR_OK || rc == SR_E_NOMEM);
                if (rc != SR_OK)
                        assert_null(out);
                sr_free(out);

                /* A new vault each time, so the uncached path runs too. */
                struct sr_secret *master = NULL;
                assert_int_equal(sr_keyring_master_load(e->key_path, &master), SR_OK);
                struct sr_vault *v = NULL;
                sr_alloc_fail_at(n);
                rc = sr_vault_new(e->st, master, &v);
                sr_alloc_fail_at(0);
                assert_true(rc == SR_OK || rc == SR_E_NOMEM);
                if (rc != SR_OK) {
                        sr_secret_free(master); /* not taken on failure */
                        continue;
                }
                struct sr_secret *got = NULL;
                for (int pass = 0; pass < 2; pass++) { /* uncached, then cached */
                        sr_alloc_fail_at(n);
                        rc = sr_vault_key(v, SR_REGION_EU, ACC_A, USER_1, &got);
                        sr_alloc_fail_at(0);
                        assert_true(rc == SR_OK || rc == SR_E_NOMEM);
                        if (rc == SR_OK)
                                assert_true(sr_secret_equal(got, k));
                        sr_secret_free(got);
                        got = NULL;
                }
                unsigned char bi[SR_BI_LEN];
                sr_alloc_fail_at(n);
                rc = sr_vault_index(v, SR_REGION_EU, ACC_B, "email", PT, bi);
                sr_alloc_fail_at(0);
                assert_true(rc == SR_OK || rc == SR_E_NOMEM);

                char subject[40];
                snprintf(subject, sizeof(subject), "f%031lu", n);
                sr_alloc_fail_at(n);
                rc = sr_vault_subject_create(v, SR_REGION_EU, ACC_A, subject);
                sr_alloc_fail_at(0);
                assert_true(rc == SR_OK || rc == SR_E_NOMEM);
                sr_vault_free(v);
        }
        assert_true(saw_nomem);
        sr_blob_fini(&good);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, unit_env_teardown)

int
main(void)
{
        const struct CMUnitTest tests[] = {
                T(data2_field_opens_only_at_its_position),
                T(data2_ciphertext_cannot_be_swapped_between_rows_or_columns),
                T(data2_only_the_subject_key_opens),
                T(data2_blob_is_randomised_and_authenticated),
                T(data2_other_master_key_cannot_unwrap),
                T(data2_unknown_keys_not_found),
                T(priv3_shredded_subject_key_is_gone),
                T(data2_blind_index_deterministic_per_account),
                T(purpose_keys_separate),
                T(nomem_vault),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
