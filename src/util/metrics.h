#pragma once
/* Process counters for getMetrics (OPS-2). Lock-free, monotonic. */
#include <stdint.h>

#include "util/buf.h"

void sr_metrics_request(int status, uint64_t latency_ms);
void sr_metrics_busy(void);
/* Requests answered since start, all statuses. */
uint64_t sr_metrics_requests_total(void);
/* Appends the Prometheus text exposition of the counters. */
SR_NODISCARD enum sr_rc sr_metrics_render(struct sr_buf *out);
