/* Role → action table and the central decision (ACC-1, ACC-4, ACC-7).
 * Roles reach down the scope tree, never up. Platform staff act on
 * customer accounts with read rights only and never see personal data
 * (ACC-7); inside the platform account an operator is its manager. */
#include "domain/authz/authz.h"

#include <string.h>

static const char *const role_names[SR_ROLE__COUNT] = {
        "platform_operator", "platform_support", "account_manager", "account_member",
        "account_viewer",    "channel_manager",  "channel_member",  "channel_viewer",
};

#define A(x) (1u << (x))

/* Rights inside the role's own account. */
static const unsigned own_account[SR_ROLE__COUNT] = {
        [SR_ROLE_PLATFORM_OPERATOR] = A(SR_ACT_ACCOUNT_READ) | A(SR_ACT_USERS_READ) |
                                      A(SR_ACT_USERS_PII_READ) | A(SR_ACT_USERS_WRITE) |
                                      A(SR_ACT_AUDIT_READ) | A(SR_ACT_SETTINGS_READ) |
                                      A(SR_ACT_SETTINGS_WRITE) | A(SR_ACT_METRICS_READ),
        [SR_ROLE_PLATFORM_SUPPORT] = A(SR_ACT_ACCOUNT_READ) | A(SR_ACT_USERS_READ),
        [SR_ROLE_ACCOUNT_MANAGER] = A(SR_ACT_ACCOUNT_READ) | A(SR_ACT_USERS_READ) |
                                    A(SR_ACT_USERS_PII_READ) | A(SR_ACT_USERS_WRITE) |
                                    A(SR_ACT_AUDIT_READ) | A(SR_ACT_SETTINGS_READ) |
                                    A(SR_ACT_SETTINGS_WRITE),
        [SR_ROLE_ACCOUNT_MEMBER] = A(SR_ACT_ACCOUNT_READ) | A(SR_ACT_USERS_READ),
        [SR_ROLE_ACCOUNT_VIEWER] = A(SR_ACT_ACCOUNT_READ) | A(SR_ACT_USERS_READ),
        [SR_ROLE_CHANNEL_MANAGER] = A(SR_ACT_ACCOUNT_READ),
        [SR_ROLE_CHANNEL_MEMBER] = A(SR_ACT_ACCOUNT_READ),
        [SR_ROLE_CHANNEL_VIEWER] = A(SR_ACT_ACCOUNT_READ),
};

/* Rights of platform staff in customer accounts: no personal data, no
 * writes (ACC-7). */
static const unsigned other_account[SR_ROLE__COUNT] = {
        [SR_ROLE_PLATFORM_OPERATOR] = A(SR_ACT_ACCOUNT_READ) | A(SR_ACT_USERS_READ) |
                                      A(SR_ACT_AUDIT_READ),
        [SR_ROLE_PLATFORM_SUPPORT] = A(SR_ACT_ACCOUNT_READ) | A(SR_ACT_USERS_READ),
};

/* Actions that reveal the scope exists; holding none means 404. */
#define READ_RIGHTS (A(SR_ACT_ACCOUNT_READ) | A(SR_ACT_USERS_READ) | A(SR_ACT_AUDIT_READ))

static unsigned
rights_in(const struct sr_actor *actor, const struct sr_scope *scope)
{
        bool same = scope->account_id != NULL && strcmp(actor->account_id, scope->account_id) == 0;
        unsigned r = 0;
        for (size_t i = 0; i < actor->n_roles && i < SR_ACTOR_MAX_ROLES; i++) {
                enum sr_role role = actor->roles[i].role;
                if ((unsigned)role >= SR_ROLE__COUNT)
                        continue;
                bool staff = role == SR_ROLE_PLATFORM_OPERATOR || role == SR_ROLE_PLATFORM_SUPPORT;
                /* ACC-7: platform roles mean something only to members of
                 * the platform account, wherever else they are bound. */
                if (staff && !actor->is_platform)
                        continue;
                if (same)
                        r |= own_account[role];
                else if (actor->is_platform)
                        r |= other_account[role];
        }
        return r;
}

enum sr_rc
sr_authz_require(const struct sr_actor *actor, enum sr_action action, const struct sr_scope *scope)
{
        if (actor == NULL)
                return SR_E_UNAUTHENTICATED;
        if (action == SR_ACT_NONE || action == SR_ACT_SELF)
                return SR_OK;
        if ((unsigned)action >= SR_ACT__COUNT)
                return SR_E_FORBIDDEN;
        unsigned r = rights_in(actor, scope);
        if (action == SR_ACT_METRICS_READ) {
                /* Platform-wide: only operators of the platform account. */
                for (size_t i = 0; i < actor->n_roles && i < SR_ACTOR_MAX_ROLES; i++)
                        if (actor->is_platform && actor->roles[i].role == SR_ROLE_PLATFORM_OPERATOR)
                                return SR_OK;
                return (r & READ_RIGHTS) ? SR_E_FORBIDDEN : SR_E_NOT_FOUND;
        }
        if (r & A(action))
                return SR_OK;
        return (r & READ_RIGHTS) ? SR_E_FORBIDDEN : SR_E_NOT_FOUND;
}

const char *
sr_role_name(enum sr_role r)
{
        return (unsigned)r < SR_ROLE__COUNT ? role_names[r] : "unknown";
}

enum sr_rc
sr_role_parse(const char *s, enum sr_role *ret)
{
        for (unsigned i = 0; i < SR_ROLE__COUNT; i++) {
                if (strcmp(s, role_names[i]) == 0) {
                        *ret = (enum sr_role)i;
                        return SR_OK;
                }
        }
        return SR_E_VALIDATION;
}
