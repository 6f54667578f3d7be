/* Session management by users and managers (ACC-5): "sign out
 * everywhere" and the user's own list of sessions. */
#include <stdio.h>
#include <string.h>

#include "domain/access/access.h"
#include "domain/account/useragent.h"
#include "domain/session/session.h"
#include "util/alloc.h"

enum sr_rc
sr_sessions_revoke_user(struct sr_app *app, const struct sr_client *client,
                        const struct sr_actor *actor, const struct sr_account_ref *acct,
                        const char *user_id)
{
        struct sr_scope scope = {acct->id, NULL, user_id};
        enum sr_rc rc = sr_authz_require(actor, SR_ACT_SESSIONS_REVOKE, &scope);
        if (rc != SR_OK)
                return rc;
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        rc = sr_store_begin(app->st, acct->region, &tx);
        if (rc == SR_OK)
                rc = sr_session_revoke_user_tx(tx, acct->id, user_id, NULL);
        struct sr_audit_event ev = {sr_actor_id(actor), sr_actor_type(app, actor),
                                    "revokeUserSessions", "user", user_id, "success",
                                    client->ip_prefix, client->request_id};
        if (rc == SR_OK)
                rc = sr_audit_append(app->audit, tx, acct->id, &ev);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        if (rc == SR_OK)
                sr_session_user_changed(app, user_id);
        return rc;
}

enum sr_rc
sr_sessions_list_mine(struct sr_app *app, const struct sr_actor *actor,
                      struct sr_session_summary **ret, size_t *ret_n)
{
        struct sr_session_row *rows = NULL;
        size_t n = 0;
        enum sr_rc rc = sr_store_session_list_user(app->st, actor->region, actor->account_id,
                                                   actor->user_id, &rows, &n);
        if (rc != SR_OK)
                return rc;
        struct sr_session_summary *out = sr_calloc(n ? n : 1, sizeof(*out));
        SR_CLEANUP(sr_secret_freep) struct sr_secret *key = NULL;
        if (out == NULL)
                rc = SR_E_NOMEM;
        if (rc == SR_OK)
                rc = sr_vault_key(app->vault, actor->region, actor->account_id, actor->user_id,
                                  &key);
        for (size_t i = 0; rc == SR_OK && i < n; i++) {
                struct sr_session_summary *o = &out[i];
                memcpy(o->id, rows[i].id, sizeof(o->id));
                memcpy(o->ip_prefix, rows[i].ip_prefix, sizeof(o->ip_prefix));
                o->created_at = rows[i].created_at;
                o->last_seen_at = rows[i].last_seen_at;
                o->expires_at = rows[i].expires_at;
                o->current = strcmp(rows[i].id, actor->session_id) == 0;
                struct sr_field f = {actor->account_id, "sessions", "user_agent", rows[i].id};
                char *ua = NULL;
                rc = sr_vault_open(key, &f, &rows[i].ua_ct, &ua);
                snprintf(o->browser, sizeof(o->browser), "%s", sr_ua_browser(ua));
                snprintf(o->os, sizeof(o->os), "%s", sr_ua_os(ua));
                sr_free(ua);
        }
        sr_session_rows_free(rows, n);
        if (rc != SR_OK) {
                sr_free(out);
                return rc;
        }
        *ret = out;
        *ret_n = n;
        return SR_OK;
}

enum sr_rc
sr_sessions_delete_mine(struct sr_app *app, const struct sr_client *client,
                        const struct sr_actor *actor, const char *session_id)
{
        struct sr_session_summary *mine = NULL;
        size_t n = 0;
        enum sr_rc rc = sr_sessions_list_mine(app, actor, &mine, &n);
        if (rc != SR_OK)
                return rc;
        bool found = false;
        for (size_t i = 0; i < n; i++)
                found |= strcmp(mine[i].id, session_id) == 0;
        sr_free(mine);
        if (!found)
                return SR_E_NOT_FOUND;
        struct sr_actor target = *actor;
        snprintf(target.session_id, sizeof(target.session_id), "%s", session_id);
        rc = sr_session_end(app, client, &target);
        return rc;
}
