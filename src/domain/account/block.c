/* Blocking users and accounts (ACC-6) and unlocking users (AUTH-3).
 * A blocked user or account cannot sign in (sign-in treats them as
 * unknown, after the same argon2id run) and their sessions end on the very
 * next request: the block bumps the session epoch and deletes the session
 * rows in the same transaction as its audit event, and the cached facts
 * are dropped after the commit. An account's state lives in the directory
 * (no personal data); it is written first and put back if the region
 * transaction fails. */
#include "domain/account/block.h"

#include <string.h>

#include "domain/session/session.h"
#include "store/signin.h"

static enum sr_rc
audit_tx(struct sr_app *app, struct sr_tx *tx, const struct sr_client *client,
         const struct sr_actor *actor, const struct sr_account_ref *acct, const char *action,
         const char *target_type, const char *target_id)
{
        struct sr_audit_event ev = {sr_actor_id(actor), sr_actor_type(app, actor), action,
                                    target_type, target_id, "success", client->ip_prefix,
                                    client->request_id};
        return sr_audit_append(app->audit, tx, acct->id, &ev);
}

enum sr_rc
sr_block_user(struct sr_app *app, const struct sr_client *client, const struct sr_actor *actor,
              const struct sr_account_ref *acct, const char *user_id, bool blocked)
{
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        enum sr_rc rc = sr_store_begin(app->st, acct->region, &tx);
        if (rc == SR_OK)
                rc = sr_store_user_set_state_tx(tx, acct->id, user_id,
                                                blocked ? "blocked" : "active");
        /* ACC-6: every session and token of the user ends now. */
        if (rc == SR_OK && blocked)
                rc = sr_session_revoke_user_tx(tx, acct->id, user_id, NULL);
        if (rc == SR_OK)
                rc = audit_tx(app, tx, client, actor, acct, blocked ? "blockUser" : "unblockUser",
                              "user", user_id);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        if (rc != SR_OK)
                return rc;
        sr_session_user_changed(app, user_id);
        return SR_OK;
}

enum sr_rc
sr_block_account(struct sr_app *app, const struct sr_client *client, const struct sr_actor *actor,
                 const struct sr_account_ref *acct, bool blocked)
{
        struct sr_dir_account d;
        enum sr_rc rc = sr_store_dir_find(app->st, acct->id, &d);
        if (rc != SR_OK)
                return rc;
        rc = sr_store_dir_set_state(app->st, acct->id, blocked ? "blocked" : "active");
        if (rc != SR_OK)
                return rc;
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        rc = sr_store_begin(app->st, acct->region, &tx);
        if (rc == SR_OK && blocked)
                rc = sr_store_account_revoke_all_tx(tx, acct->id);
        if (rc == SR_OK)
                rc = audit_tx(app, tx, client, actor, acct,
                              blocked ? "blockAccount" : "unblockAccount", "account", acct->id);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        if (rc != SR_OK) {
                /* Best effort: put the directory back as it was. */
                sr_rc_ignore(sr_store_dir_set_state(app->st, acct->id, d.state));
                sr_session_account_changed(app, acct->id);
                return rc;
        }
        sr_session_account_changed(app, acct->id);
        sr_session_account_users_changed(app, acct->id);
        return SR_OK;
}

enum sr_rc
sr_unlock_user(struct sr_app *app, const struct sr_client *client, const struct sr_actor *actor,
               const struct sr_account_ref *acct, const char *user_id)
{
        struct sr_lock_row zero = {0, 0};
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        enum sr_rc rc = sr_store_begin(app->st, acct->region, &tx);
        if (rc == SR_OK)
                rc = sr_store_user_lock_set_tx(tx, acct->id, user_id, &zero);
        if (rc == SR_OK)
                rc = audit_tx(app, tx, client, actor, acct, "unlockUser", "user", user_id);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        return rc;
}
