/* CIDR parsing and matching. Addresses go through inet_pton only; no
 * hand-rolled address parser. */
#include "util/cidr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum sr_rc
sr_ip_parse(const char *s, struct sr_cidr *ret)
{
        struct sr_cidr c = {0};
        if (strlen(s) >= INET6_ADDRSTRLEN)
                return SR_E_VALIDATION;
        if (inet_pton(AF_INET, s, c.addr) == 1) {
                c.family = AF_INET;
                c.prefix_bits = 32;
        } else if (inet_pton(AF_INET6, s, c.addr) == 1) {
                static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
                if (memcmp(c.addr, mapped, 12) == 0) {
                        memmove(c.addr, c.addr + 12, 4);
                        memset(c.addr + 4, 0, 12);
                        c.family = AF_INET;
                        c.prefix_bits = 32;
                } else {
                        c.family = AF_INET6;
                        c.prefix_bits = 128;
                }
        } else {
                return SR_E_VALIDATION;
        }
        *ret = c;
        return SR_OK;
}

static bool
host_bits_clear(const struct sr_cidr *c)
{
        unsigned len = c->family == AF_INET ? 4 : 16;
        for (unsigned i = 0; i < len; i++) {
                unsigned bit0 = i * 8;
                unsigned char mask = 0xff;
                if (bit0 + 8 <= c->prefix_bits)
                        continue;
                if (bit0 < c->prefix_bits)
                        mask = (unsigned char)(0xff >> (c->prefix_bits - bit0));
                if (c->addr[i] & mask)
                        return false;
        }
        return true;
}

enum sr_rc
sr_cidr_parse(const char *s, struct sr_cidr *ret)
{
        char buf[64];
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t)(slash - s) : strlen(s);
        if (n == 0 || n >= sizeof(buf))
                return SR_E_VALIDATION;
        memcpy(buf, s, n);
        buf[n] = '\0';
        struct sr_cidr c;
        /* A mapped IPv6 block would change meaning; accept plain forms. */
        enum sr_rc rc = sr_ip_parse(buf, &c);
        if (rc != SR_OK)
                return rc;
        if (slash != NULL) {
                const char *p = slash + 1;
                if (*p < '0' || *p > '9' || strlen(p) > 3)
                        return SR_E_VALIDATION;
                char *end = NULL;
                unsigned long bits = strtoul(p, &end, 10);
                unsigned max = c.family == AF_INET ? 32 : 128;
                if (*end != '\0' || bits > max)
                        return SR_E_VALIDATION;
                c.prefix_bits = (unsigned)bits;
                if (!host_bits_clear(&c))
                        return SR_E_VALIDATION;
        }
        *ret = c;
        return SR_OK;
}

bool
sr_cidr_contains(const struct sr_cidr *block, const struct sr_cidr *ip)
{
        if (block->family != ip->family)
                return false;
        unsigned full = block->prefix_bits / 8, rest = block->prefix_bits % 8;
        if (memcmp(block->addr, ip->addr, full) != 0)
                return false;
        if (rest == 0)
                return true;
        unsigned char mask = (unsigned char)(0xff << (8 - rest));
        return (block->addr[full] & mask) == (ip->addr[full] & mask);
}

enum sr_rc
sr_cidr_parse_list(const char *list, struct sr_cidr *ret, size_t max, size_t *ret_n)
{
        size_t n = 0;
        const char *p = list ? list : "";
        while (*p) {
                while (*p == ',' || *p == ' ' || *p == '\t')
                        p++;
                if (*p == '\0')
                        break;
                size_t len = strcspn(p, ", \t");
                char item[64];
                if (len >= sizeof(item) || n >= max)
                        return SR_E_VALIDATION;
                memcpy(item, p, len);
                item[len] = '\0';
                enum sr_rc rc = sr_cidr_parse(item, &ret[n]);
                if (rc != SR_OK)
                        return rc;
                n++;
                p += len;
        }
        *ret_n = n;
        return SR_OK;
}
