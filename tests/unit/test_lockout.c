/* Unit tests for the lockout decision and the sign-in bucket
 * (src/domain/session/lockout.c, AUTH-3), driven with explicit policy
 * times: no sleeping, no store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>

#include "domain/session/lockout.h"

#define T0 1800000000
static const struct sr_lockout_policy seed = {3, 900};

/* AUTH-3: the third reservation already sets the lock (so parallel
 * attempts see it); the fourth is refused and changes nothing. */
static void
auth3_threshold_reservations_then_refusal(void **state)
{
        (void)state;
        struct sr_lockout_state st = {0, 0}, next;
        for (int i = 1; i <= 3; i++) {
                assert_true(sr_lockout_reserve(&seed, &st, T0 + i, &next));
                assert_int_equal(next.failed_count, i);
                assert_int_equal(sr_lockout_reached(&seed, &next), i == 3);
                assert_int_equal(next.locked_until, i == 3 ? T0 + 3 + 900 : 0);
                st = next;
        }
        assert_true(sr_lockout_locked(&st, T0 + 4));
        assert_false(sr_lockout_reserve(&seed, &st, T0 + 4, &next));
        assert_int_equal(next.failed_count, st.failed_count);
        assert_int_equal(next.locked_until, st.locked_until);
}

/* AUTH-3: attempts while locked never extend the lock; at the end of the
 * period a fresh count starts. */
static void
auth3_period_ends_on_time_and_is_not_extended(void **state)
{
        (void)state;
        struct sr_lockout_state st = {3, T0 + 900}, next;
        for (int64_t t = T0; t < T0 + 900; t += 60) {
                assert_false(sr_lockout_reserve(&seed, &st, t, &next));
                assert_int_equal(next.locked_until, T0 + 900);
        }
        assert_false(sr_lockout_reserve(&seed, &st, T0 + 899, &next));
        assert_true(sr_lockout_reserve(&seed, &st, T0 + 900, &next));
        assert_int_equal(next.failed_count, 1);
        assert_int_equal(next.locked_until, 0);
}

/* AUTH-3: a success resets the count and lifts the lock; a right first
 * factor with a pending second gives back only its own attempt. */
static void
auth3_success_resets_and_release_gives_back(void **state)
{
        (void)state;
        struct sr_lockout_state st = {2, 0}, next;
        assert_true(sr_lockout_reserve(&seed, &st, T0, &next));
        assert_int_equal(next.locked_until, T0 + 900); /* provisional */
        struct sr_lockout_state released = next;
        sr_lockout_release(&seed, &released);
        assert_int_equal(released.failed_count, 2);
        assert_int_equal(released.locked_until, 0);
        sr_lockout_success(&next);
        assert_int_equal(next.failed_count, 0);
        assert_int_equal(next.locked_until, 0);
        struct sr_lockout_state zero = {0, 0};
        sr_lockout_release(&seed, &zero);
        assert_int_equal(zero.failed_count, 0);
}

/* AUTH-3: a threshold of 1 locks at the first failure; a lowered
 * threshold applies to a count already above it. */
static void
auth3_threshold_edges(void **state)
{
        (void)state;
        const struct sr_lockout_policy one = {1, 60};
        struct sr_lockout_state st = {0, 0}, next;
        assert_true(sr_lockout_reserve(&one, &st, T0, &next));
        assert_true(sr_lockout_reached(&one, &next));
        assert_int_equal(next.locked_until, T0 + 60);
        struct sr_lockout_state many = {7, 0};
        assert_true(sr_lockout_reserve(&seed, &many, T0, &next));
        assert_int_equal(next.locked_until, T0 + 900);
}

/* AUTH-3: the bucket gives burst tokens, refills per second, reports the
 * whole seconds until the next token and ignores a clock going back. */
static void
auth3_bucket_burst_refill_and_retry_after(void **state)
{
        (void)state;
        struct sr_bucket b = {3 * 1000, T0};
        int64_t retry = 0;
        for (int i = 0; i < 3; i++)
                assert_true(sr_bucket_take(&b, T0, 3, 1, &retry));
        assert_false(sr_bucket_take(&b, T0, 3, 1, &retry));
        assert_int_equal(retry, 1);
        assert_true(sr_bucket_take(&b, T0 + 1, 3, 1, &retry));
        assert_false(sr_bucket_take(&b, T0 + 1, 3, 1, &retry));
        assert_false(sr_bucket_take(&b, T0 - 100, 3, 1, &retry)); /* clock went back */
        assert_false(sr_bucket_full(&b, T0 - 100, 3, 1));
        assert_true(sr_bucket_full(&b, T0 + 1000, 3, 1));
        /* Faster refill: Retry-After still at least one second. */
        struct sr_bucket c = {0, T0};
        assert_false(sr_bucket_take(&c, T0, 100, 5, &retry));
        assert_int_equal(retry, 1);
        assert_true(sr_bucket_take(&c, T0 + 1, 100, 5, &retry));
        /* Never above the burst after a long pause. */
        struct sr_bucket d = {0, 0};
        for (int i = 0; i < 100; i++)
                assert_true(sr_bucket_take(&d, T0, 100, 5, &retry));
        assert_false(sr_bucket_take(&d, T0, 100, 5, &retry));
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(auth3_threshold_reservations_then_refusal),
                cmocka_unit_test(auth3_period_ends_on_time_and_is_not_extended),
                cmocka_unit_test(auth3_success_resets_and_release_gives_back),
                cmocka_unit_test(auth3_threshold_edges),
                cmocka_unit_test(auth3_bucket_burst_refill_and_retry_after),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
