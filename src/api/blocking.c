/* blockUser, unblockUser, blockAccount, unblockAccount (ACC-6) and
 * unlockUser (AUTH-3). Who may call them is the route's action
 * (SR_ACT_BLOCK: platform operators in other accounts; unlock:
 * SR_ACT_USERS_WRITE). Each answers 204. */
#include "api/decode.h"
#include "api/handlers.h"
#include "crypto/token.h"
#include "domain/account/block.h"

static enum sr_rc
block_user(struct sr_call *call, bool blocked)
{
        const char *user_id = NULL;
        enum sr_rc rc = sr_decode_path_id(call, 1, &user_id);
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
        enum sr_rc rc = sr_decode_path_id(call, 1, &user_id);
        if (rc == SR_OK)
                rc = sr_unlock_user(call->app, call->client, call->actor, call->account, user_id);
        if (rc == SR_OK)
                call->status = 204;
        return rc;
}
