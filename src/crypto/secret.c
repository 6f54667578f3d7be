/* struct sr_secret: bytes always followed by one NUL so text secrets can be
 * handed to libraries that want a C string, and wiped on release. Short-
 * lived secrets live in the same sr_malloc block as the struct (so
 * allocation failures can be injected and ASan sees a leaked secret);
 * long-lived keys are moved into sodium_malloc() memory (guard pages,
 * mlock) by sr_secret_guard. Comparison is constant-time (DATA-5, AUTH-4).
 * This file does not lock idle keys with sodium_mprotect_noaccess(). */
#include "crypto/secret.h"

#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "util/alloc.h"

/* A secret of len bytes (contents unset) plus the NUL. */
static enum sr_rc
secret_alloc(size_t len, struct sr_secret **ret)
{
        if (len >= SIZE_MAX - sizeof(struct sr_secret) - 1)
                return SR_E_NOMEM;
        struct sr_secret *s = sr_malloc(sizeof(*s) + len + 1);
        if (s == NULL)
                return SR_E_NOMEM;
        s->bytes = (unsigned char *)(s + 1);
        s->bytes[len] = '\0';
        s->len = len;
        s->guarded = 0;
        *ret = s;
        return SR_OK;
}

enum sr_rc
sr_secret_guard(struct sr_secret *s)
{
        if (s == NULL || s->guarded)
                return SR_OK;
        unsigned char *g = sodium_malloc(s->len + 1);
        if (g == NULL)
                return SR_E_NOMEM;
        memcpy(g, s->bytes, s->len + 1);
        sodium_memzero(s->bytes, s->len);
        s->bytes = g;
        s->guarded = 1;
        return SR_OK;
}

enum sr_rc
sr_secret_new(const void *bytes, size_t len, struct sr_secret **ret)
{
        if (bytes == NULL && len > 0)
                return SR_E_INTERNAL;
        struct sr_secret *s = NULL;
        enum sr_rc rc = secret_alloc(len, &s);
        if (rc != SR_OK)
                return rc;
        if (len > 0)
                memcpy(s->bytes, bytes, len);
        *ret = s;
        return SR_OK;
}

enum sr_rc
sr_secret_new_random(size_t len, struct sr_secret **ret)
{
        struct sr_secret *s = NULL;
        enum sr_rc rc = secret_alloc(len, &s);
        if (rc != SR_OK)
                return rc;
        randombytes_buf(s->bytes, len);
        *ret = s;
        return SR_OK;
}

void
sr_secret_free(struct sr_secret *s)
{
        if (s == NULL)
                return;
        if (s->guarded)
                sodium_free(s->bytes); /* wipes before unmapping */
        else
                sodium_memzero(s->bytes, s->len + 1);
        s->bytes = NULL;
        s->len = 0;
        sr_free(s);
}

void
sr_secret_freep(struct sr_secret **s)
{
        sr_secret_free(*s);
        *s = NULL;
}

/* Lengths are not secret (tokens and keys have fixed sizes); the bytes are,
 * so equal-length secrets go through sodium_memcmp. */
int
sr_secret_equal(const struct sr_secret *a, const struct sr_secret *b)
{
        if (a == NULL || b == NULL || a->len != b->len)
                return 0;
        if (a->len == 0)
                return 1;
        return sodium_memcmp(a->bytes, b->bytes, a->len) == 0;
}
