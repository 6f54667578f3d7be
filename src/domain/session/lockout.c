/* Lockout decision and sign-in bucket (AUTH-3). Pure functions: no store,
 * no clock, no allocation; the callers (signin.c) run them inside a write
 * transaction (lockout) or under the bucket map's lock (bucket). */
#include "domain/session/lockout.h"

bool
sr_lockout_locked(const struct sr_lockout_state *st, int64_t now)
{
        return st->locked_until > now;
}

bool
sr_lockout_reserve(const struct sr_lockout_policy *p, const struct sr_lockout_state *cur,
                   int64_t now, struct sr_lockout_state *next)
{
        *next = *cur;
        /* AUTH-3: attempts while locked are refused without counting. */
        if (sr_lockout_locked(cur, now))
                return false;
        int64_t count = cur->locked_until != 0 ? 0 : cur->failed_count;
        if (count < 0)
                count = 0;
        count++;
        next->failed_count = count;
        next->locked_until = count >= p->threshold ? now + p->period_s : 0;
        return true;
}

bool
sr_lockout_reached(const struct sr_lockout_policy *p, const struct sr_lockout_state *st)
{
        return st->locked_until != 0 && st->failed_count >= p->threshold;
}

void
sr_lockout_success(struct sr_lockout_state *st)
{
        st->failed_count = 0;
        st->locked_until = 0;
}

void
sr_lockout_release(const struct sr_lockout_policy *p, struct sr_lockout_state *st)
{
        if (st->failed_count > 0)
                st->failed_count--;
        if (st->failed_count < p->threshold)
                st->locked_until = 0;
}

static void
refill(struct sr_bucket *b, int64_t now, int64_t burst, int64_t per_s)
{
        int64_t cap = burst * 1000;
        if (now > b->last_s) {
                int64_t add = (now - b->last_s) * per_s * 1000;
                b->tokens_milli = add >= cap - b->tokens_milli ? cap : b->tokens_milli + add;
        }
        b->last_s = now; /* a clock that went back simply restarts here */
        if (b->tokens_milli > cap)
                b->tokens_milli = cap;
}

bool
sr_bucket_take(struct sr_bucket *b, int64_t now, int64_t burst, int64_t per_s,
               int64_t *ret_retry_after_s)
{
        if (burst < 1)
                burst = 1;
        if (per_s < 1)
                per_s = 1;
        refill(b, now, burst, per_s);
        if (b->tokens_milli >= 1000) {
                b->tokens_milli -= 1000;
                return true;
        }
        int64_t need = 1000 - b->tokens_milli;
        int64_t rate = per_s * 1000;
        *ret_retry_after_s = (need + rate - 1) / rate;
        if (*ret_retry_after_s < 1)
                *ret_retry_after_s = 1;
        return false;
}

bool
sr_bucket_full(const struct sr_bucket *b, int64_t now, int64_t burst, int64_t per_s)
{
        struct sr_bucket c = *b;
        refill(&c, now, burst < 1 ? 1 : burst, per_s < 1 ? 1 : per_s);
        return c.tokens_milli >= (burst < 1 ? 1 : burst) * 1000;
}
