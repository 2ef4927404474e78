/* SPDX-License-Identifier: MIT */
/*
 * The SMAP's pure core beyond the packet path: the live binding a config
 * starts with, the plan of what a change of binding redoes (live.c), and
 * MAP-E derivation from a rule list (map_derive.c).
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "smap/live.h"
#include "smap/map_derive.h"
#include "tests/unit/check_main.h"

static struct smap_live
bound(uint32_t ipv4, unsigned lo, unsigned hi, unsigned mtu)
{
	struct smap_live l;

	memset(&l, 0, sizeof(l));
	l.params.ipv4 = ipv4;
	l.params.ps = portset_range((uint16_t)lo, (uint16_t)hi);
	l.params.mtu = mtu;
	l.bound = true;
	return l;
}

START_TEST(from_config)
{
	static struct smap_config c;
	struct smap_live l;

	memset(&c, 0, sizeof(c));
	c.params.ipv4 = 0xc0000201;
	c.params.ps = portset_range(10000, 10999);
	c.params.mtu = 1500;
	inet_pton(AF_INET6, "2001:db8:1::2", &c.wan_addr);
	c.has_wan_addr = true;
	smap_live_from_config(&l, &c);
	ck_assert(l.bound);
	ck_assert_uint_eq(l.params.ipv4, 0xc0000201);
	ck_assert(portset_contains(&l.params.ps, 10999));
	ck_assert(l.has_wan_addr);
	ck_assert(memcmp(&l.wan_addr, &c.wan_addr, 16) == 0);
	/* registering: nothing bound until the PRR answers */
	c.registration.enabled = true;
	smap_live_from_config(&l, &c);
	ck_assert(!l.bound);
}
END_TEST

START_TEST(plan_not_up)
{
	struct smap_live old = bound(0, 0, 0, 1500), next = old;
	struct smap_change ch;

	old.bound = next.bound = false;
	next.params.mtu = 1280;		/* before the first set: only recorded */
	smap_change_plan(&old, &next, false, false, &ch);
	ck_assert(!ch.start && !ch.flush && !ch.tun && !ch.nat && !ch.tun_mtu && !ch.mss);
	/* the first set: everything comes with the start */
	next = bound(0xc0000201, 10000, 10999, 1280);
	smap_change_plan(&old, &next, false, false, &ch);
	ck_assert(ch.start);
	ck_assert(!ch.flush && !ch.tun && !ch.nat && !ch.softwire);
}
END_TEST

START_TEST(plan_new_set)
{
	struct smap_live old = bound(0xc0000201, 10000, 10999, 1500), next = old;
	struct smap_change ch;

	next.params.ps = portset_range(12000, 12999);
	smap_change_plan(&old, &next, true, false, &ch);
	ck_assert(ch.flush && ch.nat);
	ck_assert(!ch.tun && !ch.start && !ch.softwire && !ch.mss);
	/* a new address: the TUN too */
	next.params.ipv4 = 0xc0000202;
	smap_change_plan(&old, &next, true, false, &ch);
	ck_assert(ch.flush && ch.tun && ch.nat);
}
END_TEST

START_TEST(plan_mtu)
{
	struct smap_live old = bound(0xc0000201, 10000, 10999, 1500), next = old;
	struct smap_change ch;

	next.params.mtu = 1280;
	smap_change_plan(&old, &next, true, false, &ch);
	ck_assert(ch.tun_mtu && ch.mss);
	ck_assert(!ch.flush && !ch.nat && !ch.tun);
	/* with a reload the new table carries the new MSS */
	smap_change_plan(&old, &next, true, true, &ch);
	ck_assert(ch.tun_mtu && ch.nat && !ch.mss);
	/* with a new address the new TUN takes the MTU */
	next.params.ipv4 = 0xc0000202;
	smap_change_plan(&old, &next, true, false, &ch);
	ck_assert(ch.tun && !ch.tun_mtu);
}
END_TEST

START_TEST(plan_same_or_peers)
{
	struct smap_live old = bound(0xc0000201, 10000, 10999, 1500), next = old;
	struct smap_change ch;

	/* the data path reads the PRR and peers from the binding: nothing to redo */
	inet_pton(AF_INET6, "2001:db8:100::9", &next.params.prr);
	next.params.n_peers = 1;
	smap_change_plan(&old, &next, true, false, &ch);
	ck_assert(!ch.flush && !ch.tun && !ch.nat && !ch.mss && !ch.softwire && !ch.start);
	/* a reload makes the table again even so */
	smap_change_plan(&old, &next, true, true, &ch);
	ck_assert(ch.nat && !ch.flush);
}
END_TEST

START_TEST(plan_map_address)
{
	struct smap_live old = bound(0xc0000212, 1232, 1235, 1500), next = old;
	struct smap_change ch;

	inet_pton(AF_INET6, "2001:db8:12:3400:0:c000:212:34", &next.wan_addr);
	next.has_wan_addr = true;
	smap_change_plan(&old, &next, true, false, &ch);
	ck_assert(ch.softwire && !ch.flush);
	/* also before the data path is up (the first rules from the PRR) */
	old.bound = false;
	smap_change_plan(&old, &next, false, false, &ch);
	ck_assert(ch.softwire && ch.start);
}
END_TEST

/* RFC 7597 Appendix A example 1, as a rule list with an FMR. */
START_TEST(derive_rfc7597)
{
	struct map_rule rules[2];
	struct map_derived d;
	struct in6_addr p6, user, want;
	char err[128];

	inet_pton(AF_INET6, "2001:db8::", &p6);
	ck_assert(map_rule_init(&rules[0], &p6, 40, 0xc0000200, 24, 16, 6, 0, 0, err, sizeof(err)));
	rules[0].forwarding = true;
	inet_pton(AF_INET6, "2001:db8:ff00::", &p6);
	ck_assert(map_rule_init(&rules[1], &p6, 40, 0xc6336400, 24, 16, 6, 0, 0, err, sizeof(err)));
	rules[1].forwarding = false;
	inet_pton(AF_INET6, "2001:db8:12:3400::", &user);
	ck_assert_msg(smap_map_derive(&user, 56, rules, 2, &d, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(d.ipv4, 0xc0000212);
	ck_assert_uint_eq(d.ce.psid, 0x34);
	ck_assert(portset_contains(&d.ps, 1232) && !portset_contains(&d.ps, 1236));
	inet_pton(AF_INET6, "2001:db8:12:3400:0:c000:212:34", &want);
	ck_assert(memcmp(&d.ce.addr, &want, 16) == 0);
	ck_assert_uint_eq(d.n_fmr, 1);
	/* a prefix no rule holds */
	inet_pton(AF_INET6, "2001:db9::", &user);
	ck_assert(!smap_map_derive(&user, 56, rules, 2, &d, err, sizeof(err)));
	ck_assert(strstr(err, "no Basic Mapping Rule") != NULL);
}
END_TEST

static Suite *
live_suite(void)
{
	Suite *s = suite_create("smap_live");
	TCase *tc = tcase_create("smap_live");

	tcase_add_test(tc, from_config);
	tcase_add_test(tc, plan_not_up);
	tcase_add_test(tc, plan_new_set);
	tcase_add_test(tc, plan_mtu);
	tcase_add_test(tc, plan_same_or_peers);
	tcase_add_test(tc, plan_map_address);
	tcase_add_test(tc, derive_rfc7597);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(live_suite());
}
