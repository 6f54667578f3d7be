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
        size_t n_roles;
        struct sr_role_binding roles[SR_ACTOR_MAX_ROLES];
};

struct sr_scope {
        const char *account_id;
        const char *channel_id; /* NULL or "" = account level */
};

/* SR_OK when allowed; SR_E_NOT_FOUND when the actor may not even read in
 * that scope (so existence is not revealed); SR_E_FORBIDDEN when they may
 * read but not do this. A NULL actor is SR_E_UNAUTHENTICATED. */
SR_NODISCARD enum sr_rc sr_authz_require(const struct sr_actor *actor, enum sr_action action,
                                         const struct sr_scope *scope);

const char *sr_role_name(enum sr_role r);
SR_NODISCARD enum sr_rc sr_role_parse(const char *s, enum sr_role *ret);
