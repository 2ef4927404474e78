/* SPDX-License-Identifier: MIT */
/*
 * Asking the kernel for a next hop over rtnetlink (libmnl): how it
 * would send to a destination, as route, interface and neighbour entry,
 * and the frame header a packet socket then writes (nexthop_msg.h).
 * The daemons keep their own policy around it: prr/nexthop_cache.h
 * (a hop per destination, a stale neighbour confirmed), smap/nexthop.h
 * (one hop toward the PRR, asked once a second).
 */
#ifndef AP_NEXTHOP_RTNL_H
#define AP_NEXTHOP_RTNL_H

#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include "nexthop_msg.h"

struct nh_rtnl;

/* An rtnetlink socket to ask on, or NULL. */
struct nh_rtnl *nh_rtnl_open(void);
void nh_rtnl_close(struct nh_rtnl *);
/*
 * Send req (built in buf by nexthop_msg.h, its sequence number set
 * here) and run its one answer through parse (NULL: an acknowledgement
 * only). 0, or -1: no answer, an error, or not understood.
 */
int nh_rtnl_ask(struct nh_rtnl *, struct nlmsghdr *req, mnl_cb_t parse, void *data);

/* What the kernel answered for one destination, as far as it got. */
struct nh_answer {
	struct nh_route route;
	struct nh_link link;
	struct nh_neigh neigh;
	uint8_t via[16];	/* the neighbour asked for: the gateway, or dst on link */
	struct nh_hop hop;	/* when nh_rtnl_lookup says true */
};

/*
 * How the kernel would send to dst (family AF_INET: 4 bytes, AF_INET6:
 * 16), routed from src (NULL: no source) out of oif (0: any). true when
 * a packet socket may send there instead: a unicast route (by oif, when
 * given), an Ethernet interface that is up, a neighbour entry with a
 * MAC the kernel holds valid. Without an entry the kernel's own sends
 * make one; a stale one is the caller's to have confirmed.
 */
bool nh_rtnl_lookup(struct nh_rtnl *, int family, const uint8_t *dst, const uint8_t *src,
		    int oif, struct nh_answer *);

#endif
