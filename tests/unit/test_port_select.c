/* SPDX-License-Identifier: MIT */
/* Which port selects the binding (common/port_select.c), case by case. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"
#include "port_select.h"
#include "tests/unit/check_main.h"

#define A	0xc0000201u	/* 192.0.2.1, the shared address */
#define H	0xc633640au	/* 198.51.100.10, a host */

/* An IPv4 header from src to dst, then l4[0..n) (no checksums needed). */
static size_t
pkt4(uint8_t *p, uint8_t proto, uint32_t src, uint32_t dst, const uint8_t *l4, size_t n)
{
	ipv4_build(p, 0, (uint16_t)(20 + n), 1, 0, 64, proto, src, dst);
	memcpy(p + 20, l4, n);
	return 20 + n;
}

/* TCP/UDP ports sport -> dport, or an ICMP echo of type t with id. */
static size_t
ports(uint8_t *l4, uint8_t proto, uint16_t a, uint16_t b)
{
	memset(l4, 0, 20);
	if (proto == IPPROTO_ICMP) {
		l4[0] = (uint8_t)a;
		put16(l4 + 4, b);
		return 8;
	}
	put16(l4, a);
	put16(l4 + 2, b);
	l4[12] = 5 << 4;
	return proto == IPPROTO_TCP ? 20 : 8;
}

struct sel_case {
	const char *what;
	uint8_t proto;
	uint16_t a, b;		/* ports, or ICMP type and id */
	enum port_dir dir;
	bool port0;
	uint16_t port, peer;
};

static const struct sel_case cases[] = {
	{ "udp to", IPPROTO_UDP, 5555, 10500, PORT_TO_SHARED, false, 10500, 5555 },
	{ "udp from", IPPROTO_UDP, 10500, 53, PORT_FROM_SHARED, false, 10500, 53 },
	{ "tcp to", IPPROTO_TCP, 80, 10001, PORT_TO_SHARED, false, 10001, 80 },
	{ "tcp from", IPPROTO_TCP, 10001, 80, PORT_FROM_SHARED, true, 10001, 80 },
	{ "echo request to", IPPROTO_ICMP, 8, 10500, PORT_TO_SHARED, false, 10500, 10500 },
	{ "echo request to, port-0", IPPROTO_ICMP, 8, 10500, PORT_TO_SHARED, true, 0, 10500 },
	{ "echo reply to, port-0", IPPROTO_ICMP, 0, 10500, PORT_TO_SHARED, true, 10500, 0 },
	{ "echo request from, port-0", IPPROTO_ICMP, 8, 10500, PORT_FROM_SHARED, true, 10500, 0 },
	{ "echo reply from", IPPROTO_ICMP, 0, 10500, PORT_FROM_SHARED, false, 10500, 10500 },
	{ "echo reply from, port-0", IPPROTO_ICMP, 0, 10500, PORT_FROM_SHARED, true, 0, 10500 },
};

START_TEST(direct)
{
	const struct sel_case *c = &cases[_i];
	uint8_t l4[20], p[64];
	bool to = c->dir == PORT_TO_SHARED;
	size_t n = pkt4(p, c->proto, to ? H : A, to ? A : H, l4, ports(l4, c->proto, c->a, c->b));
	struct ipv4_info ip;
	struct port_pair pp;

	ck_assert_int_eq(ipv4_parse(p, n, true, &ip), PKT_OK);
	ck_assert_msg(port_select(p, &ip, c->dir, c->port0, &pp) == PORT_SEL_OK, "%s", c->what);
	ck_assert_msg(pp.port == c->port && pp.peer == c->peer, "%s: port %u peer %u",
		      c->what, pp.port, pp.peer);
}
END_TEST

/*
 * An ICMP error about a packet of a case: the error travels the other
 * way (to the shared address when the quoted packet came from it), and
 * selects by the same port as the quoted packet did.
 */
START_TEST(quoted)
{
	const struct sel_case *c = &cases[_i];
	uint8_t l4[20], q[64], e[128], p[160];
	bool to = c->dir == PORT_TO_SHARED;
	struct ipv4_info ip;
	struct port_pair pp;
	size_t n;

	pkt4(q, c->proto, to ? H : A, to ? A : H, l4, ports(l4, c->proto, c->a, c->b));
	memset(e, 0, 8);
	e[0] = 3;	/* unreachable */
	e[1] = 3;
	memcpy(e + 8, q, 28);	/* the header and 8 bytes */
	n = pkt4(p, IPPROTO_ICMP, to ? A : 0x0a000001u, to ? H : A, e, 36);
	ck_assert_int_eq(ipv4_parse(p, n, true, &ip), PKT_OK);
	ck_assert_msg(port_select(p, &ip, to ? PORT_FROM_SHARED : PORT_TO_SHARED, c->port0, &pp)
		      == PORT_SEL_OK, "%s", c->what);
	ck_assert_msg(pp.port == c->port && pp.peer == c->peer, "error about %s: port %u peer %u",
		      c->what, pp.port, pp.peer);
}
END_TEST

START_TEST(refused)
{
	uint8_t l4[20], e[128], q[64], p[160];
	struct ipv4_info ip;
	struct port_pair pp;
	size_t n;

	/* no ports: GRE */
	n = pkt4(p, 47, H, A, (const uint8_t *)"\0\0\0\0\0\0\0\0", 8);
	ck_assert_int_eq(ipv4_parse(p, n, true, &ip), PKT_OK);
	ck_assert_int_eq(port_select(p, &ip, PORT_TO_SHARED, false, &pp), PORT_SEL_NO_PORT);
	/* short TCP header */
	n = pkt4(p, IPPROTO_TCP, H, A, l4, ports(l4, IPPROTO_TCP, 1, 2) - 4);
	ck_assert_int_eq(ipv4_parse(p, n, true, &ip), PKT_OK);
	ck_assert_int_eq(port_select(p, &ip, PORT_TO_SHARED, false, &pp), PORT_SEL_L4);
	/* timestamp request: neither echo nor error */
	n = pkt4(p, IPPROTO_ICMP, H, A, l4, ports(l4, IPPROTO_ICMP, 13, 1));
	ck_assert_int_eq(ipv4_parse(p, n, true, &ip), PKT_OK);
	ck_assert_int_eq(port_select(p, &ip, PORT_TO_SHARED, false, &pp), PORT_SEL_ICMP_TYPE);
	/* an error quoting a packet another address sent */
	pkt4(q, IPPROTO_UDP, A + 1, H, l4, ports(l4, IPPROTO_UDP, 10500, 53));
	memset(e, 0, 8);
	e[0] = 3;
	memcpy(e + 8, q, 28);
	n = pkt4(p, IPPROTO_ICMP, H, A, e, 36);
	ck_assert_int_eq(ipv4_parse(p, n, true, &ip), PKT_OK);
	ck_assert_int_eq(port_select(p, &ip, PORT_TO_SHARED, false, &pp), PORT_SEL_ICMP_QUOTE);
	/* ... and one quoting a later fragment */
	put32(e + 8 + 12, A);
	put16(e + 8 + 6, 185);
	n = pkt4(p, IPPROTO_ICMP, H, A, e, 36);
	ck_assert_int_eq(ipv4_parse(p, n, true, &ip), PKT_OK);
	ck_assert_int_eq(port_select(p, &ip, PORT_TO_SHARED, false, &pp), PORT_SEL_ICMP_QUOTE);
	/* ... or cut short */
	put16(e + 8 + 6, 0);
	n = pkt4(p, IPPROTO_ICMP, H, A, e, 8 + 24);
	ck_assert_int_eq(ipv4_parse(p, n, true, &ip), PKT_OK);
	ck_assert_int_eq(port_select(p, &ip, PORT_TO_SHARED, false, &pp), PORT_SEL_ICMP_QUOTE);
}
END_TEST

static Suite *
port_select_suite(void)
{
	Suite *s = suite_create("port_select");
	TCase *tc = tcase_create("port_select");
	int n = (int)(sizeof(cases) / sizeof(cases[0]));

	tcase_add_loop_test(tc, direct, 0, n);
	tcase_add_loop_test(tc, quoted, 0, n);
	tcase_add_test(tc, refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(port_select_suite());
}
