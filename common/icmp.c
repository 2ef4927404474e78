/* SPDX-License-Identifier: MIT */
/* Building ICMP error messages (RFC 792, RFC 1812 4.3.2.3, RFC 4443). */
#include "csum.h"
#include "pkt.h"

size_t
icmp4_error_build(uint8_t *out, size_t cap, uint32_t src, uint32_t dst,
		  uint8_t type, uint8_t code, uint32_t rest,
		  const uint8_t *orig, size_t orig_len, size_t max_total)
{
	size_t quote = orig_len, total;
	uint16_t c;

	if (max_total > cap)
		max_total = cap;
	if (max_total < IPV4_HDR_MIN + 8)
		return 0;
	if (IPV4_HDR_MIN + 8 + quote > max_total)
		quote = max_total - IPV4_HDR_MIN - 8;
	total = IPV4_HDR_MIN + 8 + quote;
	ipv4_build(out, 0, (uint16_t)total, 0, 0, 255, IPPROTO_ICMP, src, dst);
	out[20] = type;
	out[21] = code;
	out[22] = out[23] = 0;
	put32(out + 24, rest);
	memmove(out + 28, orig, quote);
	c = csum_buf(out + 20, total - 20);
	memcpy(out + 22, &c, 2);
	return total;
}

size_t
icmp6_error_build(uint8_t *out, size_t cap, const struct in6_addr *src,
		  const struct in6_addr *dst, uint8_t type, uint8_t code,
		  uint32_t rest, const uint8_t *orig, size_t orig_len,
		  size_t max_total)
{
	size_t quote = orig_len, total, plen;
	uint16_t c;

	if (max_total > cap)
		max_total = cap;
	if (max_total < IPV6_HDR_LEN + 8)
		return 0;
	if (IPV6_HDR_LEN + 8 + quote > max_total)
		quote = max_total - IPV6_HDR_LEN - 8;
	total = IPV6_HDR_LEN + 8 + quote;
	plen = total - IPV6_HDR_LEN;
	ipv6_build(out, 0, 0, (uint16_t)plen, IPPROTO_ICMPV6, 255, src, dst);
	out[40] = type;
	out[41] = code;
	out[42] = out[43] = 0;
	put32(out + 44, rest);
	memmove(out + 48, orig, quote);
	c = (uint16_t)~csum_fold(csum_partial(out + 40, plen,
	    csum_pseudo6(src, dst, IPPROTO_ICMPV6, (uint32_t)plen)));
	memcpy(out + 42, &c, 2);
	return total;
}
