#pragma once
/* The client address (DESIGN.md): the socket peer, unless the peer is a
 * trusted proxy; then X-Forwarded-For is walked from the right, skipping
 * trusted proxies, and the first untrusted address is the client. A
 * malformed header means the socket peer is the client. */
#include <stddef.h>

#include "util/cidr.h"

#define SR_CLIENTIP_MAX 64

/* peer is the socket address as text. Writes the client address. */
void sr_clientip_resolve(const struct sr_cidr *trusted, size_t n_trusted, const char *peer,
                         const char *xff, char out[SR_CLIENTIP_MAX]);
