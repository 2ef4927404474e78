/* SPDX-License-Identifier: MIT */
/*
 * Binding table benchmark: load 1,000,000 bindings (btable_add + build,
 * input in random order) and look up random (address, port) hits, one at
 * a time and in bursts of 32 as a packet batch would. BENCH_QUICK: 1/16
 * of the lookups, once instead of 4 times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prr/binding.h"
#include "tests/bench/quick.h"

#define NBIND	1000000u
#define NLOOK	(4u << 20)
#define BURST	32

static uint32_t nlook = NLOOK, nrep = 4;	/* BENCH_QUICK: fewer */

struct layout {
	const char *name;
	uint32_t per_addr;	/* bindings per IPv4 address */
	void (*make)(uint32_t i, struct binding *);
};

static void
make_range1000(uint32_t i, struct binding *b)
{
	uint32_t lo = 1024 + (i % 64) * 1000;	/* 1024-65023 */

	b->ipv4 = 0x0a000000u + i / 64;
	b->ps = portset_range((uint16_t)lo, (uint16_t)(lo + 999));
}

static void
make_lw4o6(uint32_t i, struct binding *b)
{
	/* PSID 0 would be ports 0-1023: left out, as usual */
	b->ipv4 = 0x0a000000u + i / 63;
	b->ps = portset_psid(0, 6, 1 + i % 63);
}

static void
make_mape(uint32_t i, struct binding *b)
{
	b->ipv4 = 0x0a000000u + i / 63;
	b->ps = portset_psid(6, 6, 1 + i % 63);
}

static void
make_single(uint32_t i, struct binding *b)
{
	b->ipv4 = 0x0a000000u + i * 3;
	b->ps = portset_range(1024, 65535);
}

static const struct layout layouts[] = {
	{ "range 1000 ports", 64, make_range1000 },
	{ "lw4o6 psid 0/6", 63, make_lw4o6 },
	{ "map-e psid 6/6", 63, make_mape },
	{ "1 per address", 1, make_single },
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64*: cheap and good enough to pick bindings and ports */
static uint64_t rng = 88172645463325252ULL;

static uint32_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ULL) >> 32);
}

static void
make_binding(const struct layout *l, uint32_t i, struct binding *b)
{
	memset(b, 0, sizeof(*b));
	b->ipv6.s6_addr[0] = 0x20;
	b->ipv6.s6_addr[1] = 0x01;
	b->ipv6.s6_addr[2] = 0x0d;
	b->ipv6.s6_addr[3] = 0xb8;
	memcpy(&b->ipv6.s6_addr[4], &i, sizeof(i));
	b->ipv6.s6_addr[15] = 2;
	l->make(i, b);
}

static int
run(const struct layout *l)
{
	static struct binding in[NBIND];
	static uint32_t qip[NLOOK];
	static uint16_t qport[NLOOK];
	static const struct binding *out[BURST];
	struct btable *t;
	struct binding tmp;
	char err[256];
	double t0, t1, t2, t3, t4;
	uint32_t i, j;
	uintptr_t sink = 0;
	size_t miss = 0;
	int p;

	for (i = 0; i < NBIND; i++)
		make_binding(l, i, &in[i]);
	/* random input order: the build has to sort */
	for (i = NBIND - 1; i > 0; i--) {
		j = rnd() % (i + 1);
		tmp = in[i];
		in[i] = in[j];
		in[j] = tmp;
	}
	/* random hits: a random binding, a random port of it */
	for (i = 0; i < nlook; i++) {
		const struct binding *b = &in[rnd() % NBIND];

		p = portset_next(&b->ps, rnd() & 0xffff);
		if (p < 0)
			p = portset_next(&b->ps, 0);
		qip[i] = b->ipv4;
		qport[i] = (uint16_t)p;
	}

	t0 = now();
	if ((t = btable_new(NBIND)) == NULL)
		return -1;
	for (i = 0; i < NBIND; i++)
		if (btable_add(t, &in[i], err, sizeof(err)) == -1)
			goto fail;
	t1 = now();
	if (btable_build(t, err, sizeof(err)) == -1)
		goto fail;
	t2 = now();

	for (j = 0; j < nrep; j++)
		for (i = 0; i < nlook; i++) {
			const struct binding *b = btable_lookup(t, qip[i],
			    qport[i]);

			/* read the answer, as the encapsulation would */
			if (b == NULL)
				miss++;
			else
				sink += b->ipv6.s6_addr[15];
		}
	t3 = now();
	for (j = 0; j < nrep; j++)
		for (i = 0; i < nlook; i += BURST) {
			btable_lookup_burst(t, BURST, qip + i, qport + i, out);
			for (p = 0; p < BURST; p++) {
				if (out[p] == NULL)
					miss++;
				else
					sink += out[p]->ipv6.s6_addr[15];
			}
		}
	t4 = now();

	printf("%-18s %9u %8u %8.0f %8.0f %8.1f %9.1f %9.1f\n", l->name,
	    NBIND, (NBIND + l->per_addr - 1) / l->per_addr,
	    (t2 - t0) * 1e3, (t2 - t1) * 1e3,
	    (double)btable_memory(t) / NBIND,
	    nrep * (double)nlook / (t3 - t2) / 1e6,
	    nrep * (double)nlook / (t4 - t3) / 1e6);
	btable_free(t);
	if (miss != 0) {
		fprintf(stderr, "%s: %zu lookups missed (sink %lx)\n", l->name,
		    miss, (unsigned long)sink);
		return -1;
	}
	return 0;
fail:
	fprintf(stderr, "%s: %s\n", l->name, err);
	btable_free(t);
	return -1;
}

int
main(void)
{
	size_t i;
	int rc = 0;

	if (bench_quick()) {
		nlook = NLOOK / 16;
		nrep = 1;
	}
	printf("binding table: %u bindings added in random order, %u random "
	    "hits x %u\n", NBIND, nlook, nrep);
	printf("%-18s %9s %8s %8s %8s %8s %9s %9s\n", "layout", "bindings",
	    "addrs", "load ms", "build ms", "B/bind", "Mlookup/s",
	    "burst M/s");
	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (run(&layouts[i]) == -1)
			rc = 1;
	return rc;
}
