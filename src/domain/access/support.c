/* Support access grants (ACC-7). Platform staff see no personal data of a
 * customer account unless its manager granted time-limited access; every
 * request made under a grant is recorded in that account's audit chain,
 * where its managers see it in listAuditEvents. */
#include <stdio.h>
#include <string.h>

#include "crypto/token.h"
#include "domain/access/access.h"
#include "domain/session/session.h"
#include "util/clock.h"

#define MAX_GRANT_S (7 * 86400)

enum sr_rc
sr_support_grant_create(struct sr_app *app, const struct sr_client *client,
                        const struct sr_actor *actor, const struct sr_account_ref *acct,
                        const char *grantee_user_id, int64_t expires_at, const char *reason,
                        struct sr_support_grant_row *ret)
{
        int64_t now = sr_clock_now();
        if (expires_at <= now || expires_at > now + MAX_GRANT_S)
                return SR_E_VALIDATION;
        /* The grantee must be platform staff. */
        struct sr_actor staff;
        if (app->platform_account_id[0] == '\0' ||
            sr_session_user_actor(app, SR_REGION__COUNT, app->platform_account_id,
                                  grantee_user_id, &staff) != SR_OK)
                return SR_E_VALIDATION;
        bool is_staff = false;
        for (size_t i = 0; i < staff.n_roles; i++)
                is_staff |= sr_role_is_platform(staff.roles[i].role) &&
                            staff.roles[i].channel_id[0] == '\0';
        if (!is_staff)
                return SR_E_VALIDATION;
        struct sr_support_grant_row g;
        memset(&g, 0, sizeof(g));
        sr_id_new(g.id);
        snprintf(g.account_id, sizeof(g.account_id), "%s", acct->id);
        snprintf(g.grantee_id, sizeof(g.grantee_id), "%s", grantee_user_id);
        snprintf(g.granted_by, sizeof(g.granted_by), "%s", sr_actor_id(actor));
        g.expires_at = expires_at;
        g.created_at = now;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *key = NULL;
        struct sr_field f = {acct->id, "support_grants", "reason", g.id};
        enum sr_rc rc = sr_vault_key(app->vault, acct->region, acct->id, NULL, &key);
        if (rc == SR_OK)
                rc = sr_vault_seal(key, &f, reason, strlen(reason), &g.reason_ct);
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        if (rc == SR_OK)
                rc = sr_store_begin(app->st, acct->region, &tx);
        if (rc == SR_OK)
                rc = sr_store_support_insert(tx, &g);
        struct sr_audit_event ev = {sr_actor_id(actor), sr_actor_type(app, actor),
                                    "createSupportGrant", "user", grantee_user_id, "success",
                                    client->ip_prefix, client->request_id};
        if (rc == SR_OK)
                rc = sr_audit_append(app->audit, tx, acct->id, &ev);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        sr_blob_fini(&g.reason_ct);
        if (rc == SR_OK)
                *ret = g;
        return rc;
}

enum sr_rc
sr_support_grant_revoke(struct sr_app *app, const struct sr_client *client,
                        const struct sr_actor *actor, const struct sr_account_ref *acct,
                        const char *grant_id)
{
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        enum sr_rc rc = sr_store_begin(app->st, acct->region, &tx);
        if (rc == SR_OK)
                rc = sr_store_support_revoke(tx, acct->id, grant_id, sr_clock_now());
        struct sr_audit_event ev = {sr_actor_id(actor), sr_actor_type(app, actor),
                                    "revokeSupportGrant", "support_grant", grant_id, "success",
                                    client->ip_prefix, client->request_id};
        if (rc == SR_OK)
                rc = sr_audit_append(app->audit, tx, acct->id, &ev);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        return rc;
}

enum sr_rc
sr_support_grant_list(struct sr_app *app, const struct sr_account_ref *acct,
                      struct sr_support_grant_row **ret, size_t *ret_n)
{
        return sr_store_support_list(app->st, acct->region, acct->id, ret, ret_n);
}

enum sr_rc
sr_support_apply(struct sr_app *app, struct sr_actor *actor, const struct sr_account_ref *acct)
{
        if (!actor->is_platform || strcmp(actor->account_id, acct->id) == 0)
                return SR_OK;
        bool active = false;
        enum sr_rc rc = sr_store_support_active(app->st, acct->region, acct->id, actor->user_id,
                                                sr_clock_now(), &active);
        if (rc == SR_OK && active)
                snprintf(actor->support_account_id, sizeof(actor->support_account_id), "%s",
                         acct->id);
        return rc;
}

enum sr_rc
sr_support_record(struct sr_app *app, const struct sr_client *client,
                  const struct sr_actor *actor, const struct sr_account_ref *acct,
                  const char *operation_id, enum sr_rc decision)
{
        if (strcmp(actor->support_account_id, acct->id) != 0)
                return SR_OK;
        /* ACC-7: every access under a grant is in the customer's chain,
         * refused ones included. */
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        struct sr_audit_event ev = {sr_actor_id(actor), "operator", operation_id, "account",
                                    acct->id, decision == SR_OK ? "success" : "denied",
                                    client->ip_prefix, client->request_id};
        enum sr_rc rc = sr_store_begin(app->st, acct->region, &tx);
        if (rc == SR_OK)
                rc = sr_audit_append(app->audit, tx, acct->id, &ev);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        return rc;
}
