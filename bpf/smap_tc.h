/* SPDX-License-Identifier: MIT */
/*
 * The SMAP's TC fast path (smap_tc.bpf.c) and its loader (smap/fastpath.c)
 * share these map layouts. Addresses are in network byte order.
 */
#ifndef SMAP_TC_H
#define SMAP_TC_H

#include <linux/types.h>

#define SMAP_TC_MAX_PEERS	16

struct smap_tc_cfg {
	__u32 enabled;		/* 0: every packet takes the TUN path */
	__u32 ipv4;		/* the shared address */
	__u32 mtu;		/* IPv6 path MTU toward the PRR */
	__u32 wan_ifindex;	/* where encapsulated packets leave */
	__u32 tun_ifindex;	/* where decapsulated packets enter the IPv4 stack */
	__u32 hop_limit;
	__u32 has_fmr;		/* look destinations up in smap_tc_fmr */
	__u32 n_peers;
	__u32 wan_l2;		/* link header length on the WAN: 14 (Ethernet) or 0 */
	__u32 tun_l2;		/* and on the egress device: 0 on a TUN, 14 on an Ethernet-like one */
	__u8 local[16];		/* our softwire address (outer source) */
	__u8 prr[16];		/* the PRR (outer destination) */
	__u8 peers[SMAP_TC_MAX_PEERS][16];	/* other allowed outer sources */
};

/* the port set: bit p of the 8 KB bitmap */
struct smap_tc_ports {
	__u8 bits[65536 / 8];
};

/* FMR IPv4 prefixes (LPM trie): their destinations take the TUN path */
struct smap_tc_fmr_key {
	__u32 prefixlen;
	__u32 addr;
};

/* X(id, name, doc): per-CPU counters */
#define SMAP_TC_STATS(X)							\
	X(OUT,		"fastpath_out_packets",		"IPv4 packets encapsulated to the softwire in the kernel (TC eBPF)") \
	X(IN,		"fastpath_in_packets",		"softwire packets decapsulated in the kernel (TC eBPF)") \
	X(SLOW_FRAGMENT, "fastpath_to_slowpath_fragment", "to the TUN path: IPv4 fragment") \
	X(SLOW_ICMP,	"fastpath_to_slowpath_icmp",	"to the TUN path: ICMP other than echo (errors quote a packet)") \
	X(SLOW_MTU,	"fastpath_to_slowpath_mtu",	"to the TUN path: over the path MTU") \
	X(SLOW_MESH,	"fastpath_to_slowpath_mesh",	"to the TUN path: MAP-E FMR destination, or outer source not the PRR") \
	X(SLOW_CHECK,	"fastpath_to_slowpath_check",	"to the TUN path: fails a check (source, port, length, options); counted there") \
	X(SLOW_HELPER,	"fastpath_to_slowpath_helper",	"to the TUN path: a kernel helper refused the packet")

enum smap_tc_stat {
#define X(id, name, doc) SMAP_TC_##id,
	SMAP_TC_STATS(X)
#undef X
	SMAP_TC_STAT_MAX
};

#endif
