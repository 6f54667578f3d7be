#pragma once
/* Request decoding helpers: every body is a JSON object with a known set
 * of fields (unknown → SR_E_UNKNOWN_FIELD) and per-field checks that
 * collect 422 errors in the call. */
#include <stdbool.h>
#include <stdint.h>

#include "api/call.h"

/* SR_E_UNKNOWN_FIELD when body has a key not in allowed (NULL-terminated). */
SR_NODISCARD enum sr_rc sr_decode_fields(struct sr_call *call, const char *const allowed[]);
/* True when s holds an ASCII control character (or DEL). */
bool sr_has_control(const char *s);
/* Records a 422 error for field. */
void sr_decode_error(struct sr_call *call, const char *field, const char *reason);

/* String field: absent → *ret NULL (an error when required). When nullable
 * and the value is JSON null, *ret is NULL and *ret_null true. Checks
 * length in code points (min..max) and rejects control characters. */
void sr_decode_string(struct sr_call *call, const char *field, bool required, size_t min,
                      size_t max, const char **ret);
void sr_decode_string_nullable(struct sr_call *call, const char *field, size_t min, size_t max,
                               const char **ret, bool *ret_present);
/* Password-like field: raw bytes (may contain anything but NUL), max bytes. */
void sr_decode_secret(struct sr_call *call, const char *field, bool required, size_t max_bytes,
                      const char **ret, size_t *ret_len);
/* Integer field within lo..hi; *ret untouched when absent. */
void sr_decode_int(struct sr_call *call, const char *field, bool required, int64_t lo, int64_t hi,
                   int64_t *ret);
/* SR_E_VALIDATION when any error was recorded. */
SR_NODISCARD enum sr_rc sr_decode_done(struct sr_call *call);

/* Path parameter i as an opaque id; a malformed id is simply not found. */
SR_NODISCARD enum sr_rc sr_decode_path_id(const struct sr_call *call, size_t i,
                                          const char **ret);

/* ?limit= (1..200, default 50) and ?cursor= (≤ 256 chars). */
SR_NODISCARD enum sr_rc sr_decode_page(struct sr_call *call, unsigned *ret_limit,
                                       const char **ret_cursor);

/* sr_decode_page with a cursor that must be an opaque id ("" = start). */
SR_NODISCARD enum sr_rc sr_decode_id_page(struct sr_call *call, unsigned *ret_limit,
                                          const char **ret_cursor);
/* sr_decode_page with a cursor that is an audit sequence number: events
 * before it (0 = from the newest). */
SR_NODISCARD enum sr_rc sr_decode_seq_page(struct sr_call *call, unsigned *ret_limit,
                                           int64_t *ret_before);
/* The list answer {items, next_cursor}; takes both references. items NULL
 * (allocation failure) gives an empty list; next NULL gives null. */
json_t *sr_json_page(json_t *items, json_t *next);
/* next_cursor for a newest-first page of audit events whose last seq is
 * last_seq: null when the page was not full or reached the first event. */
json_t *sr_json_seq_cursor(size_t n, unsigned limit, int64_t last_seq);

/* RFC 3339 time string into a new json string. */
json_t *sr_json_time(int64_t t);
/* json_string or json_null for a possibly NULL string. */
json_t *sr_json_str_or_null(const char *s);
