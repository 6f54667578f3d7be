/* Unit tests for outgoing mail (src/domain/mail, src/mailer) and the reset
 * link (src/domain/identity/reset.c), with the real store in a temporary
 * directory and the injectable clock (never sleeps).
 * AUTH-6: the reset mail carries the link; the outbox holds no address or
 * link in clear; the link is built from public_url.
 * AUTH-9: retries back off 30 s × 2^n up to one hour and stop after 10
 * attempts (row kept, marked failed); only loopback relays count as
 * loopback; parameters cannot inject header lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/app.h"
#include "domain/identity/reset.h"
#include "domain/mail/mail.h"
#include "domain/mail/templates.h"
#include "mailer/mailer.h"
#include "store/outbox.h"
#include "unit_env.h"
#include "util/alloc.h"
#include "util/clock.h"

#define ACC "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"
#define USER "c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2"
#define ADDR "ann@example.test"
#define LINK "https://id.example.test/reset#token=canary-token-text-0123456789"
#define T0 1764064800 /* Tue, 25 Nov 2025 10:00:00 UTC */
#define FAIL_AT_MAX 40

/* ---- pure parts ---- */

static void
backoff_doubles_up_to_an_hour(void **state)
{
        (void)state;
        assert_int_equal(sr_mail_backoff_s(-1), 30);
        assert_int_equal(sr_mail_backoff_s(0), 30);
        assert_int_equal(sr_mail_backoff_s(1), 60);
        assert_int_equal(sr_mail_backoff_s(2), 120);
        assert_int_equal(sr_mail_backoff_s(6), 1920);
        assert_int_equal(sr_mail_backoff_s(7), 3600); /* 3840 capped */
        assert_int_equal(sr_mail_backoff_s(9), 3600);
        assert_int_equal(sr_mail_backoff_s(1000), 3600);
}

static void
kind_names_round_trip(void **state)
{
        (void)state;
        for (unsigned k = 0; k < SR_MAIL__COUNT; k++) {
                const char *name = sr_mail_kind_name((enum sr_mail_kind)k);
                assert_non_null(name);
                assert_non_null(sr_mail_subject((enum sr_mail_kind)k));
                enum sr_mail_kind back;
                assert_int_equal(sr_mail_kind_parse(name, &back), SR_OK);
                assert_int_equal(back, k);
        }
        enum sr_mail_kind back;
        assert_int_equal(sr_mail_kind_parse("nope", &back), SR_E_VALIDATION);
        assert_null(sr_mail_kind_name(SR_MAIL__COUNT));
        assert_true(sr_mail_kind_needs_param(SR_MAIL_PASSWORD_RESET));
        assert_false(sr_mail_kind_needs_param(SR_MAIL_PASSWORD_CHANGED));
}

static void
addresses(void **state)
{
        (void)state;
        char out[300];
        assert_int_equal(sr_mail_address_of("Strongroom <no-reply@localhost>", out, sizeof(out)),
                         SR_OK);
        assert_string_equal(out, "no-reply@localhost");
        assert_int_equal(sr_mail_address_of(" ops@example.test ", out, sizeof(out)), SR_OK);
        assert_string_equal(out, "ops@example.test");
        assert_int_equal(sr_mail_address_of("Name <broken", out, sizeof(out)), SR_E_VALIDATION);
        assert_int_equal(sr_mail_address_of("no address", out, sizeof(out)), SR_E_VALIDATION);
        assert_true(sr_mail_address_ok(ADDR));
        assert_false(sr_mail_address_ok("a@b.test\r\nBcc: x@evil.test"));
        assert_false(sr_mail_address_ok("a b@c.test"));
        assert_false(sr_mail_address_ok("<a@b.test>"));
        assert_false(sr_mail_address_ok("ab.test"));
        assert_false(sr_mail_address_ok("a@b@c.test"));
        assert_false(sr_mail_address_ok("@b.test"));
        assert_false(sr_mail_address_ok(NULL));
}

static const char *
header_end(const char *msg)
{
        const char *p = strstr(msg, "\r\n\r\n");
        assert_non_null(p);
        return p;
}

/* Every line ends in CRLF and no bare LF or CR appears. */
static void
assert_crlf_only(const char *msg)
{
        for (const char *p = msg; *p; p++) {
                if (*p == '\n')
                        assert_true(p > msg && p[-1] == '\r');
                if (*p == '\r')
                        assert_true(p[1] == '\n');
        }
}

static void
reset_message_has_headers_and_link(void **state)
{
        (void)state;
        struct sr_buf b;
        sr_buf_init(&b, 64 * 1024);
        assert_int_equal(sr_mail_render(SR_MAIL_DEFAULT_FROM, ADDR, SR_MAIL_PASSWORD_RESET, LINK,
                                        T0, &b),
                         SR_OK);
        const char *m = b.data;
        const char *end = header_end(m);
        assert_true(strncmp(m, "From: Strongroom <no-reply@localhost>\r\n", 39) == 0);
        assert_non_null(strstr(m, "\r\nTo: <" ADDR ">\r\n"));
        assert_non_null(strstr(m, "\r\nSubject: Reset your Strongroom password\r\n"));
        assert_non_null(strstr(m, "\r\nDate: Tue, 25 Nov 2025 10:00:00 +0000\r\n"));
        const char *mid = strstr(m, "\r\nMessage-ID: <");
        assert_non_null(mid);
        assert_true(mid < end);
        assert_non_null(strstr(mid, "@localhost>\r\n"));
        assert_non_null(strstr(m, "\r\nContent-Type: text/plain; charset=utf-8\r\n"));
        assert_non_null(strstr(m, "\r\nMIME-Version: 1.0\r\n"));
        const char *link = strstr(m, "\r\n" LINK "\r\n");
        assert_non_null(link);
        assert_true(link > end); /* in the body */
        assert_crlf_only(m);
        sr_buf_fini(&b);
}

static void
params_cannot_add_header_lines(void **state)
{
        (void)state;
        struct sr_buf b;
        sr_buf_init(&b, 64 * 1024);
        assert_int_equal(sr_mail_render("Ops <ops@example.test>", ADDR, SR_MAIL_NEW_SIGNIN,
                                        "Firefox\r\nBcc: x@evil.test\n\nbody", T0, &b),
                         SR_OK);
        assert_null(strstr(b.data, "\r\nBcc:"));
        assert_non_null(strstr(b.data, "Firefox??Bcc: x@evil.test??body"));
        assert_non_null(strstr(b.data, "@example.test>\r\n")); /* Message-ID domain */
        assert_crlf_only(b.data);
        sr_buf_fini(&b);

        sr_buf_init(&b, 64 * 1024);
        assert_int_equal(sr_mail_render(SR_MAIL_DEFAULT_FROM, "a@b.test\r\nBcc: x@evil.test",
                                        SR_MAIL_PASSWORD_CHANGED, NULL, T0, &b),
                         SR_E_VALIDATION);
        assert_int_equal(sr_mail_render("Evil\r\nBcc: x@evil.test <a@b.test>", ADDR,
                                        SR_MAIL_PASSWORD_CHANGED, NULL, T0, &b),
                         SR_E_VALIDATION);
        assert_int_equal(sr_mail_render(SR_MAIL_DEFAULT_FROM, ADDR, SR_MAIL_PASSWORD_RESET, NULL,
                                        T0, &b),
                         SR_E_INTERNAL);
        assert_int_equal(sr_mail_render(SR_MAIL_DEFAULT_FROM, ADDR, SR_MAIL__COUNT, NULL, T0, &b),
                         SR_E_INTERNAL);
        sr_buf_fini(&b);
}

static void
every_kind_renders(void **state)
{
        (void)state;
        for (unsigned k = 0; k < SR_MAIL__COUNT; k++) {
                struct sr_buf b;
                sr_buf_init(&b, 64 * 1024);
                assert_int_equal(sr_mail_render(SR_MAIL_DEFAULT_FROM, ADDR, (enum sr_mail_kind)k,
                                                "param-value", T0, &b),
                                 SR_OK);
                assert_null(strstr(b.data, "@@"));
                if (sr_mail_kind_needs_param((enum sr_mail_kind)k))
                        assert_non_null(strstr(b.data, "param-value"));
                assert_crlf_only(b.data);
                sr_buf_fini(&b);
        }
}

static void
nomem_render(void **state)
{
        (void)state;
        for (unsigned long n = 1; n <= 10; n++) {
                struct sr_buf b;
                sr_buf_init(&b, 64 * 1024);
                sr_alloc_fail_at(n);
                enum sr_rc rc = sr_mail_render(SR_MAIL_DEFAULT_FROM, ADDR, SR_MAIL_PASSWORD_RESET,
                                               LINK, T0, &b);
                sr_alloc_fail_at(0);
                assert_true(rc == SR_OK || rc == SR_E_NOMEM);
                sr_buf_fini(&b);
        }
}

static void
relay_urls(void **state)
{
        (void)state;
        struct sr_smtp_target t;
        assert_int_equal(sr_mailer_parse_url("smtp://127.0.0.1:2525", &t), SR_OK);
        assert_string_equal(t.host, "127.0.0.1");
        assert_true(t.loopback);
        assert_false(t.implicit_tls);
        assert_int_equal(sr_mailer_parse_url("smtp://127.8.9.10", &t), SR_OK);
        assert_true(t.loopback);
        assert_int_equal(sr_mailer_parse_url("smtp://LocalHost:25/", &t), SR_OK);
        assert_true(t.loopback);
        assert_int_equal(sr_mailer_parse_url("smtp://[::1]:25", &t), SR_OK);
        assert_string_equal(t.host, "::1");
        assert_true(t.loopback);
        /* Credentials are skipped; an '@' in them does not fool the parse. */
        assert_int_equal(sr_mailer_parse_url("smtp://u:p@127.0.0.1@relay.example.test:587", &t),
                         SR_OK);
        assert_string_equal(t.host, "relay.example.test");
        assert_false(t.loopback);
        assert_int_equal(sr_mailer_parse_url("smtp://relay.example.test:587", &t), SR_OK);
        assert_false(t.loopback);
        assert_int_equal(sr_mailer_parse_url("smtp://128.0.0.1", &t), SR_OK);
        assert_false(t.loopback);
        assert_int_equal(sr_mailer_parse_url("smtp://localhost.evil.test", &t), SR_OK);
        assert_false(t.loopback);
        assert_int_equal(sr_mailer_parse_url("smtps://127.0.0.1:465", &t), SR_OK);
        assert_true(t.implicit_tls);
        assert_int_equal(sr_mailer_parse_url("http://127.0.0.1", &t), SR_E_VALIDATION);
        assert_int_equal(sr_mailer_parse_url("smtp://", &t), SR_E_VALIDATION);
        assert_int_equal(sr_mailer_parse_url("smtp://[::1", &t), SR_E_VALIDATION);
        assert_int_equal(sr_mailer_parse_url(NULL, &t), SR_E_VALIDATION);
}

static void
reset_links(void **state)
{
        (void)state;
        char out[128];
        assert_int_equal(sr_reset_link("https://id.example.test", "TOK", out, sizeof(out)), SR_OK);
        assert_string_equal(out, "https://id.example.test/reset#token=TOK");
        assert_int_equal(sr_reset_link("https://id.example.test/base//", "TOK", out, sizeof(out)),
                         SR_OK);
        assert_string_equal(out, "https://id.example.test/base/reset#token=TOK");
        assert_int_equal(sr_reset_link("https://id.example.test", "TOK", out, 20),
                         SR_E_TOO_LARGE);
}

/* ---- the outbox over a real store ---- */

struct mail_env {
        struct unit_env *e;
        struct sr_config cfg;
        struct sr_app app;
        char maildir[128];
};

static int
setup(void **state)
{
        sr_clock_set_offset(0);
        void *ue = NULL;
        if (unit_env_setup(&ue) != 0)
                return -1;
        struct mail_env *m = calloc(1, sizeof(*m));
        m->e = ue;
        m->cfg.data_dir = m->e->dir;
        m->cfg.public_url = (char *)"https://id.example.test";
        m->app.cfg = &m->cfg;
        m->app.st = m->e->st;
        m->app.vault = m->e->vault;
        m->app.audit = m->e->audit;
        snprintf(m->maildir, sizeof(m->maildir), "%s/mail", m->e->dir);
        if (sr_vault_account_create(m->e->vault, SR_REGION_EU, ACC) != SR_OK ||
            sr_vault_subject_create(m->e->vault, SR_REGION_EU, ACC, USER) != SR_OK) {
                unit_env_teardown(&ue);
                free(m);
                return -1;
        }
        *state = m;
        return 0;
}

static int
teardown(void **state)
{
        struct mail_env *m = *state;
        void *ue = m->e;
        free(m);
        sr_clock_set_offset(0);
        return unit_env_teardown(&ue);
}

static void
enqueue(struct mail_env *m, enum sr_mail_kind kind, const char *param)
{
        struct sr_tx *tx = NULL;
        assert_int_equal(sr_store_begin(m->e->st, SR_REGION_EU, &tx), SR_OK);
        assert_int_equal(sr_mail_enqueue_tx(&m->app, tx, ACC, USER, ADDR, kind, param), SR_OK);
        assert_int_equal(sr_store_commit(tx), SR_OK);
        sr_store_tx_free(tx);
}

static int64_t
outbox_count(struct mail_env *m)
{
        int64_t n = -1;
        assert_int_equal(sr_store_outbox_count(m->e->st, SR_REGION_EU, ACC, &n), SR_OK);
        return n;
}

/* The single row, whatever its due time (failed rows are not listed). */
static bool
only_row(struct mail_env *m, struct sr_outbox_row *ret)
{
        struct sr_outbox_row *rows = NULL;
        size_t n = 0;
        assert_int_equal(sr_store_outbox_due(m->e->st, SR_REGION_EU, INT64_MAX, 10, &rows, &n),
                         SR_OK);
        assert_true(n <= 1);
        if (n == 1) {
                *ret = rows[0];
                memset(&rows[0], 0, sizeof(rows[0]));
        }
        sr_outbox_rows_free(rows, n);
        return n == 1;
}

static size_t
maildir_count(const char *dir)
{
        DIR *d = opendir(dir);
        if (d == NULL)
                return 0;
        size_t n = 0;
        for (struct dirent *de; (de = readdir(d)) != NULL;)
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

static bool
file_contains(const char *path, const char *needle)
{
        FILE *f = fopen(path, "rb");
        if (f == NULL)
                return false;
        static char buf[1 << 20];
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = '\0';
        return memmem(buf, n, needle, strlen(needle)) != NULL;
}

static void
outbox_rows_are_sealed(void **state)
{
        struct mail_env *m = *state;
        enqueue(m, SR_MAIL_PASSWORD_RESET, LINK);
        struct sr_outbox_row row;
        assert_true(only_row(m, &row));
        assert_string_equal(row.kind, "password_reset");
        assert_int_equal(row.attempts, 0);
        assert_null(memmem(row.payload_ct.p, row.payload_ct.len, ADDR, strlen(ADDR)));
        assert_null(memmem(row.payload_ct.p, row.payload_ct.len, "canary", 6));
        sr_outbox_row_fini(&row);
        /* Neither the address nor the link is anywhere in the files. */
        sr_store_thread_done(); /* close, so the WAL is folded into the file */
        char path[256];
        static const char *const files[] = {"strongroom.db", "strongroom.db-wal"};
        for (size_t i = 0; i < 2; i++) {
                unit_env_db_path(m->e, SR_REGION_EU, files[i], path, sizeof(path));
                assert_false(file_contains(path, ADDR));
                assert_false(file_contains(path, "canary-token-text"));
        }
}

static void
needs_param_and_address(void **state)
{
        struct mail_env *m = *state;
        struct sr_tx *tx = NULL;
        assert_int_equal(sr_store_begin(m->e->st, SR_REGION_EU, &tx), SR_OK);
        assert_int_equal(sr_mail_enqueue_tx(&m->app, tx, ACC, USER, ADDR, SR_MAIL_PASSWORD_RESET,
                                            NULL),
                         SR_E_INTERNAL);
        assert_int_equal(sr_mail_enqueue_tx(&m->app, tx, ACC, USER, "x\r\ny@z.test",
                                            SR_MAIL_PASSWORD_CHANGED, NULL),
                         SR_E_VALIDATION);
        assert_int_equal(sr_mail_enqueue_tx(&m->app, tx, ACC, USER, ADDR, SR_MAIL__COUNT, NULL),
                         SR_E_INTERNAL);
        sr_store_tx_free(tx); /* rolled back */
        assert_int_equal(outbox_count(m), 0);
}

static void
maildir_delivery(void **state)
{
        struct mail_env *m = *state;
        enqueue(m, SR_MAIL_PASSWORD_RESET, LINK);
        sr_mail_deliver_pending(&m->app);
        assert_int_equal(outbox_count(m), 0);
        char dir[200];
        snprintf(dir, sizeof(dir), "%s/new", m->maildir);
        assert_int_equal(maildir_count(dir), 1);
        snprintf(dir, sizeof(dir), "%s/tmp", m->maildir);
        assert_int_equal(maildir_count(dir), 0);
        DIR *d = NULL;
        snprintf(dir, sizeof(dir), "%s/new", m->maildir);
        d = opendir(dir);
        assert_non_null(d);
        char path[600] = "";
        for (struct dirent *de; (de = readdir(d)) != NULL;)
                if (de->d_name[0] != '.')
                        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        closedir(d);
        assert_true(file_contains(path, "\nTo: <" ADDR ">\n"));
        assert_true(file_contains(path, "\n" LINK "\n"));
        assert_false(file_contains(path, "\r\n")); /* LF in a Maildir */
}

/* AUTH-9: 30 s × 2^n back-off, give up after 10 attempts, with the clock. */
static void
retries_back_off_then_fail(void **state)
{
        struct mail_env *m = *state;
        m->cfg.smtp_url = (char *)"smtp://127.0.0.1:1"; /* nothing listens: refused at once */
        enqueue(m, SR_MAIL_PASSWORD_CHANGED, NULL);
        int64_t offset = 0;
        for (int64_t attempt = 1; attempt <= SR_MAIL_MAX_ATTEMPTS; attempt++) {
                int64_t before = sr_clock_now();
                sr_mail_deliver_pending(&m->app);
                struct sr_outbox_row row;
                bool listed = only_row(m, &row);
                if (attempt == SR_MAIL_MAX_ATTEMPTS) {
                        assert_false(listed); /* failed rows are not due any more */
                        break;
                }
                assert_true(listed);
                assert_int_equal(row.attempts, attempt);
                assert_false(row.failed);
                int64_t wait = row.next_attempt_at - before;
                int64_t want = sr_mail_backoff_s(attempt - 1);
                assert_true(wait >= want && wait <= want + 2);
                sr_outbox_row_fini(&row);
                /* Not due yet: another round changes nothing. */
                sr_mail_deliver_pending(&m->app);
                assert_true(only_row(m, &row));
                assert_int_equal(row.attempts, attempt);
                sr_outbox_row_fini(&row);
                offset += want + 1;
                sr_clock_set_offset(offset);
        }
        /* Kept, marked failed, and never tried again even over Maildir. */
        assert_int_equal(outbox_count(m), 1);
        m->cfg.smtp_url = NULL;
        sr_clock_set_offset(offset + 100000);
        sr_mail_deliver_pending(&m->app);
        assert_int_equal(outbox_count(m), 1);
        char dir[200];
        snprintf(dir, sizeof(dir), "%s/new", m->maildir);
        assert_int_equal(maildir_count(dir), 0);
}

/* PRIV-3 meets the outbox: once the person's key is shredded their queued
 * mail can never be opened, so it is dropped, not retried. */
static void
shredded_subject_drops_the_row(void **state)
{
        struct mail_env *m = *state;
        enqueue(m, SR_MAIL_PASSWORD_RESET, LINK);
        assert_int_equal(sr_vault_subject_shred(m->e->vault, SR_REGION_EU, ACC, USER), SR_OK);
        sr_mail_deliver_pending(&m->app);
        assert_int_equal(outbox_count(m), 0);
        char dir[200];
        snprintf(dir, sizeof(dir), "%s/new", m->maildir);
        assert_int_equal(maildir_count(dir), 0);
}

static void
nomem_enqueue(void **state)
{
        struct mail_env *m = *state;
        int64_t ok = 0;
        for (unsigned long n = 1; n <= FAIL_AT_MAX; n++) {
                struct sr_tx *tx = NULL;
                assert_int_equal(sr_store_begin(m->e->st, SR_REGION_EU, &tx), SR_OK);
                sr_alloc_fail_at(n);
                enum sr_rc rc = sr_mail_enqueue_tx(&m->app, tx, ACC, USER, ADDR,
                                                   SR_MAIL_PASSWORD_RESET, LINK);
                sr_alloc_fail_at(0);
                assert_true(rc == SR_OK || rc == SR_E_NOMEM);
                if (rc == SR_OK) {
                        assert_int_equal(sr_store_commit(tx), SR_OK);
                        ok++;
                }
                sr_store_tx_free(tx);
                assert_int_equal(outbox_count(m), ok);
        }
        assert_true(ok > 0);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(backoff_doubles_up_to_an_hour),
                cmocka_unit_test(kind_names_round_trip),
                cmocka_unit_test(addresses),
                cmocka_unit_test(reset_message_has_headers_and_link),
                cmocka_unit_test(params_cannot_add_header_lines),
                cmocka_unit_test(every_kind_renders),
                cmocka_unit_test(nomem_render),
                cmocka_unit_test(relay_urls),
                cmocka_unit_test(reset_links),
                cmocka_unit_test_setup_teardown(outbox_rows_are_sealed, setup, teardown),
                cmocka_unit_test_setup_teardown(needs_param_and_address, setup, teardown),
                cmocka_unit_test_setup_teardown(maildir_delivery, setup, teardown),
                cmocka_unit_test_setup_teardown(retries_back_off_then_fail, setup, teardown),
                cmocka_unit_test_setup_teardown(shredded_subject_drops_the_row, setup, teardown),
                cmocka_unit_test_setup_teardown(nomem_enqueue, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
