/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "prr/pmtu.h"

struct pmtu_cache {
	unsigned mask;
	uint64_t slot[];	/* key:32 | mtu:16 | expiry in 16-s ticks:16 */
};

static uint32_t
addr_hash(const struct in6_addr *a)
{
	uint32_t w[4], h = 2166136261u;

	memcpy(w, a, 16);
	for (int i = 0; i < 4; i++) {
		h ^= w[i];
		h *= 16777619u;
		h ^= h >> 15;
	}
	return h | 1;	/* 0 marks an empty slot */
}

struct pmtu_cache *
pmtu_new(unsigned slots)
{
	struct pmtu_cache *c;
	unsigned n = 1;

	while (n < slots)
		n <<= 1;
	c = calloc(1, sizeof(*c) + n * sizeof(uint64_t));
	if (c)
		c->mask = n - 1;
	return c;
}

void
pmtu_free(struct pmtu_cache *c)
{
	free(c);
}

static uint16_t
ticks(uint64_t now_ms)
{
	return (uint16_t)(now_ms / 16000);
}

void
pmtu_set(struct pmtu_cache *c, const struct in6_addr *a, unsigned mtu, uint64_t now_ms)
{
	uint32_t h = addr_hash(a);
	uint64_t w;

	if (mtu > 0xffff)
		mtu = 0xffff;
	w = (uint64_t)h << 32 | (uint64_t)mtu << 16 |
	    (uint16_t)(ticks(now_ms) + PMTU_TIMEOUT_S / 16);
	__atomic_store_n(&c->slot[h & c->mask], w, __ATOMIC_RELAXED);
}

unsigned
pmtu_get(const struct pmtu_cache *c, const struct in6_addr *a, unsigned dflt, uint64_t now_ms)
{
	uint32_t h = addr_hash(a);
	uint64_t w = __atomic_load_n(&c->slot[h & c->mask], __ATOMIC_RELAXED);
	unsigned mtu = (unsigned)(w >> 16) & 0xffff;

	if ((uint32_t)(w >> 32) != h)
		return dflt;
	/* expired when now has passed the expiry tick (wrap-aware) */
	if ((int16_t)((uint16_t)w - ticks(now_ms)) <= 0)
		return dflt;
	return mtu < dflt ? mtu : dflt;
}
