#pragma once
/* The optional plain-HTTP port (CONTRACTS.md, DATA-1): GET/HEAD of web
 * pages → 308 to HTTPS; API paths, other methods and anything carrying
 * Authorization or Cookie → 400 https_required, never a redirect. */
#include <stddef.h>

#include "util/rc.h"

struct sr_plain;

SR_NODISCARD enum sr_rc sr_plain_start(const char *listen, const char *public_url,
                                       struct sr_plain **ret, char *err, size_t err_len);
void sr_plain_stop(struct sr_plain *p);

/* Exposed for the unit test: true when the request may be redirected. */
int sr_plain_may_redirect(const char *method, const char *path, int has_credentials);
