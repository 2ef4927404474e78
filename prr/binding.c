/* SPDX-License-Identifier: MIT */
/*
 * Binding table.
 *
 * Layout after btable_build(), n bindings on naddr addresses:
 *
 *   b[n]        struct binding, sorted by (ipv4, key)       32 B each
 *   keys[n]     uint16 sort key of b[i], same order          2 B each
 *   slots[]     Robin Hood open-addressing hash on ipv4 to
 *               { ipv4, first, meta }, load <= 3/4          12 B / 0.75
 *   head6[n],   reverse index: hash on ipv6 to a chain of
 *   next6[n]    binding indexes                              8 B each
 *
 * i.e. 58 B per binding in the worst case (one binding per address)
 * and 42 B when many bindings share an address.
 *
 * The key of a binding is where its ports start: port_min for a range,
 * and for a PSID set with offset 0 (one contiguous block, RFC 7597 5.1)
 * psid << (16 - k), so both are looked up as ranges. PSID sets with
 * offset a > 0 are keyed by the PSID itself; all of them on one address
 * share (a, k), which the address entry records so that a lookup can
 * compute the PSID of the port.
 *
 * Lookup: one hash probe (usually one cache line), a binary search of
 * the address's keys (skipped when it has one binding), then the
 * binding itself, which the caller reads anyway.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prr/binding.h"

#define IDX_END		UINT32_MAX
#define COUNT_BITS	17		/* 1..65536 bindings per address */
#define COUNT_MASK	((1u << COUNT_BITS) - 1)
#define META_A_SHIFT	17		/* 4 bits: PSID offset a, 0 = ranges */
#define META_K_SHIFT	21		/* 5 bits: PSID length k */
#define META_D_SHIFT	26		/* 6 bits: Robin Hood displacement */
#define DIST_MAX	63

struct addr_ent {
	uint32_t ipv4;
	uint32_t first;		/* index of its first binding in b[] */
	uint32_t meta;		/* count | a | k | dist; 0 means empty */
};

struct btable {
	struct binding *b;
	size_t n, cap;
	bool built;
	uint16_t *keys;
	struct addr_ent *slots;
	uint32_t nslots, naddr;
	uint32_t *head6, *next6;
	uint32_t nhead6;
};

/* Integer hash (degski/Wang style): consecutive addresses spread out. */
static inline uint32_t
hash32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

/* Maps a 32-bit hash onto [0, n) without a division (Lemire). */
static inline uint32_t
reduce(uint32_t h, uint32_t n)
{
	return (uint32_t)(((uint64_t)h * n) >> 32);
}

static inline uint32_t
hash6(const struct in6_addr *a)
{
	uint64_t x, y;

	memcpy(&x, a->s6_addr, 8);
	memcpy(&y, a->s6_addr + 8, 8);
	x ^= y * 0x9e3779b97f4a7c15ULL;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return (uint32_t)x;
}

/* PSID offset that decides how an address's bindings are keyed. */
static inline unsigned
bind_a(const struct binding *b)
{
	return b->ps.kind == PORTSET_PSID ? b->ps.offset : 0;
}

static uint16_t
bind_key(const struct binding *b)
{
	const struct portset *ps = &b->ps;

	if (ps->kind == PORTSET_RANGE)
		return ps->min;
	if (ps->offset > 0)
		return ps->psid;
	/* offset 0: one block starting at psid << m (RFC 7597 5.1) */
	return ps->psid_len == 0 ? 0 :
	    (uint16_t)(ps->psid << (16 - ps->psid_len));
}

/* Last port of a binding keyed as a range (range or PSID offset 0). */
static uint16_t
bind_max(const struct binding *b)
{
	if (b->ps.kind == PORTSET_RANGE)
		return b->ps.max;
	return (uint16_t)(bind_key(b) + (1u << (16 - b->ps.psid_len)) - 1);
}

int
binding_format(const struct binding *b, char *buf, size_t len)
{
	char v6[INET6_ADDRSTRLEN], v4[INET_ADDRSTRLEN], ps[48];
	uint32_t nv4 = htonl(b->ipv4);

	inet_ntop(AF_INET6, &b->ipv6, v6, sizeof(v6));
	inet_ntop(AF_INET, &nv4, v4, sizeof(v4));
	portset_format(&b->ps, ps, sizeof(ps));
	return snprintf(buf, len, "%s %s %s", v6, v4, ps);
}

struct btable *
btable_new(size_t hint)
{
	struct btable *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if (hint > 0 && hint < IDX_END) {
		if ((t->b = malloc(hint * sizeof(*t->b))) == NULL) {
			free(t);
			return NULL;
		}
		t->cap = hint;
	}
	return t;
}

static void
btable_free_index(struct btable *t)
{
	free(t->keys);
	free(t->slots);
	free(t->head6);
	free(t->next6);
	t->keys = NULL;
	t->slots = NULL;
	t->head6 = t->next6 = NULL;
	t->nslots = t->naddr = t->nhead6 = 0;
	t->built = false;
}

void
btable_free(struct btable *t)
{
	if (t == NULL)
		return;
	btable_free_index(t);
	free(t->b);
	free(t);
}

int
btable_add(struct btable *t, const struct binding *b, char *err, size_t errlen)
{
	char why[128], desc[128];
	struct binding *nb;
	size_t ncap;

	if (t->built) {
		snprintf(err, errlen, "binding table is already built");
		return -1;
	}
	if (!portset_valid(&b->ps, why, sizeof(why))) {
		binding_format(b, desc, sizeof(desc));
		snprintf(err, errlen, "bad binding `%s': %s", desc, why);
		return -1;
	}
	/* indexes are 32-bit, and IDX_END is taken */
	if (t->n >= IDX_END - 1) {
		snprintf(err, errlen, "binding table full (%zu bindings)", t->n);
		return -1;
	}
	if (t->n == t->cap) {
		ncap = t->cap ? t->cap * 2 : 64;
		if ((nb = realloc(t->b, ncap * sizeof(*nb))) == NULL) {
			snprintf(err, errlen, "out of memory for %zu bindings",
			    ncap);
			return -1;
		}
		t->b = nb;
		t->cap = ncap;
	}
	t->b[t->n] = *b;
	/* the unused bytes are compared by nobody, but keep them clean */
	t->b[t->n].ps.pad = 0;
	t->n++;
	return 0;
}

/*
 * Sorting. Records carry a 48-bit key (ipv4 << 16 | key) and the
 * original index; LSD radix sort, 16 bits a pass, skipping passes whose
 * digit is the same everywhere (the high ipv4 bits often are).
 */
struct sortrec {
	uint64_t key;
	uint32_t idx;
};

static int
radix_sort(struct sortrec *r, size_t n)
{
	struct sortrec *tmp, *src = r, *dst;
	size_t *cnt, i, sum, c;
	unsigned pass, shift;

	if ((tmp = malloc(n * sizeof(*tmp))) == NULL)
		return -1;
	if ((cnt = malloc(65536 * sizeof(*cnt))) == NULL) {
		free(tmp);
		return -1;
	}
	dst = tmp;
	for (pass = 0; pass < 3; pass++) {
		shift = pass * 16;
		memset(cnt, 0, 65536 * sizeof(*cnt));
		for (i = 0; i < n; i++)
			cnt[(src[i].key >> shift) & 0xffff]++;
		if (cnt[(src[0].key >> shift) & 0xffff] == n)
			continue;
		for (i = 0, sum = 0; i < 65536; i++) {
			c = cnt[i];
			cnt[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[cnt[(src[i].key >> shift) & 0xffff]++] = src[i];
		dst = src;
		src = src == r ? tmp : r;
	}
	if (src != r)
		memcpy(r, src, n * sizeof(*r));
	free(cnt);
	free(tmp);
	return 0;
}

static inline uint64_t
sort_key(const struct binding *b)
{
	return (uint64_t)b->ipv4 << 16 | bind_key(b);
}

/* Puts b[] in (ipv4, key) order and fills keys[]. */
static int
sort_bindings(struct btable *t)
{
	struct sortrec *r = NULL;
	struct binding *nb;
	size_t i;
	bool sorted = true;

	for (i = 1; i < t->n && sorted; i++)
		sorted = sort_key(&t->b[i - 1]) <= sort_key(&t->b[i]);
	if (!sorted) {
		if ((r = malloc(t->n * sizeof(*r))) == NULL)
			return -1;
		for (i = 0; i < t->n; i++) {
			r[i].key = sort_key(&t->b[i]);
			r[i].idx = (uint32_t)i;
		}
		if (radix_sort(r, t->n) == -1) {
			free(r);
			return -1;
		}
	}
	/*
	 * A fresh, exact-size array: no slack from btable_add()'s doubling,
	 * and aligned so that no 32-byte binding straddles a cache line.
	 */
	if (posix_memalign((void **)&nb, 64,
	    (t->n ? t->n : 1) * sizeof(*nb)) != 0) {
		free(r);
		return -1;
	}
	for (i = 0; i < t->n; i++)
		nb[i] = t->b[r ? r[i].idx : i];
	free(r);
	free(t->b);
	t->b = nb;
	t->cap = t->n ? t->n : 1;
	for (i = 0; i < t->n; i++)
		t->keys[i] = bind_key(&t->b[i]);
	return 0;
}

static void
conflict(const struct binding *x, const struct binding *y, const char *what,
    char *err, size_t errlen)
{
	char dx[128], dy[128];

	binding_format(x, dx, sizeof(dx));
	binding_format(y, dy, sizeof(dy));
	snprintf(err, errlen, "%s: `%s' and `%s'", what, dx, dy);
}

/*
 * Checks the bindings b[s..e) of one address: one keying (ranges, or PSID
 * sets of one offset and length), no two sharing a port.
 */
static int
check_group(const struct btable *t, size_t s, size_t e, char *err,
    size_t errlen)
{
	const struct binding *b = t->b, *top;
	unsigned a = bind_a(&b[s]);
	uint32_t runmax;
	size_t j;

	for (j = s + 1; j < e; j++) {
		if (bind_a(&b[j]) != a ||
		    (a > 0 && b[j].ps.psid_len != b[s].ps.psid_len)) {
			conflict(&b[s], &b[j], "one address cannot mix ranges "
			    "and PSID sets of different offset or length",
			    err, errlen);
			return -1;
		}
	}
	if (a > 0) {
		/* same (a, k): distinct PSIDs never share a port */
		for (j = s + 1; j < e; j++)
			if (t->keys[j] == t->keys[j - 1]) {
				conflict(&b[j - 1], &b[j], "overlapping "
				    "bindings", err, errlen);
				return -1;
			}
		return 0;
	}
	/* ranges sorted by start: each must start past all before it */
	top = &b[s];
	runmax = bind_max(top);
	for (j = s + 1; j < e; j++) {
		if (t->keys[j] <= runmax) {
			conflict(top, &b[j], "overlapping bindings", err,
			    errlen);
			return -1;
		}
		runmax = bind_max(&b[j]);
		top = &b[j];
	}
	return 0;
}

static inline uint32_t
ent_dist(const struct addr_ent *e)
{
	return e->meta >> META_D_SHIFT;
}

/* Robin Hood insert; -1 if a displacement would not fit in 6 bits. */
static int
slots_insert(struct addr_ent *slots, uint32_t nslots, struct addr_ent ent)
{
	uint32_t i = reduce(hash32(ent.ipv4), nslots), d = 0, rd;
	struct addr_ent tmp;

	for (;;) {
		if (slots[i].meta == 0) {
			ent.meta |= d << META_D_SHIFT;
			slots[i] = ent;
			return 0;
		}
		rd = ent_dist(&slots[i]);
		if (rd < d) {
			/* the richer resident moves on; we take its place */
			tmp = slots[i];
			ent.meta |= d << META_D_SHIFT;
			slots[i] = ent;
			ent = tmp;
			ent.meta &= ~(0x3fu << META_D_SHIFT);
			d = rd;
		}
		i = i + 1 == nslots ? 0 : i + 1;
		if (++d > DIST_MAX)
			return -1;
	}
}

static int
build_slots(struct btable *t)
{
	struct addr_ent ent;
	uint64_t want;
	size_t s, e;
	unsigned a, k;

retry:
	free(t->slots);
	if ((t->slots = calloc(t->nslots, sizeof(*t->slots))) == NULL)
		return -1;
	for (s = 0; s < t->n; s = e) {
		for (e = s + 1; e < t->n && t->b[e].ipv4 == t->b[s].ipv4; e++)
			;
		a = bind_a(&t->b[s]);
		k = a > 0 ? t->b[s].ps.psid_len : 0;
		ent.ipv4 = t->b[s].ipv4;
		ent.first = (uint32_t)s;
		ent.meta = (uint32_t)(e - s) | a << META_A_SHIFT |
		    k << META_K_SHIFT;
		if (slots_insert(t->slots, t->nslots, ent) == -1) {
			/* very unlucky clustering: spread out and retry */
			want = (uint64_t)t->nslots * 3 / 2 + 1;
			if (want > UINT32_MAX)
				return -1;
			t->nslots = (uint32_t)want;
			goto retry;
		}
	}
	return 0;
}

static int
build_reverse(struct btable *t)
{
	size_t i;
	uint32_t h;

	t->nhead6 = t->n > 0 ? (uint32_t)t->n : 1;
	t->head6 = malloc(t->nhead6 * sizeof(*t->head6));
	t->next6 = malloc((t->n ? t->n : 1) * sizeof(*t->next6));
	if (t->head6 == NULL || t->next6 == NULL)
		return -1;
	memset(t->head6, 0xff, t->nhead6 * sizeof(*t->head6));
	/* push from the back so that each chain runs in index order */
	for (i = t->n; i-- > 0;) {
		h = reduce(hash6(&t->b[i].ipv6), t->nhead6);
		t->next6[i] = t->head6[h];
		t->head6[h] = (uint32_t)i;
	}
	return 0;
}

int
btable_build(struct btable *t, char *err, size_t errlen)
{
	size_t s, e;

	if (t->built)
		return 0;
	if ((t->keys = malloc((t->n ? t->n : 1) * sizeof(*t->keys))) == NULL)
		goto nomem;
	if (sort_bindings(t) == -1)
		goto nomem;
	t->naddr = 0;
	for (s = 0; s < t->n; s = e) {
		for (e = s + 1; e < t->n && t->b[e].ipv4 == t->b[s].ipv4; e++)
			;
		if (check_group(t, s, e, err, errlen) == -1)
			goto fail;
		t->naddr++;
	}
	/* load factor <= 3/4 */
	t->nslots = t->naddr + t->naddr / 3 + 1;
	if (build_slots(t) == -1 || build_reverse(t) == -1)
		goto nomem;
	t->built = true;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory building a table of %zu "
	    "bindings", t->n);
fail:
	btable_free_index(t);
	return -1;
}

static inline const struct addr_ent *
addr_find(const struct btable *t, uint32_t ipv4)
{
	uint32_t i = reduce(hash32(ipv4), t->nslots), d = 0;
	const struct addr_ent *e;

	for (;; d++) {
		e = &t->slots[i];
		if (e->ipv4 == ipv4 && e->meta != 0)
			return e;
		/* Robin Hood: ours would have displaced this one */
		if (e->meta == 0 || ent_dist(e) < d)
			return NULL;
		i = i + 1 == t->nslots ? 0 : i + 1;
	}
}

/* Index of the last key <= key in k[0..n), or 0 when there is none. */
static inline uint32_t
search_le(const uint16_t *k, uint32_t n, uint16_t key)
{
	const uint16_t *base = k;
	uint32_t half;

	while (n > 1) {
		half = n / 2;
		base = base[half] <= key ? base + half : base;
		n -= half;
	}
	return (uint32_t)(base - k);
}

/*
 * First half of a lookup: the index of the only binding of this address
 * that can hold the port, or IDX_END.
 */
static inline uint32_t
lookup_idx(const struct btable *t, const struct addr_ent *e, uint16_t port)
{
	uint32_t meta = e->meta, n = meta & COUNT_MASK, i = e->first;
	unsigned a = (meta >> META_A_SHIFT) & 0xf;
	unsigned k = (meta >> META_K_SHIFT) & 0x1f;
	uint16_t key = port;

	if (a > 0) {
		/* RFC 7597 5.1: block 0 is nobody's */
		if ((port >> (16 - a)) == 0)
			return IDX_END;
		key = psid_of_port(port, a, k);
	}
	if (n > 1)
		i += search_le(t->keys + i, n, key);
	return i;
}

/* Second half: whether binding i really holds the port. */
static inline const struct binding *
lookup_check(const struct btable *t, uint32_t i, uint16_t port)
{
	const struct binding *b;

	if (i == IDX_END)
		return NULL;
	b = &t->b[i];
	if (b->ps.kind == PORTSET_RANGE)
		return port >= b->ps.min && port <= b->ps.max ? b : NULL;
	if (b->ps.offset > 0)
		return psid_of_port(port, b->ps.offset, b->ps.psid_len) ==
		    b->ps.psid ? b : NULL;
	/* PSID set with offset 0: one block of 2^(16-k) ports */
	return port >= bind_key(b) && port <= bind_max(b) ? b : NULL;
}

const struct binding *
btable_lookup(const struct btable *t, uint32_t ipv4, uint16_t port)
{
	const struct addr_ent *e;

	if (!t->built || (e = addr_find(t, ipv4)) == NULL)
		return NULL;
	return lookup_check(t, lookup_idx(t, e, port), port);
}

#define BURST_MAX	16

void
btable_lookup_burst(const struct btable *t, size_t n, const uint32_t *ipv4,
    const uint16_t *port, const struct binding **out)
{
	const struct addr_ent *e;
	uint32_t idx[BURST_MAX];
	size_t i, j, s, m;

	if (!t->built) {
		for (i = 0; i < n; i++)
			out[i] = NULL;
		return;
	}
	/*
	 * Overlap the cache misses of up to 16 packets, one stage at a
	 * time: hash slots, then each address's keys, then the bindings.
	 */
	for (s = 0; s < n; s += BURST_MAX) {
		m = n - s < BURST_MAX ? n - s : BURST_MAX;
		for (j = 0; j < m; j++)
			__builtin_prefetch(&t->slots[reduce(hash32(ipv4[s + j]),
			    t->nslots)]);
		for (j = 0; j < m; j++) {
			idx[j] = IDX_END;
			if ((e = addr_find(t, ipv4[s + j])) == NULL)
				continue;
			idx[j] = (uint32_t)(e - t->slots);
			if ((e->meta & COUNT_MASK) > 1)
				__builtin_prefetch(&t->keys[e->first +
				    (e->meta & COUNT_MASK) / 2]);
			else
				__builtin_prefetch(&t->b[e->first]);
		}
		for (j = 0; j < m; j++) {
			if (idx[j] == IDX_END)
				continue;
			idx[j] = lookup_idx(t, &t->slots[idx[j]], port[s + j]);
			if (idx[j] != IDX_END)
				__builtin_prefetch(&t->b[idx[j]]);
		}
		for (j = 0; j < m; j++)
			out[s + j] = lookup_check(t, idx[j], port[s + j]);
	}
}

bool
btable_has_ipv4(const struct btable *t, uint32_t ipv4)
{
	return t->built && addr_find(t, ipv4) != NULL;
}

static long
chain_find(const struct btable *t, uint32_t i, const struct in6_addr *a)
{
	while (i != IDX_END && memcmp(&t->b[i].ipv6, a, sizeof(*a)) != 0)
		i = t->next6[i];
	return i == IDX_END ? -1 : (long)i;
}

long
btable_first6(const struct btable *t, const struct in6_addr *a)
{
	if (!t->built)
		return -1;
	return chain_find(t, t->head6[reduce(hash6(a), t->nhead6)], a);
}

long
btable_next6(const struct btable *t, long idx)
{
	if (!t->built || idx < 0 || (size_t)idx >= t->n)
		return -1;
	return chain_find(t, t->next6[idx], &t->b[idx].ipv6);
}

size_t
btable_count(const struct btable *t)
{
	return t->n;
}

const struct binding *
btable_at(const struct btable *t, size_t idx)
{
	return idx < t->n ? &t->b[idx] : NULL;
}

size_t
btable_memory(const struct btable *t)
{
	size_t m = sizeof(*t) + t->cap * sizeof(*t->b);

	if (t->keys != NULL)
		m += (t->n ? t->n : 1) * sizeof(*t->keys);
	if (t->slots != NULL)
		m += (size_t)t->nslots * sizeof(*t->slots);
	if (t->head6 != NULL)
		m += (size_t)t->nhead6 * sizeof(*t->head6);
	if (t->next6 != NULL)
		m += (t->n ? t->n : 1) * sizeof(*t->next6);
	return m;
}
