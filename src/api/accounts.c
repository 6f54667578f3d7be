/* createAccount and getAccount (AUTH-10, DATA-7). */
#include <string.h>

#include "api/decode.h"
#include "api/handlers.h"
#include "domain/account/account.h"
#include "domain/identity/normalize.h"

static bool
valid_slug(const char *s)
{
        size_t n = strlen(s);
        if (n < 3 || n > 63 || s[0] == '-')
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
                        return false;
        return true;
}

static bool
valid_country(const char *s)
{
        return strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

enum sr_rc
sr_api_create_account(struct sr_call *call)
{
        static const char *const fields[] = {"company", "name",   "email",    "phone",
                                             "country", "region", "password", "slug", NULL};
        struct sr_signup in = {0};
        const char *region = NULL;
        enum sr_rc rc = sr_decode_fields(call, fields);
        if (rc != SR_OK)
                return rc;
        sr_decode_string(call, "company", true, 1, 200, &in.company);
        sr_decode_string(call, "name", false, 1, 200, &in.name);
        sr_decode_string(call, "email", true, 3, 254, &in.email);
        sr_decode_string(call, "phone", false, 1, 16, &in.phone);
        sr_decode_string(call, "country", true, 2, 2, &in.country);
        sr_decode_string(call, "region", true, 2, 2, &region);
        sr_decode_secret(call, "password", true, SR_PASSWORD_MAX_BYTES + 1, &in.password,
                         &in.password_len);
        sr_decode_string(call, "slug", false, 3, 63, &in.slug);
        if (in.country != NULL && !valid_country(in.country))
                sr_decode_error(call, "country", "must be an ISO 3166-1 alpha-2 code");
        if (region != NULL && sr_region_parse(region, &in.region) != SR_OK)
                sr_decode_error(call, "region", "must be one of US EU AU SG JP IN");
        if (in.slug != NULL && !valid_slug(in.slug))
                sr_decode_error(call, "slug", "must match ^[a-z0-9][a-z0-9-]{2,62}$");
        rc = sr_decode_done(call);
        if (rc != SR_OK)
                return rc;
        struct sr_signup_result res;
        rc = sr_account_signup(call->app, call->client, &in, &res);
        if (rc == SR_E_VALIDATION) {
                sr_decode_error(call, "email", "must be an e-mail address");
                return rc;
        }
        if (rc != SR_OK)
                return rc;
        call->resp = json_pack("{s:s, s:s, s:s, s:s}", "account_id", res.account_id, "slug",
                               res.slug, "user_id", res.user_id, "region",
                               sr_region_name(res.region));
        call->status = 201;
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_get_account(struct sr_call *call)
{
        struct sr_account_view v;
        enum sr_rc rc = sr_account_get(call->app, call->actor, call->account, &v);
        if (rc != SR_OK)
                return rc;
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s?}", "id", v.id, "slug", v.slug,
                              "region", sr_region_name(v.region), "country", v.country, "state",
                              v.state, "created_at", sr_json_time(v.created_at), "company",
                              v.company);
        if (o != NULL && v.personal_data_withheld) {
                json_object_set_new(o, "personal_data_withheld", json_true());
        } else if (o != NULL) {
                json_object_set_new(o, "signup",
                                    json_pack("{s:s, s:o, s:o, s:o}", "client_ip_prefix",
                                              v.signup_ip_prefix, "client_ip",
                                              sr_json_str_or_null(v.signup_ip), "browser",
                                              sr_json_str_or_null(v.signup_browser), "os",
                                              sr_json_str_or_null(v.signup_os)));
        }
        sr_account_view_fini(&v);
        call->resp = o;
        return o ? SR_OK : SR_E_NOMEM;
}
