/* SPDX-License-Identifier: MIT */
/*
 * Link-layer next hops for the NFQUEUE path's sends. A raw IP socket
 * routes every packet again (route, neighbour, output hooks): most of
 * the NFQUEUE path's cost once the packet is built. A packet socket
 * sends the frame as it is, so the worker keeps, per destination (and
 * source, for IPv6), the frame header the kernel itself would write:
 * asked of rtnetlink (common/nexthop_rtnl.h: route, interface,
 * neighbour), kept NH_TTL_MS, and only for an Ethernet interface and a
 * neighbour entry the kernel holds valid.
 * Anything else (no entry yet, a local or unreachable route, a tunnel)
 * goes through the raw socket as before, which also has the kernel
 * resolve the neighbour. A stale entry is used, and the kernel is asked
 * to confirm it (NTF_USE), as its own send would have.
 */
#ifndef PRR_NEXTHOP_CACHE_H
#define PRR_NEXTHOP_CACHE_H

#include <stdint.h>

#include "nexthop_msg.h"

#define NH_TTL_MS	1000	/* a route or neighbour change is seen within this */
#define NH_SLOTS	4096	/* destinations a worker keeps (direct-mapped) */
#define NH_RESOLVE_MAX	8	/* destinations asked for after one burst */

struct nh_cache;

struct nh_cache *nh_cache_open(void);
void nh_cache_close(struct nh_cache *);
/*
 * The hop toward dst (family AF_INET: 4 bytes, AF_INET6: 16), or NULL:
 * send through the raw socket. IPv6 is routed from src, as the raw
 * socket routes it (IPV6_PKTINFO); IPv4 without a source, as the raw
 * socket does (a route look-up from an address the host does not have
 * fails). A miss is remembered and asked after the burst, by nh_resolve.
 */
const struct nh_hop *nh_find(struct nh_cache *, int family, const uint8_t *dst,
			     const uint8_t *src, uint64_t now);
void nh_resolve(struct nh_cache *, uint64_t now);

#endif
