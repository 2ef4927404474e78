/* SPDX-License-Identifier: MIT */
/*
 * Path MTU per SMAP address, learnt from ICMPv6 packet too big
 * (RFC 8201). Shared by all worker threads without locks: each slot is
 * one 64-bit word (address hash, MTU, expiry) read and written atomically.
 * A hash collision can only lower an MTU for a while, never raise it.
 *
 * A watcher (the XDP fast path's map, prr/fastpath.c) is told of every
 * MTU set and of every address whose slot another one took, so it can
 * hold what pmtu_get answers. Setters take a lock: PTBs are rare.
 */
#ifndef AP_PMTU_H
#define AP_PMTU_H

#include <netinet/in.h>
#include <stdint.h>

#define PMTU_TIMEOUT_S	600	/* RFC 8201 5.3: try a larger MTU after 10 minutes */
#define PMTU_SLOTS	65536	/* the daemon's cache */

struct pmtu_cache;

struct pmtu_cache *pmtu_new(unsigned slots);
void pmtu_free(struct pmtu_cache *);
void pmtu_set(struct pmtu_cache *, const struct in6_addr *, unsigned mtu, uint64_t now_ms);
/* The learnt MTU if one is fresh and below dflt, else dflt. */
unsigned pmtu_get(const struct pmtu_cache *, const struct in6_addr *, unsigned dflt, uint64_t now_ms);

/*
 * a's learnt MTU until expiry_ms (now_ms's clock; pmtu_get answers dflt
 * from then on), or mtu 0: a has none any more.
 */
typedef void pmtu_watch_fn(void *arg, const struct in6_addr *a, unsigned mtu,
			   uint64_t expiry_ms);
/* fn (NULL: none) is told of every entry held now, then of each change. */
void pmtu_watch(struct pmtu_cache *, pmtu_watch_fn *fn, void *arg);

#endif
