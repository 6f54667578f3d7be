/* Request counters by status class and a coarse latency histogram. */
#include "util/metrics.h"

#include <stdatomic.h>
#include <time.h>

static atomic_ullong by_class[6];
static atomic_ullong busy_total;
static atomic_ullong mail_by_outcome[SR_METRICS_MAIL_DROPPED + 1];
static const char *const mail_outcome_names[] = {"sent", "retry", "gave_up", "dropped"};
static const uint64_t bounds_ms[] = {1, 5, 25, 100, 500, 2500};
#define NBOUNDS (sizeof(bounds_ms) / sizeof(bounds_ms[0]))
static atomic_ullong latency_le[NBOUNDS + 1];
static atomic_ullong latency_sum_ms;
static time_t started;

void
sr_metrics_request(int status, uint64_t latency_ms)
{
        if (started == 0)
                started = time(NULL);
        int c = status / 100;
        atomic_fetch_add(&by_class[c >= 1 && c <= 5 ? c : 0], 1);
        size_t i = 0;
        while (i < NBOUNDS && latency_ms > bounds_ms[i])
                i++;
        atomic_fetch_add(&latency_le[i], 1);
        atomic_fetch_add(&latency_sum_ms, latency_ms);
}

uint64_t
sr_metrics_requests_total(void)
{
        uint64_t n = 0;
        for (int c = 0; c < 6; c++)
                n += atomic_load(&by_class[c]);
        return n;
}

void
sr_metrics_busy(void)
{
        atomic_fetch_add(&busy_total, 1);
}

void
sr_metrics_mail(enum sr_metrics_mail outcome)
{
        if ((unsigned)outcome <= SR_METRICS_MAIL_DROPPED)
                atomic_fetch_add(&mail_by_outcome[outcome], 1);
}

/* sent: delivered; retry: failed, tried again later; gave_up: failed for
 * the last time (the row stays, marked failed); dropped: can never be
 * delivered (the person's key was shredded). */
static enum sr_rc
render_mail(struct sr_buf *out)
{
        enum sr_rc rc = sr_buf_puts(out, "# TYPE strongroom_mail_attempts_total counter\n");
        for (unsigned i = 0; rc == SR_OK && i <= SR_METRICS_MAIL_DROPPED; i++)
                rc = sr_buf_printf(out, "strongroom_mail_attempts_total{outcome=\"%s\"} %llu\n",
                                   mail_outcome_names[i],
                                   (unsigned long long)atomic_load(&mail_by_outcome[i]));
        return rc;
}

enum sr_rc
sr_metrics_render(struct sr_buf *out)
{
        enum sr_rc rc = sr_buf_puts(out, "# TYPE strongroom_http_requests_total counter\n");
        for (int c = 1; rc == SR_OK && c <= 5; c++)
                rc = sr_buf_printf(out, "strongroom_http_requests_total{class=\"%dxx\"} %llu\n", c,
                                   (unsigned long long)atomic_load(&by_class[c]));
        if (rc == SR_OK)
                rc = sr_buf_printf(out,
                                   "# TYPE strongroom_worker_busy_total counter\n"
                                   "strongroom_worker_busy_total %llu\n"
                                   "# TYPE strongroom_http_request_duration_ms histogram\n",
                                   (unsigned long long)atomic_load(&busy_total));
        unsigned long long cum = 0;
        for (size_t i = 0; rc == SR_OK && i < NBOUNDS; i++) {
                cum += atomic_load(&latency_le[i]);
                rc = sr_buf_printf(out, "strongroom_http_request_duration_ms_bucket{le=\"%llu\"} %llu\n",
                                   (unsigned long long)bounds_ms[i], cum);
        }
        cum += atomic_load(&latency_le[NBOUNDS]);
        if (rc == SR_OK)
                rc = sr_buf_printf(out,
                                   "strongroom_http_request_duration_ms_bucket{le=\"+Inf\"} %llu\n"
                                   "strongroom_http_request_duration_ms_sum %llu\n"
                                   "strongroom_http_request_duration_ms_count %llu\n"
                                   "# TYPE strongroom_uptime_seconds gauge\n"
                                   "strongroom_uptime_seconds %lld\n",
                                   cum, (unsigned long long)atomic_load(&latency_sum_ms), cum,
                                   started ? (long long)(time(NULL) - started) : 0LL);
        if (rc == SR_OK)
                rc = render_mail(out);
        return rc;
}
