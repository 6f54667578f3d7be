/* getAccountSettings and updateAccountSettings (AUTH-3, AUTH-7, AUTH-8). */
#include "api/decode.h"
#include "api/handlers.h"
#include "domain/account/account.h"

static json_t *
render(const struct sr_account_settings *s)
{
        return json_pack("{s:I, s:I, s:I, s:I, s:b}", "idle_timeout_s",
                         (json_int_t)s->idle_timeout_s, "max_lifetime_s",
                         (json_int_t)s->max_lifetime_s, "lockout_threshold",
                         (json_int_t)s->lockout_threshold, "lockout_period_s",
                         (json_int_t)s->lockout_period_s, "require_second_factor",
                         s->require_second_factor != 0);
}

/* Boolean field; *ret (0/1) untouched when absent. */
static void
decode_bool(struct sr_call *call, const char *field, int64_t *ret)
{
        json_t *v = json_object_get(call->body, field);
        if (v == NULL)
                return;
        if (!json_is_boolean(v)) {
                sr_decode_error(call, field, "must be a boolean");
                return;
        }
        *ret = json_is_true(v) ? 1 : 0;
}

enum sr_rc
sr_api_get_account_settings(struct sr_call *call)
{
        struct sr_account_settings s;
        enum sr_rc rc = sr_account_settings_get(call->app, call->account, &s);
        if (rc != SR_OK)
                return rc;
        call->resp = render(&s);
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_update_account_settings(struct sr_call *call)
{
        static const char *const fields[] = {"idle_timeout_s", "max_lifetime_s",
                                             "lockout_threshold", "lockout_period_s",
                                             "require_second_factor", NULL};
        struct sr_account_settings in = {-1, -1, -1, -1, -1}, out;
        enum sr_rc rc = sr_decode_fields(call, fields);
        if (rc != SR_OK)
                return rc;
        if (json_object_size(call->body) == 0)
                sr_decode_error(call, "", "at least one field is required");
        sr_decode_int(call, "idle_timeout_s", false, 60, 86400, &in.idle_timeout_s);
        sr_decode_int(call, "max_lifetime_s", false, 300, 2592000, &in.max_lifetime_s);
        sr_decode_int(call, "lockout_threshold", false, 1, 20, &in.lockout_threshold);
        sr_decode_int(call, "lockout_period_s", false, 60, 86400, &in.lockout_period_s);
        decode_bool(call, "require_second_factor", &in.require_second_factor);
        rc = sr_decode_done(call);
        if (rc != SR_OK)
                return rc;
        rc = sr_account_settings_update(call->app, call->client, call->actor, call->account, &in,
                                        &out);
        if (rc == SR_E_VALIDATION)
                sr_decode_error(call, "idle_timeout_s", "must not exceed max_lifetime_s");
        if (rc != SR_OK)
                return rc;
        call->resp = render(&out);
        return call->resp ? SR_OK : SR_E_NOMEM;
}
