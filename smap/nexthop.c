/* SPDX-License-Identifier: MIT */
/* The next hop toward the PRR: see smap/nexthop.h. */
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include "nexthop_rtnl.h"
#include "smap/nexthop.h"

void
nexthop_resolve(struct nh_rtnl *rtnl, const char *wan_if, const struct in6_addr *dst,
		const struct in6_addr *src, struct nexthop *nh)
{
	int ifindex = (int)if_nametoindex(wan_if);
	struct nh_answer a;

	nh->ok = false;
	/* out of the WAN, the device the raw socket is bound to */
	if (!rtnl || !ifindex ||
	    !nh_rtnl_lookup(rtnl, AF_INET6, dst->s6_addr, NULL, ifindex, &a) ||
	    (!src && !a.route.has_prefsrc))
		return;
	nh->ifindex = ifindex;
	nh->dst = *dst;
	if (src)
		nh->src = *src;
	else
		memcpy(&nh->src, a.route.prefsrc, 16);
	memcpy(nh->mac, a.hop.eth, 6);
	nh->ok = true;
}
