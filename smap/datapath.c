/* SPDX-License-Identifier: MIT */
/* The SMAP data path: see smap_path.h. */
#include <string.h>

#include "pkt.h"
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

/*
 * The packet an ICMP error quotes: its IPv4 header and the first 8 bytes
 * after it (RFC 792), enough for ports or the echo identifier. false if
 * it is garbage, a later fragment, or a protocol without ports.
 */
static bool
quoted_parse(const uint8_t *q, size_t qlen, uint32_t *src, uint32_t *dst,
	     uint16_t *sport, uint16_t *dport)
{
	size_t hl;
	uint8_t proto;

	if (qlen < IPV4_HDR_MIN || q[0] >> 4 != 4)
		return false;
	hl = (size_t)(q[0] & 0x0f) * 4;
	if (hl < IPV4_HDR_MIN || hl + 8 > qlen)
		return false;
	if ((get16(q + 6) & 0x1fff) != 0)
		return false;	/* no ports in a later fragment */
	proto = q[9];
	*src = get32(q + 12);
	*dst = get32(q + 16);
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		*sport = get16(q + hl);
		*dport = get16(q + hl + 2);
		return true;
	case IPPROTO_ICMP:
		if (q[hl] != 8 && q[hl] != 0)
			return false;
		*sport = *dport = get16(q + hl + 4);
		return true;
	}
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
	struct l4_info l4;
	uint32_t qsrc, qdst;
	uint16_t qsport, qdport, port = 0;
	int i;

	*dst = p->prr;
	if (p->n_fmr == 0 || len < IPV4_HDR_MIN)
		return false;
	i = map_rules_find(p->fmr, p->n_fmr, get32(pkt + 16));
	if (i < 0)
		return false;
	if (p->fmr[i].psid_len) {
		if (ipv4_parse(pkt, len, false, &ip) != PKT_OK || ipv4_is_fragment(&ip))
			return false;
		if (l4_parse(ip.proto, pkt + ip.hlen, ip.tot_len - ip.hlen, &l4) != PKT_OK)
			return false;
		switch (ip.proto) {
		case IPPROTO_TCP:
		case IPPROTO_UDP:
			port = l4.dport;
			break;
		case IPPROTO_ICMP:
			if (l4.icmp_echo) {
				port = l4.dport;	/* the identifier */
			} else if (l4.icmp_error &&
				   quoted_parse(pkt + ip.hlen + 8, ip.tot_len - ip.hlen - 8,
						&qsrc, &qdst, &qsport, &qdport)) {
				port = qsport;	/* about a packet it sent us */
			} else {
				return false;
			}
			break;
		default:
			return false;
		}
	}
	if (map_rules_addr(p->fmr, p->n_fmr, get32(pkt + 16), port, dst) < 0) {
		*dst = p->prr;
		return false;
	}
	return true;
}

enum smap_verdict
smap_inbound(const struct smap_params *p, const struct in6_addr *src,
	     const uint8_t *pkt, size_t len, uint64_t *stats)
{
	struct ipv4_info ip;
	struct l4_info l4;
	const uint8_t *l4p;
	size_t l4len;
	uint32_t qsrc, qdst;
	uint16_t qsport, qdport, port, sport;
	bool from_prr = smap_peer_ok(p, src);

	if (!from_prr && p->n_fmr == 0)
		return drop(stats, SMAP_STAT_IN_DROP_NOT_PRR);
	if (ipv4_parse(pkt, len, true, &ip) != PKT_OK)
		return drop(stats, SMAP_STAT_IN_DROP_MALFORMED);
	if (ip.dst != p->ipv4)
		return drop(stats, SMAP_STAT_IN_DROP_NOT_OURS);
	if (ipv4_is_fragment(&ip))
		return SMAP_FRAGMENT;	/* the caller reassembles, then asks again */
	l4p = pkt + ip.hlen;
	l4len = ip.tot_len - ip.hlen;
	switch (ip.proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_ICMP:
		if (l4_parse(ip.proto, l4p, l4len, &l4) != PKT_OK)
			return drop(stats, SMAP_STAT_IN_DROP_L4);
		break;
	default:
		return drop(stats, SMAP_STAT_IN_DROP_NO_PORT);
	}
	port = l4.dport;
	sport = l4.sport;
	if (ip.proto == IPPROTO_ICMP && !l4.icmp_echo) {
		if (!l4.icmp_error)
			return drop(stats, SMAP_STAT_IN_DROP_ICMP_TYPE);
		/* an error about a packet we sent: from us, from one of our ports */
		if (!quoted_parse(l4p + 8, l4len - 8, &qsrc, &qdst, &qsport, &qdport) ||
		    qsrc != p->ipv4)
			return drop(stats, SMAP_STAT_IN_DROP_ICMP_QUOTE);
		port = qsport;
		sport = qdport;
	}
	/* another CE (mesh): its MAP address must own the inner source */
	if (!from_prr && !mesh_ok(p, src, ip.src, sport))
		return drop(stats, SMAP_STAT_IN_DROP_NOT_PRR);
	if (!portset_contains(&p->ps, port))
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
	struct l4_info l4;
	const uint8_t *l4p;
	size_t l4len;
	uint32_t qsrc, qdst;
	uint16_t qsport, qdport, port;
	unsigned tun_mtu = smap_tun_mtu(p->mtu);

	*reply_len = 0;
	if (ipv4_parse(pkt, len, false, &ip) != PKT_OK)
		return drop(stats, SMAP_STAT_OUT_DROP_MALFORMED);
	if (ip.src != p->ipv4)
		return drop(stats, SMAP_STAT_OUT_DROP_SRC);
	if (ip.frag_off == 0) {
		l4p = pkt + ip.hlen;
		l4len = ip.tot_len - ip.hlen;
		switch (ip.proto) {
		case IPPROTO_TCP:
		case IPPROTO_UDP:
		case IPPROTO_ICMP:
			if (l4_parse(ip.proto, l4p, l4len, &l4) != PKT_OK)
				return drop(stats, SMAP_STAT_OUT_DROP_MALFORMED);
			break;
		default:
			return drop(stats, SMAP_STAT_OUT_DROP_NO_PORT);
		}
		port = l4.sport;
		if (ip.proto == IPPROTO_ICMP && !l4.icmp_echo) {
			/* an error about a packet we received: the port it was sent to */
			if (!l4.icmp_error ||
			    !quoted_parse(l4p + 8, l4len - 8, &qsrc, &qdst, &qsport, &qdport) ||
			    qdst != p->ipv4)
				return drop(stats, SMAP_STAT_OUT_DROP_NO_PORT);
			port = qdport;
		}
		if (!portset_contains(&p->ps, port))
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
