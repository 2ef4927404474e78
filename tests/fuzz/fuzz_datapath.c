/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the PRR data path. See tests/fuzz/README.md.
 *
 * Input: byte 0 is a control byte, the rest is packet data.
 *   bit 0  direction: 0 = from the Internet (prr_from_inet),
 *                     1 = from a SMAP (prr_from_smap)
 *   bit 1  strict parameters: ICMP for unbound ports, no rate limit,
 *          MTUs 576/1280, 4 fragments per datagram
 *   bit 2  the rest is a sequence of packets, each [dir][len hi][len lo]
 *          [len bytes], so fragments can meet in reassembly
 *   bit 3  fix IPv4 header, ICMP and ICMPv6 checksums before sending,
 *          so that mutations get past the checksum checks
 *   bit 4  with bit 2: hand runs of packets from one side to the burst
 *          entry points (prr_from_inet_burst / prr_from_smap_burst), as
 *          the NFQUEUE workers do; byte 1 bounds the run length (1-64)
 * Every input starts from fresh state, so a crash reproduces alone.
 * FUZZ_STATS=1 in the environment prints the counters an input moved.
 * fuzz-options: -max_len=4096
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "prr/datapath.h"
#include "pkt.h"
#include "tests/fuzz/lib.h"

#define SHARED	0xc0000201u	/* 192.0.2.1, as in etc/testbed/prr.conf */
#define PRR4	0xc6336401u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct btable *bt;
static struct prr_ctx *ctx;
static struct in6_addr br;

static void
init_once(void)
{
	struct binding b = { 0 };
	char err[256];

	inet_pton(AF_INET6, "2001:db8:100::1", &br);
	bt = btable_new(4);
	b.ipv4 = SHARED;
	inet_pton(AF_INET6, "2001:db8:1::2", &b.ipv6);
	b.ps = portset_range(10000, 10999);
	if (!bt || btable_add(bt, &b, err, sizeof(err)) < 0)
		abort();
	inet_pton(AF_INET6, "2001:db8:2::2", &b.ipv6);
	b.ps = portset_range(11000, 11999);
	if (btable_add(bt, &b, err, sizeof(err)) < 0 || btable_build(bt, err, sizeof(err)) < 0)
		abort();
	ctx = malloc(sizeof(*ctx));
	if (!ctx)
		abort();
}

/* Emits nothing, but what would go out must be a sound packet. */
static void
check_emit(void *arg, enum prr_side side, const uint8_t *pkt, size_t len)
{
	const struct prr_params *p = arg;
	struct ipv6_info ip6;
	struct ipv4_info ip;

	if (side == PRR_SIDE_V6) {
		if (len > p->v6.mtu || ipv6_parse(pkt, len, &ip6) != PKT_OK ||
		    memcmp(&ip6.src, &br, 16) != 0)
			abort();
	} else {
		if (len > p->v4.mtu || ipv4_parse(pkt, len, true, &ip) != PKT_OK ||
		    (ip.src != PRR4 && !btable_has_ipv4(bt, ip.src)))
			abort();
	}
}

static void
fix_icmp6(uint8_t *p, size_t off, size_t end)
{
	uint16_t c;

	p[off + 2] = p[off + 3] = 0;
	c = (uint16_t)~csum_fold(csum_partial(p + off, end - off,
	    csum_pseudo6(p + 8, p + 24, IPPROTO_ICMPV6, (uint32_t)(end - off))));
	memcpy(p + off + 2, &c, 2);
}

static void
fix(uint8_t *p, size_t len, bool v6)
{
	struct ipv6_info ip6;

	if (!v6) {
		fuzz_fix4(p, len);
		return;
	}
	if (ipv6_parse(p, len, &ip6) != PKT_OK || ipv6_is_fragment(&ip6))
		return;
	if (ip6.proto == IPPROTO_ICMPV6 && IPV6_HDR_LEN + ip6.plen - ip6.l4_off >= 8)
		fix_icmp6(p, ip6.l4_off, IPV6_HDR_LEN + ip6.plen);
	else if (ip6.proto == IPPROTO_IPIP_)
		fuzz_fix4(p + ip6.l4_off, IPV6_HDR_LEN + ip6.plen - ip6.l4_off);
}

static void
one(const uint8_t *data, size_t len, bool v6, bool fixsum, uint64_t now)
{
	/* a heap copy of exactly len bytes: ASan catches overreads */
	uint8_t *p = malloc(len ? len : 1);

	if (!p)
		abort();
	memcpy(p, data, len);
	if (fixsum)
		fix(p, len, v6);
	if (v6)
		prr_from_smap(ctx, p, len, now);
	else
		prr_from_inet(ctx, p, len, now);
	free(p);
}

/* a run of packets from one side, as a worker hands it over */
struct burst {
	uint8_t *pkt[PRR_BURST];
	size_t len[PRR_BURST];
	size_t n;
	bool v6;
};

static void
burst_flush(struct burst *b, uint64_t now)
{
	if (!b->n)
		return;
	if (b->v6)
		prr_from_smap_burst(ctx, (const uint8_t *const *)b->pkt, b->len, b->n, now);
	else
		prr_from_inet_burst(ctx, (const uint8_t *const *)b->pkt, b->len, b->n, now);
	for (size_t i = 0; i < b->n; i++)
		free(b->pkt[i]);
	b->n = 0;
}

static void
burst_add(struct burst *b, size_t max, const uint8_t *data, size_t len, bool v6,
	  bool fixsum, uint64_t now)
{
	uint8_t *p;

	if (b->n && (b->v6 != v6 || b->n == max))
		burst_flush(b, now);
	p = malloc(len ? len : 1);
	if (!p)
		abort();
	memcpy(p, data, len);
	if (fixsum)
		fix(p, len, v6);
	b->v6 = v6;
	b->pkt[b->n] = p;
	b->len[b->n++] = len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct prr_params params;
	struct pmtu_cache *pmtu;
	uint64_t now = 1000, received;
	unsigned sent = 0;
	uint8_t ctl, flags;
	const uint8_t *pkt;
	size_t n;

	if (size < 1)
		return 0;
	if (!bt)
		init_once();
	ctl = data[0];
	data++;
	size--;

	prr_params_default(&params);
	params.br[0] = br;
	params.n_br = 1;
	params.ipv4_addr = PRR4;
	if (ctl & 2) {
		params.unbound_icmp_code = 13;
		params.icmp_rate = 0;
		params.v4.mtu = 576;
		params.v6.mtu = 1280;
		params.v4.max_frags = params.v6.max_frags = 4;
	}
	pmtu = pmtu_new(16);
	if (!pmtu || prr_ctx_init(ctx, &params, bt, pmtu, check_emit, &params) < 0)
		abort();

	if (!(ctl & 4)) {
		one(data, size, ctl & 1, ctl & 8, now);
		sent++;
	} else if (ctl & 16) {
		struct burst b = { .n = 0 };
		size_t max;

		if (size < 1)
			goto out;
		max = data[0] % PRR_BURST + 1;
		data++;
		size--;
		while (fuzz_next(&data, &size, &flags, &pkt, &n)) {
			burst_add(&b, max, pkt, n, flags & 1, ctl & 8, now);
			sent++;
		}
		burst_flush(&b, now);
		prr_tick(ctx, now + 60000);
	} else {
		while (fuzz_next(&data, &size, &flags, &pkt, &n)) {
			one(pkt, n, flags & 1, ctl & 8, now);
			sent++;
			now += 10;
		}
		prr_tick(ctx, now + 60000);
	}
out:
	/* every packet is counted as received */
	received = ctx->stats[PRR_STAT_IN4_PACKETS] + ctx->stats[PRR_STAT_IN6_PACKETS];
	if (received != sent)
		abort();
	/* FUZZ_STATS=1: what the input did (to check that seeds get far) */
	if (getenv("FUZZ_STATS"))
		for (unsigned i = 0; i < PRR_STAT_MAX; i++)
			if (ctx->stats[i])
				printf("%s %" PRIu64 "\n", prr_stat_desc[i].name, ctx->stats[i]);
	prr_ctx_fini(ctx);
	pmtu_free(pmtu);
	return 0;
}
