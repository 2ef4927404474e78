/* SPDX-License-Identifier: MIT */
/*
 * The SMAP data path (common/smap_path.c): the inbound checks (outer
 * source, shared address, port set, ICMP quotes) and the outbound
 * decisions (source, port, MTU: pass, fragment, fragmentation needed).
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "pkt.h"
#include "smap/datapath.h"
#include "tests/unit/check_main.h"

#define SHARED	0xc0000201u	/* 192.0.2.1 */
#define INET	0xc633640au	/* 198.51.100.10 */
#define LAN	0xc0a8010au	/* 192.168.1.10 */

static struct smap_params P;
static struct in6_addr PRR, OTHER;
static uint64_t st[SMAP_STAT_MAX];

static void
setup(void)
{
	memset(&P, 0, sizeof(P));
	inet_pton(AF_INET6, "2001:db8:100::1", &PRR);
	inet_pton(AF_INET6, "2001:db8:1::1", &OTHER);
	P.prr = PRR;
	P.ipv4 = SHARED;
	P.ps = portset_range(10000, 10999);
	P.mtu = 1500;
	memset(st, 0, sizeof(st));
}

/* IPv4 + UDP with payload n bytes; returns the length */
static size_t
udp4(uint8_t *b, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, size_t n,
     bool df)
{
	size_t len = 20 + 8 + n;

	memset(b, 0, len);
	ipv4_build(b, 0, (uint16_t)len, 7, df ? IPV4_DF : 0, 64, IPPROTO_UDP, src, dst);
	put16(b + 20, sport);
	put16(b + 22, dport);
	put16(b + 24, (uint16_t)(8 + n));
	return len;
}

static size_t
echo4(uint8_t *b, uint32_t src, uint32_t dst, uint8_t type, uint16_t id)
{
	uint16_t c;

	memset(b, 0, 36);
	ipv4_build(b, 0, 36, 1, 0, 64, IPPROTO_ICMP, src, dst);
	b[20] = type;
	put16(b + 24, id);
	put16(b + 26, 1);
	c = csum_buf(b + 20, 16);
	memcpy(b + 22, &c, 2);
	return 36;
}

/* an ICMP error from `from' to `to' quoting the packet q */
static size_t
err4(uint8_t *b, uint32_t from, uint32_t to, uint8_t type, const uint8_t *q, size_t qlen)
{
	return icmp4_error_build(b, 600, from, to, type, 0, 0, q, qlen, 576);
}

START_TEST(in_udp_in_set)
{
	uint8_t b[100];
	size_t n = udp4(b, INET, 80, SHARED, 10500, 10, true);

	ck_assert_int_eq(smap_inbound(&P, &PRR, b, n, st), SMAP_PASS);
	n = udp4(b, INET, 80, SHARED, 10000, 10, true);
	ck_assert_int_eq(smap_inbound(&P, &PRR, b, n, st), SMAP_PASS);
	n = udp4(b, INET, 80, SHARED, 10999, 10, true);
	ck_assert_int_eq(smap_inbound(&P, &PRR, b, n, st), SMAP_PASS);
}
END_TEST

START_TEST(in_drops_named)
{
	uint8_t b[100];
	size_t n = udp4(b, INET, 80, SHARED, 10500, 10, true);

	ck_assert_int_eq(smap_inbound(&P, &OTHER, b, n, st), SMAP_DROP);
	ck_assert_uint_eq(st[SMAP_STAT_IN_DROP_NOT_PRR], 1);
	n = udp4(b, INET, 80, SHARED, 11000, 10, true);
	ck_assert_int_eq(smap_inbound(&P, &PRR, b, n, st), SMAP_DROP);
	ck_assert_uint_eq(st[SMAP_STAT_IN_DROP_PORT], 1);
	n = udp4(b, INET, 80, SHARED + 1, 10500, 10, true);
	ck_assert_int_eq(smap_inbound(&P, &PRR, b, n, st), SMAP_DROP);
	ck_assert_uint_eq(st[SMAP_STAT_IN_DROP_NOT_OURS], 1);
	n = udp4(b, INET, 80, SHARED, 10500, 10, true);
	b[10] ^= 1;	/* header checksum */
	ck_assert_int_eq(smap_inbound(&P, &PRR, b, n, st), SMAP_DROP);
	ck_assert_uint_eq(st[SMAP_STAT_IN_DROP_MALFORMED], 1);
	ck_assert_int_eq(smap_inbound(&P, &PRR, b, 10, st), SMAP_DROP);
	ck_assert_uint_eq(st[SMAP_STAT_IN_DROP_MALFORMED], 2);
	/* GRE: no port to check */
	n = udp4(b, INET, 80, SHARED, 10500, 10, true);
	b[9] = 47;
	ipv4_set_csum(b);
	ck_assert_int_eq(smap_inbound(&P, &PRR, b, n, st), SMAP_DROP);
	ck_assert_uint_eq(st[SMAP_STAT_IN_DROP_NO_PORT], 1);
	/* UDP header cut short */
	n = udp4(b, INET, 80, SHARED, 10500, 0, true);
	put16(b + 2, 24);
	ipv4_set_csum(b);
	ck_assert_int_eq(smap_inbound(&P, &PRR, b, 24, st), SMAP_DROP);
	ck_assert_uint_eq(st[SMAP_STAT_IN_DROP_L4], 1);
}
END_TEST

START_TEST(in_peer_allowed)
{
	uint8_t b[100];
	size_t n = udp4(b, INET, 80, SHARED, 10500, 10, true);

	P.peers[0] = OTHER;
	P.n_peers = 1;
	ck_assert_int_eq(smap_inbound(&P, &OTHER, b, n, st), SMAP_PASS);
}
END_TEST

START_TEST(in_icmp_echo_id)
{
	uint8_t b[100];
	size_t n = echo4(b, INET, SHARED, 0, 10123);

	ck_assert_int_eq(smap_inbound(&P, &PRR, b, n, st), SMAP_PASS);
	n = echo4(b, INET, SHARED, 8, 10124);	/* a request to the SMAP itself */
	ck_assert_int_eq(smap_inbound(&P, &PRR, b, n, st), SMAP_PASS);
	n = echo4(b, INET, SHARED, 0, 15123);
	ck_assert_int_eq(smap_inbound(&P, &PRR, b, n, st), SMAP_DROP);
	ck_assert_uint_eq(st[SMAP_STAT_IN_DROP_PORT], 1);
	n = echo4(b, INET, SHARED, 13, 10123);	/* timestamp: neither echo nor error */
	ck_assert_int_eq(smap_inbound(&P, &PRR, b, n, st), SMAP_DROP);
	ck_assert_uint_eq(st[SMAP_STAT_IN_DROP_ICMP_TYPE], 1);
}
END_TEST

START_TEST(in_icmp_error_quote)
{
	uint8_t q[100], b[600];
	size_t qn, n;

	/* time exceeded about our UDP from 10500: by the quoted source port */
	qn = udp4(q, SHARED, 10500, INET, 33434, 32, false);
	n = err4(b, 0xc6336401u, SHARED, 11, q, qn);
	ck_assert_int_eq(smap_inbound(&P, &PRR, b, n, st), SMAP_PASS);
	qn = udp4(q, SHARED, 11500, INET, 33434, 32, false);
	n = err4(b, INET, SHARED, 3, q, qn);
	ck_assert_int_eq(smap_inbound(&P, &PRR, b, n, st), SMAP_DROP);
	ck_assert_uint_eq(st[SMAP_STAT_IN_DROP_PORT], 1);
	/* quoting a packet that was not ours */
	qn = udp4(q, LAN, 10500, INET, 33434, 32, false);
	n = err4(b, INET, SHARED, 3, q, qn);
	ck_assert_int_eq(smap_inbound(&P, &PRR, b, n, st), SMAP_DROP);
	ck_assert_uint_eq(st[SMAP_STAT_IN_DROP_ICMP_QUOTE], 1);
	/* quoting our echo request: its identifier */
	qn = echo4(q, SHARED, INET, 8, 10042);
	n = err4(b, INET, SHARED, 11, q, qn);
	ck_assert_int_eq(smap_inbound(&P, &PRR, b, n, st), SMAP_PASS);
	/* a quote cut inside its header */
	n = err4(b, INET, SHARED, 3, q, 12);
	ck_assert_int_eq(smap_inbound(&P, &PRR, b, n, st), SMAP_DROP);
	ck_assert_uint_eq(st[SMAP_STAT_IN_DROP_ICMP_QUOTE], 2);
}
END_TEST

START_TEST(in_fragment_to_reassemble)
{
	uint8_t b[100];
	size_t n = udp4(b, INET, 80, SHARED, 10500, 10, false);

	put16(b + 6, IPV4_MF);
	ipv4_set_csum(b);
	ck_assert_int_eq(smap_inbound(&P, &PRR, b, n, st), SMAP_FRAGMENT);
}
END_TEST

START_TEST(in_psid_set)
{
	uint8_t b[100];
	size_t n;

	P.ps = portset_psid(6, 6, 5);	/* blocks of 16: 1104-1119, 2128-2143, ... */
	n = udp4(b, INET, 80, SHARED, 1104, 10, true);
	ck_assert_int_eq(smap_inbound(&P, &PRR, b, n, st), SMAP_PASS);
	n = udp4(b, INET, 80, SHARED, 64607, 10, true);
	ck_assert_int_eq(smap_inbound(&P, &PRR, b, n, st), SMAP_PASS);
	n = udp4(b, INET, 80, SHARED, 1120, 10, true);
	ck_assert_int_eq(smap_inbound(&P, &PRR, b, n, st), SMAP_DROP);
	n = udp4(b, INET, 80, SHARED, 80, 10, true);	/* block 0 is nobody's */
	ck_assert_int_eq(smap_inbound(&P, &PRR, b, n, st), SMAP_DROP);
	n = echo4(b, INET, SHARED, 0, 2130);
	ck_assert_int_eq(smap_inbound(&P, &PRR, b, n, st), SMAP_PASS);
}
END_TEST

START_TEST(out_pass_and_drops)
{
	uint8_t b[100], r[600];
	size_t n, rl;

	n = udp4(b, SHARED, 10500, INET, 53, 10, true);
	ck_assert_int_eq(smap_outbound(&P, b, n, r, sizeof(r), &rl, st), SMAP_PASS);
	n = udp4(b, LAN, 10500, INET, 53, 10, true);
	ck_assert_int_eq(smap_outbound(&P, b, n, r, sizeof(r), &rl, st), SMAP_DROP);
	ck_assert_uint_eq(st[SMAP_STAT_OUT_DROP_SRC], 1);
	n = udp4(b, SHARED, 40000, INET, 53, 10, true);
	ck_assert_int_eq(smap_outbound(&P, b, n, r, sizeof(r), &rl, st), SMAP_DROP);
	ck_assert_uint_eq(st[SMAP_STAT_OUT_DROP_PORT], 1);
	n = echo4(b, SHARED, INET, 8, 10001);
	ck_assert_int_eq(smap_outbound(&P, b, n, r, sizeof(r), &rl, st), SMAP_PASS);
	n = echo4(b, SHARED, INET, 8, 1);
	ck_assert_int_eq(smap_outbound(&P, b, n, r, sizeof(r), &rl, st), SMAP_DROP);
	ck_assert_uint_eq(st[SMAP_STAT_OUT_DROP_PORT], 2);
	ck_assert_int_eq(smap_outbound(&P, b, 3, r, sizeof(r), &rl, st), SMAP_DROP);
	ck_assert_uint_eq(st[SMAP_STAT_OUT_DROP_MALFORMED], 1);
}
END_TEST

START_TEST(out_icmp_error_by_quoted_dst)
{
	uint8_t q[100], b[600], r[600];
	size_t qn, n, rl;

	/* our port unreachable about a packet sent to us at 10500 */
	qn = udp4(q, INET, 5555, SHARED, 10500, 10, true);
	n = err4(b, SHARED, INET, 3, q, qn);
	ck_assert_int_eq(smap_outbound(&P, b, n, r, sizeof(r), &rl, st), SMAP_PASS);
	qn = udp4(q, INET, 5555, SHARED, 20500, 10, true);
	n = err4(b, SHARED, INET, 3, q, qn);
	ck_assert_int_eq(smap_outbound(&P, b, n, r, sizeof(r), &rl, st), SMAP_DROP);
}
END_TEST

START_TEST(out_mtu)
{
	static uint8_t b[3000], r[600];
	size_t n, rl;
	struct ipv4_info ip;

	P.mtu = 1280;	/* TUN MTU 1240 */
	n = udp4(b, SHARED, 10500, INET, 53, 1240 - 28, true);
	ck_assert_int_eq(smap_outbound(&P, b, n, r, sizeof(r), &rl, st), SMAP_PASS);
	n = udp4(b, SHARED, 10500, INET, 53, 1241 - 28, false);
	ck_assert_int_eq(smap_outbound(&P, b, n, r, sizeof(r), &rl, st), SMAP_FRAGMENT);
	n = udp4(b, SHARED, 10500, INET, 53, 1241 - 28, true);
	ck_assert_int_eq(smap_outbound(&P, b, n, r, sizeof(r), &rl, st), SMAP_ICMP);
	ck_assert_uint_eq(st[SMAP_STAT_OUT_DROP_TOO_BIG], 1);
	/* fragmentation needed, next-hop MTU 1240, to the sender, quoting its packet */
	ck_assert_int_eq(ipv4_parse(r, rl, true, &ip), PKT_OK);
	ck_assert_uint_eq(ip.proto, IPPROTO_ICMP);
	ck_assert_uint_eq(ip.dst, SHARED);
	ck_assert_uint_eq(ip.src, INET);
	ck_assert_uint_le(rl, 576);
	ck_assert_uint_eq(r[20], 3);
	ck_assert_uint_eq(r[21], 4);
	ck_assert_uint_eq(get16(r + 26), 1240);
	ck_assert_uint_eq(csum_fold(csum_partial(r + 20, rl - 20, 0)), 0xffff);
	ck_assert_mem_eq(r + 28, b, 28);
	/* a later fragment has no port to check, and fits */
	n = udp4(b, SHARED, 10500, INET, 53, 100, false);
	put16(b + 6, 185);	/* offset 1480 */
	ipv4_set_csum(b);
	ck_assert_int_eq(smap_outbound(&P, b, n, r, sizeof(r), &rl, st), SMAP_PASS);
}
END_TEST

START_TEST(tun_mtu)
{
	ck_assert_uint_eq(smap_tun_mtu(1500), 1460);
	ck_assert_uint_eq(smap_tun_mtu(1280), 1240);
	ck_assert_uint_eq(smap_tun_mtu(576), 1240);	/* IPv6 never goes below 1280 */
}
END_TEST

START_TEST(stat_names)
{
	for (int i = 0; i < SMAP_STAT_MAX; i++) {
		ck_assert_ptr_nonnull(smap_stat_desc[i].name);
		ck_assert_ptr_nonnull(smap_stat_desc[i].doc);
		for (int j = 0; j < i; j++)
			ck_assert_str_ne(smap_stat_desc[i].name, smap_stat_desc[j].name);
	}
}
END_TEST

static Suite *
smap_suite(void)
{
	Suite *s = suite_create("smap_path");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, in_udp_in_set);
	tcase_add_test(tc, in_drops_named);
	tcase_add_test(tc, in_peer_allowed);
	tcase_add_test(tc, in_icmp_echo_id);
	tcase_add_test(tc, in_icmp_error_quote);
	tcase_add_test(tc, in_fragment_to_reassemble);
	tcase_add_test(tc, in_psid_set);
	tcase_add_test(tc, out_pass_and_drops);
	tcase_add_test(tc, out_icmp_error_by_quoted_dst);
	tcase_add_test(tc, out_mtu);
	tcase_add_test(tc, tun_mtu);
	tcase_add_test(tc, stat_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(smap_suite());
}
