/* SPDX-License-Identifier: MIT */
/* prr/datapath.h: the PRR's pure data path; smap/datapath.h is the same role for the SMAP. */
/*
 * The PRR data path: packet bytes and tables in, packet bytes and a
 * verdict out. No sockets: the NFQUEUE glue (nfq.c), the replay tool
 * and the unit tests all drive these two functions.
 *
 *   prr_from_inet()  IPv4 to a shared address -> encapsulate to its SMAP
 *   prr_from_smap()  IPv6 from a SMAP -> check ownership, decapsulate
 *                    (or hairpin to another SMAP)
 */
#ifndef PRR_DATAPATH_H
#define PRR_DATAPATH_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prr/binding.h"
#include "frag.h"
#include "map_rule.h"
#include "prr/pmtu.h"
#include "prr/pool.h"
#include "prr/stats.h"

#define PRR_MAX_BR	16
#define PRR_MAX_RULES	64	/* MAP-E rules (RFC 7597 BR) */
#define PRR_PKT_MAX	(65535 + 64)

enum prr_side {
	PRR_SIDE_V4 = 0,	/* toward the IPv4 Internet */
	PRR_SIDE_V6 = 1,	/* toward the SMAPs */
};

enum prr_verdict {
	PRR_CONSUMED = 0,	/* handled (emitted, dropped or kept for reassembly) */
	PRR_PASS,		/* not ours: let the kernel have it */
};

/* One side's policy. Defaults are set by prr_params_default(). */
struct prr_side_params {
	unsigned mtu;		/* largest packet sent on this side */
	bool generate_icmp;	/* send ICMP errors toward this side's hosts */
	bool allow_incoming_icmp;
	unsigned max_frags;	/* fragments per reassembled datagram */
};

/* Read-only after load; swapped whole on reload. */
struct prr_params {
	struct in6_addr br[PRR_MAX_BR];	/* softwire endpoint addresses; [0] default */
	unsigned n_br;
	uint32_t ipv4_addr;	/* the PRR's own IPv4 address: source of its ICMPv4 */
	struct prr_side_params v4, v6;
	bool hairpinning;
	uint8_t unbound_icmp_code;	/* ICMPv4 3/code for unbound, 0 = none */
	bool echo_request_port0;	/* echo requests from outside look up port 0, not their id */
	uint8_t hop_limit;	/* outer IPv6 hop limit */
	unsigned icmp_rate;	/* ICMP errors per 2 seconds, per worker, 0 = unlimited */
	/*
	 * MAP-E rules, longest IPv4 prefix first: a SMAP address computed,
	 * not looked up, for what no explicit binding owns. r->br picks the
	 * softwire address (the DMR the CEs tunnel to).
	 */
	struct map_rule rules[PRR_MAX_RULES];
	unsigned n_rules;
};

void prr_params_default(struct prr_params *);

typedef void (*prr_emit_fn)(void *arg, enum prr_side, const uint8_t *pkt, size_t len);

/* Per worker thread: mutable state the data path keeps between packets. */
struct prr_ctx {
	const struct prr_params *p;
	const struct btable *bt;
	const struct pool *pool;	/* registered sets, changed in place; NULL: none */
	struct pmtu_cache *pmtu;	/* shared between workers */
	struct reasm *reasm4, *reasm6;
	prr_emit_fn emit;
	void *emit_arg;
	uint64_t stats[PRR_STAT_MAX];
	/* ICMP error token bucket */
	uint64_t rl_epoch_ms;
	unsigned rl_sent;
	/* relayed ICMPv6 errors: their own bucket, so that injected ones cannot starve ours */
	uint64_t rl_relay_epoch_ms;
	unsigned rl_relay_sent;
	uint32_t frag6_id;
	uint16_t ip_id;
	/* scratch: a reassembled packet, and one being built */
	uint8_t whole[PRR_PKT_MAX];
	uint8_t out[PRR_PKT_MAX + 128];
	uint8_t icmp[1600];
};

/* Allocates the reassembly contexts; the ctx itself is the caller's. */
int prr_ctx_init(struct prr_ctx *, const struct prr_params *, const struct btable *,
		 struct pmtu_cache *, prr_emit_fn, void *arg);
void prr_ctx_fini(struct prr_ctx *);

enum prr_verdict prr_from_inet(struct prr_ctx *, const uint8_t *pkt, size_t len, uint64_t now_ms);
enum prr_verdict prr_from_smap(struct prr_ctx *, const uint8_t *pkt, size_t len, uint64_t now_ms);
/*
 * The same for a burst of packets from one side, in order, with the
 * binding look-ups of the burst overlapped. The fast path for routers.
 */
#define PRR_BURST	64
void prr_from_inet_burst(struct prr_ctx *, const uint8_t *const *pkt, const size_t *len,
			 size_t n, uint64_t now_ms);
void prr_from_smap_burst(struct prr_ctx *, const uint8_t *const *pkt, const size_t *len,
			 size_t n, uint64_t now_ms);
/* Expire stale reassembly state; call about once a second. */
void prr_tick(struct prr_ctx *, uint64_t now_ms);

#endif
