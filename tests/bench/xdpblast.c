/* SPDX-License-Identifier: MIT */
/*
 * xdpblast: rawblast's frames, sent by the kernel itself: BPF_PROG_RUN of
 * bpf/xdpblast.bpf.c with BPF_F_TEST_XDP_LIVE_FRAMES (Linux 5.18, as
 * xdp-trafficgen does), each run's XDP_TX a redirect out of IFNAME.
 * Out of a veth, the frames reach the peer as xdp_frames: no skb and no
 * copy on the sending side, so the receiver, not the sender, sets the
 * pace. The peer takes them only with a NAPI (an XDP program or GRO on
 * it); a frame its ring has no room for is dropped by the sending veth.
 *   xdpblast IFNAME DSTMAC SRC DST MINPORT MAXPORT SECONDS
 * Prints the frames the program sent and its CPU time (the runs are in
 * this process's system time). Used by scripts/bench in ap-inet only.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "tests/bench/blast.h"
#include "build/bpf/xdpblast.skel.h"

#define RUNS	8192	/* frames a BPF_PROG_RUN call; a few ms each */

int
main(int argc, char **argv)
{
	struct xdpblast_bpf *skel;
	struct blast b;
	struct xdp_md md = { 0 };
	uint8_t f[UDPFRAME_LEN];
	unsigned long long sent = 0;
	double end;
	int err = 0;

	if (!blast_args(&b, argc, argv))
		return 2;
	udpframe(f, b.dmac, b.smac, b.src, b.dst, (uint16_t)b.lo);
	skel = xdpblast_bpf__open();
	if (!skel) {
		perror("xdpblast: open");
		return 1;
	}
	memcpy(skel->bss->frame, f, sizeof(f));
	skel->bss->lo = (uint16_t)b.lo;
	skel->bss->nports = b.hi - b.lo + 1;
	if (xdpblast_bpf__load(skel)) {
		perror("xdpblast: load");
		xdpblast_bpf__destroy(skel);
		return 1;
	}
	md.ingress_ifindex = b.ifindex;	/* XDP_TX goes out of this one */
	md.data_end = sizeof(f);	/* the kernel wants the frame's length here */
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f, .data_size_in = sizeof(f),
		    .ctx_in = &md, .ctx_size_in = sizeof(md),
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .repeat = RUNS, .batch_size = 64);
	end = blast_now() + b.secs;
	while (blast_now() < end) {
		err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdpblast), &opts);
		if (err) {
			fprintf(stderr, "xdpblast: BPF_PROG_RUN: %s\n", strerror(-err));
			break;
		}
		sent += RUNS;
	}
	xdpblast_bpf__destroy(skel);
	blast_report(sent);
	return err ? 1 : 0;
}
