/* SPDX-License-Identifier: MIT */
/* The PRR data path, fed packets as bytes, with the testbed's two bindings. */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "prr/datapath.h"
#include "pkt.h"
#include "tests/unit/check_main.h"

#define SHARED	0xc0000201u	/* 192.0.2.1 */
#define INET	0xc633640au	/* 198.51.100.10 */
#define PRR4	0xc6336401u	/* 198.51.100.1 */

struct out {
	enum prr_side side;
	size_t len;
	uint8_t pkt[2048];
};

static struct out outs[128];
static unsigned n_out;
static struct prr_params params;
static struct btable *bt;
static struct pmtu_cache *pmtu;
static struct prr_ctx *ctx;
static struct in6_addr br, smap1, smap2, core;

static void
capture(void *arg, enum prr_side side, const uint8_t *pkt, size_t len)
{
	(void)arg;
	ck_assert_uint_lt(n_out, 128);
	ck_assert_uint_le(len, sizeof(outs[0].pkt));
	outs[n_out].side = side;
	outs[n_out].len = len;
	memcpy(outs[n_out].pkt, pkt, len);
	n_out++;
}

static void
setup(void)
{
	struct binding b = { 0 };
	char err[256];

	prr_params_default(&params);
	inet_pton(AF_INET6, "2001:db8:100::1", &br);
	inet_pton(AF_INET6, "2001:db8:1::2", &smap1);
	inet_pton(AF_INET6, "2001:db8:2::2", &smap2);
	inet_pton(AF_INET6, "2001:db8:100::2", &core);
	params.br[0] = br;
	params.n_br = 1;
	params.ipv4_addr = PRR4;
	bt = btable_new(4);
	b.ipv6 = smap1;
	b.ipv4 = SHARED;
	b.ps = portset_range(10000, 10999);
	ck_assert_int_eq(btable_add(bt, &b, err, sizeof(err)), 0);
	b.ipv6 = smap2;
	b.ps = portset_range(11000, 11999);
	ck_assert_int_eq(btable_add(bt, &b, err, sizeof(err)), 0);
	ck_assert_int_eq(btable_build(bt, err, sizeof(err)), 0);
	pmtu = pmtu_new(64);
	ctx = malloc(sizeof(*ctx));
	ck_assert_int_eq(prr_ctx_init(ctx, &params, bt, pmtu, capture, NULL), 0);
	n_out = 0;
}

static void
teardown(void)
{
	prr_ctx_fini(ctx);
	free(ctx);
	pmtu_free(pmtu);
	btable_free(bt);
}

/* An IPv4 UDP packet with a valid header and UDP checksum. */
static size_t
udp4(uint8_t *p, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
     size_t payload, uint8_t ttl, bool df)
{
	size_t len = 28 + payload;
	uint8_t s[4], d[4];
	uint16_t c;

	ipv4_build(p, 0x10, (uint16_t)len, 0x1234, df ? IPV4_DF : 0, ttl, IPPROTO_UDP, src, dst);
	put16(p + 20, sport);
	put16(p + 22, dport);
	put16(p + 24, (uint16_t)(8 + payload));
	put16(p + 26, 0);
	for (size_t i = 0; i < payload; i++)
		p[28 + i] = (uint8_t)(i * 7);
	put32(s, src);
	put32(d, dst);
	c = (uint16_t)~csum_fold(csum_partial(p + 20, 8 + payload,
	    csum_pseudo4(s, d, IPPROTO_UDP, (uint16_t)(8 + payload))));
	memcpy(p + 26, &c, 2);
	return len;
}

static size_t
icmp4(uint8_t *p, uint32_t src, uint32_t dst, uint8_t type, uint8_t code,
      uint32_t rest, const uint8_t *quote, size_t qlen)
{
	uint16_t c;

	ipv4_build(p, 0, (uint16_t)(28 + qlen), 7, 0, 64, IPPROTO_ICMP, src, dst);
	p[20] = type;
	p[21] = code;
	put16(p + 22, 0);
	put32(p + 24, rest);
	memcpy(p + 28, quote, qlen);
	c = csum_buf(p + 20, 8 + qlen);
	memcpy(p + 22, &c, 2);
	return 28 + qlen;
}

/* Wrap an IPv4 packet in IPv6 from src to dst. */
static size_t
encap(uint8_t *p, const struct in6_addr *src, const struct in6_addr *dst,
      const uint8_t *in, size_t len)
{
	ipv6_build(p, 0, 0, (uint16_t)len, 4, 64, src, dst);
	memcpy(p + 40, in, len);
	return 40 + len;
}

static void
assert_stat(enum prr_stat s, uint64_t v)
{
	ck_assert_msg(ctx->stats[s] == v, "%s = %llu, expected %llu",
		      prr_stat_desc[s].name, (unsigned long long)ctx->stats[s],
		      (unsigned long long)v);
}

static void
assert_encap_to(const struct out *o, const struct in6_addr *to)
{
	struct ipv6_info ip6;
	struct ipv4_info ip;

	ck_assert_int_eq(o->side, PRR_SIDE_V6);
	ck_assert_int_eq(ipv6_parse(o->pkt, o->len, &ip6), PKT_OK);
	ck_assert(memcmp(&ip6.src, &br, 16) == 0);
	ck_assert(memcmp(&ip6.dst, to, 16) == 0);
	ck_assert_int_eq(ip6.proto, 4);
	ck_assert_int_eq(ip6.hlim, 64);
	ck_assert_int_eq(ipv4_parse(o->pkt + 40, o->len - 40, true, &ip), PKT_OK);
}

START_TEST(inbound_udp_to_each_smap)
{
	uint8_t p[1500];
	size_t n;

	n = udp4(p, INET, 5555, SHARED, 10500, 100, 64, false);
	ck_assert_int_eq(prr_from_inet(ctx, p, n, 0), PRR_CONSUMED);
	n = udp4(p, INET, 5555, SHARED, 11999, 100, 64, false);
	prr_from_inet(ctx, p, n, 0);
	ck_assert_uint_eq(n_out, 2);
	assert_encap_to(&outs[0], &smap1);
	assert_encap_to(&outs[1], &smap2);
	/* inner TTL decremented, traffic class from TOS */
	ck_assert_int_eq(outs[0].pkt[40 + 8], 63);
	ck_assert_int_eq((get32(outs[0].pkt) >> 20) & 0xff, 0x10);
	ck_assert_uint_eq(outs[0].len, 40 + n);
	assert_stat(PRR_STAT_IN4_ENCAPSULATED, 2);
}
END_TEST

START_TEST(inbound_unbound_dropped)
{
	uint8_t p[1500];
	size_t n = udp4(p, INET, 5555, SHARED, 15000, 10, 64, false);

	prr_from_inet(ctx, p, n, 0);
	ck_assert_uint_eq(n_out, 0);
	assert_stat(PRR_STAT_IN4_DROP_UNBOUND, 1);
	/* another address of the pool, with no binding at all */
	n = udp4(p, INET, 5555, SHARED + 1, 10500, 10, 64, false);
	prr_from_inet(ctx, p, n, 0);
	assert_stat(PRR_STAT_IN4_DROP_UNBOUND, 2);
	ck_assert_uint_eq(n_out, 0);
}
END_TEST

START_TEST(inbound_unbound_icmp_by_config)
{
	uint8_t p[1500];
	size_t n = udp4(p, INET, 5555, SHARED, 15000, 10, 64, false);
	struct ipv4_info ip;

	params.unbound_icmp_code = 13;
	prr_from_inet(ctx, p, n, 0);
	ck_assert_uint_eq(n_out, 1);
	ck_assert_int_eq(outs[0].side, PRR_SIDE_V4);
	ck_assert_int_eq(ipv4_parse(outs[0].pkt, outs[0].len, true, &ip), PKT_OK);
	ck_assert_uint_eq(ip.src, PRR4);
	ck_assert_uint_eq(ip.dst, INET);
	ck_assert_int_eq(outs[0].pkt[20], 3);
	ck_assert_int_eq(outs[0].pkt[21], 13);
	ck_assert_uint_eq(csum_buf(outs[0].pkt + 20, outs[0].len - 20), 0);
	/* RFC 7596 8.1: unbound ICMP is dropped without an answer */
	n = icmp4(p, INET, SHARED, 8, 0, 0x3a980001, (const uint8_t *)"", 0);	/* echo, id 15000 */
	prr_from_inet(ctx, p, n, 0);
	ck_assert_uint_eq(n_out, 1);
	assert_stat(PRR_STAT_IN4_DROP_UNBOUND, 2);
}
END_TEST

START_TEST(inbound_ttl_expired)
{
	uint8_t p[1500];
	size_t n = udp4(p, INET, 5555, SHARED, 10500, 10, 1, false);

	prr_from_inet(ctx, p, n, 0);
	ck_assert_uint_eq(n_out, 1);
	ck_assert_int_eq(outs[0].side, PRR_SIDE_V4);
	ck_assert_int_eq(outs[0].pkt[20], 11);
	/* the quote shows the packet as forwarding left it: TTL 0 */
	ck_assert_int_eq(outs[0].pkt[28 + 8], 0);
	ck_assert_uint_eq(csum_buf(outs[0].pkt + 28, 20), 0);
	assert_stat(PRR_STAT_IN4_DROP_TTL, 1);
	assert_stat(PRR_STAT_ICMP4_SENT, 1);
}
END_TEST

START_TEST(inbound_icmp_echo_and_error)
{
	uint8_t p[1500], q[64], e[1500];
	size_t n, qn;
	uint8_t echo[8] = { 8, 0, 0, 0, 0x27, 0x11, 0, 1 };	/* id 10001 */
	uint16_t c = csum_buf(echo, 8);

	memcpy(echo + 2, &c, 2);
	ipv4_build(p, 0, 28, 1, 0, 64, IPPROTO_ICMP, INET, SHARED);
	memcpy(p + 20, echo, 8);
	prr_from_inet(ctx, p, 28, 0);
	ck_assert_uint_eq(n_out, 1);
	assert_encap_to(&outs[0], &smap1);

	/* port unreachable about a datagram smap2's host sent from 11001 */
	qn = udp4(q, SHARED, 11001, INET, 53, 8, 64, false);
	n = icmp4(e, INET, SHARED, 3, 3, 0, q, qn);
	prr_from_inet(ctx, e, n, 0);
	ck_assert_uint_eq(n_out, 2);
	assert_encap_to(&outs[1], &smap2);

	/* an error quoting garbage is counted and dropped */
	memset(q, 0xff, sizeof(q));
	n = icmp4(e, INET, SHARED, 3, 3, 0, q, 28);
	prr_from_inet(ctx, e, n, 0);
	ck_assert_uint_eq(n_out, 2);
	assert_stat(PRR_STAT_IN4_DROP_ICMP_QUOTE, 1);

	/* the peer lwAFTR's way: a request looks up port 0, a reply its id */
	params.echo_request_port0 = true;
	prr_from_inet(ctx, p, 28, 0);
	ck_assert_uint_eq(n_out, 2);
	assert_stat(PRR_STAT_IN4_DROP_UNBOUND, 1);
	p[20] = 0;
	put16(p + 22, 0);
	c = csum_buf(p + 20, 8);
	memcpy(p + 22, &c, 2);
	prr_from_inet(ctx, p, 28, 0);
	ck_assert_uint_eq(n_out, 3);
	assert_encap_to(&outs[2], &smap1);
}
END_TEST

/* An ICMP echo (type 8 request, 0 reply) with identifier id, valid checksums. */
static size_t
echo4(uint8_t *p, uint32_t src, uint32_t dst, uint8_t type, uint16_t id)
{
	return icmp4(p, src, dst, type, 0, (uint32_t)id << 16 | 1, (const uint8_t *)"", 0);
}

/*
 * echo_request_lookup = "port-0": a request goes to the owner of port 0,
 * so its reply is checked (and its quote in errors read) by port 0 too,
 * and a hairpinned reply goes by its identifier, the requester's port.
 */
START_TEST(echo_port0_replies_follow_requests)
{
	struct btable *t = btable_new(4);
	struct binding b = { 0 };
	struct in6_addr smap0;
	uint8_t in4[100], p[200];
	char err[256];
	size_t n;

	inet_pton(AF_INET6, "2001:db8:3::2", &smap0);
	b.ipv4 = SHARED;
	b.ipv6 = smap0;
	b.ps = portset_range(0, 1023);
	ck_assert_int_eq(btable_add(t, &b, err, sizeof(err)), 0);
	b.ipv6 = smap1;
	b.ps = portset_range(10000, 10999);
	ck_assert_int_eq(btable_add(t, &b, err, sizeof(err)), 0);
	b.ipv6 = smap2;
	b.ps = portset_range(11000, 11999);
	ck_assert_int_eq(btable_add(t, &b, err, sizeof(err)), 0);
	ck_assert_int_eq(btable_build(t, err, sizeof(err)), 0);
	ctx->bt = t;
	params.echo_request_port0 = true;

	/* a request from the Internet reaches the owner of port 0 ... */
	prr_from_inet(ctx, in4, echo4(in4, INET, SHARED, 8, 10500), 0);
	ck_assert_uint_eq(n_out, 1);
	assert_encap_to(&outs[0], &smap0);
	/* ... whose reply passes the anti-spoofing check by port 0 */
	n = encap(p, &smap0, &br, in4, echo4(in4, SHARED, INET, 0, 10500));
	prr_from_smap(ctx, p, n, 0);
	ck_assert_uint_eq(n_out, 2);
	ck_assert_int_eq(outs[1].side, PRR_SIDE_V4);
	assert_stat(PRR_STAT_IN6_DECAPSULATED, 1);
	/* the owner of the identifier did not get the request: spoofed */
	n = encap(p, &smap1, &br, in4, echo4(in4, SHARED, INET, 0, 10500));
	prr_from_smap(ctx, p, n, 0);
	ck_assert_uint_eq(n_out, 3);
	ck_assert_int_eq(outs[2].side, PRR_SIDE_V6);
	ck_assert_int_eq(outs[2].pkt[40], 1);
	ck_assert_int_eq(outs[2].pkt[41], 5);
	assert_stat(PRR_STAT_IN6_DROP_SPOOFED, 1);
	/* a SMAP's own request still goes out by its identifier */
	n = encap(p, &smap1, &br, in4, echo4(in4, SHARED, INET, 8, 10500));
	prr_from_smap(ctx, p, n, 0);
	ck_assert_uint_eq(n_out, 4);
	ck_assert_int_eq(outs[3].side, PRR_SIDE_V4);

	/* hairpin: smap2 pings the shared address; port 0's owner gets it */
	n = encap(p, &smap2, &br, in4, echo4(in4, SHARED, SHARED, 8, 11500));
	prr_from_smap(ctx, p, n, 0);
	ck_assert_uint_eq(n_out, 5);
	assert_encap_to(&outs[4], &smap0);
	/* the reply is checked by port 0 and routed by the identifier */
	n = encap(p, &smap0, &br, in4, echo4(in4, SHARED, SHARED, 0, 11500));
	prr_from_smap(ctx, p, n, 0);
	ck_assert_uint_eq(n_out, 6);
	assert_encap_to(&outs[5], &smap2);
	/* a reply from another SMAP draws a policy error, reaches no one */
	n = encap(p, &smap1, &br, in4, echo4(in4, SHARED, SHARED, 0, 11500));
	prr_from_smap(ctx, p, n, 0);
	ck_assert_uint_eq(n_out, 7);
	ck_assert_int_eq(outs[6].side, PRR_SIDE_V6);
	ck_assert(memcmp(outs[6].pkt + 24, &smap1, 16) == 0);
	assert_stat(PRR_STAT_IN6_DROP_SPOOFED, 2);
	assert_stat(PRR_STAT_IN6_HAIRPINNED, 2);

	ctx->bt = bt;
	btable_free(t);
}
END_TEST

/* Fragment an IPv4 packet by hand into pieces of `step` payload bytes. */
static unsigned
split4(const uint8_t *p, size_t len, size_t step, uint8_t frags[][1600], size_t *flen)
{
	unsigned k = 0;

	for (size_t off = 0; off < len - 20; off += step, k++) {
		size_t part = len - 20 - off < step ? len - 20 - off : step;
		bool last = off + part >= len - 20;
		memcpy(frags[k], p, 20);
		memcpy(frags[k] + 20, p + 20 + off, part);
		put16(frags[k] + 2, (uint16_t)(20 + part));
		put16(frags[k] + 6, (uint16_t)((last ? 0 : IPV4_MF) | off / 8));
		ipv4_set_csum(frags[k]);
		flen[k] = 20 + part;
	}
	return k;
}

START_TEST(inbound_fragments_any_order)
{
	static uint8_t p[4000], frags[4][1600];
	size_t n = udp4(p, INET, 5555, SHARED, 10500, 2972, 64, false), flen[4];
	unsigned k = split4(p, n, 1480, frags, flen);
	struct reasm_limits lim = { 1 << 20, 20, 16, 30000 };
	struct reasm *r = reasm_new(&lim);
	static uint8_t whole[70000];
	size_t wlen = 0;
	enum reasm_result rr = REASM_PENDING;

	ck_assert_uint_eq(n, 3000);
	ck_assert_uint_eq(k, 3);
	/* last fragment first, then the first, then the middle */
	prr_from_inet(ctx, frags[2], flen[2], 0);
	prr_from_inet(ctx, frags[0], flen[0], 0);
	ck_assert_uint_eq(n_out, 0);
	prr_from_inet(ctx, frags[1], flen[1], 0);
	/* 3040 bytes of IPv6 at MTU 1500: sent as IPv6 fragments (RFC 2473) */
	ck_assert_uint_ge(n_out, 3);
	for (unsigned i = 0; i < n_out; i++) {
		struct ipv6_info ip6;
		ck_assert_int_eq(outs[i].side, PRR_SIDE_V6);
		ck_assert_uint_le(outs[i].len, 1500);
		ck_assert_int_eq(ipv6_parse(outs[i].pkt, outs[i].len, &ip6), PKT_OK);
		ck_assert(ip6.frag);
		ck_assert(memcmp(&ip6.dst, &smap1, 16) == 0);
		rr = reasm6_add(r, outs[i].pkt, outs[i].len, ip6.frag_hdr, 0,
				whole, sizeof(whole), &wlen);
	}
	ck_assert_int_eq(rr, REASM_DONE);
	ck_assert_uint_eq(wlen, 40 + n);
	/* the SMAP gets the datagram whole, TTL one less */
	ck_assert_int_eq(whole[40 + 8], 63);
	ck_assert(memcmp(whole + 40 + 20, p + 20, n - 20) == 0);
	assert_stat(PRR_STAT_IN4_REASSEMBLED, 1);
	reasm_free(r);
}
END_TEST

START_TEST(inbound_df_too_big_for_learnt_mtu)
{
	uint8_t p[1500];
	size_t n = udp4(p, INET, 5555, SHARED, 11500, 1372, 64, true);

	ck_assert_uint_eq(n, 1400);
	pmtu_set(pmtu, &smap2, 1280, 0);
	prr_from_inet(ctx, p, n, 0);
	ck_assert_uint_eq(n_out, 1);
	ck_assert_int_eq(outs[0].side, PRR_SIDE_V4);
	ck_assert_int_eq(outs[0].pkt[20], 3);
	ck_assert_int_eq(outs[0].pkt[21], 4);
	ck_assert_uint_eq(get16(outs[0].pkt + 26), 1240);
	assert_stat(PRR_STAT_IN4_DROP_TOO_BIG, 1);
	/* the same without DF is fragmented as IPv6 instead */
	n = udp4(p, INET, 5555, SHARED, 11500, 1372, 64, false);
	prr_from_inet(ctx, p, n, 0);
	ck_assert_uint_eq(n_out, 3);
	ck_assert_uint_le(outs[1].len, 1280);
	ck_assert_uint_le(outs[2].len, 1280);
}
END_TEST

START_TEST(ptb_lowers_mtu_and_tells_the_source)
{
	uint8_t in4[1500], tun[1600], ptb[1400];
	size_t n4 = udp4(in4, INET, 5555, SHARED, 10500, 1372, 63, true);
	size_t nt = encap(tun, &br, &smap1, in4, n4);
	size_t plen = 8 + 1232;		/* quote as much as fits in 1280 */
	uint16_t c;

	ipv6_build(ptb, 0, 0, (uint16_t)plen, IPPROTO_ICMPV6, 64, &core, &br);
	ptb[40] = 2;
	ptb[41] = 0;
	put16(ptb + 42, 0);
	put32(ptb + 44, 1280);
	memcpy(ptb + 48, tun, plen - 8 < nt ? plen - 8 : nt);
	c = (uint16_t)~csum_fold(csum_partial(ptb + 40, plen,
	    csum_pseudo6(&core, &br, IPPROTO_ICMPV6, (uint32_t)plen)));
	memcpy(ptb + 42, &c, 2);
	prr_from_smap(ctx, ptb, 40 + plen, 0);
	assert_stat(PRR_STAT_IN6_PTB, 1);
	ck_assert_uint_eq(pmtu_get(pmtu, &smap1, 1500, 0), 1280);
	ck_assert_uint_eq(n_out, 1);
	ck_assert_int_eq(outs[0].side, PRR_SIDE_V4);
	ck_assert_uint_eq(get32(outs[0].pkt + 16), INET);
	ck_assert_int_eq(outs[0].pkt[20], 3);
	ck_assert_int_eq(outs[0].pkt[21], 4);
	ck_assert_uint_eq(get16(outs[0].pkt + 26), 1240);
}
END_TEST

START_TEST(decap_owned_source)
{
	uint8_t in4[1500], p[1600];
	size_t n4 = udp4(in4, SHARED, 10001, INET, 80, 50, 64, false);
	size_t n = encap(p, &smap1, &br, in4, n4);

	prr_from_smap(ctx, p, n, 0);
	ck_assert_uint_eq(n_out, 1);
	ck_assert_int_eq(outs[0].side, PRR_SIDE_V4);
	ck_assert_uint_eq(outs[0].len, n4);
	ck_assert(memcmp(outs[0].pkt, in4, n4) == 0);
	assert_stat(PRR_STAT_IN6_DECAPSULATED, 1);
}
END_TEST

START_TEST(decap_spoofed_source_refused)
{
	uint8_t in4[1500], p[1600];
	size_t n4 = udp4(in4, SHARED, 10001, INET, 80, 50, 64, false);
	size_t n = encap(p, &smap2, &br, in4, n4);	/* smap2 uses smap1's port */
	struct ipv6_info ip6;

	prr_from_smap(ctx, p, n, 0);
	assert_stat(PRR_STAT_IN6_DROP_SPOOFED, 1);
	ck_assert_uint_eq(n_out, 1);
	ck_assert_int_eq(outs[0].side, PRR_SIDE_V6);
	ck_assert_int_eq(ipv6_parse(outs[0].pkt, outs[0].len, &ip6), PKT_OK);
	ck_assert_int_eq(ip6.proto, IPPROTO_ICMPV6);
	ck_assert(memcmp(&ip6.dst, &smap2, 16) == 0);
	ck_assert_int_eq(outs[0].pkt[40], 1);
	ck_assert_int_eq(outs[0].pkt[41], 5);
	/* rate limit: after icmp_rate errors in two seconds, no more */
	params.icmp_rate = 3;
	for (int i = 0; i < 10; i++)
		prr_from_smap(ctx, p, n, 100);
	ck_assert_uint_eq(n_out, 3);
	assert_stat(PRR_STAT_IN6_DROP_SPOOFED, 11);
}
END_TEST

START_TEST(hairpin_between_smaps)
{
	uint8_t in4[1500], p[1600];
	size_t n4 = udp4(in4, SHARED, 10001, SHARED, 11001, 50, 64, false);
	size_t n = encap(p, &smap1, &br, in4, n4);

	prr_from_smap(ctx, p, n, 0);
	ck_assert_uint_eq(n_out, 1);
	assert_encap_to(&outs[0], &smap2);
	ck_assert_int_eq(outs[0].pkt[40 + 8], 63);
	assert_stat(PRR_STAT_IN6_HAIRPINNED, 1);
	/* hairpinning off: out to the IPv4 side instead */
	params.hairpinning = false;
	prr_from_smap(ctx, p, n, 0);
	ck_assert_uint_eq(n_out, 2);
	ck_assert_int_eq(outs[1].side, PRR_SIDE_V4);
}
END_TEST

START_TEST(decap_inner_fragments)
{
	static uint8_t in4[4000], frags[4][1600], p[1700];
	size_t n4 = udp4(in4, SHARED, 10002, INET, 9, 2000, 64, false), flen[4];
	unsigned k = split4(in4, n4, 1024, frags, flen);

	ck_assert_uint_eq(k, 2);
	prr_from_smap(ctx, p, encap(p, &smap1, &br, frags[1], flen[1]), 0);
	ck_assert_uint_eq(n_out, 0);
	prr_from_smap(ctx, p, encap(p, &smap1, &br, frags[0], flen[0]), 0);
	/* reassembled to check the port, then re-fragmented for MTU 1500 */
	ck_assert_uint_eq(n_out, 2);
	ck_assert_int_eq(outs[0].side, PRR_SIDE_V4);
	assert_stat(PRR_STAT_IN6_DECAPSULATED, 1);
}
END_TEST

START_TEST(malformed_input_counted)
{
	uint8_t p[1600], in4[200];
	size_t n4 = udp4(in4, SHARED, 10001, INET, 80, 50, 64, false), n;

	/* IPv4 side: truncated, wrong version, IHL 4, length > buffer */
	n = udp4(p, INET, 5, SHARED, 10500, 10, 64, false);
	prr_from_inet(ctx, p, 10, 0);
	p[0] = 0x65;
	prr_from_inet(ctx, p, n, 0);
	p[0] = 0x44;
	prr_from_inet(ctx, p, n, 0);
	p[0] = 0x45;
	prr_from_inet(ctx, p, n - 1, 0);
	assert_stat(PRR_STAT_IN4_DROP_MALFORMED, 4);
	/* UDP header cut short: total length says 24 */
	put16(p + 2, 24);
	ipv4_set_csum(p);
	prr_from_inet(ctx, p, 24, 0);
	assert_stat(PRR_STAT_IN4_DROP_L4, 1);

	/* IPv6 side: payload length beyond the buffer, inner garbage, not ipip */
	n = encap(p, &smap1, &br, in4, n4);
	prr_from_smap(ctx, p, n - 1, 0);
	assert_stat(PRR_STAT_IN6_DROP_MALFORMED, 1);
	p[40] = 0x43;
	prr_from_smap(ctx, p, n, 0);
	assert_stat(PRR_STAT_IN6_DROP_INNER_MALFORMED, 1);
	p[6] = IPPROTO_UDP;
	prr_from_smap(ctx, p, n, 0);
	assert_stat(PRR_STAT_IN6_DROP_NOT_IPIP, 1);
	/* a chain of destination options headers that never ends */
	n = encap(p, &smap1, &br, in4, n4);
	p[6] = IPPROTO_DSTOPTS;
	for (int i = 0; i < 12; i++) {
		p[40 + i * 8] = IPPROTO_DSTOPTS;
		p[41 + i * 8] = 0;
	}
	prr_from_smap(ctx, p, n, 0);
	assert_stat(PRR_STAT_IN6_DROP_MALFORMED, 2);
	ck_assert_uint_eq(n_out, 0);
}
END_TEST

/* A burst must give what the packets one at a time give, in order. */
START_TEST(burst_equals_single)
{
	static uint8_t p[16][1600], frags[4][1600];
	static struct out single[128];
	const uint8_t *ptr[16];
	size_t len[16], flen[4], n = 0, n_single;
	static uint8_t in4[4000];
	size_t n4;

	/* Internet side: bound, unbound, TTL 1, fragments, garbage */
	len[n] = udp4(p[n], INET, 1, SHARED, 10500, 20, 64, false); n++;
	len[n] = udp4(p[n], INET, 1, SHARED, 15000, 20, 64, false); n++;
	len[n] = udp4(p[n], INET, 1, SHARED, 11500, 20, 1, false); n++;
	n4 = udp4(in4, INET, 1, SHARED, 10501, 2000, 64, false);
	split4(in4, n4, 1024, frags, flen);
	memcpy(p[n], frags[1], flen[1]); len[n++] = flen[1];
	memcpy(p[n], frags[0], flen[0]); len[n++] = flen[0];
	memcpy(p[n], "\x45garbage", 8); len[n++] = 8;
	len[n] = udp4(p[n], INET, 1, SHARED, 11501, 20, 64, false); n++;
	for (size_t i = 0; i < n; i++) {
		ptr[i] = p[i];
		prr_from_inet(ctx, p[i], len[i], 0);
	}
	n_single = n_out;
	memcpy(single, outs, sizeof(single));
	teardown();
	setup();
	prr_from_inet_burst(ctx, ptr, len, n, 0);
	ck_assert_uint_eq(n_out, n_single);
	for (unsigned i = 0; i < n_out; i++) {
		ck_assert_uint_eq(outs[i].len, single[i].len);
		/* fragment identifications may differ: compare up to them */
		ck_assert(memcmp(outs[i].pkt, single[i].pkt, 40) == 0);
	}
	assert_stat(PRR_STAT_IN4_PACKETS, n);

	/* SMAP side: owned, spoofed, hairpin, inner garbage */
	teardown();
	setup();
	n = 0;
	n4 = udp4(in4, SHARED, 10001, INET, 80, 50, 64, false);
	len[n] = encap(p[n], &smap1, &br, in4, n4); n++;
	len[n] = encap(p[n], &smap2, &br, in4, n4); n++;
	n4 = udp4(in4, SHARED, 11001, SHARED, 10001, 50, 64, false);
	len[n] = encap(p[n], &smap2, &br, in4, n4); n++;
	len[n] = encap(p[n], &smap1, &br, (const uint8_t *)"\x46xxxxxxxxxxxxxxxxxxxxxxx", 24); n++;
	for (size_t i = 0; i < n; i++) {
		ptr[i] = p[i];
		prr_from_smap(ctx, p[i], len[i], 0);
	}
	n_single = n_out;
	memcpy(single, outs, sizeof(single));
	teardown();
	setup();
	prr_from_smap_burst(ctx, ptr, len, n, 0);
	ck_assert_uint_eq(n_out, n_single);
	ck_assert_uint_eq(n_out, 3);	/* decapsulated, ICMPv6 1/5, hairpinned */
	for (unsigned i = 0; i < n_out; i++) {
		ck_assert_uint_eq(outs[i].len, single[i].len);
		ck_assert(memcmp(outs[i].pkt, single[i].pkt, outs[i].len) == 0);
	}
	assert_stat(PRR_STAT_IN6_PACKETS, n);
	assert_stat(PRR_STAT_IN6_DROP_SPOOFED, 1);
	assert_stat(PRR_STAT_IN6_DROP_INNER_MALFORMED, 1);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("datapath");
	TCase *tc = tcase_create("prr");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, inbound_udp_to_each_smap);
	tcase_add_test(tc, inbound_unbound_dropped);
	tcase_add_test(tc, inbound_unbound_icmp_by_config);
	tcase_add_test(tc, inbound_ttl_expired);
	tcase_add_test(tc, inbound_icmp_echo_and_error);
	tcase_add_test(tc, echo_port0_replies_follow_requests);
	tcase_add_test(tc, inbound_fragments_any_order);
	tcase_add_test(tc, inbound_df_too_big_for_learnt_mtu);
	tcase_add_test(tc, ptb_lowers_mtu_and_tells_the_source);
	tcase_add_test(tc, decap_owned_source);
	tcase_add_test(tc, decap_spoofed_source_refused);
	tcase_add_test(tc, hairpin_between_smaps);
	tcase_add_test(tc, decap_inner_fragments);
	tcase_add_test(tc, malformed_input_counted);
	tcase_add_test(tc, burst_equals_single);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(suite());
}
