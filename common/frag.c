/* SPDX-License-Identifier: MIT */
/*
 * IPv4 (RFC 791 3.2, RFC 1812 5.2.6) and IPv6 (RFC 8200 4.5)
 * fragmentation. Every fragment but the last carries the largest
 * multiple of 8 bytes of data that fits the MTU, which is also the
 * layout of the conformance vectors (e.g. 552 + 552 + 322 at MTU 576).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "frag.h"
#include "pkt.h"

#define IP_MAXLEN	65535
#define IPV6_MIN_MTU_	1280
#define IPPROTO_FRAG6	44

/*
 * The header of the second and later fragments: the fixed part and the
 * options whose copied flag is set (RFC 791 3.1), padded with
 * end-of-options to a multiple of 4. Returns its length, 0 if the
 * options are malformed.
 */
static size_t
ipv4_later_header(const uint8_t *hdr, size_t hlen, uint8_t *out)
{
	size_t i = IPV4_HDR_MIN, n = IPV4_HDR_MIN;

	memcpy(out, hdr, IPV4_HDR_MIN);
	while (i < hlen) {
		uint8_t type = hdr[i];
		size_t olen;

		if (type == 0)		/* end of options */
			break;
		if (type == 1) {	/* no-operation: not copied */
			i++;
			continue;
		}
		if (i + 2 > hlen)
			return 0;
		olen = hdr[i + 1];
		if (olen < 2 || i + olen > hlen)
			return 0;
		if (type & 0x80) {
			memcpy(out + n, hdr + i, olen);
			n += olen;
		}
		i += olen;
	}
	while (n % 4)
		out[n++] = 0;
	out[0] = (uint8_t)(0x40 | n / 4);
	return n;
}

/* Largest multiple of 8 data bytes after hlen bytes of headers. */
static size_t
frag_room(size_t mtu, size_t hlen)
{
	return mtu > hlen ? (mtu - hlen) & ~(size_t)7 : 0;
}

int
frag4_split(const uint8_t *pkt, size_t len, size_t mtu, frag_emit_fn emit, void *arg)
{
	uint8_t later[60];
	size_t hlen, tot, later_len, dlen, off, base;
	uint16_t w, keep;
	uint8_t *buf;
	bool mf;
	int n = 0;

	if (len < IPV4_HDR_MIN || pkt[0] >> 4 != 4)
		return -1;
	hlen = (size_t)(pkt[0] & 0x0f) * 4;
	tot = get16(pkt + 2);
	if (hlen < IPV4_HDR_MIN || hlen > tot || tot > len)
		return -1;
	if (tot <= mtu) {
		emit(arg, pkt, tot);
		return 1;
	}
	w = get16(pkt + 6);
	if (w & IPV4_DF)
		return -1;
	later_len = ipv4_later_header(pkt, hlen, later);
	if (!later_len || frag_room(mtu, hlen) < 8)
		return -1;
	/* refragmenting a fragment: offsets continue, MF of the last stays */
	base = (size_t)(w & 0x1fff) * 8;
	mf = (w & IPV4_MF) != 0;
	keep = w & (uint16_t)~(IPV4_MF | 0x1fff);
	dlen = tot - hlen;
	if (base + tot > IP_MAXLEN)
		return -1;
	buf = malloc(tot);
	if (!buf)
		return -1;
	for (off = 0; off < dlen; n++) {
		const uint8_t *h = off == 0 ? pkt : later;
		size_t hl = off == 0 ? hlen : later_len;
		size_t part = frag_room(mtu, hl);
		bool last;

		if (part > dlen - off)
			part = dlen - off;
		last = off + part == dlen;
		memcpy(buf, h, hl);
		memcpy(buf + hl, pkt + hlen + off, part);
		put16(buf + 2, (uint16_t)(hl + part));
		put16(buf + 6, (uint16_t)(keep | (!last || mf ? IPV4_MF : 0) |
					  (base + off) / 8));
		ipv4_set_csum(buf);
		emit(arg, buf, hl + part);
		off += part;
	}
	free(buf);
	return n;
}

/*
 * RFC 8200 4.5: the unfragmentable part ends after the last hop-by-hop
 * or routing header (destination options before a routing header are
 * part of it). Sets *field to the byte naming the first fragmentable
 * header. Returns the part's length, 0 if the chain is broken or the
 * packet is already a fragment.
 */
static size_t
unfragmentable6(const uint8_t *pkt, size_t end, size_t *field)
{
	size_t nh_at = 6, off = IPV6_HDR_LEN, unfrag = IPV6_HDR_LEN;
	unsigned n;

	*field = 6;
	for (n = 0; n <= IPV6_MAX_EXTHDRS; n++) {
		uint8_t nh = pkt[nh_at];
		size_t hl;

		if (nh == IPPROTO_FRAG6)
			return 0;
		if (nh != 0 && nh != 43 && nh != 60)
			return unfrag;
		if (off + 2 > end)
			return 0;
		hl = ((size_t)pkt[off + 1] + 1) * 8;
		if (hl > end - off)
			return 0;
		if (nh != 60) {
			unfrag = off + hl;
			*field = off;
		}
		nh_at = off;
		off += hl;
	}
	return 0;
}

int
frag6_split(const uint8_t *pkt, size_t len, size_t mtu, uint32_t id,
	    frag_emit_fn emit, void *arg)
{
	size_t end, unfrag, field, room, dlen, off, cap;
	uint8_t *buf, nh;
	int n = 0;

	if (mtu < IPV6_MIN_MTU_ || len < IPV6_HDR_LEN || pkt[0] >> 4 != 6)
		return -1;
	end = IPV6_HDR_LEN + (size_t)get16(pkt + 4);
	if (end == IPV6_HDR_LEN || end > len)
		return -1;
	if (end <= mtu) {
		emit(arg, pkt, end);
		return 1;
	}
	unfrag = unfragmentable6(pkt, end, &field);
	if (!unfrag || unfrag == end)
		return -1;
	room = frag_room(mtu, unfrag + IPV6_FRAG_LEN);
	if (room < 8)
		return -1;
	nh = pkt[field];
	dlen = end - unfrag;
	cap = unfrag + IPV6_FRAG_LEN + (room < dlen ? room : dlen);
	buf = malloc(cap);
	if (!buf)
		return -1;
	for (off = 0; off < dlen; n++) {
		size_t part = room < dlen - off ? room : dlen - off;
		bool last = off + part == dlen;
		uint8_t *fh = buf + unfrag;

		memcpy(buf, pkt, unfrag);
		buf[field] = IPPROTO_FRAG6;
		put16(buf + 4, (uint16_t)(unfrag - IPV6_HDR_LEN + IPV6_FRAG_LEN + part));
		fh[0] = nh;
		fh[1] = 0;
		put16(fh + 2, (uint16_t)(off | (last ? 0 : 1)));
		put32(fh + 4, id);
		memcpy(fh + IPV6_FRAG_LEN, pkt + unfrag + off, part);
		emit(arg, buf, unfrag + IPV6_FRAG_LEN + part);
		off += part;
	}
	free(buf);
	return n;
}
