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

/*
 * One segment at seg: the headers (hl bytes) then n payload
 * bytes, the IPv4 total length, id (the packet's plus i) and sum set.
 */
static void
ip_segment(uint8_t *seg, const uint8_t *hdr, size_t hl, const uint8_t *payload, size_t n,
	   unsigned i)
{
	memcpy(seg, hdr, hl);
	memcpy(seg + hl, payload, n);
	put16(seg + 2, (uint16_t)(hl + n));
	put16(seg + 4, (uint16_t)(get16(hdr + 4) + i));
	ipv4_set_csum(seg);
}

/* The L4 checksum of a segment of len bytes, its field at ihl + at. */
static uint16_t
l4_csum(uint8_t *seg, size_t ihl, size_t len, size_t at)
{
	uint16_t l4len = (uint16_t)(len - ihl), c;

	memset(seg + ihl + at, 0, 2);
	c = (uint16_t)~csum_fold(csum_partial(seg + ihl, l4len,
					      csum_pseudo4(seg + 12, seg + 16, seg[9], l4len)));
	memcpy(seg + ihl + at, &c, 2);
	return c;
}

/*
 * The length of a super-packet's headers (its IPv4 header's in ihl), or
 * 0 if it is not a proto packet whose segments fit in seg_cap.
 */
static size_t
super_hdr(const struct virtio_net_hdr *vh, const uint8_t *pkt, size_t len, uint8_t proto,
	  size_t seg_cap, size_t *ihl)
{
	size_t hl, mss = vh16(vh->gso_size), l4min = proto == IPPROTO_TCP ? 20 : 8;

	if (len < IPV4_HDR_MIN || pkt[0] >> 4 != 4 || pkt[9] != proto || mss == 0)
		return 0;
	*ihl = (size_t)(pkt[0] & 0x0f) * 4;
	if (*ihl < IPV4_HDR_MIN || len < *ihl + l4min || get16(pkt + 2) != len ||
	    (get16(pkt + 6) & 0x3fff) != 0)	/* no fragment is a super-packet */
		return 0;
	hl = *ihl + (proto == IPPROTO_TCP ? (size_t)(pkt[*ihl + 12] >> 4) * 4 : 8);
	if (hl < *ihl + l4min || hl > len || seg_cap < hl + mss)
		return 0;
	return hl;
}

/* A segment's TCP or UDP header: sequence number and flags, or length; its sum. */
static void
l4_fix(uint8_t *seg, const uint8_t *pkt, size_t ihl, size_t len, size_t off, unsigned i,
       bool last)
{
	uint8_t *l4 = seg + ihl;

	if (pkt[9] == IPPROTO_TCP) {
		put32(l4 + 4, (uint32_t)(get32(pkt + ihl + 4) + off));
		l4[13] &= (uint8_t)~((last ? 0 : TCP_FIN | TCP_PSH) | (i ? TCP_CWR : 0));
		l4_csum(seg, ihl, len, 16);
		return;
	}
	put16(l4 + 4, (uint16_t)(len - ihl));
	if (l4_csum(seg, ihl, len, 6) == 0)
		memset(l4 + 6, 0xff, 2);	/* 0 is "no checksum" */
}

/* TSO and USO: segments of gso_size payload bytes each. */
static int
l4_split(const struct virtio_net_hdr *vh, uint8_t proto, const uint8_t *pkt, size_t len,
	 uint8_t *seg, size_t seg_cap, frag_emit_fn emit, void *arg)
{
	size_t ihl, hl = super_hdr(vh, pkt, len, proto, seg_cap, &ihl);
	size_t mss = vh16(vh->gso_size), payload = len - hl, off;
	unsigned i;

	if (!hl)
		return -1;
	for (i = 0, off = 0;; i++, off += mss) {
		size_t n = payload - off < mss ? payload - off : mss;
		bool last = off + n >= payload;

		ip_segment(seg, pkt, hl, pkt + hl + off, n, i);
		l4_fix(seg, pkt, ihl, hl + n, off, i, last);
		emit(arg, seg, hl + n);
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
		return l4_split(vh, IPPROTO_TCP, pkt, len, seg, seg_cap, emit, arg);
	case GSO_UDP_L4:
		return l4_split(vh, IPPROTO_UDP, pkt, len, seg, seg_cap, emit, arg);
	}
	return -1;
}
