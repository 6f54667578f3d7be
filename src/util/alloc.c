/* Thin allocation wrappers with a failure-injection hook for tests. */
#include "util/alloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_ulong fail_countdown;

static int
should_fail(void)
{
        unsigned long c = atomic_load(&fail_countdown);
        while (c != 0) {
                if (atomic_compare_exchange_weak(&fail_countdown, &c, c - 1))
                        return c == 1;
        }
        return 0;
}

void
sr_alloc_fail_at(unsigned long nth)
{
        atomic_store(&fail_countdown, nth);
}

void *
sr_malloc(size_t n)
{
        if (should_fail())
                return NULL;
        return malloc(n ? n : 1);
}

void *
sr_calloc(size_t count, size_t n)
{
        if (should_fail())
                return NULL;
        return calloc(count ? count : 1, n ? n : 1);
}

void *
sr_realloc(void *p, size_t n)
{
        if (should_fail())
                return NULL;
        return realloc(p, n ? n : 1);
}

char *
sr_strndup(const char *s, size_t n)
{
        char *d = sr_malloc(n + 1);
        if (d == NULL)
                return NULL;
        memcpy(d, s, n);
        d[n] = '\0';
        return d;
}

char *
sr_strdup(const char *s)
{
        return sr_strndup(s, strlen(s));
}

void
sr_free(void *p)
{
        free(p);
}

void
sr_freep(void *pp)
{
        void **p = pp;
        free(*p);
        *p = NULL;
}
