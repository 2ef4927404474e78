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
 * what a UDP socket's does and the router, not the sender, sets the pace.
 * Used by scripts/bench inside the testbed's ap-inet namespace only.
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH	64
#define FLEN	60

static uint16_t
csum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* One frame from src to dst:port, its checksums complete. */
static void
frame(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, uint32_t src, uint32_t dst,
      uint16_t port)
{
	uint8_t *ip = f + 14, *u = ip + 20, ph[12];
	uint16_t c;

	memset(f, 0, FLEN);
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = 46;			/* total length */
	ip[6] = 0x40;			/* DF */
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	c = csum(ip, 20, 0);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	u[0] = 0x9c;			/* source port 40000 */
	u[1] = 0x40;
	u[2] = (uint8_t)(port >> 8);
	u[3] = (uint8_t)port;
	u[5] = 26;			/* UDP length */
	memset(u + 8, 'x', 18);
	memcpy(ph, ip + 12, 8);
	ph[8] = 0;
	ph[9] = 17;
	ph[10] = 0;
	ph[11] = 26;
	{
		uint32_t s = 0;

		for (int i = 0; i < 12; i += 2)
			s += (uint32_t)(ph[i] << 8 | ph[i + 1]);
		c = csum(u, 26, s);
	}
	if (c == 0)
		c = 0xffff;
	u[6] = (uint8_t)(c >> 8);
	u[7] = (uint8_t)c;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_halen = 6 };
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	struct ifreq ifr;
	uint8_t dmac[6], smac[6], *frames;
	unsigned lo, hi, n, next = 0;
	uint32_t src, dst;
	unsigned long long sent = 0;
	double end;
	int fd, one = 1;

	if (argc != 8 || sscanf(argv[2], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &dmac[0], &dmac[1],
				&dmac[2], &dmac[3], &dmac[4], &dmac[5]) != 6 ||
	    inet_pton(AF_INET, argv[3], &src) != 1 || inet_pton(AF_INET, argv[4], &dst) != 1) {
		fprintf(stderr, "usage: rawblast IFNAME DSTMAC SRC DST MINPORT MAXPORT SECONDS\n");
		return 2;
	}
	lo = (unsigned)atoi(argv[5]);
	hi = (unsigned)atoi(argv[6]);
	if (lo == 0 || hi < lo || hi > 65535)
		return 2;
	fd = socket(AF_PACKET, SOCK_RAW, 0);	/* protocol 0: sends only, receives nothing */
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		perror("rawblast");
		return 1;
	}
	memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);
	ll.sll_ifindex = (int)if_nametoindex(argv[1]);
	memcpy(ll.sll_addr, dmac, 6);
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	n = hi - lo + 1;
	frames = malloc((size_t)n * FLEN);
	if (!frames)
		return 1;
	for (unsigned i = 0; i < n; i++)
		frame(frames + (size_t)i * FLEN, dmac, smac, src, dst, (uint16_t)(lo + i));
	memset(msg, 0, sizeof(msg));
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_len = FLEN;
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
		msg[i].msg_hdr.msg_name = &ll;
		msg[i].msg_hdr.msg_namelen = sizeof(ll);
	}
	end = now_s() + atof(argv[7]);
	while (now_s() < end) {
		for (int i = 0; i < BATCH; i++) {
			iov[i].iov_base = frames + (size_t)next * FLEN;
			next = next + 1 == n ? 0 : next + 1;
		}
		int r = sendmmsg(fd, msg, BATCH, 0);

		if (r > 0)
			sent += (unsigned)r;
	}
	{
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		printf("%llu %lld\n", sent,
		       (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
		       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	}
	return 0;
}
