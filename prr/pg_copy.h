/* SPDX-License-Identifier: MIT */
/*
 * PostgreSQL's binary COPY format (COPY ... TO STDOUT (FORMAT binary)),
 * read: pure functions over the bytes libpq hands over, one row per
 * message (the file header comes before the first row, the trailer is
 * a message of its own). Integers are big-endian; a field is a 32-bit
 * length (-1: NULL) and that many bytes.
 */
#ifndef PRR_PG_COPY_H
#define PRR_PG_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pgcopy_field {
	const uint8_t *p;
	int32_t len;		/* -1: NULL */
};

/* The file header at the start of buf: its length (19 and its extension), or -1. */
long pgcopy_header(const uint8_t *buf, size_t len);
/* A row: its field count (up to max filled in), 0 for the trailer, -1 malformed or over max. */
int pgcopy_row(const uint8_t *buf, size_t len, struct pgcopy_field *f, int max);
/* An inet field of family 4 or 6 (a host, not a network), its bytes in network order to out. */
bool pgcopy_inet(const struct pgcopy_field *, int family, uint8_t *out);
/* An int2, int4 or int8 field. */
bool pgcopy_int(const struct pgcopy_field *, int64_t *);
/* A text field, NUL-terminated into buf (false if NULL or too long). */
bool pgcopy_text(const struct pgcopy_field *, char *buf, size_t len);

#endif
