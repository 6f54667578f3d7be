#pragma once
/* Process counters for getMetrics (OPS-2). Lock-free, monotonic. */
#include <stdint.h>

#include "util/buf.h"

void sr_metrics_request(int status, uint64_t latency_ms);
void sr_metrics_busy(void);
/* Outgoing mail (OPS-2): what became of each delivery attempt. */
enum sr_metrics_mail { SR_METRICS_MAIL_SENT, SR_METRICS_MAIL_RETRY, SR_METRICS_MAIL_GAVE_UP,
                       SR_METRICS_MAIL_DROPPED };
void sr_metrics_mail(enum sr_metrics_mail outcome);
/* Requests answered since start, all statuses. */
uint64_t sr_metrics_requests_total(void);
/* Appends the Prometheus text exposition of the counters. */
SR_NODISCARD enum sr_rc sr_metrics_render(struct sr_buf *out);
