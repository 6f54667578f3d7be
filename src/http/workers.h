#pragma once
/* The bounded worker pool for slow work (argon2id, SMTP, exports). A full
 * queue refuses at once (SR_E_BUSY → 503 with Retry-After) so floods
 * cannot pile up memory or latency. */
#include "util/rc.h"

struct sr_workers;

SR_NODISCARD enum sr_rc sr_workers_new(unsigned threads, unsigned queue_max,
                                       struct sr_workers **ret);
/* Runs queued jobs to the end, then joins the threads. Accepts NULL. */
void sr_workers_free(struct sr_workers *w);
/* Queues fn(arg). SR_E_BUSY when the queue is full. */
SR_NODISCARD enum sr_rc sr_workers_submit(struct sr_workers *w, void (*fn)(void *), void *arg);
