/* SPDX-License-Identifier: MIT */
/*
 * The allocation pool as a live table: every port set the registration
 * server can hand out is a slot with a fixed place, so the slot of
 * (shared address, port) is computed, not searched, and a registration
 * or its end changes one slot, never the whole table.
 *
 *   slot k  ->  address addrs[k / per], set k % per of it
 *
 * The registry (main thread) writes slots with pool_bind() and
 * pool_unbind(), the only two functions that change what the data path
 * sees (a fast path mirroring the table hooks there); the NFQUEUE
 * workers read them with pool_lookup() without locks. A slot's binding
 * is written before it is marked live, and marked dead before it can be
 * rewritten; the registry hands a dead slot to another SMAP only after
 * hold_time and at least REG_REUSE_GRACE seconds (registry.h), long
 * after any reader that saw it live is done, so a reader sees a whole
 * binding.
 */
#ifndef PRR_POOL_H
#define PRR_POOL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prr/binding.h"

#define ALLOC_MAX_ADDRS	256

/* How dynamic port sets are cut out of the pool addresses. */
struct alloc_params {
	uint32_t addrs[ALLOC_MAX_ADDRS];	/* shared addresses handed out, in order */
	unsigned n_addrs;
	bool psid;		/* PSID sets (offset, psid_len) instead of ranges */
	unsigned size;		/* ranges: ports per set */
	unsigned first_port;	/* ranges: ports below are never handed out */
	unsigned offset, psid_len;	/* PSID sets */
	uint32_t lifetime;	/* seconds a registration lasts */
	uint32_t hold_time;	/* seconds an expired set stays reserved */
};

struct pool {
	struct alloc_params ap;
	uint32_t per;		/* sets per address */
	uint32_t n;		/* slots: n_addrs * per */
	struct binding *b;	/* n: the set of each slot; ipv6 and br while live */
	_Atomic uint8_t *live;	/* n: 1 while the data path may use b[k] */
	uint32_t naddr_slots;	/* address -> index hash, open addressing */
	uint32_t *addr_key;
	uint16_t *addr_idx;	/* index + 1; 0 = empty */
	/* told after a slot went live or dead (the XDP fast path's maps follow); NULL: none */
	void (*watch)(void *arg, const struct pool *, uint32_t k, bool live);
	void *watch_arg;
};

/*
 * Zeroed memory for the big per-slot arrays, in huge pages where the
 * kernel has them (a million slots at start-up: few page faults).
 */
void *pool_alloc(size_t bytes);
void pool_release(void *, size_t bytes);

/* Sets per address for these parameters (0: none fit). */
uint32_t pool_per_addr(const struct alloc_params *);
/* 0, or -1 out of memory. Every slot starts dead. */
int pool_init(struct pool *, const struct alloc_params *);
void pool_free(struct pool *);
/* Whether both parameter sets cut the same slots. */
bool pool_same_geometry(const struct alloc_params *, const struct alloc_params *);

/* The port set and address of slot k (true), or false past the end. */
bool pool_slot_set(const struct pool *, uint32_t k, uint32_t *ipv4, struct portset *);
/* The slot that holds exactly this set, or -1. */
long pool_slot_of(const struct pool *, uint32_t ipv4, const struct portset *);
/* Index of an address of the pool, or -1. */
int pool_addr_index(const struct pool *, uint32_t ipv4);

/* The data path: the live binding that owns (ipv4, port), or NULL. */
const struct binding *pool_lookup(const struct pool *, uint32_t ipv4, uint16_t port);
/* Whether ipv4 is one of the pool's addresses. */
bool pool_has_ipv4(const struct pool *, uint32_t ipv4);

/* The only two changes the data path sees. */
void pool_bind(struct pool *, uint32_t k, const struct in6_addr *, uint8_t br);
void pool_unbind(struct pool *, uint32_t k);
static inline bool
pool_is_live(const struct pool *p, uint32_t k)
{
	return atomic_load_explicit(&p->live[k], memory_order_acquire) != 0;
}

#endif
