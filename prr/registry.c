/* SPDX-License-Identifier: MIT */
/* The registry: see registry.h. */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "prr/registry.h"

#define NONE	UINT32_MAX

static const char *const origin_names[] = { "config", "operator", "dynamic" };

const char *
reg_strerror(enum reg_result r)
{
	switch (r) {
	case REG_OK:		return "ok";
	case REG_OVERLAP:	return "the port set overlaps another SMAP's";
	case REG_UNKNOWN:	return "no such SMAP";
	case REG_EXHAUSTED:	return "no free port set left in the pool";
	case REG_INVALID:	return "invalid port set";
	case REG_NOMEM:		return "out of memory";
	case REG_NONCE:		return "the registration exists with another nonce";
	case REG_SUBSCRIBER_LIMIT: return "its subscriber prefix holds all the sets it may";
	case REG_PREFIX_LIMIT:	return "its authorized prefix holds all the sets it may";
	case REG_REPLACED:	return "replaced an overlapping or duplicate entry";
	}
	return "unknown";
}

/* ---- randomness: xorshift64*, seeded once ---- */

static uint32_t
rnd(struct registry *r)
{
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return (uint32_t)((r->rng * 0x2545f4914f6cdd1dULL) >> 32);
}

/* ---- the index by address, hashed on the subscriber prefix ---- */

static unsigned
sub_plen(const struct registry *r)
{
	return r->lim.subscriber_plen ? r->lim.subscriber_plen : 128;
}

static uint32_t
h6_home(const struct registry *r, const struct in6_addr *a)
{
	unsigned plen = sub_plen(r);
	uint64_t x, y, hi_mask, lo_mask;

	memcpy(&x, a->s6_addr, 8);
	memcpy(&y, a->s6_addr + 8, 8);
	x = be64toh(x);
	y = be64toh(y);
	hi_mask = plen >= 64 ? ~0ULL : plen == 0 ? 0 : ~0ULL << (64 - plen);
	lo_mask = plen <= 64 ? 0 : plen >= 128 ? ~0ULL : ~0ULL << (128 - plen);
	x = (x & hi_mask) ^ ((y & lo_mask) * 0x9e3779b97f4a7c15ULL);
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return (uint32_t)x & r->h6mask;
}

static bool
same_subscriber(const struct registry *r, const struct in6_addr *a, const struct in6_addr *b)
{
	struct prefix6 p = { .addr = *a, .plen = sub_plen(r) };

	return prefix6_contains(&p, b);
}

static const struct in6_addr *
slot_addr(const struct registry *r, uint32_t s)
{
	return &r->pool->b[s].ipv6;
}

/*
 * An index cell holds slot + 1 in its low bits and, above them, a tag
 * cut from a hash of the whole address: most cells that are not a's are
 * passed over without reading their slot (a cache miss each, scattered
 * over a million slots).
 */
static uint32_t
h6_tag(const struct registry *r, const struct in6_addr *a)
{
	uint64_t x, y;

	memcpy(&x, a->s6_addr, 8);
	memcpy(&y, a->s6_addr + 8, 8);
	x = (x ^ (y * 0x9e3779b97f4a7c15ULL)) * 0xff51afd7ed558ccdULL;
	return (uint32_t)(x >> 32) & ~r->h6slot;
}

static uint32_t
cell_slot(const struct registry *r, uint32_t cell)
{
	return (cell & r->h6slot) - 1;
}

static long
h6_find(const struct registry *r, const struct in6_addr *a)
{
	uint32_t tag;

	if (!r->h6)
		return -1;
	tag = h6_tag(r, a);
	for (uint32_t i = h6_home(r, a); r->h6[i]; i = (i + 1) & r->h6mask)
		if ((r->h6[i] & ~r->h6slot) == tag &&
		    memcmp(slot_addr(r, cell_slot(r, r->h6[i])), a, 16) == 0)
			return (long)cell_slot(r, r->h6[i]);
	return -1;
}

static void
h6_insert(struct registry *r, uint32_t s)
{
	const struct in6_addr *a = slot_addr(r, s);
	uint32_t i;

	for (i = h6_home(r, a); r->h6[i]; i = (i + 1) & r->h6mask)
		;
	r->h6[i] = h6_tag(r, a) | (s + 1);
}

static void
h6_delete(struct registry *r, uint32_t s)
{
	uint32_t i, j, k;

	for (i = h6_home(r, slot_addr(r, s)); (r->h6[i] & r->h6slot) != s + 1; i = (i + 1) & r->h6mask)
		if (!r->h6[i])
			return;
	/* backward shift: nothing after the hole may become unreachable */
	for (j = i;;) {
		j = (j + 1) & r->h6mask;
		if (!r->h6[j])
			break;
		k = h6_home(r, slot_addr(r, cell_slot(r, r->h6[j])));
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		r->h6[i] = r->h6[j];
		i = j;
	}
	r->h6[i] = 0;
}

/* Active and held sets of a's subscriber prefix. */
static unsigned
subscriber_sets(const struct registry *r, const struct in6_addr *a)
{
	unsigned n = 0;

	for (uint32_t i = h6_home(r, a); r->h6[i]; i = (i + 1) & r->h6mask)
		if (same_subscriber(r, a, slot_addr(r, cell_slot(r, r->h6[i]))))
			n++;
	return n;
}

static int
auth_of(const struct registry *r, const struct in6_addr *a)
{
	for (unsigned i = 0; i < r->lim.n_authorized; i++)
		if (prefix6_contains(&r->lim.authorized[i], a))
			return (int)i;
	return -1;
}

/* ---- free slots ---- */

static void
free_push(struct registry *r, uint32_t s)
{
	if (r->bulk)
		return;
	r->fpos[s] = r->nfree;
	r->freel[r->nfree++] = s;
}

static void
free_remove(struct registry *r, uint32_t s)
{
	uint32_t i = r->fpos[s], last;

	if (i == NONE || r->bulk)
		return;
	last = r->freel[--r->nfree];
	r->freel[i] = last;
	r->fpos[last] = i;
	r->fpos[s] = NONE;
}

/* ---- slot changes ---- */

static void
slot_take(struct registry *r, uint32_t s, const struct in6_addr *a)
{
	int ai;

	free_remove(r, s);
	r->pool->b[s].ipv6 = *a;
	h6_insert(r, s);
	if ((ai = auth_of(r, a)) >= 0)
		r->auth_count[ai]++;
	r->n_dyn++;
	r->st[s] = SLOT_HELD;	/* the caller makes it active */
}

static void
slot_drop(struct registry *r, uint32_t s)
{
	int ai;

	if (r->st[s] != SLOT_ACTIVE && r->st[s] != SLOT_HELD)
		return;
	pool_unbind(r->pool, s);
	h6_delete(r, s);
	if ((ai = auth_of(r, slot_addr(r, s))) >= 0 && r->auth_count[ai])
		r->auth_count[ai]--;
	r->n_dyn--;
	/* free at the next registry_expire() that comes REG_REUSE_GRACE later */
	r->st[s] = SLOT_COOL;
	r->m[s].held_until = 0;
}

static void
slot_entry(const struct registry *r, uint32_t s, struct reg_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->b = r->pool->b[s];
	e->origin = REG_DYNAMIC;
	e->expires = r->m[s].expires;
	e->held_until = r->st[s] == SLOT_HELD ? r->m[s].held_until : 0;
	if (r->st[s] == SLOT_HELD && e->held_until == 0)
		e->held_until = 1;
	memcpy(e->nonce, r->m[s].nonce, PCP_NONCE_LEN);
}

/* ---- set-up ---- */

static int
alloc_slots(struct registry *r, const struct alloc_params *ap)
{
	uint32_t n, sz = 16;

	r->pool = calloc(1, sizeof(*r->pool));
	if (!r->pool || pool_init(r->pool, ap) < 0)
		return -1;
	n = r->pool->n;
	while (sz < 2 * (uint64_t)n)
		sz <<= 1;
	r->h6mask = sz - 1;
	/* the bits slot + 1 needs; the rest of a cell is the tag */
	for (r->h6slot = 1; r->h6slot < n + 1 && r->h6slot != UINT32_MAX; r->h6slot = r->h6slot << 1 | 1)
		;
	r->st = pool_alloc(n);
	r->m = pool_alloc((size_t)n * sizeof(*r->m));
	r->freel = pool_alloc((size_t)n * sizeof(*r->freel));
	r->fpos = pool_alloc((size_t)n * sizeof(*r->fpos));
	r->h6 = pool_alloc((size_t)sz * sizeof(*r->h6));
	if (!r->st || !r->m || !r->freel || !r->fpos || !r->h6)
		return -1;
	r->nfree = 0;
	for (uint32_t s = 0; s < n; s++)
		free_push(r, s);
	return 0;
}

int
registry_init(struct registry *r, const struct alloc_params *ap)
{
	static const struct alloc_params none;

	memset(r, 0, sizeof(*r));
	r->ap = ap ? *ap : none;
	if (getrandom(&r->rng, sizeof(r->rng), GRND_NONBLOCK) != sizeof(r->rng))
		r->rng = (uint64_t)(uintptr_t)r ^ 0x9e3779b97f4a7c15ULL;
	r->rng |= 1;
	if (alloc_slots(r, &r->ap) < 0) {
		registry_free(r);
		return -1;
	}
	return 0;
}

/* keep_pool: the pool lives on (the caller frees it after a grace period) */
static void
free_slots(struct registry *r, bool keep_pool)
{
	size_t n = r->pool ? r->pool->n : 0;

	pool_release(r->st, n);
	pool_release(r->m, n * sizeof(*r->m));
	pool_release(r->freel, n * sizeof(*r->freel));
	pool_release(r->fpos, n * sizeof(*r->fpos));
	pool_release(r->h6, ((size_t)r->h6mask + 1) * sizeof(*r->h6));
	if (r->pool && !keep_pool) {
		pool_free(r->pool);
		free(r->pool);
	}
	r->pool = NULL;
	r->st = NULL;
	r->m = NULL;
	r->freel = r->fpos = r->h6 = NULL;
	r->nfree = r->n_dyn = 0;
}

void
registry_free(struct registry *r)
{
	free_slots(r, false);
	free(r->e);
	r->e = NULL;
	r->n = r->cap = 0;
}

/* Index and counters again, after a change of subscriber prefix or authorized prefixes. */
static void
reindex(struct registry *r)
{
	memset(r->h6, 0, ((size_t)r->h6mask + 1) * sizeof(*r->h6));
	memset(r->auth_count, 0, sizeof(r->auth_count));
	for (uint32_t s = 0; s < r->pool->n; s++) {
		int ai;
		if (r->st[s] != SLOT_ACTIVE && r->st[s] != SLOT_HELD)
			continue;
		h6_insert(r, s);
		if ((ai = auth_of(r, slot_addr(r, s))) >= 0)
			r->auth_count[ai]++;
	}
}

void
registry_set_limits(struct registry *r, const struct reg_limits *lim)
{
	r->lim = *lim;
	reindex(r);
}

static enum reg_result append(struct registry *r, const struct reg_entry *e);

int
registry_set_params(struct registry *r, const struct alloc_params *ap, struct pool **old,
		    void (*fn)(void *, const struct reg_entry *), void *arg)
{
	struct registry nr;
	struct reg_entry e;
	char err[160];
	size_t pos = 0;

	*old = NULL;
	if (pool_same_geometry(&r->ap, ap)) {
		r->ap = *ap;
		r->pool->ap.lifetime = ap->lifetime;
		r->pool->ap.hold_time = ap->hold_time;
		return 0;
	}
	if (registry_init(&nr, ap) < 0)
		return -1;
	nr.lim = r->lim;
	nr.epoch_start = r->epoch_start;
	while (registry_iter(r, &pos, &e)) {
		enum reg_result x = e.origin == REG_DYNAMIC && pool_slot_of(nr.pool, e.b.ipv4, &e.b.ps) < 0 ?
			REG_INVALID : registry_add(&nr, &e, err, sizeof(err));
		if (x == REG_NOMEM) {
			registry_free(&nr);
			return -1;
		}
		if (x != REG_OK && fn)
			fn(arg, &e);
	}
	*old = r->pool;
	free_slots(r, true);
	free(r->e);
	*r = nr;
	return 0;
}

/* ---- config and operator entries ---- */

static enum reg_result
append(struct registry *r, const struct reg_entry *e)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct reg_entry *n = realloc(r->e, cap * sizeof(*n));
		if (!n)
			return REG_NOMEM;
		r->e = n;
		r->cap = cap;
	}
	r->e[r->n++] = *e;
	return REG_OK;
}

static void
remove_static_of(struct registry *r, const struct in6_addr *a, uint8_t origin_only, bool any)
{
	for (size_t j = 0; j < r->n;)
		if (memcmp(&r->e[j].b.ipv6, a, 16) == 0 && (any || r->e[j].origin == origin_only))
			r->e[j] = r->e[--r->n];
		else
			j++;
}

/* A static entry of another SMAP that overlaps b, or -1. */
static long
static_overlap(const struct registry *r, const struct binding *b)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct reg_entry *e = &r->e[i];
		if (e->b.ipv4 == b->ipv4 && memcmp(&e->b.ipv6, &b->ipv6, 16) != 0 &&
		    portset_overlap(&e->b.ps, &b->ps))
			return (long)i;
	}
	return -1;
}

/* A dynamic slot in use by another SMAP that overlaps b, or -1. */
static long
dynamic_overlap(const struct registry *r, const struct binding *b)
{
	int a = pool_addr_index(r->pool, b->ipv4);

	if (a < 0)
		return -1;
	for (uint32_t s = (uint32_t)a * r->pool->per; s < ((uint32_t)a + 1) * r->pool->per; s++)
		if ((r->st[s] == SLOT_ACTIVE || r->st[s] == SLOT_HELD) &&
		    memcmp(slot_addr(r, s), &b->ipv6, 16) != 0 &&
		    portset_overlap(&r->pool->b[s].ps, &b->ps))
			return (long)s;
	return -1;
}

enum reg_result
registry_add(struct registry *r, const struct reg_entry *e, char *err, size_t errlen)
{
	char msg[160], d[160];
	enum reg_result res = REG_OK;
	long s, old;

	if (!portset_valid(&e->b.ps, msg, sizeof(msg))) {
		snprintf(err, errlen, "%s", msg);
		return REG_INVALID;
	}
	if (e->origin != REG_DYNAMIC) {
		if (e->origin == REG_OPERATOR) {
			/* newest wins: the SMAP's older sets and what this one overlaps go */
			size_t before = r->n;
			long i;
			remove_static_of(r, &e->b.ipv6, REG_OPERATOR, false);
			while ((i = static_overlap(r, &e->b)) >= 0 && r->e[i].origin == REG_OPERATOR) {
				r->e[i] = r->e[--r->n];
			}
			if ((s = h6_find(r, &e->b.ipv6)) >= 0)
				slot_drop(r, (uint32_t)s);
			if (r->n != before || s >= 0) {
				binding_format(&e->b, d, sizeof(d));
				snprintf(err, errlen, "%s replaces older entries", d);
				res = REG_REPLACED;
			}
		}
		/* overlaps between config entries are found by registry_btable() */
		return append(r, e) == REG_OK ? res : REG_NOMEM;
	}
	s = pool_slot_of(r->pool, e->b.ipv4, &e->b.ps);
	if (s < 0) {
		binding_format(&e->b, d, sizeof(d));
		snprintf(err, errlen, "%s is not a set of the allocation pool", d);
		return REG_INVALID;
	}
	if (r->st[s] == SLOT_BLOCKED) {
		binding_format(&e->b, d, sizeof(d));
		snprintf(err, errlen, "%s overlaps a config or operator binding", d);
		return REG_OVERLAP;
	}
	/* newest wins: the SMAP's other set, and whoever had this one */
	old = h6_find(r, &e->b.ipv6);
	if (old == s) {
		/* the same SMAP's same set again: a later state of it (journal) */
		pool_unbind(r->pool, (uint32_t)s);
	} else if (old >= 0 || (r->st[s] != SLOT_FREE && r->st[s] != SLOT_COOL)) {
		struct reg_entry was;
		slot_entry(r, (uint32_t)(old >= 0 ? old : s), &was);
		binding_format(&was.b, d, sizeof(d));
		snprintf(err, errlen, "replaces %s (%s)", d,
			 old >= 0 ? "the SMAP's other set" : "an overlapping set");
		if (old >= 0)
			slot_drop(r, (uint32_t)old);
		slot_drop(r, (uint32_t)s);
		res = REG_REPLACED;
	}
	if (old != s)
		slot_take(r, (uint32_t)s, &e->b.ipv6);
	r->st[s] = SLOT_HELD;
	r->pool->b[s].br = e->b.br;
	memcpy(r->m[s].nonce, e->nonce, PCP_NONCE_LEN);
	r->m[s].expires = (uint32_t)e->expires;
	r->m[s].held_until = (uint32_t)e->held_until;
	if (e->held_until == 0) {
		r->st[s] = SLOT_ACTIVE;
		pool_bind(r->pool, (uint32_t)s, &e->b.ipv6, e->b.br);
	}
	return res;
}

void
registry_prefetch(const struct registry *r, const struct reg_entry *e)
{
	long s;

	if (e->origin != REG_DYNAMIC || (s = pool_slot_of(r->pool, e->b.ipv4, &e->b.ps)) < 0)
		return;
	__builtin_prefetch(&r->st[s], 1);
	__builtin_prefetch(&r->m[s], 1);
	__builtin_prefetch(&r->pool->b[s], 1);
	__builtin_prefetch(&r->pool->live[s], 1);
	__builtin_prefetch(&r->h6[h6_home(r, &e->b.ipv6)], 1);
}

int
registry_add_batch(struct registry *r, const struct reg_entry *e, size_t n,
		   void (*fn)(void *, size_t, enum reg_result, const char *), void *arg)
{
	char msg[256];

	for (size_t i = 0; i < n; i++)
		registry_prefetch(r, &e[i]);
	for (size_t i = 0; i < n; i++) {
		enum reg_result res = registry_add(r, &e[i], msg, sizeof(msg));

		if (res == REG_NOMEM)
			return -1;
		if (res != REG_OK)
			fn(arg, i, res, msg);
	}
	return 0;
}

void
registry_block_static(struct registry *r, void (*fn)(void *, const struct reg_entry *), void *arg)
{
	struct pool *p = r->pool;

	for (uint32_t s = 0; s < p->n; s++)
		if (r->st[s] == SLOT_BLOCKED)
			r->st[s] = SLOT_FREE;
	for (size_t i = 0; i < r->n; i++) {
		int a = pool_addr_index(p, r->e[i].b.ipv4);
		if (a < 0)
			continue;
		for (uint32_t s = (uint32_t)a * p->per; s < ((uint32_t)a + 1) * p->per; s++) {
			if (!portset_overlap(&p->b[s].ps, &r->e[i].b.ps))
				continue;
			if (r->st[s] == SLOT_ACTIVE || r->st[s] == SLOT_HELD) {
				struct reg_entry e;
				slot_entry(r, s, &e);
				slot_drop(r, s);
				if (fn)
					fn(arg, &e);
			}
			r->st[s] = SLOT_BLOCKED;
		}
	}
	r->bulk = false;
	r->nfree = 0;
	for (uint32_t s = 0; s < p->n; s++) {
		r->fpos[s] = NONE;
		if (r->st[s] == SLOT_FREE)
			free_push(r, s);
	}
}

/* ---- registration ---- */

enum reg_result
registry_register(struct registry *r, const struct in6_addr *a, const uint8_t nonce[PCP_NONCE_LEN],
		  uint64_t now, struct reg_entry *out, bool *isnew, bool *changed)
{
	long s;
	int ai;

	*isnew = *changed = false;
	/* a static binding wins */
	for (size_t i = 0; i < r->n; i++)
		if (memcmp(&r->e[i].b.ipv6, a, 16) == 0) {
			*out = r->e[i];
			return REG_OK;
		}
	if ((s = h6_find(r, a)) >= 0) {
		struct reg_slot *m = &r->m[s];
		if (r->st[s] == SLOT_ACTIVE) {
			slot_entry(r, (uint32_t)s, out);
			/* RFC 6887 11.3: only the registration's own nonce renews it */
			if (memcmp(m->nonce, nonce, PCP_NONCE_LEN) != 0)
				return REG_NONCE;
			m->expires = (uint32_t)(now + r->ap.lifetime);
			out->expires = m->expires;
			return REG_OK;
		}
		/* held: its set comes back, under the nonce it uses now */
		memcpy(m->nonce, nonce, PCP_NONCE_LEN);
		m->expires = (uint32_t)(now + r->ap.lifetime);
		m->held_until = 0;
		r->st[s] = SLOT_ACTIVE;
		pool_bind(r->pool, (uint32_t)s, a, r->pool->b[s].br);
		slot_entry(r, (uint32_t)s, out);
		*changed = true;
		return REG_OK;
	}
	if (r->lim.sets_per_subscriber && subscriber_sets(r, a) >= r->lim.sets_per_subscriber)
		return REG_SUBSCRIBER_LIMIT;
	ai = auth_of(r, a);
	if (r->lim.sets_per_authorized && ai >= 0 && r->auth_count[ai] >= r->lim.sets_per_authorized)
		return REG_PREFIX_LIMIT;
	if (r->bulk)
		registry_block_static(r, NULL, NULL);
	if (r->nfree == 0)
		return REG_EXHAUSTED;
	/* a random free slot: which set comes next cannot be foreseen */
	s = r->freel[rnd(r) % r->nfree];
	slot_take(r, (uint32_t)s, a);
	memcpy(r->m[s].nonce, nonce, PCP_NONCE_LEN);
	r->m[s].expires = (uint32_t)(now + r->ap.lifetime);
	r->m[s].held_until = 0;
	r->st[s] = SLOT_ACTIVE;
	pool_bind(r->pool, (uint32_t)s, a, 0);
	slot_entry(r, (uint32_t)s, out);
	*isnew = *changed = true;
	return REG_OK;
}

enum reg_result
registry_unregister(struct registry *r, const struct in6_addr *a, const uint8_t nonce[PCP_NONCE_LEN],
		    uint64_t now, struct reg_entry *out)
{
	long s = h6_find(r, a);

	if (s < 0 || r->st[s] != SLOT_ACTIVE)
		return REG_UNKNOWN;
	slot_entry(r, (uint32_t)s, out);
	if (memcmp(r->m[s].nonce, nonce, PCP_NONCE_LEN) != 0)
		return REG_NONCE;
	pool_unbind(r->pool, (uint32_t)s);
	r->st[s] = SLOT_HELD;
	r->m[s].expires = (uint32_t)now;
	r->m[s].held_until = (uint32_t)(now + r->ap.hold_time);
	if (r->m[s].held_until == 0)
		r->m[s].held_until = 1;
	slot_entry(r, (uint32_t)s, out);
	return REG_OK;
}

size_t
registry_clear_overlap(struct registry *r, const struct binding *b, bool dynamic, char *err,
		       size_t errlen)
{
	size_t gone = 0, before = r->n;
	long i;

	if (errlen)
		err[0] = '\0';
	for (size_t j = 0; j < r->n;) {
		const struct reg_entry *e = &r->e[j];
		if (e->origin != REG_OPERATOR || e->b.ipv4 != b->ipv4 ||
		    memcmp(&e->b.ipv6, &b->ipv6, 16) == 0 || !portset_overlap(&e->b.ps, &b->ps)) {
			j++;
			continue;
		}
		if (gone++ == 0)
			binding_format(&e->b, err, errlen);
		r->e[j] = r->e[--r->n];
	}
	while (dynamic && (i = dynamic_overlap(r, b)) >= 0) {
		if (gone++ == 0)
			binding_format(&r->pool->b[i], err, errlen);
		slot_drop(r, (uint32_t)i);
	}
	if (r->n != before)
		registry_block_static(r, NULL, NULL);
	return gone;
}

enum reg_result
registry_assign(struct registry *r, const struct binding *b, uint64_t now,
		char *err, size_t errlen)
{
	struct reg_entry e;
	char msg[160], other[160];
	long i, s;

	(void)now;
	if (!portset_valid(&b->ps, msg, sizeof(msg))) {
		snprintf(err, errlen, "%s", msg);
		return REG_INVALID;
	}
	if ((i = static_overlap(r, b)) >= 0) {
		binding_format(b, msg, sizeof(msg));
		binding_format(&r->e[i].b, other, sizeof(other));
		snprintf(err, errlen, "%s overlaps %s (%s)", msg, other, origin_names[r->e[i].origin]);
		return REG_OVERLAP;
	}
	if ((s = dynamic_overlap(r, b)) >= 0) {
		binding_format(b, msg, sizeof(msg));
		binding_format(&r->pool->b[s], other, sizeof(other));
		snprintf(err, errlen, "%s overlaps %s (%s)", msg, other,
			 r->st[s] == SLOT_ACTIVE ? "dynamic" : "held after release");
		return REG_OVERLAP;
	}
	/* the SMAP's previous sets go: one SMAP, one set, as the operator says */
	remove_static_of(r, &b->ipv6, 0, true);
	if ((s = h6_find(r, &b->ipv6)) >= 0)
		slot_drop(r, (uint32_t)s);
	memset(&e, 0, sizeof(e));
	e.b = *b;
	e.origin = REG_OPERATOR;
	if (append(r, &e) != REG_OK)
		return REG_NOMEM;
	registry_block_static(r, NULL, NULL);
	return REG_OK;
}

enum reg_result
registry_release(struct registry *r, const struct in6_addr *a)
{
	size_t before = r->n;
	long s = h6_find(r, a);

	remove_static_of(r, a, 0, true);
	if (s >= 0)
		slot_drop(r, (uint32_t)s);
	if (before == r->n && s < 0)
		return REG_UNKNOWN;
	if (before != r->n)
		registry_block_static(r, NULL, NULL);
	return REG_OK;
}

unsigned
registry_expire(struct registry *r, uint64_t now,
		void (*fn)(void *, const struct reg_entry *, const char *), void *arg)
{
	unsigned changes = 0;
	struct reg_entry e;

	for (uint32_t s = 0; s < r->pool->n; s++) {
		uint8_t st = r->st[s];

		if (st == SLOT_ACTIVE && r->m[s].expires <= now) {
			/* keep the ports out of reach while old flows may be in flight */
			pool_unbind(r->pool, s);
			r->st[s] = st = SLOT_HELD;
			r->m[s].held_until = (uint32_t)(now + r->ap.hold_time);
			if (r->m[s].held_until == 0)
				r->m[s].held_until = 1;
			if (fn) {
				slot_entry(r, s, &e);
				fn(arg, &e, "expire");
			}
			changes++;
		}
		if (st == SLOT_HELD && r->m[s].held_until <= now) {
			slot_entry(r, s, &e);
			slot_drop(r, s);
			/* dead since the hold began: long enough ago, else it cools below */
			if (r->ap.hold_time >= REG_REUSE_GRACE) {
				r->st[s] = SLOT_FREE;
				free_push(r, s);
			}
			st = r->st[s];
			if (fn)
				fn(arg, &e, "free");
			changes++;
		}
		if (st == SLOT_COOL) {
			/* 0: given up since the last tick (or just above): its grace starts now */
			if (r->m[s].held_until == 0) {
				r->m[s].held_until = (uint32_t)(now + REG_REUSE_GRACE);
			} else if (r->m[s].held_until <= now) {
				r->st[s] = SLOT_FREE;
				free_push(r, s);
			}
		}
	}
	return changes;
}

struct btable *
registry_btable(const struct registry *r, char *err, size_t errlen)
{
	struct btable *bt = btable_new(r->n);

	if (!bt) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < r->n; i++) {
		if (btable_add(bt, &r->e[i].b, err, errlen) < 0) {
			btable_free(bt);
			return NULL;
		}
	}
	if (btable_build(bt, err, errlen) < 0) {
		btable_free(bt);
		return NULL;
	}
	return bt;
}

bool
registry_iter(const struct registry *r, size_t *pos, struct reg_entry *e)
{
	if (*pos < r->n) {
		*e = r->e[(*pos)++];
		return true;
	}
	for (size_t s = *pos - r->n; s < r->pool->n; s++)
		if (r->st[s] == SLOT_ACTIVE || r->st[s] == SLOT_HELD) {
			slot_entry(r, (uint32_t)s, e);
			*pos = r->n + s + 1;
			return true;
		}
	*pos = r->n + r->pool->n;
	return false;
}

size_t
registry_of(const struct registry *r, const struct in6_addr *a, struct reg_entry *out, size_t max)
{
	size_t k = 0;
	long s;

	for (size_t i = 0; i < r->n; i++)
		if (memcmp(&r->e[i].b.ipv6, a, 16) == 0 && k++ < max)
			out[k - 1] = r->e[i];
	if ((s = h6_find(r, a)) >= 0 && k++ < max)
		slot_entry(r, (uint32_t)s, &out[k - 1]);
	return k;
}

size_t
registry_count(const struct registry *r)
{
	return r->n + r->n_dyn;
}

size_t
registry_memory(const struct registry *r)
{
	size_t n = r->pool->n;

	return n * (sizeof(struct binding) + 1 + 1 + sizeof(struct reg_slot) + 2 * sizeof(uint32_t)) +
	       ((size_t)r->h6mask + 1) * sizeof(uint32_t);
}

/* ---- state lines ---- */

int
reg_entry_format(const struct reg_entry *e, char *buf, size_t len)
{
	char a6[INET6_ADDRSTRLEN], a4[INET_ADDRSTRLEN], ps[64], nh[2 * PCP_NONCE_LEN + 2] = "";
	uint32_t n = htonl(e->b.ipv4);

	inet_ntop(AF_INET6, &e->b.ipv6, a6, sizeof(a6));
	inet_ntop(AF_INET, &n, a4, sizeof(a4));
	portset_format(&e->b.ps, ps, sizeof(ps));
	if (e->origin == REG_DYNAMIC) {
		nh[0] = '\t';
		for (int i = 0; i < PCP_NONCE_LEN; i++)
			snprintf(nh + 1 + 2 * i, 3, "%02x", e->nonce[i]);
	}
	return snprintf(buf, len, "%s\t%s\t%s\t%s\t%" PRIu64 "\t%" PRIu64 "\t%u%s", a6, a4, ps,
			origin_names[e->origin < 3 ? e->origin : 0], e->expires,
			e->held_until, e->b.br, nh);
}

static bool
parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return !errno && !*end && *v <= max;
}

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

bool
reg_entry_text_fields(struct reg_entry *e, const char *ports, const char *origin, const char *nonce,
		      char *err, size_t errlen)
{
	int n;

	if (!portset_parse(ports, &e->b.ps, err, errlen))
		return false;
	for (n = 0; n < 3; n++)
		if (strcmp(origin, origin_names[n]) == 0)
			break;
	if (n == 3) {
		snprintf(err, errlen, "bad origin '%s'", origin);
		return false;
	}
	e->origin = (uint8_t)n;
	if (!nonce)
		return true;
	/* the registration's nonce, in hex */
	if (strlen(nonce) != 2 * PCP_NONCE_LEN) {
		snprintf(err, errlen, "bad nonce '%s'", nonce);
		return false;
	}
	for (int i = 0; i < PCP_NONCE_LEN; i++) {
		int hi = hexval(nonce[2 * i]), lo = hexval(nonce[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			snprintf(err, errlen, "bad nonce '%s'", nonce);
			return false;
		}
		e->nonce[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

bool
reg_entry_parse(const char *line, struct reg_entry *e, char *err, size_t errlen)
{
	char buf[512], *f[9];
	struct in_addr a4;
	size_t len;
	uint64_t v;
	int n = 0;

	len = strnlen(line, sizeof(buf) - 1);
	memcpy(buf, line, len);
	buf[len] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	/* tab-separated, empty fields skipped (a million lines at start-up: no strtok) */
	for (char *p = buf; *p && n < 9;) {
		if (*p == '\t') {
			p++;
			continue;
		}
		f[n++] = p;
		while (*p && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
	if (n != 7 && n != 8) {
		snprintf(err, errlen, "expected 7 or 8 tab-separated fields, found %d", n);
		return false;
	}
	memset(e, 0, sizeof(*e));
	if (inet_pton(AF_INET6, f[0], &e->b.ipv6) != 1) {
		snprintf(err, errlen, "bad IPv6 address '%s'", f[0]);
		return false;
	}
	if (inet_pton(AF_INET, f[1], &a4) != 1) {
		snprintf(err, errlen, "bad IPv4 address '%s'", f[1]);
		return false;
	}
	e->b.ipv4 = ntohl(a4.s_addr);
	if (!reg_entry_text_fields(e, f[2], f[3], n == 8 ? f[7] : NULL, err, errlen))
		return false;
	if (!parse_u64(f[4], UINT32_MAX, &e->expires) || !parse_u64(f[5], UINT32_MAX, &e->held_until) ||
	    !parse_u64(f[6], 255, &v)) {
		snprintf(err, errlen, "bad number");
		return false;
	}
	e->b.br = (uint8_t)v;
	return true;
}
