/* SPDX-License-Identifier: MIT */
/*
 * rawblast: send ready-made 60-byte Ethernet frames (IPv4 UDP, 18 bytes
 * of payload, checksums complete: 64 bytes on the wire with the FCS) out
 * of one interface for a while, to the ports MIN..MAX of one address in
 * turn; print how many were sent and the CPU time it used (user +
 * system, microseconds).
 *   rawblast IFNAME DSTMAC SRC DST MINPORT MAXPORT SECONDS
 * A packet socket with PACKET_QDISC_BYPASS and sendmmsg: no UDP socket,
 * route look-up or qdisc per packet, so the sender costs a fraction of
 * what a UDP socket's does. Each frame is an skb from a local sender:
 * a veth peer with XDP copies it into a page with headroom first
 * (xdpblast sends xdp_frames instead). Used by scripts/bench inside the
 * testbed's ap-inet namespace only.
 */
#include <linux/if_packet.h>

#include "tests/bench/blast.h"

#define BATCH	64
#define FLEN	UDPFRAME_LEN

int
main(int argc, char **argv)
{
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_halen = 6 };
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	struct blast b;
	uint8_t *frames;
	unsigned n, next = 0;
	unsigned long long sent = 0;
	double end;
	int fd, one = 1;

	if (!blast_args(&b, argc, argv))
		return 2;
	fd = socket(AF_PACKET, SOCK_RAW, 0);	/* protocol 0: sends only, receives nothing */
	if (fd < 0) {
		perror("rawblast");
		return 1;
	}
	ll.sll_ifindex = (int)b.ifindex;
	memcpy(ll.sll_addr, b.dmac, 6);
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	n = b.hi - b.lo + 1;
	frames = malloc((size_t)n * FLEN);
	if (!frames)
		return 1;
	for (unsigned i = 0; i < n; i++)
		udpframe(frames + (size_t)i * FLEN, b.dmac, b.smac, b.src, b.dst,
			 (uint16_t)(b.lo + i));
	memset(msg, 0, sizeof(msg));
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_len = FLEN;
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
		msg[i].msg_hdr.msg_name = &ll;
		msg[i].msg_hdr.msg_namelen = sizeof(ll);
	}
	end = blast_now() + b.secs;
	while (blast_now() < end) {
		for (int i = 0; i < BATCH; i++) {
			iov[i].iov_base = frames + (size_t)next * FLEN;
			next = next + 1 == n ? 0 : next + 1;
		}
		int r = sendmmsg(fd, msg, BATCH, 0);

		if (r > 0)
			sent += (unsigned)r;
	}
	blast_report(sent);
	return 0;
}
