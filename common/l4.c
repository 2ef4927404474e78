/* SPDX-License-Identifier: MIT */
/* TCP, UDP, ICMPv4 and ICMPv6 headers: the fields a port router needs. */
#include "pkt.h"

static bool
icmp4_is_error(uint8_t type)
{
	/* RFC 792: unreachable, source quench, redirect, time exceeded, parameter problem */
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

static bool
icmp6_is_error(uint8_t type)
{
	return type < 128;	/* RFC 4443 2.1 */
}

enum pkt_err
l4_parse(uint8_t proto, const uint8_t *buf, size_t len, struct l4_info *l4)
{
	memset(l4, 0, sizeof(*l4));
	l4->proto = proto;
	switch (proto) {
	case IPPROTO_UDP:
		if (len < 8)
			return PKT_BAD_L4;
		l4->sport = get16(buf);
		l4->dport = get16(buf + 2);
		l4->hlen = 8;
		return PKT_OK;
	case IPPROTO_TCP:
		if (len < 20 || (size_t)(buf[12] >> 4) * 4 < 20 ||
		    (size_t)(buf[12] >> 4) * 4 > len)
			return PKT_BAD_L4;
		l4->sport = get16(buf);
		l4->dport = get16(buf + 2);
		l4->hlen = (size_t)(buf[12] >> 4) * 4;
		return PKT_OK;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (len < 8)
			return PKT_BAD_L4;
		l4->type = buf[0];
		l4->code = buf[1];
		l4->hlen = 8;
		if (proto == IPPROTO_ICMP) {
			l4->icmp_echo = l4->type == 8 || l4->type == 0;
			l4->icmp_error = icmp4_is_error(l4->type);
		} else {
			l4->icmp_echo = l4->type == 128 || l4->type == 129;
			l4->icmp_error = icmp6_is_error(l4->type);
		}
		if (l4->icmp_echo)
			l4->sport = l4->dport = get16(buf + 4);
		return PKT_OK;
	}
	return PKT_OK;	/* other protocols: no ports */
}

int
l4_csum_offset(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_UDP:	return 6;
	case IPPROTO_TCP:	return 16;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:	return 2;
	}
	return -1;
}
