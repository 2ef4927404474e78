/* SPDX-License-Identifier: MIT */
/*
 * xdpblast: the benchmark's in-kernel sender (tests/bench/xdpblast.c
 * loads it), run by BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES: each
 * run writes the ready-made frame into the page, sets the next
 * destination port (MINPORT..MAXPORT in turn, UDP checksum updated) and
 * answers XDP_TX, which the kernel turns into a redirect out of the
 * interface the run names. A veth hands such a frame to its peer as an
 * xdp_frame: no skb, no copy before the peer's XDP program.
 * The frame is rewritten every run because live-frame pages are
 * recycled as the receivers left them (the PRR encapsulates in place).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define FLEN		60
#define UDP_PORT	(14 + 20 + 2)	/* the destination port's offset */
#define UDP_CSUM	(14 + 20 + 6)

/* set by the loader before it loads the program */
__u8 frame[FLEN];	/* destination port MINPORT, checksums complete */
__u16 lo;		/* MINPORT */
__u32 nports;		/* MAXPORT - MINPORT + 1 */

__u32 next;		/* the next port's index */

SEC("xdp")
int xdpblast(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 i = next, s;
	__u16 port, csum;

	if (data + FLEN > end)
		return XDP_ABORTED;
	__builtin_memcpy(data, frame, FLEN);
	next = i + 1 >= nports ? 0 : i + 1;
	port = (__u16)(lo + i);
	/* RFC 1624: HC' = ~(~HC + ~m + m'), host order on both sides */
	csum = (__u16)(data[UDP_CSUM] << 8 | data[UDP_CSUM + 1]);
	s = (__u16)~csum + (__u16)~lo + port;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	csum = (__u16)~s;
	if (csum == 0)
		csum = 0xffff;
	data[UDP_PORT] = (__u8)(port >> 8);
	data[UDP_PORT + 1] = (__u8)port;
	data[UDP_CSUM] = (__u8)(csum >> 8);
	data[UDP_CSUM + 1] = (__u8)csum;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
