/* SPDX-License-Identifier: MIT */
/*
 * prr/pcp_rules.c: which MAP-E rules go in a registration answer, in
 * which order, which sources are MAP addresses of a rule, and the
 * 1100-byte limit.
 */
#include <arpa/inet.h>
#include <check.h>
#include <string.h>

#include "prr/pcp_rules.h"
#include "tests/unit/check_main.h"

static struct in6_addr
a6(const char *s)
{
	struct in6_addr a;

	ck_assert_int_eq(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static void
add_rule(struct prr_params *p, const char *p6, unsigned n, uint32_t p4, unsigned r,
	 unsigned ea, bool fwd)
{
	struct in6_addr x = a6(p6);
	char err[96];

	ck_assert_msg(map_rule_init(&p->rules[p->n_rules], &x, n, p4, r, ea, 6, 0, 0, err,
				    sizeof(err)), "%s", err);
	p->rules[p->n_rules++].forwarding = fwd;
}

static struct prr_params P;

static void
setup(void)
{
	memset(&P, 0, sizeof(P));
	/* as the PRR keeps them: longest IPv4 prefix first */
	add_rule(&P, "2001:db8:e000::", 40, 0xc6336400, 24, 16, false);	/* 198.51.100/24 */
	add_rule(&P, "2001:db8:f000::", 48, 0xc0000208, 30, 8, true);	/* 192.0.2.8/30 */
	map_rules_sort(P.rules, P.n_rules);
}

START_TEST(bmr_first)
{
	static struct pcp_response rsp;
	struct in6_addr m = a6("2001:db8:f000:4100:0:c000:209:1");

	ck_assert_uint_eq(pcp_rules_fill(&P, &m, &rsp), 2);
	ck_assert_uint_eq(rsp.rules[0].plen6, 48);	/* its BMR, though sorted second */
	ck_assert(rsp.rules[0].forwarding);
	ck_assert_uint_eq(rsp.rules[1].plen6, 40);
	ck_assert(!rsp.rules[1].forwarding);
	/* from outside every rule: all of them, in the PRR's order */
	m = a6("2001:db8:1::2");
	ck_assert_uint_eq(pcp_rules_fill(&P, &m, &rsp), 2);
	ck_assert_uint_eq(rsp.rules[0].prefix4, P.rules[0].prefix4);
	ck_assert_uint_eq(rsp.rules[1].prefix4, P.rules[1].prefix4);
	P.n_rules = 0;
	ck_assert_uint_eq(pcp_rules_fill(&P, &m, &rsp), 0);
}
END_TEST

START_TEST(map_address_ce)
{
	struct map_ce ce;
	struct in6_addr m = a6("2001:db8:f000:4100:0:c000:209:1");

	ck_assert(pcp_rules_ce(&P, &m, &ce));
	ck_assert_uint_eq(ce.ipv4, 0xc0000209);
	ck_assert_uint_eq(ce.psid, 1);
	ck_assert_uint_eq(ce.psid_len, 6);
	/* in the prefix, but not the MAP address: a registration as usual */
	m = a6("2001:db8:f000:4100::1");
	ck_assert(!pcp_rules_ce(&P, &m, &ce));
	m = a6("2001:db8:f000:4100:0:c000:209:2");	/* another PSID's interface id */
	ck_assert(!pcp_rules_ce(&P, &m, &ce));
	m = a6("2001:db8:1::2");
	ck_assert(!pcp_rules_ce(&P, &m, &ce));
}
END_TEST

START_TEST(within_1100)
{
	static struct pcp_response rsp;
	struct portset ps = portset_psid(6, 6, 1);
	uint8_t out[PCP_MAX_LEN];
	unsigned dropped;
	size_t n;

	memset(&rsp, 0, sizeof(rsp));
	rsp.opcode = PCP_OP_MAP;
	rsp.n_port_sets = pcp_port_sets_from_portset(&ps, rsp.port_sets, PCP_MAX_PORT_SETS);
	ck_assert_uint_eq(rsp.n_port_sets, 63);
	for (unsigned i = 0; i < 20; i++)
		rsp.rules[i] = P.rules[i % 2];
	rsp.n_rules = 20;
	n = pcp_rules_build(out, sizeof(out), &rsp, &dropped);
	ck_assert_uint_eq(n, 60 + 63 * 12 + 8 * 32);
	ck_assert_uint_eq(rsp.n_rules, 8);
	ck_assert_uint_eq(dropped, 12);
	/* without port sets all 20 fit */
	rsp.n_port_sets = 0;
	rsp.n_rules = 20;
	ck_assert_uint_eq(pcp_rules_build(out, sizeof(out), &rsp, &dropped), 60 + 20 * 32);
	ck_assert_uint_eq(dropped, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("pcp_rules");
	TCase *tc = tcase_create("pcp_rules");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, bmr_first);
	tcase_add_test(tc, map_address_ce);
	tcase_add_test(tc, within_1100);
	suite_add_tcase(s, tc);
	return check_main(s);
}
