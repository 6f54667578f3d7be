#pragma once
/* The lockout decision and the per-address bucket as pure functions of
 * state and policy time (AUTH-3), so unit tests drive them with any clock.
 *
 * An attempt is RESERVED before the password (or code) is checked: the
 * reservation counts it, and the one that reaches the threshold already
 * sets locked_until (a provisional lock), so parallel attempts see the
 * lock and are refused without counting. A success releases everything;
 * a first factor that passed while a second is pending gives back only
 * its own attempt. A failure changes nothing further: it was counted. */
#include <stdbool.h>
#include <stdint.h>

struct sr_lockout_policy {
        int64_t threshold; /* failures before the lock (1..20) */
        int64_t period_s;  /* length of the lock (60..86400) */
};

struct sr_lockout_state {
        int64_t failed_count;
        int64_t locked_until; /* 0 = not locked */
};

/* True while st is locked at now. */
bool sr_lockout_locked(const struct sr_lockout_state *st, int64_t now);
/* Reserves one attempt. False when locked (then *next is a copy of *cur:
 * a refused attempt neither counts nor extends the lock). An expired lock
 * starts a fresh count. */
bool sr_lockout_reserve(const struct sr_lockout_policy *p, const struct sr_lockout_state *cur,
                        int64_t now, struct sr_lockout_state *next);
/* True when the reservation that produced st reached the threshold, i.e.
 * its failure is a lockout (for the audit event and the notice). */
bool sr_lockout_reached(const struct sr_lockout_policy *p, const struct sr_lockout_state *st);
/* A successful sign-in: no failures, no lock. */
void sr_lockout_success(struct sr_lockout_state *st);
/* The password was right but a second factor is pending: the attempt is
 * given back (the count is not reset: only a full success does that). */
void sr_lockout_release(const struct sr_lockout_policy *p, struct sr_lockout_state *st);

/* Token bucket in milli-tokens. */
struct sr_bucket {
        int64_t tokens_milli;
        int64_t last_s;
};
/* Refills b to now (burst cap, per_s tokens a second) and takes one
 * token. False when empty; then *ret_retry_after_s is the whole seconds
 * until a token is available (>= 1). A clock that went back refills
 * nothing. */
bool sr_bucket_take(struct sr_bucket *b, int64_t now, int64_t burst, int64_t per_s,
                    int64_t *ret_retry_after_s);
/* True when b is full again at now (its entry can be forgotten). */
bool sr_bucket_full(const struct sr_bucket *b, int64_t now, int64_t burst, int64_t per_s);
