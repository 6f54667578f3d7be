/* Bounded growable buffer. */
#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"

void
sr_buf_init(struct sr_buf *b, size_t max_bytes)
{
        b->data = NULL;
        b->len = 0;
        b->cap = 0;
        b->max_bytes = max_bytes;
}

void
sr_buf_fini(struct sr_buf *b)
{
        sr_free(b->data);
        b->data = NULL;
        b->len = b->cap = 0;
}

static enum sr_rc
reserve(struct sr_buf *b, size_t extra)
{
        if (extra > b->max_bytes || b->len > b->max_bytes - extra)
                return SR_E_TOO_LARGE;
        size_t need = b->len + extra + 1;
        if (need <= b->cap)
                return SR_OK;
        size_t cap = b->cap ? b->cap : 256;
        while (cap < need)
                cap *= 2;
        char *p = sr_realloc(b->data, cap);
        if (p == NULL)
                return SR_E_NOMEM;
        b->data = p;
        b->cap = cap;
        return SR_OK;
}

enum sr_rc
sr_buf_append(struct sr_buf *b, const void *p, size_t n)
{
        enum sr_rc rc = reserve(b, n);
        if (rc != SR_OK)
                return rc;
        if (n > 0)
                memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return SR_OK;
}

enum sr_rc
sr_buf_puts(struct sr_buf *b, const char *s)
{
        return sr_buf_append(b, s, strlen(s));
}

enum sr_rc
sr_buf_printf(struct sr_buf *b, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0)
                return SR_E_INTERNAL;
        enum sr_rc rc = reserve(b, (size_t)n);
        if (rc != SR_OK)
                return rc;
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
        b->len += (size_t)n;
        return SR_OK;
}

char *
sr_buf_take(struct sr_buf *b)
{
        char *p = b->data;
        b->data = NULL;
        b->len = b->cap = 0;
        return p;
}
