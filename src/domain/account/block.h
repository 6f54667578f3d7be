#pragma once
/* Operator blocking (ACC-6) and manager unlock (AUTH-3). Access is
 * decided before these run (SR_ACT_BLOCK, SR_ACT_USERS_WRITE). */
#include <stdbool.h>

#include "domain/app.h"
#include "domain/authz/authz.h"
#include "domain/identity/users.h"

/* blockUser / unblockUser: users.state; a block ends every session of the
 * user on their very next request (epoch bump). SR_E_NOT_FOUND for no
 * such user. */
SR_NODISCARD enum sr_rc sr_block_user(struct sr_app *app, const struct sr_client *client,
                                      const struct sr_actor *actor,
                                      const struct sr_account_ref *acct, const char *user_id,
                                      bool blocked);
/* blockAccount / unblockAccount: the directory state; a block ends every
 * session of the account and refuses its sign-ins. */
SR_NODISCARD enum sr_rc sr_block_account(struct sr_app *app, const struct sr_client *client,
                                         const struct sr_actor *actor,
                                         const struct sr_account_ref *acct, bool blocked);
/* unlockUser: clears the user's failure count and lock. */
SR_NODISCARD enum sr_rc sr_unlock_user(struct sr_app *app, const struct sr_client *client,
                                       const struct sr_actor *actor,
                                       const struct sr_account_ref *acct, const char *user_id);
