/* SPDX-License-Identifier: MIT */
/*
 * What the benchmark senders (rawblast, xdpblast) share, so both put the
 * same bytes on the wire and take the same arguments:
 *   NAME IFNAME DSTMAC SRC DST MINPORT MAXPORT SECONDS
 * The frame: a ready-made 60-byte Ethernet frame (IPv4 UDP from port
 * 40000, 18 bytes of payload, checksums complete: 64 bytes on the wire
 * with the FCS) to DST:port, port MINPORT..MAXPORT in turn.
 * The output: "SENT CPU-MICROSECONDS" (user + system).
 */
#ifndef AP_BENCH_BLAST_H
#define AP_BENCH_BLAST_H

#include <arpa/inet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define UDPFRAME_LEN	60

static inline uint16_t
udpframe_csum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* One frame from src to dst:port (addresses in network order), its
 * checksums complete. */
static inline void
udpframe(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, uint32_t src, uint32_t dst,
	 uint16_t port)
{
	uint8_t *ip = f + 14, *u = ip + 20, ph[12];
	uint32_t s = 0;
	uint16_t c;

	memset(f, 0, UDPFRAME_LEN);
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
	c = udpframe_csum(ip, 20, 0);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	u[0] = 0x9c;			/* source port 40000 */
	u[1] = 0x40;
	u[2] = (uint8_t)(port >> 8);
	u[3] = (uint8_t)port;
	u[5] = 26;			/* UDP length */
	memset(u + 8, 'x', 18);
	memcpy(ph, ip + 12, 8);		/* the pseudo-header */
	ph[8] = 0;
	ph[9] = 17;
	ph[10] = 0;
	ph[11] = 26;
	for (int i = 0; i < 12; i += 2)
		s += (uint32_t)(ph[i] << 8 | ph[i + 1]);
	c = udpframe_csum(u, 26, s);
	if (c == 0)
		c = 0xffff;
	u[6] = (uint8_t)(c >> 8);
	u[7] = (uint8_t)c;
}

struct blast {
	uint8_t dmac[6], smac[6];
	uint32_t src, dst;		/* network order */
	unsigned lo, hi, ifindex;
	double secs;
};

/* The arguments, and the interface's index and address; false after a
 * message. */
static inline bool
blast_args(struct blast *b, int argc, char **argv)
{
	struct ifreq ifr;
	int fd;

	memset(b, 0, sizeof(*b));
	if (argc != 8 || sscanf(argv[2], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &b->dmac[0], &b->dmac[1],
				&b->dmac[2], &b->dmac[3], &b->dmac[4], &b->dmac[5]) != 6 ||
	    inet_pton(AF_INET, argv[3], &b->src) != 1 || inet_pton(AF_INET, argv[4], &b->dst) != 1) {
		fprintf(stderr, "usage: %s IFNAME DSTMAC SRC DST MINPORT MAXPORT SECONDS\n", argv[0]);
		return false;
	}
	b->lo = (unsigned)atoi(argv[5]);
	b->hi = (unsigned)atoi(argv[6]);
	b->secs = atof(argv[7]);
	if (b->lo == 0 || b->hi < b->lo || b->hi > 65535) {
		fprintf(stderr, "%s: bad port range %s-%s\n", argv[0], argv[5], argv[6]);
		return false;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		perror(argv[1]);
		return false;
	}
	close(fd);
	memcpy(b->smac, ifr.ifr_hwaddr.sa_data, 6);
	b->ifindex = if_nametoindex(argv[1]);
	return true;
}

static inline double
blast_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "SENT CPU-MICROSECONDS" on stdout */
static inline void
blast_report(unsigned long long sent)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	printf("%llu %lld\n", sent,
	       (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

#endif
