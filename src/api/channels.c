/* createChannel, listChannels, getChannel, updateChannel, deleteChannel,
 * grantRole, revokeRole, listRoleGrants (ACC-1, ACC-2, ACC-3). */
#include <stdio.h>
#include <string.h>

#include "api/decode.h"
#include "api/handlers.h"
#include "crypto/token.h"
#include "domain/access/access.h"
#include "util/alloc.h"

static json_t *
render_channel(const struct sr_channel_row *c)
{
        return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "id", c->id, "account_id",
                         c->account_id, "name", c->name, "description", c->description,
                         "created_at", sr_json_time(c->created_at), "updated_at",
                         sr_json_time(c->updated_at));
}

static enum sr_rc
decode_channel(struct sr_call *call, struct sr_channel_input *in, bool create)
{
        static const char *const fields[] = {"name", "description", NULL};
        enum sr_rc rc = sr_decode_fields(call, fields);
        if (rc != SR_OK)
                return rc;
        if (!create && json_object_size(call->body) == 0)
                sr_decode_error(call, "", "at least one field is required");
        sr_decode_string(call, "name", create, 1, 200, &in->name);
        sr_decode_string_nullable(call, "description", 0, 1000, &in->description,
                                  &in->description_set);
        return sr_decode_done(call);
}

enum sr_rc
sr_api_create_channel(struct sr_call *call)
{
        struct sr_channel_input in = {0};
        enum sr_rc rc = decode_channel(call, &in, true);
        if (rc != SR_OK)
                return rc;
        struct sr_channel_row c;
        rc = sr_channel_create(call->app, call->client, call->actor, call->account, &in, &c);
        if (rc != SR_OK)
                return rc;
        call->resp = render_channel(&c);
        call->status = 201;
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_list_channels(struct sr_call *call)
{
        unsigned limit;
        const char *cursor;
        enum sr_rc rc = sr_decode_id_page(call, &limit, &cursor);
        if (rc != SR_OK)
                return rc;
        struct sr_channel_row *rows = NULL;
        size_t n = 0;
        char next[SR_ID_LEN + 1];
        rc = sr_channel_list(call->app, call->actor, call->account, cursor, limit, &rows, &n,
                             next);
        if (rc != SR_OK)
                return rc;
        json_t *items = json_array();
        for (size_t i = 0; items != NULL && i < n; i++)
                json_array_append_new(items, render_channel(&rows[i]));
        sr_free(rows);
        call->resp = sr_json_page(items, sr_json_str_or_null(next[0] ? next : NULL));
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_get_channel(struct sr_call *call)
{
        const char *id;
        enum sr_rc rc = sr_decode_path_id(call, 1, &id);
        struct sr_channel_row c;
        if (rc == SR_OK)
                rc = sr_channel_get(call->app, call->actor, call->account, id, &c);
        if (rc != SR_OK)
                return rc;
        call->resp = render_channel(&c);
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_update_channel(struct sr_call *call)
{
        const char *id;
        struct sr_channel_input in = {0};
        enum sr_rc rc = sr_decode_path_id(call, 1, &id);
        if (rc == SR_OK)
                rc = decode_channel(call, &in, false);
        struct sr_channel_row c;
        if (rc == SR_OK)
                rc = sr_channel_update(call->app, call->client, call->actor, call->account, id,
                                       &in, &c);
        if (rc != SR_OK)
                return rc;
        call->resp = render_channel(&c);
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_delete_channel(struct sr_call *call)
{
        const char *id;
        enum sr_rc rc = sr_decode_path_id(call, 1, &id);
        if (rc == SR_OK)
                rc = sr_channel_delete(call->app, call->client, call->actor, call->account, id);
        if (rc == SR_OK)
                call->status = 204;
        return rc;
}

static json_t *
render_grant(const struct sr_grant_row *g)
{
        return json_pack("{s:s, s:s, s:s, s:o, s:s, s:o}", "id", g->id, "user_id", g->user_id,
                         "role", g->role, "channel_id",
                         sr_json_str_or_null(g->channel_id[0] ? g->channel_id : NULL),
                         "granted_by", g->granted_by, "created_at", sr_json_time(g->created_at));
}

enum sr_rc
sr_api_grant_role(struct sr_call *call)
{
        static const char *const fields[] = {"user_id", "role", "channel_id", NULL};
        const char *user_id, *role_name, *channel_id;
        bool channel_set;
        enum sr_role role = SR_ROLE__COUNT;
        enum sr_rc rc = sr_decode_fields(call, fields);
        if (rc != SR_OK)
                return rc;
        sr_decode_string(call, "user_id", true, 32, 32, &user_id);
        sr_decode_string(call, "role", true, 1, 32, &role_name);
        sr_decode_string_nullable(call, "channel_id", 32, 32, &channel_id, &channel_set);
        if (user_id != NULL && !sr_id_valid(user_id))
                sr_decode_error(call, "user_id", "must be a user id");
        if (channel_id != NULL && !sr_id_valid(channel_id))
                sr_decode_error(call, "channel_id", "must be a channel id");
        if (role_name != NULL && sr_role_parse(role_name, &role) != SR_OK)
                sr_decode_error(call, "role", "unknown role");
        if (role != SR_ROLE__COUNT && sr_role_is_channel(role) != (channel_id != NULL))
                sr_decode_error(call, "channel_id",
                                "channel roles need channel_id; other roles must not have one");
        rc = sr_decode_done(call);
        if (rc != SR_OK)
                return rc;
        struct sr_grant_row g;
        rc = sr_grant_create(call->app, call->client, call->actor, call->account, user_id, role,
                             channel_id, &g);
        if (rc != SR_OK)
                return rc;
        call->resp = render_grant(&g);
        call->status = 201;
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_revoke_role(struct sr_call *call)
{
        const char *id;
        enum sr_rc rc = sr_decode_path_id(call, 1, &id);
        if (rc == SR_OK)
                rc = sr_grant_revoke(call->app, call->client, call->actor, call->account, id);
        if (rc == SR_OK)
                call->status = 204;
        return rc;
}

enum sr_rc
sr_api_list_role_grants(struct sr_call *call)
{
        unsigned limit;
        const char *cursor;
        enum sr_rc rc = sr_decode_id_page(call, &limit, &cursor);
        const char *user_id = call->query(call->query_ctx, "user_id");
        const char *channel_id = call->query(call->query_ctx, "channel_id");
        if (rc == SR_OK && ((user_id && !sr_id_valid(user_id)) ||
                            (channel_id && !sr_id_valid(channel_id))))
                rc = SR_E_INVALID_REQUEST;
        if (rc != SR_OK)
                return rc;
        struct sr_grant_row *rows = NULL;
        size_t n = 0;
        char next[SR_ID_LEN + 1];
        rc = sr_grant_list(call->app, call->actor, call->account, user_id, channel_id, cursor,
                           limit, &rows, &n, next);
        if (rc != SR_OK)
                return rc;
        json_t *items = json_array();
        for (size_t i = 0; items != NULL && i < n; i++)
                json_array_append_new(items, render_grant(&rows[i]));
        sr_free(rows);
        call->resp = sr_json_page(items, sr_json_str_or_null(next[0] ? next : NULL));
        return call->resp ? SR_OK : SR_E_NOMEM;
}
