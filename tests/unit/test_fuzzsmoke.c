/* SPDX-License-Identifier: MIT */
/*
 * Deterministic random-input smoke test: 200,000 random and mutated
 * packets through the parsers and the PRR data path. Each packet lies in
 * a heap buffer of exactly its length, so the ASan build (make SAN=1)
 * catches any read past it. Beyond "does not crash": every packet is
 * counted as received and gets an outcome, and whatever the PRR emits is
 * a well-formed packet from an address it may use.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "prr/datapath.h"
#include "pkt.h"
#include "tests/unit/check_main.h"

#define SHARED	0xc0000201u	/* 192.0.2.1: the testbed's two bindings */
#define INET	0xc633640au	/* 198.51.100.10 */
#define PRR4	0xc6336401u	/* 198.51.100.1 */
#define PACKETS	200000
#define MAXLEN	2048

static uint64_t rng;

static uint32_t
rnd(void)
{
	/* xorshift64*: fixed seed, so a failure reproduces */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

static struct in6_addr br, smap1, smap2, core;

/* ---- seed packets ---- */

struct seed {
	size_t len;
	bool v6;		/* from the SMAP side */
	uint8_t pkt[MAXLEN];
};

static struct seed seeds[64];
static unsigned n_seeds;

static void
add_seed(bool v6, const uint8_t *p, size_t len)
{
	ck_assert_uint_lt(n_seeds, 64);
	ck_assert_uint_le(len, MAXLEN);
	seeds[n_seeds].v6 = v6;
	seeds[n_seeds].len = len;
	memcpy(seeds[n_seeds].pkt, p, len);
	n_seeds++;
}

static void
l4_csum4(uint8_t *p)
{
	size_t hl = (size_t)(p[0] & 0xf) * 4, n = get16(p + 2) - hl;
	int off = l4_csum_offset(p[9]);
	uint16_t c;

	if (off < 0 || (size_t)off + 2 > n)
		return;
	p[hl + (size_t)off] = p[hl + (size_t)off + 1] = 0;
	if (p[9] == IPPROTO_ICMP)
		c = csum_buf(p + hl, n);
	else
		c = (uint16_t)~csum_fold(csum_partial(p + hl, n,
		    csum_pseudo4(p + 12, p + 16, p[9], (uint16_t)n)));
	memcpy(p + hl + (size_t)off, &c, 2);
}

static size_t
ports4(uint8_t *p, uint8_t proto, uint32_t src, uint16_t sport, uint32_t dst,
       uint16_t dport, size_t payload, uint16_t frag, uint8_t ttl)
{
	size_t hl = proto == IPPROTO_TCP ? 20 : 8, len = 20 + hl + payload;

	memset(p, 0, len);
	ipv4_build(p, 0, (uint16_t)len, (uint16_t)rnd(), frag, ttl, proto, src, dst);
	put16(p + 20, sport);
	put16(p + 22, dport);
	if (proto == IPPROTO_UDP)
		put16(p + 24, (uint16_t)(8 + payload));
	else
		p[32] = 5 << 4;
	for (size_t i = 0; i < payload; i++)
		p[20 + hl + i] = (uint8_t)i;
	l4_csum4(p);
	return len;
}

static size_t
icmp4(uint8_t *p, uint32_t src, uint32_t dst, uint8_t type, uint8_t code,
      uint32_t rest, const uint8_t *quote, size_t qlen)
{
	ipv4_build(p, 0, (uint16_t)(28 + qlen), 7, 0, 64, IPPROTO_ICMP, src, dst);
	p[20] = type;
	p[21] = code;
	put32(p + 24, rest);
	memcpy(p + 28, quote, qlen);
	l4_csum4(p);
	return 28 + qlen;
}

static size_t
encap(uint8_t *p, const struct in6_addr *src, const struct in6_addr *dst,
      const uint8_t *in, size_t len)
{
	ipv6_build(p, 0, 0, (uint16_t)len, IPPROTO_IPIP_, 64, src, dst);
	memcpy(p + 40, in, len);
	return 40 + len;
}

static void
icmp6_csum(uint8_t *p, size_t l4off, size_t plen_end)
{
	size_t n = plen_end - l4off;
	uint16_t c;

	p[l4off + 2] = p[l4off + 3] = 0;
	c = (uint16_t)~csum_fold(csum_partial(p + l4off, n,
	    csum_pseudo6(p + 8, p + 24, IPPROTO_ICMPV6, (uint32_t)n)));
	memcpy(p + l4off + 2, &c, 2);
}

static size_t
icmp6(uint8_t *p, const struct in6_addr *src, const struct in6_addr *dst, uint8_t type,
      uint8_t code, uint32_t rest, const uint8_t *quote, size_t qlen)
{
	ipv6_build(p, 0, 0, (uint16_t)(8 + qlen), IPPROTO_ICMPV6, 64, src, dst);
	p[40] = type;
	p[41] = code;
	put32(p + 44, rest);
	memcpy(p + 48, quote, qlen);
	icmp6_csum(p, 40, 48 + qlen);
	return 48 + qlen;
}

static bool seed_v6;

static void
seed_frag(void *arg, const uint8_t *pkt, size_t len)
{
	(void)arg;
	add_seed(seed_v6, pkt, len);
}

/* Fragments of an IPv4 packet, each wrapped for the SMAP side. */
static void
seed_frag_encap(void *arg, const uint8_t *pkt, size_t len)
{
	uint8_t t[MAXLEN];

	add_seed(true, t, encap(t, arg, &br, pkt, len));
}

static void
make_seeds(void)
{
	uint8_t p[MAXLEN], q[MAXLEN], t[MAXLEN];
	size_t n, m;

	memset(t, 0, sizeof(t));
	n_seeds = 0;
	/* Internet -> SMAP: UDP, TCP to each binding, unbound, TTL 1, big with DF */
	add_seed(false, p, ports4(p, IPPROTO_UDP, INET, 53, SHARED, 10500, 64, 0, 64));
	add_seed(false, p, ports4(p, IPPROTO_TCP, INET, 443, SHARED, 11500, 32, IPV4_DF, 64));
	add_seed(false, p, ports4(p, IPPROTO_UDP, INET, 53, SHARED, 15000, 16, 0, 64));
	add_seed(false, p, ports4(p, IPPROTO_UDP, INET, 53, SHARED, 10001, 16, 0, 1));
	add_seed(false, p, ports4(p, IPPROTO_UDP, INET, 53, SHARED, 10002, 1472, IPV4_DF, 64));
	add_seed(false, p, ports4(p, IPPROTO_UDP, SHARED, 11000, SHARED, 10003, 8, 0, 1));
	/* big without DF: sent as IPv6 fragments */
	add_seed(false, p, ports4(p, IPPROTO_UDP, INET, 53, SHARED, 10900, 1472, 0, 64));
	/* ICMP echo and an error quoting what smap2 sent */
	put16(q, 0);
	put16(q + 2, 1);
	memset(q + 4, 0x61, 32);
	n = icmp4(p, INET, SHARED, 8, 0, 10777u << 16 | 1, q + 4, 32);
	add_seed(false, p, n);
	n = icmp4(p, INET, SHARED, 0, 0, 11777u << 16 | 1, q + 4, 32);
	add_seed(false, p, n);
	m = ports4(q, IPPROTO_UDP, SHARED, 11111, INET, 53, 20, IPV4_DF, 63);
	add_seed(false, p, icmp4(p, INET, SHARED, 3, 3, 0, q, 28));
	add_seed(false, p, icmp4(p, INET, SHARED, 3, 4, 1400, q, m));
	add_seed(false, p, icmp4(p, INET, SHARED, 11, 0, 0, q, 28));
	/* inbound fragments, with the same id so they meet */
	n = ports4(p, IPPROTO_UDP, INET, 53, SHARED, 10600, 1000, 0, 64);
	put16(p + 4, 0x4242);
	ipv4_set_csum(p);
	seed_v6 = false;
	ck_assert_int_gt(frag4_split(p, n, 576, seed_frag, NULL), 1);

	/* SMAP -> Internet, hairpin, spoofed, not ours */
	n = ports4(q, IPPROTO_UDP, SHARED, 10500, INET, 53, 64, 0, 64);
	add_seed(true, p, encap(p, &smap1, &br, q, n));
	n = ports4(q, IPPROTO_TCP, SHARED, 11500, INET, 80, 1400, IPV4_DF, 64);
	add_seed(true, p, encap(p, &smap2, &br, q, n));
	n = ports4(q, IPPROTO_UDP, SHARED, 10500, SHARED, 11600, 64, 0, 64);
	add_seed(true, p, encap(p, &smap1, &br, q, n));
	n = ports4(q, IPPROTO_UDP, SHARED, 10500, SHARED, 11600, 64, 0, 1);
	add_seed(true, p, encap(p, &smap1, &br, q, n));
	n = ports4(q, IPPROTO_UDP, SHARED, 11500, INET, 53, 64, 0, 64);
	add_seed(true, p, encap(p, &smap1, &br, q, n));
	add_seed(true, p, encap(p, &smap1, &core, q, n));
	n = icmp4(q, SHARED, INET, 8, 0, 10777u << 16 | 9, t, 16);
	add_seed(true, p, encap(p, &smap1, &br, q, n));
	m = ports4(t, IPPROTO_UDP, INET, 53, SHARED, 11222, 8, 0, 60);
	n = icmp4(q, SHARED, INET, 3, 3, 0, t, m);
	add_seed(true, p, encap(p, &smap2, &br, q, n));
	/* a big non-DF packet: fragmented toward the Internet */
	n = ports4(q, IPPROTO_UDP, SHARED, 10501, INET, 53, 1600, 0, 64);
	add_seed(true, p, encap(p, &smap1, &br, q, n));

	/* ICMPv6 from the access network about what we sent to smap1 */
	m = ports4(q, IPPROTO_UDP, INET, 53, SHARED, 10500, 1400, IPV4_DF, 63);
	n = encap(t, &br, &smap1, q, m);
	add_seed(true, p, icmp6(p, &core, &br, 2, 0, 1280, t, 1232));
	add_seed(true, p, icmp6(p, &core, &br, 2, 0, 1000, t, 68));
	add_seed(true, p, icmp6(p, &core, &br, 1, 3, 0, t, 68));
	add_seed(true, p, icmp6(p, &core, &br, 3, 0, 0, t, 68));
	add_seed(true, p, icmp6(p, &core, &br, 4, 0, 40, t, 68));
	add_seed(true, p, icmp6(p, &smap1, &br, 128, 0, 1, t, 16));

	/* IPv6 fragments of an encapsulated packet (same id) */
	n = ports4(q, IPPROTO_UDP, SHARED, 10700, INET, 53, 1800, 0, 64);
	n = encap(p, &smap1, &br, q, n);
	seed_v6 = true;
	ck_assert_int_gt(frag6_split(p, n, 1280, 0x77, seed_frag, NULL), 1);
	/* inner IPv4 fragments, each in its own IPv6 packet */
	n = ports4(q, IPPROTO_UDP, SHARED, 10800, INET, 53, 1200, 0, 64);
	put16(q + 4, 0x4343);
	ipv4_set_csum(q);
	ck_assert_int_gt(frag4_split(q, n, 576, seed_frag_encap, &smap1), 1);
}

/* ---- mutation ---- */

static const uint8_t interesting[] = {
	0, 1, 4, 5, 6, 8, 17, 41, 43, 44, 58, 60, 0x45, 0x46, 0x4f, 0x60, 0x7f,
	0x80, 0xfe, 0xff,
};

/* Fix checksums so that mutations get past the first checks. */
static void
repair(uint8_t *p, size_t len, bool v6)
{
	struct ipv6_info ip6;
	struct ipv4_info ip;
	size_t off = 0;

	if (v6) {
		if (ipv6_parse(p, len, &ip6) != PKT_OK || ipv6_is_fragment(&ip6))
			return;
		if (ip6.proto == IPPROTO_ICMPV6 && IPV6_HDR_LEN + ip6.plen - ip6.l4_off >= 8) {
			icmp6_csum(p, ip6.l4_off, IPV6_HDR_LEN + ip6.plen);
			return;
		}
		if (ip6.proto != IPPROTO_IPIP_)
			return;
		off = ip6.l4_off;
		len = IPV6_HDR_LEN + ip6.plen;
	}
	if (len - off < IPV4_HDR_MIN || p[off] >> 4 != 4 || (p[off] & 0xf) < 5 ||
	    (size_t)(p[off] & 0xf) * 4 > len - off)
		return;
	ipv4_set_csum(p + off);
	if (ipv4_parse(p + off, len - off, true, &ip) == PKT_OK && !ipv4_is_fragment(&ip))
		l4_csum4(p + off);
}

static size_t
mutate(uint8_t *p, size_t len, bool v6)
{
	unsigned ops = 1 + rnd() % 6;

	for (unsigned i = 0; i < ops && len; i++) {
		size_t at = rnd() % len;

		switch (rnd() % 8) {
		case 0:
		case 1:
			p[at] ^= (uint8_t)(1u << (rnd() % 8));
			break;
		case 2:
			p[at] = (uint8_t)rnd();
			break;
		case 3:
			p[at] = interesting[rnd() % sizeof(interesting)];
			break;
		case 4:
			/* headers are where the decisions are: hit them often */
			at = rnd() % (len < 100 ? len : 100);
			p[at] = interesting[rnd() % sizeof(interesting)];
			break;
		case 5:
			len = rnd() % (len + 1);
			break;
		case 6:
			if (len < MAXLEN) {
				size_t more = rnd() % (MAXLEN - len + 1);
				for (size_t j = 0; j < more; j++)
					p[len + j] = (uint8_t)rnd();
				len += more;
			}
			break;
		case 7:
			/* a 16-bit length or port field set to a boundary */
			if (at + 1 < len)
				put16(p + at, (uint16_t[]){ 0, 1, 7, 8, 20, 40, 1279, 1280,
					1500, 0x7fff, 0xffff, 10000, 11999 }[rnd() % 13]);
			break;
		}
	}
	if (rnd() & 1)
		repair(p, len, v6);
	return len;
}

/* ---- the run ---- */

static struct prr_params params;
static struct btable *bt;
static struct pmtu_cache *pmtu;
static struct prr_ctx *ctx;
static unsigned long emitted[2];

/* Emits nothing; checks that what would go out is sound. */
static void
check_emit(void *arg, enum prr_side side, const uint8_t *pkt, size_t len)
{
	(void)arg;
	emitted[side]++;
	if (side == PRR_SIDE_V6) {
		struct ipv6_info ip6;

		ck_assert_uint_le(len, params.v6.mtu);
		ck_assert_int_eq(ipv6_parse(pkt, len, &ip6), PKT_OK);
		ck_assert_uint_eq(len, IPV6_HDR_LEN + ip6.plen);
		ck_assert_msg(memcmp(&ip6.src, &br, 16) == 0, "IPv6 source is not the BR");
	} else {
		struct ipv4_info ip;

		ck_assert_int_eq(side, PRR_SIDE_V4);
		ck_assert_uint_le(len, params.v4.mtu);
		ck_assert_int_eq(ipv4_parse(pkt, len, true, &ip), PKT_OK);
		ck_assert_uint_eq(len, ip.tot_len);
		ck_assert_msg(ip.src == PRR4 || btable_has_ipv4(bt, ip.src),
			      "IPv4 source %08x may not be used", ip.src);
	}
}

/*
 * FUZZSMOKE_CORPUS=DIR: also write the seeds as a starting corpus for
 * tests/fuzz/fuzz_datapath (control byte: direction, fix checksums).
 */
static void
write_corpus(const char *dir)
{
	for (unsigned i = 0; i < n_seeds; i++) {
		char name[512];
		uint8_t ctl = (uint8_t)(8 | (seeds[i].v6 ? 1 : 0));
		FILE *f;

		snprintf(name, sizeof(name), "%s/seed-%02u", dir, i);
		f = fopen(name, "w");
		ck_assert_msg(f != NULL, "cannot write %s", name);
		fwrite(&ctl, 1, 1, f);
		fwrite(seeds[i].pkt, 1, seeds[i].len, f);
		fclose(f);
	}
}

static void
setup(void)
{
	struct binding b = { 0 };
	char err[256];

	rng = 0x9e3779b97f4a7c15ull;
	inet_pton(AF_INET6, "2001:db8:100::1", &br);
	inet_pton(AF_INET6, "2001:db8:1::2", &smap1);
	inet_pton(AF_INET6, "2001:db8:2::2", &smap2);
	inet_pton(AF_INET6, "2001:db8:100::2", &core);
	prr_params_default(&params);
	params.br[0] = br;
	params.n_br = 1;
	params.ipv4_addr = PRR4;
	bt = btable_new(4);
	ck_assert_ptr_nonnull(bt);
	b.ipv6 = smap1;
	b.ipv4 = SHARED;
	b.ps = portset_range(10000, 10999);
	ck_assert_int_eq(btable_add(bt, &b, err, sizeof(err)), 0);
	b.ipv6 = smap2;
	b.ps = portset_range(11000, 11999);
	ck_assert_int_eq(btable_add(bt, &b, err, sizeof(err)), 0);
	ck_assert_int_eq(btable_build(bt, err, sizeof(err)), 0);
	pmtu = pmtu_new(64);
	ck_assert_ptr_nonnull(pmtu);
	ctx = malloc(sizeof(*ctx));
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(prr_ctx_init(ctx, &params, bt, pmtu, check_emit, NULL), 0);
	emitted[0] = emitted[1] = 0;
	make_seeds();
	if (getenv("FUZZSMOKE_CORPUS"))
		write_corpus(getenv("FUZZSMOKE_CORPUS"));
}

static void
teardown(void)
{
	prr_ctx_fini(ctx);
	free(ctx);
	pmtu_free(pmtu);
	btable_free(bt);
}

/* Whether a counter is an outcome for a packet, rather than a note on the way. */
static bool
is_outcome(enum prr_stat s)
{
	switch (s) {
	case PRR_STAT_IN4_PACKETS:
	case PRR_STAT_IN6_PACKETS:
	case PRR_STAT_IN4_FRAGMENTS:
	case PRR_STAT_IN6_FRAGMENTS:
	case PRR_STAT_IN4_REASSEMBLED:
	case PRR_STAT_IN6_REASSEMBLED:
	case PRR_STAT_OUT_FRAG4:
	case PRR_STAT_OUT_FRAG6:
	case PRR_STAT_ICMP4_SENT:
	case PRR_STAT_ICMP6_SENT:
	case PRR_STAT_ICMP_RATELIMITED:
	case PRR_STAT_TX_ERRORS:
		return false;
	default:
		return true;
	}
}

static uint64_t
outcomes(void)
{
	uint64_t n = 0;

	for (int s = 0; s < PRR_STAT_MAX; s++)
		if (is_outcome((enum prr_stat)s))
			n += ctx->stats[s];
	return n;
}

/* The parsers alone, with their promises about offsets. */
static void
parse_all(const uint8_t *p, size_t len)
{
	struct ipv4_info ip;
	struct ipv6_info ip6;
	struct l4_info l4;

	if (ipv4_parse(p, len, rnd() & 1, &ip) == PKT_OK) {
		ck_assert_uint_ge(ip.hlen, 20);
		ck_assert_uint_le(ip.hlen, ip.tot_len);
		ck_assert_uint_le(ip.tot_len, len);
		if (ip.frag_off == 0 &&
		    l4_parse(ip.proto, p + ip.hlen, ip.tot_len - ip.hlen, &l4) == PKT_OK)
			ck_assert_uint_le(l4.hlen, (size_t)ip.tot_len - ip.hlen);
	}
	if (ipv6_parse(p, len, &ip6) == PKT_OK) {
		size_t end = IPV6_HDR_LEN + ip6.plen;

		ck_assert_uint_le(end, len);
		ck_assert_uint_le(ip6.l4_off, end);
		ck_assert_uint_lt(ip6.proto_field, ip6.l4_off);
		ck_assert_uint_eq(p[ip6.proto_field], ip6.proto);
		if (ip6.frag)
			ck_assert_uint_le(ip6.frag_hdr + IPV6_FRAG_LEN, ip6.l4_off);
		if (!ipv6_is_fragment(&ip6) &&
		    l4_parse(ip6.proto, p + ip6.l4_off, end - ip6.l4_off, &l4) == PKT_OK)
			ck_assert_uint_le(l4.hlen, end - ip6.l4_off);
		if (ip6.proto == IPPROTO_IPIP_ && !ipv6_is_fragment(&ip6))
			(void)ipv4_parse(p + ip6.l4_off, end - ip6.l4_off, true, &ip);
	}
}

static void
run(unsigned count)
{
	uint8_t buf[MAXLEN];
	uint64_t now = 1000, in[2] = { 0, 0 };
	unsigned pass = 0;

	for (unsigned i = 0; i < count; i++) {
		bool v6;
		size_t len;
		uint8_t *heap;
		uint64_t before;
		uint64_t frags_before;
		enum prr_verdict v;

		if (rnd() % 16 == 0) {
			/* pure noise, sometimes with a plausible version nibble */
			len = rnd() % 200;
			for (size_t j = 0; j < len; j++)
				buf[j] = (uint8_t)rnd();
			v6 = rnd() & 1;
			if (len && rnd() % 2)
				buf[0] = v6 ? 0x60 : 0x45;
		} else {
			const struct seed *s = &seeds[rnd() % n_seeds];

			v6 = s->v6;
			memcpy(buf, s->pkt, s->len);
			/* one in eight goes in unchanged, to keep state moving */
			len = rnd() % 8 ? mutate(buf, s->len, v6) : s->len;
		}
		/* exactly len bytes on the heap: ASan sees any overread */
		heap = malloc(len ? len : 1);
		ck_assert_ptr_nonnull(heap);
		memcpy(heap, buf, len);
		parse_all(heap, len);

		before = outcomes();
		frags_before = ctx->stats[PRR_STAT_IN4_FRAGMENTS] + ctx->stats[PRR_STAT_IN6_FRAGMENTS];
		if (v6)
			v = prr_from_smap(ctx, heap, len, now);
		else
			v = prr_from_inet(ctx, heap, len, now);
		in[v6]++;
		ck_assert_uint_eq(ctx->stats[PRR_STAT_IN4_PACKETS], in[0]);
		ck_assert_uint_eq(ctx->stats[PRR_STAT_IN6_PACKETS], in[1]);
		/* every packet has an outcome, is kept as a fragment, or is passed */
		if (v == PRR_PASS) {
			ck_assert(v6);
			pass++;
		} else {
			ck_assert_msg(outcomes() > before ||
				      ctx->stats[PRR_STAT_IN4_FRAGMENTS] +
				      ctx->stats[PRR_STAT_IN6_FRAGMENTS] > frags_before,
				      "packet %u (%s, %zu bytes) left no trace in the counters",
				      i, v6 ? "v6" : "v4", len);
		}
		free(heap);
		now += 1 + rnd() % 50;
		if (i % 256 == 0)
			prr_tick(ctx, now);
	}
	ck_assert_uint_eq(ctx->stats[PRR_STAT_IN4_PACKETS] + ctx->stats[PRR_STAT_IN6_PACKETS], count);
	/* the run reached the interesting places, not only the drop counters */
	ck_assert_uint_gt(ctx->stats[PRR_STAT_IN4_ENCAPSULATED], 0);
	ck_assert_uint_gt(ctx->stats[PRR_STAT_IN6_DECAPSULATED], 0);
	ck_assert_uint_gt(ctx->stats[PRR_STAT_IN6_HAIRPINNED], 0);
	ck_assert_uint_gt(ctx->stats[PRR_STAT_IN6_DROP_SPOOFED], 0);
	ck_assert_uint_gt(ctx->stats[PRR_STAT_IN4_DROP_MALFORMED], 0);
	ck_assert_uint_gt(ctx->stats[PRR_STAT_IN6_DROP_MALFORMED], 0);
	ck_assert_uint_gt(ctx->stats[PRR_STAT_IN6_PTB], 0);
	ck_assert_uint_gt(ctx->stats[PRR_STAT_IN4_REASSEMBLED] +
			  ctx->stats[PRR_STAT_IN6_REASSEMBLED], 0);
	ck_assert_uint_gt(ctx->stats[PRR_STAT_OUT_FRAG6], 0);
	ck_assert_uint_gt(ctx->stats[PRR_STAT_OUT_FRAG4], 0);
	ck_assert_uint_gt(pass, 0);
	ck_assert_uint_gt(emitted[PRR_SIDE_V4], 0);
	ck_assert_uint_gt(emitted[PRR_SIDE_V6], 0);
	if (getenv("FUZZSMOKE_VERBOSE")) {
		for (int s = 0; s < PRR_STAT_MAX; s++)
			fprintf(stderr, "%-28s %llu\n", prr_stat_desc[s].name,
				(unsigned long long)ctx->stats[s]);
		fprintf(stderr, "passed %u, emitted v4 %lu v6 %lu\n", pass,
			emitted[PRR_SIDE_V4], emitted[PRR_SIDE_V6]);
	}
}

/* Defaults: the testbed's PRR. */
START_TEST(smoke_defaults)
{
	run(PACKETS / 2);
}
END_TEST

/* Every ICMP error on, no rate limit, small MTUs: the error paths run hot. */
START_TEST(smoke_strict)
{
	params.unbound_icmp_code = 13;
	params.icmp_rate = 0;
	params.v4.mtu = 576;
	params.v6.mtu = 1280;
	params.v4.max_frags = 4;
	params.v6.max_frags = 4;
	prr_ctx_fini(ctx);
	ck_assert_int_eq(prr_ctx_init(ctx, &params, bt, pmtu, check_emit, NULL), 0);
	run(PACKETS / 2);
}
END_TEST

static Suite *
fuzzsmoke_suite(void)
{
	Suite *s = suite_create("fuzzsmoke");
	TCase *tc = tcase_create("datapath");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, smoke_defaults);
	tcase_add_test(tc, smoke_strict);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(fuzzsmoke_suite());
}
