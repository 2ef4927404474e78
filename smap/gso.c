/* SPDX-License-Identifier: MIT */
/* Undoing the TUN's offloads: see smap/gso.h. */
#include <endian.h>
#include <stdbool.h>
#include <string.h>

#include "csum.h"
#include "pkt.h"
#include "smap/gso.h"

#define TCP_FIN		0x01
#define TCP_PSH		0x08
#define TCP_CWR		0x80

/* The TUN's virtio header is little-endian (virtio 1.0, and legacy on x86/arm). */
static uint16_t
vh16(__virtio16 v)
{
	return le16toh((uint16_t)v);
}

/* CHECKSUM_PARTIAL: the field holds the pseudo header's sum already. */
static int
csum_complete(const struct virtio_net_hdr *vh, uint8_t *pkt, size_t len)
{
	size_t start = vh16(vh->csum_start), at = start + vh16(vh->csum_offset);
	uint16_t c;

	if (start >= len || at + 2 > len)
		return -1;
	c = csum_buf(pkt + start, len - start);
	/* UDP over IPv4: 0 means no checksum, so a sum of 0 is sent as 0xffff */
	if (c == 0 && len >= IPV4_HDR_MIN && pkt[0] >> 4 == 4 && pkt[9] == IPPROTO_UDP)
		c = 0xffff;
	memcpy(pkt + at, &c, 2);
	return 0;
}

/* One segment at seg: headers (hl bytes, TCP at ihl) then n payload bytes. */
static size_t
tcp_segment(uint8_t *seg, const uint8_t *hdr, size_t ihl, size_t hl,
	    const uint8_t *payload, size_t n, unsigned i, size_t off, uint8_t clear)
{
	uint8_t *tcp = seg + ihl;
	uint16_t c;

	memcpy(seg, hdr, hl);
	memcpy(seg + hl, payload, n);
	put16(seg + 2, (uint16_t)(hl + n));
	put16(seg + 4, (uint16_t)(get16(hdr + 4) + i));
	memset(seg + 10, 0, 2);
	c = csum_buf(seg, ihl);
	memcpy(seg + 10, &c, 2);
	put32(tcp + 4, (uint32_t)(get32(hdr + ihl + 4) + off));
	tcp[13] &= (uint8_t)~clear;
	memset(tcp + 16, 0, 2);
	c = (uint16_t)~csum_fold(csum_partial(tcp, hl - ihl + n,
					      csum_pseudo4(seg + 12, seg + 16, IPPROTO_TCP,
							   (uint16_t)(hl - ihl + n))));
	memcpy(tcp + 16, &c, 2);
	return hl + n;
}

static int
tcp4_split(const struct virtio_net_hdr *vh, const uint8_t *pkt, size_t len,
	   uint8_t *seg, size_t seg_cap, frag_emit_fn emit, void *arg)
{
	size_t ihl, hl, mss = vh16(vh->gso_size), payload, off;
	unsigned i;

	if (len < IPV4_HDR_MIN || pkt[0] >> 4 != 4 || pkt[9] != IPPROTO_TCP || mss == 0)
		return -1;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	if (ihl < IPV4_HDR_MIN || len < ihl + 20 || get16(pkt + 2) != len ||
	    (get16(pkt + 6) & 0x3fff) != 0)	/* no fragment is a super-packet */
		return -1;
	hl = ihl + (size_t)(pkt[ihl + 12] >> 4) * 4;
	if (hl < ihl + 20 || hl > len || seg_cap < hl + mss)
		return -1;
	payload = len - hl;
	for (i = 0, off = 0;; i++, off += mss) {
		size_t n = payload - off < mss ? payload - off : mss;
		bool last = off + n >= payload;
		uint8_t clear = (uint8_t)((last ? 0 : TCP_FIN | TCP_PSH) | (i ? TCP_CWR : 0));

		emit(arg, seg, tcp_segment(seg, pkt, ihl, hl, pkt + hl + off, n, i, off, clear));
		if (last)
			return (int)i + 1;
	}
}

int
gso_split(const struct virtio_net_hdr *vh, uint8_t *pkt, size_t len,
	  uint8_t *seg, size_t seg_cap, frag_emit_fn emit, void *arg)
{
	switch (vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_NONE:
		if ((vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && csum_complete(vh, pkt, len) < 0)
			return -1;
		emit(arg, pkt, len);
		return 1;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return tcp4_split(vh, pkt, len, seg, seg_cap, emit, arg);
	}
	return -1;
}
