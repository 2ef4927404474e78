/* SPDX-License-Identifier: MIT */
/*
 * Port sets: a contiguous range [min, max], or a MAP-E PSID set
 * (RFC 7597 5.1: offset a, PSID length k, PSID value).
 */
#ifndef AP_PORTSET_H
#define AP_PORTSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum portset_kind {
	PORTSET_RANGE = 0,
	PORTSET_PSID = 1,
};

struct portset {
	uint8_t kind;		/* enum portset_kind */
	uint8_t offset;		/* PSID: a, 0..15 */
	uint8_t psid_len;	/* PSID: k, 0..16, a + k <= 16 */
	uint8_t pad;
	uint16_t psid;		/* PSID: value, < 2^k */
	uint16_t min, max;	/* RANGE: inclusive bounds */
};

/* RFC 7597 5.1: the PSID a port belongs to, for offset a and length k. */
static inline uint16_t
psid_of_port(uint16_t port, unsigned a, unsigned k)
{
	if (k == 0)
		return 0;
	return (uint16_t)((port >> (16 - a - k)) & ((1u << k) - 1));
}

struct portset portset_range(uint16_t min, uint16_t max);
struct portset portset_psid(unsigned offset, unsigned psid_len, unsigned psid);

/* false and a message in err (quoting the bad value) if not well formed */
bool portset_valid(const struct portset *, char *err, size_t errlen);
bool portset_contains(const struct portset *, uint16_t port);
uint32_t portset_size(const struct portset *);
/* Smallest port >= from in the set, or -1 when there is none. */
int portset_next(const struct portset *, uint32_t from);
bool portset_overlap(const struct portset *, const struct portset *);
/* "10000-10999" or "psid 5/6 offset 6"; returns snprintf's value */
int portset_format(const struct portset *, char *buf, size_t len);
/* Parses "MIN-MAX", "PORT", or "psid=P/K[,offset=A]" (offset default 0). */
bool portset_parse(const char *s, struct portset *out, char *err, size_t errlen);
/*
 * The contiguous blocks of the set, in order: calls fn(arg, lo, hi) for
 * each; a range is one block, a PSID set with offset a has 2^a - 1 blocks
 * (block 0, the low ports, is excluded when a > 0, RFC 7597 5.1).
 */
void portset_blocks(const struct portset *,
		    void (*fn)(void *arg, uint16_t lo, uint16_t hi), void *arg);

#endif
