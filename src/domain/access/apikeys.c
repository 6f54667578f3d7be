/* Scoped API keys (ACC-9). The secret "sk_<REGION>.<256-bit>" is shown
 * once and stored as SHA-256 only. A key acts for its creator: on every
 * use the creator's current roles are loaded and intersected with the
 * key's scopes in sr_authz_require, so blocking, deleting or demoting the
 * creator suspends or narrows the key at once. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "crypto/token.h"
#include "domain/access/access.h"
#include "domain/session/session.h"
#include "util/alloc.h"
#include "util/clock.h"

#define TOUCH_EVERY_S 60

bool
sr_api_key_looks_like(const char *token)
{
        return strncmp(token, "sk_", 3) == 0;
}

enum sr_rc
sr_api_key_create(struct sr_app *app, const struct sr_client *client, const struct sr_actor *actor,
                  const struct sr_account_ref *acct, const char *name, unsigned scopes,
                  const char *channel_id, int64_t expires_at, struct sr_api_key_issued *ret)
{
        const char *ch = channel_id && channel_id[0] ? channel_id : NULL;
        if (ch != NULL) {
                struct sr_channel_row c;
                enum sr_rc rc = sr_store_channel_get(app->st, acct->region, acct->id, ch, &c);
                if (rc != SR_OK)
                        return rc == SR_E_NOT_FOUND ? SR_E_VALIDATION : rc;
        }
        if (expires_at != 0 && expires_at <= sr_clock_now())
                return SR_E_VALIDATION;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *raw = NULL;
        enum sr_rc rc = sr_token_new(&raw);
        if (rc != SR_OK)
                return rc;
        char text[80];
        int len = snprintf(text, sizeof(text), "sk_%s.%s", sr_region_name(acct->region),
                           (const char *)raw->bytes);
        struct sr_secret *secret = NULL;
        rc = sr_secret_new(text, (size_t)len, &secret);
        sodium_memzero(text, sizeof(text));
        if (rc != SR_OK)
                return rc;
        struct sr_api_key_row k;
        memset(&k, 0, sizeof(k));
        sr_id_new(k.id);
        snprintf(k.account_id, sizeof(k.account_id), "%s", acct->id);
        snprintf(k.creator_id, sizeof(k.creator_id), "%s", actor->user_id);
        snprintf(k.name, sizeof(k.name), "%s", name);
        snprintf(k.channel_id, sizeof(k.channel_id), "%s", ch ? ch : "");
        k.scopes = scopes;
        k.expires_at = expires_at;
        k.created_at = sr_clock_now();
        sr_token_hash(secret->bytes, secret->len, k.secret_hash);
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        rc = sr_store_begin(app->st, acct->region, &tx);
        if (rc == SR_OK)
                rc = sr_store_api_key_insert(tx, &k);
        struct sr_audit_event ev = {sr_actor_id(actor), sr_actor_type(app, actor), "createApiKey",
                                    "api_key", k.id, "success", client->ip_prefix,
                                    client->request_id};
        if (rc == SR_OK)
                rc = sr_audit_append(app->audit, tx, acct->id, &ev);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        if (rc != SR_OK) {
                sr_secret_free(secret);
                return rc;
        }
        ret->row = k;
        ret->secret = secret;
        return SR_OK;
}

enum sr_rc
sr_api_key_revoke(struct sr_app *app, const struct sr_client *client, const struct sr_actor *actor,
                  const struct sr_account_ref *acct, const char *key_id)
{
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        enum sr_rc rc = sr_store_begin(app->st, acct->region, &tx);
        if (rc == SR_OK)
                rc = sr_store_api_key_revoke(tx, acct->id, key_id, sr_clock_now());
        struct sr_audit_event ev = {sr_actor_id(actor), sr_actor_type(app, actor), "revokeApiKey",
                                    "api_key", key_id, "success", client->ip_prefix,
                                    client->request_id};
        if (rc == SR_OK)
                rc = sr_audit_append(app->audit, tx, acct->id, &ev);
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        return rc;
}

enum sr_rc
sr_api_key_list(struct sr_app *app, const struct sr_account_ref *acct, const char *cursor,
                unsigned limit, struct sr_api_key_row **ret, size_t *ret_n,
                char ret_next[SR_ID_LEN + 1])
{
        struct sr_api_key_row *rows = NULL;
        size_t n = 0;
        enum sr_rc rc = sr_store_api_key_list(app->st, acct->region, acct->id, cursor, limit + 1,
                                              &rows, &n);
        if (rc != SR_OK)
                return rc;
        snprintf(ret_next, SR_ID_LEN + 1, "%s", n > limit ? rows[limit - 1].id : "");
        *ret = rows;
        *ret_n = n > limit ? limit : n;
        return SR_OK;
}

enum sr_rc
sr_api_key_authenticate(struct sr_app *app, const char *secret, size_t len,
                        struct sr_actor *ret_actor)
{
        /* "sk_" + region (2) + "." + token */
        if (len < 6 || len > 80 || !sr_api_key_looks_like(secret) || secret[5] != '.')
                return SR_E_UNAUTHENTICATED;
        char region_name[3] = {secret[3], secret[4], 0};
        enum sr_region r;
        if (sr_region_parse(region_name, &r) != SR_OK)
                return SR_E_UNAUTHENTICATED;
        unsigned char hash[SR_TOKEN_HASH_BYTES];
        sr_token_hash(secret, len, hash);
        struct sr_api_key_row k;
        enum sr_rc rc = sr_store_api_key_find(app->st, r, hash, &k);
        if (rc != SR_OK)
                return rc == SR_E_NOT_FOUND ? SR_E_UNAUTHENTICATED : rc;
        int64_t now = sr_clock_now();
        if (k.revoked_at != 0 || (k.expires_at != 0 && now >= k.expires_at))
                return SR_E_UNAUTHENTICATED;
        struct sr_actor a;
        rc = sr_session_user_actor(app, r, k.account_id, k.creator_id, &a);
        if (rc != SR_OK)
                return SR_E_UNAUTHENTICATED; /* creator gone or blocked: key suspended */
        snprintf(a.api_key_id, sizeof(a.api_key_id), "%s", k.id);
        snprintf(a.key_channel_id, sizeof(a.key_channel_id), "%s", k.channel_id);
        a.key_scopes = k.scopes;
        a.pw_change_required = false; /* the key, not the person, is acting */
        int64_t last = 0;
        if (!sr_hmap_get(app->key_touch, k.id, &last) || now - last >= TOUCH_EVERY_S) {
                /* Best effort and throttled: last_used_at is informative. */
                sr_rc_ignore(sr_hmap_put(app->key_touch, k.id, &now));
                sr_rc_ignore(sr_store_api_key_touch(app->st, r, k.account_id, k.id, now));
        }
        *ret_actor = a;
        return SR_OK;
}
