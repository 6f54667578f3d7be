#pragma once
/* The store writes SQLite's placeholders (?N, or ? numbered in order);
 * libpq wants $N. Text inside '…' or "…" is copied as is. */
#include "util/rc.h"

/* *ret (sr_malloc'd, caller frees) is sql with ?N → $N and each bare ? →
 * $k, k counting the bare ones; *ret_n the highest number. SR_E_INTERNAL
 * when a number exceeds max_params. */
SR_NODISCARD enum sr_rc pg_translate(const char *sql, int max_params, char **ret, int *ret_n);
