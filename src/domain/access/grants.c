/* Role grants with delegation (ACC-2) and revocation that takes effect on
 * the very next request (ACC-3): revoking bumps the holder's session
 * epoch and deletes their sessions in the same transaction. */
#include <stdio.h>
#include <string.h>

#include "crypto/token.h"
#include "domain/access/access.h"
#include "domain/session/session.h"
#include "util/clock.h"

static enum sr_rc
grant_audit(struct sr_app *app, struct sr_tx *tx, const struct sr_client *client,
            const struct sr_actor *actor, const char *account_id, const char *action,
            const char *user_id)
{
        struct sr_audit_event ev = {sr_actor_id(actor), sr_actor_type(app, actor), action, "user",
                                    user_id, "success", client->ip_prefix, client->request_id};
        return sr_audit_append(app->audit, tx, account_id, &ev);
}

enum sr_rc
sr_grant_create(struct sr_app *app, const struct sr_client *client, const struct sr_actor *actor,
                const struct sr_account_ref *acct, const char *user_id, enum sr_role role,
                const char *channel_id, struct sr_grant_row *ret)
{
        const char *ch = channel_id && channel_id[0] ? channel_id : NULL;
        if (sr_role_is_channel(role) != (ch != NULL))
                return SR_E_VALIDATION;
        struct sr_scope scope = {acct->id, ch, NULL};
        /* ACC-2: the central delegation rule. */
        enum sr_rc rc = sr_authz_may_grant(actor, role, &scope);
        if (rc != SR_OK)
                return rc;
        struct sr_user_row u;
        rc = sr_store_user_get(app->st, acct->region, acct->id, user_id, &u);
        if (rc != SR_OK)
                return rc;
        sr_user_row_fini(&u);
        if (ch != NULL) {
                struct sr_channel_row c;
                rc = sr_store_channel_get(app->st, acct->region, acct->id, ch, &c);
                if (rc != SR_OK)
                        return rc;
        }
        struct sr_grant_row g;
        memset(&g, 0, sizeof(g));
        sr_id_new(g.id);
        snprintf(g.account_id, sizeof(g.account_id), "%s", acct->id);
        snprintf(g.user_id, sizeof(g.user_id), "%s", user_id);
        snprintf(g.role, sizeof(g.role), "%s", sr_role_name(role));
        snprintf(g.channel_id, sizeof(g.channel_id), "%s", ch ? ch : "");
        snprintf(g.granted_by, sizeof(g.granted_by), "%s", sr_actor_id(actor));
        g.created_at = sr_clock_now();
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        rc = sr_store_begin(app->st, acct->region, &tx);
        if (rc == SR_OK)
                rc = sr_store_grant_insert(tx, &g);
        if (rc == SR_OK)
                rc = grant_audit(app, tx, client, actor, acct->id, "grantRole", user_id);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        if (rc != SR_OK)
                return rc;
        /* A new role takes effect on the next request. */
        sr_session_user_changed(app, user_id);
        *ret = g;
        return SR_OK;
}

enum sr_rc
sr_grant_revoke(struct sr_app *app, const struct sr_client *client, const struct sr_actor *actor,
                const struct sr_account_ref *acct, const char *grant_id)
{
        struct sr_grant_row g;
        enum sr_rc rc = sr_store_grant_get(app->st, acct->region, acct->id, grant_id, &g);
        if (rc != SR_OK)
                return rc;
        enum sr_role role;
        if (sr_role_parse(g.role, &role) != SR_OK)
                return SR_E_INTERNAL;
        struct sr_scope scope = {acct->id, g.channel_id[0] ? g.channel_id : NULL, NULL};
        rc = sr_authz_may_grant(actor, role, &scope);
        if (rc != SR_OK)
                return rc;
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        rc = sr_store_begin(app->st, acct->region, &tx);
        if (rc == SR_OK)
                rc = sr_store_grant_delete(tx, acct->id, grant_id);
        /* ACC-3: every session of the holder ends now. */
        if (rc == SR_OK)
                rc = sr_session_revoke_user_tx(tx, acct->id, g.user_id, NULL);
        if (rc == SR_OK)
                rc = grant_audit(app, tx, client, actor, acct->id, "revokeRole", g.user_id);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        if (rc == SR_OK)
                sr_session_user_changed(app, g.user_id);
        return rc;
}

enum sr_rc
sr_grant_list(struct sr_app *app, const struct sr_actor *actor, const struct sr_account_ref *acct,
              const char *user_id, const char *channel_id, const char *cursor, unsigned limit,
              struct sr_grant_row **ret, size_t *ret_n, char ret_next[SR_ID_LEN + 1])
{
        struct sr_grant_row *rows = NULL;
        size_t n = 0;
        enum sr_rc rc = sr_store_grant_list(app->st, acct->region, acct->id, user_id, channel_id,
                                            cursor, limit + 1, &rows, &n);
        if (rc != SR_OK)
                return rc;
        /* Account-level readers see every grant; a channel manager sees
         * the grants of their own channels. */
        /* Page over what was scanned, so filtered rows never stall the
         * cursor: the next page starts after the last scanned row. */
        char next[SR_ID_LEN + 1] = "";
        if (n > limit)
                snprintf(next, sizeof(next), "%s", rows[limit - 1].id);
        size_t kept = 0;
        for (size_t i = 0; i < n && i < limit; i++) {
                struct sr_scope scope = {acct->id, rows[i].channel_id[0] ? rows[i].channel_id : NULL,
                                         NULL};
                if (sr_authz_require(actor, SR_ACT_ROLES_READ, &scope) == SR_OK)
                        rows[kept++] = rows[i];
        }
        snprintf(ret_next, SR_ID_LEN + 1, "%s", next);
        *ret = rows;
        *ret_n = kept;
        return SR_OK;
}
