/* X-Forwarded-For resolution against the trusted-proxy list (AUTH-3,
 * ACC-8 depend on the right client address). */
#include "http/clientip.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool
trusted_ip(const struct sr_cidr *trusted, size_t n, const struct sr_cidr *ip)
{
        for (size_t i = 0; i < n; i++)
                if (sr_cidr_contains(&trusted[i], ip))
                        return true;
        return false;
}

static void
trim(const char **s, size_t *len)
{
        while (*len > 0 && (**s == ' ' || **s == '\t')) {
                (*s)++;
                (*len)--;
        }
        while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
                (*len)--;
}

void
sr_clientip_resolve(const struct sr_cidr *trusted, size_t n_trusted, const char *peer,
                    const char *xff, char out[SR_CLIENTIP_MAX])
{
        snprintf(out, SR_CLIENTIP_MAX, "%s", peer);
        struct sr_cidr ip;
        if (xff == NULL || n_trusted == 0 || sr_ip_parse(peer, &ip) != SR_OK ||
            !trusted_ip(trusted, n_trusted, &ip))
                return;
        size_t end = strlen(xff);
        if (end > 4096)
                return;
        char candidate[SR_CLIENTIP_MAX];
        /* Walk from the right; the header must be well formed throughout
         * the part we read, or we fall back to the peer. */
        while (end > 0) {
                size_t start = end;
                while (start > 0 && xff[start - 1] != ',')
                        start--;
                const char *item = xff + start;
                size_t len = end - start;
                trim(&item, &len);
                if (len == 0 || len >= sizeof(candidate))
                        return;
                memcpy(candidate, item, len);
                candidate[len] = '\0';
                if (sr_ip_parse(candidate, &ip) != SR_OK)
                        return;
                if (!trusted_ip(trusted, n_trusted, &ip) || start == 0) {
                        snprintf(out, SR_CLIENTIP_MAX, "%s", candidate);
                        return;
                }
                end = start - 1;
        }
}
