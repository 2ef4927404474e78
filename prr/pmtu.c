/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "prr/pmtu.h"

/* What a slot was last set to, for the watcher (the XDP fast path's map). */
struct pmtu_entry {
	struct in6_addr addr;
	uint64_t expiry_ms;
	unsigned mtu;
};

struct pmtu_cache {
	unsigned mask;
	pthread_mutex_t lock;	/* setters and the watcher; readers take none */
	pmtu_watch_fn *watch;
	void *watch_arg;
	struct pmtu_entry *entry;
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
	if (!c)
		return NULL;
	c->mask = n - 1;
	c->entry = calloc(n, sizeof(*c->entry));
	if (!c->entry) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void
pmtu_free(struct pmtu_cache *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c->entry);
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
	uint64_t w, expiry_ms = (now_ms / 16000 + PMTU_TIMEOUT_S / 16) * 16000;
	struct pmtu_entry *e = &c->entry[h & c->mask];

	if (mtu > 0xffff)
		mtu = 0xffff;
	w = (uint64_t)h << 32 | (uint64_t)mtu << 16 |
	    (uint16_t)(ticks(now_ms) + PMTU_TIMEOUT_S / 16);
	pthread_mutex_lock(&c->lock);
	__atomic_store_n(&c->slot[h & c->mask], w, __ATOMIC_RELAXED);
	/* the address this one replaces is no longer known */
	if (c->watch && e->mtu && memcmp(&e->addr, a, sizeof(*a)) != 0)
		c->watch(c->watch_arg, &e->addr, 0, 0);
	e->addr = *a;
	e->mtu = mtu;
	e->expiry_ms = expiry_ms;
	if (c->watch)
		c->watch(c->watch_arg, a, mtu, expiry_ms);
	pthread_mutex_unlock(&c->lock);
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

void
pmtu_watch(struct pmtu_cache *c, pmtu_watch_fn *fn, void *arg)
{
	pthread_mutex_lock(&c->lock);
	c->watch = fn;
	c->watch_arg = arg;
	for (unsigned i = 0; fn && i <= c->mask; i++)
		if (c->entry[i].mtu)
			fn(arg, &c->entry[i].addr, c->entry[i].mtu, c->entry[i].expiry_ms);
	pthread_mutex_unlock(&c->lock);
}
