/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the TUN's offloads undone (smap/gso.c), as
 * smap/softwire.c reads the TUN: the input is what one read returns, a
 * virtio_net_hdr (10 bytes, little-endian) then the packet.
 *
 * Besides sanitizer reports it aborts on a broken promise: -1 emits
 * nothing, k emits k packets; a checksum left to us sums correctly
 * afterwards; a TCP or UDP super-packet comes out as segments of at most
 * gso_size payload bytes behind the same headers, with valid IPv4 and
 * L4 checksums, consecutive IP ids (and TCP sequence numbers, UDP
 * lengths), whose payloads put together are the super-packet's.
 * fuzz-options: -max_len=8192
 */
#include <endian.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "pkt.h"
#include "smap/gso.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PKT_MAX	8192

static uint8_t pkt[PKT_MAX], orig[PKT_MAX], seg[PKT_MAX];
static struct virtio_net_hdr vh;
static size_t len, hl, ihl, taken;
static unsigned emitted;

static void
check(bool ok)
{
	if (!ok)
		abort();
}

/* A super-packet to cut: TSO or USO. */
static bool
split(void)
{
	unsigned t = vh.gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	return t == VIRTIO_NET_HDR_GSO_TCPV4 || t == GSO_UDP_L4;
}

static void
check_segment(const uint8_t *p, size_t n)
{
	size_t mss = le16toh(vh.gso_size);

	check(n >= hl && n - hl <= mss && get16(p + 2) == n);
	check(csum_buf(p, ihl) == 0);
	check((uint16_t)~csum_fold(csum_partial(p + ihl, n - ihl,
		csum_pseudo4(p + 12, p + 16, p[9], (uint16_t)(n - ihl)))) == 0);
	/* the headers but for lengths, ids, sequence, flags and sums are the packet's */
	check(memcmp(p + 9, orig + 9, 1) == 0 && memcmp(p + 12, orig + 12, ihl - 12) == 0 &&
	      memcmp(p + ihl, orig + ihl, 4) == 0);
	check(get16(p + 4) == (uint16_t)(get16(orig + 4) + emitted));
	if (p[9] == IPPROTO_TCP)
		check(get32(p + ihl + 4) == (uint32_t)(get32(orig + ihl + 4) + taken));
	else
		check(get16(p + ihl + 4) == n - ihl && get16(p + ihl + 6) != 0);
	check(memcmp(p + hl, orig + hl + taken, n - hl) == 0);
	taken += n - hl;
}

/*
 * The field held a partial sum (the pseudo header's): with it the region
 * now sums to all ones. An odd offset puts the field across words: no
 * sum to check there.
 */
static void
check_completed(const uint8_t *p, size_t n)
{
	size_t start = le16toh(vh.csum_start), at = start + le16toh(vh.csum_offset);
	uint16_t old;

	check(at + 2 <= n);
	if ((at - start) & 1)
		return;
	memcpy(&old, orig + at, 2);
	check(csum_fold(csum_partial(p + start, n - start, old)) == 0xffff);
}

static void
collect(void *arg, const uint8_t *p, size_t n)
{
	(void)arg;
	if (split()) {
		check_segment(p, n);
	} else {
		check(p == pkt && n == len);
		if (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
			check_completed(p, n);
		else
			check(memcmp(p, orig, n) == 0);
	}
	emitted++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int k;

	if (size < sizeof(vh) || size - sizeof(vh) > PKT_MAX)
		return 0;
	memcpy(&vh, data, sizeof(vh));
	len = size - sizeof(vh);
	memcpy(pkt, data + sizeof(vh), len);
	memcpy(orig, pkt, len);
	ihl = len ? (size_t)(pkt[0] & 0x0f) * 4 : 0;
	if (len > 9 && pkt[9] == IPPROTO_UDP)
		hl = ihl + 8;
	else
		hl = ihl + 20 < len ? ihl + (size_t)(pkt[ihl + 12] >> 4) * 4 : 0;
	taken = 0;
	emitted = 0;
	k = gso_split(&vh, pkt, len, seg, sizeof(seg), collect, NULL);
	check(k < 0 ? emitted == 0 : (unsigned)k == emitted);
	if (k > 0 && split())
		check(taken == len - hl);
	return 0;
}
