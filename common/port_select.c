/* SPDX-License-Identifier: MIT */
/* Which port selects the binding of a shared address: see port_select.h. */
#include "port_select.h"

#define ICMP_ECHO_REPLY		0
#define ICMP_ECHO_REQUEST	8

/*
 * The (source, destination) ports of a TCP/UDP header or ICMP echo at
 * l4[0..len): for echo, the identifier on both ends except for port 0
 * as said in port_select.h.
 */
static enum port_sel
ports_of(uint8_t proto, const uint8_t *l4, size_t len, bool echo_port0,
	 uint16_t *sport, uint16_t *dport)
{
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		/* the quote of an error holds only 8 bytes: the ports */
		if (len < 4)
			return PORT_SEL_L4;
		*sport = get16(l4);
		*dport = get16(l4 + 2);
		return PORT_SEL_OK;
	case IPPROTO_ICMP:
		if (len < 8)
			return PORT_SEL_L4;
		if (l4[0] != ICMP_ECHO_REQUEST && l4[0] != ICMP_ECHO_REPLY)
			return PORT_SEL_ICMP_TYPE;
		*sport = *dport = get16(l4 + 4);
		if (echo_port0 && l4[0] == ICMP_ECHO_REQUEST)
			*dport = 0;
		if (echo_port0 && l4[0] == ICMP_ECHO_REPLY)
			*sport = 0;
		return PORT_SEL_OK;
	}
	return PORT_SEL_NO_PORT;
}

/* The header length of a quoted IPv4 packet with 8 bytes after it; 0 if none. */
static size_t
quoted_hlen(const uint8_t *q, size_t qlen)
{
	size_t hl;

	if (qlen < IPV4_HDR_MIN || q[0] >> 4 != 4)
		return 0;
	hl = (size_t)(q[0] & 0x0f) * 4;
	if (hl < IPV4_HDR_MIN || hl + 8 > qlen)
		return 0;
	if ((get16(q + 6) & 0x1fff) != 0)
		return 0;	/* no ports in a later fragment */
	return hl;
}

/* The packet an ICMP error quotes: IPv4 header and 8 bytes (RFC 792). */
static enum port_sel
quoted_ports(const uint8_t *q, size_t qlen, enum port_dir dir, uint32_t shared,
	     bool echo_port0, struct port_pair *out)
{
	uint16_t sport, dport;
	size_t hl = quoted_hlen(q, qlen);

	if (hl == 0)
		return PORT_SEL_ICMP_QUOTE;
	if (get32(q + (dir == PORT_TO_SHARED ? 12 : 16)) != shared)
		return PORT_SEL_ICMP_QUOTE;	/* not a packet of the shared address */
	if (ports_of(q[9], q + hl, 8, echo_port0, &sport, &dport) != PORT_SEL_OK)
		return PORT_SEL_ICMP_QUOTE;
	/* the quoted packet went the other way: its source is ours */
	out->port = dir == PORT_TO_SHARED ? sport : dport;
	out->peer = dir == PORT_TO_SHARED ? dport : sport;
	return PORT_SEL_OK;
}

enum port_sel
port_select(const uint8_t *pkt, const struct ipv4_info *ip, enum port_dir dir,
	    bool echo_port0, struct port_pair *out)
{
	const uint8_t *l4 = pkt + ip->hlen;
	size_t len = ip->tot_len - ip->hlen;
	uint16_t sport, dport;
	enum port_sel r;
	struct l4_info info;

	if (ip->frag_off != 0)
		return PORT_SEL_L4;
	if (l4_parse(ip->proto, l4, len, &info) != PKT_OK)
		return PORT_SEL_L4;
	if (ip->proto == IPPROTO_ICMP && info.icmp_error)
		return quoted_ports(l4 + 8, len - 8, dir,
				    dir == PORT_TO_SHARED ? ip->dst : ip->src, echo_port0, out);
	r = ports_of(ip->proto, l4, len, echo_port0, &sport, &dport);
	if (r != PORT_SEL_OK)
		return r;
	out->port = dir == PORT_TO_SHARED ? dport : sport;
	out->peer = dir == PORT_TO_SHARED ? sport : dport;
	return PORT_SEL_OK;
}

enum port_sel
port_select_sent(const uint8_t *q, size_t qlen, bool echo_port0, uint32_t *dst,
		 struct port_pair *out)
{
	uint16_t sport, dport;
	size_t hl = quoted_hlen(q, qlen);

	if (hl == 0 || ports_of(q[9], q + hl, 8, echo_port0, &sport, &dport) != PORT_SEL_OK)
		return PORT_SEL_ICMP_QUOTE;
	*dst = get32(q + 16);
	out->port = dport;
	out->peer = sport;
	return PORT_SEL_OK;
}
