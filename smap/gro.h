/* SPDX-License-Identifier: MIT */
/*
 * TCP segments from the softwire coalesced into one TUN write, the way a
 * NIC's GRO does and the inverse of smap/gso.c: consecutive segments of
 * one connection are held in one super-packet that the kernel's
 * segmentation (tcp_gso_segment, or smap/gso.c) cuts back into exactly
 * the packets that came: the same headers but for lengths, IP ids (the
 * first's plus one per segment), sequence numbers, PSH and FIN (last
 * segment only), CWR (first only) and checksums, each segment but the
 * last of the first one's payload size, checksums verified. The kernel
 * then routes, NATs and delivers 64 KB at a time instead of one packet
 * a write (a download's cost). Pure, no I/O.
 */
#ifndef AP_SMAP_GRO_H
#define AP_SMAP_GRO_H

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gro {
	uint8_t *pkt;		/* the super-packet being built, cap bytes */
	size_t cap;
	size_t max_seg;		/* no segment over this (the TUN MTU) is held */
	size_t len;		/* bytes held; 0: none */
	size_t hl;		/* IPv4 and TCP header bytes */
	size_t mss;		/* payload bytes of the first segment */
	unsigned segs;
	bool closed;		/* the last segment was short or had PSH or FIN */
};

/* An empty gro over buf (cap bytes; at most 65535 are used). */
void gro_init(struct gro *, uint8_t *buf, size_t cap, size_t max_seg);

/*
 * Whether pkt (an IPv4 packet, len bytes) is now held in g: as the start
 * of a super-packet when g is empty, else appended to it. false when it
 * is no TCP segment that may be coalesced (no payload, SYN, RST, URG, IP
 * options, a fragment, a checksum that does not sum, over max_seg) or
 * does not continue what g holds: the caller then writes g out
 * (gro_finish) and offers pkt again, and writes it alone if it is
 * refused once more.
 */
bool gro_add(struct gro *, const uint8_t *pkt, size_t len);

/*
 * What g holds made ready for the TUN, its length returned, g empty
 * afterwards. One segment stays byte for byte as it came (vh: nothing
 * asked for); several become one packet with vh saying GSO_TCPV4 (and
 * ECN when the first had CWR), gso_size the first segment's payload,
 * and the TCP checksum left to the kernel (NEEDS_CSUM, the field holding
 * the pseudo header's sum).
 */
size_t gro_finish(struct gro *, struct virtio_net_hdr *vh);

#endif
