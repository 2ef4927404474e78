/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for PostgreSQL's binary COPY rows (prr/pg_copy.c),
 * which a PRR on the PostgreSQL store reads at start-up: the input is
 * one message (a file header first when it has one), its fields then
 * read as every type. Promises: no field points outside the input, and
 * the fields with their length words make up exactly the message.
 * fuzz-options: -max_len=1024
 */
#include <stdint.h>
#include <stdlib.h>

#include "prr/pg_copy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgcopy_field f[16];
	long h = pgcopy_header(data, size);
	size_t skip = h > 0 ? (size_t)h : 0, sum = 2;
	int n = pgcopy_row(data + skip, size - skip, f, 16);

	for (int i = 0; i < n; i++) {
		uint8_t a[16];
		char t[64];
		int64_t v;
		size_t len = f[i].len > 0 ? (size_t)f[i].len : 0;

		if (f[i].p < data + skip || f[i].p + len > data + size)
			abort();
		sum += 4 + len;
		(void)pgcopy_inet(&f[i], 4, a);
		(void)pgcopy_inet(&f[i], 6, a);
		(void)pgcopy_int(&f[i], &v);
		(void)pgcopy_text(&f[i], t, sizeof(t));
	}
	if (n > 0 && sum != size - skip)
		abort();
	return 0;
}
