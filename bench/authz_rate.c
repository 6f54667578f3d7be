/*
 * authz_rate.c - in-process authorization decisions per second (issue 5,
 * "Proof": >= 1,000,000 decisions/s per core with 10k users and 1k channels).
 *
 * Builds 10,000 actors (struct sr_actor) in 100 customer accounts of 10
 * channels each (1,000 channels) plus the platform account, with a role mix
 * like a real tenant population:
 *   - account managers, members and viewers (account-level bindings),
 *   - channel managers / members / viewers bound to 1-4 random channels of
 *     their own account (a few "power users" with 12-31 channel bindings),
 *   - some account managers who also hold channel roles,
 *   - platform operators and support staff (members of the platform
 *     account), some with a support grant on a random customer account,
 *   - API-key actors: a creator's roles plus random key scopes, some
 *     restricted to one channel.
 * Then calls sr_authz_require(actor, action, scope) on ONE thread for about
 * SECONDS with random actors, random actions (every enum sr_action) and
 * random scopes: own account, own bound channel, sibling channel of the own
 * account, another account (account level or one of its channels), and for
 * "sign out everywhere" sometimes the actor itself. The requests are drawn
 * up front (64k of them, cycled) so the random number generator is not
 * timed. Then the same for sr_authz_may_grant(actor, role, scope) with
 * random roles.
 *
 * Usage:  authz_rate SECONDS [SEED]
 * Prints per function:
 *   RESULT fn=require decisions=N seconds=S rate=R cpu_rate=C ns=X allow=A forbidden=F not_found=NF other=O
 * (rate = per wall second; cpu_rate = per second of this thread's CPU time,
 * i.e. per core, which is steadier on a shared machine).
 * Build: see bench/run.sh (links bench/build-release/libstrongroom.a).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/authz/authz.h"

#define N_ACCOUNTS 100
#define CH_PER_ACCOUNT 10
#define N_CHANNELS (N_ACCOUNTS * CH_PER_ACCOUNT)
#define N_ACTORS 10000
#define N_REQ (1u << 16)

static char account_ids[N_ACCOUNTS + 1][SR_ID_LEN + 1]; /* [N_ACCOUNTS] = platform */
static char channel_ids[N_CHANNELS][SR_ID_LEN + 1];     /* account a: a*10 .. a*10+9 */
static char user_ids[N_ACTORS][SR_ID_LEN + 1];
static struct sr_actor actors[N_ACTORS];
static int actor_account[N_ACTORS]; /* index into account_ids */

struct req {
        const struct sr_actor *actor;
        int action; /* enum sr_action for require, enum sr_role for may_grant */
        struct sr_scope scope;
};
static struct req reqs[N_REQ];

static uint64_t rng_state;
static uint64_t
rnd(void) /* splitmix64 */
{
        uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
}
static unsigned
below(unsigned n)
{
        return (unsigned)(rnd() % n);
}
static int
pct(unsigned p) /* true with probability p % */
{
        return below(100) < p;
}

static void
make_id(char out[SR_ID_LEN + 1])
{
        static const char al[] = "abcdefghijklmnopqrstuvwxyz234567"; /* ids are 32 chars */
        for (int i = 0; i < SR_ID_LEN; i++)
                out[i] = al[below(32)];
        out[SR_ID_LEN] = '\0';
}

static void
bind(struct sr_actor *a, enum sr_role role, const char *channel)
{
        if (a->n_roles >= SR_ACTOR_MAX_ROLES)
                return;
        a->roles[a->n_roles].role = role;
        if (channel != NULL)
                memcpy(a->roles[a->n_roles].channel_id, channel, SR_ID_LEN + 1);
        else
                a->roles[a->n_roles].channel_id[0] = '\0';
        a->n_roles++;
}

static const char *
own_channel(int acc)
{
        return channel_ids[acc * CH_PER_ACCOUNT + (int)below(CH_PER_ACCOUNT)];
}

static void
channel_roles(struct sr_actor *a, int acc, unsigned n)
{
        static const enum sr_role ch[] = {SR_ROLE_CHANNEL_MANAGER, SR_ROLE_CHANNEL_MEMBER,
                                          SR_ROLE_CHANNEL_VIEWER};
        for (unsigned i = 0; i < n; i++)
                bind(a, ch[below(3)], own_channel(acc));
}

/* Counts of the population, printed for the report. */
static unsigned n_mgr, n_member, n_viewer, n_channel, n_power, n_staff, n_keys, n_bindings;

static void
make_actor(int i)
{
        struct sr_actor *a = &actors[i];
        memset(a, 0, sizeof(*a));
        make_id(user_ids[i]);
        memcpy(a->user_id, user_ids[i], SR_ID_LEN + 1);
        make_id(a->session_id);
        a->region = SR_REGION_EU;
        unsigned kind = below(1000);
        int acc;
        if (kind < 10) { /* 1 %: platform staff */
                acc = N_ACCOUNTS;
                a->is_platform = true;
                bind(a, pct(40) ? SR_ROLE_PLATFORM_OPERATOR : SR_ROLE_PLATFORM_SUPPORT, NULL);
                if (pct(50))
                        memcpy(a->support_account_id, account_ids[below(N_ACCOUNTS)],
                               SR_ID_LEN + 1);
                n_staff++;
        } else {
                acc = (int)below(N_ACCOUNTS);
                if (kind < 80) { /* 7 %: account managers, a third also in channels */
                        bind(a, SR_ROLE_ACCOUNT_MANAGER, NULL);
                        if (pct(33))
                                channel_roles(a, acc, 1 + below(3));
                        n_mgr++;
                } else if (kind < 430) { /* 35 %: account members, some with channel roles */
                        bind(a, SR_ROLE_ACCOUNT_MEMBER, NULL);
                        if (pct(30))
                                channel_roles(a, acc, 1 + below(2));
                        n_member++;
                } else if (kind < 530) { /* 10 %: account viewers */
                        bind(a, SR_ROLE_ACCOUNT_VIEWER, NULL);
                        n_viewer++;
                } else if (kind < 980) { /* 45 %: channel roles only, 1-4 channels */
                        channel_roles(a, acc, 1 + below(4));
                        n_channel++;
                } else { /* 2 %: power users with many channel bindings */
                        bind(a, SR_ROLE_ACCOUNT_MEMBER, NULL);
                        channel_roles(a, acc, 12 + below(20));
                        n_power++;
                }
        }
        actor_account[i] = acc;
        memcpy(a->account_id, account_ids[acc], SR_ID_LEN + 1);
        /* 10 % act through an API key with some scopes, a third bound to a channel */
        if (pct(10)) {
                make_id(a->api_key_id);
                a->key_scopes = (unsigned)(rnd() & 0x3fffu);
                if (pct(33))
                        memcpy(a->key_channel_id, own_channel(acc < N_ACCOUNTS ? acc : 0),
                               SR_ID_LEN + 1);
                n_keys++;
        }
        n_bindings += (unsigned)a->n_roles;
}

/* A random scope as requests see it: mostly the actor's own account. */
static void
make_scope(int i, struct sr_scope *s)
{
        const struct sr_actor *a = &actors[i];
        int acc = actor_account[i];
        unsigned k = below(100);
        s->target_user_id = NULL;
        if (acc == N_ACCOUNTS && k < 70) { /* staff mostly look at customer accounts */
                int other = (int)below(N_ACCOUNTS);
                s->account_id = account_ids[other];
                s->channel_id = pct(30) ? own_channel(other) : NULL;
                return;
        }
        if (acc == N_ACCOUNTS) { /* the platform account has no channels */
                s->account_id = a->account_id;
                s->channel_id = NULL;
                return;
        }
        if (k < 35) { /* own account, account level */
                s->account_id = a->account_id;
                s->channel_id = NULL;
        } else if (k < 60) { /* a channel the actor is bound to, if any */
                s->account_id = a->account_id;
                s->channel_id = own_channel(acc);
                for (size_t r = 0; r < a->n_roles; r++)
                        if (a->roles[r].channel_id[0] != '\0' && pct(70)) {
                                s->channel_id = a->roles[r].channel_id;
                                break;
                        }
        } else if (k < 80) { /* sibling channel of the own account */
                s->account_id = a->account_id;
                s->channel_id = own_channel(acc);
        } else { /* another account, account level or a channel of it */
                int other = (int)below(N_ACCOUNTS);
                s->account_id = account_ids[other];
                s->channel_id = pct(50) ? own_channel(other) : NULL;
        }
        if (pct(20)) /* user-targeted actions: self or someone else */
                s->target_user_id = pct(50) ? a->user_id : user_ids[below(N_ACTORS)];
}

static double
clock_s(clockid_t id)
{
        struct timespec ts;
        clock_gettime(id, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct tally {
        unsigned long n, allow, forbidden, not_found, other;
        double wall, cpu;
};

static void
count(struct tally *t, enum sr_rc rc)
{
        if (rc == SR_OK)
                t->allow++;
        else if (rc == SR_E_FORBIDDEN)
                t->forbidden++;
        else if (rc == SR_E_NOT_FOUND)
                t->not_found++;
        else
                t->other++;
}

static void
run(int grant, double seconds, struct tally *t)
{
        memset(t, 0, sizeof(*t));
        double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
        unsigned i = 0;
        for (;;) {
                /* 4096 decisions between clock reads */
                for (unsigned j = 0; j < 4096; j++, i = (i + 1) & (N_REQ - 1)) {
                        const struct req *q = &reqs[i];
                        enum sr_rc rc = grant ? sr_authz_may_grant(q->actor, (enum sr_role)q->action,
                                                                   &q->scope)
                                              : sr_authz_require(q->actor, (enum sr_action)q->action,
                                                                 &q->scope);
                        count(t, rc);
                }
                t->n += 4096;
                t->wall = clock_s(CLOCK_MONOTONIC) - w0;
                if (t->wall >= seconds)
                        break;
        }
        t->cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
}

static void
print(const char *fn, const struct tally *t)
{
        printf("RESULT fn=%s decisions=%lu seconds=%.3f rate=%.0f cpu_rate=%.0f ns=%.1f "
               "allow=%lu forbidden=%lu not_found=%lu other=%lu\n",
               fn, t->n, t->wall, (double)t->n / t->wall, (double)t->n / t->cpu,
               1e9 * t->cpu / (double)t->n, t->allow, t->forbidden, t->not_found, t->other);
}

int
main(int argc, char **argv)
{
        if (argc < 2 || argc > 3) {
                fprintf(stderr, "usage: %s SECONDS [SEED]\n", argv[0]);
                return 2;
        }
        double seconds = atof(argv[1]);
        if (seconds <= 0)
                return 2;
        rng_state = argc == 3 ? strtoull(argv[2], NULL, 10) : 20261125;
        for (int a = 0; a <= N_ACCOUNTS; a++)
                make_id(account_ids[a]);
        for (int c = 0; c < N_CHANNELS; c++)
                make_id(channel_ids[c]);
        for (int i = 0; i < N_ACTORS; i++)
                make_actor(i);
        printf("POPULATION actors=%d accounts=%d channels=%d account_managers=%u members=%u "
               "viewers=%u channel_only=%u power_users=%u platform_staff=%u api_keys=%u "
               "bindings_avg=%.2f\n",
               N_ACTORS, N_ACCOUNTS + 1, N_CHANNELS, n_mgr, n_member, n_viewer, n_channel,
               n_power, n_staff, n_keys, (double)n_bindings / N_ACTORS);

        struct tally t;
        /* sr_authz_require: every action, random actor and scope */
        for (unsigned i = 0; i < N_REQ; i++) {
                int who = (int)below(N_ACTORS);
                reqs[i].actor = &actors[who];
                reqs[i].action = (int)below(SR_ACT__COUNT);
                make_scope(who, &reqs[i].scope);
        }
        run(0, seconds, &t);
        print("require", &t);
        fflush(stdout);

        /* sr_authz_may_grant: every role, scopes as above (the decision a
         * grantRole / revokeRole makes after its route check) */
        for (unsigned i = 0; i < N_REQ; i++) {
                int who = (int)below(N_ACTORS);
                reqs[i].actor = &actors[who];
                reqs[i].action = (int)below(SR_ROLE__COUNT);
                make_scope(who, &reqs[i].scope);
                reqs[i].scope.target_user_id = NULL;
        }
        run(1, seconds, &t);
        print("may_grant", &t);
        return 0;
}
