#pragma once
/* A growable byte buffer with a hard ceiling set at creation: a client can
 * never make it grow past max_bytes (SR_E_TOO_LARGE instead). */
#include <stddef.h>

#include "util/rc.h"

struct sr_buf {
        char *data; /* always NUL-terminated when len > 0 */
        size_t len;
        size_t cap;
        size_t max_bytes;
};

void sr_buf_init(struct sr_buf *b, size_t max_bytes);
/* Frees the storage; the struct can be reused after sr_buf_init. */
void sr_buf_fini(struct sr_buf *b);
SR_NODISCARD enum sr_rc sr_buf_append(struct sr_buf *b, const void *p, size_t n);
SR_NODISCARD enum sr_rc sr_buf_puts(struct sr_buf *b, const char *s);
SR_NODISCARD enum sr_rc sr_buf_printf(struct sr_buf *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* Hands the storage to the caller (free with sr_free) and resets b. */
char *sr_buf_take(struct sr_buf *b);
