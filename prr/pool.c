/* SPDX-License-Identifier: MIT */
/* The allocation pool as a live table: see pool.h. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "prr/pool.h"

/* Fibonacci hashing: the pool's few addresses are often consecutive */
static inline uint32_t
mix32(uint32_t x)
{
	return (x * 0x9e3779b1U) ^ (x >> 16);
}

void *
pool_alloc(size_t bytes)
{
	void *p;

	if (bytes == 0)
		bytes = 1;
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (bytes >= (2u << 20))
		madvise(p, bytes, MADV_HUGEPAGE);
	return p;
}

void
pool_release(void *p, size_t bytes)
{
	if (p)
		munmap(p, bytes ? bytes : 1);
}

uint32_t
pool_per_addr(const struct alloc_params *ap)
{
	if (ap->psid)
		return ap->psid_len <= 16 && ap->offset + ap->psid_len <= 16 ? 1u << ap->psid_len : 0;
	if (ap->size == 0 || ap->first_port + ap->size > 65536)
		return 0;
	return (65536 - ap->first_port) / ap->size;
}

bool
pool_same_geometry(const struct alloc_params *a, const struct alloc_params *b)
{
	if (a->n_addrs != b->n_addrs || a->psid != b->psid ||
	    memcmp(a->addrs, b->addrs, a->n_addrs * sizeof(a->addrs[0])) != 0)
		return false;
	if (a->psid)
		return a->offset == b->offset && a->psid_len == b->psid_len;
	return a->size == b->size && a->first_port == b->first_port;
}

int
pool_addr_index(const struct pool *p, uint32_t ipv4)
{
	uint32_t i;

	if (p->naddr_slots == 0)
		return -1;
	for (i = mix32(ipv4) & (p->naddr_slots - 1); p->addr_idx[i];
	     i = (i + 1) & (p->naddr_slots - 1))
		if (p->addr_key[i] == ipv4)
			return p->addr_idx[i] - 1;
	return -1;
}

bool
pool_slot_set(const struct pool *p, uint32_t k, uint32_t *ipv4, struct portset *ps)
{
	const struct alloc_params *ap = &p->ap;
	uint32_t j;

	if (k >= p->n)
		return false;
	j = k % p->per;
	if (ap->psid)
		*ps = portset_psid(ap->offset, ap->psid_len, j);
	else
		*ps = portset_range((uint16_t)(ap->first_port + j * ap->size),
				    (uint16_t)(ap->first_port + (j + 1) * ap->size - 1));
	*ipv4 = ap->addrs[k / p->per];
	return true;
}

int
pool_init(struct pool *p, const struct alloc_params *ap)
{
	uint64_t n;

	memset(p, 0, sizeof(*p));
	p->ap = *ap;
	p->per = pool_per_addr(ap);
	n = (uint64_t)p->per * ap->n_addrs;
	if (n > UINT32_MAX / 2)
		return -1;
	p->n = (uint32_t)n;
	if (p->n) {
		p->b = pool_alloc((size_t)p->n * sizeof(*p->b));
		p->live = pool_alloc((size_t)p->n * sizeof(*p->live));
		if (!p->b || !p->live) {
			pool_free(p);
			return -1;
		}
		/* slot by slot without a division: a million of them at start-up */
		for (uint32_t a = 0, k = 0; a < ap->n_addrs; a++) {
			pool_slot_set(p, k, &p->b[k].ipv4, &p->b[k].ps);
			for (uint32_t j = 1; j < p->per; j++) {
				struct binding *b = &p->b[k + j];
				b->ipv4 = ap->addrs[a];
				b->ps = p->b[k].ps;
				if (ap->psid) {
					b->ps.psid = (uint16_t)j;
				} else {
					b->ps.min = (uint16_t)(ap->first_port + j * ap->size);
					b->ps.max = (uint16_t)(b->ps.min + ap->size - 1);
				}
			}
			k += p->per;
		}
	}
	p->naddr_slots = 1;
	while (p->naddr_slots < 2 * ap->n_addrs)
		p->naddr_slots <<= 1;
	p->addr_key = calloc(p->naddr_slots, sizeof(*p->addr_key));
	p->addr_idx = calloc(p->naddr_slots, sizeof(*p->addr_idx));
	if (!p->addr_key || !p->addr_idx) {
		pool_free(p);
		return -1;
	}
	for (unsigned a = 0; a < ap->n_addrs; a++) {
		uint32_t i;

		if (pool_addr_index(p, ap->addrs[a]) >= 0)
			continue;	/* listed twice: the first counts */
		for (i = mix32(ap->addrs[a]) & (p->naddr_slots - 1); p->addr_idx[i];
		     i = (i + 1) & (p->naddr_slots - 1))
			;
		p->addr_key[i] = ap->addrs[a];
		p->addr_idx[i] = (uint16_t)(a + 1);
	}
	return 0;
}

void
pool_free(struct pool *p)
{
	pool_release(p->b, (size_t)p->n * sizeof(*p->b));
	pool_release((void *)p->live, (size_t)p->n * sizeof(*p->live));
	free(p->addr_key);
	free(p->addr_idx);
	memset(p, 0, sizeof(*p));
}

long
pool_slot_of(const struct pool *p, uint32_t ipv4, const struct portset *ps)
{
	int a = pool_addr_index(p, ipv4);
	uint32_t j;

	if (a < 0 || p->per == 0)
		return -1;
	if (p->ap.psid) {
		if (ps->kind != PORTSET_PSID || ps->offset != p->ap.offset ||
		    ps->psid_len != p->ap.psid_len)
			return -1;
		j = ps->psid;
	} else {
		if (ps->kind != PORTSET_RANGE || ps->min < p->ap.first_port ||
		    (ps->min - p->ap.first_port) % p->ap.size ||
		    (uint32_t)ps->max - ps->min + 1 != p->ap.size)
			return -1;
		j = (ps->min - p->ap.first_port) / p->ap.size;
	}
	return j < p->per ? (long)((uint32_t)a * p->per + j) : -1;
}

const struct binding *
pool_lookup(const struct pool *p, uint32_t ipv4, uint16_t port)
{
	const struct alloc_params *ap = &p->ap;
	uint32_t j, k;
	int a;

	if (!p->n || (a = pool_addr_index(p, ipv4)) < 0)
		return NULL;
	if (ap->psid) {
		if (ap->offset && (port >> (16 - ap->offset)) == 0)
			return NULL;	/* RFC 7597 5.1: block 0 is nobody's */
		j = psid_of_port(port, ap->offset, ap->psid_len);
	} else {
		if (port < ap->first_port)
			return NULL;
		j = (port - ap->first_port) / ap->size;
		if (j >= p->per)
			return NULL;
	}
	k = (uint32_t)a * p->per + j;
	return pool_is_live(p, k) ? &p->b[k] : NULL;
}

bool
pool_has_ipv4(const struct pool *p, uint32_t ipv4)
{
	return pool_addr_index(p, ipv4) >= 0;
}

void
pool_bind(struct pool *p, uint32_t k, const struct in6_addr *a, uint8_t br)
{
	/* a slot is rewritten only while dead; readers see it live after */
	atomic_store_explicit(&p->live[k], 0, memory_order_release);
	p->b[k].ipv6 = *a;
	p->b[k].br = br;
	atomic_store_explicit(&p->live[k], 1, memory_order_release);
	if (p->watch)
		p->watch(p->watch_arg, p, k, true);
}

void
pool_unbind(struct pool *p, uint32_t k)
{
	atomic_store_explicit(&p->live[k], 0, memory_order_release);
	if (p->watch)
		p->watch(p->watch_arg, p, k, false);
}
