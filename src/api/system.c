/* getHealth, getMetrics, getOpenApi and the web page (OPS-2). */
#include "api/handlers.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/metrics.h"

extern const char sr_openapi_doc[];
extern const size_t sr_openapi_doc_len;
extern const char sr_web_index[];
extern const size_t sr_web_index_len;

enum sr_rc
sr_api_get_health(struct sr_call *call)
{
        call->resp = json_pack("{s:s}", "status", "ok");
        if (call->resp != NULL && sr_clock_is_test())
                json_object_set_new(call->resp, "test_clock", json_true());
        return call->resp ? SR_OK : SR_E_NOMEM;
}

enum sr_rc
sr_api_get_metrics(struct sr_call *call)
{
        struct sr_buf b;
        sr_buf_init(&b, 64 * 1024);
        enum sr_rc rc = sr_metrics_render(&b);
        if (rc == SR_OK)
                rc = sr_buf_printf(&b,
                                   "# TYPE strongroom_sessions_cached gauge\n"
                                   "strongroom_sessions_cached %zu\n",
                                   sr_session_count(call->app));
        if (rc != SR_OK) {
                sr_buf_fini(&b);
                return rc;
        }
        call->text_owned = sr_buf_take(&b);
        call->text_body = call->text_owned;
        call->text_type = "text/plain; version=0.0.4; charset=utf-8";
        return SR_OK;
}

enum sr_rc
sr_api_get_openapi(struct sr_call *call)
{
        call->text_body = sr_openapi_doc;
        call->text_type = "application/json";
        return SR_OK;
}

enum sr_rc
sr_api_get_web_app(struct sr_call *call)
{
        call->text_body = sr_web_index;
        call->text_type = "text/html; charset=utf-8";
        return SR_OK;
}
