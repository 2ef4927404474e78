/* SPDX-License-Identifier: MIT */
/* IPv4 header (RFC 791). */
#include "csum.h"
#include "pkt.h"

enum pkt_err
ipv4_parse(const uint8_t *buf, size_t len, bool check_csum, struct ipv4_info *ip)
{
	uint16_t frag;

	if (len < IPV4_HDR_MIN)
		return PKT_TRUNCATED;
	if (buf[0] >> 4 != 4)
		return PKT_BAD_VERSION;
	ip->hlen = (uint8_t)((buf[0] & 0x0f) * 4);
	if (ip->hlen < IPV4_HDR_MIN)
		return PKT_BAD_IHL;
	if (ip->hlen > len)
		return PKT_TRUNCATED;
	ip->tot_len = get16(buf + 2);
	if (ip->tot_len < ip->hlen || ip->tot_len > len)
		return PKT_BAD_LENGTH;
	if (check_csum && csum_fold(csum_partial(buf, ip->hlen, 0)) != 0xffff)
		return PKT_BAD_CHECKSUM;
	ip->tos = buf[1];
	ip->id = get16(buf + 4);
	frag = get16(buf + 6);
	ip->df = frag & IPV4_DF;
	ip->mf = frag & IPV4_MF;
	ip->frag_off = (uint16_t)((frag & 0x1fff) * 8);
	ip->ttl = buf[8];
	ip->proto = buf[9];
	ip->src = get32(buf + 12);
	ip->dst = get32(buf + 16);
	return PKT_OK;
}

void
ipv4_set_csum(uint8_t *buf)
{
	uint16_t c;
	size_t hlen = (size_t)(buf[0] & 0x0f) * 4;

	buf[10] = buf[11] = 0;
	c = csum_buf(buf, hlen);
	memcpy(buf + 10, &c, 2);
}

void
ipv4_build(uint8_t *buf, uint8_t tos, uint16_t tot_len, uint16_t id,
	   uint16_t frag, uint8_t ttl, uint8_t proto, uint32_t src, uint32_t dst)
{
	buf[0] = 0x45;
	buf[1] = tos;
	put16(buf + 2, tot_len);
	put16(buf + 4, id);
	put16(buf + 6, frag);
	buf[8] = ttl;
	buf[9] = proto;
	put32(buf + 12, src);
	put32(buf + 16, dst);
	ipv4_set_csum(buf);
}

void
ipv4_dec_ttl(uint8_t *buf)
{
	uint16_t c, old, new;

	/* TTL shares a 16-bit word with the protocol */
	memcpy(&old, buf + 8, 2);
	buf[8]--;
	memcpy(&new, buf + 8, 2);
	memcpy(&c, buf + 10, 2);
	c = csum_update16(c, old, new);
	memcpy(buf + 10, &c, 2);
}

const char *
pkt_strerror(enum pkt_err e)
{
	switch (e) {
	case PKT_OK:		return "ok";
	case PKT_TRUNCATED:	return "truncated";
	case PKT_BAD_VERSION:	return "wrong IP version";
	case PKT_BAD_IHL:	return "IPv4 header length below 20";
	case PKT_BAD_LENGTH:	return "length field disagrees with the packet";
	case PKT_BAD_CHECKSUM:	return "bad checksum";
	case PKT_BAD_EXTHDR:	return "bad IPv6 extension header chain";
	case PKT_BAD_L4:	return "bad transport header";
	}
	return "unknown";
}
