/* The store's driver layer: the PostgreSQL schema keeps step with the
 * SQLite one, placeholders translate, and the row mappers keep their
 * contracts on a real store (SQLite here; the whole e2e suite runs on
 * PostgreSQL in make check-pg). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/migrations/migrations.h"
#include "store/pg/translate.h"
#include "store/store.h"
#include "unit_env.h"
#include "util/alloc.h"

static void
same_versions(const struct sr_migration *a, const struct sr_migration *b)
{
        for (; a->sql != NULL || b->sql != NULL; a++, b++) {
                assert_non_null(a->sql);
                assert_non_null(b->sql);
                assert_int_equal(a->version, b->version);
        }
}

static void
no_sqlite_words(const struct sr_migration *m)
{
        static const char *const words[] = {"BLOB", "ifnull", "strftime", "AUTOINCREMENT",
                                            "WITHOUT ROWID"};
        for (; m->sql != NULL; m++)
                for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
                        assert_null(strstr(m->sql, words[i]));
}

static void
test_pg_migrations_match_sqlite(void **state)
{
        (void)state;
        same_versions(sr_migrations_directory, sr_migrations_pg_directory);
        same_versions(sr_migrations_data, sr_migrations_pg_data);
        same_versions(sr_migrations_keys, sr_migrations_pg_keys);
        no_sqlite_words(sr_migrations_pg_directory);
        no_sqlite_words(sr_migrations_pg_data);
        no_sqlite_words(sr_migrations_pg_keys);
}

static void
expect_translation(const char *in, const char *want, int want_n)
{
        char *out = NULL;
        int n = -1;
        assert_int_equal(pg_translate(in, 32, &out, &n), SR_OK);
        assert_string_equal(out, want);
        assert_int_equal(n, want_n);
        sr_free(out);
}

static void
test_pg_placeholders(void **state)
{
        (void)state;
        expect_translation("SELECT 1", "SELECT 1", 0);
        expect_translation("a = ? AND b = ?", "a = $1 AND b = $2", 2);
        expect_translation("a = ?2 OR b = ?1 OR c = ?2", "a = $2 OR b = $1 OR c = $2", 2);
        expect_translation("x = '?' AND y = ?", "x = '?' AND y = $1", 1);
        expect_translation("?,?,?,?,?,?,?,?,?,?,?,?", "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12",
                           12);
        char *out = NULL;
        int n = 0;
        assert_int_equal(pg_translate("a = ?33", 32, &out, &n), SR_E_INTERNAL);
        assert_null(out);
}

static void
test_directory_rows_round_trip(void **state)
{
        struct unit_env *e = *state;
        assert_string_equal(sr_store_driver_name(e->st), "sqlite");
        struct sr_dir_account a = {.region = SR_REGION_AU, .created_at = 42};
        strcpy(a.id, "acc_0123456789abcdef0123456789ab");
        strcpy(a.slug, "acme");
        strcpy(a.state, "active");
        assert_int_equal(sr_store_dir_insert(e->st, &a), SR_OK);
        assert_int_equal(sr_store_dir_insert(e->st, &a), SR_E_CONFLICT);
        struct sr_dir_account got;
        assert_int_equal(sr_store_dir_find(e->st, "acme", &got), SR_OK);
        assert_string_equal(got.id, a.id);
        assert_int_equal(got.region, SR_REGION_AU);
        assert_int_equal(got.created_at, 42);
        assert_int_equal(sr_store_dir_find(e->st, "nobody", &got), SR_E_NOT_FOUND);
        assert_int_equal(sr_store_dir_delete(e->st, a.id), SR_OK);
        assert_int_equal(sr_store_dir_find(e->st, a.id, &got), SR_E_NOT_FOUND);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pg_migrations_match_sqlite),
                cmocka_unit_test(test_pg_placeholders),
                cmocka_unit_test_setup_teardown(test_directory_rows_round_trip, unit_env_setup,
                                                unit_env_teardown),
        };
        return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
