/* revokeUserSessions, listMySessions, deleteMySession, getIpAllowlist,
 * setIpAllowlist, createApiKey, listApiKeys, revokeApiKey,
 * createSupportGrant, listSupportGrants, revokeSupportGrant
 * (ACC-5, ACC-7, ACC-8, ACC-9). */
#include <stdio.h>
#include <string.h>

#include "api/decode.h"
#include "api/handlers.h"
#include "crypto/token.h"
#include "domain/access/access.h"
#include "domain/identity/normalize.h"
#include "domain/session/reauth.h"
#include "util/cidr.h"
#include "util/alloc.h"
#include "util/clock.h"

enum sr_rc
sr_api_revoke_user_sessions(struct sr_call *call)
{
        const char *id;
        enum sr_rc rc = sr_decode_path_id(call, 1, &id);
        if (rc == SR_OK)
                rc = sr_sessions_revoke_user(call->app, call->client, call->actor, call->account,
                                             id);
        if (rc == SR_OK)
                call->status = 204;
        return rc;
}

enum sr_rc
sr_api_list_my_sessions(struct sr_call *call)
{
        struct sr_session_summary *s = NULL;
        size_t n = 0;
        enum sr_rc rc = sr_sessions_list_mine(call->app, call->actor, &s, &n);
        if (rc != SR_OK)
                return rc;
        json_t *items = json_array();
        for (size_t i = 0; items != NULL && i < n; i++)
                json_array_append_new(
                        items,
                        json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b}", "id", s[i].id,
                                  "client_ip_prefix", s[i].ip_prefix, "browser", s[i].browser,
                                  "os", s[i].os, "created_at", sr_json_time(s[i].created_at),
                                  "last_seen_at", sr_json_time(s[i].last_seen_at), "expires_at",
                                  sr_json_time(s[i].expires_at), "current", s[i].current));
        sr_free(s);
        call->resp = sr_json_page(items, NULL);
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_delete_my_session(struct sr_call *call)
{
        const char *id;
        enum sr_rc rc = sr_decode_path_id(call, 0, &id);
        if (rc == SR_OK)
                rc = sr_sessions_delete_mine(call->app, call->client, call->actor, id);
        if (rc == SR_OK) {
                call->status = 204;
                call->clear_cookie = strcmp(id, call->actor->session_id) == 0;
        }
        return rc;
}

static json_t *
cidr_array(const char *list)
{
        json_t *a = json_array();
        const char *p = list;
        while (a != NULL && *p) {
                size_t n = strcspn(p, ",");
                if (n > 0)
                        json_array_append_new(a, json_stringn(p, n));
                p += n;
                if (*p == ',')
                        p++;
        }
        return a;
}

enum sr_rc
sr_api_get_ip_allowlist(struct sr_call *call)
{
        SR_CLEANUP(sr_freep) char *list = NULL;
        enum sr_rc rc = sr_allowlist_get(call->app, call->account, &list);
        if (rc != SR_OK)
                return rc;
        const char *out = call->app->cfg->outbound_addresses;
        call->resp = json_pack("{s:o, s:o}", "cidrs", cidr_array(list), "outbound_addresses",
                               cidr_array(out ? out : ""));
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_set_ip_allowlist(struct sr_call *call)
{
        static const char *const fields[] = {"cidrs", "confirm_self_lockout", NULL};
        enum sr_rc rc = sr_decode_fields(call, fields);
        if (rc != SR_OK)
                return rc;
        json_t *arr = json_object_get(call->body, "cidrs");
        json_t *confirm = json_object_get(call->body, "confirm_self_lockout");
        const char *cidrs[SR_ALLOWLIST_MAX];
        size_t n = 0;
        if (!json_is_array(arr))
                sr_decode_error(call, "cidrs", "must be an array of addresses or CIDR blocks");
        else if (json_array_size(arr) > SR_ALLOWLIST_MAX)
                sr_decode_error(call, "cidrs", "at most 64 entries");
        if (confirm != NULL && !json_is_boolean(confirm))
                sr_decode_error(call, "confirm_self_lockout", "must be a boolean");
        for (size_t i = 0; call->n_errors == 0 && i < json_array_size(arr); i++) {
                json_t *v = json_array_get(arr, i);
                struct sr_cidr c;
                if (!json_is_string(v) || sr_cidr_parse(json_string_value(v), &c) != SR_OK) {
                        sr_decode_error(call, "cidrs", "each entry must be an address or CIDR block");
                        break;
                }
                cidrs[n++] = json_string_value(v);
        }
        rc = sr_decode_done(call);
        if (rc == SR_OK)
                rc = sr_allowlist_set(call->app, call->client, call->actor, call->account, cidrs, n,
                                      json_is_true(confirm));
        if (rc != SR_OK)
                return rc;
        return sr_api_get_ip_allowlist(call);
}

static json_t *
render_key(const struct sr_api_key_row *k)
{
        json_t *scopes = json_array();
        for (unsigned bit = 1; scopes != NULL && bit != 0 && bit <= SR_KEY_DOCUMENTS_WRITE;
             bit <<= 1)
                if (k->scopes & bit)
                        json_array_append_new(scopes, json_string(sr_key_scope_name(bit)));
        return json_pack("{s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:o}", "id", k->id, "name",
                         k->name, "scopes", scopes ? scopes : json_array(), "channel_id",
                         sr_json_str_or_null(k->channel_id[0] ? k->channel_id : NULL),
                         "created_by", k->creator_id, "created_at", sr_json_time(k->created_at),
                         "expires_at", k->expires_at ? sr_json_time(k->expires_at) : json_null(),
                         "revoked_at", k->revoked_at ? sr_json_time(k->revoked_at) : json_null(),
                         "last_used_at",
                         k->last_used_at ? sr_json_time(k->last_used_at) : json_null());
}

static void
decode_time(struct sr_call *call, const char *field, int64_t *ret)
{
        const char *s = NULL;
        sr_decode_string(call, field, false, 20, 40, &s);
        if (s != NULL && sr_clock_parse(s, ret) != SR_OK)
                sr_decode_error(call, field, "must be an RFC 3339 UTC time");
}

enum sr_rc
sr_api_create_api_key(struct sr_call *call)
{
        static const char *const fields[] = {"name",       "scopes",           "channel_id",
                                             "expires_at", "current_password", NULL};
        const char *name, *channel_id, *password;
        size_t password_len;
        bool channel_set;
        int64_t expires_at = 0;
        unsigned scopes = 0;
        enum sr_rc rc = sr_decode_fields(call, fields);
        if (rc != SR_OK)
                return rc;
        sr_decode_string(call, "name", true, 1, 100, &name);
        sr_decode_string_nullable(call, "channel_id", 32, 32, &channel_id, &channel_set);
        decode_time(call, "expires_at", &expires_at);
        sr_decode_secret(call, "current_password", false, SR_PASSWORD_MAX_BYTES, &password,
                         &password_len);
        json_t *arr = json_object_get(call->body, "scopes");
        if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > 14)
                sr_decode_error(call, "scopes", "must be a non-empty array of scopes");
        for (size_t i = 0; json_is_array(arr) && i < json_array_size(arr); i++) {
                json_t *v = json_array_get(arr, i);
                unsigned bit = 0;
                if (!json_is_string(v) || sr_key_scope_parse(json_string_value(v), &bit) != SR_OK) {
                        sr_decode_error(call, "scopes", "unknown scope");
                        break;
                }
                scopes |= bit;
        }
        if (channel_id != NULL && !sr_id_valid(channel_id))
                sr_decode_error(call, "channel_id", "must be a channel id");
        rc = sr_decode_done(call);
        if (rc == SR_OK)
                rc = sr_session_reauth(call->app, call->client, call->actor, call->session,
                                       password, password_len, "createApiKey");
        if (rc != SR_OK)
                return rc;
        struct sr_api_key_issued k;
        rc = sr_api_key_create(call->app, call->client, call->actor, call->account, name, scopes,
                               channel_id, expires_at, &k);
        if (rc == SR_E_VALIDATION)
                sr_decode_error(call, channel_id ? "channel_id" : "expires_at",
                                "unknown channel or time not in the future");
        if (rc != SR_OK)
                return rc;
        call->resp = render_key(&k.row);
        if (call->resp != NULL)
                json_object_set_new(call->resp, "secret",
                                    json_stringn((const char *)k.secret->bytes, k.secret->len));
        sr_secret_free(k.secret);
        call->status = 201;
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_list_api_keys(struct sr_call *call)
{
        unsigned limit;
        const char *cursor;
        enum sr_rc rc = sr_decode_id_page(call, &limit, &cursor);
        if (rc != SR_OK)
                return rc;
        struct sr_api_key_row *rows = NULL;
        size_t n = 0;
        char next[SR_ID_LEN + 1];
        rc = sr_api_key_list(call->app, call->account, cursor, limit, &rows, &n, next);
        if (rc != SR_OK)
                return rc;
        json_t *items = json_array();
        for (size_t i = 0; items != NULL && i < n; i++)
                json_array_append_new(items, render_key(&rows[i]));
        sr_free(rows);
        call->resp = sr_json_page(items, sr_json_str_or_null(next[0] ? next : NULL));
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_revoke_api_key(struct sr_call *call)
{
        const char *id;
        enum sr_rc rc = sr_decode_path_id(call, 1, &id);
        if (rc == SR_OK)
                rc = sr_api_key_revoke(call->app, call->client, call->actor, call->account, id);
        if (rc == SR_OK)
                call->status = 204;
        return rc;
}

static json_t *
render_support(const struct sr_support_grant_row *g, int64_t now)
{
        return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:b}", "id", g->id, "grantee_user_id",
                         g->grantee_id, "granted_by", g->granted_by, "created_at",
                         sr_json_time(g->created_at), "expires_at", sr_json_time(g->expires_at),
                         "revoked_at", g->revoked_at ? sr_json_time(g->revoked_at) : json_null(),
                         "active", g->revoked_at == 0 && g->expires_at > now);
}

enum sr_rc
sr_api_create_support_grant(struct sr_call *call)
{
        static const char *const fields[] = {"grantee_user_id", "expires_at", "reason", NULL};
        const char *grantee, *reason;
        int64_t expires_at = 0;
        enum sr_rc rc = sr_decode_fields(call, fields);
        if (rc != SR_OK)
                return rc;
        sr_decode_string(call, "grantee_user_id", true, 32, 32, &grantee);
        sr_decode_string(call, "reason", true, 1, 500, &reason);
        if (json_object_get(call->body, "expires_at") == NULL)
                sr_decode_error(call, "expires_at", "is required");
        decode_time(call, "expires_at", &expires_at);
        if (grantee != NULL && !sr_id_valid(grantee))
                sr_decode_error(call, "grantee_user_id", "must be a user id");
        rc = sr_decode_done(call);
        struct sr_support_grant_row g;
        if (rc == SR_OK)
                rc = sr_support_grant_create(call->app, call->client, call->actor, call->account,
                                             grantee, expires_at, reason, &g);
        if (rc == SR_E_VALIDATION)
                sr_decode_error(call, "expires_at",
                                "must be in the future, at most 7 days ahead, for platform staff");
        if (rc != SR_OK)
                return rc;
        call->resp = render_support(&g, sr_clock_now());
        call->status = 201;
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_list_support_grants(struct sr_call *call)
{
        struct sr_support_grant_row *rows = NULL;
        size_t n = 0;
        enum sr_rc rc = sr_support_grant_list(call->app, call->account, &rows, &n);
        if (rc != SR_OK)
                return rc;
        int64_t now = sr_clock_now();
        json_t *items = json_array();
        for (size_t i = 0; items != NULL && i < n; i++)
                json_array_append_new(items, render_support(&rows[i], now));
        sr_support_grant_rows_free(rows, n);
        call->resp = sr_json_page(items, NULL);
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_revoke_support_grant(struct sr_call *call)
{
        const char *id;
        enum sr_rc rc = sr_decode_path_id(call, 1, &id);
        if (rc == SR_OK)
                rc = sr_support_grant_revoke(call->app, call->client, call->actor, call->account,
                                             id);
        if (rc == SR_OK)
                call->status = 204;
        return rc;
}
