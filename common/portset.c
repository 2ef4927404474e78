/* SPDX-License-Identifier: MIT */
/*
 * Port sets: contiguous ranges and MAP-E PSID sets (RFC 7597 5.1).
 *
 * A PSID set with offset a, PSID length k and m = 16 - a - k splits the
 * port space into 2^a blocks of 2^(16-a) ports; inside every block the
 * set owns the 2^m ports whose k bits after the a high bits equal the
 * PSID. With a > 0, block 0 (ports 0 .. 2^(16-a) - 1, the well-known
 * ports) belongs to nobody (RFC 7597 5.1, "excluded ports").
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portset.h"

struct portset
portset_range(uint16_t min, uint16_t max)
{
	struct portset ps = { .kind = PORTSET_RANGE, .min = min, .max = max };

	return ps;
}

struct portset
portset_psid(unsigned offset, unsigned psid_len, unsigned psid)
{
	struct portset ps = {
		.kind = PORTSET_PSID,
		.offset = (uint8_t)offset,
		.psid_len = (uint8_t)psid_len,
		.psid = (uint16_t)psid,
	};

	/* saturate rather than wrap, so portset_valid() sees a bad value */
	if (offset > UINT8_MAX)
		ps.offset = UINT8_MAX;
	if (psid_len > UINT8_MAX)
		ps.psid_len = UINT8_MAX;
	if (psid > UINT16_MAX)
		ps.psid = UINT16_MAX;
	return ps;
}

bool
portset_valid(const struct portset *ps, char *err, size_t errlen)
{
	unsigned a = ps->offset, k = ps->psid_len;

	switch (ps->kind) {
	case PORTSET_RANGE:
		if (ps->min > ps->max) {
			snprintf(err, errlen, "port range %u-%u: minimum %u is "
			    "above maximum %u", ps->min, ps->max, ps->min,
			    ps->max);
			return false;
		}
		return true;
	case PORTSET_PSID:
		if (a > 15) {
			snprintf(err, errlen, "PSID offset %u is not in 0..15",
			    a);
			return false;
		}
		if (k > 16) {
			snprintf(err, errlen, "PSID length %u is not in 0..16",
			    k);
			return false;
		}
		/* RFC 7597 5.1: a + k <= 16 */
		if (a + k > 16) {
			snprintf(err, errlen, "PSID offset %u + PSID length %u "
			    "= %u exceeds 16 bits", a, k, a + k);
			return false;
		}
		if ((uint32_t)ps->psid >= (1u << k)) {
			snprintf(err, errlen, "PSID %u does not fit in PSID "
			    "length %u (max %u)", ps->psid, k, (1u << k) - 1);
			return false;
		}
		return true;
	default:
		snprintf(err, errlen, "unknown port set kind %u", ps->kind);
		return false;
	}
}

/* PSID geometry: ports per block-slice (2^m) and block size 2^(16-a). */
static inline uint32_t
psid_slice(const struct portset *ps)
{
	return 1u << (16 - ps->offset - ps->psid_len);
}

static inline uint32_t
psid_block(const struct portset *ps)
{
	return 1u << (16 - ps->offset);
}

/* First block a PSID set uses: block 0 is excluded when a > 0. */
static inline uint32_t
psid_first_block(const struct portset *ps)
{
	return ps->offset > 0 ? 1 : 0;
}

static inline uint32_t
psid_nblocks(const struct portset *ps)
{
	return 1u << ps->offset;
}

bool
portset_contains(const struct portset *ps, uint16_t port)
{
	unsigned a = ps->offset;

	if (ps->kind == PORTSET_RANGE)
		return port >= ps->min && port <= ps->max;
	if (a > 0 && (port >> (16 - a)) == 0)
		return false;
	return psid_of_port(port, a, ps->psid_len) == ps->psid;
}

uint32_t
portset_size(const struct portset *ps)
{
	if (ps->kind == PORTSET_RANGE)
		return ps->min <= ps->max ? (uint32_t)ps->max - ps->min + 1 : 0;
	return (psid_nblocks(ps) - psid_first_block(ps)) * psid_slice(ps);
}

int
portset_next(const struct portset *ps, uint32_t from)
{
	uint32_t bsz, slice, blk, lo;

	if (ps->kind == PORTSET_RANGE) {
		if (ps->min > ps->max || from > ps->max)
			return -1;
		return from < ps->min ? ps->min : (int)from;
	}
	if (from > 65535)
		return -1;
	bsz = psid_block(ps);
	slice = psid_slice(ps);
	blk = from / bsz;
	if (blk < psid_first_block(ps))
		blk = psid_first_block(ps);
	for (; blk < psid_nblocks(ps); blk++) {
		lo = blk * bsz + (uint32_t)ps->psid * slice;
		if (from <= lo + slice - 1)
			return (int)(from > lo ? from : lo);
	}
	return -1;
}

void
portset_blocks(const struct portset *ps,
    void (*fn)(void *arg, uint16_t lo, uint16_t hi), void *arg)
{
	uint32_t bsz, slice, blk, lo;

	if (ps->kind == PORTSET_RANGE) {
		if (ps->min <= ps->max)
			fn(arg, ps->min, ps->max);
		return;
	}
	bsz = psid_block(ps);
	slice = psid_slice(ps);
	for (blk = psid_first_block(ps); blk < psid_nblocks(ps); blk++) {
		lo = blk * bsz + (uint32_t)ps->psid * slice;
		fn(arg, (uint16_t)lo, (uint16_t)(lo + slice - 1));
	}
}

static uint32_t
portset_nblocks(const struct portset *ps)
{
	if (ps->kind == PORTSET_RANGE)
		return 1;
	return psid_nblocks(ps) - psid_first_block(ps);
}

struct overlap_walk {
	const struct portset *other;
	bool hit;
};

static void
overlap_block(void *arg, uint16_t lo, uint16_t hi)
{
	struct overlap_walk *w = arg;
	int p;

	if (w->hit)
		return;
	p = portset_next(w->other, lo);
	if (p >= 0 && p <= hi)
		w->hit = true;
}

bool
portset_overlap(const struct portset *x, const struct portset *y)
{
	struct overlap_walk w;

	if (portset_size(x) == 0 || portset_size(y) == 0)
		return false;
	if (x->kind == PORTSET_RANGE && y->kind == PORTSET_RANGE)
		return x->min <= y->max && y->min <= x->max;
	/* same geometry: two PSID sets meet only if the PSIDs are equal */
	if (x->kind == PORTSET_PSID && y->kind == PORTSET_PSID &&
	    x->offset == y->offset && x->psid_len == y->psid_len)
		return x->psid == y->psid;
	/*
	 * General case: walk the blocks of the set with fewer of them and
	 * ask the other for its next port; at most 2^15 - 1 steps.
	 */
	if (portset_nblocks(x) > portset_nblocks(y)) {
		const struct portset *t = x;

		x = y;
		y = t;
	}
	w.other = y;
	w.hit = false;
	portset_blocks(x, overlap_block, &w);
	return w.hit;
}

int
portset_format(const struct portset *ps, char *buf, size_t len)
{
	if (ps->kind == PORTSET_RANGE)
		return snprintf(buf, len, "%u-%u", ps->min, ps->max);
	if (ps->kind == PORTSET_PSID)
		return snprintf(buf, len, "psid %u/%u offset %u", ps->psid,
		    ps->psid_len, ps->offset);
	return snprintf(buf, len, "invalid(kind %u)", ps->kind);
}

/*
 * Parses an unsigned number at *sp (decimal, or 0x hex when hex_ok),
 * at most max; advances *sp. No sign, no leading blanks.
 */
static bool
parse_num(const char **sp, unsigned long max, bool hex_ok, unsigned long *out)
{
	const char *s = *sp;
	char *end;
	int base = 10;

	if (hex_ok && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    isxdigit((unsigned char)s[2]))
		base = 16;
	else if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*out = strtoul(s, &end, base);
	if (errno != 0 || *out > max)
		return false;
	*sp = end;
	return true;
}

static bool
parse_range(const char *s, struct portset *out, char *err, size_t errlen)
{
	const char *p = s;
	unsigned long lo, hi;

	if (!parse_num(&p, 65535, false, &lo))
		goto bad;
	hi = lo;
	if (*p == '-') {
		p++;
		if (!parse_num(&p, 65535, false, &hi))
			goto bad;
	}
	if (*p != '\0')
		goto bad;
	if (lo > hi) {
		snprintf(err, errlen, "port range `%s': minimum %lu is above "
		    "maximum %lu", s, lo, hi);
		return false;
	}
	*out = portset_range((uint16_t)lo, (uint16_t)hi);
	return true;
bad:
	snprintf(err, errlen, "bad port set `%s': expected MIN-MAX or PORT "
	    "with ports 0..65535, or psid=P/K[,offset=A]", s);
	return false;
}

static const char *
skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* "psid=P/K[,offset=A]" or what portset_format prints, "psid P/K offset A" */
static bool
parse_psid(const char *s, struct portset *out, char *err, size_t errlen)
{
	const char *p = s + 4;
	unsigned long psid, k, a = 0;
	struct portset ps;
	char why[96];

	if (*p != '=' && *p != ' ' && *p != '\t')
		goto bad;
	p = skip_blanks(p + (*p == '='));
	if (!parse_num(&p, 65535, true, &psid) || *p++ != '/' ||
	    !parse_num(&p, 255, false, &k))
		goto bad;
	if (*p == ',' || *p == ' ' || *p == '\t') {
		p = skip_blanks(p + 1);
		if (strncmp(p, "offset", 6) != 0)
			goto bad;
		p += 6;
		if (*p != '=' && *p != ' ' && *p != '\t')
			goto bad;
		p = skip_blanks(p + (*p == '='));
		if (!parse_num(&p, 255, false, &a))
			goto bad;
	}
	if (*skip_blanks(p) != '\0')
		goto bad;
	ps = portset_psid((unsigned)a, (unsigned)k, (unsigned)psid);
	if (!portset_valid(&ps, why, sizeof(why))) {
		snprintf(err, errlen, "bad port set `%s': %s", s, why);
		return false;
	}
	*out = ps;
	return true;
bad:
	snprintf(err, errlen, "bad PSID set `%s': expected psid=P/K[,offset=A]",
	    s);
	return false;
}

bool
portset_parse(const char *s, struct portset *out, char *err, size_t errlen)
{
	if (s == NULL || *s == '\0') {
		snprintf(err, errlen, "empty port set");
		return false;
	}
	if (strncmp(s, "psid", 4) == 0)
		return parse_psid(s, out, err, errlen);
	return parse_range(s, out, err, errlen);
}
