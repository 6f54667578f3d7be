#pragma once
/* The injectable policy clock (CONTRACTS.md "Test clock"). Every policy time
 * (sessions, lockout, tokens, audit timestamps, scheduler) reads
 * sr_clock_now(); TLS keeps real time. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/rc.h"

/* Reads STRONGROOM_CLOCK_OFFSET_FILE once; call before threads start. */
void sr_clock_init(void);
/* True when the offset variable is set (health and attest report it). */
bool sr_clock_is_test(void);
/* Policy time in seconds since the epoch (real time + test offset). */
int64_t sr_clock_now(void);
/* Monotonic milliseconds, for latency measurements only. */
uint64_t sr_clock_mono_ms(void);
/* Writes RFC 3339 UTC ("2026-11-25T10:00:00Z") into out (>= 21 bytes). */
void sr_clock_format(int64_t t, char *out, size_t out_len);
/* Parses RFC 3339 UTC with a "Z" suffix. */
SR_NODISCARD enum sr_rc sr_clock_parse(const char *s, int64_t *ret_t);
/* Test hook: replaces the offset directly (unit tests). */
void sr_clock_set_offset(int64_t offset_s);
