/* SPDX-License-Identifier: MIT */
/*
 * The pure PRR data path on 1,000,000 bindings with random destinations:
 * packets per second on one core for encapsulation (Internet -> SMAP)
 * and decapsulation with the ownership check (SMAP -> Internet), with
 * 64-byte and 576-byte IPv4 packets. No I/O: the emit callback only counts.
 * The "rule" rows: the same table, plus a MAP-E rule (RFC 7597) whose
 * CEs own no explicit binding: 100.128.0.0/12 with PSID length 6,
 * offset 6 (2^26 CEs), so every packet misses the table and its SMAP's
 * address is computed. Rounds: argv[1], default 30 (BENCH_QUICK: 2).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csum.h"
#include "prr/datapath.h"
#include "pkt.h"
#include "tests/bench/quick.h"

#define ADDRS		15625u		/* x 64 port ranges = 1,000,000 bindings */
#define PER_ADDR	64u
#define RANGE		1008u		/* 64 x 1008 ports from 1024 */
#define POOL		(1u << 16)	/* distinct packets cycled through */
#define BASE4		0x64400000u	/* 100.64.0.0: addresses of the bench */
#define RULE4		0x64800000u	/* 100.128.0.0/12: the MAP-E rule's */

static uint64_t emitted;

static void
count_emit(void *arg, enum prr_side s, const uint8_t *p, size_t l)
{
	(void)arg; (void)s; (void)p; (void)l;
	emitted++;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 88172645463325252ull;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static void
smap_addr(struct in6_addr *a, uint32_t idx)
{
	memset(a, 0, sizeof(*a));
	a->s6_addr[0] = 0x20;
	a->s6_addr[1] = 0x01;
	a->s6_addr[2] = 0x0d;
	a->s6_addr[3] = 0xb8;
	put32(a->s6_addr + 8, idx);
	a->s6_addr[15] = 2;
}

static size_t
udp4(uint8_t *p, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, size_t total)
{
	ipv4_build(p, 0, (uint16_t)total, 1, 0, 64, IPPROTO_UDP, src, dst);
	put16(p + 20, sport);
	put16(p + 22, dport);
	put16(p + 24, (uint16_t)(total - 20));
	put16(p + 26, 0);	/* no UDP checksum: the router does not look */
	memset(p + 28, 0xab, total - 28);
	return total;
}

static double
run(struct prr_ctx *c, uint8_t *pkts, size_t stride, size_t len, bool encap, bool burst,
    unsigned rounds)
{
	const uint8_t *ptr[PRR_BURST];
	size_t lens[PRR_BURST];
	double t0 = now_s(), dt;
	uint64_t n = 0;

	for (unsigned i = 0; i < PRR_BURST; i++)
		lens[i] = len;
	emitted = 0;
	for (unsigned r = 0; r < rounds; r++) {
		if (!burst) {
			for (unsigned i = 0; i < POOL; i++, n++) {
				const uint8_t *p = pkts + (size_t)i * stride;
				if (encap)
					prr_from_inet(c, p, len, 0);
				else
					prr_from_smap(c, p, len, 0);
			}
			continue;
		}
		/* bursts of 32, as the NFQUEUE glue hands them over */
		for (unsigned i = 0; i < POOL; i += 32, n += 32) {
			for (unsigned j = 0; j < 32; j++)
				ptr[j] = pkts + (size_t)(i + j) * stride;
			if (encap)
				prr_from_inet_burst(c, ptr, lens, 32, 0);
			else
				prr_from_smap_burst(c, ptr, lens, 32, 0);
		}
	}
	dt = now_s() - t0;
	if (emitted != n) {
		fprintf(stderr, "bench: %llu of %llu packets emitted: the bench is wrong\n",
			(unsigned long long)emitted, (unsigned long long)n);
		exit(1);
	}
	return (double)n / dt;
}

int
main(int argc, char **argv)
{
	static struct prr_params params;
	struct btable *bt = btable_new(ADDRS * PER_ADDR);
	struct pmtu_cache *pmtu = pmtu_new(1024);
	struct prr_ctx *c = malloc(sizeof(*c));
	struct binding b = { 0 };
	char err[256];
	double t0, load;
	unsigned rounds = argc > 1 ? (unsigned)atoi(argv[1]) : bench_quick() ? 2 : 30;
	static const size_t sizes[] = { 64, 576 };

	prr_params_default(&params);
	params.n_br = 1;
	inet_pton(AF_INET6, "2001:db8:100::1", &params.br[0]);
	params.ipv4_addr = 0xc6336401;
	{
		struct in6_addr p6;

		/* n = 34, o = 20 + 6: End-user prefixes of /60 */
		inet_pton(AF_INET6, "2001:db8:4000::", &p6);
		if (!map_rule_init(&params.rules[0], &p6, 34, RULE4, 12, 26, 6, 0, 0,
				   err, sizeof(err))) {
			fprintf(stderr, "bench: rule: %s\n", err);
			return 1;
		}
		params.n_rules = 1;
	}
	t0 = now_s();
	for (uint32_t a = 0; a < ADDRS; a++)
		for (uint32_t k = 0; k < PER_ADDR; k++) {
			smap_addr(&b.ipv6, a * PER_ADDR + k);
			b.ipv4 = BASE4 + a;
			b.ps = portset_range((uint16_t)(1024 + k * RANGE),
					     (uint16_t)(1024 + k * RANGE + RANGE - 1));
			if (btable_add(bt, &b, err, sizeof(err)) < 0) {
				fprintf(stderr, "bench: %s\n", err);
				return 1;
			}
		}
	if (btable_build(bt, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	load = now_s() - t0;
	if (!c || prr_ctx_init(c, &params, bt, pmtu, count_emit, NULL) < 0)
		return 1;

	printf("bindings: %zu, loaded in %.3f s, %.1f bytes per binding\n",
	       btable_count(bt), load, (double)btable_memory(bt) / (double)btable_count(bt));
	printf("%-22s %-20s %6s %10s %8s\n", "data path (one core)", "", "bytes", "Mpps", "ns/pkt");
	for (size_t si = 0; si < 2; si++) {
		size_t len = sizes[si], stride = len + 40;
		uint8_t *in = malloc((size_t)POOL * stride);
		uint8_t *up = malloc((size_t)POOL * stride);
		uint8_t *rin = malloc((size_t)POOL * stride);
		uint8_t *rup = malloc((size_t)POOL * stride);
		double pps;

		for (unsigned i = 0; i < POOL; i++) {
			uint32_t idx = rnd() % (ADDRS * PER_ADDR);
			uint32_t a = idx / PER_ADDR, k = idx % PER_ADDR;
			uint16_t port = (uint16_t)(1024 + k * RANGE + rnd() % RANGE);
			struct in6_addr s6;

			/* Internet -> SMAP */
			udp4(in + (size_t)i * stride, 0xcb007101, 443, BASE4 + a, port, len);
			/* SMAP -> Internet: IPv6 from the owner, inner from its port */
			smap_addr(&s6, idx);
			ipv6_build(up + (size_t)i * stride, 0, 0, (uint16_t)len, 4, 64, &s6,
				   &params.br[0]);
			udp4(up + (size_t)i * stride + 40, BASE4 + a, port, 0xcb007101, 443, len);
			/* the same for a CE of the rule: any address, a port >= 1024 */
			a = RULE4 + (rnd() & 0xfffff);
			port = (uint16_t)(1024 + rnd() % (65536 - 1024));
			udp4(rin + (size_t)i * stride, 0xcb007101, 443, a, port, len);
			if (!map_rule_addr(&params.rules[0], a, port, &s6))
				return 1;
			ipv6_build(rup + (size_t)i * stride, 0, 0, (uint16_t)len, 4, 64, &s6,
				   &params.br[0]);
			udp4(rup + (size_t)i * stride + 40, a, port, 0xcb007101, 443, len);
		}
		for (int burst = 0; burst < 2; burst++) {
			const char *how = burst ? "burst of 32" : "one at a time";
			pps = run(c, in, stride, len, true, burst, rounds);
			printf("%-22s %-20s %6zu %10.2f %8.1f\n", "encapsulation", how, len,
			       pps / 1e6, 1e9 / pps);
			pps = run(c, up, stride, len + 40, false, burst, rounds);
			printf("%-22s %-20s %6zu %10.2f %8.1f\n", "decap + ownership", how, len,
			       pps / 1e6, 1e9 / pps);
		}
		for (int burst = 0; burst < 2; burst++) {
			const char *how = burst ? "burst of 32" : "one at a time";
			pps = run(c, rin, stride, len, true, burst, rounds);
			printf("%-22s %-20s %6zu %10.2f %8.1f\n", "encapsulation (rule)", how, len,
			       pps / 1e6, 1e9 / pps);
			pps = run(c, rup, stride, len + 40, false, burst, rounds);
			printf("%-22s %-20s %6zu %10.2f %8.1f\n", "decap + check (rule)", how, len,
			       pps / 1e6, 1e9 / pps);
		}
		free(in);
		free(up);
		free(rin);
		free(rup);
	}
	prr_ctx_fini(c);
	free(c);
	btable_free(bt);
	pmtu_free(pmtu);
	return 0;
}
