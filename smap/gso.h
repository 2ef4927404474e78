/* SPDX-License-Identifier: MIT */
/*
 * The TUN's offloads undone in userspace. With IFF_VNET_HDR and
 * TUNSETOFFLOAD the kernel hands the SMAP TCP super-packets (up to 64 KB,
 * one virtio_net_hdr in front saying how to cut them) and packets whose
 * checksum is left to us (CHECKSUM_PARTIAL). The softwire cannot carry
 * more than the path MTU, so each is turned back into the packets the
 * kernel would have written without the offloads: pure, no I/O.
 */
#ifndef AP_SMAP_GSO_H
#define AP_SMAP_GSO_H

#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <stddef.h>
#include <stdint.h>

#include "frag.h"

/* UDP segmentation (Linux 6.2), newer than some distributions' headers */
#define GSO_UDP_L4		5	/* VIRTIO_NET_HDR_GSO_UDP_L4 */
#define GSO_TUN_F_USO4		0x20	/* TUN_F_USO4 */
#define GSO_TUN_F_USO6		0x40	/* TUN_F_USO6: the kernel takes USO4 only with it */

/*
 * What the TUN is asked to hand over (TUNSETOFFLOAD), and without USO
 * for older kernels. The TUN carries no IPv6 (disable_ipv6), so none of
 * it comes as TSO6 or USO6.
 */
#define GSO_TUN_OFFLOADS	(GSO_TUN_OFFLOADS_TCP | GSO_TUN_F_USO4 | GSO_TUN_F_USO6)
#define GSO_TUN_OFFLOADS_TCP	(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO_ECN)

/*
 * The wire packets of one TUN read: pkt (len bytes, the virtio header
 * vh already taken off) as it is when vh asks for nothing; with only
 * its checksum completed (NEEDS_CSUM, GSO_NONE: pkt is changed in
 * place); or, for GSO_TCPV4 (ECN or not) and GSO_UDP_L4 over IPv4, cut
 * into segments of gso_size payload bytes built in seg (seg_cap bytes,
 * reused for each). A segment keeps the headers (options too) with its
 * own total length, IP id (the packet's, plus one per segment) and
 * checksums; TCP its sequence number, with FIN and PSH on the last
 * segment only and CWR on the first only, as the kernel's own
 * segmentation does (tcp_gso_segment); UDP its length.
 * Each packet goes to emit, in order. Returns how many, or -1 (nothing
 * emitted) for what cannot be handled: a header that does not match the
 * packet, another GSO type, or seg_cap too small.
 */
int gso_split(const struct virtio_net_hdr *vh, uint8_t *pkt, size_t len,
	      uint8_t *seg, size_t seg_cap, frag_emit_fn emit, void *arg);

#endif
