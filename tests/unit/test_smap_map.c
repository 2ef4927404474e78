/* SPDX-License-Identifier: MIT */
/* The SMAP's MAP-E mesh: next hop by FMR, and the check of other CEs' packets. */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "pkt.h"
#include "smap/datapath.h"
#include "tests/unit/check_main.h"

#define MAPPED	0xc0000209u	/* 192.0.2.9 */
#define INET	0xc633640au

static struct smap_params p;
static struct in6_addr ce1, ce2;
static uint64_t stats[SMAP_STAT_MAX];

static void
setup(void)
{
	struct in6_addr p6;
	char err[128];

	memset(&p, 0, sizeof(p));
	memset(stats, 0, sizeof(stats));
	inet_pton(AF_INET6, "2001:db8:100::1", &p.prr);
	inet_pton(AF_INET6, "2001:db8:f000:4100:0:c000:209:1", &ce1);
	inet_pton(AF_INET6, "2001:db8:f000:4200:0:c000:209:2", &ce2);
	inet_pton(AF_INET6, "2001:db8:f000::", &p6);
	ck_assert(map_rule_init(&p.fmr[0], &p6, 48, 0xc0000208u, 30, 8, 6, 0, 0,
				err, sizeof(err)));
	p.n_fmr = 1;
	/* we are CE 1: PSID 1 */
	p.ipv4 = MAPPED;
	p.ps = portset_psid(6, 6, 1);
	p.mtu = 1500;
}

static size_t
udp4(uint8_t *b, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint16_t frag)
{
	uint8_t s[4], d[4];
	uint16_t c;

	ipv4_build(b, 0, 28 + 8, 1, frag, 64, IPPROTO_UDP, src, dst);
	put16(b + 20, sport);
	put16(b + 22, dport);
	put16(b + 24, 16);
	put16(b + 26, 0);
	memset(b + 28, 1, 8);
	put32(s, src);
	put32(d, dst);
	c = (uint16_t)~csum_fold(csum_partial(b + 20, 16, csum_pseudo4(s, d, IPPROTO_UDP, 16)));
	memcpy(b + 26, &c, 2);
	return 36;
}

START_TEST(next_hop)
{
	uint8_t b[64];
	struct in6_addr dst;
	size_t n;

	/* to CE 2's port (PSID 2): straight there */
	n = udp4(b, MAPPED, 1040, MAPPED, 1056, 0);
	ck_assert(smap_next_hop(&p, b, n, &dst));
	ck_assert(memcmp(&dst, &ce2, 16) == 0);
	/* to the Internet: the PRR */
	n = udp4(b, MAPPED, 1040, INET, 53, 0);
	ck_assert(!smap_next_hop(&p, b, n, &dst));
	ck_assert(memcmp(&dst, &p.prr, 16) == 0);
	/* to an excluded port of the rule's address: nobody's, the PRR decides */
	n = udp4(b, MAPPED, 1040, MAPPED, 80, 0);
	ck_assert(!smap_next_hop(&p, b, n, &dst));
	/* a fragment: its port is not in every piece, the PRR reassembles */
	n = udp4(b, MAPPED, 1040, MAPPED, 1056, 0x2000);
	ck_assert(!smap_next_hop(&p, b, n, &dst));
	ck_assert(memcmp(&dst, &p.prr, 16) == 0);
	/* no FMR: always the PRR */
	p.n_fmr = 0;
	n = udp4(b, MAPPED, 1040, MAPPED, 1056, 0);
	ck_assert(!smap_next_hop(&p, b, n, &dst));
}
END_TEST

START_TEST(inbound_mesh)
{
	uint8_t b[64];
	size_t n;

	/* from CE 2, from its own port, to ours: accepted */
	n = udp4(b, MAPPED, 1056, MAPPED, 1040, 0);
	ck_assert_int_eq(smap_inbound(&p, &ce2, b, n, stats), SMAP_PASS);
	ck_assert_uint_eq(stats[SMAP_STAT_IN_MESH], 1);
	/* from CE 2's address, but a source port of PSID 3: refused */
	n = udp4(b, MAPPED, 1072, MAPPED, 1040, 0);
	ck_assert_int_eq(smap_inbound(&p, &ce2, b, n, stats), SMAP_DROP);
	ck_assert_uint_eq(stats[SMAP_STAT_IN_DROP_NOT_PRR], 1);
	/* an Internet source from a CE: refused */
	n = udp4(b, INET, 53, MAPPED, 1040, 0);
	ck_assert_int_eq(smap_inbound(&p, &ce2, b, n, stats), SMAP_DROP);
	ck_assert_uint_eq(stats[SMAP_STAT_IN_DROP_NOT_PRR], 2);
	/* through the PRR: as before */
	ck_assert_int_eq(smap_inbound(&p, &p.prr, b, n, stats), SMAP_PASS);
	/* without FMRs, only the PRR */
	p.n_fmr = 0;
	n = udp4(b, MAPPED, 1056, MAPPED, 1040, 0);
	ck_assert_int_eq(smap_inbound(&p, &ce2, b, n, stats), SMAP_DROP);
	ck_assert_uint_eq(stats[SMAP_STAT_IN_DROP_NOT_PRR], 3);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("smap_map");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, next_hop);
	tcase_add_test(tc, inbound_mesh);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(suite());
}
