#pragma once
/* Allocation wrappers. Tests can make the Nth call fail (sr_alloc_fail_at)
 * to prove every caller returns SR_E_NOMEM without leaking. */
#include <stddef.h>

void *sr_malloc(size_t n);
void *sr_calloc(size_t count, size_t n);
void *sr_realloc(void *p, size_t n);
/* Returns a copy the caller frees with sr_free(), or NULL. */
char *sr_strdup(const char *s);
char *sr_strndup(const char *s, size_t n);
void sr_free(void *p);
/* For SR_CLEANUP(sr_freep) on any heap pointer. */
void sr_freep(void *pp);

/* Test hook: the nth allocation from now fails (0 disables). */
void sr_alloc_fail_at(unsigned long nth);
