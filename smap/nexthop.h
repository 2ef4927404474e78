/* SPDX-License-Identifier: MIT */
/*
 * The next hop toward the PRR on the WAN, so that the softwire can send
 * on a packet socket (one syscall path, no route look-up, no ip6_output
 * a packet): the source address the kernel would choose, the gateway's
 * (or an on-link destination's) link-layer address from the neighbour
 * table. Asked of the kernel by common/nexthop_rtnl.h, once a second by
 * the packet loop; when anything is missing (not Ethernet, no route by
 * the WAN, no usable neighbour entry) it says no and the raw socket
 * sends as before.
 */
#ifndef AP_SMAP_NEXTHOP_H
#define AP_SMAP_NEXTHOP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct nh_rtnl;

struct nexthop {
	bool ok;
	int ifindex;		/* the WAN */
	struct in6_addr dst;	/* what it was resolved for */
	struct in6_addr src;
	uint8_t mac[6];
};

/*
 * nh for dst by the interface wan_if (its source src when src is not
 * NULL, else the route's preferred source). nh->ok false if unusable,
 * or rtnl is NULL.
 */
void nexthop_resolve(struct nh_rtnl *rtnl, const char *wan_if, const struct in6_addr *dst,
		     const struct in6_addr *src, struct nexthop *nh);

#endif
