/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the allocation log and the SMAP's state file
 * (the PRR's state journal is fuzz_journal's):
 *   byte 0 odd       the rest is the PRR's allocation log, searched by
 *                    whois_log for an address, port and time taken from
 *                    bytes 1-8
 *          even      the rest is the SMAP's mapping state file
 *                    (smap/portmap/portmap_state.c) loaded into a table of
 *                    ports 10000-10999; saved and loaded again the same
 * fuzz-options: -max_len=4096 -close_fd_mask=2
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prr/state.h"
#include "smap/portmap/maptable.h"
#include "smap/portmap/portmap_state.h"
#include "tests/fuzz/lib.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
alloc_log(const uint8_t *data, size_t size)
{
	struct whois_hit hits[8];
	uint32_t ipv4 = 0xc0000201u;
	uint16_t port = 10500;
	uint64_t at = 1700000000;
	FILE *f;
	int n;

	if (size >= 8) {
		port = (uint16_t)(data[0] << 8 | data[1]);
		ipv4 = 0xc0000200u | data[2];
		at = 1700000000ull + ((uint64_t)data[3] << 24 | (uint64_t)data[4] << 16 |
				      (uint64_t)data[5] << 8 | data[6]);
		data += 8;
		size -= 8;
	}
	f = fmemopen((void *)data, size ? size : 1, "r");
	if (!f)
		abort();
	n = whois_log(f, ipv4, port, at, hits, 8);
	if (n < 0 || n > 8)
		abort();
	for (int i = 0; i < n; i++)
		if (hits[i].b.ipv4 != ipv4 || !portset_contains(&hits[i].b.ps, port) ||
		    hits[i].event[sizeof(hits[i].event) - 1] != '\0')
			abort();
	fclose(f);
}

static void
portmap_state(const uint8_t *data, size_t size)
{
	struct portset ps = portset_range(10000, 10999);
	struct maptable *t = maptable_new(&ps, 256, 0), *t2 = maptable_new(&ps, 256, 0);
	uint64_t base, base2, now = 1700000000;
	const char *path, *path2;

	if (!t || !t2)
		abort();
	path = fuzz_file("state", data, size);
	path2 = fuzz_file("state2", NULL, 0);
	if (portmap_state_load(path, t, now, &base) < 0 || base > now)
		abort();
	if (portmap_state_save(path2, t, base) < 0)
		abort();
	if (portmap_state_load(path2, t2, now, &base2) < 0 || base2 != base ||
	    maptable_count(t2) != maptable_count(t))
		abort();
	for (unsigned i = 0; i < maptable_count(t); i++) {
		const struct mapping *m = maptable_at(t, i);

		if (!portset_contains(&ps, m->ext_port))
			abort();
	}
	maptable_free(t);
	maptable_free(t2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		alloc_log(data + 1, size - 1);
	else
		portmap_state(data + 1, size - 1);
	return 0;
}
