/* SPDX-License-Identifier: MIT */
/*
 * udpblast: send UDP datagrams as fast as sendmmsg allows for a while,
 * to the ports MIN..MAX of one address in turn; print how many were sent,
 * and the CPU time it used (user + system, microseconds) after it.
 *   udpblast ADDR MINPORT MAXPORT SECONDS [PAYLOAD]
 * Used by scripts/bench inside the testbed's ap-inet namespace only.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 64

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
	struct sockaddr_in dst[BATCH];
	struct mmsghdr msg[BATCH];
	struct iovec iov;
	static char payload[1500];
	unsigned lo, hi, port;
	double secs, end;
	unsigned long long sent = 0;
	size_t plen = 18;	/* 18 bytes: a 46-byte IPv4 packet, 64 on the wire */
	int fd;

	if (argc < 5) {
		fprintf(stderr, "usage: udpblast ADDR MINPORT MAXPORT SECONDS [PAYLOAD]\n");
		return 2;
	}
	lo = (unsigned)atoi(argv[2]);
	hi = (unsigned)atoi(argv[3]);
	secs = atof(argv[4]);
	if (argc > 5)
		plen = (size_t)atoi(argv[5]);
	if (plen > sizeof(payload) || lo == 0 || hi < lo)
		return 2;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return 1;
	iov.iov_base = payload;
	iov.iov_len = plen;
	port = lo;
	end = now_s() + secs;
	while (now_s() < end) {
		for (int i = 0; i < BATCH; i++) {
			memset(&dst[i], 0, sizeof(dst[i]));
			dst[i].sin_family = AF_INET;
			inet_pton(AF_INET, argv[1], &dst[i].sin_addr);
			dst[i].sin_port = htons((uint16_t)port);
			port = port == hi ? lo : port + 1;
			memset(&msg[i], 0, sizeof(msg[i]));
			msg[i].msg_hdr.msg_name = &dst[i];
			msg[i].msg_hdr.msg_namelen = sizeof(dst[i]);
			msg[i].msg_hdr.msg_iov = &iov;
			msg[i].msg_hdr.msg_iovlen = 1;
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
