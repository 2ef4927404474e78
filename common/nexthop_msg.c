/* SPDX-License-Identifier: MIT */
/* rtnetlink requests and answers for a next hop: see nexthop_msg.h. */
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "nexthop_msg.h"

size_t
nh_addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* the sequence number is the sender's to set */
static struct nlmsghdr *
req(void *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	return nlh;
}

struct nlmsghdr *
nh_route_req(void *buf, int family, const uint8_t *dst, const uint8_t *src, int oif)
{
	struct nlmsghdr *nlh = req(buf, RTM_GETROUTE, 0);
	struct rtmsg *rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));

	rt->rtm_family = (uint8_t)family;
	rt->rtm_dst_len = (uint8_t)(8 * nh_addr_len(family));
	mnl_attr_put(nlh, RTA_DST, nh_addr_len(family), dst);
	if (src) {
		rt->rtm_src_len = rt->rtm_dst_len;
		mnl_attr_put(nlh, RTA_SRC, nh_addr_len(family), src);
	}
	if (oif)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	return nlh;
}

struct nlmsghdr *
nh_link_req(void *buf, int ifindex)
{
	struct nlmsghdr *nlh = req(buf, RTM_GETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

static struct nlmsghdr *
neigh_msg(void *buf, uint16_t type, uint16_t flags, int family, int ifindex,
	  const uint8_t *addr)
{
	struct nlmsghdr *nlh = req(buf, type, flags);
	struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));

	nd->ndm_family = (uint8_t)family;
	nd->ndm_ifindex = ifindex;
	mnl_attr_put(nlh, NDA_DST, nh_addr_len(family), addr);
	return nlh;
}

struct nlmsghdr *
nh_neigh_req(void *buf, int family, int ifindex, const uint8_t *addr)
{
	return neigh_msg(buf, RTM_GETNEIGH, 0, family, ifindex, addr);
}

struct nlmsghdr *
nh_neigh_use_req(void *buf, int family, int ifindex, const uint8_t *addr)
{
	/* as "ip neigh change ADDR dev DEV use": only an entry that exists */
	struct nlmsghdr *nlh = neigh_msg(buf, RTM_NEWNEIGH, NLM_F_REPLACE | NLM_F_ACK,
					 family, ifindex, addr);
	struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);

	nd->ndm_flags = NTF_USE;
	nd->ndm_state = NUD_NONE;
	return nlh;
}

int
nh_route_parse(const struct nlmsghdr *nlh, void *data)
{
	struct nh_route *r = data;
	const struct rtmsg *rt = mnl_nlmsg_get_payload(nlh);
	size_t alen = nh_addr_len(rt->rtm_family);
	const struct nlattr *a;
	bool other_hop = false;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*rt)))
		return MNL_CB_ERROR;
	memset(r, 0, sizeof(*r));
	mnl_attr_for_each(a, nlh, sizeof(*rt)) {
		switch (mnl_attr_get_type(a)) {
		case RTA_OIF:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				r->ifindex = (int)mnl_attr_get_u32(a);
			break;
		case RTA_GATEWAY:
			if (mnl_attr_get_payload_len(a) != alen)
				return MNL_CB_ERROR;
			memcpy(r->gw, mnl_attr_get_payload(a), alen);
			r->has_gw = true;
			break;
		case RTA_PREFSRC:
			if (mnl_attr_get_payload_len(a) == alen) {
				memcpy(r->prefsrc, mnl_attr_get_payload(a), alen);
				r->has_prefsrc = true;
			}
			break;
		case RTA_VIA:		/* an IPv4 route via an IPv6 next hop */
		case RTA_MULTIPATH:
			other_hop = true;
			break;
		}
	}
	r->unicast = rt->rtm_type == RTN_UNICAST && r->ifindex > 0 && !other_hop &&
		     (rt->rtm_family == AF_INET || rt->rtm_family == AF_INET6);
	return MNL_CB_OK;
}

int
nh_link_parse(const struct nlmsghdr *nlh, void *data)
{
	struct nh_link *l = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	bool mac = false;

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
		return MNL_CB_ERROR;
	memset(l, 0, sizeof(*l));
	mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
		if (mnl_attr_get_type(a) == IFLA_ADDRESS && mnl_attr_get_payload_len(a) == 6) {
			memcpy(l->mac, mnl_attr_get_payload(a), 6);
			mac = true;
		}
	}
	l->ether = ifi->ifi_type == ARPHRD_ETHER && (ifi->ifi_flags & IFF_UP) && mac;
	return MNL_CB_OK;
}

int
nh_neigh_parse(const struct nlmsghdr *nlh, void *data)
{
	struct nh_neigh *n = data;
	const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWNEIGH ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*nd)))
		return MNL_CB_ERROR;
	memset(n, 0, sizeof(*n));
	n->state = nd->ndm_state;
	mnl_attr_for_each(a, nlh, sizeof(*nd)) {
		if (mnl_attr_get_type(a) == NDA_LLADDR && mnl_attr_get_payload_len(a) == 6) {
			memcpy(n->mac, mnl_attr_get_payload(a), 6);
			n->has_mac = true;
		}
	}
	return MNL_CB_OK;
}

bool
nh_hop_make(struct nh_hop *h, int family, const struct nh_route *r, const struct nh_link *l,
	    const struct nh_neigh *n)
{
	uint16_t type = family == AF_INET ? ETH_P_IP : ETH_P_IPV6;

	/* NUD_VALID without NOARP: a device without neighbours has no MACs */
	if (!r->unicast || !l->ether || !n->has_mac ||
	    !(n->state & (NUD_PERMANENT | NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE)))
		return false;
	h->ifindex = r->ifindex;
	memcpy(h->eth, n->mac, 6);
	memcpy(h->eth + 6, l->mac, 6);
	h->eth[12] = (uint8_t)(type >> 8);
	h->eth[13] = (uint8_t)type;
	return true;
}
