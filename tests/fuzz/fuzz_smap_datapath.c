/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the SMAP data path (smap/datapath.c), driven the
 * way smap/softwire.c drives it: inbound packets through smap_inbound,
 * fragments through reassembly (reasm4_add) and smap_inbound again;
 * outbound packets through smap_outbound, then fragmentation (frag4_split)
 * or the ICMP reply, and smap_next_hop for what leaves.
 *
 * Input: byte 0 is a control byte, the rest is packet data.
 *   bit 0  direction of a single packet: 0 = inbound (softwire -> TUN),
 *          1 = outbound (TUN -> softwire)
 *   bit 1  MAP-E parameters (192.0.2.9 PSID 1/6 offset 6, one FMR over
 *          192.0.2.8/30 and 2001:db8:f000::/48) instead of smap1's
 *          192.0.2.1 ports 10000-10999; path MTU 1280 instead of 1500
 *   bit 2  the rest is a sequence of packets, each [flags][len hi][len lo]
 *          [len bytes], so that fragments can meet in reassembly; flags
 *          bit 0 is the direction, bits 1-2 the outer source of an
 *          inbound packet (PRR, allowed peer, the FMR's CE 2, other)
 *   bit 3  fix the IPv4 header and ICMP checksums first
 *   bits 4-5  the outer source of a single inbound packet, as above
 * Every input starts from fresh reassembly state. FUZZ_STATS=1 in the
 * environment prints the counters an input moved.
 *
 * Besides sanitizer reports it aborts on a broken promise: what goes to
 * the TUN is an IPv4 packet for the shared address, what goes to the
 * softwire leaves from the shared address and fits the MTU after
 * fragmentation, an ICMP reply is a well-formed IPv4 packet.
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
#include "frag.h"
#include "pkt.h"
#include "smap/datapath.h"
#include "tests/fuzz/lib.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct smap_params plain, mape;
static struct in6_addr sources[3];
static struct reasm *reasm;
static bool inited;
static uint64_t stats[SMAP_STAT_MAX];
static uint8_t whole[65536];

static void
init_once(void)
{
	struct in6_addr p6;
	char err[128];

	inet_pton(AF_INET6, "2001:db8:100::1", &plain.prr);
	inet_pton(AF_INET6, "2001:db8:100::7", &plain.peers[0]);
	plain.n_peers = 1;
	plain.ipv4 = 0xc0000201u;
	plain.ps = portset_range(10000, 10999);
	plain.mtu = 1500;

	mape = plain;
	mape.ipv4 = 0xc0000209u;
	mape.ps = portset_psid(6, 6, 1);
	mape.mtu = 1280;
	inet_pton(AF_INET6, "2001:db8:f000::", &p6);
	if (!map_rule_init(&mape.fmr[0], &p6, 48, 0xc0000208u, 30, 8, 6, 0, 0, err, sizeof(err)))
		abort();
	mape.fmr[0].forwarding = true;
	mape.n_fmr = 1;

	sources[0] = plain.prr;
	sources[1] = plain.peers[0];
	/* the CE of 192.0.2.10 PSID 2 under the FMR */
	inet_pton(AF_INET6, "2001:db8:f000:8200:0:c000:20a:2", &sources[2]);
}

/* what goes to the TUN */
static void
check_deliver(const struct smap_params *sp, const uint8_t *pkt, size_t len)
{
	struct ipv4_info ip;

	if (ipv4_parse(pkt, len, false, &ip) != PKT_OK || ip.dst != sp->ipv4)
		abort();
}

struct out_ctx {
	const struct smap_params *sp;
	size_t mtu;
};

/* what goes to the softwire */
static void
check_send(void *arg, const uint8_t *pkt, size_t len)
{
	const struct out_ctx *o = arg;
	struct in6_addr dst;
	struct ipv4_info ip;

	/* a TUN read is one whole packet: trailing bytes are the fuzzer's */
	if (ipv4_parse(pkt, len, false, &ip) != PKT_OK || ip.tot_len > o->mtu ||
	    ip.src != o->sp->ipv4)
		abort();
	stats[SMAP_STAT_OUT_ENCAPSULATED]++;
	if (smap_next_hop(o->sp, pkt, len, &dst))
		stats[SMAP_STAT_OUT_MESH]++;
}

static void
inbound(const struct smap_params *sp, const struct in6_addr *src, const uint8_t *pkt,
	size_t len, uint64_t now)
{
	enum smap_verdict v;
	size_t outlen;

	v = smap_inbound(sp, src, pkt, len, stats);
	if (v == SMAP_FRAGMENT) {
		stats[SMAP_STAT_IN_FRAGMENTS]++;
		if (reasm4_add(reasm, pkt, len, now, whole, sizeof(whole), &outlen) != REASM_DONE)
			return;
		stats[SMAP_STAT_IN_REASSEMBLED]++;
		v = smap_inbound(sp, src, whole, outlen, stats);
		if (v == SMAP_FRAGMENT)
			abort();	/* a reassembled datagram is whole */
		pkt = whole;
		len = outlen;
	}
	if (v == SMAP_PASS) {
		check_deliver(sp, pkt, len);
		stats[SMAP_STAT_IN_DELIVERED]++;
	}
	else if (v != SMAP_DROP)
		abort();
}

static void
outbound(const struct smap_params *sp, const uint8_t *pkt, size_t len)
{
	struct out_ctx o = { .sp = sp, .mtu = smap_tun_mtu(sp->mtu) };
	uint8_t reply[576];
	size_t rlen = 0;
	struct ipv4_info ip;

	switch (smap_outbound(sp, pkt, len, reply, sizeof(reply), &rlen, stats)) {
	case SMAP_PASS:
		check_send(&o, pkt, len);
		break;
	case SMAP_FRAGMENT:
		if (ipv4_parse(pkt, len, false, &ip) != PKT_OK || ip.tot_len <= o.mtu || ip.df)
			abort();
		stats[SMAP_STAT_OUT_FRAGMENTS]++;
		frag4_split(pkt, len, o.mtu, check_send, &o);
		break;
	case SMAP_ICMP:
		if (rlen > sizeof(reply) || ipv4_parse(reply, rlen, true, &ip) != PKT_OK ||
		    ip.proto != IPPROTO_ICMP)
			abort();
		break;
	case SMAP_DROP:
		break;
	}
}

static void
one(const struct smap_params *sp, const uint8_t *data, size_t len, unsigned flags,
    bool fixsum, const uint8_t *rest, size_t restlen, uint64_t now)
{
	/* a heap copy of exactly len bytes: ASan catches overreads */
	uint8_t *p = malloc(len ? len : 1);
	struct in6_addr src;

	if (!p)
		abort();
	memcpy(p, data, len);
	if (fixsum)
		fuzz_fix4(p, len);
	if (flags & 1) {
		outbound(sp, p, len);
	} else {
		unsigned s = flags >> 1 & 3;

		if (s < 3) {
			src = sources[s];
		} else {
			memset(&src, 0, sizeof(src));
			memcpy(&src, rest, restlen < 16 ? restlen : 16);
		}
		inbound(sp, &src, p, len, now);
	}
	free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reasm_limits rl = {
		.max_bytes = 1 << 20, .max_frags = 16, .max_pending = 64, .timeout_ms = 30000,
	};
	const struct smap_params *sp;
	uint64_t now = 1000;
	uint8_t ctl;

	if (size < 1)
		return 0;
	if (!inited) {
		init_once();
		inited = true;
	}
	ctl = data[0];
	data++;
	size--;
	sp = ctl & 2 ? &mape : &plain;
	reasm = reasm_new(&rl);
	if (!reasm)
		abort();

	if (!(ctl & 4)) {
		unsigned flags = (ctl & 1) | (ctl >> 4 & 3) << 1;

		one(sp, data, size, flags, ctl & 8, data, size, now);
	} else {
		const uint8_t *pkt;
		uint8_t flags;
		size_t n;

		while (fuzz_next(&data, &size, &flags, &pkt, &n)) {
			one(sp, pkt, n, flags, ctl & 8, data, size, now);
			now += 10;
		}
		reasm_expire(reasm, now + 60000);
	}
	reasm_free(reasm);
	reasm = NULL;
	/* FUZZ_STATS=1: what the input did (to check that seeds get far) */
	if (getenv("FUZZ_STATS"))
		for (unsigned i = 0; i < SMAP_STAT_MAX; i++)
			if (stats[i])
				printf("%s %" PRIu64 "\n", smap_stat_desc[i].name, stats[i]);
	memset(stats, 0, sizeof(stats));
	return 0;
}
