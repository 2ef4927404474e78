/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target (fuzz_journal) for the PRR's state journal (prr/store_journal.c):
 * the input is the state file, replayed into a registry over a small
 * pool (two addresses of 55 ranges, and an operator set in it). Aborts
 * on a broken promise: the load never fails on content, the registry's
 * counts agree with what it lists, no two SMAPs hold overlapping sets,
 * every active dynamic set is live in the pool and nothing else is, and
 * a compaction reloads into the same entries. See tests/fuzz/README.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prr/registry.h"
#include "prr/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void
cleanup(void)
{
	unlink(path);
}

static void
init(struct registry *r)
{
	struct alloc_params ap = { .addrs = { 0xc0000201, 0xc0000202 }, .n_addrs = 2, .size = 1000,
				   .first_port = 10000, .lifetime = 3600, .hold_time = 600 };
	struct reg_limits lim = { .subscriber_plen = 64, .sets_per_subscriber = 1 };

	if (registry_init(r, &ap) < 0)
		abort();
	registry_set_limits(r, &lim);
}

static size_t
check(const struct registry *r)
{
	struct reg_entry e, *all = malloc((registry_count(r) + 1) * sizeof(*all));
	size_t pos = 0, n = 0, live = 0;

	while (registry_iter(r, &pos, &e)) {
		if (n > registry_count(r))
			abort();
		all[n++] = e;
	}
	if (n != registry_count(r))
		abort();
	for (size_t i = 0; i < n; i++) {
		if (!portset_valid(&all[i].b.ps, NULL, 0))
			abort();
		for (size_t j = i + 1; j < n; j++)
			if (all[i].b.ipv4 == all[j].b.ipv4 &&
			    memcmp(&all[i].b.ipv6, &all[j].b.ipv6, 16) != 0 &&
			    portset_overlap(&all[i].b.ps, &all[j].b.ps))
				abort();
		if (all[i].origin == REG_DYNAMIC && all[i].held_until == 0) {
			const struct binding *b = pool_lookup(r->pool, all[i].b.ipv4, all[i].b.ps.min);
			if (!b || memcmp(&b->ipv6, &all[i].b.ipv6, 16) != 0)
				abort();
		}
	}
	for (uint32_t k = 0; k < r->pool->n; k++)
		live += pool_is_live(r->pool, k);
	for (size_t i = 0; i < n; i++)
		live -= all[i].origin == REG_DYNAMIC && all[i].held_until == 0;
	if (live != 0)
		abort();
	free(all);
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct registry r, r2;
	struct store_report rep;
	struct store *st;
	char err[256];
	FILE *f;
	size_t n;

	if (!path[0]) {
		snprintf(path, sizeof(path), "/tmp/fuzz-state-%d", (int)getpid());
		atexit(cleanup);
	}
	if (!(f = fopen(path, "w")))
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	init(&r);
	if (!(st = store_journal_open(path, err, sizeof(err))) ||
	    store_load(st, &r, &rep, err, sizeof(err)) < 0)
		abort();	/* content never makes the load fail */
	n = check(&r);
	if (store_compact(st, &r) < 0)
		abort();
	store_close(st);
	init(&r2);
	if (!(st = store_journal_open(path, err, sizeof(err))) ||
	    store_load(st, &r2, &rep, err, sizeof(err)) < 0)
		abort();
	if (rep.bad || rep.refused || check(&r2) != n)
		abort();	/* what a compaction writes reads back whole */
	store_close(st);
	registry_free(&r2);
	registry_free(&r);
	return 0;
}
