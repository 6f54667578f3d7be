/* createUser, listUsers, getUser, updateUser, deleteUser (AUTH-1). */
#include <string.h>

#include "api/decode.h"
#include "api/handlers.h"
#include "api/render.h"
#include "crypto/token.h"
#include "domain/identity/normalize.h"
#include "util/alloc.h"

/* Shape checks shared by create and update; the domain normalises. */
static void
decode_identity(struct sr_call *call, struct sr_user_input *in, bool create)
{
        if (create) {
                sr_decode_string(call, "username", true, 1, 64, &in->username);
                sr_decode_string(call, "email", false, 3, 254, &in->email);
                sr_decode_string(call, "phone", false, 1, 16, &in->phone);
                sr_decode_string(call, "name", false, 1, 200, &in->name);
                in->username_set = in->email_set = in->phone_set = in->name_set = true;
        } else {
                sr_decode_string(call, "username", false, 1, 64, &in->username);
                in->username_set = in->username != NULL;
                sr_decode_string_nullable(call, "email", 3, 254, &in->email, &in->email_set);
                sr_decode_string_nullable(call, "phone", 1, 16, &in->phone, &in->phone_set);
                sr_decode_string_nullable(call, "name", 1, 200, &in->name, &in->name_set);
        }
}

/* Maps a domain validation failure of an identifier onto its field. */
static enum sr_rc
field_errors(struct sr_call *call, const struct sr_user_input *in, enum sr_rc rc)
{
        if (rc != SR_E_VALIDATION)
                return rc;
        char *tmp = NULL;
        if (in->username != NULL && sr_norm_username(in->username, &tmp) != SR_OK)
                sr_decode_error(call, "username", "must match ^[a-z0-9._-]{1,64}$");
        sr_free(tmp);
        tmp = NULL;
        if (in->email != NULL && sr_norm_email(in->email, &tmp) != SR_OK)
                sr_decode_error(call, "email", "must be an e-mail address");
        sr_free(tmp);
        return rc;
}

enum sr_rc
sr_api_create_user(struct sr_call *call)
{
        static const char *const fields[] = {"username", "email", "phone", "name", "password",
                                             NULL};
        struct sr_user_input in = {0};
        enum sr_rc rc = sr_decode_fields(call, fields);
        if (rc != SR_OK)
                return rc;
        decode_identity(call, &in, true);
        sr_decode_secret(call, "password", false, SR_PASSWORD_MAX_BYTES + 1, &in.password,
                         &in.password_len);
        rc = sr_decode_done(call);
        if (rc != SR_OK)
                return rc;
        struct sr_user_view v;
        struct sr_secret *otp = NULL;
        rc = sr_user_create(call->app, call->client, call->actor, call->account, &in, &v, &otp);
        if (rc != SR_OK)
                return field_errors(call, &in, rc);
        call->resp = sr_render_user(&v);
        sr_user_view_fini(&v);
        if (call->resp != NULL && otp != NULL)
                json_object_set_new(call->resp, "one_time_password",
                                    json_stringn((const char *)otp->bytes, otp->len));
        sr_secret_free(otp);
        call->status = 201;
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_list_users(struct sr_call *call)
{
        unsigned limit;
        const char *cursor;
        enum sr_rc rc = sr_decode_id_page(call, &limit, &cursor);
        if (rc != SR_OK)
                return rc;
        struct sr_user_view *views = NULL;
        size_t n = 0;
        char next[SR_ID_LEN + 1];
        rc = sr_user_list(call->app, call->actor, call->account, cursor, limit, &views, &n, next);
        if (rc != SR_OK)
                return rc;
        json_t *items = json_array();
        for (size_t i = 0; items != NULL && i < n; i++)
                json_array_append_new(items, sr_render_user(&views[i]));
        sr_user_views_free(views, n);
        call->resp = sr_json_page(items, sr_json_str_or_null(next[0] ? next : NULL));
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_get_user(struct sr_call *call)
{
        const char *id;
        enum sr_rc rc = sr_decode_path_id(call, 1, &id);
        if (rc != SR_OK)
                return rc;
        struct sr_user_view v;
        rc = sr_user_get(call->app, call->actor, call->account, id, &v);
        if (rc != SR_OK)
                return rc;
        call->resp = sr_render_user(&v);
        sr_user_view_fini(&v);
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_update_user(struct sr_call *call)
{
        static const char *const fields[] = {"username", "email", "phone", "name", NULL};
        const char *id;
        struct sr_user_input in = {0};
        enum sr_rc rc = sr_decode_path_id(call, 1, &id);
        if (rc == SR_OK)
                rc = sr_decode_fields(call, fields);
        if (rc != SR_OK)
                return rc;
        if (json_object_size(call->body) == 0)
                sr_decode_error(call, "", "at least one field is required");
        decode_identity(call, &in, false);
        rc = sr_decode_done(call);
        if (rc != SR_OK)
                return rc;
        struct sr_user_view v;
        rc = sr_user_update(call->app, call->client, call->actor, call->account, id, &in, &v);
        if (rc != SR_OK)
                return field_errors(call, &in, rc);
        call->resp = sr_render_user(&v);
        sr_user_view_fini(&v);
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_delete_user(struct sr_call *call)
{
        const char *id;
        enum sr_rc rc = sr_decode_path_id(call, 1, &id);
        if (rc == SR_OK)
                rc = sr_user_delete(call->app, call->client, call->actor, call->account, id);
        if (rc == SR_OK)
                call->status = 204;
        return rc;
}
