#pragma once
/* The one central authorization check (ACC-4). Every route declares an
 * action; the HTTP layer calls sr_authz_require() before the handler and
 * domain functions that need a finer decision (personal data) call it too.
 * Nothing else decides access. */
#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

enum sr_role {
        SR_ROLE_PLATFORM_OPERATOR,
        SR_ROLE_PLATFORM_SUPPORT,
        SR_ROLE_ACCOUNT_MANAGER,
        SR_ROLE_ACCOUNT_MEMBER,
        SR_ROLE_ACCOUNT_VIEWER,
        SR_ROLE_CHANNEL_MANAGER,
        SR_ROLE_CHANNEL_MEMBER,
        SR_ROLE_CHANNEL_VIEWER,
        SR_ROLE__COUNT
};

enum sr_action {
        SR_ACT_NONE,          /* public, or only "is signed in" */
        SR_ACT_SELF,          /* acting on oneself (getMe, changePassword) */
        SR_ACT_ACCOUNT_READ,
        SR_ACT_USERS_READ,
        SR_ACT_USERS_PII_READ, /* see e-mail, phone, name of others */
        SR_ACT_USERS_WRITE,
        SR_ACT_AUDIT_READ,
        SR_ACT_SETTINGS_READ,
        SR_ACT_SETTINGS_WRITE,
        SR_ACT_METRICS_READ,
        SR_ACT_CHANNELS_READ,
        SR_ACT_CHANNELS_WRITE,
        SR_ACT_ROLES_READ,
        SR_ACT_ROLES_DELEGATE,  /* grant/revoke; sr_authz_may_grant decides the role */
        SR_ACT_SESSIONS_REVOKE, /* a manager, or the user for themself */
        SR_ACT_ALLOWLIST_READ,
        SR_ACT_ALLOWLIST_WRITE,
        SR_ACT_APIKEYS_READ,
        SR_ACT_APIKEYS_WRITE,
        SR_ACT_SUPPORT_READ,
        SR_ACT_SUPPORT_WRITE,
        SR_ACT_BLOCK, /* ACC-6: block/unblock users and accounts; platform operators only */
        SR_ACT__COUNT
};

#define SR_ACTOR_MAX_ROLES 32

struct sr_role_binding {
        enum sr_role role;
        char channel_id[SR_ID_LEN + 1]; /* "" = whole account */
};

/* Who is asking: resolved once per request by the session layer. */
struct sr_actor {
        char user_id[SR_ID_LEN + 1];
        char account_id[SR_ID_LEN + 1];
        enum sr_region region;
        char session_id[SR_ID_LEN + 1];
        bool is_platform; /* member of the platform account */
        bool pw_change_required;
        /* API key actors act with the key's scopes intersected with the
         * rights of the key's creator (user_id), checked on every use. */
        char api_key_id[SR_ID_LEN + 1]; /* "" unless a key */
        unsigned key_scopes;            /* SR_KEY_SCOPE_* bits */
        char key_channel_id[SR_ID_LEN + 1];
        /* Account whose manager granted this staff member time-limited
         * support access, valid for this request (ACC-7). */
        char support_account_id[SR_ID_LEN + 1];
        size_t n_roles;
        struct sr_role_binding roles[SR_ACTOR_MAX_ROLES];
        /* AUTH-8: the account requires a second factor this user has not
         * enrolled; only the enrolment routes work until they have. */
        bool second_factor_setup_required;
};

struct sr_scope {
        const char *account_id;
        const char *channel_id;     /* NULL or "" = account level */
        const char *target_user_id; /* for actions a user may do to themself */
};

/* API key scopes: `<area>:read` / `<area>:write` (CONTRACTS.md). */
enum sr_key_scope {
        SR_KEY_USERS_READ = 1u << 0,
        SR_KEY_USERS_WRITE = 1u << 1,
        SR_KEY_CHANNELS_READ = 1u << 2,
        SR_KEY_CHANNELS_WRITE = 1u << 3,
        SR_KEY_ROLES_READ = 1u << 4,
        SR_KEY_ROLES_WRITE = 1u << 5,
        SR_KEY_AUDIT_READ = 1u << 6,
        SR_KEY_AUDIT_WRITE = 1u << 7,
        SR_KEY_SETTINGS_READ = 1u << 8,
        SR_KEY_SETTINGS_WRITE = 1u << 9,
        SR_KEY_METRICS_READ = 1u << 10,
        SR_KEY_METRICS_WRITE = 1u << 11,
        SR_KEY_DOCUMENTS_READ = 1u << 12,
        SR_KEY_DOCUMENTS_WRITE = 1u << 13,
};
/* "users:read" → bit; SR_E_VALIDATION for an unknown scope. */
SR_NODISCARD enum sr_rc sr_key_scope_parse(const char *s, unsigned *ret_bit);
/* Name of a single scope bit, or NULL. */
const char *sr_key_scope_name(unsigned bit);

/* ACC-2 delegation: may the actor grant (or revoke) role at this scope?
 * A grant needs a manager role at or above the grant's scope and a role
 * not above the granter's own. Same result codes as sr_authz_require. */
SR_NODISCARD enum sr_rc sr_authz_may_grant(const struct sr_actor *actor, enum sr_role role,
                                           const struct sr_scope *scope);
/* True for channel_* roles, which must be bound to a channel. */
bool sr_role_is_channel(enum sr_role r);
bool sr_role_is_platform(enum sr_role r);

/* SR_OK when allowed; SR_E_NOT_FOUND when the actor may not even read in
 * that scope (so existence is not revealed); SR_E_FORBIDDEN when they may
 * read but not do this. A NULL actor is SR_E_UNAUTHENTICATED. */
SR_NODISCARD enum sr_rc sr_authz_require(const struct sr_actor *actor, enum sr_action action,
                                         const struct sr_scope *scope);

const char *sr_role_name(enum sr_role r);
SR_NODISCARD enum sr_rc sr_role_parse(const char *s, enum sr_role *ret);
