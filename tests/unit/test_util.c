/* Unit tests for src/util: buffers, clock, status names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/rc.h"

static void
buf_refuses_to_grow_past_ceiling(void **state)
{
        (void)state;
        struct sr_buf b;
        sr_buf_init(&b, 8);
        assert_int_equal(sr_buf_puts(&b, "12345678"), SR_OK);
        assert_int_equal(sr_buf_puts(&b, "9"), SR_E_TOO_LARGE);
        assert_string_equal(b.data, "12345678");
        sr_buf_fini(&b);
}

static void
buf_reports_nomem(void **state)
{
        (void)state;
        struct sr_buf b;
        sr_buf_init(&b, 1024);
        sr_alloc_fail_at(1);
        assert_int_equal(sr_buf_puts(&b, "x"), SR_E_NOMEM);
        sr_alloc_fail_at(0);
        sr_buf_fini(&b);
}

static void
clock_offset_moves_policy_time(void **state)
{
        (void)state;
        int64_t before = sr_clock_now();
        sr_clock_set_offset(3600);
        int64_t after = sr_clock_now();
        sr_clock_set_offset(0);
        assert_true(after - before >= 3600 && after - before <= 3602);
}

static void
clock_round_trips_rfc3339(void **state)
{
        (void)state;
        char s[32];
        sr_clock_format(1790000000, s, sizeof(s));
        int64_t t = 0;
        assert_int_equal(sr_clock_parse(s, &t), SR_OK);
        assert_int_equal(t, 1790000000);
        assert_int_not_equal(sr_clock_parse("2026-01-01T00:00:00+02:00", &t), SR_OK);
        assert_int_not_equal(sr_clock_parse("yesterday", &t), SR_OK);
}

/* sr_clock_format does its own calendar arithmetic: it must agree with
 * gmtime_r + strftime across leap years, century rules and both sides of
 * the epoch. */
static void
clock_format_matches_gmtime(void **state)
{
        (void)state;
        static const int64_t fixed[] = {0, -1, 86399, 86400, 951782400, 951868800, 4107542399,
                                        4107542400, 253402300799, -62135596800};
        for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]) + 20000; i++) {
                int64_t t = i < sizeof(fixed) / sizeof(fixed[0])
                                    ? fixed[i]
                                    : -2208988800 + (int64_t)i * 611207 + (int64_t)(i % 86400);
                time_t tt = (time_t)t;
                struct tm tm;
                char want[40], got[40];
                assert_non_null(gmtime_r(&tt, &tm));
                snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
                sr_clock_format(t, got, sizeof(got));
                assert_string_equal(got, want);
        }
}

static void
rc_names_are_stable(void **state)
{
        (void)state;
        assert_string_equal(sr_rc_name(SR_E_NOT_FOUND), "not_found");
        assert_string_equal(sr_rc_name(SR_E_CSRF), "csrf_failed");
        assert_string_equal(sr_rc_name(SR_E_STORE), "internal_error");
        assert_string_equal(sr_rc_name((enum sr_rc)999), "internal_error");
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(buf_refuses_to_grow_past_ceiling),
                cmocka_unit_test(buf_reports_nomem),
                cmocka_unit_test(clock_offset_moves_policy_time),
                cmocka_unit_test(clock_round_trips_rfc3339),
                cmocka_unit_test(clock_format_matches_gmtime),
                cmocka_unit_test(rc_names_are_stable),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
