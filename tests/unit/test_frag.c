/* SPDX-License-Identifier: MIT */
/*
 * Fragmentation and reassembly (common/frag.c, common/reasm.c):
 * orders, duplicates, overlaps (RFC 5722), limits, timeouts, garbage,
 * round trips, and the layouts of the peer lwAFTR's conformance vectors.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csum.h"
#include "frag.h"
#include "pkt.h"
#include "prr/pcap.h"
#include "tests/unit/check_main.h"

#define BIG	(IPV6_HDR_LEN + 65535 + 64)

/* Fragments caught from an emit callback. */
struct coll {
	unsigned n, cap;
	uint8_t **pkt;
	size_t *len;
};

static void
coll_emit(void *arg, const uint8_t *p, size_t len)
{
	struct coll *c = arg;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->pkt = realloc(c->pkt, c->cap * sizeof(*c->pkt));
		c->len = realloc(c->len, c->cap * sizeof(*c->len));
		ck_assert(c->pkt && c->len);
	}
	c->pkt[c->n] = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(c->pkt[c->n]);
	memcpy(c->pkt[c->n], p, len);
	c->len[c->n++] = len;
}

static void
coll_free(struct coll *c)
{
	unsigned i;

	for (i = 0; i < c->n; i++)
		free(c->pkt[i]);
	free(c->pkt);
	free(c->len);
	memset(c, 0, sizeof(*c));
}

static uint8_t
pattern(size_t i, unsigned seed)
{
	return (uint8_t)(i * 7 + (i >> 8) * 13 + seed);
}

/* An IPv4 packet: 20 bytes + olen of options, plen payload bytes. */
static size_t
mk4(uint8_t *b, size_t plen, uint16_t id, uint8_t proto, const uint8_t *opts,
    size_t olen)
{
	size_t hlen = IPV4_HDR_MIN + olen, i;

	memset(b, 0, hlen);
	b[0] = (uint8_t)(0x40 | hlen / 4);
	put16(b + 2, (uint16_t)(hlen + plen));
	put16(b + 4, id);
	b[8] = 64;
	b[9] = proto;
	put32(b + 12, 0xc0000201);	/* 192.0.2.1 */
	put32(b + 16, 0xc633640a);	/* 198.51.100.10 */
	if (olen)
		memcpy(b + IPV4_HDR_MIN, opts, olen);
	for (i = 0; i < plen; i++)
		b[hlen + i] = pattern(i, id);
	ipv4_set_csum(b);
	return hlen + plen;
}

/* One IPv4 fragment, data byte i of the datagram being pattern(i). */
static size_t
frag4(uint8_t *b, uint16_t id, size_t off, int mf, size_t plen)
{
	size_t i;

	mk4(b, plen, id, 17, NULL, 0);
	for (i = 0; i < plen; i++)
		b[IPV4_HDR_MIN + i] = pattern(off + i, id);
	put16(b + 6, (uint16_t)((mf ? IPV4_MF : 0) | off / 8));
	ipv4_set_csum(b);
	return IPV4_HDR_MIN + plen;
}

/* An IPv6 packet: ext (whole extension headers, nh chain in them) then plen bytes. */
static size_t
mk6(uint8_t *b, uint8_t nh, const uint8_t *ext, size_t elen, size_t plen, unsigned seed)
{
	size_t i;

	memset(b, 0, IPV6_HDR_LEN);
	b[0] = 0x60;
	put16(b + 4, (uint16_t)(elen + plen));
	b[6] = nh;
	b[7] = 64;
	b[8] = 0x20, b[9] = 0x01, b[10] = 0x0d, b[11] = 0xb8, b[23] = 1;
	b[24] = 0x20, b[25] = 0x01, b[26] = 0x0d, b[27] = 0xb8, b[39] = 2;
	if (elen)
		memcpy(b + IPV6_HDR_LEN, ext, elen);
	for (i = 0; i < plen; i++)
		b[IPV6_HDR_LEN + elen + i] = pattern(i, seed);
	return IPV6_HDR_LEN + elen + plen;
}

/* One IPv6 fragment right after the fixed header, next header 4. */
static size_t
frag6(uint8_t *b, uint32_t id, size_t off, int m, size_t plen)
{
	size_t i;

	mk6(b, 44, NULL, 0, IPV6_FRAG_LEN + plen, 0);
	b[40] = 4;
	b[41] = 0;
	put16(b + 42, (uint16_t)(off | (m ? 1 : 0)));
	put32(b + 44, id);
	for (i = 0; i < plen; i++)
		b[48 + i] = pattern(off + i, id);
	return 48 + plen;
}

static struct reasm *
mkr(size_t max_bytes, unsigned max_frags, unsigned max_pending, uint32_t timeout)
{
	struct reasm_limits lim = { max_bytes, max_frags, max_pending, timeout };
	struct reasm *r = reasm_new(&lim);

	ck_assert_ptr_nonnull(r);
	return r;
}

static uint8_t out[BIG];
static size_t outlen;

static enum reasm_result
add4(struct reasm *r, const uint8_t *p, size_t len, uint64_t now)
{
	return reasm4_add(r, p, len, now, out, sizeof(out), &outlen);
}

/* Fragment header right after the IPv6 header (tests with more say so). */
static enum reasm_result
add6(struct reasm *r, const uint8_t *p, size_t len, uint64_t now)
{
	return reasm6_add(r, p, len, IPV6_HDR_LEN, now, out, sizeof(out), &outlen);
}

/* Feed fragments in the order given; the last must complete the packet. */
static void
feed4(struct reasm *r, const struct coll *c, const unsigned *order,
      const uint8_t *orig, size_t olen)
{
	unsigned i;

	for (i = 0; i < c->n; i++) {
		enum reasm_result res = add4(r, c->pkt[order[i]], c->len[order[i]], 0);

		ck_assert_int_eq(res, i + 1 == c->n ? REASM_DONE : REASM_PENDING);
	}
	ck_assert_uint_eq(outlen, olen);
	ck_assert(memcmp(out, orig, olen) == 0);
	ck_assert_uint_eq(reasm_pending(r), 0);
	ck_assert_uint_eq(reasm_bytes(r), 0);
}

static void
feed6(struct reasm *r, const struct coll *c, const unsigned *order,
      const uint8_t *orig, size_t olen)
{
	unsigned i;

	for (i = 0; i < c->n; i++) {
		enum reasm_result res = add6(r, c->pkt[order[i]], c->len[order[i]], 0);

		ck_assert_int_eq(res, i + 1 == c->n ? REASM_DONE : REASM_PENDING);
	}
	ck_assert_uint_eq(outlen, olen);
	ck_assert(memcmp(out, orig, olen) == 0);
	ck_assert_uint_eq(reasm_pending(r), 0);
	ck_assert_uint_eq(reasm_bytes(r), 0);
}

static unsigned *
identity(unsigned n)
{
	unsigned *o = malloc(n * sizeof(*o)), i;

	for (i = 0; i < n; i++)
		o[i] = i;
	return o;
}

static uint32_t rng = 12345;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void
shuffle(unsigned *o, unsigned n)
{
	unsigned i;

	for (i = n; i > 1; i--) {
		unsigned j = rnd() % i, t = o[i - 1];

		o[i - 1] = o[j];
		o[j] = t;
	}
}

/* ---- reassembly: orders and duplicates ---- */

START_TEST(v4_orders)
{
	static uint8_t p[4000];
	size_t n = mk4(p, 3000, 0x1234, 17, NULL, 0);
	struct reasm *r = mkr(1 << 20, 20, 16, 30000);
	struct coll c = { 0 };
	unsigned *o, i;

	ck_assert_int_eq(frag4_split(p, n, 1000, coll_emit, &c), 4);
	o = identity(c.n);
	feed4(r, &c, o, p, n);
	for (i = 0; i < c.n; i++)
		o[i] = c.n - 1 - i;
	feed4(r, &c, o, p, n);
	for (i = 0; i < 30; i++) {
		shuffle(o, c.n);
		feed4(r, &c, o, p, n);
	}
	free(o);
	coll_free(&c);
	reasm_free(r);
}
END_TEST

START_TEST(v6_orders)
{
	static uint8_t p[5000];
	size_t n = mk6(p, 4, NULL, 0, 4000, 3);
	struct reasm *r = mkr(1 << 20, 20, 16, 30000);
	struct coll c = { 0 };
	unsigned *o, i;

	ck_assert_int_eq(frag6_split(p, n, 1280, 0x80000001u, coll_emit, &c), 4);
	o = identity(c.n);
	feed6(r, &c, o, p, n);
	for (i = 0; i < c.n; i++)
		o[i] = c.n - 1 - i;
	feed6(r, &c, o, p, n);
	for (i = 0; i < 30; i++) {
		shuffle(o, c.n);
		feed6(r, &c, o, p, n);
	}
	free(o);
	coll_free(&c);
	reasm_free(r);
}
END_TEST

START_TEST(v4_duplicates)
{
	static uint8_t p[4000];
	size_t n = mk4(p, 2500, 7, 6, NULL, 0);
	struct reasm *r = mkr(1 << 20, 20, 16, 30000);
	struct coll c = { 0 };
	unsigned i;

	ck_assert_int_eq(frag4_split(p, n, 576, coll_emit, &c), 5);
	/* every fragment twice, but the last only once, at the end */
	for (i = 0; i + 1 < c.n; i++) {
		ck_assert_int_eq(add4(r, c.pkt[i], c.len[i], 0), REASM_PENDING);
		ck_assert_int_eq(add4(r, c.pkt[i], c.len[i], 0), REASM_PENDING);
	}
	ck_assert_int_eq(add4(r, c.pkt[0], c.len[0], 0), REASM_PENDING);
	ck_assert_int_eq(add4(r, c.pkt[c.n - 1], c.len[c.n - 1], 0), REASM_DONE);
	ck_assert_uint_eq(outlen, n);
	ck_assert(memcmp(out, p, n) == 0);
	ck_assert_uint_eq(reasm_pending(r), 0);
	/* a late duplicate opens a new datagram that will time out */
	ck_assert_int_eq(add4(r, c.pkt[1], c.len[1], 0), REASM_PENDING);
	ck_assert_uint_eq(reasm_pending(r), 1);
	ck_assert_uint_eq(reasm_expire(r, 30000), 1);
	ck_assert_uint_eq(reasm_bytes(r), 0);
	coll_free(&c);
	reasm_free(r);
}
END_TEST

START_TEST(v6_duplicates)
{
	static uint8_t p[5000];
	size_t n = mk6(p, 17, NULL, 0, 3000, 9);
	struct reasm *r = mkr(1 << 20, 20, 16, 30000);
	struct coll c = { 0 };
	unsigned i;

	ck_assert_int_eq(frag6_split(p, n, 1280, 42, coll_emit, &c), 3);
	for (i = c.n; i-- > 1;) {
		ck_assert_int_eq(add6(r, c.pkt[i], c.len[i], 0), REASM_PENDING);
		ck_assert_int_eq(add6(r, c.pkt[i], c.len[i], 0), REASM_PENDING);
	}
	ck_assert_int_eq(add6(r, c.pkt[0], c.len[0], 0), REASM_DONE);
	ck_assert_uint_eq(outlen, n);
	ck_assert(memcmp(out, p, n) == 0);
	coll_free(&c);
	reasm_free(r);
}
END_TEST

/* ---- overlaps: RFC 5722 drops the whole datagram ---- */

START_TEST(v4_overlap)
{
	uint8_t a[100], b[100];
	struct reasm *r = mkr(1 << 20, 20, 16, 30000);
	size_t la, lb;

	la = frag4(a, 1, 0, 1, 16);
	lb = frag4(b, 1, 8, 1, 16);	/* same bytes, but overlapping */
	ck_assert_int_eq(add4(r, a, la, 0), REASM_PENDING);
	ck_assert_int_eq(add4(r, b, lb, 0), REASM_ERR_OVERLAP);
	ck_assert_uint_eq(reasm_pending(r), 0);
	ck_assert_uint_eq(reasm_bytes(r), 0);
	/* a fragment that covers an earlier one */
	la = frag4(a, 2, 8, 1, 8);
	lb = frag4(b, 2, 0, 1, 24);
	ck_assert_int_eq(add4(r, a, la, 0), REASM_PENDING);
	ck_assert_int_eq(add4(r, b, lb, 0), REASM_ERR_OVERLAP);
	/* the last fragment reaching back into one we have */
	la = frag4(a, 3, 16, 1, 16);
	lb = frag4(b, 3, 24, 0, 20);
	ck_assert_int_eq(add4(r, a, la, 0), REASM_PENDING);
	ck_assert_int_eq(add4(r, b, lb, 0), REASM_ERR_OVERLAP);
	/* same place, different bytes: not a duplicate */
	la = frag4(a, 4, 0, 1, 16);
	memcpy(b, a, la);
	b[IPV4_HDR_MIN + 3] ^= 0xff;
	ck_assert_int_eq(add4(r, a, la, 0), REASM_PENDING);
	ck_assert_int_eq(add4(r, b, la, 0), REASM_ERR_OVERLAP);
	ck_assert_uint_eq(reasm_pending(r), 0);
	/* the key is back to new: the rest of it is a fresh datagram */
	la = frag4(a, 1, 16, 0, 8);
	ck_assert_int_eq(add4(r, a, la, 0), REASM_PENDING);
	reasm_free(r);
}
END_TEST

START_TEST(v6_overlap)
{
	uint8_t a[200], b[200];
	struct reasm *r = mkr(1 << 20, 20, 16, 30000);
	size_t la, lb;

	la = frag6(a, 0xdeadbeef, 0, 1, 64);
	lb = frag6(b, 0xdeadbeef, 56, 0, 30);
	ck_assert_int_eq(add6(r, a, la, 0), REASM_PENDING);
	ck_assert_int_eq(add6(r, b, lb, 0), REASM_ERR_OVERLAP);
	ck_assert_uint_eq(reasm_pending(r), 0);
	la = frag6(a, 5, 64, 0, 40);
	lb = frag6(b, 5, 0, 1, 72);
	ck_assert_int_eq(add6(r, a, la, 0), REASM_PENDING);
	ck_assert_int_eq(add6(r, b, lb, 0), REASM_ERR_OVERLAP);
	ck_assert_uint_eq(reasm_pending(r), 0);
	ck_assert_uint_eq(reasm_bytes(r), 0);
	reasm_free(r);
}
END_TEST

/* ---- limits ---- */

START_TEST(too_many_fragments)
{
	static uint8_t p[2000];
	size_t n = mk4(p, 1000, 9, 17, NULL, 0);
	struct reasm *r = mkr(1 << 20, 4, 16, 30000);
	struct coll c = { 0 };
	unsigned i;

	ck_assert_int_eq(frag4_split(p, n, 228, coll_emit, &c), 5);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(add4(r, c.pkt[i], c.len[i], 0), REASM_PENDING);
	ck_assert_int_eq(add4(r, c.pkt[4], c.len[4], 0), REASM_ERR_TOO_MANY);
	ck_assert_uint_eq(reasm_pending(r), 0);
	ck_assert_uint_eq(reasm_bytes(r), 0);
	coll_free(&c);
	/* exactly the limit is fine */
	ck_assert_int_eq(frag4_split(p, n, 300, coll_emit, &c), 4);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(add4(r, c.pkt[i], c.len[i], 0),
				 i == 3 ? REASM_DONE : REASM_PENDING);
	ck_assert_uint_eq(outlen, n);
	coll_free(&c);
	reasm_free(r);
}
END_TEST

START_TEST(timeouts)
{
	uint8_t a[100], b[100];
	struct reasm *r = mkr(1 << 20, 20, 16, 1000);
	size_t la = frag4(a, 1, 0, 1, 16), lb = frag4(b, 1, 16, 0, 5);

	ck_assert_int_eq(add4(r, a, la, 5000), REASM_PENDING);
	ck_assert_uint_eq(reasm_expire(r, 5999), 0);
	ck_assert_uint_eq(reasm_pending(r), 1);
	ck_assert_uint_gt(reasm_bytes(r), 0);
	ck_assert_uint_eq(reasm_expire(r, 6000), 1);
	ck_assert_uint_eq(reasm_pending(r), 0);
	ck_assert_uint_eq(reasm_bytes(r), 0);
	/* time going backwards expires nothing */
	ck_assert_int_eq(add4(r, a, la, 5000), REASM_PENDING);
	ck_assert_uint_eq(reasm_expire(r, 100), 0);
	/* a fragment after the timeout does not join the stale datagram */
	ck_assert_int_eq(add4(r, b, lb, 6000), REASM_PENDING);
	ck_assert_uint_eq(reasm_pending(r), 1);
	ck_assert_int_eq(add4(r, a, la, 6500), REASM_DONE);
	ck_assert_uint_eq(outlen, 20 + 21);
	/* oldest first, stopping at the first one still in time */
	ck_assert_int_eq(add4(r, a, la, 100), REASM_PENDING);
	la = frag4(a, 2, 0, 1, 16);
	ck_assert_int_eq(add4(r, a, la, 200), REASM_PENDING);
	la = frag6(a, 3, 0, 1, 16);
	ck_assert_int_eq(add6(r, a, la, 300), REASM_PENDING);
	ck_assert_uint_eq(reasm_expire(r, 1250), 2);
	ck_assert_uint_eq(reasm_pending(r), 1);
	ck_assert_uint_eq(reasm_expire(r, 1300), 1);
	reasm_free(r);
}
END_TEST

START_TEST(memory_budget)
{
	uint8_t a[1600];
	struct reasm *r = mkr(20000, 20, 1000, 30000);
	unsigned i;
	size_t la;

	/* first fragments of 1000-byte pieces: the budget holds a few */
	for (i = 0; i < 100; i++) {
		la = frag4(a, (uint16_t)i, 0, 1, 1000);
		ck_assert_int_eq(add4(r, a, la, i), REASM_PENDING);
		ck_assert_uint_le(reasm_bytes(r), 20000);
	}
	ck_assert_uint_lt(reasm_pending(r), 20);
	ck_assert_uint_gt(reasm_pending(r), 5);
	ck_assert_uint_eq(reasm_evicted(r), 100 - reasm_pending(r));
	/* the oldest went first: the newest still completes, the first does not */
	la = frag4(a, 99, 1000, 0, 10);
	ck_assert_int_eq(add4(r, a, la, 200), REASM_DONE);
	la = frag4(a, 0, 1000, 0, 10);
	ck_assert_int_eq(add4(r, a, la, 200), REASM_PENDING);
	reasm_free(r);

	/* one datagram bigger than the whole budget */
	r = mkr(3000, 20, 10, 30000);
	ck_assert_int_eq(add4(r, a, frag4(a, 1, 0, 1, 1480), 0), REASM_PENDING);
	ck_assert_int_eq(add4(r, a, frag4(a, 1, 1480, 1, 1480), 0), REASM_ERR_NOMEM);
	ck_assert_uint_eq(reasm_pending(r), 0);
	ck_assert_uint_eq(reasm_bytes(r), 0);
	reasm_free(r);
}
END_TEST

START_TEST(max_pending)
{
	uint8_t a[100];
	struct reasm *r = mkr(1 << 20, 20, 2, 30000);
	unsigned i;

	for (i = 0; i < 3; i++)
		ck_assert_int_eq(add4(r, a, frag4(a, (uint16_t)i, 0, 1, 8), 0), REASM_PENDING);
	ck_assert_uint_eq(reasm_pending(r), 2);
	ck_assert_uint_eq(reasm_evicted(r), 1);
	reasm_free(r);
}
END_TEST

START_TEST(bad_limits)
{
	struct reasm_limits lim = { 0, 20, 16, 1000 };

	ck_assert_ptr_null(reasm_new(&lim));
	lim.max_bytes = 1000;
	lim.max_pending = 0;
	ck_assert_ptr_null(reasm_new(&lim));
	ck_assert_ptr_null(reasm_new(NULL));
	reasm_free(NULL);
}
END_TEST

START_TEST(keys)
{
	uint8_t a[100], b[100];
	struct reasm *r = mkr(1 << 20, 20, 16, 30000);
	size_t la = frag4(a, 1, 0, 1, 8), lb = frag4(b, 1, 8, 0, 8);

	/* IPv4 key has the protocol: a UDP and a TCP fragment never meet */
	b[9] = 6;
	ipv4_set_csum(b);
	ck_assert_int_eq(add4(r, a, la, 0), REASM_PENDING);
	ck_assert_int_eq(add4(r, b, lb, 0), REASM_PENDING);
	ck_assert_uint_eq(reasm_pending(r), 2);
	/* and the destination */
	b[9] = 17;
	b[19] ^= 1;
	ipv4_set_csum(b);
	ck_assert_int_eq(add4(r, b, lb, 0), REASM_PENDING);
	b[19] ^= 1;
	ipv4_set_csum(b);
	ck_assert_int_eq(add4(r, b, lb, 0), REASM_DONE);
	/* IPv6: the same id from another source is another datagram */
	la = frag6(a, 77, 0, 1, 8);
	lb = frag6(b, 77, 8, 0, 8);
	b[23] = 9;
	ck_assert_int_eq(add6(r, a, la, 0), REASM_PENDING);
	ck_assert_int_eq(add6(r, b, lb, 0), REASM_PENDING);
	b[23] = 1;
	ck_assert_int_eq(add6(r, b, lb, 0), REASM_DONE);
	ck_assert_uint_eq(outlen, 40 + 16);
	ck_assert_int_eq(out[6], 4);
	ck_assert_uint_eq(get16(out + 4), 16);
	reasm_free(r);
}
END_TEST

/* ---- garbage ---- */

START_TEST(v4_malformed)
{
	uint8_t a[200];
	struct reasm *r = mkr(1 << 20, 20, 16, 30000);
	size_t la = frag4(a, 1, 8, 1, 16);

	ck_assert_int_eq(add4(r, a, 19, 0), REASM_ERR_INVALID);	/* short */
	ck_assert_int_eq(add4(r, a, 0, 0), REASM_ERR_INVALID);
	a[0] = 0x65;						/* version 6 */
	ck_assert_int_eq(add4(r, a, la, 0), REASM_ERR_INVALID);
	a[0] = 0x44;						/* IHL 4 */
	ck_assert_int_eq(add4(r, a, la, 0), REASM_ERR_INVALID);
	a[0] = 0x4f;						/* IHL 15 > 36 bytes */
	ck_assert_int_eq(add4(r, a, la, 0), REASM_ERR_INVALID);
	a[0] = 0x45;
	put16(a + 2, 37);					/* total > buffer */
	ck_assert_int_eq(add4(r, a, la, 0), REASM_ERR_INVALID);
	put16(a + 2, 19);					/* total < header */
	ck_assert_int_eq(add4(r, a, la, 0), REASM_ERR_INVALID);
	put16(a + 2, 20);					/* empty fragment */
	ck_assert_int_eq(add4(r, a, la, 0), REASM_ERR_INVALID);
	put16(a + 2, 35);					/* MF, 15 bytes */
	ck_assert_int_eq(add4(r, a, la, 0), REASM_ERR_INVALID);
	ck_assert_uint_eq(reasm_pending(r), 0);
	/* offset + length past 65535 (RFC 791: ping of death) */
	la = frag4(a, 2, 65528, 0, 16);
	ck_assert_int_eq(add4(r, a, la, 0), REASM_ERR_TOO_BIG);
	la = frag4(a, 2, 65512, 0, 4);
	ck_assert_int_eq(add4(r, a, la, 0), REASM_ERR_TOO_BIG);
	la = frag4(a, 2, 65512, 0, 3);
	ck_assert_int_eq(add4(r, a, la, 0), REASM_PENDING);
	/* two last fragments that disagree on the end */
	la = frag4(a, 3, 16, 0, 8);
	ck_assert_int_eq(add4(r, a, la, 0), REASM_PENDING);
	la = frag4(a, 3, 32, 0, 8);
	ck_assert_int_eq(add4(r, a, la, 0), REASM_ERR_INVALID);
	/* a middle fragment past the end */
	la = frag4(a, 4, 16, 0, 8);
	ck_assert_int_eq(add4(r, a, la, 0), REASM_PENDING);
	la = frag4(a, 4, 24, 1, 8);
	ck_assert_int_eq(add4(r, a, la, 0), REASM_ERR_INVALID);
	/* ... and the end arriving after a fragment beyond it */
	la = frag4(a, 5, 32, 1, 8);
	ck_assert_int_eq(add4(r, a, la, 0), REASM_PENDING);
	la = frag4(a, 5, 16, 0, 8);
	ck_assert_int_eq(add4(r, a, la, 0), REASM_ERR_INVALID);
	ck_assert_uint_eq(reasm_pending(r), 1);		/* id 2 */
	reasm_free(r);
}
END_TEST

START_TEST(v6_malformed)
{
	uint8_t a[300];
	struct reasm *r = mkr(1 << 20, 20, 16, 30000);
	size_t la = frag6(a, 1, 8, 1, 16);

	ck_assert_int_eq(reasm6_add(r, a, 39, 40, 0, out, sizeof(out), &outlen), REASM_ERR_INVALID);
	ck_assert_int_eq(reasm6_add(r, a, la, 0, 0, out, sizeof(out), &outlen), REASM_ERR_INVALID);
	ck_assert_int_eq(reasm6_add(r, a, la, 39, 0, out, sizeof(out), &outlen), REASM_ERR_INVALID);
	/* fragment header not where the chain says */
	ck_assert_int_eq(reasm6_add(r, a, la, 48, 0, out, sizeof(out), &outlen), REASM_ERR_INVALID);
	ck_assert_int_eq(reasm6_add(r, a, la, 56, 0, out, sizeof(out), &outlen), REASM_ERR_INVALID);
	ck_assert_int_eq(reasm6_add(r, a, la, 1000, 0, out, sizeof(out), &outlen), REASM_ERR_INVALID);
	a[6] = 6;
	ck_assert_int_eq(reasm6_add(r, a, la, 40, 0, out, sizeof(out), &outlen), REASM_ERR_INVALID);
	a[6] = 44;
	a[0] = 0x40;
	ck_assert_int_eq(reasm6_add(r, a, la, 40, 0, out, sizeof(out), &outlen), REASM_ERR_INVALID);
	a[0] = 0x60;
	put16(a + 4, 0);					/* jumbogram */
	ck_assert_int_eq(reasm6_add(r, a, la, 40, 0, out, sizeof(out), &outlen), REASM_ERR_INVALID);
	put16(a + 4, 25);					/* past the buffer */
	ck_assert_int_eq(reasm6_add(r, a, la, 40, 0, out, sizeof(out), &outlen), REASM_ERR_INVALID);
	put16(a + 4, 7);					/* fragment header cut */
	ck_assert_int_eq(reasm6_add(r, a, la, 40, 0, out, sizeof(out), &outlen), REASM_ERR_INVALID);
	put16(a + 4, 8);					/* empty */
	ck_assert_int_eq(reasm6_add(r, a, la, 40, 0, out, sizeof(out), &outlen), REASM_ERR_INVALID);
	put16(a + 4, 20);					/* M set, 12 bytes */
	ck_assert_int_eq(reasm6_add(r, a, la, 40, 0, out, sizeof(out), &outlen), REASM_ERR_INVALID);
	ck_assert_uint_eq(reasm_pending(r), 0);
	/* RFC 8200 4.5: the reassembled payload would pass 65535 */
	la = frag6(a, 2, 65528, 0, 16);
	ck_assert_int_eq(add6(r, a, la, 0), REASM_ERR_TOO_BIG);
	la = frag6(a, 2, 65528, 0, 7);
	ck_assert_int_eq(add6(r, a, la, 0), REASM_PENDING);
	/* too big for the caller's buffer */
	la = frag6(a, 3, 0, 1, 64);
	ck_assert_int_eq(add6(r, a, la, 0), REASM_PENDING);
	la = frag6(a, 3, 64, 0, 64);
	ck_assert_int_eq(reasm6_add(r, a, la, 40, 0, out, 100, &outlen), REASM_ERR_TOO_BIG);
	ck_assert_uint_eq(reasm_pending(r), 1);
	reasm_free(r);
}
END_TEST

/* Random bytes that look a little like fragments must never crash. */
START_TEST(fuzz)
{
	static uint8_t a[2000];
	struct reasm *r = mkr(1 << 16, 8, 32, 1000);
	unsigned i, j;

	for (i = 0; i < 200000; i++) {
		size_t len = rnd() % 200, fo = rnd() % 80;

		for (j = 0; j < len; j++)
			a[j] = (uint8_t)rnd();
		if (len > 0)
			a[0] = (uint8_t)((i & 1 ? 0x40 : 0x60) | (a[0] & 0x0f));
		if (len > 9 && (i & 2))
			a[6] = (uint8_t)(rnd() & 0x21);	/* small offsets collide */
		if (len > 6 && (i & 4))
			a[6] = 44, fo = 40;
		if (len > 4 && (i & 8)) {
			put16(a + 2, (uint16_t)len);
			put16(a + 4, (uint16_t)(len - 40));
		}
		if (i & 1)
			reasm4_add(r, a, len, i / 100, out, sizeof(out), &outlen);
		else
			reasm6_add(r, a, len, fo, i / 100, out, sizeof(out), &outlen);
		ck_assert_uint_le(reasm_bytes(r), 1 << 16);
		ck_assert_uint_le(reasm_pending(r), 32);
	}
	reasm_free(r);
}
END_TEST

/*
 * Well-formed fragments at random places for a few ids: whatever is
 * completed must be exactly the datagram the pieces came from.
 */
START_TEST(fuzz_structured)
{
	static uint8_t a[2000];
	struct reasm *r = mkr(1 << 15, 6, 4, 500);
	unsigned i, done = 0;

	for (i = 0; i < 300000; i++) {
		uint16_t id = (uint16_t)(rnd() % 3);
		size_t off = (rnd() % 8) * 8, plen = 8 * (1 + rnd() % 4);
		int mf = rnd() % 3 != 0;
		size_t la, j;
		enum reasm_result res;

		if (!mf)
			plen -= rnd() % 8;
		if (i & 1) {
			la = frag4(a, id, off, mf, plen);
			res = add4(r, a, la, i / 50);
		} else {
			la = frag6(a, id, off, mf, plen);
			res = add6(r, a, la, i / 50);
		}
		ck_assert_uint_le(reasm_bytes(r), 1 << 15);
		ck_assert_uint_le(reasm_pending(r), 4);
		if (res != REASM_DONE)
			continue;
		done++;
		if (i & 1) {
			ck_assert_uint_eq(get16(out + 2), outlen);
			ck_assert_uint_eq(get16(out + 6), 0);
			ck_assert_uint_eq(csum_buf(out, 20), 0);
			for (j = 20; j < outlen; j++)
				ck_assert_int_eq(out[j], pattern(j - 20, id));
		} else {
			ck_assert_uint_eq(get16(out + 4) + 40u, outlen);
			ck_assert_int_eq(out[6], 4);
			for (j = 40; j < outlen; j++)
				ck_assert_int_eq(out[j], pattern(j - 40, id));
		}
	}
	ck_assert_uint_gt(done, 100);
	reasm_free(r);
}
END_TEST

START_TEST(not_fragments)
{
	uint8_t a[200], b[200];
	struct reasm *r = mkr(1 << 20, 20, 16, 30000);
	size_t la = mk4(a, 100, 1, 17, NULL, 0);

	/* a whole IPv4 packet comes back as it is */
	ck_assert_int_eq(add4(r, a, la, 0), REASM_DONE);
	ck_assert_uint_eq(outlen, la);
	ck_assert(memcmp(out, a, la) == 0);
	ck_assert_int_eq(reasm4_add(r, a, la, 0, out, 50, &outlen), REASM_ERR_TOO_BIG);
	/* RFC 6946: an atomic IPv6 fragment is handled on its own */
	la = frag6(a, 9, 0, 0, 30);
	ck_assert_int_eq(add6(r, a, la, 0), REASM_DONE);
	ck_assert_uint_eq(outlen, 70);
	ck_assert_int_eq(out[6], 4);
	ck_assert_uint_eq(get16(out + 4), 30);
	ck_assert(memcmp(out + 40, a + 48, 30) == 0);
	ck_assert_uint_eq(reasm_pending(r), 0);
	/* in place */
	memcpy(b, a, la);
	ck_assert_int_eq(reasm6_add(r, b, la, 40, 0, b, sizeof(b), &outlen), REASM_DONE);
	ck_assert(memcmp(out, b, 70) == 0);
	la = mk4(a, 100, 1, 17, NULL, 0);
	memcpy(b, a, la);
	ck_assert_int_eq(reasm4_add(r, b, la, 0, b, sizeof(b), &outlen), REASM_DONE);
	ck_assert(memcmp(a, b, la) == 0);
	reasm_free(r);
}

/* The last fragment's own buffer can take the result. */
START_TEST(in_place)
{
	static uint8_t p[4000], last[4000];
	size_t n = mk4(p, 2000, 11, 17, NULL, 0);
	struct reasm *r = mkr(1 << 20, 20, 16, 30000);
	struct coll c = { 0 };

	ck_assert_int_eq(frag4_split(p, n, 1500, coll_emit, &c), 2);
	memcpy(last, c.pkt[0], c.len[0]);
	ck_assert_int_eq(add4(r, c.pkt[1], c.len[1], 0), REASM_PENDING);
	ck_assert_int_eq(reasm4_add(r, last, c.len[0], 0, last, sizeof(last), &outlen),
			 REASM_DONE);
	ck_assert_uint_eq(outlen, n);
	ck_assert(memcmp(last, p, n) == 0);
	coll_free(&c);
	reasm_free(r);
}
END_TEST

/* ---- fragmentation and round trips ---- */

static const size_t mtus4[] = { 68, 576, 1280, 1500, 9000 };
static const size_t sizes[] = { 1, 7, 8, 9, 47, 548, 551, 552, 553, 556, 557,
	1000, 1232, 1259, 1260, 1261, 1452, 1453, 1472, 1473, 1480, 1481, 3001,
	8999, 65515 };

/* Fragment layout: each fits, offsets follow, all but the last full. */
static void
check_layout4(const struct coll *c, size_t mtu, size_t hlen, size_t plen)
{
	size_t off = 0, full = (mtu - hlen) & ~(size_t)7;
	unsigned i;

	for (i = 0; i < c->n; i++) {
		const uint8_t *f = c->pkt[i];
		size_t hl = (size_t)(f[0] & 0x0f) * 4, dl = c->len[i] - hl;
		uint16_t w = get16(f + 6);
		int last = i + 1 == c->n;

		ck_assert_uint_le(c->len[i], mtu);
		ck_assert_uint_eq(get16(f + 2), c->len[i]);
		ck_assert_uint_eq((size_t)(w & 0x1fff) * 8, off);
		ck_assert_int_eq(!!(w & IPV4_MF), !last);
		ck_assert_uint_eq(csum_buf(f, hl), 0);
		if (!last)
			ck_assert_uint_eq(dl, i == 0 ? full : ((mtu - hl) & ~(size_t)7));
		off += dl;
	}
	ck_assert_uint_eq(off, plen);
}

START_TEST(v4_roundtrip)
{
	static uint8_t p[65536];
	struct reasm *r = mkr(1 << 22, 8192, 16, 30000);
	size_t mi, si;

	for (mi = 0; mi < sizeof(mtus4) / sizeof(mtus4[0]); mi++) {
		for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
			size_t n = mk4(p, sizes[si], (uint16_t)(mi * 100 + si), 17, NULL, 0);
			size_t mtu = mtus4[mi];
			struct coll c = { 0 };
			unsigned *o;
			int k = frag4_split(p, n, mtu, coll_emit, &c);

			ck_assert_int_eq(k, (int)c.n);
			if (n <= mtu) {
				ck_assert_int_eq(k, 1);
				ck_assert_uint_eq(c.len[0], n);
				ck_assert(memcmp(c.pkt[0], p, n) == 0);
			} else {
				ck_assert_int_eq(k, (int)((sizes[si] + ((mtu - 20) & ~7u) - 1) /
							  ((mtu - 20) & ~7u)));
				check_layout4(&c, mtu, 20, sizes[si]);
				o = identity(c.n);
				shuffle(o, c.n);
				feed4(r, &c, o, p, n);
				free(o);
			}
			coll_free(&c);
		}
	}
	reasm_free(r);
}
END_TEST

START_TEST(v4_options)
{
	/* router alert (copied), record route (not copied), NOP, end */
	static const uint8_t opts[] = { 0x94, 4, 0, 0, 0x07, 7, 4, 0, 0, 0, 0, 0x01 };
	static uint8_t p[4000];
	struct reasm *r = mkr(1 << 20, 40, 16, 30000);
	struct coll c = { 0 };
	size_t n = mk4(p, 1500, 3, 6, opts, sizeof(opts));
	unsigned i, *o;

	ck_assert_int_eq(frag4_split(p, n, 576, coll_emit, &c), 3);
	ck_assert_uint_eq(c.len[0], 32 + 544);
	for (i = 1; i < c.n; i++) {
		ck_assert_int_eq(c.pkt[i][0], 0x46);
		ck_assert(memcmp(c.pkt[i] + 20, opts, 4) == 0);
	}
	ck_assert_uint_eq(c.len[1], 24 + 552);
	check_layout4(&c, 576, 32, 1500);
	o = identity(c.n);
	feed4(r, &c, o, p, n);
	free(o);
	coll_free(&c);
	/* options that run past the header */
	p[IPV4_HDR_MIN + 5] = 40;
	ck_assert_int_eq(frag4_split(p, n, 576, coll_emit, &c), -1);
	ck_assert_uint_eq(c.n, 0);
	reasm_free(r);
}
END_TEST

START_TEST(v4_split_refused)
{
	static uint8_t p[2000];
	struct coll c = { 0 };
	size_t n = mk4(p, 1480, 1, 17, NULL, 0);

	ck_assert_int_eq(frag4_split(p, n, 27, coll_emit, &c), -1);
	ck_assert_int_eq(frag4_split(p, n, 20, coll_emit, &c), -1);
	ck_assert_int_eq(frag4_split(p, 19, 576, coll_emit, &c), -1);
	ck_assert_int_eq(frag4_split(p, n - 1, 576, coll_emit, &c), -1);
	put16(p + 6, IPV4_DF);
	ck_assert_int_eq(frag4_split(p, n, 576, coll_emit, &c), -1);
	p[0] = 0x44;
	ck_assert_int_eq(frag4_split(p, n, 576, coll_emit, &c), -1);
	ck_assert_uint_eq(c.n, 0);
	/* the smallest that works: 8 bytes a fragment */
	p[0] = 0x45;
	put16(p + 6, 0);
	ck_assert_int_eq(frag4_split(p, n, 28, coll_emit, &c), 185);
	coll_free(&c);
}
END_TEST

/* A fragment split again: offsets continue and MF of the middle stays. */
START_TEST(v4_refragment)
{
	static uint8_t p[4000];
	struct reasm *r = mkr(1 << 20, 40, 16, 30000);
	struct coll c = { 0 }, d = { 0 };
	size_t n = mk4(p, 3000, 5, 17, NULL, 0);
	unsigned i;

	ck_assert_int_eq(frag4_split(p, n, 1500, coll_emit, &c), 3);
	for (i = 0; i < c.n; i++)
		ck_assert_int_ge(frag4_split(c.pkt[i], c.len[i], 576, coll_emit, &d), 3 - (i == 2) * 2);
	ck_assert_uint_eq(d.n, 3 + 3 + 1);
	for (i = 0; i < d.n; i++)
		ck_assert_int_eq(add4(r, d.pkt[i], d.len[i], 0),
				 i + 1 == d.n ? REASM_DONE : REASM_PENDING);
	ck_assert_uint_eq(outlen, n);
	ck_assert(memcmp(out, p, n) == 0);
	coll_free(&c);
	coll_free(&d);
	reasm_free(r);
}
END_TEST

static void
check_layout6(const struct coll *c, size_t mtu, size_t unfrag, size_t dlen, uint32_t id)
{
	size_t off = 0, full = (mtu - unfrag - 8) & ~(size_t)7;
	unsigned i;

	for (i = 0; i < c->n; i++) {
		const uint8_t *f = c->pkt[i];
		uint16_t w = get16(f + unfrag + 2);
		size_t dl = c->len[i] - unfrag - 8;
		int last = i + 1 == c->n;

		ck_assert_uint_le(c->len[i], mtu);
		ck_assert_uint_eq(get16(f + 4) + 40u, c->len[i]);
		ck_assert_uint_eq(w & 0xfff8, off);
		ck_assert_int_eq(w & 1, !last);
		ck_assert_uint_eq(get32(f + unfrag + 4), id);
		if (!last)
			ck_assert_uint_eq(dl, full);
		off += dl;
	}
	ck_assert_uint_eq(off, dlen);
}

START_TEST(v6_roundtrip)
{
	static const size_t mtus[] = { 1280, 1500, 9000 };
	static uint8_t p[IPV6_HDR_LEN + 65536];
	struct reasm *r = mkr(1 << 22, 8192, 16, 30000);
	size_t mi, si;

	for (mi = 0; mi < sizeof(mtus) / sizeof(mtus[0]); mi++) {
		for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
			size_t plen = sizes[si] + 20, n = mk6(p, 4, NULL, 0, plen, (unsigned)si);
			uint32_t id = 0xfedc0000u + (uint32_t)(mi * 100 + si);
			struct coll c = { 0 };
			unsigned *o;
			int k = frag6_split(p, n, mtus[mi], id, coll_emit, &c);

			ck_assert_int_eq(k, (int)c.n);
			if (n <= mtus[mi]) {
				ck_assert_int_eq(k, 1);
				ck_assert(memcmp(c.pkt[0], p, n) == 0);
			} else {
				check_layout6(&c, mtus[mi], 40, plen, id);
				o = identity(c.n);
				shuffle(o, c.n);
				feed6(r, &c, o, p, n);
				free(o);
			}
			coll_free(&c);
		}
	}
	reasm_free(r);
}
END_TEST

/*
 * Hop-by-hop (unfragmentable), then destination options (fragmentable:
 * RFC 8200 4.5), then UDP.
 */
START_TEST(v6_exthdrs)
{
	static const uint8_t ext[] = {
		60, 0, 5, 2, 0, 0, 1, 0,	/* hop-by-hop: router alert, PadN */
		17, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* dst opts */
	};
	static uint8_t p[4000];
	struct reasm *r = mkr(1 << 20, 20, 16, 30000);
	struct coll c = { 0 };
	size_t n = mk6(p, 0, ext, sizeof(ext), 2000, 1);
	unsigned *o, i;

	ck_assert_int_eq(frag6_split(p, n, 1280, 99, coll_emit, &c), 2);
	for (i = 0; i < c.n; i++) {
		ck_assert_int_eq(c.pkt[i][6], 0);		/* still hop-by-hop first */
		ck_assert_int_eq(c.pkt[i][40], 44);		/* which names the fragment header */
		ck_assert_int_eq(c.pkt[i][48], 60);		/* whose next is dst opts */
		ck_assert(memcmp(c.pkt[i] + 41, ext + 1, 7) == 0);
	}
	check_layout6(&c, 1280, 48, sizeof(ext) - 8 + 2000, 99);
	/* the caller found the fragment header after hop-by-hop */
	o = identity(c.n);
	for (i = 0; i < c.n; i++) {
		ck_assert_int_eq(reasm6_add(r, c.pkt[o[i]], c.len[o[i]], 48, 0, out,
					    sizeof(out), &outlen),
				 i + 1 == c.n ? REASM_DONE : REASM_PENDING);
	}
	ck_assert_uint_eq(outlen, n);
	ck_assert(memcmp(out, p, n) == 0);
	free(o);
	coll_free(&c);
	/* routing header: dst opts before it stay unfragmentable */
	p[6] = 60;
	p[40] = 43;
	p[48] = 17;
	p[49] = 0;		/* routing header, 8 bytes */
	p[50] = 0;
	p[51] = 0;
	ck_assert_int_eq(frag6_split(p, n, 1280, 100, coll_emit, &c), 2);
	ck_assert_int_eq(c.pkt[0][48], 44);
	ck_assert_int_eq(c.pkt[0][56], 17);
	check_layout6(&c, 1280, 56, n - 56, 100);
	for (i = 0; i < c.n; i++)
		reasm6_add(r, c.pkt[i], c.len[i], 56, 0, out, sizeof(out), &outlen);
	ck_assert_uint_eq(outlen, n);
	ck_assert(memcmp(out, p, n) == 0);
	coll_free(&c);
	reasm_free(r);
}
END_TEST

START_TEST(v6_split_refused)
{
	static uint8_t p[3000];
	struct coll c = { 0 };
	size_t n = mk6(p, 17, NULL, 0, 2000, 0);

	ck_assert_int_eq(frag6_split(p, n, 1279, 1, coll_emit, &c), -1);
	ck_assert_int_eq(frag6_split(p, 39, 1280, 1, coll_emit, &c), -1);
	ck_assert_int_eq(frag6_split(p, n - 1, 1280, 1, coll_emit, &c), -1);
	p[0] = 0x40;
	ck_assert_int_eq(frag6_split(p, n, 1280, 1, coll_emit, &c), -1);
	p[0] = 0x60;
	p[6] = 44;		/* already a fragment */
	ck_assert_int_eq(frag6_split(p, n, 1280, 1, coll_emit, &c), -1);
	p[6] = 0;		/* hop-by-hop claiming 2 KiB */
	p[41] = 255;
	ck_assert_int_eq(frag6_split(p, n, 1280, 1, coll_emit, &c), -1);
	p[41] = 0;
	p[40] = 0;		/* a chain of hop-by-hops longer than the walk allows */
	for (size_t i = 48; i < 48 + 8 * 12; i += 8)
		p[i] = 0, p[i + 1] = 0;
	ck_assert_int_eq(frag6_split(p, n, 1280, 1, coll_emit, &c), -1);
	ck_assert_uint_eq(c.n, 0);
}
END_TEST

/* ---- conformance vectors (snabb lwAFTR test data) ---- */

struct pcap_pkts {
	unsigned n;
	uint8_t *pkt[16];
	size_t len[16];
};

static void
pkts_free(struct pcap_pkts *v)
{
	unsigned i;

	for (i = 0; i < v->n; i++)
		free(v->pkt[i]);
	v->n = 0;
}

/*
 * AP_CONFORMANCE_DIR as tests/run takes it: the folder of cases.tsv and
 * data/, by default ../shared/conformance/lwaftr (beside the checkout, as
 * in CI). "none" says there are none here: NULL, and the vector tests are
 * left out. A folder that is missing is a failure, never a silent pass.
 */
static const char *
vec_dir(void)
{
	static char dir[400];
	const char *d = getenv("AP_CONFORMANCE_DIR");

	if (!d || !*d)
		d = "../shared/conformance/lwaftr";
	if (strcmp(d, "none") == 0)
		return NULL;
	snprintf(dir, sizeof(dir), "%s/data", d);
	return dir;
}

/* Load one capture of the vectors' folder. */
static void
load(const char *name, struct pcap_pkts *v)
{
	char path[512];
	struct pcap_in in;
	size_t iplen;
	long off;

	ck_assert_msg(access(vec_dir(), R_OK) == 0,
		      "conformance vectors missing: no %s (AP_CONFORMANCE_DIR: the folder of "
		      "cases.tsv and data/, or none)", vec_dir());
	snprintf(path, sizeof(path), "%s/%s", vec_dir(), name);
	memset(v, 0, sizeof(*v));
	ck_assert_msg(pcap_in_open(&in, path) == 0, "cannot read %s", path);
	for (; in.have; pcap_in_next(&in)) {
		off = pcap_frame_ip(in.linktype, in.buf, in.caplen, &iplen);
		ck_assert_int_ge(off, 0);
		ck_assert_uint_lt(v->n, 16);
		v->len[v->n] = iplen;
		v->pkt[v->n] = malloc(iplen);
		memcpy(v->pkt[v->n], in.buf + off, iplen);
		v->n++;
	}
	pcap_in_close(&in);
	ck_assert_msg(v->n > 0, "no packets in %s", path);
}

/*
 * Same IPv4 packet at the IP layer but for the fields the README leaves
 * free: identification and header checksum. ttl_diff: expected TTL is
 * this much lower (the router's hop).
 */
static void
assert_ipv4_same(const uint8_t *got, size_t glen, const uint8_t *exp, size_t elen,
		 int ttl_diff)
{
	ck_assert_uint_eq(glen, elen);
	ck_assert(memcmp(got, exp, 4) == 0);		/* version .. total length */
	ck_assert(memcmp(got + 6, exp + 6, 2) == 0);	/* flags, offset */
	ck_assert_int_eq(got[8] - ttl_diff, exp[8]);
	ck_assert_int_eq(got[9], exp[9]);
	ck_assert(memcmp(got + 12, exp + 12, glen - 12) == 0);
}

/* Fragmenting the inner IPv4 of a from-B4 packet at the IPv4 MTU. */
static void
vector_frag4(const char *in, const char *expect, size_t mtu)
{
	struct pcap_pkts vi, ve;
	struct coll c = { 0 };
	unsigned i;

	load(in, &vi);
	load(expect, &ve);
	ck_assert_uint_eq(vi.n, 1);
	/* decapsulation leaves the TTL alone (README) */
	ck_assert_int_eq(frag4_split(vi.pkt[0] + 40, vi.len[0] - 40, mtu, coll_emit, &c),
			 (int)ve.n);
	for (i = 0; i < c.n; i++)
		assert_ipv4_same(c.pkt[i], c.len[i], ve.pkt[i], ve.len[i], 0);
	coll_free(&c);
	pkts_free(&vi);
	pkts_free(&ve);
}

START_TEST(vec_toinet_2fragments)
{
	vector_frag4("tcp-ipv6-fromb4-toinet-1046.pcap", "tcp-ipv4-toinet-2fragments.pcap", 576);
}
END_TEST

START_TEST(vec_toinet_3fragments)
{
	vector_frag4("tcp-ipv6-fromb4-toinet-1500.pcap", "tcp-ipv4-toinet-3fragments.pcap", 576);
}
END_TEST

/*
 * IPv4 from the Internet, encapsulated and fragmented at IPv6 MTU 1280.
 * The IPv6 header comes from the expected output (the encapsulation is
 * not ours to test here); the TTL drops by one; our id is theirs.
 */
static void
vector_frag6(const char *in, const char *expect)
{
	static uint8_t p[3000];
	struct pcap_pkts vi, ve;
	struct coll c = { 0 };
	unsigned i;
	size_t n;

	load(in, &vi);
	load(expect, &ve);
	ck_assert_uint_eq(vi.n, 1);
	ck_assert_uint_eq(ve.n, 2);
	memcpy(p, ve.pkt[0], 40);
	p[6] = 4;
	put16(p + 4, (uint16_t)vi.len[0]);
	memcpy(p + 40, vi.pkt[0], vi.len[0]);
	ipv4_dec_ttl(p + 40);
	n = 40 + vi.len[0];
	ck_assert_int_eq(frag6_split(p, n, 1280, get32(ve.pkt[0] + 44), coll_emit, &c), 2);
	for (i = 0; i < c.n; i++) {
		ck_assert_uint_eq(c.len[i], ve.len[i]);
		ck_assert(memcmp(c.pkt[i], ve.pkt[i], c.len[i]) == 0);
	}
	coll_free(&c);
	pkts_free(&vi);
	pkts_free(&ve);
}

START_TEST(vec_afteraftr_ipv6_2frags)
{
	vector_frag6("tcp-frominet-bound1494.pcap", "tcp-afteraftr-ipv6-2frags.pcap");
}
END_TEST

START_TEST(vec_udp_afteraftr_ipv6_2frags)
{
	vector_frag6("udp-frominet-bound.pcap", "udp-afteraftr-ipv6-2frags.pcap");
}
END_TEST

/* IPv4 fragments from the Internet: reassembled, then encapsulated. */
static void
vector_reasm4(const char *in)
{
	struct pcap_pkts vi, ve;
	struct reasm *r;
	unsigned i;

	load(in, &vi);
	load("tcp-afteraftr-ipv6-reassembled.pcap", &ve);
	r = mkr(1 << 20, 40, 16, 30000);
	ck_assert_uint_eq(vi.n, 3);
	for (i = 0; i < vi.n; i++)
		ck_assert_int_eq(add4(r, vi.pkt[i], vi.len[i], i),
				 i + 1 == vi.n ? REASM_DONE : REASM_PENDING);
	/* the peer decrements the TTL once on the way through */
	assert_ipv4_same(out, outlen, ve.pkt[0] + 40, ve.len[0] - 40, 1);
	reasm_free(r);
	pkts_free(&vi);
	pkts_free(&ve);
}

START_TEST(vec_3frags_bound)
{
	vector_reasm4("tcp-ipv4-3frags-bound.pcap");
}
END_TEST

START_TEST(vec_3frags_bound_reversed)
{
	vector_reasm4("tcp-ipv4-3frags-bound-reversed.pcap");
}
END_TEST

/* IPv6 fragments from a B4: reassembled and decapsulated to one packet. */
static void
vector_reasm6(const char *in, const char *expect)
{
	struct pcap_pkts vi, ve;
	struct reasm *r;
	unsigned i;

	load(in, &vi);
	load(expect, &ve);
	r = mkr(1 << 20, 40, 16, 30000);
	ck_assert_uint_eq(ve.n, 1);
	for (i = 0; i < vi.n; i++)
		ck_assert_int_eq(add6(r, vi.pkt[i], vi.len[i], i),
				 i + 1 == vi.n ? REASM_DONE : REASM_PENDING);
	ck_assert_int_eq(out[6], 4);
	ck_assert_uint_eq(get16(out + 4) + 40u, outlen);
	assert_ipv4_same(out + 40, outlen - 40, ve.pkt[0], ve.len[0], 0);
	reasm_free(r);
	pkts_free(&vi);
	pkts_free(&ve);
}

START_TEST(vec_ipv6_2frags)
{
	vector_reasm6("tcp-ipv6-2frags-bound.pcap", "tcp-ipv4-2ipv6frags-reassembled-1p.pcap");
	vector_reasm6("tcp-ipv6-2frags-bound.pcap", "tcp-ipv4-2ipv6frags-reassembled.pcap");
}
END_TEST

START_TEST(vec_ipv6_2frags_reverse)
{
	vector_reasm6("tcp-ipv6-2frags-bound-reverse.pcap", "tcp-ipv4-2ipv6frags-reassembled-1p.pcap");
}
END_TEST

/* Reassembled from IPv6, then fragmented again at IPv4 MTU 576. */
START_TEST(vec_udp_ipv6_to_ipv4_3frags)
{
	struct pcap_pkts vi, ve;
	struct coll c = { 0 };
	struct reasm *r;
	unsigned i;

	vector_reasm6("udp-fromb4-2frags-bound.pcap", "udp-afteraftr-reassembled-ipv4.pcap");
	load("udp-fromb4-2frags-bound.pcap", &vi);
	load("udp-afteraftr-ipv4-3frags.pcap", &ve);
	r = mkr(1 << 20, 40, 16, 30000);
	for (i = 0; i < vi.n; i++)
		add6(r, vi.pkt[i], vi.len[i], 0);
	ck_assert_int_eq(frag4_split(out + 40, outlen - 40, 576, coll_emit, &c), 3);
	for (i = 0; i < c.n; i++)
		assert_ipv4_same(c.pkt[i], c.len[i], ve.pkt[i], ve.len[i], 0);
	coll_free(&c);
	reasm_free(r);
	pkts_free(&vi);
	pkts_free(&ve);
}
END_TEST

/* Fragment ids with the high bit set, five datagrams of three fragments. */
START_TEST(vec_signedntohl)
{
	struct pcap_pkts v;
	struct reasm *r;
	unsigned i, done = 0;

	load("regressiontest-signedntohl-frags.pcap", &v);
	r = mkr(1 << 20, 40, 16, 30000);
	ck_assert_uint_eq(v.n, 15);
	for (i = 0; i < v.n; i++) {
		enum reasm_result res = add6(r, v.pkt[i], v.len[i], 0);

		ck_assert_int_eq(res, i % 3 == 2 ? REASM_DONE : REASM_PENDING);
		if (res == REASM_DONE) {
			ck_assert_uint_eq(outlen, 40 + 1228);
			ck_assert_int_eq(out[6], 4);
			ck_assert_uint_eq(get16(out + 40 + 2), 1228);
			done++;
		}
	}
	ck_assert_uint_eq(done, 5);
	ck_assert_uint_eq(reasm_pending(r), 0);
	reasm_free(r);
	pkts_free(&v);
}
END_TEST

static Suite *
frag_suite(void)
{
	Suite *s = suite_create("frag");
	TCase *re = tcase_create("reassembly");
	TCase *fr = tcase_create("fragmentation");
	TCase *vec = tcase_create("vectors");

	tcase_add_test(re, v4_orders);
	tcase_add_test(re, v6_orders);
	tcase_add_test(re, v4_duplicates);
	tcase_add_test(re, v6_duplicates);
	tcase_add_test(re, v4_overlap);
	tcase_add_test(re, v6_overlap);
	tcase_add_test(re, too_many_fragments);
	tcase_add_test(re, timeouts);
	tcase_add_test(re, memory_budget);
	tcase_add_test(re, max_pending);
	tcase_add_test(re, bad_limits);
	tcase_add_test(re, keys);
	tcase_add_test(re, v4_malformed);
	tcase_add_test(re, v6_malformed);
	tcase_add_test(re, fuzz);
	tcase_add_test(re, fuzz_structured);
	tcase_add_test(re, not_fragments);
	tcase_add_test(re, in_place);
	tcase_set_timeout(re, 60);
	suite_add_tcase(s, re);

	tcase_add_test(fr, v4_roundtrip);
	tcase_add_test(fr, v4_options);
	tcase_add_test(fr, v4_split_refused);
	tcase_add_test(fr, v4_refragment);
	tcase_add_test(fr, v6_roundtrip);
	tcase_add_test(fr, v6_exthdrs);
	tcase_add_test(fr, v6_split_refused);
	tcase_set_timeout(fr, 60);
	suite_add_tcase(s, fr);

	tcase_add_test(vec, vec_toinet_2fragments);
	tcase_add_test(vec, vec_toinet_3fragments);
	tcase_add_test(vec, vec_afteraftr_ipv6_2frags);
	tcase_add_test(vec, vec_udp_afteraftr_ipv6_2frags);
	tcase_add_test(vec, vec_3frags_bound);
	tcase_add_test(vec, vec_3frags_bound_reversed);
	tcase_add_test(vec, vec_ipv6_2frags);
	tcase_add_test(vec, vec_ipv6_2frags_reverse);
	tcase_add_test(vec, vec_udp_ipv6_to_ipv4_3frags);
	tcase_add_test(vec, vec_signedntohl);
	if (vec_dir())
		suite_add_tcase(s, vec);
	else
		fprintf(stderr, "test_frag: AP_CONFORMANCE_DIR=none: the vector tests left out\n");
	return s;
}

int
main(void)
{
	return check_main(frag_suite());
}
