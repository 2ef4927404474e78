// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * The PRR's XDP fast path. The common cases of prr/datapath.c, with the
 * same output bytes and counters:
 *
 *   IPv4 TCP/UDP or ICMP echo to a pool address with a bound (address,
 *   port or identifier): TTL - 1, encapsulated in IPv6 (RFC 2473)
 *   toward its SMAP
 *   IPv6 next header 4 to a softwire address, inner TCP/UDP or ICMP
 *   echo whose (source, port or identifier) the outer source owns:
 *   decapsulated toward the Internet, or (TCP/UDP) hairpinned to the
 *   SMAP of its destination
 *
 * Everything else goes on to the kernel (XDP_PASS) unchanged, where the
 * NFQUEUE rules hand it to the daemon: fragments, ICMP but echoes
 * (errors, other types, and hairpinned echoes), IPv4 options and
 * IPv6 extension headers, TTL expiry, packets over the MTU (toward a
 * SMAP: the path MTU the daemon learnt, which it mirrors in a map),
 * unbound or spoofed packets that draw an ICMP error, malformed
 * packets, and packets whose next hop the kernel has not resolved yet.
 * Packets that are not for a pool or a softwire address are the
 * kernel's and are not counted.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "bpf/prr_xdp.h"

#ifndef AF_INET
#define AF_INET		2
#endif
#ifndef AF_INET6
#define AF_INET6	10
#endif

char LICENSE[] SEC("license") = "Dual MIT/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct prr_xdp_cfg);
} cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PRR_XDP_MAX_RULES);
	__type(key, __u32);
	__type(value, struct prr_xdp_rule);
} rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, PRR_XDP_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct prr_xdp_key);
	__type(value, struct prr_xdp_val);
} bindings SEC(".maps");

/* Shared addresses: a static binding or the pool has them (has_ipv4). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PRR_XDP_MAX_ADDRS);
	__type(key, __u32);
	__type(value, struct prr_xdp_addr);
} addrs SEC(".maps");

/*
 * The allocation pool's slots: an array per pool, made by the daemon at
 * the pool's size (one cell a set, no expansion into port prefixes);
 * two places, so that a new pool (a reload) is filled beside the old
 * one and its addresses move to it one atomic entry at a time.
 */
struct pool_slot_array {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE | BPF_F_INNER_MAP);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct prr_xdp_slot));	/* by size: BTF has no body for it */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct pool_slot_array);
} pool_slots SEC(".maps");

/* prr/pmtu.c's learnt path MTUs (bpf/prr_xdp.h): at most one per slot of it */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PRR_XDP_MAX_PMTUS);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* few are ever learnt */
	__type(key, __u8[16]);
	__type(value, struct prr_xdp_pmtu);
} pmtus SEC(".maps");

/* PRR_XDP_F_NO_FIB (prr replay --xdp): the replay's clock, in ns */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} test_clock SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct prr_xdp_stats);
} stats SEC(".maps");

#define ETH_LEN		14
#define IP4_LEN		20
#define IP6_LEN		40
#define IPPROTO_IPIP_	4

/* What a packet will count if the fast path takes it (committed at the end). */
struct tally {
	__u8 rule4, rule6;
};

static __always_inline struct prr_xdp_stats *
stats_get(void)
{
	__u32 z = 0;

	return bpf_map_lookup_elem(&stats, &z);
}

static __always_inline int
pass(struct prr_xdp_stats *s, int why)
{
	if (s && why >= 0 && why < PRR_XDP_NSTATS)
		s->n[why]++;
	return XDP_PASS;
}

static __always_inline __u16
fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

/* common/ipv4.c ipv4_parse's header checksum test, for a 20-byte header */
static __always_inline int
ip4_csum_ok(const __u16 *h)
{
	__u32 s = 0;

#pragma unroll
	for (int i = 0; i < 10; i++)
		s += h[i];
	return fold(s) == 0xffff;
}

/* common/ipv4.c ipv4_dec_ttl, the same incremental update (csum_update16) */
static __always_inline void
dec_ttl(__u8 *ip)
{
	__u16 old = *(__u16 *)(ip + 8), new, c = *(__u16 *)(ip + 10);
	__u32 s;

	ip[8]--;
	new = *(__u16 *)(ip + 8);
	s = (__u16)~c;
	s += (__u16)~old;
	s += new;
	*(__u16 *)(ip + 10) = (__u16)~fold(s);
}

static __always_inline int
in_pool(const struct prr_xdp_cfg *c, __u32 dst)
{
	for (int i = 0; i < PRR_XDP_MAX_POOLS; i++) {
		if (i >= c->n_pools)
			break;
		if ((dst & c->pool_mask[i]) == c->pool_net[i])
			return 1;
	}
	return 0;
}

static __always_inline int
eq16(const __u8 *a, const __u8 *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	return x[0] == y[0] && x[1] == y[1];
}

static __always_inline int
br_index(const struct prr_xdp_cfg *c, const __u8 *a)
{
	__u64 a0 = ((const __u64 *)a)[0], a1 = ((const __u64 *)a)[1];

	for (int i = 0; i < PRR_XDP_MAX_BR; i++) {
		if (i >= c->n_br)
			break;
		if (((const __u64 *)c->br[i])[0] == a0 && ((const __u64 *)c->br[i])[1] == a1)
			return i;
	}
	return -1;
}

/* common/map_rule.c map_rule_addr; ipv4 and port in host order */
static __always_inline int
rule_addr(const struct prr_xdp_rule *r, __u32 ipv4, __u16 port, struct prr_xdp_val *out)
{
	unsigned n = r->plen6, o = r->ea_len, k = r->psid_len, a = r->offset;
	unsigned p = 32 - (unsigned)__builtin_popcount(r->mask4);
	__u64 ea = 0, hi, lo;
	__u16 psid = 0;
	__u32 suffix;

	if ((ipv4 & r->mask4) != r->prefix4)
		return 0;
	if (k) {
		if (a && (port >> ((16 - a) & 31)) == 0)
			return 0;
		psid = (__u16)((port >> ((16 - a - k) & 31)) & ((1u << (k & 31)) - 1));
		if (r->psid_len_cfg && psid != r->psid_cfg)
			return 0;
	}
	suffix = p ? ipv4 & (__u32)((1ull << (p & 63)) - 1) : 0;
	if (o > p)
		ea = ((__u64)suffix << (k & 63)) | psid;
	else if (o)
		ea = suffix >> ((p - o) & 31);
	hi = r->prefix6_hi;
	if (o)
		hi |= ea << ((64 - n - o) & 63);
	lo = ((__u64)(ipv4 & r->v4_mask) << 16) | psid;
	hi = bpf_cpu_to_be64(hi);
	lo = bpf_cpu_to_be64(lo);
	__builtin_memcpy(out->ipv6, &hi, 8);
	__builtin_memcpy(out->ipv6 + 8, &lo, 8);
	out->br = r->br;
	return 1;
}


struct rule_q {
	__u32 ipv4;		/* host order */
	__u16 port;
	int found;		/* addr: a SMAP was computed; find: a rule covers ipv4 */
	int addr;		/* 1: compute the address, 0: coverage only */
	__u32 n;
	struct prr_xdp_val out;	/* in here: bpf_loop's context holds no pointers */
};

static int
rule_step(__u32 i, void *arg)
{
	struct rule_q *q = arg;
	struct prr_xdp_rule *r;
	__u32 key = i;

	if (i >= q->n)
		return 1;
	r = bpf_map_lookup_elem(&rules, &key);
	if (!r)
		return 1;
	if (!q->addr) {
		if ((q->ipv4 & r->mask4) == r->prefix4) {
			q->found = 1;
			return 1;
		}
		return 0;
	}
	if (rule_addr(r, q->ipv4, q->port, &q->out)) {
		q->found = 1;
		return 1;
	}
	return 0;
}

/*
 * prr/pool.c pool_lookup(): the live slot of pool address a that owns
 * port (host order): its set computed, as the C code does (RFC 7597
 * 5.1 for PSID sets), and one array cell read.
 */
static __always_inline int
pool_lookup(const struct prr_xdp_addr *a, __u16 port, struct prr_xdp_val *out)
{
	struct prr_xdp_slot *v;
	void *slots;
	__u32 j, k, which = a->slots;
	__u64 dep;

	if (a->flags & PRR_XDP_A_PSID) {
		unsigned off = a->offset, len = a->psid_len;

		if (off && (port >> ((16 - off) & 31)) == 0)
			return 0;	/* block 0 is nobody's */
		j = len ? (port >> ((16 - off - len) & 31)) & ((1u << (len & 31)) - 1) : 0;
	} else {
		if (port < a->first_port || a->size == 0)
			return 0;
		j = (port - a->first_port) / a->size;
		if (j >= a->per)
			return 0;
	}
	k = a->base + j;
	slots = bpf_map_lookup_elem(&pool_slots, &which);
	if (!slots)
		return 0;
	v = bpf_map_lookup_elem(slots, &k);
	if (!v)
		return 0;
	dep = *(volatile __u8 *)&v->live;
	if (!dep)
		return 0;
	/*
	 * The address after the flag, as the daemon wrote them (the flag
	 * last). BPF has no load-acquire here, so the address is loaded
	 * through the flag: dep becomes 0 in a way the compiler cannot see,
	 * and v + dep is an address dependency, which every CPU (arm64
	 * included) orders after the flag's load, as rcu_dereference()
	 * relies on. A cell is rewritten for another SMAP only seconds
	 * after it went dead (prr/registry.h SLOT_COOL), so a reader never
	 * sees one half-rewritten.
	 */
	asm volatile("%0 &= 0" : "+r"(dep));
	v = (void *)((char *)v + dep);
	__builtin_memcpy(out->ipv6, v->ipv6, 16);
	out->br = v->br;
	return 1;
}

/*
 * prr/datapath.c lookup(): the explicit binding of (ipv4, port), else
 * the pool's live slot, else one a MAP-E rule computes (*rule set).
 * ipv4 and port as in the packet.
 */
static __always_inline int
lookup(const struct prr_xdp_cfg *c, __u32 ipv4, __u16 port, struct prr_xdp_val *out, __u8 *rule)
{
	struct prr_xdp_addr *a = bpf_map_lookup_elem(&addrs, &ipv4);

	if (a && (a->flags & PRR_XDP_A_STATIC)) {
		struct prr_xdp_key k = { .prefixlen = 48 };
		struct prr_xdp_val *v;

		__builtin_memcpy(k.data, &ipv4, 4);
		__builtin_memcpy(k.data + 4, &port, 2);
		v = bpf_map_lookup_elem(&bindings, &k);
		if (v) {
			__builtin_memcpy(out, v, sizeof(*out));
			return 1;
		}
	}
	if (a && (a->flags & PRR_XDP_A_POOL) && pool_lookup(a, bpf_ntohs(port), out))
		return 1;
	if (c->n_rules) {
		struct rule_q q = { .ipv4 = bpf_ntohl(ipv4), .port = bpf_ntohs(port),
				    .addr = 1, .n = c->n_rules };

		bpf_loop(PRR_XDP_MAX_RULES, rule_step, &q, 0);
		if (q.found) {
			__builtin_memcpy(out, &q.out, sizeof(*out));
			*rule = 1;
			return 1;
		}
	}
	return 0;
}

/* prr/datapath.c has_ipv4(): some binding or rule has the address */
static __always_inline int
has_ipv4(const struct prr_xdp_cfg *c, __u32 ipv4)
{
	if (bpf_map_lookup_elem(&addrs, &ipv4))
		return 1;
	if (c->n_rules) {
		struct rule_q q = { .ipv4 = bpf_ntohl(ipv4), .n = c->n_rules };

		bpf_loop(PRR_XDP_MAX_RULES, rule_step, &q, 0);
		return q.found;
	}
	return 0;
}

/*
 * The L4 checks of common/l4.c l4_parse for TCP and UDP; the port at
 * offset port_off (0 source, 2 destination). -1: not TCP or UDP.
 */
static __always_inline int
l4_port(void *l4, void *end, __u8 proto, __u16 tot_len, int port_off, __u16 *port)
{
	__u16 l4len = tot_len - IP4_LEN;

	if (proto == IPPROTO_UDP) {
		if (l4len < 8 || l4 + 8 > end)
			return PRR_XDP_PASS_MALFORMED;
	} else if (proto == IPPROTO_TCP) {
		__u8 *t = l4;
		unsigned doff;

		if (l4len < 20 || l4 + 20 > end)
			return PRR_XDP_PASS_MALFORMED;
		doff = (unsigned)(t[12] >> 4) * 4;
		if (doff < 20 || doff > l4len)
			return PRR_XDP_PASS_MALFORMED;
	} else if (proto == IPPROTO_ICMP) {
		return PRR_XDP_PASS_ICMP;
	} else {
		return PRR_XDP_PASS_PROTOCOL;
	}
	*port = *(__u16 *)(l4 + port_off);
	return -1;
}

/* The data path's clock: the daemon's (CLOCK_MONOTONIC), or the replay's. */
static __always_inline __u64
now_ns(const struct prr_xdp_cfg *c)
{
	__u32 z = 0;
	__u64 *t;

	if (!(c->flags & PRR_XDP_F_NO_FIB))
		return bpf_ktime_get_ns();
	t = bpf_map_lookup_elem(&test_clock, &z);
	return t ? *t : 0;
}

/*
 * The MTU toward SMAP smap for an IPv6 packet of total bytes, as
 * prr/datapath.c encapsulate() takes it: learnt path MTUs are >= 1280,
 * so only larger packets look theirs up; none, or expired: v6_mtu.
 */
static __always_inline __u32
smap_mtu(const struct prr_xdp_cfg *c, const __u8 *smap, __u32 total)
{
	const struct prr_xdp_pmtu *p;

	if (total <= PRR_XDP_MIN_MTU)
		return c->v6_mtu;
	p = bpf_map_lookup_elem(&pmtus, smap);
	if (!p || now_ns(c) >= p->expiry_ns || p->mtu >= c->v6_mtu)
		return c->v6_mtu;
	return p->mtu;
}

#define ICMP_MAX	(PRR_XDP_MIN_MTU - IP6_LEN - IP4_LEN)	/* what fits toward a SMAP */

/*
 * Checksums are summed over a copy of the bytes (bounds the verifier can
 * follow), by bpf_csum_diff in chunks of 512 bytes, the most it takes
 * in one call on older kernels.
 */
#define CSUM_BUF	2048	/* a power of two: a 1500-byte MTU's L4 fits */
#define CSUM_CHUNK	512

struct csum_buf {
	__u8 b[CSUM_BUF];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct csum_buf);
} scratch SEC(".maps");

/* 64 bits of ones' complement sum to 16, not inverted */
static __always_inline __u16
fold64(__u64 s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	return fold((__u32)s);
}

/*
 * Whether the len bytes at off in the frame, summed with seed (a pseudo
 * header), sum to 0xffff: the checksum they carry is right.
 */
static __always_inline int
sum_ok(struct xdp_md *ctx, __u32 off, __u32 len, __u64 seed)
{
	struct csum_buf *buf;
	__u64 s = seed;
	__u32 z = 0;

	buf = bpf_map_lookup_elem(&scratch, &z);
	if (!buf || len == 0 || len > CSUM_BUF)
		return 0;
	if (bpf_xdp_load_bytes(ctx, off, buf->b, len) < 0)
		return 0;
#pragma unroll
	for (int i = 0; i < CSUM_BUF / CSUM_CHUNK; i++) {
		__u32 at = i * CSUM_CHUNK, n, n4;
		__s64 r;

		if (at >= len)
			break;
		n = len - at;
		if (n > CSUM_CHUNK)
			n = CSUM_CHUNK;
		n4 = n & ~3u;
		r = bpf_csum_diff(NULL, 0, (__be32 *)(buf->b + at), n4, 0);
		if (r < 0)
			return 0;
		s += (__u32)r;
		if (n & 3) {	/* the last bytes, an odd one padded with zero */
			__u32 t = (at + n4) & (CSUM_BUF - 4);
			__u8 w[2] = { buf->b[t], 0 };

			if (n & 2) {
				s += *(__u16 *)(buf->b + t);
				w[0] = buf->b[(t + 2) & (CSUM_BUF - 1)];
			}
			if (n & 1)
				s += *(__u16 *)w;
		}
	}
	return fold64(s) == 0xffff;
}

/*
 * The TCP or UDP checksum of the IPv4 packet at ip (l4 at offset l4off
 * of the frame) is right; UDP without a checksum (0) is. The slow path
 * forwards what this refuses unchanged, so it only sends those packets
 * there: a veth peer hands XDP packets whose checksum the sender left
 * to offload (CHECKSUM_PARTIAL, only the pseudo header's sum in the
 * field), and the kernel completes it on the NFQUEUE path, which XDP
 * cannot see or do.
 */
static __always_inline int
l4_csum_ok(struct xdp_md *ctx, const __u8 *ip, void *end, __u32 l4off)
{
	const __u16 *a = (const __u16 *)(ip + 12);
	__u16 l4len = bpf_ntohs(*(__u16 *)(ip + 2)) - IP4_LEN;
	__u64 ph;

	if ((void *)(ip + IP4_LEN + 8) > end)
		return 0;
	if (ip[9] == IPPROTO_UDP && *(__u16 *)(ip + IP4_LEN + 6) == 0)
		return 1;
	ph = (__u64)a[0] + a[1] + a[2] + a[3] + bpf_htons((__u16)ip[9]) + bpf_htons(l4len);
	return sum_ok(ctx, l4off, l4len, ph);
}

/*
 * An ICMP echo from the Internet (prr/datapath.c inbound_port): the
 * identifier is the port, or port 0 for a request with
 * echo_request_lookup = "port-0". Errors and other types, and what the
 * configuration refuses, are the slow path's. -1 when *port is set.
 */
static __always_inline int
icmp_echo_port(struct xdp_md *ctx, const struct prr_xdp_cfg *c, __u8 *l4, void *end, __u16 tot,
	       __u16 *port)
{
	__u16 len = tot - IP4_LEN;

	if (!(c->flags & PRR_XDP_F_V4_ALLOW_ICMP))
		return PRR_XDP_PASS_ICMP;
	if (len < 8 || (void *)(l4 + 8) > end)
		return PRR_XDP_PASS_MALFORMED;
	if (l4[0] != 8 && l4[0] != 0)
		return PRR_XDP_PASS_ICMP;
	/* a size whose MTU toward the SMAP is v6_mtu, learnt or not */
	if (len > ICMP_MAX || IP6_LEN + (__u32)tot > c->v6_mtu)
		return PRR_XDP_PASS_MTU;
	if (!sum_ok(ctx, ETH_LEN + IP4_LEN, len, 0))
		return PRR_XDP_PASS_MALFORMED;
	*port = l4[0] == 8 && (c->flags & PRR_XDP_F_ECHO_PORT0) ? 0 : *(__u16 *)(l4 + 4);
	return -1;
}

/*
 * An ICMP echo from a SMAP (prr/datapath.c outbound_port): the
 * identifier is the source port, or port 0 for a reply with
 * echo_request_lookup = "port-0". Its checksum is not checked: the
 * NFQUEUE path forwards it as it came. Errors and other types, and what
 * the configuration refuses, are the slow path's. -1 when *port is set.
 */
static __always_inline int
icmp_echo_sport(const struct prr_xdp_cfg *c, __u8 *l4, void *end, __u16 tot, __u16 *port)
{
	if (tot < IP4_LEN + 8 || (void *)(l4 + 8) > end)
		return PRR_XDP_PASS_MALFORMED;
	if (!(c->flags & PRR_XDP_F_V6_ALLOW_ICMP) || (l4[0] != 8 && l4[0] != 0))
		return PRR_XDP_PASS_ICMP;
	*port = l4[0] == 0 && (c->flags & PRR_XDP_F_ECHO_PORT0) ? 0 : *(__u16 *)(l4 + 4);
	return -1;
}

/*
 * The IPv4 header at ip: common/ipv4.c ipv4_parse with the checksum,
 * within len bytes, 20 bytes long, not a fragment. -1 when good,
 * else the reason to pass it on.
 */
static __always_inline int
ip4_check(__u8 *ip, void *end, __u32 len)
{
	__u16 tot;

	if ((void *)(ip + IP4_LEN) > end || len < IP4_LEN)
		return PRR_XDP_PASS_MALFORMED;
	if (ip[0] >> 4 != 4 || (ip[0] & 0xf) < 5)
		return PRR_XDP_PASS_MALFORMED;
	if ((ip[0] & 0xf) != 5)
		return PRR_XDP_PASS_OPTIONS;
	tot = bpf_ntohs(*(__u16 *)(ip + 2));
	if (tot < IP4_LEN || tot > len)
		return PRR_XDP_PASS_MALFORMED;
	if (!ip4_csum_ok((const __u16 *)ip))
		return PRR_XDP_PASS_MALFORMED;
	if (bpf_ntohs(*(__u16 *)(ip + 6)) & 0x3fff)
		return PRR_XDP_PASS_FRAGMENT;
	return -1;
}

/*
 * Next hops the FIB gave, kept a second: bpf_fib_lookup() was more than
 * half of the program's time (perf: fib6_table_lookup and its callees).
 * A direct-mapped cache per CPU, indexed by a hash of the addresses: a
 * hit is one array cell, a miss overwrites it (no allocation, no LRU
 * lock). Entries stay as long as the NFQUEUE path keeps its next hops
 * (prr/nexthop_cache.c), so a route or neighbour change reaches both
 * paths within a second.
 */
#define NH_SLOTS	4096
#define NH_TTL_NS	1000000000ull

struct nh_key {
	__u32 src[4], dst[4];	/* IPv4: the first word, the rest 0 */
	__u32 in_ifindex, v6;
};

struct nh_entry {
	struct nh_key k;
	__u64 expiry_ns;
	__u32 out_ifindex;
	__u16 max_len;		/* the longest packet the FIB took toward it */
	__u8 mac[12];		/* destination, then source */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NH_SLOTS);
	__type(key, __u32);
	__type(value, struct nh_entry);
} nexthops SEC(".maps");

static __always_inline int
nh_same(const struct nh_key *a, const struct nh_key *b)
{
	return !((a->src[0] ^ b->src[0]) | (a->src[1] ^ b->src[1]) | (a->src[2] ^ b->src[2]) |
		 (a->src[3] ^ b->src[3]) | (a->dst[0] ^ b->dst[0]) | (a->dst[1] ^ b->dst[1]) |
		 (a->dst[2] ^ b->dst[2]) | (a->dst[3] ^ b->dst[3]) |
		 (a->in_ifindex ^ b->in_ifindex) | (a->v6 ^ b->v6));
}

/*
 * The next hop for the packet about to be sent: its MACs into eth, the
 * way out in *action. 0 if the kernel must do it (no route, no
 * neighbour entry yet, over the device MTU, forwarding disabled).
 */
static __always_inline int
next_hop(struct xdp_md *ctx, const struct prr_xdp_cfg *c, int v6, const void *src,
	 const void *dst, __u32 tot_len, __u8 *eth, int *action)
{
	struct bpf_fib_lookup f = {};
	struct nh_key k = {};
	struct nh_entry *e;
	__u32 h;
	__u64 now;
	int rc;

	if (c->flags & PRR_XDP_F_NO_FIB) {
		__builtin_memset(eth, 0, 12);
		*action = XDP_TX;
		return 1;
	}
	if (v6) {
		__builtin_memcpy(k.src, src, 16);
		__builtin_memcpy(k.dst, dst, 16);
	} else {
		__builtin_memcpy(k.src, src, 4);
		__builtin_memcpy(k.dst, dst, 4);
	}
	k.in_ifindex = ctx->ingress_ifindex;
	k.v6 = v6;
	h = k.src[0] ^ k.src[1] ^ k.src[2] ^ k.src[3] ^ k.in_ifindex;
	h = (h * 0x9e3779b1u) ^ k.dst[0] ^ k.dst[1] ^ k.dst[2] ^ k.dst[3];
	h = (h * 0x9e3779b1u) >> 20;	/* 12 bits: NH_SLOTS */
	e = bpf_map_lookup_elem(&nexthops, &h);
	now = bpf_ktime_get_coarse_ns();
	if (e && now < e->expiry_ns && tot_len <= e->max_len && nh_same(&e->k, &k)) {
		__builtin_memcpy(eth, e->mac, 12);
		*action = bpf_redirect(e->out_ifindex, 0);
		return 1;
	}
	f.ifindex = ctx->ingress_ifindex;
	f.tot_len = (__u16)tot_len;
	if (v6) {
		f.family = AF_INET6;
		f.l4_protocol = IPPROTO_IPIP_;
		__builtin_memcpy(f.ipv6_src, src, 16);
		__builtin_memcpy(f.ipv6_dst, dst, 16);
	} else {
		f.family = AF_INET;
		f.ipv4_src = *(const __u32 *)src;
		f.ipv4_dst = *(const __u32 *)dst;
	}
	rc = bpf_fib_lookup(ctx, &f, sizeof(f), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return 0;
	__builtin_memcpy(eth, f.dmac, 6);
	__builtin_memcpy(eth + 6, f.smac, 6);
	if (e) {
		/* the same next hop still: it took this length as well */
		if (now < e->expiry_ns && nh_same(&e->k, &k) && e->out_ifindex == f.ifindex &&
		    e->max_len > tot_len)
			tot_len = e->max_len;
		else
			e->expiry_ns = now + NH_TTL_NS;
		e->k = k;
		e->out_ifindex = f.ifindex;
		e->max_len = (__u16)tot_len;
		__builtin_memcpy(e->mac, eth, 12);
	}
	/*
	 * A redirect even back out of the ingress device, not XDP_TX: veth
	 * (6.x) flushes XDP_TX frames to its peer only when the peer runs
	 * an XDP program, not when it has NAPI for GRO, so they would wait
	 * in the peer's ring for the next redirect. A redirect is flushed.
	 */
	*action = bpf_redirect(f.ifindex, 0);
	return 1;
}

/* Trim the frame to l2 + ip bytes (Ethernet padding, bytes past the IP length). */
static __always_inline int
trim(struct xdp_md *ctx, __u32 want)
{
	__u32 have = ctx->data_end - ctx->data;

	if (have > want && bpf_xdp_adjust_tail(ctx, -(int)(have - want)))
		return -1;
	return 0;
}

/* The RFC 2473 header toward SMAP v, as prr/datapath.c encapsulate() writes it. */
static __always_inline void
ip6_fill(__u8 *h, const struct prr_xdp_cfg *c, __u8 tos, __u16 len,
	 const __u8 *src, const __u8 *dst)
{
	*(__u32 *)h = bpf_htonl(6u << 28 | (__u32)tos << 20);
	*(__u16 *)(h + 4) = bpf_htons(len);
	h[6] = IPPROTO_IPIP_;
	h[7] = (__u8)c->hop_limit;
	__builtin_memcpy(h + 8, src, 16);
	__builtin_memcpy(h + 24, dst, 16);
}

static __always_inline const __u8 *
br_of(const struct prr_xdp_cfg *c, __u32 br)
{
	__u32 i = br < c->n_br ? br : 0;

	return c->br[i & (PRR_XDP_MAX_BR - 1)];	/* n_br <= 16: the mask is for the verifier */
}

/*
 * prr/datapath.c inbound_bound() and encapsulate(): TTL, size, then the
 * IPv4 packet at ip, after outer bytes of header (0 from the Internet,
 * 40 hairpinned), goes out in IPv6 toward b. -1 when it is sent (*act),
 * else why it must be passed on, unchanged.
 */
static __always_inline int
encap(struct xdp_md *ctx, const struct prr_xdp_cfg *c, const struct prr_xdp_val *b,
      const __u8 *ip, int outer, int *act)
{
	__u8 eth[12], *h6, tos = ip[1];
	__u16 tot = bpf_ntohs(*(__u16 *)(ip + 2));
	void *data, *end;
	int a;

	if (ip[8] <= 1)
		return PRR_XDP_PASS_TTL;
	if (IP6_LEN + (__u32)tot > smap_mtu(c, b->ipv6, IP6_LEN + (__u32)tot))
		return PRR_XDP_PASS_MTU;
	if (ip[9] != IPPROTO_ICMP &&
	    !l4_csum_ok(ctx, ip, (void *)(long)ctx->data_end, ETH_LEN + outer + IP4_LEN))
		return PRR_XDP_PASS_CHECKSUM;
	if (!next_hop(ctx, c, 1, br_of(c, b->br), b->ipv6, IP6_LEN + tot, eth, &a))
		return PRR_XDP_PASS_NO_ROUTE;
	*act = XDP_ABORTED;
	if (trim(ctx, ETH_LEN + outer + tot) ||
	    (outer == 0 && bpf_xdp_adjust_head(ctx, -IP6_LEN)))
		return -1;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (data + ETH_LEN + IP6_LEN + IP4_LEN > end)
		return -1;
	__builtin_memcpy(data, eth, 12);
	*(__u16 *)(data + 12) = bpf_htons(ETH_P_IPV6);
	h6 = data + ETH_LEN;
	ip6_fill(h6, c, tos, tot, br_of(c, b->br), b->ipv6);
	dec_ttl(h6 + IP6_LEN);
	*act = a;
	return -1;
}

/* IPv4 from the Internet: prr/datapath.c prr_from_inet */
static __always_inline int
from_inet(struct xdp_md *ctx, const struct prr_xdp_cfg *c, struct prr_xdp_stats *s)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u8 *ip = data + ETH_LEN;
	struct prr_xdp_val b;
	__u8 rule = 0;
	__u16 tot, port;
	__u32 dst;
	int why, act;

	if ((void *)(ip + IP4_LEN) > end)
		return XDP_PASS;
	dst = *(__u32 *)(ip + 16);
	if (!in_pool(c, dst))
		return XDP_PASS;	/* not ours: no NFQUEUE rule takes it either */
	why = ip4_check(ip, end, (__u32)(end - (void *)ip));
	if (why >= 0)
		return pass(s, why);
	tot = bpf_ntohs(*(__u16 *)(ip + 2));
	if (ip[9] == IPPROTO_ICMP)
		why = icmp_echo_port(ctx, c, ip + IP4_LEN, end, tot, &port);
	else
		why = l4_port(ip + IP4_LEN, end, ip[9], tot, 2, &port);
	if (why >= 0)
		return pass(s, why);
	if (!lookup(c, dst, port, &b, &rule)) {
		/* RFC 7596 8.1: unbound ICMP is dropped without an answer */
		if (ip[9] != IPPROTO_ICMP &&
		    (c->flags & (PRR_XDP_F_UNBOUND_ICMP | PRR_XDP_F_V4_ICMP)) ==
		    (PRR_XDP_F_UNBOUND_ICMP | PRR_XDP_F_V4_ICMP))
			return pass(s, PRR_XDP_PASS_UNBOUND);
		if (s) {
			s->n[PRR_XDP_IN4_PACKETS]++;
			s->n[PRR_XDP_IN4_DROP_UNBOUND]++;
			s->n[PRR_XDP_PACKETS]++;
		}
		return XDP_DROP;
	}
	why = encap(ctx, c, &b, ip, 0, &act);
	if (why >= 0)
		return pass(s, why);
	if (s && act != XDP_ABORTED) {
		s->n[PRR_XDP_IN4_PACKETS]++;
		s->n[PRR_XDP_IN4_ENCAPSULATED]++;
		s->n[PRR_XDP_IN4_RULE] += rule;
		s->n[PRR_XDP_PACKETS]++;
	}
	return act;
}

/* IPv6 from a SMAP: prr/datapath.c prr_from_smap */
static __always_inline int
from_smap(struct xdp_md *ctx, const struct prr_xdp_cfg *c, struct prr_xdp_stats *s)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u8 *h6 = data + ETH_LEN, *ip = h6 + IP6_LEN, eth[12], src6[16];
	struct prr_xdp_val b;
	__u8 rule6 = 0, rule4 = 0;
	__u16 plen, tot, sport, dport;
	__u32 src, dst;
	int br, why, act;

	if ((void *)(h6 + IP6_LEN) > end)
		return XDP_PASS;
	br = br_index(c, h6 + 24);
	if (br < 0 || h6[6] != IPPROTO_IPIP_)
		return XDP_PASS;	/* the kernel's, or the slow path's (ICMPv6, ext. headers) */
	if (h6[0] >> 4 != 6)
		return pass(s, PRR_XDP_PASS_MALFORMED);
	plen = bpf_ntohs(*(__u16 *)(h6 + 4));
	if (plen == 0 || (void *)ip + plen > end)
		return pass(s, PRR_XDP_PASS_MALFORMED);
	why = ip4_check(ip, end, plen);
	if (why >= 0)
		return pass(s, why);
	tot = bpf_ntohs(*(__u16 *)(ip + 2));
	if (ip[9] == IPPROTO_ICMP)
		why = icmp_echo_sport(c, ip + IP4_LEN, end, tot, &sport);
	else
		why = l4_port(ip + IP4_LEN, end, ip[9], tot, 0, &sport);
	if (why >= 0)
		return pass(s, why);
	dport = *(__u16 *)(ip + IP4_LEN + 2);
	src = *(__u32 *)(ip + 12);
	dst = *(__u32 *)(ip + 16);
	__builtin_memcpy(src6, h6 + 8, 16);
	if (!lookup(c, src, sport, &b, &rule6) || !eq16(b.ipv6, src6) || b.br != (__u32)br) {
		/* RFC 7596 6.2: the slow path answers with ICMPv6 1/5 if configured */
		if (c->flags & PRR_XDP_F_V6_ICMP)
			return pass(s, PRR_XDP_PASS_SPOOFED);
		if (s) {
			s->n[PRR_XDP_IN6_PACKETS]++;
			s->n[PRR_XDP_IN6_DROP_SPOOFED]++;
			s->n[PRR_XDP_IN6_RULE] += rule6;
			s->n[PRR_XDP_PACKETS]++;
		}
		return XDP_DROP;
	}
	if ((c->flags & PRR_XDP_F_HAIRPIN) && has_ipv4(c, dst)) {
		/* inbound(hairpin): to the SMAP owning the destination */
		if (ip[9] == IPPROTO_ICMP)
			return pass(s, PRR_XDP_PASS_ICMP);	/* rare: its own policy and checks */
		if (!lookup(c, dst, dport, &b, &rule4)) {
			if (s) {
				s->n[PRR_XDP_IN6_PACKETS]++;
				s->n[PRR_XDP_IN6_DROP_HAIRPIN]++;
				s->n[PRR_XDP_IN6_RULE] += rule6;
				s->n[PRR_XDP_PACKETS]++;
			}
			return XDP_DROP;
		}
		why = encap(ctx, c, &b, ip, IP6_LEN, &act);
		if (why >= 0)
			return pass(s, why);
		if (s && act != XDP_ABORTED) {
			s->n[PRR_XDP_IN6_PACKETS]++;
			s->n[PRR_XDP_IN6_HAIRPINNED]++;
			s->n[PRR_XDP_IN6_RULE] += rule6;
			s->n[PRR_XDP_IN4_RULE] += rule4;
			s->n[PRR_XDP_PACKETS]++;
		}
		return act;
	}
	/* to_inet: as it came from the SMAP, TTL untouched */
	if (tot > c->v4_mtu)
		return pass(s, PRR_XDP_PASS_MTU);
	if (ip[9] != IPPROTO_ICMP && !l4_csum_ok(ctx, ip, end, ETH_LEN + IP6_LEN + IP4_LEN))
		return pass(s, PRR_XDP_PASS_CHECKSUM);
	if (!next_hop(ctx, c, 0, ip + 12, ip + 16, tot, eth, &act))
		return pass(s, PRR_XDP_PASS_NO_ROUTE);
	if (trim(ctx, ETH_LEN + IP6_LEN + tot) || bpf_xdp_adjust_head(ctx, IP6_LEN))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (data + ETH_LEN > end)
		return XDP_ABORTED;
	__builtin_memcpy(data, eth, 12);
	*(__u16 *)(data + 12) = bpf_htons(ETH_P_IP);
	if (s) {
		s->n[PRR_XDP_IN6_PACKETS]++;
		s->n[PRR_XDP_IN6_DECAPSULATED]++;
		s->n[PRR_XDP_IN6_RULE] += rule6;
		s->n[PRR_XDP_PACKETS]++;
	}
	return act;
}

SEC("xdp")
int prr_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct prr_xdp_cfg *c;
	__u32 z = 0;
	__u16 proto;

	if (data + ETH_LEN > end)
		return XDP_PASS;
	c = bpf_map_lookup_elem(&cfg, &z);
	if (!c || !(c->flags & PRR_XDP_F_ENABLED))
		return XDP_PASS;
	proto = *(__u16 *)(data + 12);
	if (proto == bpf_htons(ETH_P_IP))
		return from_inet(ctx, c, stats_get());
	if (proto == bpf_htons(ETH_P_IPV6))
		return from_smap(ctx, c, stats_get());
	return XDP_PASS;
}
