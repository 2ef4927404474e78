/* SPDX-License-Identifier: MIT */
/*
 * BENCH_QUICK (make bench BENCH_QUICK=1): every benchmark runs briefly,
 * same table, fewer rounds; for the fresh-machine test and CI, where the
 * figures only have to appear, not to be precise.
 */
#ifndef BENCH_QUICK_H
#define BENCH_QUICK_H

#include <stdlib.h>

static inline int
bench_quick(void)
{
	const char *q = getenv("BENCH_QUICK");

	return q != NULL && *q != '\0' && !(q[0] == '0' && q[1] == '\0');
}

#endif
