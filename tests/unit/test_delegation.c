/* ACC-2: the delegation rule (sr_authz_may_grant) against a dumb reference
 * model on generated input: every role set (none, one, two roles; channel
 * roles bound to channel A) × every role to grant × target channel
 * {none, A, B} × own/other account × platform membership × session or API
 * key. The model, written from the rule in claims.md:
 * - nobody grants outside their own account;
 * - platform roles: only a platform operator, inside the platform account,
 *   at account level;
 * - account roles: an account manager (or a platform operator in the
 *   platform account), at account level, never on a channel;
 * - channel roles: need a channel; an account-level manager anywhere in the
 *   account, a channel manager only in their own channel;
 * - a granted role is never above the granter's own (follows from the
 *   above: channel managers cannot grant account roles);
 * - API keys delegate only with roles:write, never beyond their channel.
 * Denials are 403 or 404, never anything else. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "domain/authz/authz.h"

#define OWN "0123456789abcdef0123456789abcdef"
#define OTHER "fedcba9876543210fedcba9876543210"
#define CH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define CH_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static bool
holds(const struct sr_actor *a, enum sr_role r, const char *channel)
{
        for (size_t i = 0; i < a->n_roles; i++)
                if (a->roles[i].role == r && strcmp(a->roles[i].channel_id, channel) == 0)
                        return true;
        return false;
}

static bool
model(const struct sr_actor *a, enum sr_role role, const char *account, const char *channel)
{
        if (strcmp(a->account_id, account) != 0)
                return false;
        bool key = a->api_key_id[0] != '\0';
        if (key && !(a->key_scopes & SR_KEY_ROLES_WRITE))
                return false;
        if (key && a->key_channel_id[0] != '\0' &&
            (channel == NULL || strcmp(channel, a->key_channel_id) != 0))
                return false;
        bool op = a->is_platform && holds(a, SR_ROLE_PLATFORM_OPERATOR, "");
        bool mgr = holds(a, SR_ROLE_ACCOUNT_MANAGER, "") || op;
        switch (role) {
        case SR_ROLE_PLATFORM_OPERATOR:
        case SR_ROLE_PLATFORM_SUPPORT:
                return op && channel == NULL;
        case SR_ROLE_ACCOUNT_MANAGER:
        case SR_ROLE_ACCOUNT_MEMBER:
        case SR_ROLE_ACCOUNT_VIEWER:
                return mgr && channel == NULL;
        default:
                return channel != NULL &&
                       (mgr || holds(a, SR_ROLE_CHANNEL_MANAGER, channel));
        }
}

static void
bind(struct sr_actor *a, int role)
{
        if (role < 0)
                return;
        a->roles[a->n_roles].role = (enum sr_role)role;
        snprintf(a->roles[a->n_roles].channel_id, sizeof(a->roles[0].channel_id), "%s",
                 sr_role_is_channel((enum sr_role)role) ? CH_A : "");
        a->n_roles++;
}

/* ACC-2 */
static void
acc2_delegation_matches_reference_model(void **state)
{
        (void)state;
        static const char *const channels[] = {NULL, CH_A, CH_B};
        static const char *const accounts[] = {OWN, OTHER};
        static const unsigned key_kinds[] = {0, SR_KEY_ROLES_WRITE, SR_KEY_USERS_READ};
        unsigned mismatches = 0, cells = 0;
        for (int r1 = -1; r1 < SR_ROLE__COUNT; r1++)
        for (int r2 = -1; r2 < SR_ROLE__COUNT; r2++)
        for (int plat = 0; plat < 2; plat++)
        for (int k = 0; k < 3; k++)
        for (int kch = 0; kch < 2; kch++)
        for (int g = 0; g < SR_ROLE__COUNT; g++)
        for (int c = 0; c < 3; c++)
        for (int acc = 0; acc < 2; acc++) {
                if (k == 0 && kch == 1)
                        continue;
                struct sr_actor a;
                memset(&a, 0, sizeof(a));
                snprintf(a.user_id, sizeof(a.user_id), "%s", "11111111111111111111111111111111");
                snprintf(a.account_id, sizeof(a.account_id), "%s", OWN);
                a.is_platform = plat;
                bind(&a, r1);
                bind(&a, r2);
                if (k > 0) {
                        snprintf(a.api_key_id, sizeof(a.api_key_id), "%s",
                                 "22222222222222222222222222222222");
                        a.key_scopes = key_kinds[k];
                        if (kch)
                                snprintf(a.key_channel_id, sizeof(a.key_channel_id), "%s", CH_A);
                }
                struct sr_scope scope = {accounts[acc], channels[c], NULL};
                enum sr_rc got = sr_authz_may_grant(&a, (enum sr_role)g, &scope);
                bool want = model(&a, (enum sr_role)g, accounts[acc], channels[c]);
                cells++;
                bool ok = want ? got == SR_OK
                               : (got == SR_E_FORBIDDEN || got == SR_E_NOT_FOUND);
                if (!ok && mismatches++ < 20)
                        print_message("MISMATCH roles={%s,%s} platform=%d key=%d/%d grant=%s "
                                      "channel=%s account=%s: want %s, got %s\n",
                                      r1 < 0 ? "-" : sr_role_name((enum sr_role)r1),
                                      r2 < 0 ? "-" : sr_role_name((enum sr_role)r2), plat, k,
                                      kch, sr_role_name((enum sr_role)g),
                                      channels[c] ? channels[c] : "none",
                                      acc ? "other" : "own", want ? "allow" : "deny",
                                      sr_rc_name(got));
        }
        assert_true(cells > 10000);
        assert_int_equal(mismatches, 0);
}

/* ACC-2: nobody acts outside their account — even a platform operator's
 * grant into a customer account is refused with 404 or 403. */
static void
acc2_no_grant_outside_own_account(void **state)
{
        (void)state;
        struct sr_actor a;
        memset(&a, 0, sizeof(a));
        snprintf(a.account_id, sizeof(a.account_id), "%s", OWN);
        a.is_platform = true;
        bind(&a, SR_ROLE_PLATFORM_OPERATOR);
        struct sr_scope scope = {OTHER, NULL, NULL};
        assert_int_not_equal(sr_authz_may_grant(&a, SR_ROLE_ACCOUNT_MEMBER, &scope), SR_OK);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(acc2_delegation_matches_reference_model),
                cmocka_unit_test(acc2_no_grant_outside_own_account),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
