/* Unit tests for the central authorization check (src/domain/authz):
 * sr_authz_require is compared, cell by cell, with a small reference
 * model written from the policy text below, over a generated matrix of
 * role sets × actions × {own account, other account} × is_platform
 * (ACC-4: one central check; ACC-7: platform staff read customer accounts
 * without personal data and without writes).
 *
 * The policy the model encodes:
 * - Roles are bound in the actor's own account.
 * - Own account: account_manager may do every account action;
 *   account_member and account_viewer ACCOUNT_READ and USERS_READ;
 *   channel_* ACCOUNT_READ; platform_operator in the platform account
 *   (is_platform) manager rights plus METRICS_READ; platform_support
 *   (is_platform) ACCOUNT_READ and USERS_READ; platform roles held by a
 *   non-platform actor grant nothing.
 * - Another account: nobody, except platform staff (is_platform): operator
 *   ACCOUNT_READ, USERS_READ, AUDIT_READ; support ACCOUNT_READ, USERS_READ.
 *   Never personal data, never writes, except BLOCK for operators (ACC-6).
 * - METRICS_READ: only a platform_operator of the platform account.
 * - Not allowed but holding a read right (ACCOUNT_READ, USERS_READ,
 *   AUDIT_READ) in the scope: SR_E_FORBIDDEN; otherwise SR_E_NOT_FOUND.
 * - NULL actor: SR_E_UNAUTHENTICATED; SR_ACT_NONE and SR_ACT_SELF: SR_OK. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "domain/authz/authz.h"
#include "util/rc.h"

#define OWN_ACCOUNT "0123456789abcdef0123456789abcdef"
#define OTHER_ACCOUNT "fedcba9876543210fedcba9876543210"

/* ---- the reference model ------------------------------------------------ */

#define BIT(x) (1u << (x))
#define ALL_ACCOUNT_ACTIONS                                                                \
        (BIT(SR_ACT_ACCOUNT_READ) | BIT(SR_ACT_USERS_READ) | BIT(SR_ACT_USERS_PII_READ) |   \
         BIT(SR_ACT_USERS_WRITE) | BIT(SR_ACT_AUDIT_READ) | BIT(SR_ACT_SETTINGS_READ) |     \
         BIT(SR_ACT_SETTINGS_WRITE) | BIT(SR_ACT_CHANNELS_READ) | BIT(SR_ACT_CHANNELS_WRITE) | \
         BIT(SR_ACT_ROLES_READ) | BIT(SR_ACT_ROLES_DELEGATE) | BIT(SR_ACT_SESSIONS_REVOKE) |   \
         BIT(SR_ACT_ALLOWLIST_READ) | BIT(SR_ACT_ALLOWLIST_WRITE) | BIT(SR_ACT_APIKEYS_READ) | \
         BIT(SR_ACT_APIKEYS_WRITE) | BIT(SR_ACT_SUPPORT_READ) | BIT(SR_ACT_SUPPORT_WRITE))
#define READS                                                                              \
        (BIT(SR_ACT_ACCOUNT_READ) | BIT(SR_ACT_USERS_READ) | BIT(SR_ACT_AUDIT_READ) |       \
         BIT(SR_ACT_CHANNELS_READ))

/* What one role grants, written out role by role. */
static unsigned
model_role_rights(enum sr_role role, bool is_platform, bool own)
{
        if (own) {
                switch (role) {
                case SR_ROLE_ACCOUNT_MANAGER:
                        return ALL_ACCOUNT_ACTIONS;
                case SR_ROLE_ACCOUNT_MEMBER:
                case SR_ROLE_ACCOUNT_VIEWER:
                        return BIT(SR_ACT_ACCOUNT_READ) | BIT(SR_ACT_USERS_READ) |
                               BIT(SR_ACT_CHANNELS_READ);
                case SR_ROLE_CHANNEL_MANAGER:
                case SR_ROLE_CHANNEL_MEMBER:
                case SR_ROLE_CHANNEL_VIEWER:
                        return BIT(SR_ACT_ACCOUNT_READ);
                case SR_ROLE_PLATFORM_OPERATOR:
                        /* Operator rights exist in the platform account only. */
                        return is_platform ? ALL_ACCOUNT_ACTIONS | BIT(SR_ACT_METRICS_READ) : 0;
                case SR_ROLE_PLATFORM_SUPPORT:
                        /* Like operators: a platform role outside the
                         * platform account grants nothing. */
                        return is_platform ? BIT(SR_ACT_ACCOUNT_READ) | BIT(SR_ACT_USERS_READ) : 0;
                default:
                        return 0;
                }
        }
        if (!is_platform)
                return 0;
        switch (role) {
        case SR_ROLE_PLATFORM_OPERATOR:
                /* ACC-6: blocking is the one write operators do, and
                 * only in accounts other than their own. */
                return BIT(SR_ACT_ACCOUNT_READ) | BIT(SR_ACT_USERS_READ) | BIT(SR_ACT_AUDIT_READ) |
                       BIT(SR_ACT_CHANNELS_READ) | BIT(SR_ACT_ROLES_READ) |
                       BIT(SR_ACT_METRICS_READ) | BIT(SR_ACT_BLOCK);
        case SR_ROLE_PLATFORM_SUPPORT:
                return BIT(SR_ACT_ACCOUNT_READ) | BIT(SR_ACT_USERS_READ) |
                       BIT(SR_ACT_CHANNELS_READ);
        default:
                return 0;
        }
}

static enum sr_rc
model(const struct sr_actor *a, enum sr_action act, const struct sr_scope *scope)
{
        if (a == NULL)
                return SR_E_UNAUTHENTICATED;
        if (act == SR_ACT_NONE || act == SR_ACT_SELF)
                return SR_OK;
        bool own = scope->account_id != NULL && strcmp(scope->account_id, a->account_id) == 0;
        unsigned rights = 0;
        for (size_t i = 0; i < a->n_roles; i++)
                rights |= model_role_rights(a->roles[i].role, a->is_platform, own);
        if (rights & BIT(act))
                return SR_OK;
        return (rights & READS) ? SR_E_FORBIDDEN : SR_E_NOT_FOUND;
}

/* ---- the generated matrix ---------------------------------------------- */

static const char *const action_names[SR_ACT__COUNT] = {
        "NONE",       "SELF",       "ACCOUNT_READ",  "USERS_READ",     "USERS_PII_READ",
        "USERS_WRITE", "AUDIT_READ", "SETTINGS_READ", "SETTINGS_WRITE", "METRICS_READ",
        "CHANNELS_READ", "CHANNELS_WRITE", "ROLES_READ", "ROLES_DELEGATE", "SESSIONS_REVOKE",
        "ALLOWLIST_READ", "ALLOWLIST_WRITE", "APIKEYS_READ", "APIKEYS_WRITE", "SUPPORT_READ",
        "SUPPORT_WRITE", "BLOCK",
};

static void
actor_init(struct sr_actor *a, bool is_platform, int r1, int r2)
{
        memset(a, 0, sizeof(*a));
        snprintf(a->user_id, sizeof(a->user_id), "%s", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        snprintf(a->account_id, sizeof(a->account_id), "%s", OWN_ACCOUNT);
        a->region = SR_REGION_EU;
        a->is_platform = is_platform;
        if (r1 >= 0)
                a->roles[a->n_roles++].role = (enum sr_role)r1;
        if (r2 >= 0)
                a->roles[a->n_roles++].role = (enum sr_role)r2;
}

static void
describe(const struct sr_actor *a, char *out, size_t len)
{
        int n = snprintf(out, len, "is_platform=%d roles={", a->is_platform);
        for (size_t i = 0; i < a->n_roles && n > 0 && (size_t)n < len; i++)
                n += snprintf(out + n, len - (size_t)n, "%s%s", i ? "," : "",
                              sr_role_name(a->roles[i].role));
        if (n > 0 && (size_t)n < len)
                snprintf(out + n, len - (size_t)n, "}");
}

static bool
holds(const struct sr_actor *a, enum sr_role r)
{
        for (size_t i = 0; i < a->n_roles; i++)
                if (a->roles[i].role == r)
                        return true;
        return false;
}

/* A platform_operator binding on an actor outside the platform account. */
static bool
operator_off_platform(const struct sr_actor *a)
{
        return !a->is_platform && holds(a, SR_ROLE_PLATFORM_OPERATOR);
}

/* Which cells a test compares, and how. */
struct slice {
        bool own, other;     /* scopes */
        bool metrics;        /* METRICS_READ only, or every other action */
        int operator_off;    /* -1 skip such actors, 0 any, 1 only them */
        bool allow_only;     /* compare allowed/denied, not the denial code */
};

/* Compares every cell of the slice with the model; prints only the
 * mismatches. Role sets: none, every single role, every ordered pair
 * (duplicates too), each with is_platform false and true. */
static void
run_matrix(const struct slice *sl)
{
        size_t cells = 0, bad = 0;
        for (int plat = 0; plat < 2; plat++) {
                for (int r1 = -1; r1 < SR_ROLE__COUNT; r1++) {
                        for (int r2 = -1; r2 < SR_ROLE__COUNT; r2++) {
                                if (r1 < 0 && r2 >= 0)
                                        continue; /* {r2} alone is r1 = r2, r2 = -1 */
                                struct sr_actor a;
                                actor_init(&a, plat == 1, r1, r2);
                                bool off = operator_off_platform(&a);
                                if ((sl->operator_off < 0 && off) ||
                                    (sl->operator_off > 0 && !off))
                                        continue;
                                for (int act = 0; act < SR_ACT__COUNT; act++) {
                                        if ((act == SR_ACT_METRICS_READ) != sl->metrics)
                                                continue;
                                        for (int own = 0; own < 2; own++) {
                                                if (!(own ? sl->own : sl->other))
                                                        continue;
                                                struct sr_scope sc = {
                                                        own ? OWN_ACCOUNT : OTHER_ACCOUNT, NULL};
                                                enum sr_rc want = model(&a, act, &sc);
                                                enum sr_rc got = sr_authz_require(&a, act, &sc);
                                                cells++;
                                                if (sl->allow_only ? (want == SR_OK) == (got == SR_OK)
                                                                   : want == got)
                                                        continue;
                                                bad++;
                                                char who[256];
                                                describe(&a, who, sizeof(who));
                                                print_error("MISMATCH %s action=%s scope=%s: "
                                                            "want %s, got %s\n",
                                                            who, action_names[act],
                                                            own ? "own" : "other",
                                                            sr_rc_name(want), sr_rc_name(got));
                                        }
                                }
                        }
                }
        }
        assert_true(cells > 0);
        if (bad != 0)
                fail_msg("%zu of %zu cells differ from the reference model", bad, cells);
}

/* ACC-4: own-account decisions (exact codes) match the reference for every
 * role set; actors holding platform_operator without is_platform are
 * compared in acc7_platform_operator_outside_platform_account_has_no_rights. */
static void
acc4_own_account_matrix_matches_reference(void **state)
{
        (void)state;
        const struct slice sl = {.own = true, .operator_off = -1};
        run_matrix(&sl);
}

/* ACC-4, ACC-7: in another account only platform staff read, never PII,
 * never writes; everyone else gets not_found (exact codes, all actors). */
static void
acc4_acc7_other_account_matrix_matches_reference(void **state)
{
        (void)state;
        const struct slice sl = {.other = true};
        run_matrix(&sl);
}

/* ACC-4, ACC-7: METRICS_READ is allowed exactly for a platform_operator of
 * the platform account, in either scope (allow/deny, all actors). */
static void
acc4_acc7_metrics_allowed_only_for_platform_operator(void **state)
{
        (void)state;
        const struct slice sl = {.own = true, .other = true, .metrics = true, .allow_only = true};
        run_matrix(&sl);
}

/* ACC-4: a denied METRICS_READ follows the same code rule as every other
 * action: forbidden only when the actor holds a read right in the scope,
 * otherwise not_found (exact codes, all actors). */
static void
acc4_metrics_denial_code_follows_read_rule(void **state)
{
        (void)state;
        const struct slice sl = {.own = true, .other = true, .metrics = true};
        run_matrix(&sl);
}

/* ACC-7: platform_operator rights exist in the platform account only; an
 * actor outside it (is_platform false) who holds a platform_operator
 * binding gets nothing from it (exact codes, every action and scope). */
static void
acc7_platform_operator_outside_platform_account_has_no_rights(void **state)
{
        (void)state;
        const struct slice sl = {.own = true, .other = true, .operator_off = 1};
        run_matrix(&sl);
}

/* ---- hand-written anchors (these fail even if model and code agree on
 * a wrong reading) ------------------------------------------------------- */

/* ACC-7: platform staff never get personal data or writes in a customer
 * account, whatever else they hold. */
static void
acc7_platform_staff_never_pii_or_write_in_other_account(void **state)
{
        (void)state;
        static const enum sr_action denied[] = {SR_ACT_USERS_PII_READ, SR_ACT_USERS_WRITE,
                                                SR_ACT_SETTINGS_WRITE, SR_ACT_SETTINGS_READ};
        struct sr_actor a;
        memset(&a, 0, sizeof(a));
        snprintf(a.account_id, sizeof(a.account_id), "%s", OWN_ACCOUNT);
        a.is_platform = true;
        for (int r = 0; r < SR_ROLE__COUNT; r++)
                a.roles[a.n_roles++].role = (enum sr_role)r; /* every role at once */
        struct sr_scope other = {OTHER_ACCOUNT, NULL};
        for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
                assert_int_equal(sr_authz_require(&a, denied[i], &other), SR_E_FORBIDDEN);
        assert_int_equal(sr_authz_require(&a, SR_ACT_ACCOUNT_READ, &other), SR_OK);
        assert_int_equal(sr_authz_require(&a, SR_ACT_AUDIT_READ, &other), SR_OK);
}

/* ACC-4: a customer account manager cannot see that another account
 * exists; a member is told forbidden for writes in their own. */
static void
acc4_customer_roles_do_not_reach_other_accounts(void **state)
{
        (void)state;
        struct sr_actor a;
        actor_init(&a, false, SR_ROLE_ACCOUNT_MANAGER, -1);
        struct sr_scope own = {OWN_ACCOUNT, NULL}, other = {OTHER_ACCOUNT, NULL},
                        none = {NULL, NULL};
        for (int act = SR_ACT_ACCOUNT_READ; act < SR_ACT__COUNT; act++) {
                if (act != SR_ACT_METRICS_READ) {
                        assert_int_equal(sr_authz_require(&a, act, &other), SR_E_NOT_FOUND);
                        assert_int_equal(sr_authz_require(&a, act, &none), SR_E_NOT_FOUND);
                        /* ACC-6: blocking is for platform operators only. */
                        assert_int_equal(sr_authz_require(&a, act, &own),
                                         act == SR_ACT_BLOCK ? SR_E_FORBIDDEN : SR_OK);
                }
        }
        actor_init(&a, false, SR_ROLE_ACCOUNT_MEMBER, -1);
        assert_int_equal(sr_authz_require(&a, SR_ACT_USERS_WRITE, &own), SR_E_FORBIDDEN);
        assert_int_equal(sr_authz_require(&a, SR_ACT_USERS_PII_READ, &own), SR_E_FORBIDDEN);
        /* is_platform alone (no staff role) grants nothing elsewhere. */
        actor_init(&a, true, SR_ROLE_ACCOUNT_MANAGER, -1);
        assert_int_equal(sr_authz_require(&a, SR_ACT_ACCOUNT_READ, &other), SR_E_NOT_FOUND);
}

/* ACC-6: only a platform_operator of the platform account may block,
 * and only in another account; support staff, customer managers and an
 * operator binding outside the platform account may not. */
static void
acc6_block_only_platform_operators_in_other_accounts(void **state)
{
        (void)state;
        struct sr_actor a;
        struct sr_scope own = {OWN_ACCOUNT, NULL}, other = {OTHER_ACCOUNT, NULL};
        actor_init(&a, true, SR_ROLE_PLATFORM_OPERATOR, -1);
        assert_int_equal(sr_authz_require(&a, SR_ACT_BLOCK, &other), SR_OK);
        assert_int_equal(sr_authz_require(&a, SR_ACT_BLOCK, &own), SR_E_FORBIDDEN);
        actor_init(&a, true, SR_ROLE_PLATFORM_SUPPORT, -1);
        assert_int_equal(sr_authz_require(&a, SR_ACT_BLOCK, &other), SR_E_FORBIDDEN);
        actor_init(&a, false, SR_ROLE_PLATFORM_OPERATOR, -1);
        assert_int_equal(sr_authz_require(&a, SR_ACT_BLOCK, &other), SR_E_NOT_FOUND);
        actor_init(&a, false, SR_ROLE_ACCOUNT_MANAGER, -1);
        assert_int_equal(sr_authz_require(&a, SR_ACT_BLOCK, &own), SR_E_FORBIDDEN);
        assert_int_equal(sr_authz_require(&a, SR_ACT_BLOCK, &other), SR_E_NOT_FOUND);
}

/* ACC-4: no actor means unauthenticated for every action. */
static void
acc4_null_actor_is_unauthenticated(void **state)
{
        (void)state;
        struct sr_scope sc = {OWN_ACCOUNT, NULL};
        for (int act = 0; act < SR_ACT__COUNT; act++)
                assert_int_equal(sr_authz_require(NULL, act, &sc), SR_E_UNAUTHENTICATED);
}

/* ACC-4: NONE and SELF are allowed for any signed-in actor, role or not. */
static void
acc4_none_and_self_need_no_role(void **state)
{
        (void)state;
        struct sr_actor a;
        actor_init(&a, false, -1, -1);
        struct sr_scope own = {OWN_ACCOUNT, NULL}, other = {OTHER_ACCOUNT, NULL};
        assert_int_equal(sr_authz_require(&a, SR_ACT_NONE, &own), SR_OK);
        assert_int_equal(sr_authz_require(&a, SR_ACT_SELF, &own), SR_OK);
        assert_int_equal(sr_authz_require(&a, SR_ACT_NONE, &other), SR_OK);
        assert_int_equal(sr_authz_require(&a, SR_ACT_SELF, &other), SR_OK);
}

/* Out-of-range roles and actions grant nothing. */
static void
acc4_unknown_role_or_action_grants_nothing(void **state)
{
        (void)state;
        struct sr_actor a;
        actor_init(&a, true, SR_ROLE__COUNT, -1);
        struct sr_scope own = {OWN_ACCOUNT, NULL};
        assert_int_equal(sr_authz_require(&a, SR_ACT_ACCOUNT_READ, &own), SR_E_NOT_FOUND);
        actor_init(&a, true, SR_ROLE_ACCOUNT_MANAGER, -1);
        assert_int_not_equal(sr_authz_require(&a, SR_ACT__COUNT, &own), SR_OK);
}

static void
role_names_round_trip(void **state)
{
        (void)state;
        for (int r = 0; r < SR_ROLE__COUNT; r++) {
                enum sr_role back = SR_ROLE__COUNT;
                assert_int_equal(sr_role_parse(sr_role_name((enum sr_role)r), &back), SR_OK);
                assert_int_equal(back, r);
        }
        enum sr_role x;
        assert_int_equal(sr_role_parse("Account_Manager", &x), SR_E_VALIDATION);
        assert_int_equal(sr_role_parse("", &x), SR_E_VALIDATION);
        assert_string_equal(sr_role_name(SR_ROLE__COUNT), "unknown");
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(acc4_own_account_matrix_matches_reference),
                cmocka_unit_test(acc4_acc7_other_account_matrix_matches_reference),
                cmocka_unit_test(acc4_acc7_metrics_allowed_only_for_platform_operator),
                cmocka_unit_test(acc4_metrics_denial_code_follows_read_rule),
                cmocka_unit_test(acc7_platform_operator_outside_platform_account_has_no_rights),
                cmocka_unit_test(acc7_platform_staff_never_pii_or_write_in_other_account),
                cmocka_unit_test(acc4_customer_roles_do_not_reach_other_accounts),
                cmocka_unit_test(acc6_block_only_platform_operators_in_other_accounts),
                cmocka_unit_test(acc4_null_actor_is_unauthenticated),
                cmocka_unit_test(acc4_none_and_self_need_no_role),
                cmocka_unit_test(acc4_unknown_role_or_action_grants_nothing),
                cmocka_unit_test(role_names_round_trip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
