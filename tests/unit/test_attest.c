/* Unit tests for `strongroom attest` (src/cli/attest.c): JSON and text
 * output, the milestone's statuses, the settings read from the config, the
 * master-key and test-clock warnings, argument errors and allocation
 * failures. The subcommand runs in-process with stdout and stderr sent to
 * temporary files. These tests check the report, not the enforcement, so
 * they name no claim. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/attest.h"
#include "util/alloc.h"

struct run {
        int code;
        char *out; /* malloc'd */
        char *err; /* malloc'd */
};

static char *
slurp(FILE *f)
{
        long n = ftell(f);
        assert_true(n >= 0);
        rewind(f);
        char *s = calloc(1, (size_t)n + 1);
        assert_non_null(s);
        assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
        return s;
}

/* Runs sr_cli_attest with argv (NULL-terminated, argv[0] "attest"). */
static struct run
run_attest(const char *const *argv)
{
        int argc = 0;
        while (argv[argc] != NULL)
                argc++;
        FILE *out = tmpfile(), *err = tmpfile();
        assert_non_null(out);
        assert_non_null(err);
        fflush(stdout);
        fflush(stderr);
        int saved_out = dup(STDOUT_FILENO), saved_err = dup(STDERR_FILENO);
        assert_true(saved_out >= 0 && saved_err >= 0);
        assert_true(dup2(fileno(out), STDOUT_FILENO) >= 0);
        assert_true(dup2(fileno(err), STDERR_FILENO) >= 0);
        struct run r = {0};
        r.code = sr_cli_attest(argc, (char **)argv);
        fflush(stdout);
        fflush(stderr);
        assert_true(dup2(saved_out, STDOUT_FILENO) >= 0);
        assert_true(dup2(saved_err, STDERR_FILENO) >= 0);
        close(saved_out);
        close(saved_err);
        assert_int_equal(fseek(out, 0, SEEK_END), 0);
        assert_int_equal(fseek(err, 0, SEEK_END), 0);
        r.out = slurp(out);
        r.err = slurp(err);
        fclose(out);
        fclose(err);
        return r;
}

static void
run_fini(struct run *r)
{
        free(r->out);
        free(r->err);
}

static size_t
count_lines(const char *s)
{
        size_t n = 0;
        for (; *s != '\0'; s++)
                n += *s == '\n';
        return n;
}

struct fixture {
        char dir[64];
        char real[PATH_MAX];
};

static int
setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        if (f == NULL)
                return -1;
        snprintf(f->dir, sizeof(f->dir), "/tmp/sr_attest_XXXXXX");
        if (mkdtemp(f->dir) == NULL || realpath(f->dir, f->real) == NULL) {
                free(f);
                return -1;
        }
        unsetenv("STRONGROOM_CLOCK_OFFSET_FILE");
        *state = f;
        return 0;
}

static int
teardown(void **state)
{
        struct fixture *f = *state;
        char conf[128];
        snprintf(conf, sizeof(conf), "%s/strongroom.conf", f->dir);
        unlink(conf);
        int rc = rmdir(f->dir);
        free(f);
        return rc;
}

static void
write_conf(const struct fixture *f, const char *text)
{
        char conf[128];
        snprintf(conf, sizeof(conf), "%s/strongroom.conf", f->dir);
        FILE *c = fopen(conf, "w");
        assert_non_null(c);
        assert_true(fputs(text, c) >= 0);
        assert_int_equal(fclose(c), 0);
}

/* Runs `attest --data-dir DIR --json [extra]`, expects exit 0 and returns
 * the parsed document (caller decrefs). */
static json_t *
attest_json(const struct fixture *f, const char *extra1, const char *extra2)
{
        const char *argv[] = {"attest", "--data-dir", f->dir, "--json", extra1, extra2, NULL};
        struct run r = run_attest(argv);
        assert_int_equal(r.code, 0);
        assert_string_equal(r.err, "");
        json_error_t jerr;
        json_t *doc = json_loads(r.out, 0, &jerr);
        if (doc == NULL)
                fail_msg("attest --json is not JSON (%s): %s", jerr.text, r.out);
        run_fini(&r);
        return doc;
}

static json_t *
find_claim(json_t *doc, const char *id)
{
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(doc, "claims"), i, c)
        {
                if (strcmp(json_string_value(json_object_get(c, "id")), id) == 0)
                        return c;
        }
        fail_msg("claim %s missing from attest output", id);
        return NULL;
}

static const char *
claim_field(json_t *doc, const char *id, const char *field)
{
        const char *v = json_string_value(json_object_get(find_claim(doc, id), field));
        assert_non_null(v);
        return v;
}

static bool
has_warning(json_t *doc, const char *needle)
{
        size_t i;
        json_t *w;
        json_array_foreach(json_object_get(doc, "warnings"), i, w)
        {
                if (strstr(json_string_value(w), needle) != NULL)
                        return true;
        }
        return false;
}

static void
json_lists_every_claim_in_table_order(void **state)
{
        struct fixture *f = *state;
        json_t *doc = attest_json(f, NULL, NULL);
        assert_string_equal(json_string_value(json_object_get(doc, "version")), SR_VERSION);
        assert_string_equal(json_string_value(json_object_get(doc, "data_dir")), f->real);
        assert_true(json_is_false(json_object_get(doc, "test_clock")));
        assert_true(json_is_array(json_object_get(doc, "warnings")));
        json_t *claims = json_object_get(doc, "claims");
        assert_true(json_is_array(claims));
        assert_int_equal(sr_attest_claim_count(), 49);
        assert_int_equal(json_array_size(claims), sr_attest_claim_count());
        const char *id = NULL, *title = NULL;
        for (size_t i = 0; sr_attest_claim_at(i, &id, &title); i++) {
                json_t *c = json_array_get(claims, i);
                assert_string_equal(json_string_value(json_object_get(c, "id")), id);
                assert_string_equal(json_string_value(json_object_get(c, "title")), title);
                assert_true(json_is_string(json_object_get(c, "settings")));
                const char *st = json_string_value(json_object_get(c, "status"));
                assert_non_null(st);
                assert_true(strcmp(st, "enforced") == 0 || strcmp(st, "partial") == 0 ||
                            strcmp(st, "no") == 0);
        }
        assert_false(sr_attest_claim_at(sr_attest_claim_count(), &id, &title));
        json_decref(doc);
}

static void
statuses_match_the_milestone(void **state)
{
        /* Statuses move as claims land; pin only the foundation's. */
        static const char *const enforced[] = {"AUTH-1", "AUTH-7", "AUTH-10", "DATA-1",
                                               "DATA-2", "DATA-5", "OPS-1"};
        struct fixture *f = *state;
        json_t *doc = attest_json(f, NULL, NULL);
        size_t i;
        for (i = 0; i < sizeof(enforced) / sizeof(enforced[0]); i++)
                assert_string_equal(claim_field(doc, enforced[i], "status"), "enforced");
        const char *auth7 = claim_field(doc, "AUTH-7", "settings");
        assert_non_null(strstr(auth7, "idle_timeout_s default 600"));
        assert_non_null(strstr(auth7, "max_lifetime_s default 43200"));
        assert_non_null(strstr(claim_field(doc, "DATA-1", "settings"), "plain port: off"));
        json_decref(doc);
}

static void
warns_while_master_key_is_inside_data_dir(void **state)
{
        struct fixture *f = *state;
        json_t *doc = attest_json(f, NULL, NULL);
        char key[PATH_MAX + 32];
        snprintf(key, sizeof(key), "%s/keys/master.key", f->dir);
        assert_true(has_warning(doc, "master key file"));
        assert_true(has_warning(doc, key));
        assert_non_null(strstr(claim_field(doc, "DATA-2", "settings"), key));
        json_decref(doc);

        doc = attest_json(f, "--master-key-file", "/etc/strongroom/master.key");
        assert_false(has_warning(doc, "master key file"));
        json_decref(doc);

        /* Paths are compared after resolving "." and "..", both ways. */
        char path[PATH_MAX + 64];
        snprintf(path, sizeof(path), "/tmp/./%s/keys/../keys/master.key", f->dir + 5);
        doc = attest_json(f, "--master-key-file", path);
        assert_true(has_warning(doc, "master key file"));
        json_decref(doc);
        snprintf(path, sizeof(path), "%s/keys/../../elsewhere/master.key", f->dir);
        doc = attest_json(f, "--master-key-file", path);
        assert_false(has_warning(doc, "master key file"));
        json_decref(doc);
}

static void
settings_follow_the_config_file(void **state)
{
        struct fixture *f = *state;
        write_conf(f, "[server]\n"
                      "plain_listen = 127.0.0.1:8080\n"
                      "master_key_file = /etc/strongroom/master.key\n"
                      "trusted_proxies = 10.0.0.1\n"
                      "[signup]\n"
                      "mode = closed\n"
                      "[mail]\n"
                      "smtp_url = smtp://mailer:canary-smtp-pw@relay.example\n");
        const char *argv[] = {"attest", "--data-dir", f->dir, "--json", NULL};
        struct run r = run_attest(argv);
        assert_int_equal(r.code, 0);
        assert_null(strstr(r.out, "canary-smtp-pw"));
        json_t *doc = json_loads(r.out, 0, NULL);
        assert_non_null(doc);
        assert_non_null(strstr(claim_field(doc, "DATA-1", "settings"), "plain port: 127.0.0.1:8080"));
        assert_non_null(strstr(claim_field(doc, "DATA-2", "settings"),
                               "master key file: /etc/strongroom/master.key"));
        assert_non_null(strstr(claim_field(doc, "AUTH-10", "settings"), "signup: closed"));
        assert_non_null(strstr(claim_field(doc, "ACC-8", "settings"), "10.0.0.1"));
        assert_non_null(strstr(claim_field(doc, "AUTH-6", "settings"), "SMTP relay"));
        assert_false(has_warning(doc, "master key file"));
        json_decref(doc);
        run_fini(&r);

        write_conf(f, "[server]\nno_such_key = 1\n");
        r = run_attest(argv);
        assert_int_equal(r.code, 1);
        assert_int_equal(count_lines(r.err), 1);
        assert_string_equal(r.out, "");
        run_fini(&r);
}

static void
reports_the_test_clock(void **state)
{
        struct fixture *f = *state;
        assert_int_equal(setenv("STRONGROOM_CLOCK_OFFSET_FILE", "/nonexistent/offset", 1), 0);
        json_t *doc = attest_json(f, NULL, NULL);
        unsetenv("STRONGROOM_CLOCK_OFFSET_FILE");
        assert_true(json_is_true(json_object_get(doc, "test_clock")));
        assert_true(has_warning(doc, "STRONGROOM_CLOCK_OFFSET_FILE"));
        json_decref(doc);
        doc = attest_json(f, NULL, NULL);
        assert_true(json_is_false(json_object_get(doc, "test_clock")));
        json_decref(doc);
}

static void
text_has_one_line_per_claim(void **state)
{
        struct fixture *f = *state;
        const char *argv[] = {"attest", "--data-dir", f->dir, NULL};
        struct run r = run_attest(argv);
        assert_int_equal(r.code, 0);
        assert_string_equal(r.err, "");
        /* version, data_dir, test_clock, one warning, then the claims */
        assert_int_equal(count_lines(r.out), 4 + sr_attest_claim_count());
        assert_non_null(strstr(r.out, "\nWARNING: master key file "));
        assert_non_null(strstr(r.out, "\nAUTH-7   enforced  idle_timeout_s default 600"));
        assert_non_null(strstr(r.out, "\nAUTH-7   enforced  "));
        assert_non_null(strstr(r.out, "\nPRIV-1   no\n"));
        assert_non_null(strstr(r.out, "test_clock: false\n"));
        run_fini(&r);
}

static void
bad_arguments_exit_2_and_missing_dir_exits_1(void **state)
{
        struct fixture *f = *state;
        const char *const *const bad[] = {
                (const char *const[]){"attest", NULL},
                (const char *const[]){"attest", "--data-dir", NULL},
                (const char *const[]){"attest", "--data-dir=", NULL},
                (const char *const[]){"attest", "--data-directory", "x", NULL},
                (const char *const[]){"attest", "--frobnicate", NULL},
                (const char *const[]){"attest", "--json", "stray", NULL},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct run r = run_attest((const char *const *)bad[i]);
                assert_int_equal(r.code, 2);
                assert_int_equal(count_lines(r.err), 1);
                assert_string_equal(r.out, "");
                run_fini(&r);
        }
        char missing[96];
        snprintf(missing, sizeof(missing), "%s/not-there", f->dir);
        const char *argv[] = {"attest", "--data-dir", missing, "--json", NULL};
        struct run r = run_attest(argv);
        assert_int_equal(r.code, 1);
        assert_int_equal(count_lines(r.err), 1);
        assert_non_null(strstr(r.err, missing));
        assert_string_equal(r.out, "");
        run_fini(&r);

        const char *help[] = {"attest", "--help", NULL};
        r = run_attest(help);
        assert_int_equal(r.code, 0);
        assert_non_null(strstr(r.out, "usage: strongroom attest --data-dir DIR"));
        run_fini(&r);
}

static void
allocation_failures_exit_1_without_leaking(void **state)
{
        struct fixture *f = *state;
        const char *argv[] = {"attest", "--data-dir", f->dir, "--json", NULL};
        unsigned long n;
        for (n = 1; n < 10000; n++) {
                sr_alloc_fail_at(n);
                struct run r = run_attest(argv);
                sr_alloc_fail_at(0);
                if (r.code == 0) {
                        run_fini(&r);
                        break;
                }
                assert_int_equal(r.code, 1);
                assert_int_equal(count_lines(r.err), 1);
                assert_string_equal(r.out, "");
                run_fini(&r);
        }
        assert_true(n > 1 && n < 10000);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(json_lists_every_claim_in_table_order, setup, teardown),
                cmocka_unit_test_setup_teardown(statuses_match_the_milestone, setup, teardown),
                cmocka_unit_test_setup_teardown(warns_while_master_key_is_inside_data_dir, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(settings_follow_the_config_file, setup, teardown),
                cmocka_unit_test_setup_teardown(reports_the_test_clock, setup, teardown),
                cmocka_unit_test_setup_teardown(text_has_one_line_per_claim, setup, teardown),
                cmocka_unit_test_setup_teardown(bad_arguments_exit_2_and_missing_dir_exits_1, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(allocation_failures_exit_1_without_leaking, setup,
                                                teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
