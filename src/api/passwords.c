/* getPasswordPolicy, updatePasswordPolicy (AUTH-2) and importUsers
 * (AUTH-4): decode, one domain call, render. */
#include <stdio.h>
#include <string.h>

#include "api/decode.h"
#include "api/handlers.h"
#include "domain/identity/import.h"
#include "domain/identity/policy.h"
#include "util/alloc.h"

static json_t *
render_policy(const struct sr_password_policy *p)
{
        return json_pack("{s:s, s:i, s:i, s:b, s:b, s:b, s:b, s:s, s:i, s:i, s:b, s:b, s:i}",
                         "preset", sr_password_preset_name(p->preset), "min_length",
                         p->min_length, "min_length_with_second_factor",
                         sr_password_min_length(p, true), "require_upper", p->require_upper,
                         "require_lower", p->require_lower, "require_digit", p->require_digit,
                         "require_symbol", p->require_symbol, "symbols", SR_PASSWORD_SYMBOLS,
                         "history_count", p->history_count, "max_age_days", p->max_age_days,
                         "must_change_initial", p->must_change_initial, "use_blocklist",
                         p->use_blocklist, "min_zxcvbn_score", p->min_zxcvbn_score);
}

enum sr_rc
sr_api_get_password_policy(struct sr_call *call)
{
        struct sr_password_policy p;
        enum sr_rc rc = sr_password_policy_get(call->app, call->account, &p);
        if (rc != SR_OK)
                return rc;
        call->resp = render_policy(&p);
        return call->resp ? SR_OK : SR_E_NOMEM;
}

/* Boolean field: *ret untouched when absent. */
static void
decode_bool(struct sr_call *call, const char *field, bool *ret)
{
        json_t *v = json_object_get(call->body, field);
        if (v == NULL)
                return;
        if (!json_is_boolean(v)) {
                sr_decode_error(call, field, "must be a boolean");
                return;
        }
        *ret = json_is_true(v);
}

static void
decode_int_field(struct sr_call *call, const char *field, int64_t lo, int64_t hi, int *ret)
{
        int64_t v = *ret;
        sr_decode_int(call, field, false, lo, hi, &v);
        *ret = (int)v;
}

/* Either {preset} alone, or individual fields applied to the current
 * profile (which then becomes "custom"). */
static enum sr_rc
decode_policy(struct sr_call *call, struct sr_password_policy *p)
{
        const char *preset = NULL;
        sr_decode_string(call, "preset", false, 1, 16, &preset);
        if (preset != NULL) {
                enum sr_password_preset which;
                if (json_object_size(call->body) != 1)
                        sr_decode_error(call, "preset", "cannot be combined with other fields");
                else if (sr_password_preset_parse(preset, &which) != SR_OK)
                        sr_decode_error(call, "preset", "must be nist, seed-000 or seed-002");
                else
                        sr_password_policy_preset(which, p);
                return sr_decode_done(call);
        }
        if (json_object_size(call->body) == 0)
                sr_decode_error(call, "", "at least one field is required");
        p->preset = SR_PW_PRESET_CUSTOM;
        decode_int_field(call, "min_length", SR_PASSWORD_MIN_LENGTH_LO, SR_PASSWORD_MIN_LENGTH_HI,
                         &p->min_length);
        decode_bool(call, "require_upper", &p->require_upper);
        decode_bool(call, "require_lower", &p->require_lower);
        decode_bool(call, "require_digit", &p->require_digit);
        decode_bool(call, "require_symbol", &p->require_symbol);
        decode_int_field(call, "history_count", 0, SR_PASSWORD_HISTORY_MAX, &p->history_count);
        /* 0 = no expiry, else 1 day to 1 year. */
        decode_int_field(call, "max_age_days", 0, SR_PASSWORD_MAX_AGE_DAYS_MAX, &p->max_age_days);
        decode_bool(call, "use_blocklist", &p->use_blocklist);
        decode_int_field(call, "min_zxcvbn_score", 0, 4, &p->min_zxcvbn_score);
        decode_bool(call, "must_change_initial", &p->must_change_initial);
        if (!p->must_change_initial)
                sr_decode_error(call, "must_change_initial",
                                "a password someone else set must always be changed");
        return sr_decode_done(call);
}

enum sr_rc
sr_api_update_password_policy(struct sr_call *call)
{
        static const char *const fields[] = {
                "preset",         "min_length",       "require_upper",  "require_lower",
                "require_digit",  "require_symbol",   "history_count",  "max_age_days",
                "use_blocklist",  "min_zxcvbn_score", "must_change_initial", NULL};
        struct sr_password_policy p;
        enum sr_rc rc = sr_decode_fields(call, fields);
        if (rc == SR_OK)
                rc = sr_password_policy_get(call->app, call->account, &p);
        if (rc == SR_OK)
                rc = decode_policy(call, &p);
        const char *bad = NULL;
        if (rc == SR_OK)
                rc = sr_password_policy_set(call->app, call->client, call->actor, call->account,
                                            &p, &bad);
        if (rc == SR_E_VALIDATION && bad != NULL)
                sr_decode_error(call, bad, "out of range");
        if (rc != SR_OK)
                return rc;
        call->resp = render_policy(&p);
        return call->resp ? SR_OK : SR_E_NOMEM;
}

/* Decodes users[i] into u, recording errors as "users[i].field". */
static void
decode_import_item(struct sr_call *call, size_t i, json_t *item, struct sr_import_user *u,
                   bool *unknown)
{
        static const char *const fields[] = {"username", "email", "phone", "name",
                                             "password_hash", NULL};
        char prefix[32];
        snprintf(prefix, sizeof(prefix), "users[%zu]", i);
        if (!json_is_object(item)) {
                sr_decode_error(call, prefix, "must be an object");
                return;
        }
        json_t *outer = call->body;
        size_t before = call->n_errors;
        call->body = item;
        if (sr_decode_fields(call, fields) != SR_OK)
                *unknown = true;
        sr_decode_string(call, "username", true, 1, 64, &u->username);
        sr_decode_string(call, "email", false, 3, 254, &u->email);
        sr_decode_string(call, "phone", false, 1, 16, &u->phone);
        sr_decode_string(call, "name", false, 1, 200, &u->name);
        sr_decode_string(call, "password_hash", true, 1, 200, &u->password_hash);
        call->body = outer;
        bool shape_ok = call->n_errors == before;
        for (size_t k = before; k < call->n_errors; k++) {
                char f[sizeof(prefix) + sizeof(call->errors[k].field) + 1];
                snprintf(f, sizeof(f), "%s.%s", prefix, call->errors[k].field);
                memcpy(call->errors[k].field, f, sizeof(call->errors[k].field) - 1);
                call->errors[k].field[sizeof(call->errors[k].field) - 1] = '\0';
        }
        const char *field = NULL, *reason = NULL;
        if (shape_ok && !*unknown && sr_user_import_check(u, &field, &reason) != SR_OK) {
                char f[64];
                snprintf(f, sizeof(f), "%s.%s", prefix, field ? field : "");
                sr_decode_error(call, f, reason ? reason : "invalid");
        }
}

static json_t *
render_import(size_t imported, const struct sr_import_failure *failed, size_t n_failed)
{
        json_t *arr = json_array();
        for (size_t i = 0; arr != NULL && i < n_failed; i++)
                json_array_append_new(arr, json_pack("{s:I, s:s}", "index",
                                                     (json_int_t)failed[i].index, "reason",
                                                     failed[i].reason));
        if (arr == NULL)
                return NULL;
        return json_pack("{s:I, s:o}", "imported", (json_int_t)imported, "failed", arr);
}

enum sr_rc
sr_api_import_users(struct sr_call *call)
{
        static const char *const fields[] = {"users", NULL};
        enum sr_rc rc = sr_decode_fields(call, fields);
        if (rc != SR_OK)
                return rc;
        json_t *list = json_object_get(call->body, "users");
        size_t n = json_is_array(list) ? json_array_size(list) : 0;
        if (list == NULL)
                sr_decode_error(call, "users", "is required");
        else if (!json_is_array(list))
                sr_decode_error(call, "users", "must be an array");
        else if (n == 0 || n > SR_IMPORT_MAX_USERS)
                sr_decode_error(call, "users", "must hold 1 to 1000 entries");
        rc = sr_decode_done(call);
        if (rc != SR_OK)
                return rc;
        struct sr_import_user *users = sr_calloc(n, sizeof(*users));
        struct sr_import_failure *failed = sr_calloc(n, sizeof(*failed));
        bool unknown = false;
        rc = users && failed ? SR_OK : SR_E_NOMEM;
        for (size_t i = 0; rc == SR_OK && i < n; i++)
                decode_import_item(call, i, json_array_get(list, i), &users[i], &unknown);
        if (rc == SR_OK && unknown) {
                call->n_errors = 0; /* a 400 names no fields */
                rc = SR_E_UNKNOWN_FIELD;
        }
        if (rc == SR_OK)
                rc = sr_decode_done(call);
        size_t imported = 0, n_failed = 0;
        /* AUTH-4: all entries are valid, or nothing is written. */
        if (rc == SR_OK)
                rc = sr_user_import(call->app, call->client, call->actor, call->account, users,
                                    n, &imported, failed, &n_failed);
        if (rc == SR_OK) {
                call->resp = render_import(imported, failed, n_failed);
                rc = call->resp ? SR_OK : SR_E_NOMEM;
        }
        sr_free(users);
        sr_free(failed);
        return rc;
}
