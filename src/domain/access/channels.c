/* Channels inside an account (ACC-1). Deleting a channel removes its
 * grants and ends the sessions of everyone who held one (ACC-3). */
#include <stdio.h>
#include <string.h>

#include "crypto/token.h"
#include "domain/access/access.h"
#include "domain/session/session.h"
#include "util/alloc.h"
#include "util/clock.h"

static struct sr_scope
channel_scope(const struct sr_account_ref *acct, const char *channel_id)
{
        return (struct sr_scope){acct->id, channel_id, NULL};
}

static struct sr_audit_event
event(struct sr_app *app, const struct sr_client *client, const struct sr_actor *actor,
      const char *action, const char *channel_id)
{
        return (struct sr_audit_event){sr_actor_id(actor), sr_actor_type(app, actor), action,
                                       "channel", channel_id, "success", client->ip_prefix,
                                       client->request_id};
}

enum sr_rc
sr_channel_create(struct sr_app *app, const struct sr_client *client, const struct sr_actor *actor,
                  const struct sr_account_ref *acct, const struct sr_channel_input *in,
                  struct sr_channel_row *ret)
{
        struct sr_channel_row c;
        memset(&c, 0, sizeof(c));
        sr_id_new(c.id);
        snprintf(c.account_id, sizeof(c.account_id), "%s", acct->id);
        snprintf(c.name, sizeof(c.name), "%s", in->name);
        snprintf(c.description, sizeof(c.description), "%s", in->description ? in->description : "");
        c.created_at = c.updated_at = sr_clock_now();
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        enum sr_rc rc = sr_store_begin(app->st, acct->region, &tx);
        if (rc == SR_OK)
                rc = sr_store_channel_insert(tx, &c);
        struct sr_audit_event ev = event(app, client, actor, "createChannel", c.id);
        if (rc == SR_OK)
                rc = sr_audit_append(app->audit, tx, acct->id, &ev);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        if (rc == SR_OK)
                *ret = c;
        return rc;
}

enum sr_rc
sr_channel_get(struct sr_app *app, const struct sr_actor *actor, const struct sr_account_ref *acct,
               const char *channel_id, struct sr_channel_row *ret)
{
        struct sr_scope scope = channel_scope(acct, channel_id);
        enum sr_rc rc = sr_authz_require(actor, SR_ACT_CHANNELS_READ, &scope);
        if (rc != SR_OK)
                return rc == SR_E_FORBIDDEN ? SR_E_NOT_FOUND : rc;
        return sr_store_channel_get(app->st, acct->region, acct->id, channel_id, ret);
}

enum sr_rc
sr_channel_list(struct sr_app *app, const struct sr_actor *actor, const struct sr_account_ref *acct,
                const char *cursor, unsigned limit, struct sr_channel_row **ret, size_t *ret_n,
                char ret_next[SR_ID_LEN + 1])
{
        struct sr_channel_row *rows = NULL;
        size_t n = 0;
        /* Read in pages and keep the channels the actor may read: account
         * readers see all, channel members only theirs. */
        enum sr_rc rc = sr_store_channel_list(app->st, acct->region, acct->id, cursor, limit + 1,
                                              &rows, &n);
        if (rc != SR_OK)
                return rc;
        /* Page over what was scanned, so filtered rows never stall the
         * cursor: the next page starts after the last scanned row. */
        char next[SR_ID_LEN + 1] = "";
        if (n > limit)
                snprintf(next, sizeof(next), "%s", rows[limit - 1].id);
        size_t kept = 0;
        for (size_t i = 0; i < n && i < limit; i++) {
                struct sr_scope scope = channel_scope(acct, rows[i].id);
                if (sr_authz_require(actor, SR_ACT_CHANNELS_READ, &scope) == SR_OK)
                        rows[kept++] = rows[i];
        }
        snprintf(ret_next, SR_ID_LEN + 1, "%s", next);
        *ret = rows;
        *ret_n = kept;
        return SR_OK;
}

enum sr_rc
sr_channel_update(struct sr_app *app, const struct sr_client *client, const struct sr_actor *actor,
                  const struct sr_account_ref *acct, const char *channel_id,
                  const struct sr_channel_input *in, struct sr_channel_row *ret)
{
        struct sr_scope scope = channel_scope(acct, channel_id);
        enum sr_rc rc = sr_authz_require(actor, SR_ACT_CHANNELS_WRITE, &scope);
        if (rc != SR_OK)
                return rc;
        struct sr_channel_row c;
        rc = sr_store_channel_get(app->st, acct->region, acct->id, channel_id, &c);
        if (rc != SR_OK)
                return rc;
        if (in->name != NULL)
                snprintf(c.name, sizeof(c.name), "%s", in->name);
        if (in->description_set)
                snprintf(c.description, sizeof(c.description), "%s",
                         in->description ? in->description : "");
        c.updated_at = sr_clock_now();
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        rc = sr_store_begin(app->st, acct->region, &tx);
        if (rc == SR_OK)
                rc = sr_store_channel_update(tx, &c);
        struct sr_audit_event ev = event(app, client, actor, "updateChannel", channel_id);
        if (rc == SR_OK)
                rc = sr_audit_append(app->audit, tx, acct->id, &ev);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        if (rc == SR_OK)
                *ret = c;
        return rc;
}

enum sr_rc
sr_channel_delete(struct sr_app *app, const struct sr_client *client, const struct sr_actor *actor,
                  const struct sr_account_ref *acct, const char *channel_id)
{
        /* Who may not read the channel gets 404; deleting is an
         * account-level right (channel managers may only edit theirs). */
        struct sr_scope scope = channel_scope(acct, channel_id);
        struct sr_scope account_scope = channel_scope(acct, NULL);
        enum sr_rc rc = sr_authz_require(actor, SR_ACT_CHANNELS_READ, &scope);
        if (rc == SR_E_FORBIDDEN)
                rc = SR_E_NOT_FOUND;
        if (rc == SR_OK)
                rc = sr_authz_require(actor, SR_ACT_CHANNELS_WRITE, &account_scope);
        if (rc != SR_OK)
                return rc;
        char(*holders)[SR_ID_LEN + 1] = NULL;
        size_t n = 0;
        rc = sr_store_grant_users_of_channel(app->st, acct->region, acct->id,
                                                        channel_id, &holders, &n);
        if (rc != SR_OK)
                return rc;
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        rc = sr_store_begin(app->st, acct->region, &tx);
        if (rc == SR_OK)
                rc = sr_store_channel_delete(tx, acct->id, channel_id);
        if (rc == SR_OK)
                rc = sr_store_grant_delete_channel(tx, acct->id, channel_id);
        /* ACC-3: losing a role ends the holder's sessions. */
        for (size_t i = 0; rc == SR_OK && i < n; i++)
                rc = sr_session_revoke_user_tx(tx, acct->id, holders[i], NULL);
        struct sr_audit_event ev = event(app, client, actor, "deleteChannel", channel_id);
        if (rc == SR_OK)
                rc = sr_audit_append(app->audit, tx, acct->id, &ev);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        for (size_t i = 0; rc == SR_OK && i < n; i++)
                sr_session_user_changed(app, holders[i]);
        sr_free(holders);
        return rc;
}
