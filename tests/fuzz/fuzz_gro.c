/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for coalescing TCP segments from the softwire
 * (smap/gro.c), as smap/softwire.c drives it: a sequence of packets
 * (tests/fuzz/lib.h, [flags][len hi][len lo][bytes]; flags bit 0: fix
 * the IPv4 header's and the TCP checksum first, so that mutations reach
 * past the checks) offered to gro_add in order; what it refuses is
 * flushed before it and offered again, else written alone.
 *
 * Besides sanitizer reports it aborts on a broken promise: what comes
 * out, each super-packet cut back by gso_split (the kernel's
 * segmentation), is the input sequence byte for byte and in order; a
 * super-packet of one segment asks nothing of the kernel; none is over
 * 65535 bytes or holds a segment over the MTU.
 * fuzz-options: -max_len=16384
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "pkt.h"
#include "smap/gro.h"
#include "smap/gso.h"
#include "tests/fuzz/lib.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MTU	1500
#define MAXPKT	1024

static uint8_t held[65536], seg[65536];
static uint8_t pool[16384];		/* the inputs as offered, fixed or not */
static size_t off[MAXPKT + 1];
static unsigned npkt, next;		/* inputs, and the next one due out */
static struct gro g;

static void
check(bool ok)
{
	if (!ok)
		abort();
}

/* Each packet out is the next one in. */
static void
out(void *arg, const uint8_t *p, size_t n)
{
	(void)arg;
	check(next < npkt && n == off[next + 1] - off[next]);
	check(memcmp(p, pool + off[next], n) == 0);
	next++;
}

static void
flush(void)
{
	struct virtio_net_hdr vh, none = { 0 };
	unsigned segs = g.segs;
	size_t n;
	int k;

	if (!g.len)
		return;
	n = gro_finish(&g, &vh);
	check(n <= 65535 && g.len == 0);
	if (segs == 1)
		check(memcmp(&vh, &none, sizeof(vh)) == 0);
	k = gso_split(&vh, held, n, seg, sizeof(seg), out, NULL);
	check(k == (int)segs);
}

static void
fix(uint8_t *p, size_t len)
{
	size_t ihl;
	uint16_t c;

	fuzz_fix4(p, len);
	if (len < 20 || p[9] != IPPROTO_TCP)
		return;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	if (ihl < 20 || ihl + 20 > len)
		return;
	memset(p + ihl + 16, 0, 2);
	c = (uint16_t)~csum_fold(csum_partial(p + ihl, len - ihl,
		csum_pseudo4(p + 12, p + 16, IPPROTO_TCP, (uint16_t)(len - ihl))));
	memcpy(p + ihl + 16, &c, 2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *pkt;
	uint8_t flags;
	size_t len;

	gro_init(&g, held, sizeof(held), MTU);
	npkt = next = 0;
	off[0] = 0;
	while (npkt < MAXPKT && fuzz_next(&data, &size, &flags, &pkt, &len)) {
		uint8_t *p = pool + off[npkt];

		if (off[npkt] + len > sizeof(pool))
			break;
		memcpy(p, pkt, len);
		if (flags & 1)
			fix(p, len);
		off[npkt + 1] = off[npkt] + len;
		npkt++;
		if (gro_add(&g, p, len)) {
			check(len <= MTU);
			continue;
		}
		flush();
		if (gro_add(&g, p, len))
			continue;
		out(NULL, p, len);	/* alone, as it came */
	}
	flush();
	check(next == npkt);
	return 0;
}
