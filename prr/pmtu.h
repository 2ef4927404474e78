/* SPDX-License-Identifier: MIT */
/*
 * Path MTU per SMAP address, learnt from ICMPv6 packet too big
 * (RFC 8201). Shared by all worker threads without locks: each slot is
 * one 64-bit word (address hash, MTU, expiry) read and written atomically.
 * A hash collision can only lower an MTU for a while, never raise it.
 */
#ifndef AP_PMTU_H
#define AP_PMTU_H

#include <netinet/in.h>
#include <stdint.h>

#define PMTU_TIMEOUT_S	600	/* RFC 8201 5.3: try a larger MTU after 10 minutes */

struct pmtu_cache;

struct pmtu_cache *pmtu_new(unsigned slots);
void pmtu_free(struct pmtu_cache *);
void pmtu_set(struct pmtu_cache *, const struct in6_addr *, unsigned mtu, uint64_t now_ms);
/* The learnt MTU if one is fresh and below dflt, else dflt. */
unsigned pmtu_get(const struct pmtu_cache *, const struct in6_addr *, unsigned dflt, uint64_t now_ms);

#endif
