/* SPDX-License-Identifier: MIT */
/*
 * The registry: every binding the PRR knows, where it came from, and
 * until when it holds.
 *
 *   config     static bindings of prr.conf
 *   operator   made by `prrctl assign`, kept until `prrctl release`
 *   dynamic    handed out to a registering SMAP from the allocation pool;
 *              expires unless renewed, then is held for hold_time before
 *              its ports may go to anyone else
 *
 * Config and operator entries are few: a list, turned into a binding
 * table (registry_btable) when they change. Dynamic ones live in the
 * pool's slots (prr/pool.h), which the data path reads directly: a
 * registration changes one slot. Per slot the registry keeps the
 * state, the mapping nonce (RFC 6887 11.3) and two times; free slots
 * sit in an array from which an allocation takes a random one in O(1);
 * an index by address, hashed on the subscriber's prefix so that the
 * sets of one subscriber are found together, counts them for the
 * limits.
 *
 * Pure: time comes in as an argument (unix seconds), nothing is written.
 */
#ifndef PRR_REGISTRY_H
#define PRR_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcp.h"
#include "prr/binding.h"
#include "prr/pool.h"

enum reg_origin {
	REG_CONFIG = 0,
	REG_OPERATOR,
	REG_DYNAMIC,
};

struct reg_entry {
	struct binding b;
	uint8_t origin;		/* enum reg_origin */
	uint64_t expires;	/* dynamic: unix seconds; 0 = never */
	uint64_t held_until;	/* released or expired: ports reserved until then; 0 = active */
	uint8_t nonce[PCP_NONCE_LEN];	/* dynamic: the registration's mapping nonce */
};

#define PRR_MAX_AUTH	32

struct prefix6 {
	struct in6_addr addr;
	unsigned plen;
};

bool prefix6_contains(const struct prefix6 *, const struct in6_addr *);

/* Who may hold how many sets (registration.* in prr.conf). */
struct reg_limits {
	struct prefix6 authorized[PRR_MAX_AUTH];	/* who may register */
	unsigned n_authorized;
	unsigned subscriber_plen;	/* a subscriber's (delegated) prefix length */
	unsigned sets_per_subscriber;	/* 0: no limit */
	unsigned sets_per_authorized;	/* per authorized prefix; 0: no limit */
};

/*
 * A dynamic slot's state. SLOT_COOL: given up, free again once
 * held_until has passed (at least REG_REUSE_GRACE seconds after its
 * data-path cell went dead), so that no reader of the pool (an NFQUEUE
 * worker between its look-up and its send, an XDP program) can still be
 * using the cell when it is rewritten for another SMAP, whatever the
 * CPU's memory ordering or the scheduler's delays.
 */
enum { SLOT_FREE = 0, SLOT_ACTIVE, SLOT_HELD, SLOT_BLOCKED, SLOT_COOL };
#define REG_REUSE_GRACE	2	/* seconds; a hold_time this long or longer is grace enough */

struct reg_slot {
	uint8_t nonce[PCP_NONCE_LEN];
	uint32_t expires;	/* unix seconds */
	uint32_t held_until;
};

struct registry {
	struct reg_entry *e;	/* config and operator entries */
	size_t n, cap;
	struct alloc_params ap;
	struct reg_limits lim;
	struct pool *pool;	/* the dynamic sets, live; replaced only on a new geometry */
	uint8_t *st;		/* per slot: SLOT_* */
	struct reg_slot *m;	/* per slot */
	uint32_t *freel, *fpos;	/* free slots, and each slot's place in freel */
	uint32_t nfree;
	uint32_t *h6;		/* slot + 1 by subscriber prefix hash; 0 empty */
	uint32_t h6mask;
	uint32_t h6slot;	/* a cell's slot + 1 bits; above them a tag of the address */
	uint32_t n_dyn;		/* active and held slots */
	uint32_t auth_count[PRR_MAX_AUTH];
	uint64_t rng;
	bool bulk;		/* loading: the free list is rebuilt at the end (registry_block_static) */
	uint64_t epoch_start;	/* unix time this PRR's state began: PCP epoch base */
};

enum reg_result {
	REG_OK = 0,
	REG_OVERLAP,		/* the port set overlaps another SMAP's */
	REG_UNKNOWN,		/* no such SMAP */
	REG_EXHAUSTED,		/* no free port set left in the pool */
	REG_INVALID,		/* bad port set */
	REG_NOMEM,
	REG_NONCE,		/* the registration exists with another nonce */
	REG_SUBSCRIBER_LIMIT,	/* the subscriber's prefix holds its sets already */
	REG_PREFIX_LIMIT,	/* the authorized prefix holds its sets already */
	REG_REPLACED,		/* added, replacing an overlapping or duplicate entry (err says) */
};

const char *reg_strerror(enum reg_result);

/* 0, or -1 out of memory. The pool is cut from ap. */
int registry_init(struct registry *, const struct alloc_params *);
void registry_free(struct registry *);
void registry_set_limits(struct registry *, const struct reg_limits *);
/*
 * New allocation parameters (reload): the same geometry keeps the pool
 * and only takes the times; another one makes a new pool into which
 * every dynamic set that still is a set of it moves (fn is told of the
 * others, which are dropped). The old pool is returned in *old for the
 * caller to free once no worker reads it (NULL if kept).
 */
int registry_set_params(struct registry *, const struct alloc_params *, struct pool **old,
			void (*fn)(void *, const struct reg_entry *), void *arg);

/*
 * Add as is (config load, state load). A dynamic entry must be a set of
 * the pool; it replaces what was there and any other set of its SMAP
 * (newest wins: REG_REPLACED, err names what went).
 */
enum reg_result registry_add(struct registry *, const struct reg_entry *, char *err, size_t errlen);
/*
 * A SMAP registers with a nonce: its static binding if it has one, its
 * active set renewed (same nonce only: else REG_NONCE), its held set
 * back (*changed), or a random free one within the limits (*changed,
 * *isnew). *changed: the durable state differs (a renewal that only
 * moves the expiry does not count).
 */
enum reg_result registry_register(struct registry *, const struct in6_addr *,
				  const uint8_t nonce[PCP_NONCE_LEN], uint64_t now,
				  struct reg_entry *out, bool *isnew, bool *changed);
/* A SMAP gives its dynamic set back: held, if the nonce is the registration's. */
enum reg_result registry_unregister(struct registry *, const struct in6_addr *,
				    const uint8_t nonce[PCP_NONCE_LEN], uint64_t now,
				    struct reg_entry *out);
/* The operator gives a SMAP this set (replacing what it had); overlap refused. */
enum reg_result registry_assign(struct registry *, const struct binding *, uint64_t now,
				char *err, size_t errlen);
/*
 * A shared store's change for b wins here: other SMAPs' operator sets
 * that b overlaps go, and with dynamic their registered sets too (this
 * PRR's changes that the store refused, or will refuse). Config
 * bindings stay. How many went; err names the first.
 */
size_t registry_clear_overlap(struct registry *, const struct binding *, bool dynamic, char *err,
			      size_t errlen);
/* The operator takes a SMAP's sets away at once (no hold). */
enum reg_result registry_release(struct registry *, const struct in6_addr *);
/*
 * Expire dynamic registrations past their lifetime (they become held)
 * and forget held ones past hold_time. Calls fn for each change.
 */
unsigned registry_expire(struct registry *, uint64_t now,
			 void (*fn)(void *arg, const struct reg_entry *, const char *event), void *arg);
/*
 * A hint for a bulk load: the memory registry_add() will touch for e,
 * fetched ahead, so that a batch of entries waits for it at once rather
 * than one cache miss after another (a million slots are scattered).
 */
void registry_prefetch(const struct registry *, const struct reg_entry *);
/*
 * A bulk load's batch (up to REG_LOAD_BATCH entries is enough to hide the
 * misses): each entry prefetched, then added as by registry_add, in
 * order; fn(arg, i, result, err) for each that was not simply REG_OK.
 * -1 out of memory (the rest not added).
 */
#define REG_LOAD_BATCH 16
int registry_add_batch(struct registry *, const struct reg_entry *, size_t n,
		       void (*fn)(void *, size_t, enum reg_result, const char *), void *arg);
/*
 * Dynamic sets that overlap a config or operator binding are dropped
 * (fn told of each), and their slots kept out of the free list, which
 * is rebuilt (it ends a bulk load: r->bulk is cleared).
 */
void registry_block_static(struct registry *, void (*fn)(void *, const struct reg_entry *),
			   void *arg);
/* The config and operator entries as a binding table (built), or NULL with err. */
struct btable *registry_btable(const struct registry *, char *err, size_t errlen);
/* Every entry in turn: *pos starts at 0; false at the end. */
bool registry_iter(const struct registry *, size_t *pos, struct reg_entry *);
/* The entries of one SMAP (up to max); how many there are. */
size_t registry_of(const struct registry *, const struct in6_addr *, struct reg_entry *, size_t max);
/* Entries in all. */
size_t registry_count(const struct registry *);
/* Bytes the registry holds for its dynamic sets (pool included), per slot. */
size_t registry_memory(const struct registry *);

/* State lines: "ipv6 ipv4 portset origin expires held_until softwire [nonce]". */
int reg_entry_format(const struct reg_entry *, char *buf, size_t len);
bool reg_entry_parse(const char *line, struct reg_entry *, char *err, size_t errlen);
/* An entry's text fields, as in a state line: port set, origin, nonce (hex; NULL: none). */
bool reg_entry_text_fields(struct reg_entry *, const char *ports, const char *origin,
			   const char *nonce, char *err, size_t errlen);

#endif
