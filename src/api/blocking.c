/* blockUser, unblockUser, blockAccount, unblockAccount (ACC-6) and
 * unlockUser (AUTH-3). Who may call them is the route's action
 * (SR_ACT_BLOCK: platform operators in other accounts; unlock:
 * SR_ACT_USERS_WRITE). Each answers 204. */
#include "api/handlers.h"
#include "crypto/token.h"
#include "domain/account/block.h"

static enum sr_rc
user_param(struct sr_call *call, const char **ret)
{
        const char *id = call->params[1];
        if (id == NULL || !sr_id_valid(id))
                return SR_E_NOT_FOUND;
        *ret = id;
        return SR_OK;
}

static enum sr_rc
block_user(struct sr_call *call, bool blocked)
{
        const char *user_id = NULL;
        enum sr_rc rc = user_param(call, &user_id);
        if (rc == SR_OK)
                rc = sr_block_user(call->app, call->client, call->actor, call->account, user_id,
                                   blocked);
        if (rc == SR_OK)
                call->status = 204;
        return rc;
}

enum sr_rc
sr_api_block_user(struct sr_call *call)
{
        return block_user(call, true);
}

enum sr_rc
sr_api_unblock_user(struct sr_call *call)
{
        return block_user(call, false);
}

enum sr_rc
sr_api_block_account(struct sr_call *call)
{
        enum sr_rc rc = sr_block_account(call->app, call->client, call->actor, call->account, true);
        if (rc == SR_OK)
                call->status = 204;
        return rc;
}

enum sr_rc
sr_api_unblock_account(struct sr_call *call)
{
        enum sr_rc rc =
                sr_block_account(call->app, call->client, call->actor, call->account, false);
        if (rc == SR_OK)
                call->status = 204;
        return rc;
}

enum sr_rc
sr_api_unlock_user(struct sr_call *call)
{
        const char *user_id = NULL;
        enum sr_rc rc = user_param(call, &user_id);
        if (rc == SR_OK)
                rc = sr_unlock_user(call->app, call->client, call->actor, call->account, user_id);
        if (rc == SR_OK)
                call->status = 204;
        return rc;
}
