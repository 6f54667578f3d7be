/* Unit tests for addresses and CIDR blocks (src/util/cidr.h) and the
 * client address behind trusted proxies (src/http/clientip.h, DESIGN.md
 * "Client address"). Lockout buckets (AUTH-3) and IP allowlists (ACC-8)
 * key on this address, so a client must not be able to choose it: only
 * entries added by trusted proxies are skipped, walking from the right. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "http/clientip.h"
#include "util/alloc.h"
#include "util/cidr.h"

#define FAIL_AT_MAX 20

static struct sr_cidr
cidr(const char *s)
{
        struct sr_cidr c;
        memset(&c, 0xa5, sizeof(c));
        enum sr_rc rc = sr_cidr_parse(s, &c);
        if (rc != SR_OK)
                fail_msg("\"%s\": want ok, got %s", s, sr_rc_name(rc));
        return c;
}

static void
cidr_rejected(const char *s)
{
        struct sr_cidr c;
        enum sr_rc rc = sr_cidr_parse(s, &c);
        if (rc != SR_E_VALIDATION)
                fail_msg("\"%s\": want validation_failed, got %s", s, sr_rc_name(rc));
}

static struct sr_cidr
ip(const char *s)
{
        struct sr_cidr c;
        enum sr_rc rc = sr_ip_parse(s, &c);
        if (rc != SR_OK)
                fail_msg("\"%s\": want ok, got %s", s, sr_rc_name(rc));
        return c;
}

static void
cidr_parses_blocks_and_bare_addresses(void **state)
{
        (void)state;
        struct sr_cidr c = cidr("10.0.0.0/8");
        assert_int_equal(c.family, AF_INET);
        assert_int_equal(c.prefix_bits, 8);
        assert_int_equal(c.addr[0], 10);
        c = cidr("192.0.2.1");
        assert_int_equal(c.family, AF_INET);
        assert_int_equal(c.prefix_bits, 32);
        c = cidr("2001:db8::/32");
        assert_int_equal(c.family, AF_INET6);
        assert_int_equal(c.prefix_bits, 32);
        c = cidr("2001:db8::1");
        assert_int_equal(c.prefix_bits, 128);
        c = cidr("0.0.0.0/0");
        assert_int_equal(c.prefix_bits, 0);
        c = cidr("::/0");
        assert_int_equal(c.family, AF_INET6);
        c = cidr("192.168.1.128/25");
        assert_int_equal(c.prefix_bits, 25);
        c = cidr("10.0.0.1/32");
        assert_int_equal(c.prefix_bits, 32);
        c = cidr("2001:db8::1/128");
        assert_int_equal(c.prefix_bits, 128);
}

static void
cidr_rejects_host_bits_bad_prefixes_and_garbage(void **state)
{
        (void)state;
        cidr_rejected("10.0.0.1/8");       /* host bits set */
        cidr_rejected("192.168.1.129/25"); /* host bit in the partial byte */
        cidr_rejected("2001:db8::1/32");
        cidr_rejected("2001:db8:4000::/33"); /* bit 33 is host */
        (void)cidr("2001:db8:8000::/33");
        cidr_rejected("10.0.0.0/33");
        cidr_rejected("2001:db8::/129");
        cidr_rejected("10.0.0.0/");
        cidr_rejected("10.0.0.0/-1");
        cidr_rejected("10.0.0.0/+8");
        cidr_rejected("10.0.0.0/ 8");
        cidr_rejected("10.0.0.0/8x");
        cidr_rejected("10.0.0.0/8/8");
        cidr_rejected("10.0.0.0/0008");
        cidr_rejected("/8");
        cidr_rejected("");
        cidr_rejected("10.0.0");
        cidr_rejected("10.0.0.256");
        cidr_rejected("host.example");
        cidr_rejected(" 10.0.0.0/8");
        cidr_rejected("fe80::1%eth0");
        cidr_rejected("[2001:db8::1]");
        /* Long input does not overflow the parse buffer. */
        char long_s[200];
        memset(long_s, '1', sizeof(long_s) - 1);
        long_s[sizeof(long_s) - 1] = '\0';
        cidr_rejected(long_s);
}

static void
ip_parse_maps_ipv4_mapped_ipv6_to_ipv4(void **state)
{
        (void)state;
        struct sr_cidr a = ip("::ffff:192.0.2.1");
        struct sr_cidr b = ip("192.0.2.1");
        assert_int_equal(a.family, AF_INET);
        assert_int_equal(a.prefix_bits, 32);
        assert_memory_equal(a.addr, b.addr, 16);
        struct sr_cidr v6 = ip("2001:db8::1");
        assert_int_equal(v6.family, AF_INET6);
        assert_int_equal(v6.prefix_bits, 128);
        struct sr_cidr c;
        assert_int_equal(sr_ip_parse("10.0.0.0/8", &c), SR_E_VALIDATION);
        assert_int_equal(sr_ip_parse("", &c), SR_E_VALIDATION);
        assert_int_equal(sr_ip_parse("1.2.3.4:80", &c), SR_E_VALIDATION);
}

static void
cidr_contains_respects_prefix_and_family(void **state)
{
        (void)state;
        struct sr_cidr ten = cidr("10.0.0.0/8"), half = cidr("192.168.1.0/25"),
                       v6 = cidr("2001:db8::/32"), all4 = cidr("0.0.0.0/0"),
                       host = cidr("203.0.113.7");
        struct sr_cidr x;
        x = ip("10.255.1.2");
        assert_true(sr_cidr_contains(&ten, &x));
        x = ip("11.0.0.1");
        assert_false(sr_cidr_contains(&ten, &x));
        x = ip("9.255.255.255");
        assert_false(sr_cidr_contains(&ten, &x));
        x = ip("192.168.1.127");
        assert_true(sr_cidr_contains(&half, &x));
        x = ip("192.168.1.128");
        assert_false(sr_cidr_contains(&half, &x));
        x = ip("2001:db8:ffff::1");
        assert_true(sr_cidr_contains(&v6, &x));
        x = ip("2001:db9::1");
        assert_false(sr_cidr_contains(&v6, &x));
        x = ip("::ffff:10.1.2.3"); /* mapped: matches the IPv4 block */
        assert_true(sr_cidr_contains(&ten, &x));
        x = ip("::a01:203"); /* IPv4-compatible is not IPv4 */
        assert_false(sr_cidr_contains(&ten, &x));
        x = ip("10.1.2.3");
        assert_false(sr_cidr_contains(&v6, &x)); /* families never mix */
        assert_true(sr_cidr_contains(&all4, &x));
        x = ip("203.0.113.7");
        assert_true(sr_cidr_contains(&host, &x));
        x = ip("203.0.113.6");
        assert_false(sr_cidr_contains(&host, &x));
}

static void
cidr_list_parses_commas_and_spaces(void **state)
{
        (void)state;
        struct sr_cidr l[4];
        size_t n = 99;
        assert_int_equal(sr_cidr_parse_list(" 10.0.0.0/8, 192.168.0.0/16 ,\t2001:db8::/32,", l, 4,
                                            &n),
                         SR_OK);
        assert_int_equal(n, 3);
        assert_int_equal(l[2].family, AF_INET6);
        assert_int_equal(sr_cidr_parse_list("", l, 4, &n), SR_OK);
        assert_int_equal(n, 0);
        assert_int_equal(sr_cidr_parse_list(NULL, l, 4, &n), SR_OK);
        assert_int_equal(n, 0);
        assert_int_equal(sr_cidr_parse_list("1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4", l, 4, &n), SR_OK);
        assert_int_equal(n, 4);
        assert_int_equal(sr_cidr_parse_list("1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4 5.5.5.5", l, 4, &n),
                         SR_E_VALIDATION);
        assert_int_equal(sr_cidr_parse_list("10.0.0.0/8, 10.0.0.1/8", l, 4, &n),
                         SR_E_VALIDATION);
        assert_int_equal(sr_cidr_parse_list("10.0.0.0/8;192.168.0.0/16", l, 4, &n),
                         SR_E_VALIDATION);
}

/* ---- client address ---------------------------------------------------- */

struct proxies {
        struct sr_cidr c[4];
        size_t n;
};

static struct proxies
trusted(void)
{
        struct proxies p;
        assert_int_equal(sr_cidr_parse_list("10.0.0.0/8, 2001:db8:ffff::/48", p.c, 4, &p.n),
                         SR_OK);
        assert_int_equal(p.n, 2);
        return p;
}

static void
client_is(const struct proxies *p, const char *peer, const char *xff, const char *want)
{
        char out[SR_CLIENTIP_MAX];
        memset(out, 'x', sizeof(out));
        sr_clientip_resolve(p->c, p->n, peer, xff, out);
        if (strcmp(out, want) != 0)
                fail_msg("peer %s, X-Forwarded-For \"%s\": want %s, got %s", peer,
                         xff ? xff : "(none)", want, out);
}

/* Without a trusted peer the header is ignored: a client cannot claim an
 * address by sending X-Forwarded-For itself. */
static void
clientip_untrusted_peer_ignores_header(void **state)
{
        (void)state;
        struct proxies p = trusted();
        client_is(&p, "203.0.113.9", "198.51.100.1", "203.0.113.9");
        client_is(&p, "203.0.113.9", "10.0.0.5", "203.0.113.9");
        client_is(&p, "2001:db8:1::9", "198.51.100.1", "2001:db8:1::9");
        client_is(&p, "10.0.0.1", NULL, "10.0.0.1");
        /* No trusted proxies configured: always the peer. */
        struct proxies none = {.n = 0};
        client_is(&none, "10.0.0.1", "198.51.100.1", "10.0.0.1");
}

/* Walking from the right: trusted hops are skipped, the first untrusted
 * address is the client, and whatever the client wrote to the left of it
 * does not matter. */
static void
clientip_walks_from_the_right_skipping_trusted(void **state)
{
        (void)state;
        struct proxies p = trusted();
        client_is(&p, "10.0.0.1", "198.51.100.1", "198.51.100.1");
        client_is(&p, "10.0.0.1", "198.51.100.1, 10.0.0.2", "198.51.100.1");
        client_is(&p, "10.0.0.1", "1.1.1.1, 198.51.100.1, 10.0.0.3, 10.0.0.2", "198.51.100.1");
        client_is(&p, "10.0.0.1", "10.9.9.9, 198.51.100.1", "198.51.100.1");
        client_is(&p, "10.0.0.1", "  198.51.100.1\t,\t10.0.0.2 ", "198.51.100.1");
        /* Spoofed entries left of the client are not read, malformed or not. */
        client_is(&p, "10.0.0.1", "not-an-ip, 198.51.100.1, 10.0.0.2", "198.51.100.1");
        /* Only trusted hops: the left-most one is the client. */
        client_is(&p, "10.0.0.1", "10.0.0.3, 10.0.0.2", "10.0.0.3");
}

/* A malformed header (in the part that is read) means the peer. */
static void
clientip_malformed_header_means_peer(void **state)
{
        (void)state;
        struct proxies p = trusted();
        client_is(&p, "10.0.0.1", "", "10.0.0.1");
        client_is(&p, "10.0.0.1", " ", "10.0.0.1");
        client_is(&p, "10.0.0.1", "garbage", "10.0.0.1");
        client_is(&p, "10.0.0.1", "198.51.100.1,", "10.0.0.1");
        client_is(&p, "10.0.0.1", "198.51.100.1,,10.0.0.2", "10.0.0.1");
        client_is(&p, "10.0.0.1", "198.51.100.1, junk", "10.0.0.1");
        client_is(&p, "10.0.0.1", "198.51.100.1:4711", "10.0.0.1");
        client_is(&p, "10.0.0.1", "[2001:db8:1::5]:443", "10.0.0.1");
        client_is(&p, "10.0.0.1", "198.51.100.1 10.0.0.2", "10.0.0.1");
        client_is(&p, "10.0.0.1", "10.0.0.0/8", "10.0.0.1");
        client_is(&p, "10.0.0.1", "unknown", "10.0.0.1");
        /* Over-long entry and over-long header. */
        char big[5000];
        memset(big, '1', 100);
        big[100] = '\0';
        client_is(&p, "10.0.0.1", big, "10.0.0.1");
        for (size_t i = 0; i + 12 < sizeof(big); i += 12)
                memcpy(big + i, "198.51.100.1", 12), big[i + 12] = ',';
        big[sizeof(big) - 1] = '\0';
        memcpy(big + sizeof(big) - 13, "198.51.100.1", 12);
        client_is(&p, "10.0.0.1", big, "10.0.0.1");
}

static void
clientip_ipv6_and_mapped_ipv4(void **state)
{
        (void)state;
        struct proxies p = trusted();
        client_is(&p, "2001:db8:ffff::1", "2001:db8:1::5", "2001:db8:1::5");
        client_is(&p, "2001:db8:ffff::1", "2001:db8:1::5, 2001:db8:ffff:1::2", "2001:db8:1::5");
        client_is(&p, "2001:db8:ffff::1", "198.51.100.1", "198.51.100.1");
        /* A dual-stack socket reports an IPv4 proxy as ::ffff:a.b.c.d. */
        client_is(&p, "::ffff:10.0.0.1", "198.51.100.1", "198.51.100.1");
        /* A mapped trusted hop in the header is skipped like its IPv4 form. */
        client_is(&p, "10.0.0.1", "198.51.100.1, ::ffff:10.0.0.2", "198.51.100.1");
        /* A mapped untrusted address is not trusted. */
        client_is(&p, "::ffff:203.0.113.9", "198.51.100.1", "::ffff:203.0.113.9");
        /* A peer that is no address at all is returned as is. */
        client_is(&p, "unix", "198.51.100.1", "unix");
}

/* Parsing allocates nothing, but must still answer SR_OK or SR_E_NOMEM
 * under injected failures and leak nothing. */
static void
nomem_cidr_list(void **state)
{
        (void)state;
        for (unsigned long n = 1; n <= FAIL_AT_MAX; n++) {
                struct sr_cidr l[4];
                size_t got = 0;
                sr_alloc_fail_at(n);
                enum sr_rc rc = sr_cidr_parse_list("10.0.0.0/8, 2001:db8::/32", l, 4, &got);
                sr_alloc_fail_at(0);
                assert_true(rc == SR_OK || rc == SR_E_NOMEM);
                if (rc == SR_OK)
                        assert_int_equal(got, 2);
        }
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(cidr_parses_blocks_and_bare_addresses),
                cmocka_unit_test(cidr_rejects_host_bits_bad_prefixes_and_garbage),
                cmocka_unit_test(ip_parse_maps_ipv4_mapped_ipv6_to_ipv4),
                cmocka_unit_test(cidr_contains_respects_prefix_and_family),
                cmocka_unit_test(cidr_list_parses_commas_and_spaces),
                cmocka_unit_test(clientip_untrusted_peer_ignores_header),
                cmocka_unit_test(clientip_walks_from_the_right_skipping_trusted),
                cmocka_unit_test(clientip_malformed_header_means_peer),
                cmocka_unit_test(clientip_ipv6_and_mapped_ipv4),
                cmocka_unit_test(nomem_cidr_list),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
