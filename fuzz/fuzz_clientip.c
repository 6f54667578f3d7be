/* libFuzzer target: client address resolution (http/clientip.c) and CIDR
 * parsing (util/cidr.c). Input: "PEER\nX-FORWARDED-FOR"; without a
 * newline the whole input is the peer and there is no header. The raw
 * input also goes through sr_cidr_parse, sr_ip_parse and
 * sr_cidr_parse_list. */
#include <stdint.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "http/clientip.h"
#include "util/cidr.h"

#include "check.h"

#define MAX_LIST 16

static struct sr_cidr trusted[MAX_LIST];
static size_t n_trusted;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        if (sr_cidr_parse_list("10.0.0.0/8, 127.0.0.1, ::1", trusted, MAX_LIST, &n_trusted) !=
                    SR_OK ||
            n_trusted != 3)
                abort();
        return 0;
}

static void
check_resolve(const char *peer, const char *xff)
{
        char out[SR_CLIENTIP_MAX];
        memset(out, 0x5a, sizeof(out));
        sr_clientip_resolve(trusted, n_trusted, peer, xff, out);
        FUZZ_CHECK(memchr(out, 0, sizeof(out)) != NULL, "client address terminated");
        /* The answer is the peer (possibly truncated) or an address that
         * came out of the header and parses as one. */
        if (strncmp(out, peer, SR_CLIENTIP_MAX - 1) != 0) {
                struct sr_cidr ip;
                FUZZ_CHECK(xff != NULL && sr_ip_parse(out, &ip) == SR_OK &&
                                   strstr(xff, out) != NULL,
                           "client is the peer or an address taken from the header");
        }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);
        if (s == NULL)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';

        struct sr_cidr c, list[MAX_LIST];
        size_t n = 0;
        if (sr_cidr_parse(s, &c) == SR_OK) {
                unsigned max = c.family == AF_INET ? 32 : 128;
                FUZZ_CHECK(c.prefix_bits <= max, "prefix within the family's bits");
                FUZZ_CHECK(sr_cidr_contains(&c, &c), "a block contains itself");
        }
        if (sr_ip_parse(s, &c) == SR_OK)
                FUZZ_CHECK(sr_cidr_contains(&c, &c), "an address contains itself");
        if (sr_cidr_parse_list(s, list, MAX_LIST, &n) == SR_OK)
                FUZZ_CHECK(n <= MAX_LIST, "list within max");

        char *nl = strchr(s, '\n');
        if (nl != NULL) {
                *nl = '\0';
                check_resolve(s, nl + 1);
        } else {
                check_resolve(s, NULL);
        }
        free(s);
        return 0;
}
