/* listAuditEvents (OPS-1): an account's events, newest first, to its
 * managers. Events hold ids and prefixes only, never personal data. */
#include <stdio.h>
#include <stdlib.h>

#include "api/decode.h"
#include "api/handlers.h"
#include "util/alloc.h"

static json_t *
render_event(const struct sr_audit_row *e)
{
        return json_pack("{s:s, s:I, s:o, s:o, s:s, s:s, s:o, s:o, s:s, s:o, s:o}", "id", e->id,
                         "seq", (json_int_t)e->seq, "time", sr_json_time(e->time), "actor_id",
                         sr_json_str_or_null(e->actor_id[0] ? e->actor_id : NULL), "actor_type",
                         e->actor_type, "action", e->action, "target_type",
                         sr_json_str_or_null(e->target_type[0] ? e->target_type : NULL),
                         "target_id", sr_json_str_or_null(e->target_id[0] ? e->target_id : NULL),
                         "outcome", e->outcome, "client_ip_prefix",
                         sr_json_str_or_null(e->client_ip_prefix[0] ? e->client_ip_prefix : NULL),
                         "request_id",
                         sr_json_str_or_null(e->request_id[0] ? e->request_id : NULL));
}

enum sr_rc
sr_api_list_audit_events(struct sr_call *call)
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
        struct sr_audit_row *rows = NULL;
        size_t n = 0;
        rc = sr_audit_list(call->app->st, call->account->region, call->account->id, before, limit,
                           &rows, &n);
        if (rc != SR_OK)
                return rc;
        json_t *items = json_array();
        for (size_t i = 0; items != NULL && i < n; i++)
                json_array_append_new(items, render_event(&rows[i]));
        json_t *next = json_null();
        if (n == limit && n > 0 && rows[n - 1].seq > 1) {
                char buf[24];
                snprintf(buf, sizeof(buf), "%lld", (long long)rows[n - 1].seq);
                next = json_string(buf);
        }
        sr_free(rows);
        call->resp = json_pack("{s:o, s:o}", "items", items ? items : json_array(), "next_cursor",
                               next);
        return call->resp ? SR_OK : SR_E_NOMEM;
}
