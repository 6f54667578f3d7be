/* Role → action tables and the central decision (ACC-1, ACC-2, ACC-4,
 * ACC-7, ACC-9). Roles reach down the scope tree (platform → account →
 * channel), never up and never sideways. Platform staff act on customer
 * accounts with read rights only and see personal data only under a
 * support grant (ACC-7); inside the platform account an operator is its
 * manager. API keys get their creator's rights intersected with the key's
 * scopes (and channel), recomputed on every use (ACC-9). */
#include "domain/authz/authz.h"

#include <string.h>

static const char *const role_names[SR_ROLE__COUNT] = {
        "platform_operator", "platform_support", "account_manager", "account_member",
        "account_viewer",    "channel_manager",  "channel_member",  "channel_viewer",
};

#define A(x) (1u << (x))

#define MANAGER_RIGHTS                                                                       \
        (A(SR_ACT_ACCOUNT_READ) | A(SR_ACT_USERS_READ) | A(SR_ACT_USERS_PII_READ) |          \
         A(SR_ACT_USERS_WRITE) | A(SR_ACT_AUDIT_READ) | A(SR_ACT_SETTINGS_READ) |            \
         A(SR_ACT_SETTINGS_WRITE) | A(SR_ACT_CHANNELS_READ) | A(SR_ACT_CHANNELS_WRITE) |     \
         A(SR_ACT_ROLES_READ) | A(SR_ACT_ROLES_DELEGATE) | A(SR_ACT_SESSIONS_REVOKE) |       \
         A(SR_ACT_ALLOWLIST_READ) | A(SR_ACT_ALLOWLIST_WRITE) | A(SR_ACT_APIKEYS_READ) |     \
         A(SR_ACT_APIKEYS_WRITE) | A(SR_ACT_SUPPORT_READ) | A(SR_ACT_SUPPORT_WRITE))
#define MEMBER_RIGHTS (A(SR_ACT_ACCOUNT_READ) | A(SR_ACT_USERS_READ) | A(SR_ACT_CHANNELS_READ))

/* Rights of account-level bindings inside the role's own account; they
 * reach every channel of it. */
static const unsigned own_account[SR_ROLE__COUNT] = {
        [SR_ROLE_PLATFORM_OPERATOR] = MANAGER_RIGHTS | A(SR_ACT_METRICS_READ),
        [SR_ROLE_PLATFORM_SUPPORT] = A(SR_ACT_ACCOUNT_READ) | A(SR_ACT_USERS_READ),
        [SR_ROLE_ACCOUNT_MANAGER] = MANAGER_RIGHTS,
        [SR_ROLE_ACCOUNT_MEMBER] = MEMBER_RIGHTS,
        [SR_ROLE_ACCOUNT_VIEWER] = MEMBER_RIGHTS,
        [SR_ROLE_CHANNEL_MANAGER] = A(SR_ACT_ACCOUNT_READ),
        [SR_ROLE_CHANNEL_MEMBER] = A(SR_ACT_ACCOUNT_READ),
        [SR_ROLE_CHANNEL_VIEWER] = A(SR_ACT_ACCOUNT_READ),
};

/* Rights of a channel binding inside its own channel. */
static const unsigned own_channel[SR_ROLE__COUNT] = {
        [SR_ROLE_CHANNEL_MANAGER] = A(SR_ACT_ACCOUNT_READ) | A(SR_ACT_CHANNELS_READ) |
                                    A(SR_ACT_CHANNELS_WRITE) | A(SR_ACT_ROLES_READ) |
                                    A(SR_ACT_ROLES_DELEGATE),
        [SR_ROLE_CHANNEL_MEMBER] = A(SR_ACT_ACCOUNT_READ) | A(SR_ACT_CHANNELS_READ),
        [SR_ROLE_CHANNEL_VIEWER] = A(SR_ACT_ACCOUNT_READ) | A(SR_ACT_CHANNELS_READ),
};

/* Rights of platform staff in customer accounts: no personal data, no
 * writes (ACC-7) except blocking, which only operators do and only in
 * accounts other than their own (ACC-6). */
static const unsigned other_account[SR_ROLE__COUNT] = {
        [SR_ROLE_PLATFORM_OPERATOR] = A(SR_ACT_ACCOUNT_READ) | A(SR_ACT_USERS_READ) |
                                      A(SR_ACT_AUDIT_READ) | A(SR_ACT_CHANNELS_READ) |
                                      A(SR_ACT_ROLES_READ) | A(SR_ACT_BLOCK),
        [SR_ROLE_PLATFORM_SUPPORT] = A(SR_ACT_ACCOUNT_READ) | A(SR_ACT_USERS_READ) |
                                     A(SR_ACT_CHANNELS_READ),
};

/* Actions that reveal an account exists; holding none means 404. */
#define READ_RIGHTS                                                                      \
        (A(SR_ACT_ACCOUNT_READ) | A(SR_ACT_USERS_READ) | A(SR_ACT_AUDIT_READ) |          \
         A(SR_ACT_CHANNELS_READ))

/* The key scope each action needs; 0 = keys may not do it at all. */
static unsigned
key_scope_for(enum sr_action a)
{
        switch (a) {
        case SR_ACT_USERS_READ:
        case SR_ACT_USERS_PII_READ:
                return SR_KEY_USERS_READ;
        case SR_ACT_USERS_WRITE:
                return SR_KEY_USERS_WRITE;
        case SR_ACT_CHANNELS_READ:
                return SR_KEY_CHANNELS_READ;
        case SR_ACT_CHANNELS_WRITE:
                return SR_KEY_CHANNELS_WRITE;
        case SR_ACT_ROLES_READ:
                return SR_KEY_ROLES_READ;
        case SR_ACT_ROLES_DELEGATE:
                return SR_KEY_ROLES_WRITE;
        case SR_ACT_AUDIT_READ:
                return SR_KEY_AUDIT_READ;
        case SR_ACT_SETTINGS_READ:
                return SR_KEY_SETTINGS_READ;
        case SR_ACT_SETTINGS_WRITE:
                return SR_KEY_SETTINGS_WRITE;
        case SR_ACT_METRICS_READ:
                return SR_KEY_METRICS_READ;
        default:
                return 0;
        }
}

static bool
nonempty(const char *s)
{
        return s != NULL && s[0] != '\0';
}

static bool
is_staff(enum sr_role r)
{
        return r == SR_ROLE_PLATFORM_OPERATOR || r == SR_ROLE_PLATFORM_SUPPORT;
}

/* What the actor's role bindings allow in scope, before key limits. */
static unsigned
role_rights(const struct sr_actor *actor, const struct sr_scope *scope)
{
        bool same = scope->account_id != NULL && strcmp(actor->account_id, scope->account_id) == 0;
        unsigned r = 0;
        bool staff_here = false;
        for (size_t i = 0; i < actor->n_roles && i < SR_ACTOR_MAX_ROLES; i++) {
                const struct sr_role_binding *b = &actor->roles[i];
                if ((unsigned)b->role >= SR_ROLE__COUNT)
                        continue;
                /* ACC-7: platform roles mean something only to members of
                 * the platform account, wherever else they are bound. */
                if (is_staff(b->role) && !actor->is_platform)
                        continue;
                if (!same) {
                        if (actor->is_platform && b->channel_id[0] == '\0') {
                                r |= other_account[b->role];
                                staff_here |= is_staff(b->role);
                        }
                } else if (b->channel_id[0] == '\0') {
                        r |= own_account[b->role];
                } else if (nonempty(scope->channel_id) &&
                           strcmp(b->channel_id, scope->channel_id) == 0) {
                        r |= own_channel[b->role];
                } else {
                        r |= A(SR_ACT_ACCOUNT_READ); /* a channel binding shows the account */
                }
        }
        /* ACC-7: a manager's time-limited grant lets staff see personal
         * data of that account, read-only. */
        if (staff_here && nonempty(actor->support_account_id) &&
            strcmp(actor->support_account_id, scope->account_id) == 0)
                r |= A(SR_ACT_USERS_PII_READ);
        return r;
}

/* ACC-9: a key never exceeds its scopes, its channel or its creator. */
static unsigned
key_limit(const struct sr_actor *actor, const struct sr_scope *scope, unsigned r)
{
        unsigned allowed = A(SR_ACT_ACCOUNT_READ);
        for (unsigned a = 0; a < SR_ACT__COUNT; a++) {
                unsigned need = key_scope_for((enum sr_action)a);
                if (need != 0 && (actor->key_scopes & need) == need)
                        allowed |= A(a);
        }
        if (nonempty(actor->key_channel_id) &&
            !(nonempty(scope->channel_id) && strcmp(actor->key_channel_id, scope->channel_id) == 0))
                allowed &= A(SR_ACT_ACCOUNT_READ) | A(SR_ACT_CHANNELS_READ);
        return r & allowed;
}

static unsigned
rights_in(const struct sr_actor *actor, const struct sr_scope *scope)
{
        unsigned r = role_rights(actor, scope);
        if (nonempty(actor->api_key_id))
                r = key_limit(actor, scope, r);
        return r;
}

static enum sr_rc
deny(unsigned r, const struct sr_scope *scope)
{
        unsigned read = nonempty(scope->channel_id) ? A(SR_ACT_CHANNELS_READ) : READ_RIGHTS;
        return (r & read) ? SR_E_FORBIDDEN : SR_E_NOT_FOUND;
}

enum sr_rc
sr_authz_require(const struct sr_actor *actor, enum sr_action action, const struct sr_scope *scope)
{
        if (actor == NULL)
                return SR_E_UNAUTHENTICATED;
        if (action == SR_ACT_NONE)
                return SR_OK;
        bool key = nonempty(actor->api_key_id);
        if (action == SR_ACT_SELF)
                return key ? SR_E_FORBIDDEN : SR_OK;
        if ((unsigned)action >= SR_ACT__COUNT)
                return SR_E_FORBIDDEN;
        /* ACC-5: anyone may sign themself out everywhere. */
        if (action == SR_ACT_SESSIONS_REVOKE && !key && nonempty(scope->target_user_id) &&
            strcmp(scope->target_user_id, actor->user_id) == 0 &&
            strcmp(scope->account_id, actor->account_id) == 0)
                return SR_OK;
        unsigned r = rights_in(actor, scope);
        if (action == SR_ACT_METRICS_READ) {
                /* Platform-wide: only operators of the platform account. */
                bool op = false;
                for (size_t i = 0; i < actor->n_roles && i < SR_ACTOR_MAX_ROLES; i++)
                        if (actor->is_platform && actor->roles[i].role == SR_ROLE_PLATFORM_OPERATOR &&
                            actor->roles[i].channel_id[0] == '\0')
                                op = true;
                if (op && (!key || (actor->key_scopes & SR_KEY_METRICS_READ)))
                        return SR_OK;
                return deny(r, scope);
        }
        if (r & A(action))
                return SR_OK;
        return deny(r, scope);
}

bool
sr_role_is_channel(enum sr_role r)
{
        return r == SR_ROLE_CHANNEL_MANAGER || r == SR_ROLE_CHANNEL_MEMBER ||
               r == SR_ROLE_CHANNEL_VIEWER;
}

bool
sr_role_is_platform(enum sr_role r)
{
        return is_staff(r);
}

/* Does the actor hold role at account level (or at this channel)? */
static bool
holds(const struct sr_actor *actor, enum sr_role role, const char *channel_id)
{
        for (size_t i = 0; i < actor->n_roles && i < SR_ACTOR_MAX_ROLES; i++) {
                const struct sr_role_binding *b = &actor->roles[i];
                if (b->role != role)
                        continue;
                if (channel_id == NULL ? b->channel_id[0] == '\0'
                                       : strcmp(b->channel_id, channel_id) == 0)
                        return true;
        }
        return false;
}

enum sr_rc
sr_authz_may_grant(const struct sr_actor *actor, enum sr_role role, const struct sr_scope *scope)
{
        enum sr_rc rc = sr_authz_require(actor, SR_ACT_ROLES_DELEGATE, scope);
        if (rc != SR_OK)
                return rc;
        bool same = strcmp(actor->account_id, scope->account_id) == 0;
        bool op = actor->is_platform && holds(actor, SR_ROLE_PLATFORM_OPERATOR, NULL);
        bool acct_mgr = holds(actor, SR_ROLE_ACCOUNT_MANAGER, NULL) || op;
        if (!same)
                return SR_E_FORBIDDEN;
        switch (role) {
        case SR_ROLE_PLATFORM_OPERATOR:
        case SR_ROLE_PLATFORM_SUPPORT:
                /* Only operators, only inside the platform account. */
                return op && !nonempty(scope->channel_id) ? SR_OK : SR_E_FORBIDDEN;
        case SR_ROLE_ACCOUNT_MANAGER:
        case SR_ROLE_ACCOUNT_MEMBER:
        case SR_ROLE_ACCOUNT_VIEWER:
                return acct_mgr && !nonempty(scope->channel_id) ? SR_OK : SR_E_FORBIDDEN;
        case SR_ROLE_CHANNEL_MANAGER:
        case SR_ROLE_CHANNEL_MEMBER:
        case SR_ROLE_CHANNEL_VIEWER:
                if (!nonempty(scope->channel_id))
                        return SR_E_FORBIDDEN;
                return acct_mgr || holds(actor, SR_ROLE_CHANNEL_MANAGER, scope->channel_id)
                               ? SR_OK
                               : SR_E_FORBIDDEN;
        default:
                return SR_E_FORBIDDEN;
        }
}

static const char *const scope_names[] = {
        "users:read",    "users:write",    "channels:read",  "channels:write", "roles:read",
        "roles:write",   "audit:read",     "audit:write",    "settings:read",  "settings:write",
        "metrics:read",  "metrics:write",  "documents:read", "documents:write",
};

enum sr_rc
sr_key_scope_parse(const char *s, unsigned *ret_bit)
{
        for (unsigned i = 0; i < sizeof(scope_names) / sizeof(scope_names[0]); i++) {
                if (strcmp(s, scope_names[i]) == 0) {
                        *ret_bit = 1u << i;
                        return SR_OK;
                }
        }
        return SR_E_VALIDATION;
}

const char *
sr_key_scope_name(unsigned bit)
{
        for (unsigned i = 0; i < sizeof(scope_names) / sizeof(scope_names[0]); i++)
                if (bit == 1u << i)
                        return scope_names[i];
        return NULL;
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
