/* SPDX-License-Identifier: MIT */
/*
 * What the PRR's XDP fast path (bpf/prr_xdp.bpf.c) and the daemon that
 * loads it (prr/fastpath.c) share: map layouts and counter numbers.
 * Addresses and ports are in network byte order unless said otherwise.
 */
#ifndef BPF_PRR_XDP_H
#define BPF_PRR_XDP_H

#include <linux/types.h>

#define PRR_XDP_MAX_BR		16
#define PRR_XDP_MAX_POOLS	64
#define PRR_XDP_MAX_RULES	64
#define PRR_XDP_MAX_PREFIXES	(1u << 20)	/* static binding map entries */
#define PRR_XDP_MAX_ADDRS	(1u << 16)	/* shared addresses */
#define PRR_XDP_MIN_MTU		1280		/* learnt path MTUs are never lower */
#define PRR_XDP_MAX_PMTUS	(1u << 16)	/* learnt path MTUs: prr/pmtu.c's slots */

/* cfg.flags */
#define PRR_XDP_F_ENABLED	0x001	/* maps filled: otherwise everything passes */
#define PRR_XDP_F_HAIRPIN	0x002
#define PRR_XDP_F_V4_ICMP	0x004	/* ipv4_side.generate_icmp */
#define PRR_XDP_F_V6_ICMP	0x008	/* ipv6_side.generate_icmp */
#define PRR_XDP_F_V4_ALLOW_ICMP	0x010
#define PRR_XDP_F_V6_ALLOW_ICMP	0x020
#define PRR_XDP_F_ECHO_PORT0	0x040	/* echo_request_lookup = "port-0" */
#define PRR_XDP_F_UNBOUND_ICMP	0x080	/* unbound_icmp is not "none" */
#define PRR_XDP_F_NO_FIB	0x100	/* BPF_PROG_TEST_RUN: no route look-up, XDP_TX,
					   time from the test_clock map */

/* The one element of the "cfg" array map. */
struct prr_xdp_cfg {
	__u8 br[PRR_XDP_MAX_BR][16];	/* softwire addresses */
	__u32 pool_net[PRR_XDP_MAX_POOLS];
	__u32 pool_mask[PRR_XDP_MAX_POOLS];
	__u32 n_br, n_pools, n_rules;
	__u32 v4_mtu, v6_mtu;
	__u32 flags;
	__u32 hop_limit;
};

/* A MAP-E rule (RFC 7597), host byte order; the BR math runs in BPF. */
struct prr_xdp_rule {
	__u64 prefix6_hi;	/* rule IPv6 prefix; n + o <= 64, so the low half is 0 */
	__u32 prefix4, mask4;	/* rule IPv4 prefix and its mask */
	__u32 v4_mask;		/* mask of the CE's IPv4 prefix length */
	__u8 plen6, ea_len, offset, psid_len;
	__u8 psid_len_cfg, br, pad[2];
	__u16 psid_cfg, pad2;
};

/* Binding map (LPM trie): (IPv4 address, port) prefixes -> SMAP. */
struct prr_xdp_key {
	__u32 prefixlen;	/* 32 + port prefix length */
	__u8 data[6];		/* IPv4 address, port */
};

struct prr_xdp_val {
	__u8 ipv6[16];		/* the SMAP's softwire address */
	__u32 br;		/* index of the PRR softwire address */
};

/*
 * The "addrs" hash map: a shared address (network order) -> what holds
 * its ports. A pool address carries the pool's geometry, so that one
 * atomic update of its entry moves it to a new pool (a reload).
 */
#define PRR_XDP_A_STATIC	0x1	/* static bindings: look in the LPM trie */
#define PRR_XDP_A_POOL		0x2	/* allocation pool slots: the fields below */
#define PRR_XDP_A_PSID		0x4	/* the pool's sets are PSID sets, else ranges */

struct prr_xdp_addr {
	__u32 flags;
	__u32 base;		/* slot of its first set: address index x per */
	__u32 per;		/* sets per address */
	__u32 slots;		/* "pool_slots" entry of the slot array (0 or 1) */
	__u32 first_port, size;	/* ranges: set j is first_port + j x size, size ports */
	__u8 offset, psid_len;	/* PSID sets (RFC 7597 5.1) */
	__u8 pad[2];
};

/*
 * A slot of the allocation pool (prr/pool.h), in an array indexed by
 * slot number, written by the daemon through mmap: the SMAP while live.
 * live is cleared before a slot is rewritten and set after.
 */
struct prr_xdp_slot {
	__u8 ipv6[16];
	__u8 live;
	__u8 br;
	__u8 pad[6];	/* 24 bytes: the array's stride (values are 8-byte aligned) */
};

/*
 * Path MTU map: SMAP address (16 bytes) -> what prr/pmtu.c learnt for it
 * from ICMPv6 packet too big. The daemon writes it as it learns one and
 * deletes it when another address takes its slot, so it holds at most
 * one entry per slot and never fills.
 */
struct prr_xdp_pmtu {
	__u64 expiry_ns;	/* bpf_ktime_get_ns(): CLOCK_MONOTONIC, the daemon's */
	__u32 mtu;
	__u32 pad;
};

/*
 * Counters, per CPU. The first ones are the fast path's share of the
 * PRR's named counters (prr/stats.h, mapped in prr/fastpath.c); then
 * the packets it took, then why it passed packets to the NFQUEUE path.
 */
#define PRR_XDP_STATS(X)						\
	X(IN4_PACKETS)							\
	X(IN4_ENCAPSULATED)						\
	X(IN4_DROP_UNBOUND)						\
	X(IN4_RULE)							\
	X(IN6_PACKETS)							\
	X(IN6_DECAPSULATED)						\
	X(IN6_HAIRPINNED)						\
	X(IN6_RULE)							\
	X(IN6_DROP_SPOOFED)						\
	X(IN6_DROP_HAIRPIN)						\
	X(PACKETS)							\
	X(PASS_MALFORMED)	/* anything the slow path must judge */	\
	X(PASS_OPTIONS)		/* IPv4 options, IPv6 extension headers */ \
	X(PASS_FRAGMENT)						\
	X(PASS_ICMP)							\
	X(PASS_PROTOCOL)	/* neither TCP nor UDP */		\
	X(PASS_TTL)							\
	X(PASS_MTU)							\
	X(PASS_UNBOUND)		/* an ICMP error is to be sent */	\
	X(PASS_SPOOFED)		/* an ICMPv6 error is to be sent */	\
	X(PASS_NO_ROUTE)	/* no route or no neighbour entry yet */	\
	X(PASS_CHECKSUM)	/* TCP/UDP checksum wrong, or not yet computed */

enum prr_xdp_stat {
#define X(id) PRR_XDP_##id,
	PRR_XDP_STATS(X)
#undef X
	PRR_XDP_NSTATS
};

struct prr_xdp_stats {
	__u64 n[PRR_XDP_NSTATS];
};

#endif
