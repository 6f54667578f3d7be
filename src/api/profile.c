/* updateMe, verifyEmail (AUTH-9) and listMyActivity (AUTH-5): decode,
 * one domain call, render. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/decode.h"
#include "api/handlers.h"
#include "api/render.h"
#include "domain/identity/normalize.h"
#include "domain/identity/profile.h"
#include "util/alloc.h"

enum sr_rc
sr_api_update_me(struct sr_call *call)
{
        static const char *const fields[] = {"name", "email", "phone", "current_password", NULL};
        struct sr_me_update in = {0};
        enum sr_rc rc = sr_decode_fields(call, fields);
        if (rc != SR_OK)
                return rc;
        sr_decode_string_nullable(call, "name", 1, 200, &in.name, &in.name_set);
        sr_decode_string_nullable(call, "email", 3, 254, &in.email, &in.email_set);
        sr_decode_string_nullable(call, "phone", 1, 16, &in.phone, &in.phone_set);
        sr_decode_secret(call, "current_password", false, SR_PASSWORD_MAX_BYTES,
                         &in.current_password, &in.current_password_len);
        if (!in.name_set && !in.email_set && !in.phone_set)
                sr_decode_error(call, "", "at least one of name, email, phone is required");
        rc = sr_decode_done(call);
        if (rc != SR_OK)
                return rc;
        struct sr_user_view v;
        bool pending = false;
        rc = sr_me_update(call->app, call->client, call->actor, call->session, &in, &v, &pending);
        if (rc == SR_E_VALIDATION)
                sr_decode_error(call, "email", "must be an e-mail address");
        if (rc != SR_OK)
                return rc;
        call->resp = sr_render_user(&v);
        sr_user_view_fini(&v);
        if (call->resp != NULL)
                json_object_set_new(call->resp, "email_verification_pending", json_boolean(pending));
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_verify_email(struct sr_call *call)
{
        static const char *const fields[] = {"token", NULL};
        const char *token;
        size_t token_len;
        enum sr_rc rc = sr_decode_fields(call, fields);
        if (rc != SR_OK)
                return rc;
        sr_decode_secret(call, "token", true, SR_EMAIL_TOKEN_MAX_BYTES, &token, &token_len);
        rc = sr_decode_done(call);
        if (rc != SR_OK)
                return rc;
        rc = sr_me_verify_email(call->app, call->client, token, token_len);
        if (rc != SR_OK)
                return rc;
        call->resp = json_pack("{s:b}", "verified", 1);
        return call->resp ? SR_OK : SR_E_NOMEM;
}

/* What the user sees of an event: no other person's address prefix. */
static json_t *
render_activity(const struct sr_audit_row *e, const char *user_id)
{
        bool self = strcmp(e->actor_id, user_id) == 0;
        json_t *o = json_pack("{s:s, s:o, s:s, s:s, s:s, s:b, s:o}", "id", e->id, "time",
                              sr_json_time(e->time), "action", e->action, "outcome", e->outcome,
                              "actor_type", e->actor_type, "by_self", self, "client_ip_prefix",
                              sr_json_str_or_null(self && e->client_ip_prefix[0]
                                                          ? e->client_ip_prefix
                                                          : NULL));
        return o;
}

enum sr_rc
sr_api_list_my_activity(struct sr_call *call)
{
        unsigned limit;
        int64_t before = 0;
        enum sr_rc rc = sr_decode_seq_page(call, &limit, &before);
        if (rc != SR_OK)
                return rc;
        struct sr_audit_row *rows = NULL;
        size_t n = 0;
        rc = sr_me_activity(call->app, call->actor, before, limit, &rows, &n);
        if (rc != SR_OK)
                return rc;
        json_t *items = json_array();
        for (size_t i = 0; items != NULL && i < n; i++)
                json_array_append_new(items, render_activity(&rows[i], call->actor->user_id));
        json_t *next = sr_json_seq_cursor(n, limit, n > 0 ? rows[n - 1].seq : 0);
        sr_free(rows);
        call->resp = sr_json_page(items, next);
        return call->resp ? SR_OK : SR_E_NOMEM;
}

/* tools/embed.py output of web/verify-email.html and web/verify-email.js. */
extern const char sr_web_verify_email_html[];
extern const char sr_web_verify_email_js[];

enum sr_rc
sr_api_get_verify_email_page(struct sr_call *call)
{
        call->text_body = sr_web_verify_email_html;
        call->text_type = "text/html; charset=utf-8";
        return SR_OK;
}

enum sr_rc
sr_api_get_verify_email_script(struct sr_call *call)
{
        call->text_body = sr_web_verify_email_js;
        call->text_type = "text/javascript; charset=utf-8";
        return SR_OK;
}
