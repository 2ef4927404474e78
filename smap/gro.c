/* SPDX-License-Identifier: MIT */
/* Coalescing TCP segments for the TUN: see smap/gro.h. */
#include <endian.h>
#include <string.h>

#include "csum.h"
#include "pkt.h"
#include "smap/gro.h"

#define IP_MAX		65535
#define TCP_FIN		0x01
#define TCP_SYN		0x02
#define TCP_RST		0x04
#define TCP_PSH		0x08
#define TCP_ACK		0x10
#define TCP_URG		0x20
#define TCP_CWR		0x80
#define T		IPV4_HDR_MIN	/* where TCP starts: IP options are refused */

void
gro_init(struct gro *g, uint8_t *buf, size_t cap, size_t max_seg)
{
	memset(g, 0, sizeof(*g));
	g->pkt = buf;
	g->cap = cap < IP_MAX ? cap : IP_MAX;
	g->max_seg = max_seg;
}

/*
 * The header length of a TCP segment that may be coalesced, or 0: no IP
 * options, no fragment, payload, ACK without SYN, RST or URG, both
 * checksums right (a segment that is wrong is never made right by
 * being merged: it goes alone, as it came).
 */
static size_t
segment_hdr(const uint8_t *p, size_t len, size_t max_seg)
{
	size_t hl;

	if (len < T + 20 || len > max_seg || p[0] != 0x45 || p[9] != IPPROTO_TCP ||
	    get16(p + 2) != len || (get16(p + 6) & 0x3fff) != 0)
		return 0;
	hl = T + (size_t)(p[T + 12] >> 4) * 4;
	if (hl < T + 20 || hl >= len ||
	    (p[T + 13] & (TCP_ACK | TCP_SYN | TCP_RST | TCP_URG)) != TCP_ACK)
		return 0;
	if (csum_buf(p, T) != 0 ||
	    csum_fold(csum_partial(p + T, len - T,
				   csum_pseudo4(p + 12, p + 16, IPPROTO_TCP, (uint16_t)(len - T)))) != 0xffff)
		return 0;
	return hl;
}

/* Whether the segment p (header hl, n payload bytes) comes next in g. */
static bool
continues(const struct gro *g, const uint8_t *p, size_t hl, size_t n)
{
	const uint8_t *h = g->pkt;

	if (g->closed || hl != g->hl || n > g->mss || g->len + n > g->cap)
		return false;
	/* IPv4: all but length, id and sum the same; ids one up a segment */
	if (memcmp(p, h, 2) != 0 || memcmp(p + 6, h + 6, 4) != 0 || memcmp(p + 12, h + 12, 8) != 0 ||
	    get16(p + 4) != (uint16_t)(get16(h + 4) + g->segs))
		return false;
	/* TCP: ports, ack, window, urgent pointer, options the same; in sequence */
	if (memcmp(p + T, h + T, 4) != 0 || memcmp(p + T + 8, h + T + 8, 5) != 0 ||
	    memcmp(p + T + 14, h + T + 14, 2) != 0 || memcmp(p + T + 18, h + T + 18, hl - T - 18) != 0 ||
	    get32(p + T + 4) != (uint32_t)(get32(h + T + 4) + (g->len - g->hl)))
		return false;
	/* flags: the first's, but CWR on the first only, PSH and FIN on the last only */
	return (p[T + 13] & (uint8_t)~(TCP_PSH | TCP_FIN)) ==
	       (h[T + 13] & (uint8_t)~(TCP_PSH | TCP_FIN | TCP_CWR));
}

bool
gro_add(struct gro *g, const uint8_t *p, size_t len)
{
	size_t hl = segment_hdr(p, len, g->max_seg), n = len - hl;

	if (!hl)
		return false;
	if (!g->len) {
		if (len > g->cap)
			return false;
		memcpy(g->pkt, p, len);
		g->len = len;
		g->hl = hl;
		g->mss = n;
		g->segs = 1;
	} else {
		if (!continues(g, p, hl, n))
			return false;
		memcpy(g->pkt + g->len, p + hl, n);
		g->len += n;
		g->segs++;
		g->pkt[T + 13] |= p[T + 13] & (TCP_PSH | TCP_FIN);
	}
	g->closed = n < g->mss || (p[T + 13] & (TCP_PSH | TCP_FIN));
	return true;
}

size_t
gro_finish(struct gro *g, struct virtio_net_hdr *vh)
{
	size_t len = g->len;
	uint8_t *p = g->pkt;
	uint16_t c;

	memset(vh, 0, sizeof(*vh));
	if (g->segs > 1) {
		put16(p + 2, (uint16_t)len);
		ipv4_set_csum(p);
		/* CHECKSUM_PARTIAL: the pseudo header's sum, folded, not inverted */
		c = csum_fold(csum_pseudo4(p + 12, p + 16, IPPROTO_TCP, (uint16_t)(len - T)));
		memcpy(p + T + 16, &c, 2);
		vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4 |
			       (p[T + 13] & TCP_CWR ? VIRTIO_NET_HDR_GSO_ECN : 0);
		vh->hdr_len = htole16((uint16_t)g->hl);
		vh->gso_size = htole16((uint16_t)g->mss);
		vh->csum_start = htole16(T);
		vh->csum_offset = htole16(16);
	}
	g->len = 0;
	g->segs = 0;
	g->closed = false;
	return len;
}
