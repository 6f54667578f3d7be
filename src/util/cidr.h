#pragma once
/* IPv4/IPv6 addresses and CIDR blocks, parsed with inet_pton. Used for
 * trusted proxies (DESIGN.md) and IP allowlists (ACC-8). */
#include <stdbool.h>
#include <stddef.h>

#include "util/rc.h"

struct sr_cidr {
        int family; /* AF_INET or AF_INET6 */
        unsigned char addr[16];
        unsigned prefix_bits;
};

/* "10.0.0.0/8", "2001:db8::/32" or a bare address (full length).
 * SR_E_VALIDATION when malformed or host bits are set. */
SR_NODISCARD enum sr_rc sr_cidr_parse(const char *s, struct sr_cidr *ret);
/* Parses a bare address; IPv4-mapped IPv6 becomes IPv4. */
SR_NODISCARD enum sr_rc sr_ip_parse(const char *s, struct sr_cidr *ret);
bool sr_cidr_contains(const struct sr_cidr *block, const struct sr_cidr *ip);
/* Parses a comma/space separated list into at most max blocks. */
SR_NODISCARD enum sr_rc sr_cidr_parse_list(const char *list, struct sr_cidr *ret, size_t max,
                                           size_t *ret_n);
