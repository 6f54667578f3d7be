/* JSON request decoding with collected validation errors (CONTRACTS.md
 * "Validation"). jansson has already rejected invalid UTF-8 and bad
 * syntax; here we check shape, types, lengths and ranges. */
#include "api/decode.h"

#include "crypto/token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/identity/normalize.h"
#include "util/clock.h"

enum sr_rc
sr_decode_fields(struct sr_call *call, const char *const allowed[])
{
        if (call->body == NULL)
                return SR_OK;
        const char *key;
        json_t *val;
        json_object_foreach(call->body, key, val) {
                bool ok = false;
                for (const char *const *a = allowed; *a != NULL; a++)
                        if (strcmp(*a, key) == 0)
                                ok = true;
                if (!ok)
                        return SR_E_UNKNOWN_FIELD;
        }
        return SR_OK;
}

void
sr_decode_error(struct sr_call *call, const char *field, const char *reason)
{
        if (call->n_errors >= SR_CALL_MAX_ERRORS)
                return;
        struct sr_field_error *e = &call->errors[call->n_errors++];
        snprintf(e->field, sizeof(e->field), "%s", field);
        snprintf(e->reason, sizeof(e->reason), "%s", reason);
}

bool
sr_has_control(const char *s)
{
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        return true;
        return false;
}

static void
check_string(struct sr_call *call, const char *field, json_t *v, size_t min, size_t max,
             const char **ret)
{
        if (!json_is_string(v)) {
                sr_decode_error(call, field, "must be a string");
                return;
        }
        const char *s = json_string_value(v);
        size_t bytes = json_string_length(v);
        if (strlen(s) != bytes || sr_has_control(s)) {
                sr_decode_error(call, field, "must not contain control characters");
                return;
        }
        size_t n = sr_norm_codepoints((const unsigned char *)s, bytes);
        if (n < min) {
                sr_decode_error(call, field, min <= 1 ? "must not be empty" : "too short");
                return;
        }
        if (n > max || bytes > 4 * max) {
                sr_decode_error(call, field, "too long");
                return;
        }
        *ret = s;
}

void
sr_decode_string(struct sr_call *call, const char *field, bool required, size_t min, size_t max,
                 const char **ret)
{
        *ret = NULL;
        json_t *v = call->body ? json_object_get(call->body, field) : NULL;
        if (v == NULL) {
                if (required)
                        sr_decode_error(call, field, "is required");
                return;
        }
        check_string(call, field, v, min, max, ret);
}

void
sr_decode_string_nullable(struct sr_call *call, const char *field, size_t min, size_t max,
                          const char **ret, bool *ret_present)
{
        *ret = NULL;
        *ret_present = false;
        json_t *v = call->body ? json_object_get(call->body, field) : NULL;
        if (v == NULL)
                return;
        *ret_present = true;
        if (json_is_null(v))
                return;
        check_string(call, field, v, min, max, ret);
}

void
sr_decode_secret(struct sr_call *call, const char *field, bool required, size_t max_bytes,
                 const char **ret, size_t *ret_len)
{
        *ret = NULL;
        *ret_len = 0;
        json_t *v = call->body ? json_object_get(call->body, field) : NULL;
        if (v == NULL) {
                if (required)
                        sr_decode_error(call, field, "is required");
                return;
        }
        if (!json_is_string(v)) {
                sr_decode_error(call, field, "must be a string");
                return;
        }
        size_t n = json_string_length(v);
        if (n == 0) {
                sr_decode_error(call, field, "must not be empty");
                return;
        }
        if (n > max_bytes) {
                sr_decode_error(call, field, "too long");
                return;
        }
        if (strlen(json_string_value(v)) != n) {
                sr_decode_error(call, field, "must not contain NUL");
                return;
        }
        *ret = json_string_value(v);
        *ret_len = n;
}

void
sr_decode_int(struct sr_call *call, const char *field, bool required, int64_t lo, int64_t hi,
              int64_t *ret)
{
        json_t *v = call->body ? json_object_get(call->body, field) : NULL;
        if (v == NULL) {
                if (required)
                        sr_decode_error(call, field, "is required");
                return;
        }
        if (!json_is_integer(v)) {
                sr_decode_error(call, field, "must be an integer");
                return;
        }
        json_int_t n = json_integer_value(v);
        if (n < lo || n > hi) {
                sr_decode_error(call, field, "out of range");
                return;
        }
        *ret = (int64_t)n;
}

enum sr_rc
sr_decode_done(struct sr_call *call)
{
        return call->n_errors > 0 ? SR_E_VALIDATION : SR_OK;
}

enum sr_rc
sr_decode_page(struct sr_call *call, unsigned *ret_limit, const char **ret_cursor)
{
        const char *limit = call->query(call->query_ctx, "limit");
        const char *cursor = call->query(call->query_ctx, "cursor");
        unsigned n = 50;
        if (limit != NULL) {
                char *end = NULL;
                long v = strtol(limit, &end, 10);
                if (end == limit || *end != '\0' || v < 1 || v > 200)
                        return SR_E_INVALID_REQUEST;
                n = (unsigned)v;
        }
        if (cursor != NULL && strlen(cursor) > 256)
                return SR_E_INVALID_REQUEST;
        *ret_limit = n;
        *ret_cursor = cursor ? cursor : "";
        return SR_OK;
}

json_t *
sr_json_time(int64_t t)
{
        char buf[32];
        sr_clock_format(t, buf, sizeof(buf));
        return json_string(buf);
}

json_t *
sr_json_str_or_null(const char *s)
{
        return s ? json_string(s) : json_null();
}

enum sr_rc
sr_decode_path_id(const struct sr_call *call, size_t i, const char **ret)
{
        const char *id = i < SR_CALL_MAX_PARAMS ? call->params[i] : NULL;
        if (id == NULL || !sr_id_valid(id))
                return SR_E_NOT_FOUND;
        *ret = id;
        return SR_OK;
}

enum sr_rc
sr_decode_id_page(struct sr_call *call, unsigned *ret_limit, const char **ret_cursor)
{
        unsigned limit;
        const char *cursor;
        enum sr_rc rc = sr_decode_page(call, &limit, &cursor);
        if (rc != SR_OK)
                return rc;
        if (cursor[0] != '\0' && !sr_id_valid(cursor))
                return SR_E_INVALID_REQUEST;
        *ret_limit = limit;
        *ret_cursor = cursor;
        return SR_OK;
}

enum sr_rc
sr_decode_seq_page(struct sr_call *call, unsigned *ret_limit, int64_t *ret_before)
{
        unsigned limit;
        const char *cursor;
        enum sr_rc rc = sr_decode_page(call, &limit, &cursor);
        if (rc != SR_OK)
                return rc;
        int64_t before = 0;
        if (cursor[0] != '\0') {
                char *end = NULL;
                before = strtoll(cursor, &end, 10);
                if (end == cursor || *end != '\0' || before < 1)
                        return SR_E_INVALID_REQUEST;
        }
        *ret_limit = limit;
        *ret_before = before;
        return SR_OK;
}

json_t *
sr_json_page(json_t *items, json_t *next)
{
        return json_pack("{s:o, s:o}", "items", items ? items : json_array(), "next_cursor",
                         next ? next : json_null());
}

json_t *
sr_json_seq_cursor(size_t n, unsigned limit, int64_t last_seq)
{
        if (n != limit || n == 0 || last_seq <= 1)
                return json_null();
        char buf[24];
        snprintf(buf, sizeof(buf), "%lld", (long long)last_seq);
        return json_string(buf);
}
