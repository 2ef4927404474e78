/* SPDX-License-Identifier: MIT */
/*
 * The PRR data path with MAP-E rules (RFC 7597 BR): the testbed's --mape
 * rule {2001:db8:f000::/48, 192.0.2.8/30, EA 8, offset 6} (PSID length
 * 6), next to explicit bindings, one packet at a time and in bursts.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "prr/datapath.h"
#include "pkt.h"
#include "tests/unit/check_main.h"

#define MAPPED	0xc0000209u	/* 192.0.2.9: suffix 1 of 192.0.2.8/30 */
#define INET	0xc633640au	/* 198.51.100.10 */

struct out {
	enum prr_side side;
	size_t len;
	uint8_t pkt[2048];
};

static struct out outs[256];
static unsigned n_out;
static struct prr_params params;
static struct btable *bt;
static struct pmtu_cache *pmtu;
static struct prr_ctx *ctx;
static struct in6_addr br, ce1, ce2, explicit6;

static void
capture(void *arg, enum prr_side side, const uint8_t *pkt, size_t len)
{
	(void)arg;
	ck_assert_uint_lt(n_out, 256);
	outs[n_out].side = side;
	outs[n_out].len = len;
	memcpy(outs[n_out].pkt, pkt, len);
	n_out++;
}

static void
build(bool with_explicit)
{
	struct binding b = { 0 };
	struct in6_addr p6;
	char err[256];

	prr_params_default(&params);
	inet_pton(AF_INET6, "2001:db8:100::1", &br);
	/* PSID 1 and 2 of 192.0.2.9: EA bits 0x41 and 0x42 */
	inet_pton(AF_INET6, "2001:db8:f000:4100:0:c000:209:1", &ce1);
	inet_pton(AF_INET6, "2001:db8:f000:4200:0:c000:209:2", &ce2);
	inet_pton(AF_INET6, "2001:db8:1::2", &explicit6);
	inet_pton(AF_INET6, "2001:db8:f000::", &p6);
	params.br[0] = br;
	params.n_br = 1;
	ck_assert(map_rule_init(&params.rules[0], &p6, 48, 0xc0000208u, 30, 8, 6, 0, 0,
				err, sizeof(err)));
	params.n_rules = 1;
	bt = btable_new(4);
	/* an explicit binding inside the rule's space: PSID 3's first block */
	b.ipv6 = explicit6;
	b.ipv4 = MAPPED;
	b.ps = portset_range(1072, 1087);
	if (with_explicit)
		ck_assert_int_eq(btable_add(bt, &b, err, sizeof(err)), 0);
	ck_assert_int_eq(btable_build(bt, err, sizeof(err)), 0);
	pmtu = pmtu_new(64);
	ctx = malloc(sizeof(*ctx));
	ck_assert_int_eq(prr_ctx_init(ctx, &params, bt, pmtu, capture, NULL), 0);
	n_out = 0;
}

static void
setup(void)
{
	build(true);
}

static void
teardown(void)
{
	prr_ctx_fini(ctx);
	free(ctx);
	pmtu_free(pmtu);
	btable_free(bt);
}

static size_t
udp4(uint8_t *p, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
	size_t len = 28 + 16;
	uint8_t s[4], d[4];
	uint16_t c;

	ipv4_build(p, 0, (uint16_t)len, 0x1234, IPV4_DF, 64, IPPROTO_UDP, src, dst);
	put16(p + 20, sport);
	put16(p + 22, dport);
	put16(p + 24, 8 + 16);
	put16(p + 26, 0);
	memset(p + 28, 0x5a, 16);
	put32(s, src);
	put32(d, dst);
	c = (uint16_t)~csum_fold(csum_partial(p + 20, 24, csum_pseudo4(s, d, IPPROTO_UDP, 24)));
	memcpy(p + 26, &c, 2);
	return len;
}

static size_t
encap(uint8_t *p, const struct in6_addr *src, const uint8_t *in, size_t len)
{
	ipv6_build(p, 0, 0, (uint16_t)len, 4, 64, src, &br);
	memcpy(p + 40, in, len);
	return 40 + len;
}

static void
assert_to(const struct out *o, enum prr_side side, const struct in6_addr *to)
{
	struct ipv6_info ip6;

	ck_assert_int_eq(o->side, side);
	if (side == PRR_SIDE_V4)
		return;
	ck_assert_int_eq(ipv6_parse(o->pkt, o->len, &ip6), PKT_OK);
	ck_assert(memcmp(&ip6.src, &br, 16) == 0);
	if (memcmp(&ip6.dst, to, 16) != 0) {
		char g[INET6_ADDRSTRLEN], w[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &ip6.dst, g, sizeof(g));
		inet_ntop(AF_INET6, to, w, sizeof(w));
		ck_abort_msg("encapsulated to %s, expected %s", g, w);
	}
}

#define STAT(s)	(ctx->stats[PRR_STAT_##s])

START_TEST(inbound_computed)
{
	uint8_t p[256];
	size_t n;

	/* 1040: the first port of PSID 1; 64559 = 63 << 10 | 2 << 4 | 15: PSID 2 */
	n = udp4(p, INET, 53, MAPPED, 1040);
	prr_from_inet(ctx, p, n, 0);
	n = udp4(p, INET, 53, MAPPED, 64559);
	prr_from_inet(ctx, p, n, 0);
	ck_assert_uint_eq(n_out, 2);
	assert_to(&outs[0], PRR_SIDE_V6, &ce1);
	assert_to(&outs[1], PRR_SIDE_V6, &ce2);
	ck_assert_uint_eq(STAT(IN4_RULE), 2);
	ck_assert_uint_eq(STAT(IN4_ENCAPSULATED), 2);
}
END_TEST

START_TEST(inbound_excluded_and_outside)
{
	uint8_t p[256];
	size_t n;

	/* block 0 (ports < 1024 with offset 6) is nobody's */
	n = udp4(p, INET, 53, MAPPED, 80);
	prr_from_inet(ctx, p, n, 0);
	/* 192.0.2.12 is outside 192.0.2.8/30 */
	n = udp4(p, INET, 53, 0xc000020cu, 1040);
	prr_from_inet(ctx, p, n, 0);
	ck_assert_uint_eq(n_out, 0);
	ck_assert_uint_eq(STAT(IN4_DROP_UNBOUND), 2);
}
END_TEST

START_TEST(explicit_wins)
{
	uint8_t p[256];
	size_t n;

	/* 1072..1087 are PSID 3's by the rule, but an explicit binding has them */
	n = udp4(p, INET, 53, MAPPED, 1080);
	prr_from_inet(ctx, p, n, 0);
	ck_assert_uint_eq(n_out, 1);
	assert_to(&outs[0], PRR_SIDE_V6, &explicit6);
	ck_assert_uint_eq(STAT(IN4_RULE), 0);
	/* and the rule's CE may not send from them */
	{
		struct in6_addr ce3;
		uint8_t in[256], q[512];

		inet_pton(AF_INET6, "2001:db8:f000:4300:0:c000:209:3", &ce3);
		n = udp4(in, MAPPED, 1080, INET, 53);
		n = encap(q, &ce3, in, n);
		prr_from_smap(ctx, q, n, 0);
		ck_assert_uint_eq(STAT(IN6_DROP_SPOOFED), 1);
		/* its other ports are fine */
		n = udp4(in, MAPPED, 2100, INET, 53);
		n = encap(q, &ce3, in, n);
		prr_from_smap(ctx, q, n, 0);
		ck_assert_uint_eq(STAT(IN6_DECAPSULATED), 1);
	}
}
END_TEST

START_TEST(outbound_checked)
{
	uint8_t in[256], q[512];
	size_t n;

	/* CE 1 from a port of PSID 1: out to the Internet */
	n = udp4(in, MAPPED, 2065, INET, 53);
	n = encap(q, &ce1, in, n);
	prr_from_smap(ctx, q, n, 0);
	ck_assert_uint_eq(n_out, 1);
	assert_to(&outs[0], PRR_SIDE_V4, NULL);
	ck_assert_uint_eq(STAT(IN6_RULE), 1);
	/* CE 1 from a port of PSID 2: spoofed */
	n = udp4(in, MAPPED, 1056, INET, 53);
	n = encap(q, &ce1, in, n);
	prr_from_smap(ctx, q, n, 0);
	ck_assert_uint_eq(STAT(IN6_DROP_SPOOFED), 1);
	/* from an excluded port: spoofed too */
	n = udp4(in, MAPPED, 80, INET, 53);
	n = encap(q, &ce1, in, n);
	prr_from_smap(ctx, q, n, 0);
	ck_assert_uint_eq(STAT(IN6_DROP_SPOOFED), 2);
	/* the right port from an IPv6 source inside the rule but not CE 1's */
	n = udp4(in, MAPPED, 2065, INET, 53);
	n = encap(q, &ce2, in, n);
	prr_from_smap(ctx, q, n, 0);
	ck_assert_uint_eq(STAT(IN6_DROP_SPOOFED), 3);
	ck_assert_uint_eq(STAT(IN6_DECAPSULATED), 1);
}
END_TEST

START_TEST(hairpin_between_ces)
{
	uint8_t in[256], q[512];
	size_t n;

	n = udp4(in, MAPPED, 2065, MAPPED, 1056);
	n = encap(q, &ce1, in, n);
	prr_from_smap(ctx, q, n, 0);
	ck_assert_uint_eq(n_out, 1);
	assert_to(&outs[0], PRR_SIDE_V6, &ce2);
	ck_assert_uint_eq(STAT(IN6_HAIRPINNED), 1);
}
END_TEST

/* Bursts give what one at a time gives, explicit and computed mixed. */
START_TEST(bursts)
{
	static uint8_t buf[64][256];
	const uint8_t *ptr[64];
	size_t len[64];
	static const uint16_t ports[] = { 1040, 1080, 80, 1056, 64559, 1072, 2064, 1 };

	for (unsigned i = 0; i < 64; i++) {
		len[i] = udp4(buf[i], INET, 53, MAPPED, ports[i % 8]);
		ptr[i] = buf[i];
	}
	prr_from_inet_burst(ctx, ptr, len, 64, 0);
	ck_assert_uint_eq(n_out, 48);
	for (unsigned i = 0, o = 0; i < 64; i++) {
		switch (ports[i % 8]) {
		case 1040: case 2064: assert_to(&outs[o++], PRR_SIDE_V6, &ce1); break;
		case 1056: case 64559: assert_to(&outs[o++], PRR_SIDE_V6, &ce2); break;
		case 1080: case 1072: assert_to(&outs[o++], PRR_SIDE_V6, &explicit6); break;
		}
	}
	ck_assert_uint_eq(STAT(IN4_RULE), 32);
	ck_assert_uint_eq(STAT(IN4_DROP_UNBOUND), 16);

	n_out = 0;
	for (unsigned i = 0; i < 64; i++) {
		uint8_t in[256];
		size_t n = udp4(in, MAPPED, i % 2 ? 2065 : 1056, INET, 53);

		len[i] = encap(buf[i], &ce1, in, n);
	}
	prr_from_smap_burst(ctx, ptr, len, 64, 0);
	ck_assert_uint_eq(STAT(IN6_DECAPSULATED), 32);
	ck_assert_uint_eq(STAT(IN6_DROP_SPOOFED), 32);
	ck_assert_uint_eq(STAT(IN6_RULE), 64);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("datapath_map");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, inbound_computed);
	tcase_add_test(tc, inbound_excluded_and_outside);
	tcase_add_test(tc, explicit_wins);
	tcase_add_test(tc, outbound_checked);
	tcase_add_test(tc, hairpin_between_ces);
	tcase_add_test(tc, bursts);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(suite());
}
