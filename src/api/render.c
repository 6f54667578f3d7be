/* Shared renderings. Personal data fields are left out, not nulled, when
 * withheld, and personal_data_withheld says so (CONTRACTS.md). */
#include "api/render.h"

#include "api/decode.h"

json_t *
sr_render_user(const struct sr_user_view *v)
{
        json_t *roles = json_array();
        for (size_t i = 0; roles != NULL && i < v->n_roles; i++) {
                const char *ch = v->roles[i].channel_id;
                json_array_append_new(roles, json_pack("{s:s, s:o}", "role",
                                                       sr_role_name(v->roles[i].role),
                                                       "channel_id",
                                                       sr_json_str_or_null(ch[0] ? ch : NULL)));
        }
        json_t *o = json_pack("{s:s, s:s, s:s?, s:o, s:s, s:b, s:o, s:o}", "id", v->id,
                              "account_id", v->account_id, "username", v->username, "roles",
                              roles ? roles : json_array(), "state", v->state,
                              "password_change_required", v->pw_must_change, "created_at",
                              sr_json_time(v->created_at), "updated_at",
                              sr_json_time(v->updated_at));
        if (o == NULL)
                return NULL;
        if (v->personal_data_withheld) {
                json_object_set_new(o, "personal_data_withheld", json_true());
        } else {
                json_object_set_new(o, "email", sr_json_str_or_null(v->email));
                json_object_set_new(o, "phone", sr_json_str_or_null(v->phone));
                json_object_set_new(o, "name", sr_json_str_or_null(v->name));
        }
        return o;
}

json_t *
sr_render_issued(const struct sr_session_issued *s)
{
        /* AUTH-8: a pending second factor answers a challenge, no token. */
        if (s->second_factor_required)
                return json_pack("{s:n, s:n, s:s, s:n, s:n, s:b, s:b, s:s%, s:o}", "session_id",
                                 "token", "token_type", "Bearer", "expires_at", "idle_expires_at",
                                 "password_change_required", s->pw_change_required,
                                 "second_factor_required", 1, "challenge",
                                 (const char *)s->challenge->bytes, s->challenge->len,
                                 "challenge_expires_at", sr_json_time(s->challenge_expires_at));
        json_t *o = json_pack("{s:s, s:s%, s:s, s:o, s:o, s:b, s:b}", "session_id", s->session_id,
                         "token", (const char *)s->token->bytes, s->token->len, "token_type",
                         "Bearer", "expires_at", sr_json_time(s->expires_at), "idle_expires_at",
                         sr_json_time(s->idle_expires_at), "password_change_required",
                         s->pw_change_required, "second_factor_required", 0);
        if (o != NULL && s->second_factor_setup_required)
                json_object_set_new(o, "second_factor_enrolment_required", json_true());
        return o;
}
