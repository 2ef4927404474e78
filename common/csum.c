/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "csum.h"

uint32_t
csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t s = sum;

	while (len >= 8) {
		uint32_t a, b;
		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		s += (uint64_t)a + b;
		p += 8;
		len -= 8;
	}
	while (len >= 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		s += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* odd byte: pad with zero as it lies in memory */
		uint16_t w = 0;
		memcpy(&w, p, 1);
		s += w;
	}
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	/* keep 32 bits, folding the carry in so nothing is lost */
	s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t
csum_buf(const void *buf, size_t len)
{
	return (uint16_t)~csum_fold(csum_partial(buf, len, 0));
}

uint32_t
csum_pseudo4(const void *src4, const void *dst4, uint8_t proto, uint16_t len)
{
	uint8_t tail[4] = { 0, proto, (uint8_t)(len >> 8), (uint8_t)len };
	uint32_t s = csum_partial(src4, 4, 0);

	s = csum_partial(dst4, 4, s);
	return csum_partial(tail, 4, s);
}

uint32_t
csum_pseudo6(const void *src6, const void *dst6, uint8_t nh, uint32_t len)
{
	uint8_t tail[8] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16),
			    (uint8_t)(len >> 8), (uint8_t)len, 0, 0, 0, nh };
	uint32_t s = csum_partial(src6, 16, 0);

	s = csum_partial(dst6, 16, s);
	return csum_partial(tail, 8, s);
}

uint16_t
csum_update16(uint16_t csum, uint16_t old, uint16_t new)
{
	uint32_t s = (uint16_t)~csum;

	s += (uint16_t)~old;
	s += new;
	return (uint16_t)~csum_fold(s);
}

uint16_t
csum_update32(uint16_t csum, uint32_t old, uint32_t new)
{
	csum = csum_update16(csum, (uint16_t)old, (uint16_t)new);
	return csum_update16(csum, (uint16_t)(old >> 16), (uint16_t)(new >> 16));
}
