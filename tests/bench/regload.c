/* SPDX-License-Identifier: MIT */
/*
 * regload: a PCP registration load generator for the PRR (make bench,
 * scripts/bench-register). Real PCP MAP requests with PORT_SET over UDP,
 * each from its own source address, one subscriber /64 each:
 *
 *   source i = PREFIX:(0x8000_0000 + i as bytes 4..7)::1, nonce from i
 *
 * so the addresses must be local (the bench routes 2001:db8:8000::/33 to
 * lo with a local route) and a second run with the same COUNT renews
 * what the first registered, with the same nonces.
 *
 *   regload SERVER6 PORT COUNT [WINDOW [FIRST]]
 *
 * REGLOAD_ANSWERS=FILE writes "SOURCE IPV4 PORT" for each SUCCESS (the
 * external address and first port of the set), for tests that look for
 * a set given twice.
 * FIRST (default 0) shifts the sources: two generators with disjoint
 * ranges are different subscribers (several PRRs, make bench).
 *
 * Keeps WINDOW requests in flight (sendmmsg/recvmmsg, the source of each
 * in IPV6_PKTINFO), asks again for what is unanswered after 200 ms of
 * silence, and prints "answered success seconds per_second".
 * `regload echo PORT` is the baseline: a UDP server that answers each
 * datagram with itself, the least any server can do.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "pcp.h"

#define BATCH 64

static uint32_t first;	/* the first source's number */

static double
now_s(void)
{
	return clock_ms() / 1e3;
}

static void
source(uint32_t i, struct in6_addr *a)
{
	inet_pton(AF_INET6, "2001:db8::1", a);
	i += 0x80000000u;
	a->s6_addr[4] = (uint8_t)(i >> 24);
	a->s6_addr[5] = (uint8_t)(i >> 16);
	a->s6_addr[6] = (uint8_t)(i >> 8);
	a->s6_addr[7] = (uint8_t)i;
}

static size_t
request(uint32_t i, uint8_t *buf, size_t cap)
{
	struct pcp_request req;

	memset(&req, 0, sizeof(req));
	req.opcode = PCP_OP_MAP;
	req.lifetime = 7200;
	source(first + i, &req.client);
	memset(req.nonce, 0x5a, sizeof(req.nonce));
	memcpy(req.nonce, &i, sizeof(i));
	memcpy(req.nonce + 4, &first, sizeof(first));
	req.has_port_set = true;
	req.port_set.size = 1;
	return pcp_build_request(buf, cap, &req);
}

/* as big as the PRR's (8 MB): a window of answers must not overflow it */
static void
big_rcvbuf(int fd)
{
	int rcvbuf = 8 << 20;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
}

static int
echo(unsigned port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	int fd = socket(AF_INET6, SOCK_DGRAM, 0), one = 1;
	uint8_t buf[BATCH][1200];
	struct sockaddr_in6 from[BATCH];
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];

	setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	big_rcvbuf(fd);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("regload echo: bind");
		return 1;
	}
	for (;;) {
		int n;
		for (int i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){ buf[i], sizeof(buf[i]) };
			m[i].msg_hdr = (struct msghdr){ .msg_name = &from[i], .msg_namelen = sizeof(from[i]),
							.msg_iov = &iov[i], .msg_iovlen = 1 };
		}
		n = recvmmsg(fd, m, BATCH, MSG_WAITFORONE, NULL);
		if (n < 0)
			continue;
		/* answered in one sendmmsg, as the PRR does */
		for (int i = 0; i < n; i++)
			iov[i].iov_len = m[i].msg_len;
		sendmmsg(fd, m, (unsigned)n, 0);
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_in6 srv = { .sin6_family = AF_INET6 };
	uint32_t count, window = 512, next = 0, inflight = 0, answered = 0, ok = 0;
	uint8_t *done;
	double t0, last;
	int fd, one = 1;
	FILE *answers = NULL;

	if (argc >= 3 && strcmp(argv[1], "echo") == 0)
		return echo((unsigned)atoi(argv[2]));
	if (argc < 4 || inet_pton(AF_INET6, argv[1], &srv.sin6_addr) != 1) {
		fprintf(stderr, "usage: regload SERVER6 PORT COUNT [WINDOW [FIRST]] | regload echo PORT\n");
		return 2;
	}
	srv.sin6_port = htons((uint16_t)atoi(argv[2]));
	count = (uint32_t)strtoul(argv[3], NULL, 10);
	if (argc > 4)
		window = (uint32_t)strtoul(argv[4], NULL, 10);
	if (argc > 5)
		first = (uint32_t)strtoul(argv[5], NULL, 10);
	done = calloc(count, 1);
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (!done || fd < 0)
		return 1;
	big_rcvbuf(fd);
	setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	if (getenv("REGLOAD_ANSWERS") && !(answers = fopen(getenv("REGLOAD_ANSWERS"), "w"))) {
		perror("regload: REGLOAD_ANSWERS");
		return 1;
	}
	t0 = last = now_s();
	while (answered < count) {
		struct mmsghdr m[BATCH];
		struct iovec iov[BATCH];
		uint8_t buf[BATCH][1200];
		union { char c[CMSG_SPACE(sizeof(struct in6_pktinfo))]; struct cmsghdr h; } cm[BATCH];
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n = 0;

		/* silence with the window full: those requests went unanswered; ask again */
		if (inflight >= window && now_s() - last >= 0.2) {
			next = 0;
			inflight = 0;
			last = now_s();
		}
		/* fill the window */
		while (inflight < window && n < BATCH) {
			struct in6_pktinfo pi = { 0 };
			struct cmsghdr *c;
			uint32_t i;

			if (next >= count) {
				/* silence: ask again for what is still unanswered */
				if (now_s() - last < 0.2)
					break;
				next = 0;
				inflight = 0;
				last = now_s();
			}
			while (next < count && done[next])
				next++;
			if (next >= count)
				break;
			i = next++;
			iov[n] = (struct iovec){ buf[n], request(i, buf[n], sizeof(buf[n])) };
			source(first + i, &pi.ipi6_addr);
			m[n].msg_hdr = (struct msghdr){ .msg_name = &srv, .msg_namelen = sizeof(srv),
							.msg_iov = &iov[n], .msg_iovlen = 1,
							.msg_control = cm[n].c, .msg_controllen = sizeof(cm[n].c) };
			c = CMSG_FIRSTHDR(&m[n].msg_hdr);
			c->cmsg_level = IPPROTO_IPV6;
			c->cmsg_type = IPV6_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(c), &pi, sizeof(pi));
			n++;
			inflight++;
		}
		if (n && sendmmsg(fd, m, (unsigned)n, 0) < 0 && errno != EAGAIN) {
			perror("regload: sendmmsg");
			return 1;
		}
		if (poll(&p, 1, 50) <= 0)
			continue;
		for (int i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){ buf[i], sizeof(buf[i]) };
			m[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1 };
		}
		n = recvmmsg(fd, m, BATCH, MSG_DONTWAIT, NULL);
		for (int k = 0; k < n; k++) {
			uint32_t i;

			if (m[k].msg_len < 36)
				continue;
			memcpy(&i, buf[k] + 24, sizeof(i));	/* the nonce says who */
			if (i >= count || done[i])
				continue;
			done[i] = 1;
			answered++;
			ok += buf[k][3] == PCP_SUCCESS;
			if (answers && buf[k][3] == PCP_SUCCESS && m[k].msg_len >= 60)
				fprintf(answers, "%u %u.%u.%u.%u %u\n", first + i, buf[k][56], buf[k][57],
					buf[k][58], buf[k][59], buf[k][42] << 8 | buf[k][43]);
			if (inflight)
				inflight--;
			last = now_s();
		}
	}
	if (answers)
		fclose(answers);
	printf("%u %u %.3f %.0f\n", answered, ok, now_s() - t0, answered / (now_s() - t0));
	return 0;
}
