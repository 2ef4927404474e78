/* SPDX-License-Identifier: MIT */
/* The packet codec: checksums, IPv4, IPv6 extension headers, L4, ICMP errors. */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "pkt.h"
#include "tests/unit/check_main.h"

/* A small fixed PRNG so failures reproduce (xorshift32). */
static uint32_t rng = 0x12345678;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* Checksum in network order, whatever the host order is. */
static uint16_t
csum_be(const uint8_t *p)
{
	return get16(p);
}

static bool
ipv4_csum_ok(const uint8_t *p, size_t hlen)
{
	return csum_fold(csum_partial(p, hlen, 0)) == 0xffff;
}

/* ---- checksums ---- */

START_TEST(csum_rfc1071_example)
{
	/* RFC 1071 3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 */
	const uint8_t b[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint8_t out[2];
	uint16_t s = csum_fold(csum_partial(b, sizeof(b), 0));
	uint16_t c;

	memcpy(out, &s, 2);
	ck_assert_uint_eq(out[0], 0xdd);
	ck_assert_uint_eq(out[1], 0xf2);
	c = csum_buf(b, sizeof(b));
	memcpy(out, &c, 2);
	ck_assert_uint_eq(out[0], 0x22);
	ck_assert_uint_eq(out[1], 0x0d);
	/* the same sum taken in pieces, any split, odd lengths included */
	for (size_t i = 0; i <= 8; i += 2) {
		uint16_t t = csum_fold(csum_partial(b + i, 8 - i, csum_partial(b, i, 0)));
		ck_assert_uint_eq(t, s);
	}
	/* odd tail: pad with a zero byte */
	{
		const uint8_t o[3] = { 0x12, 0x34, 0x56 };
		uint16_t t = csum_fold(csum_partial(o, 3, 0));
		memcpy(out, &t, 2);
		ck_assert_uint_eq(get16(out), 0x1234 + 0x5600);
	}
}
END_TEST

START_TEST(csum_long_buffers_match_naive)
{
	uint8_t b[1501];

	for (int iter = 0; iter < 200; iter++) {
		size_t n = rnd() % sizeof(b);
		uint32_t naive = 0;
		uint8_t out[2];
		uint16_t f;

		for (size_t i = 0; i < n; i++)
			b[i] = (uint8_t)(iter & 1 ? 0xff : rnd());
		for (size_t i = 0; i < n; i += 2)
			naive += (uint32_t)b[i] << 8 | (i + 1 < n ? b[i + 1] : 0);
		while (naive >> 16)
			naive = (naive & 0xffff) + (naive >> 16);
		f = csum_fold(csum_partial(b, n, 0));
		memcpy(out, &f, 2);
		/* 0 and ffff are the same number; an empty sum is +0 */
		if (n == 0)
			ck_assert_uint_eq(f, 0);
		else
			ck_assert_uint_eq(get16(out) % 0xffff, naive % 0xffff);
	}
}
END_TEST

START_TEST(csum_rfc1624_example)
{
	/* RFC 1624 4: HC = dd2f, m 5555 -> 3285; eqn. 3 gives 0000 */
	uint16_t hc = htons(0xdd2f), m = htons(0x5555), m2 = htons(0x3285);

	ck_assert_uint_eq(ntohs(csum_update16(hc, m, m2)), 0x0000);

	/* the same in a real header whose other words sum to cd7a */
	{
		uint8_t h[20] = { 0 };
		uint16_t c;

		put16(h + 0, 0x4500);
		put16(h + 2, 0xcd7a - 0x4500);
		put16(h + 4, 0x5555);
		ipv4_set_csum(h);
		ck_assert_uint_eq(csum_be(h + 10), 0xdd2f);
		memcpy(&m, h + 4, 2);
		put16(h + 4, 0x3285);
		memcpy(&m2, h + 4, 2);
		memcpy(&c, h + 10, 2);
		c = csum_update16(c, m, m2);
		memcpy(h + 10, &c, 2);
		ck_assert_uint_eq(csum_be(h + 10), 0x0000);
		ck_assert(ipv4_csum_ok(h, 20));
	}
}
END_TEST

/*
 * Incremental update equals recomputation. The only freedom is RFC 1624
 * section 3's: a sum of ffff may be stored as 0000 or ffff; for a header
 * that is not all zero, recomputation gives 0000 and eqn. 3 must too.
 */
START_TEST(csum_update_matches_recompute)
{
	unsigned corner = 0;

	for (int iter = 0; iter < 100000; iter++) {
		uint8_t h[20];
		uint16_t c, full, old16, new16;
		uint32_t old32, new32;
		size_t w;

		for (size_t i = 0; i < sizeof(h); i++)
			h[i] = (uint8_t)rnd();
		h[0] = 0x45;
		ipv4_set_csum(h);
		memcpy(&c, h + 10, 2);
		if (rnd() & 1) {
			/* a 16-bit word other than the checksum */
			do
				w = (rnd() % 10) * 2;
			while (w == 10);
			memcpy(&old16, h + w, 2);
			if (iter % 4 == 0) {
				/* aim for a new sum of ffff: the 0000 corner */
				uint8_t tmp[2];
				uint16_t rest;
				h[10] = h[11] = 0;
				h[w] = h[w + 1] = 0;
				rest = csum_fold(csum_partial(h, 20, 0));
				memcpy(tmp, &rest, 2);
				put16(h + w, (uint16_t)~get16(tmp));
				if (w == 0 && h[0] >> 4 != 4) {
					memcpy(h + w, &old16, 2);
					memcpy(h + 10, &c, 2);
					continue;
				}
			} else {
				put16(h + w, (uint16_t)rnd());
			}
			memcpy(&new16, h + w, 2);
			c = csum_update16(c, old16, new16);
		} else {
			/* addresses, as the NAT-style rewrites do */
			w = rnd() & 1 ? 12 : 16;
			memcpy(&old32, h + w, 4);
			put32(h + w, rnd());
			memcpy(&new32, h + w, 4);
			c = csum_update32(c, old32, new32);
		}
		memcpy(h + 10, &c, 2);
		ck_assert(ipv4_csum_ok(h, 20));
		h[10] = h[11] = 0;
		full = csum_buf(h, 20);
		if (full == 0)
			corner++;
		ck_assert_msg(c == full, "iter %d: incremental %04x, recomputed %04x",
			      iter, ntohs(c), ntohs(full));
	}
	ck_assert_uint_gt(corner, 1000);
}
END_TEST

START_TEST(csum_pseudo_headers)
{
	/* a UDP datagram checksummed with the pseudo header sums to ffff */
	uint8_t s4[4] = { 192, 0, 2, 1 }, d4[4] = { 198, 51, 100, 10 };
	uint8_t u[12] = { 0x27, 0x10, 0x00, 0x35, 0x00, 12, 0, 0, 'a', 'b', 'c', 'd' };
	struct in6_addr s6, d6;
	uint16_t c;

	c = (uint16_t)~csum_fold(csum_partial(u, 12, csum_pseudo4(s4, d4, IPPROTO_UDP, 12)));
	memcpy(u + 6, &c, 2);
	ck_assert_uint_eq(csum_fold(csum_partial(u, 12, csum_pseudo4(s4, d4, IPPROTO_UDP, 12))),
			  0xffff);
	inet_pton(AF_INET6, "2001:db8:1::2", &s6);
	inet_pton(AF_INET6, "2001:db8:100::1", &d6);
	u[6] = u[7] = 0;
	c = (uint16_t)~csum_fold(csum_partial(u, 12, csum_pseudo6(&s6, &d6, IPPROTO_UDP, 12)));
	memcpy(u + 6, &c, 2);
	ck_assert_uint_eq(csum_fold(csum_partial(u, 12, csum_pseudo6(&s6, &d6, IPPROTO_UDP, 12))),
			  0xffff);
}
END_TEST

/* ---- IPv4 ---- */

static size_t
mk4(uint8_t *p, size_t payload)
{
	size_t len = 20 + payload;

	ipv4_build(p, 0x10, (uint16_t)len, 0xbeef, IPV4_DF, 64, IPPROTO_UDP,
		   0xc633640a, 0xc0000201);
	memset(p + 20, 0xab, payload);
	return len;
}

START_TEST(ipv4_parse_good)
{
	uint8_t p[128];
	struct ipv4_info ip;
	size_t n = mk4(p, 30);

	/* buffer longer than tot_len: trailing padding is fine */
	ck_assert_int_eq(ipv4_parse(p, n + 10, true, &ip), PKT_OK);
	ck_assert_uint_eq(ip.hlen, 20);
	ck_assert_uint_eq(ip.tos, 0x10);
	ck_assert_uint_eq(ip.ttl, 64);
	ck_assert_uint_eq(ip.proto, IPPROTO_UDP);
	ck_assert_uint_eq(ip.tot_len, 50);
	ck_assert_uint_eq(ip.id, 0xbeef);
	ck_assert(ip.df);
	ck_assert(!ip.mf);
	ck_assert_uint_eq(ip.frag_off, 0);
	ck_assert(!ipv4_is_fragment(&ip));
	ck_assert_uint_eq(ip.src, 0xc633640a);
	ck_assert_uint_eq(ip.dst, 0xc0000201);
}
END_TEST

START_TEST(ipv4_parse_options_and_fragments)
{
	uint8_t p[128];
	struct ipv4_info ip;

	memset(p, 0, sizeof(p));
	/* IHL 6: a 4-byte option word (NOPs and end of options) */
	ipv4_build(p, 0, 32, 1, IPV4_MF | 185, 9, IPPROTO_TCP, 1, 2);
	memmove(p + 24, p + 20, 8);
	p[0] = 0x46;
	p[20] = 1;
	p[21] = 1;
	p[22] = 1;
	p[23] = 0;
	ipv4_set_csum(p);
	ck_assert_int_eq(ipv4_parse(p, 32, true, &ip), PKT_OK);
	ck_assert_uint_eq(ip.hlen, 24);
	ck_assert(ip.mf);
	ck_assert(!ip.df);
	ck_assert_uint_eq(ip.frag_off, 1480);
	ck_assert(ipv4_is_fragment(&ip));
	ck_assert_uint_eq(ip.proto, IPPROTO_TCP);

	/* last fragment: offset only */
	ipv4_build(p, 0, 40, 1, 370, 9, IPPROTO_UDP, 1, 2);
	ck_assert_int_eq(ipv4_parse(p, 40, true, &ip), PKT_OK);
	ck_assert(!ip.mf);
	ck_assert_uint_eq(ip.frag_off, 2960);
	ck_assert(ipv4_is_fragment(&ip));

	/* largest offset: 8191 * 8 */
	ipv4_build(p, 0, 40, 1, 0x1fff, 9, IPPROTO_UDP, 1, 2);
	ck_assert_int_eq(ipv4_parse(p, 40, true, &ip), PKT_OK);
	ck_assert_uint_eq(ip.frag_off, 65528);

	/* IHL 15: 60-byte header */
	memset(p, 1, 60);
	ipv4_build(p, 0, 60, 1, 0, 9, IPPROTO_UDP, 1, 2);
	p[0] = 0x4f;
	ipv4_set_csum(p);
	ck_assert_int_eq(ipv4_parse(p, 60, true, &ip), PKT_OK);
	ck_assert_uint_eq(ip.hlen, 60);
}
END_TEST

START_TEST(ipv4_parse_errors)
{
	uint8_t p[128];
	struct ipv4_info ip;
	size_t n = mk4(p, 30);

	/* truncated: every length below the minimum header */
	for (size_t l = 0; l < 20; l++)
		ck_assert_int_eq(ipv4_parse(p, l, true, &ip), PKT_TRUNCATED);
	/* tot_len beyond the buffer */
	ck_assert_int_eq(ipv4_parse(p, n - 1, true, &ip), PKT_BAD_LENGTH);
	ck_assert_int_eq(ipv4_parse(p, 20, true, &ip), PKT_BAD_LENGTH);

	/* wrong version: 6 and 0 */
	mk4(p, 30);
	p[0] = 0x65;
	ck_assert_int_eq(ipv4_parse(p, n, false, &ip), PKT_BAD_VERSION);
	p[0] = 0x05;
	ck_assert_int_eq(ipv4_parse(p, n, false, &ip), PKT_BAD_VERSION);

	/* IHL below 5 */
	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		mk4(p, 30);
		p[0] = (uint8_t)(0x40 | ihl);
		ipv4_set_csum(p);
		ck_assert_int_eq(ipv4_parse(p, n, true, &ip), PKT_BAD_IHL);
	}

	/* IHL says 60 bytes, buffer holds 40 */
	mk4(p, 20);
	p[0] = 0x4f;
	ck_assert_int_eq(ipv4_parse(p, 40, false, &ip), PKT_TRUNCATED);

	/* tot_len below the header length */
	mk4(p, 30);
	put16(p + 2, 19);
	ipv4_set_csum(p);
	ck_assert_int_eq(ipv4_parse(p, n, true, &ip), PKT_BAD_LENGTH);
	mk4(p, 30);
	p[0] = 0x46;
	put16(p + 2, 20);
	ipv4_set_csum(p);
	ck_assert_int_eq(ipv4_parse(p, n, true, &ip), PKT_BAD_LENGTH);

	/* bad checksum: any single bit flipped in the header */
	for (int bit = 0; bit < 160; bit++) {
		enum pkt_err e;

		mk4(p, 30);
		p[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		e = ipv4_parse(p, n, true, &ip);
		ck_assert_int_ne(e, PKT_OK);
		if (bit / 8 >= 4)
			ck_assert_int_eq(e, PKT_BAD_CHECKSUM);
		/* without the check the flip goes unnoticed */
		if (bit / 8 >= 4)
			ck_assert_int_eq(ipv4_parse(p, n, false, &ip), PKT_OK);
	}
	ck_assert_str_eq(pkt_strerror(PKT_BAD_CHECKSUM), "bad checksum");
	ck_assert_str_eq(pkt_strerror(PKT_OK), "ok");
}
END_TEST

START_TEST(ipv4_build_and_dec_ttl)
{
	uint8_t p[64];
	struct ipv4_info ip;

	for (int iter = 0; iter < 2000; iter++) {
		uint16_t c;

		ipv4_build(p, (uint8_t)rnd(), 20 + (uint16_t)(rnd() % 44), (uint16_t)rnd(),
			   (uint16_t)rnd(), 255, (uint8_t)rnd(), rnd(), rnd());
		ck_assert_uint_eq(csum_buf(p, 20), 0);
		ck_assert(ipv4_csum_ok(p, 20));
		for (int ttl = 255; ttl > 0; ttl--) {
			ipv4_dec_ttl(p);
			ck_assert_uint_eq(p[8], ttl - 1);
			ck_assert(ipv4_csum_ok(p, 20));
			memcpy(&c, p + 10, 2);
			p[10] = p[11] = 0;
			ck_assert_uint_eq(c, csum_buf(p, 20));
			memcpy(p + 10, &c, 2);
		}
		ck_assert_int_eq(ipv4_parse(p, sizeof(p), true, &ip), PKT_OK);
		ck_assert_uint_eq(ip.ttl, 0);
	}
}
END_TEST

/* ---- IPv6 ---- */

static struct in6_addr a6, b6;

static void
addrs(void)
{
	inet_pton(AF_INET6, "2001:db8:1::2", &a6);
	inet_pton(AF_INET6, "2001:db8:100::1", &b6);
}

/* An extension header of 8 * (1 + hl) bytes at p. */
static size_t
ext(uint8_t *p, uint8_t nh, uint8_t hl)
{
	memset(p, 0, (size_t)(hl + 1) * 8);
	p[0] = nh;
	p[1] = hl;
	p[2] = 1;	/* PadN */
	p[3] = (uint8_t)((hl + 1) * 8 - 4);
	return (size_t)(hl + 1) * 8;
}

static size_t
fraghdr(uint8_t *p, uint8_t nh, uint16_t off, bool mf, uint32_t id)
{
	p[0] = nh;
	p[1] = 0;
	put16(p + 2, (uint16_t)(off | (mf ? 1 : 0)));
	put32(p + 4, id);
	return 8;
}

static size_t
udp_at(uint8_t *p, size_t payload)
{
	put16(p, 10000);
	put16(p + 2, 53);
	put16(p + 4, (uint16_t)(8 + payload));
	put16(p + 6, 0);
	memset(p + 8, 0x5a, payload);
	return 8 + payload;
}

START_TEST(ipv6_parse_plain)
{
	uint8_t p[128];
	struct ipv6_info ip;

	addrs();
	ipv6_build(p, 0xb8, 0x12345, 16, IPPROTO_UDP, 63, &a6, &b6);
	udp_at(p + 40, 8);
	ck_assert_int_eq(ipv6_parse(p, 56, &ip), PKT_OK);
	ck_assert_uint_eq(ip.tc, 0xb8);
	ck_assert_uint_eq(ip.flow, 0x12345);
	ck_assert_uint_eq(ip.plen, 16);
	ck_assert_uint_eq(ip.hlim, 63);
	ck_assert(memcmp(&ip.src, &a6, 16) == 0);
	ck_assert(memcmp(&ip.dst, &b6, 16) == 0);
	ck_assert_uint_eq(ip.proto, IPPROTO_UDP);
	ck_assert_uint_eq(ip.l4_off, 40);
	ck_assert_uint_eq(ip.proto_field, 6);
	ck_assert(!ip.frag);
	ck_assert(!ipv6_is_fragment(&ip));
	/* padding after the payload is allowed */
	ck_assert_int_eq(ipv6_parse(p, 100, &ip), PKT_OK);

	/* IPv4-in-IPv6: the softwire's own shape */
	ipv6_build(p, 0, 0, 28, IPPROTO_IPIP_, 64, &a6, &b6);
	ipv4_build(p + 40, 0, 28, 1, 0, 64, IPPROTO_UDP, 1, 2);
	ck_assert_int_eq(ipv6_parse(p, 68, &ip), PKT_OK);
	ck_assert_uint_eq(ip.proto, 4);
	ck_assert_uint_eq(ip.l4_off, 40);
}
END_TEST

START_TEST(ipv6_parse_chain_first_fragment)
{
	uint8_t p[256];
	struct ipv6_info ip;
	size_t off = 40;

	addrs();
	off += ext(p + off, IPPROTO_DSTOPTS, 0);		/* hop-by-hop at 40 */
	off += ext(p + off, IPPROTO_FRAGMENT, 1);		/* dstopts at 48, 16 bytes */
	off += fraghdr(p + off, IPPROTO_UDP, 0, true, 0xdeadbeef);	/* at 64 */
	off += udp_at(p + off, 16);
	ipv6_build(p, 0, 0, (uint16_t)(off - 40), IPPROTO_HOPOPTS, 64, &a6, &b6);
	ck_assert_int_eq(ipv6_parse(p, off, &ip), PKT_OK);
	ck_assert_uint_eq(ip.proto, IPPROTO_UDP);
	ck_assert_uint_eq(ip.l4_off, 72);
	ck_assert_uint_eq(ip.proto_field, 64);
	ck_assert(ip.frag);
	ck_assert_uint_eq(ip.frag_hdr, 64);
	ck_assert_uint_eq(ip.frag_off, 0);
	ck_assert(ip.mf);
	ck_assert_uint_eq(ip.frag_id, 0xdeadbeef);
	ck_assert(ipv6_is_fragment(&ip));

	/* atomic fragment (RFC 6946): header present, not a fragment */
	fraghdr(p + 64, IPPROTO_UDP, 0, false, 7);
	ck_assert_int_eq(ipv6_parse(p, off, &ip), PKT_OK);
	ck_assert(ip.frag);
	ck_assert(!ipv6_is_fragment(&ip));
}
END_TEST

START_TEST(ipv6_parse_later_fragment)
{
	uint8_t p[256];
	struct ipv6_info ip;
	size_t off = 40;

	addrs();
	off += ext(p + off, IPPROTO_FRAGMENT, 0);
	off += fraghdr(p + off, IPPROTO_UDP, 1448, false, 42);
	/* data that happens to look like extension headers: not walked */
	memset(p + off, IPPROTO_FRAGMENT, 24);
	off += 24;
	ipv6_build(p, 0, 0, (uint16_t)(off - 40), IPPROTO_HOPOPTS, 64, &a6, &b6);
	ck_assert_int_eq(ipv6_parse(p, off, &ip), PKT_OK);
	ck_assert(ip.frag);
	ck_assert_uint_eq(ip.frag_hdr, 48);
	ck_assert_uint_eq(ip.frag_off, 1448);
	ck_assert(!ip.mf);
	ck_assert_uint_eq(ip.frag_id, 42);
	ck_assert_uint_eq(ip.proto, IPPROTO_UDP);
	ck_assert_uint_eq(ip.l4_off, 56);
	ck_assert(ipv6_is_fragment(&ip));
}
END_TEST

START_TEST(ipv6_parse_bad_chains)
{
	uint8_t p[512];
	struct ipv6_info ip;
	size_t off;

	addrs();
	/* hop-by-hop after destination options */
	off = 40;
	off += ext(p + off, IPPROTO_HOPOPTS, 0);
	off += ext(p + off, IPPROTO_UDP, 0);
	off += udp_at(p + off, 0);
	ipv6_build(p, 0, 0, (uint16_t)(off - 40), IPPROTO_DSTOPTS, 64, &a6, &b6);
	ck_assert_int_eq(ipv6_parse(p, off, &ip), PKT_BAD_EXTHDR);

	/* two hop-by-hop headers */
	p[40] = IPPROTO_HOPOPTS;
	p[6] = IPPROTO_HOPOPTS;
	ck_assert_int_eq(ipv6_parse(p, off, &ip), PKT_BAD_EXTHDR);

	/* two fragment headers */
	off = 40;
	off += fraghdr(p + off, IPPROTO_FRAGMENT, 0, true, 1);
	off += fraghdr(p + off, IPPROTO_UDP, 0, true, 2);
	off += udp_at(p + off, 8);
	ipv6_build(p, 0, 0, (uint16_t)(off - 40), IPPROTO_FRAGMENT, 64, &a6, &b6);
	ck_assert_int_eq(ipv6_parse(p, off, &ip), PKT_BAD_EXTHDR);

	/* exactly IPV6_MAX_EXTHDRS headers are fine; one more is a loop */
	for (int n = IPV6_MAX_EXTHDRS; n <= IPV6_MAX_EXTHDRS + 1; n++) {
		off = 40;
		for (int i = 0; i < n; i++)
			off += ext(p + off, i == n - 1 ? IPPROTO_UDP : IPPROTO_DSTOPTS, 0);
		off += udp_at(p + off, 0);
		ipv6_build(p, 0, 0, (uint16_t)(off - 40), IPPROTO_DSTOPTS, 64, &a6, &b6);
		ck_assert_int_eq(ipv6_parse(p, off, &ip),
				 n > IPV6_MAX_EXTHDRS ? PKT_BAD_EXTHDR : PKT_OK);
	}
	/* routing headers pointing at each other until the buffer ends */
	off = 40;
	for (int i = 0; i < 40; i++)
		off += ext(p + off, IPPROTO_ROUTING, 0);
	ipv6_build(p, 0, 0, (uint16_t)(off - 40), IPPROTO_ROUTING, 64, &a6, &b6);
	ck_assert_int_eq(ipv6_parse(p, off, &ip), PKT_BAD_EXTHDR);
}
END_TEST

START_TEST(ipv6_parse_lengths)
{
	uint8_t p[256];
	struct ipv6_info ip;
	size_t off;

	addrs();
	/* an extension header that runs past the payload */
	off = 40;
	off += ext(p + off, IPPROTO_UDP, 3);	/* 32 bytes */
	ipv6_build(p, 0, 0, 16, IPPROTO_DSTOPTS, 64, &a6, &b6);
	ck_assert_int_eq(ipv6_parse(p, off, &ip), PKT_TRUNCATED);
	/* ... even if the buffer holds it: the payload length rules */
	ck_assert_int_eq(ipv6_parse(p, sizeof(p), &ip), PKT_TRUNCATED);
	/* fewer than 8 bytes left for the next extension header */
	ipv6_build(p, 0, 0, 4, IPPROTO_FRAGMENT, 64, &a6, &b6);
	ck_assert_int_eq(ipv6_parse(p, 44, &ip), PKT_TRUNCATED);
	ipv6_build(p, 0, 0, 12, IPPROTO_DSTOPTS, 64, &a6, &b6);
	ext(p + 40, IPPROTO_HOPOPTS, 0);
	ck_assert_int_eq(ipv6_parse(p, 52, &ip), PKT_BAD_EXTHDR);
	ext(p + 40, IPPROTO_ROUTING, 0);
	ck_assert_int_eq(ipv6_parse(p, 52, &ip), PKT_TRUNCATED);

	/* payload length 0 (jumbogram) and beyond the buffer */
	ipv6_build(p, 0, 0, 0, IPPROTO_UDP, 64, &a6, &b6);
	ck_assert_int_eq(ipv6_parse(p, 48, &ip), PKT_BAD_LENGTH);
	ipv6_build(p, 0, 0, 9, IPPROTO_UDP, 64, &a6, &b6);
	ck_assert_int_eq(ipv6_parse(p, 48, &ip), PKT_BAD_LENGTH);
	ck_assert_int_eq(ipv6_parse(p, 49, &ip), PKT_OK);
	ipv6_build(p, 0, 0, 0xffff, IPPROTO_UDP, 64, &a6, &b6);
	ck_assert_int_eq(ipv6_parse(p, sizeof(p), &ip), PKT_BAD_LENGTH);

	/* short and wrong version */
	for (size_t l = 0; l < 40; l++)
		ck_assert_int_eq(ipv6_parse(p, l, &ip), PKT_TRUNCATED);
	ipv6_build(p, 0, 0, 8, IPPROTO_UDP, 64, &a6, &b6);
	p[0] = 0x45;
	ck_assert_int_eq(ipv6_parse(p, 48, &ip), PKT_BAD_VERSION);
}
END_TEST

/* ---- L4 ---- */

START_TEST(l4_udp_tcp)
{
	uint8_t b[64] = { 0 };
	struct l4_info l4;

	put16(b, 1234);
	put16(b + 2, 10500);
	ck_assert_int_eq(l4_parse(IPPROTO_UDP, b, 8, &l4), PKT_OK);
	ck_assert_uint_eq(l4.sport, 1234);
	ck_assert_uint_eq(l4.dport, 10500);
	ck_assert_uint_eq(l4.hlen, 8);
	ck_assert_uint_eq(l4.proto, IPPROTO_UDP);
	ck_assert_int_eq(l4_parse(IPPROTO_UDP, b, 7, &l4), PKT_BAD_L4);
	ck_assert_int_eq(l4_parse(IPPROTO_UDP, b, 0, &l4), PKT_BAD_L4);

	b[12] = 5 << 4;
	ck_assert_int_eq(l4_parse(IPPROTO_TCP, b, 20, &l4), PKT_OK);
	ck_assert_uint_eq(l4.sport, 1234);
	ck_assert_uint_eq(l4.dport, 10500);
	ck_assert_uint_eq(l4.hlen, 20);
	ck_assert_int_eq(l4_parse(IPPROTO_TCP, b, 19, &l4), PKT_BAD_L4);
	/* data offset with options: must be present */
	b[12] = 8 << 4;
	ck_assert_int_eq(l4_parse(IPPROTO_TCP, b, 32, &l4), PKT_OK);
	ck_assert_uint_eq(l4.hlen, 32);
	ck_assert_int_eq(l4_parse(IPPROTO_TCP, b, 31, &l4), PKT_BAD_L4);
	/* data offset below 5 */
	b[12] = 4 << 4;
	ck_assert_int_eq(l4_parse(IPPROTO_TCP, b, 64, &l4), PKT_BAD_L4);

	/* other protocols: no ports, no error */
	ck_assert_int_eq(l4_parse(IPPROTO_GRE, b, 0, &l4), PKT_OK);
	ck_assert_uint_eq(l4.sport, 0);
	ck_assert_uint_eq(l4.proto, IPPROTO_GRE);

	ck_assert_int_eq(l4_csum_offset(IPPROTO_UDP), 6);
	ck_assert_int_eq(l4_csum_offset(IPPROTO_TCP), 16);
	ck_assert_int_eq(l4_csum_offset(IPPROTO_ICMP), 2);
	ck_assert_int_eq(l4_csum_offset(IPPROTO_ICMPV6), 2);
	ck_assert_int_eq(l4_csum_offset(IPPROTO_GRE), -1);
}
END_TEST

START_TEST(l4_icmp)
{
	uint8_t b[16] = { 0 };
	struct l4_info l4;

	/* echo request and reply: the identifier is the port */
	b[0] = 8;
	put16(b + 4, 10777);
	ck_assert_int_eq(l4_parse(IPPROTO_ICMP, b, 8, &l4), PKT_OK);
	ck_assert(l4.icmp_echo);
	ck_assert(!l4.icmp_error);
	ck_assert_uint_eq(l4.sport, 10777);
	ck_assert_uint_eq(l4.dport, 10777);
	ck_assert_uint_eq(l4.hlen, 8);
	b[0] = 0;
	ck_assert_int_eq(l4_parse(IPPROTO_ICMP, b, 8, &l4), PKT_OK);
	ck_assert(l4.icmp_echo);
	/* errors */
	for (uint8_t t = 0; t < 20; t++) {
		bool err = t == 3 || t == 4 || t == 5 || t == 11 || t == 12;
		b[0] = t;
		b[1] = 4;
		ck_assert_int_eq(l4_parse(IPPROTO_ICMP, b, 8, &l4), PKT_OK);
		ck_assert_uint_eq(l4.type, t);
		ck_assert_uint_eq(l4.code, 4);
		ck_assert(l4.icmp_error == err);
		if (!l4.icmp_echo)
			ck_assert_uint_eq(l4.sport, 0);
	}
	ck_assert_int_eq(l4_parse(IPPROTO_ICMP, b, 7, &l4), PKT_BAD_L4);

	b[0] = 128;
	ck_assert_int_eq(l4_parse(IPPROTO_ICMPV6, b, 8, &l4), PKT_OK);
	ck_assert(l4.icmp_echo);
	ck_assert_uint_eq(l4.sport, 10777);
	b[0] = 129;
	ck_assert_int_eq(l4_parse(IPPROTO_ICMPV6, b, 8, &l4), PKT_OK);
	ck_assert(l4.icmp_echo);
	b[0] = 2;
	ck_assert_int_eq(l4_parse(IPPROTO_ICMPV6, b, 8, &l4), PKT_OK);
	ck_assert(l4.icmp_error);
	ck_assert(!l4.icmp_echo);
	b[0] = 135;	/* neighbour solicitation: neither */
	ck_assert_int_eq(l4_parse(IPPROTO_ICMPV6, b, 8, &l4), PKT_OK);
	ck_assert(!l4.icmp_error);
	ck_assert(!l4.icmp_echo);
	ck_assert_int_eq(l4_parse(IPPROTO_ICMPV6, b, 7, &l4), PKT_BAD_L4);
}
END_TEST

/* ---- ICMP errors ---- */

static void
fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 13 + 1);
}

START_TEST(icmp4_error)
{
	static uint8_t orig[2000], out[2000];
	struct ipv4_info ip;
	size_t n;

	fill(orig, sizeof(orig));
	ipv4_build(orig, 0, 1500, 9, IPV4_DF, 64, IPPROTO_UDP, 0xc0000201, 0xc633640a);

	/* long original: cut so that the whole error is 576 */
	n = icmp4_error_build(out, sizeof(out), 0xc6336401, 0xc0000201, 3, 4, 1460,
			      orig, 1500, 576);
	ck_assert_uint_eq(n, 576);
	ck_assert_int_eq(ipv4_parse(out, n, true, &ip), PKT_OK);
	ck_assert_uint_eq(ip.tot_len, 576);
	ck_assert_uint_eq(ip.proto, IPPROTO_ICMP);
	ck_assert_uint_eq(ip.ttl, 255);
	ck_assert_uint_eq(ip.src, 0xc6336401);
	ck_assert_uint_eq(ip.dst, 0xc0000201);
	ck_assert(!ipv4_is_fragment(&ip));
	ck_assert_uint_eq(out[20], 3);
	ck_assert_uint_eq(out[21], 4);
	ck_assert_uint_eq(get32(out + 24), 1460);
	ck_assert_uint_eq(csum_buf(out + 20, n - 20), 0);
	ck_assert(memcmp(out + 28, orig, 576 - 28) == 0);

	/* short original: quoted whole */
	ipv4_build(orig, 0, 60, 9, 0, 1, IPPROTO_UDP, 0xc0000201, 0xc633640a);
	n = icmp4_error_build(out, sizeof(out), 1, 2, 11, 0, 0, orig, 60, 576);
	ck_assert_uint_eq(n, 88);
	ck_assert_int_eq(ipv4_parse(out, n, true, &ip), PKT_OK);
	ck_assert_uint_eq(ip.tot_len, 88);
	ck_assert_uint_eq(csum_buf(out + 20, n - 20), 0);
	ck_assert(memcmp(out + 28, orig, 60) == 0);
	ck_assert_uint_eq(get32(out + 24), 0);

	/* odd quote length: checksum still right */
	n = icmp4_error_build(out, sizeof(out), 1, 2, 3, 3, 0, orig, 33, 576);
	ck_assert_uint_eq(n, 61);
	ck_assert_uint_eq(csum_buf(out + 20, n - 20), 0);

	/* cap smaller than max_total caps it; below 28 nothing is written */
	n = icmp4_error_build(out, 100, 1, 2, 3, 3, 0, orig, 1500, 576);
	ck_assert_uint_eq(n, 100);
	ck_assert_uint_eq(csum_buf(out + 20, n - 20), 0);
	ck_assert_uint_eq(icmp4_error_build(out, 27, 1, 2, 3, 3, 0, orig, 60, 576), 0);
	ck_assert_uint_eq(icmp4_error_build(out, 2000, 1, 2, 3, 3, 0, orig, 60, 27), 0);
	ck_assert_uint_eq(icmp4_error_build(out, 28, 1, 2, 3, 3, 0, orig, 60, 576), 28);
}
END_TEST

START_TEST(icmp6_error)
{
	static uint8_t orig[2000], out[2000];
	struct ipv6_info ip;
	size_t n;

	addrs();
	fill(orig, sizeof(orig));
	ipv6_build(orig, 0, 0, 1460, IPPROTO_IPIP_, 64, &a6, &b6);
	n = icmp6_error_build(out, sizeof(out), &b6, &a6, 1, 5, 0, orig, 1500, 1280);
	ck_assert_uint_eq(n, 1280);
	ck_assert_int_eq(ipv6_parse(out, n, &ip), PKT_OK);
	ck_assert_uint_eq(ip.plen, 1240);
	ck_assert_uint_eq(ip.proto, IPPROTO_ICMPV6);
	ck_assert_uint_eq(ip.hlim, 255);
	ck_assert(memcmp(&ip.src, &b6, 16) == 0);
	ck_assert(memcmp(&ip.dst, &a6, 16) == 0);
	ck_assert_uint_eq(out[40], 1);
	ck_assert_uint_eq(out[41], 5);
	ck_assert_uint_eq(get32(out + 44), 0);
	ck_assert_uint_eq(csum_fold(csum_partial(out + 40, 1240,
			  csum_pseudo6(&b6, &a6, IPPROTO_ICMPV6, 1240))), 0xffff);
	ck_assert(memcmp(out + 48, orig, 1280 - 48) == 0);

	/* packet too big with its MTU; short quote */
	n = icmp6_error_build(out, sizeof(out), &b6, &a6, 2, 0, 1280, orig, 101, 1280);
	ck_assert_uint_eq(n, 149);
	ck_assert_int_eq(ipv6_parse(out, n, &ip), PKT_OK);
	ck_assert_uint_eq(ip.plen, 109);
	ck_assert_uint_eq(get32(out + 44), 1280);
	ck_assert_uint_eq(csum_fold(csum_partial(out + 40, 109,
			  csum_pseudo6(&b6, &a6, IPPROTO_ICMPV6, 109))), 0xffff);

	ck_assert_uint_eq(icmp6_error_build(out, 47, &b6, &a6, 1, 5, 0, orig, 10, 1280), 0);
	ck_assert_uint_eq(icmp6_error_build(out, 500, &b6, &a6, 1, 5, 0, orig, 1500, 1280), 500);
}
END_TEST

static Suite *
pkt_suite(void)
{
	Suite *s = suite_create("pkt");
	TCase *tc;

	tc = tcase_create("csum");
	tcase_add_test(tc, csum_rfc1071_example);
	tcase_add_test(tc, csum_long_buffers_match_naive);
	tcase_add_test(tc, csum_rfc1624_example);
	tcase_add_test(tc, csum_update_matches_recompute);
	tcase_add_test(tc, csum_pseudo_headers);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("ipv4");
	tcase_add_test(tc, ipv4_parse_good);
	tcase_add_test(tc, ipv4_parse_options_and_fragments);
	tcase_add_test(tc, ipv4_parse_errors);
	tcase_add_test(tc, ipv4_build_and_dec_ttl);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("ipv6");
	tcase_add_test(tc, ipv6_parse_plain);
	tcase_add_test(tc, ipv6_parse_chain_first_fragment);
	tcase_add_test(tc, ipv6_parse_later_fragment);
	tcase_add_test(tc, ipv6_parse_bad_chains);
	tcase_add_test(tc, ipv6_parse_lengths);
	suite_add_tcase(s, tc);

	tc = tcase_create("l4");
	tcase_add_test(tc, l4_udp_tcp);
	tcase_add_test(tc, l4_icmp);
	suite_add_tcase(s, tc);

	tc = tcase_create("icmp");
	tcase_add_test(tc, icmp4_error);
	tcase_add_test(tc, icmp6_error);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(pkt_suite());
}
