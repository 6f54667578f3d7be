#pragma once
/* A secret (password, token, key, recovery code) lives in a struct sr_secret,
 * never a bare char *, so it cannot land in a printf. The bytes are wiped
 * on free; long-lived keys are moved into sodium_malloc() memory (guard
 * pages, mlock) with sr_secret_guard. */
#include <stddef.h>

#include "util/rc.h"

struct sr_secret {
        unsigned char *bytes; /* NUL-terminated for text */
        size_t len;
        int guarded; /* in sodium_malloc memory (guard pages, mlock) */
};

/* Copies len bytes into new locked memory. Free with sr_secret_free(). */
SR_NODISCARD enum sr_rc sr_secret_new(const void *bytes, size_t len,
                                      struct sr_secret **ret);
/* New secret of len random bytes. */
SR_NODISCARD enum sr_rc sr_secret_new_random(size_t len, struct sr_secret **ret);
/* Moves a long-lived secret (master, cached and purpose keys) into
 * sodium_malloc'd memory with guard pages and mlock. Short-lived secrets
 * stay in ordinary memory, wiped on free: a guarded allocation costs a
 * dozen system calls, too many for every request. */
SR_NODISCARD enum sr_rc sr_secret_guard(struct sr_secret *s);
/* Wipes and frees; accepts NULL. */
void sr_secret_free(struct sr_secret *s);
void sr_secret_freep(struct sr_secret **s);
/* Constant-time equality of two secrets (lengths may differ). */
int sr_secret_equal(const struct sr_secret *a, const struct sr_secret *b);
