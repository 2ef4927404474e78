/* SPDX-License-Identifier: MIT */
/* MAP-E rule math against RFC 7597 Appendix A, and the other cases of 5.2. */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "map_rule.h"
#include "tests/unit/check_main.h"

static struct in6_addr
a6(const char *s)
{
	struct in6_addr a;

	ck_assert_msg(inet_pton(AF_INET6, s, &a) == 1, "bad test address %s", s);
	return a;
}

static uint32_t
a4(const char *s)
{
	struct in_addr a;

	ck_assert_msg(inet_pton(AF_INET, s, &a) == 1, "bad test address %s", s);
	return ntohl(a.s_addr);
}

#define ck_assert_a6(got, want) do {						\
	struct in6_addr w_ = a6(want);						\
	char g_[INET6_ADDRSTRLEN];						\
	inet_ntop(AF_INET6, &(got), g_, sizeof(g_));				\
	ck_assert_msg(memcmp(&(got), &w_, 16) == 0, "got %s, want %s", g_, want); \
} while (0)

static struct map_rule
rule(const char *p6, unsigned n, const char *p4, unsigned r, unsigned o, unsigned a,
     unsigned k, unsigned psid)
{
	struct map_rule mr;
	struct in6_addr p = a6(p6);
	char err[128];

	ck_assert_msg(map_rule_init(&mr, &p, n, a4(p4), r, o, a, k, psid, err, sizeof(err)),
		      "%s", err);
	return mr;
}

struct blocks {
	unsigned n, lo[64], hi[64];
};

static void
collect(void *arg, uint16_t lo, uint16_t hi)
{
	struct blocks *b = arg;

	if (b->n < 64) {
		b->lo[b->n] = lo;
		b->hi[b->n] = hi;
	}
	b->n++;
}

/*
 * Example 1 (BMR): End-user prefix 2001:db8:0012:3400::/56, rule
 * {2001:db8::/40, 192.0.2.0/24, 16}, offset 6: 192.0.2.18, PSID 0x34
 * (length 8), 63 ranges 1232-1235, 2256-2259, ..., 63696-63699, 64720-64723.
 */
START_TEST(test_example1_bmr)
{
	struct map_rule r = rule("2001:db8::", 40, "192.0.2.0", 24, 16, 6, 0, 0);
	struct in6_addr d = a6("2001:db8:12:3400::");
	struct map_ce ce;
	struct blocks b = { 0 };
	char err[128];

	ck_assert_uint_eq(r.psid_len, 8);
	ck_assert(map_rule_ce(&r, &d, 56, &ce, err, sizeof(err)));
	ck_assert_uint_eq(ce.ipv4, 0xc0000212);
	ck_assert_uint_eq(ce.v4_plen, 32);
	ck_assert_uint_eq(ce.psid, 0x34);
	ck_assert_uint_eq(ce.psid_len, 8);
	ck_assert_uint_eq(ce.offset, 6);
	ck_assert_uint_eq(ce.prefix_len, 56);
	ck_assert_a6(ce.prefix, "2001:db8:12:3400::");
	ck_assert_a6(ce.addr, "2001:db8:12:3400:0:c000:212:34");
	portset_blocks(&ce.ps, collect, &b);
	ck_assert_uint_eq(b.n, 63);
	ck_assert_uint_eq(b.lo[0], 1232);
	ck_assert_uint_eq(b.hi[0], 1235);
	ck_assert_uint_eq(b.lo[1], 2256);
	ck_assert_uint_eq(b.hi[1], 2259);
	ck_assert_uint_eq(b.lo[61], 63696);
	ck_assert_uint_eq(b.hi[61], 63699);
	ck_assert_uint_eq(b.lo[62], 64720);
	ck_assert_uint_eq(b.hi[62], 64723);
	/* a longer delegated prefix derives the same (bits past n + o: subnet ID) */
	d = a6("2001:db8:12:3400::");
	ck_assert(map_rule_ce(&r, &d, 60, &ce, err, sizeof(err)));
	ck_assert_a6(ce.addr, "2001:db8:12:3400:0:c000:212:34");
}
END_TEST

/*
 * Example 2 (BR): 192.0.2.18 port 1232 under the same rule as an FMR:
 * PSID 0x34, destination prefix 2001:db8:0012:3400::/56, MAP address
 * 2001:db8:0012:3400:0000:c000:0212:0034.
 */
START_TEST(test_example2_br)
{
	struct map_rule r = rule("2001:db8::", 40, "192.0.2.0", 24, 16, 6, 0, 0);
	struct in6_addr out;
	struct map_ce ce;

	ck_assert(map_rule_addr(&r, a4("192.0.2.18"), 1232, &out));
	ck_assert_a6(out, "2001:db8:12:3400:0:c000:212:34");
	ck_assert(map_rule_ce_of(&r, a4("192.0.2.18"), 1232, &ce));
	ck_assert_a6(ce.prefix, "2001:db8:12:3400::");
	ck_assert_uint_eq(ce.prefix_len, 56);
	ck_assert_uint_eq(ce.psid, 0x34);
	/* every port of the set maps there, the neighbours' do not */
	ck_assert(map_rule_addr(&r, a4("192.0.2.18"), 64723, &out));
	ck_assert_a6(out, "2001:db8:12:3400:0:c000:212:34");
	ck_assert(map_rule_addr(&r, a4("192.0.2.18"), 1236, &out));
	ck_assert_a6(out, "2001:db8:12:3500:0:c000:212:35");
	/* excluded ports (block 0 with a = 6) belong to nobody */
	ck_assert(!map_rule_addr(&r, a4("192.0.2.18"), 80, &out));
	ck_assert(!map_rule_addr(&r, a4("192.0.2.18"), 1023, &out));
	/* outside the rule's IPv4 prefix */
	ck_assert(!map_rule_addr(&r, a4("192.0.3.18"), 1232, &out));
}
END_TEST

/*
 * Example 3 (FMR): CE A sends to 192.0.2.18 port 1232; the FMR (the
 * same rule) gives the same MAP address as at the BR, found among rules.
 */
START_TEST(test_example3_fmr)
{
	struct map_rule rs[2];
	struct in6_addr out;

	rs[0] = rule("2001:db8:ff00::", 40, "198.51.100.0", 24, 16, 6, 0, 0);
	rs[1] = rule("2001:db8::", 40, "192.0.2.0", 24, 16, 6, 0, 0);
	ck_assert_int_eq(map_rules_addr(rs, 2, a4("192.0.2.18"), 1232, &out), 1);
	ck_assert_a6(out, "2001:db8:12:3400:0:c000:212:34");
	ck_assert_int_eq(map_rules_find(rs, 2, a4("192.0.2.18")), 1);
	ck_assert_int_eq(map_rules_find(rs, 2, a4("203.0.113.1")), -1);
}
END_TEST

/*
 * Example 4 (no EA bits, no sharing): rule {2001:db8:0012:3400::/56,
 * 192.0.2.18/32, EA-bits 0}: 192.0.2.18, all ports, MAP CE address
 * 2001:db8:0012:3400:0000:c000:0212:0000.
 */
START_TEST(test_example4_ea0)
{
	struct map_rule r = rule("2001:db8:12:3400::", 56, "192.0.2.18", 32, 0, 6, 0, 0);
	struct in6_addr d = a6("2001:db8:12:3400::"), out;
	struct map_ce ce;
	char err[128];

	ck_assert(map_rule_ce(&r, &d, 56, &ce, err, sizeof(err)));
	ck_assert_uint_eq(ce.ipv4, 0xc0000212);
	ck_assert_uint_eq(ce.psid_len, 0);
	ck_assert_uint_eq(ce.ps.kind, PORTSET_RANGE);
	ck_assert_uint_eq(ce.ps.min, 0);
	ck_assert_uint_eq(ce.ps.max, 65535);
	ck_assert_a6(ce.addr, "2001:db8:12:3400:0:c000:212:0");
	ck_assert(map_rule_addr(&r, a4("192.0.2.18"), 80, &out));
	ck_assert_a6(out, "2001:db8:12:3400:0:c000:212:0");
}
END_TEST

/*
 * Example 5 (no EA bits, sharing): the same rule, PSID length 8 and the
 * PSID provisioned with it (DHCPv6 in the RFC), offset 6. The RFC text
 * prints PSID 0x20, but its ports and address are those of 0x34
 * (errata 5324 says so of the same example in RFC 7599): ports
 * 1232-1235, 2256-2259, ..., 63696-63699, 64720-64723; MAP CE address
 * 2001:db8:0012:3400:0000:c000:0212:0034.
 */
START_TEST(test_example5_ea0_psid)
{
	struct map_rule r = rule("2001:db8:12:3400::", 56, "192.0.2.18", 32, 0, 6, 8, 0x34);
	struct in6_addr d = a6("2001:db8:12:3400::"), out;
	struct map_ce ce;
	struct blocks b = { 0 };
	char err[128];

	ck_assert(map_rule_ce(&r, &d, 56, &ce, err, sizeof(err)));
	ck_assert_uint_eq(ce.ipv4, 0xc0000212);
	ck_assert_uint_eq(ce.psid, 0x34);
	ck_assert_uint_eq(ce.psid_len, 8);
	portset_blocks(&ce.ps, collect, &b);
	ck_assert_uint_eq(b.n, 63);
	ck_assert_uint_eq(b.lo[0], 1232);
	ck_assert_uint_eq(b.hi[0], 1235);
	ck_assert_uint_eq(b.lo[1], 2256);
	ck_assert_uint_eq(b.hi[1], 2259);
	ck_assert_uint_eq(b.lo[61], 63696);
	ck_assert_uint_eq(b.hi[61], 63699);
	ck_assert_uint_eq(b.lo[62], 64720);
	ck_assert_uint_eq(b.hi[62], 64723);
	ck_assert_a6(ce.addr, "2001:db8:12:3400:0:c000:212:34");
	ck_assert(map_rule_addr(&r, a4("192.0.2.18"), 1232, &out));
	ck_assert_a6(out, "2001:db8:12:3400:0:c000:212:34");
	/* another PSID of that address is not this rule's CE */
	ck_assert(!map_rule_addr(&r, a4("192.0.2.18"), 1152, &out));
}
END_TEST

/* o + r = 32: a full IPv4 address, no PSID. */
START_TEST(test_full_address)
{
	struct map_rule r = rule("2001:db8::", 40, "192.0.2.0", 24, 8, 6, 0, 0);
	struct in6_addr d = a6("2001:db8:12::"), out;
	struct map_ce ce;
	char err[128];

	ck_assert_uint_eq(r.psid_len, 0);
	ck_assert(map_rule_ce(&r, &d, 48, &ce, err, sizeof(err)));
	ck_assert_uint_eq(ce.ipv4, 0xc0000212);
	ck_assert_uint_eq(ce.v4_plen, 32);
	ck_assert_uint_eq(portset_size(&ce.ps), 65536);
	ck_assert_a6(ce.addr, "2001:db8:12:0:0:c000:212:0");
	ck_assert(map_rule_addr(&r, a4("192.0.2.18"), 7, &out));
	ck_assert_a6(out, "2001:db8:12:0:0:c000:212:0");
}
END_TEST

/* o + r < 32: an IPv4 prefix (several addresses), IID with the prefix. */
START_TEST(test_ipv4_prefix)
{
	struct map_rule r = rule("2001:db8::", 40, "192.0.2.0", 24, 4, 6, 0, 0);
	struct in6_addr d = a6("2001:db8:50::"), out;
	struct map_ce ce;
	char err[128];

	ck_assert_uint_eq(r.v4_plen, 28);
	ck_assert(map_rule_ce(&r, &d, 44, &ce, err, sizeof(err)));
	ck_assert_uint_eq(ce.ipv4, 0xc0000250);	/* 192.0.2.80/28 */
	ck_assert_uint_eq(ce.v4_plen, 28);
	ck_assert_a6(ce.addr, "2001:db8:50:0:0:c000:250:0");
	/* every address of the /28 goes to that CE */
	ck_assert(map_rule_addr(&r, a4("192.0.2.95"), 1, &out));
	ck_assert_a6(out, "2001:db8:50:0:0:c000:250:0");
	ck_assert(map_rule_addr(&r, a4("192.0.2.96"), 1, &out));
	ck_assert_a6(out, "2001:db8:60:0:0:c000:260:0");
}
END_TEST

/* CE and BR agree on every CE of a small domain, PSID by PSID. */
START_TEST(test_roundtrip)
{
	struct map_rule r = rule("2001:db8:f000::", 48, "192.0.2.8", 30, 8, 6, 0, 0);
	char err[128];

	ck_assert_uint_eq(r.psid_len, 6);
	for (unsigned ea = 0; ea < 256; ea++) {
		struct in6_addr d = a6("2001:db8:f000::"), out;
		struct map_ce ce;

		d.s6_addr[6] = (uint8_t)ea;
		ck_assert(map_rule_ce(&r, &d, 56, &ce, err, sizeof(err)));
		ck_assert_uint_eq(ce.ipv4, 0xc0000208 | (ea >> 6));
		ck_assert_uint_eq(ce.psid, ea & 63);
		for (int port = portset_next(&ce.ps, 0); port >= 0;
		     port = portset_next(&ce.ps, (uint32_t)port + 97)) {
			ck_assert(map_rule_addr(&r, ce.ipv4, (uint16_t)port, &out));
			ck_assert(memcmp(&out, &ce.addr, 16) == 0);
		}
	}
}
END_TEST

START_TEST(test_invalid)
{
	struct map_rule r;
	struct in6_addr p = a6("2001:db8::"), d;
	struct map_ce ce;
	char err[128];

	/* n + o beyond 64 */
	ck_assert(!map_rule_init(&r, &p, 56, a4("192.0.2.0"), 24, 16, 6, 0, 0, err, sizeof(err)));
	/* a + k beyond 16: k = 16 - 0 with offset 6 */
	ck_assert(!map_rule_init(&r, &p, 32, a4("192.0.2.0"), 32, 16, 6, 0, 0, err, sizeof(err)));
	/* host bits */
	ck_assert(!map_rule_init(&r, &p, 16, a4("192.0.2.0"), 24, 16, 6, 0, 0, err, sizeof(err)));
	ck_assert(!map_rule_init(&r, &p, 40, a4("192.0.2.1"), 24, 16, 6, 0, 0, err, sizeof(err)));
	/* a PSID with the rule needs o = 0 and a /32 */
	ck_assert(!map_rule_init(&r, &p, 40, a4("192.0.2.0"), 24, 16, 6, 8, 1, err, sizeof(err)));
	ck_assert(!map_rule_init(&r, &p, 40, a4("192.0.2.0"), 24, 0, 6, 8, 1, err, sizeof(err)));
	ck_assert(!map_rule_init(&r, &p, 40, a4("192.0.2.1"), 32, 0, 6, 8, 256, err, sizeof(err)));
	ck_assert(map_rule_init(&r, &p, 40, a4("192.0.2.0"), 24, 16, 6, 0, 0, err, sizeof(err)));
	/* a prefix outside the rule, or too short for the EA bits */
	d = a6("2001:db9:12:3400::");
	ck_assert(!map_rule_ce(&r, &d, 56, &ce, err, sizeof(err)));
	d = a6("2001:db8:12::");
	ck_assert(!map_rule_ce(&r, &d, 48, &ce, err, sizeof(err)));
	ck_assert(strstr(err, "shorter") != NULL);
}
END_TEST

START_TEST(test_sort_format)
{
	struct map_rule rs[3];
	char buf[128];

	rs[0] = rule("2001:db8::", 40, "192.0.2.0", 24, 16, 6, 0, 0);
	rs[1] = rule("2001:db8:12:3400::", 56, "192.0.2.1", 32, 0, 6, 8, 0x20);
	rs[2] = rule("2001:db8:f000::", 48, "192.0.2.8", 30, 8, 6, 0, 0);
	map_rules_sort(rs, 3);
	ck_assert_uint_eq(rs[0].plen4, 32);
	ck_assert_uint_eq(rs[1].plen4, 30);
	ck_assert_uint_eq(rs[2].plen4, 24);
	map_rule_format(&rs[2], buf, sizeof(buf));
	ck_assert_str_eq(buf, "2001:db8::/40 192.0.2.0/24 ea 16 offset 6");
	map_rule_format(&rs[0], buf, sizeof(buf));
	ck_assert_str_eq(buf, "2001:db8:12:3400::/56 192.0.2.1/32 ea 0 offset 6 psid 32/8");
}
END_TEST

static Suite *
map_rule_suite(void)
{
	Suite *s = suite_create("map_rule");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_example1_bmr);
	tcase_add_test(tc, test_example2_br);
	tcase_add_test(tc, test_example3_fmr);
	tcase_add_test(tc, test_example4_ea0);
	tcase_add_test(tc, test_example5_ea0_psid);
	tcase_add_test(tc, test_full_address);
	tcase_add_test(tc, test_ipv4_prefix);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_invalid);
	tcase_add_test(tc, test_sort_format);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(map_rule_suite());
}
