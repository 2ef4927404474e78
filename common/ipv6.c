/* SPDX-License-Identifier: MIT */
/* IPv6 header and extension header walk (RFC 8200 4). */
#include "pkt.h"

static bool
is_exthdr(uint8_t nh)
{
	switch (nh) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_FRAGMENT:
	case IPPROTO_DSTOPTS:
		return true;
	}
	return false;
}

enum pkt_err
ipv6_parse(const uint8_t *buf, size_t len, struct ipv6_info *ip)
{
	uint32_t w;
	uint8_t nh;
	size_t off = IPV6_HDR_LEN, end;
	int n;

	if (len < IPV6_HDR_LEN)
		return PKT_TRUNCATED;
	if (buf[0] >> 4 != 6)
		return PKT_BAD_VERSION;
	w = get32(buf);
	ip->tc = (uint8_t)(w >> 20);
	ip->flow = w & 0xfffff;
	ip->plen = get16(buf + 4);
	ip->hlim = buf[7];
	memcpy(&ip->src, buf + 8, 16);
	memcpy(&ip->dst, buf + 24, 16);
	/* jumbograms (plen 0) are not for an access network */
	end = IPV6_HDR_LEN + (size_t)ip->plen;
	if (ip->plen == 0 || end > len)
		return PKT_BAD_LENGTH;

	ip->frag = false;
	ip->mf = false;
	ip->frag_off = 0;
	ip->frag_id = 0;
	ip->proto_field = 6;
	nh = buf[6];
	for (n = 0; is_exthdr(nh); n++) {
		size_t hl;

		if (n >= IPV6_MAX_EXTHDRS)
			return PKT_BAD_EXTHDR;
		/* RFC 8200 4.3: hop-by-hop only right after the header */
		if (nh == IPPROTO_HOPOPTS && n != 0)
			return PKT_BAD_EXTHDR;
		if (off + 8 > end)
			return PKT_TRUNCATED;
		if (nh == IPPROTO_FRAGMENT) {
			uint16_t fo;

			if (ip->frag)
				return PKT_BAD_EXTHDR;
			ip->frag = true;
			ip->frag_hdr = off;
			fo = get16(buf + off + 2);
			ip->frag_off = fo & 0xfff8;
			ip->mf = fo & 1;
			ip->frag_id = get32(buf + off + 4);
			hl = 8;
		} else {
			hl = ((size_t)buf[off + 1] + 1) * 8;
		}
		if (off + hl > end)
			return PKT_TRUNCATED;
		ip->proto_field = off;
		nh = buf[off];
		off += hl;
		/* a later fragment carries no upper-layer header to walk */
		if (ip->frag && ip->frag_off != 0)
			break;
	}
	ip->proto = nh;
	ip->l4_off = off;
	return PKT_OK;
}

void
ipv6_build(uint8_t *buf, uint8_t tc, uint32_t flow, uint16_t plen, uint8_t nh,
	   uint8_t hlim, const struct in6_addr *src, const struct in6_addr *dst)
{
	put32(buf, 6u << 28 | (uint32_t)tc << 20 | (flow & 0xfffff));
	put16(buf + 4, plen);
	buf[6] = nh;
	buf[7] = hlim;
	memcpy(buf + 8, src, 16);
	memcpy(buf + 24, dst, 16);
}
