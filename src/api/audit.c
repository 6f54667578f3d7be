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
        int64_t before = 0;
        enum sr_rc rc = sr_decode_seq_page(call, &limit, &before);
        if (rc != SR_OK)
                return rc;
        struct sr_audit_row *rows = NULL;
        size_t n = 0;
        rc = sr_audit_list(call->app->st, call->account->region, call->account->id, before, limit,
                           &rows, &n);
        if (rc != SR_OK)
                return rc;
        json_t *items = json_array();
        for (size_t i = 0; items != NULL && i < n; i++)
                json_array_append_new(items, render_event(&rows[i]));
        json_t *next = sr_json_seq_cursor(n, limit, n > 0 ? rows[n - 1].seq : 0);
        sr_free(rows);
        call->resp = sr_json_page(items, next);
        return call->resp ? SR_OK : SR_E_NOMEM;
}
