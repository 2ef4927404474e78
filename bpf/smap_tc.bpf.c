/* SPDX-License-Identifier: MIT */
/*
 * The SMAP's softwire in the kernel (TC eBPF), beside the TUN path:
 *
 *  smap_egress, on the TUN device's egress: IPv4 routed into the
 *    softwire, after the NAT (postrouting) put it into the port set.
 *    A packet that passes smap_outbound's checks and fits the path MTU
 *    gets its IPv6 header in place (bpf_skb_adjust_room, GSO kept: the
 *    kernel segments a 64 KB TCP super-packet after encapsulation) and is
 *    redirected to the WAN, next hop by bpf_redirect_neigh.
 *  smap_ingress, on the WAN's ingress: IPv6 next header 4 from the PRR
 *    (or an allowed peer) to our softwire address, whose inner packet
 *    passes smap_inbound's checks, loses its IPv6 header in place and
 *    enters the IPv4 stack on the TUN device (bpf_redirect ingress),
 *    before conntrack: NAT and the FTP helper see it as before.
 *
 * Everything else is left to the TUN path (TC_ACT_OK), which counts its
 * drops by reason: fragments, ICMP errors, packets over the path MTU,
 * MAP-E mesh traffic, packets failing a check. Each such decision is
 * counted here too (fastpath_to_slowpath_*).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "bpf/smap_tc.h"

#ifndef BPF_F_ADJ_ROOM_DECAP_L3_IPV4
#define BPF_F_ADJ_ROOM_DECAP_L3_IPV4	(1ULL << 7)	/* Linux 6.3 */
#endif

#define IP_MF		0x2000
#define IP_OFFMASK	0x1fff

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct smap_tc_cfg);
} smap_tc_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct smap_tc_ports);
} smap_tc_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct smap_tc_fmr_key);
	__type(value, __u32);
} smap_tc_fmr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SMAP_TC_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} smap_tc_stats SEC(".maps");

static __always_inline int
count(__u32 what, int verdict)
{
	__u64 *c = bpf_map_lookup_elem(&smap_tc_stats, &what);

	if (c)
		*c += 1;
	return verdict;
}

#define SLOW(what)	count(SMAP_TC_SLOW_##what, TC_ACT_OK)

static __always_inline int
port_ok(__u16 port)
{
	__u32 zero = 0;
	struct smap_tc_ports *p = bpf_map_lookup_elem(&smap_tc_ports, &zero);

	return p && (p->bits[port >> 3] >> (port & 7)) & 1;
}

static __always_inline int
addr6_eq(const __u8 *a, const __u8 *b)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3];
}

static __always_inline int
peer_ok(const struct smap_tc_cfg *c, const __u8 *src)
{
	if (addr6_eq(src, c->prr))
		return 1;
	for (int i = 0; i < SMAP_TC_MAX_PEERS; i++) {
		if (i >= c->n_peers)
			break;
		if (addr6_eq(src, c->peers[i]))
			return 1;
	}
	return 0;
}

/*
 * The port that decides: TCP/UDP port at l4 + port_off (0: source,
 * 2: destination), or the echo identifier. 0: ported; else the reason.
 */
static __always_inline int
l4_port(struct __sk_buff *skb, __u32 l4, __u8 proto, __u32 port_off, __u16 *port, __u8 *tcp_doff)
{
	__u8 h[16];

	switch (proto) {
	case IPPROTO_TCP:
		if (bpf_skb_load_bytes(skb, l4, h, 16) < 0)
			return SMAP_TC_SLOW_CHECK;
		*tcp_doff = (h[12] >> 4) * 4;
		break;
	case IPPROTO_UDP:
		if (bpf_skb_load_bytes(skb, l4, h, 8) < 0)
			return SMAP_TC_SLOW_CHECK;
		*tcp_doff = 8;
		break;
	case IPPROTO_ICMP:
		if (bpf_skb_load_bytes(skb, l4, h, 8) < 0)
			return SMAP_TC_SLOW_CHECK;
		if (h[0] != 8 && h[0] != 0)
			return SMAP_TC_SLOW_ICMP;	/* errors quote a packet: the TUN path reads it */
		*port = (__u16)(h[4] << 8 | h[5]);
		*tcp_doff = 8;
		return 0;
	default:
		return SMAP_TC_SLOW_CHECK;	/* no ports: the TUN path drops it, counted */
	}
	*port = port_off ? (__u16)(h[2] << 8 | h[3]) : (__u16)(h[0] << 8 | h[1]);
	return 0;
}

SEC("tc")
int
smap_egress(struct __sk_buff *skb)
{
	__u32 zero = 0, len, l2;
	struct smap_tc_cfg *c = bpf_map_lookup_elem(&smap_tc_config, &zero);
	struct iphdr ip;
	struct ipv6hdr ip6 = {};
	struct ethhdr eth = { .h_proto = bpf_htons(ETH_P_IPV6) };
	__u16 port = 0;
	__u8 l4len = 0;
	__u32 hl;
	int why;

	if (!c || !c->enabled || skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	l2 = c->tun_l2 ? 14 : 0;
	len = skb->len - l2;
	if (bpf_skb_load_bytes(skb, l2, &ip, sizeof(ip)) < 0 || ip.version != 4 || ip.ihl < 5 ||
	    bpf_ntohs(ip.tot_len) != len || ip.saddr != c->ipv4)
		return SLOW(CHECK);
	if (ip.frag_off & bpf_htons(IP_MF | IP_OFFMASK))
		return SLOW(FRAGMENT);
	if (c->has_fmr) {
		struct smap_tc_fmr_key k = { .prefixlen = 32, .addr = ip.daddr };

		if (bpf_map_lookup_elem(&smap_tc_fmr, &k))
			return SLOW(MESH);
	}
	hl = ip.ihl * 4;
	why = l4_port(skb, l2 + hl, ip.protocol, 0, &port, &l4len);
	if (why)
		return count(why, TC_ACT_OK);
	if (!port_ok(port))
		return SLOW(CHECK);
	if (skb->gso_segs > 1) {
		/* each segment: the IPv4 and L4 headers, gso_size bytes, our 40 */
		if (skb->gso_size + hl + l4len + sizeof(ip6) > c->mtu)
			return SLOW(MTU);
	} else if (len + sizeof(ip6) > c->mtu) {
		return SLOW(MTU);
	}

	if (bpf_skb_adjust_room(skb, sizeof(ip6), BPF_ADJ_ROOM_MAC,
				BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 | BPF_F_ADJ_ROOM_FIXED_GSO) < 0)
		return SLOW(HELPER);
	ip6.version = 6;
	ip6.payload_len = bpf_htons(len);
	ip6.nexthdr = IPPROTO_IPIP;
	ip6.hop_limit = c->hop_limit;
	__builtin_memcpy(&ip6.saddr, c->local, 16);
	__builtin_memcpy(&ip6.daddr, c->prr, 16);
	if (bpf_skb_store_bytes(skb, l2, &ip6, sizeof(ip6), 0) < 0)
		return count(SMAP_TC_SLOW_HELPER, TC_ACT_SHOT);	/* the packet is half made */
	/*
	 * bpf_redirect_neigh wants a link header to take off (the TUN has
	 * none): a placeholder, the neighbour code writes the real one.
	 */
	if (l2) {
		if (bpf_skb_store_bytes(skb, 12, &eth.h_proto, 2, 0) < 0)
			return count(SMAP_TC_SLOW_HELPER, TC_ACT_SHOT);
	} else if (bpf_skb_change_head(skb, sizeof(eth), 0) < 0 ||
		   bpf_skb_store_bytes(skb, 0, &eth, sizeof(eth), 0) < 0) {
		return count(SMAP_TC_SLOW_HELPER, TC_ACT_SHOT);
	}
	count(SMAP_TC_OUT, 0);
	return bpf_redirect_neigh(c->wan_ifindex, NULL, 0, 0);
}

/* The inner IPv4 header's checksum, as ipv4_parse checks it. */
static __always_inline int
ip_csum_ok(struct iphdr *ip)
{
	__s64 sum = bpf_csum_diff(0, 0, (__be32 *)ip, sizeof(*ip), 0);

	if (sum < 0)
		return 0;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

SEC("tc")
int
smap_ingress(struct __sk_buff *skb)
{
	__u32 zero = 0, l3;
	struct smap_tc_cfg *c = bpf_map_lookup_elem(&smap_tc_config, &zero);
	struct ipv6hdr ip6;
	struct iphdr ip;
	__u16 port = 0;
	__u8 l4len = 0;
	int why;

	if (!c || !c->enabled || skb->protocol != bpf_htons(ETH_P_IPV6))
		return TC_ACT_OK;
	l3 = c->wan_l2;
	if (bpf_skb_load_bytes(skb, l3, &ip6, sizeof(ip6)) < 0 || ip6.nexthdr != IPPROTO_IPIP ||
	    !addr6_eq((__u8 *)&ip6.daddr, c->local))
		return TC_ACT_OK;	/* not the softwire's */
	if (!peer_ok(c, (__u8 *)&ip6.saddr))
		return SLOW(MESH);	/* another CE (FMR), or spoofed: the TUN path decides */
	if (bpf_skb_load_bytes(skb, l3 + sizeof(ip6), &ip, sizeof(ip)) < 0 ||
	    ip.version != 4 || ip.ihl != 5 || ip.tot_len != ip6.payload_len ||
	    l3 + sizeof(ip6) + bpf_ntohs(ip.tot_len) != skb->len ||
	    ip.daddr != c->ipv4 || !ip_csum_ok(&ip))
		return SLOW(CHECK);
	if (ip.frag_off & bpf_htons(IP_MF | IP_OFFMASK))
		return SLOW(FRAGMENT);
	why = l4_port(skb, l3 + sizeof(ip6) + sizeof(ip), ip.protocol, 2, &port, &l4len);
	if (why)
		return count(why, TC_ACT_OK);
	if (!port_ok(port))
		return SLOW(CHECK);

	if (bpf_skb_adjust_room(skb, -(__s32)sizeof(ip6), BPF_ADJ_ROOM_MAC,
				BPF_F_ADJ_ROOM_DECAP_L3_IPV4) < 0) {
		/* before Linux 6.3: no decapsulation flag; not for GSO packets */
		if (skb->gso_segs > 1)
			return SLOW(HELPER);
		if (bpf_skb_change_proto(skb, bpf_htons(ETH_P_IP), 0) < 0)
			return SLOW(HELPER);
		if (bpf_skb_adjust_room(skb, -(__s32)(sizeof(ip6) - sizeof(ip)), BPF_ADJ_ROOM_MAC, 0) < 0)
			return count(SMAP_TC_SLOW_HELPER, TC_ACT_SHOT);
	}
	count(SMAP_TC_IN, 0);
	return bpf_redirect(c->tun_ifindex, BPF_F_INGRESS);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
