/* SPDX-License-Identifier: MIT */
/* smap/datapath.c: the SMAP's pure data path; prr/datapath.c is the same role for the PRR. */
/* The SMAP data path: see smap/datapath.h. */
#include <string.h>

#include "pkt.h"
#include "port_select.h"
#include "smap/datapath.h"

#define ICMP4_MAX	576	/* RFC 1812 4.3.2.3 */

const struct smap_stat_desc smap_stat_desc[SMAP_STAT_MAX] = {
#define X(id, name, doc) [SMAP_STAT_##id] = { name, doc },
	SMAP_STATS(X)
#undef X
};

static enum smap_verdict
drop(uint64_t *stats, enum smap_stat why)
{
	stats[why]++;
	return SMAP_DROP;
}

unsigned
smap_tun_mtu(unsigned path_mtu)
{
	if (path_mtu < SMAP_IPV6_MIN_MTU)
		path_mtu = SMAP_IPV6_MIN_MTU;
	return path_mtu - IPV6_HDR_LEN;
}

bool
smap_peer_ok(const struct smap_params *p, const struct in6_addr *src)
{
	if (memcmp(src, &p->prr, sizeof(*src)) == 0)
		return true;
	for (unsigned i = 0; i < p->n_peers; i++)
		if (memcmp(src, &p->peers[i], sizeof(*src)) == 0)
			return true;
	return false;
}

/* RFC 7597 8.1: the outer source must be the MAP address of (src, sport). */
static bool
mesh_ok(const struct smap_params *p, const struct in6_addr *src, uint32_t ipv4, uint16_t sport)
{
	struct in6_addr want;

	return map_rules_addr(p->fmr, p->n_fmr, ipv4, sport, &want) >= 0 &&
	       memcmp(&want, src, sizeof(want)) == 0;
}

bool
smap_next_hop(const struct smap_params *p, const uint8_t *pkt, size_t len,
	      struct in6_addr *dst)
{
	struct ipv4_info ip;
	struct port_pair pp = { 0, 0 };
	int i;

	*dst = p->prr;
	if (p->n_fmr == 0 || len < IPV4_HDR_MIN)
		return false;
	i = map_rules_find(p->fmr, p->n_fmr, get32(pkt + 16));
	if (i < 0)
		return false;
	if (p->fmr[i].psid_len) {
		/* the other CE's port: as the PRR would route it there */
		if (ipv4_parse(pkt, len, false, &ip) != PKT_OK || ipv4_is_fragment(&ip) ||
		    port_select(pkt, &ip, PORT_TO_SHARED, false, &pp) != PORT_SEL_OK)
			return false;
	}
	if (map_rules_addr(p->fmr, p->n_fmr, get32(pkt + 16), pp.port, dst) < 0) {
		*dst = p->prr;
		return false;
	}
	return true;
}

/*
 * Why a packet of the shared address has no port of ours to check:
 * inbound and outbound counter names.
 */
static enum smap_stat
in_why(enum port_sel r)
{
	switch (r) {
	case PORT_SEL_NO_PORT:		return SMAP_STAT_IN_DROP_NO_PORT;
	case PORT_SEL_ICMP_TYPE:	return SMAP_STAT_IN_DROP_ICMP_TYPE;
	case PORT_SEL_ICMP_QUOTE:	return SMAP_STAT_IN_DROP_ICMP_QUOTE;
	case PORT_SEL_L4:
	case PORT_SEL_OK:
		break;
	}
	return SMAP_STAT_IN_DROP_L4;
}

static enum smap_stat
out_why(enum port_sel r)
{
	return r == PORT_SEL_L4 ? SMAP_STAT_OUT_DROP_MALFORMED : SMAP_STAT_OUT_DROP_NO_PORT;
}

enum smap_verdict
smap_inbound(const struct smap_params *p, const struct in6_addr *src,
	     const uint8_t *pkt, size_t len, uint64_t *stats)
{
	struct ipv4_info ip;
	struct port_pair pp;
	enum port_sel r;
	bool from_prr = smap_peer_ok(p, src);

	if (!from_prr && p->n_fmr == 0)
		return drop(stats, SMAP_STAT_IN_DROP_NOT_PRR);
	if (ipv4_parse(pkt, len, true, &ip) != PKT_OK)
		return drop(stats, SMAP_STAT_IN_DROP_MALFORMED);
	if (ip.dst != p->ipv4)
		return drop(stats, SMAP_STAT_IN_DROP_NOT_OURS);
	if (ipv4_is_fragment(&ip))
		return SMAP_FRAGMENT;	/* the caller reassembles, then asks again */
	r = port_select(pkt, &ip, PORT_TO_SHARED, false, &pp);
	if (r != PORT_SEL_OK)
		return drop(stats, in_why(r));
	/* another CE (mesh): its MAP address must own the inner source */
	if (!from_prr && !mesh_ok(p, src, ip.src, pp.peer))
		return drop(stats, SMAP_STAT_IN_DROP_NOT_PRR);
	if (!portset_contains(&p->ps, pp.port))
		return drop(stats, SMAP_STAT_IN_DROP_PORT);
	if (!from_prr)
		stats[SMAP_STAT_IN_MESH]++;
	return SMAP_PASS;
}

enum smap_verdict
smap_outbound(const struct smap_params *p, const uint8_t *pkt, size_t len,
	      uint8_t *reply, size_t reply_cap, size_t *reply_len, uint64_t *stats)
{
	struct ipv4_info ip;
	struct port_pair pp;
	enum port_sel r;
	unsigned tun_mtu = smap_tun_mtu(p->mtu);

	*reply_len = 0;
	if (ipv4_parse(pkt, len, false, &ip) != PKT_OK)
		return drop(stats, SMAP_STAT_OUT_DROP_MALFORMED);
	if (ip.src != p->ipv4)
		return drop(stats, SMAP_STAT_OUT_DROP_SRC);
	if (ip.frag_off == 0) {
		r = port_select(pkt, &ip, PORT_FROM_SHARED, false, &pp);
		if (r != PORT_SEL_OK)
			return drop(stats, out_why(r));
		if (!portset_contains(&p->ps, pp.port))
			return drop(stats, SMAP_STAT_OUT_DROP_PORT);
	}
	/* later fragments carry no port: the first one was checked */
	if (ip.tot_len <= tun_mtu)
		return SMAP_PASS;
	if (!ip.df)
		return SMAP_FRAGMENT;
	/*
	 * RFC 1191 / RFC 2473 7.1: tell the sender the tunnel MTU. The error
	 * is written back into the TUN, where conntrack finds the connection
	 * it belongs to and sends it on to the LAN host; its source is the
	 * destination the packet was for, a source the TUN may route.
	 */
	*reply_len = icmp4_error_build(reply, reply_cap, ip.dst, ip.src, 3, 4, tun_mtu,
				       pkt, ip.tot_len, ICMP4_MAX);
	stats[SMAP_STAT_OUT_DROP_TOO_BIG]++;
	return *reply_len ? SMAP_ICMP : SMAP_DROP;
}
