/* SPDX-License-Identifier: MIT */
/* The next hop toward the PRR, over rtnetlink: see smap/nexthop.h. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <net/if_arp.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "smap/nexthop.h"

/* neighbour states whose link-layer address may be used */
#define NUD_USABLE	(NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT)

struct reply {
	int oif;
	bool has_gw, has_src, has_mac;
	struct in6_addr gw, src;
	uint8_t mac[6];
	uint16_t state;
};

struct mnl_socket *
nexthop_open(void)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (nl && mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(nl);
		nl = NULL;
	}
	return nl;
}

void
nexthop_close(struct mnl_socket *nl)
{
	if (nl)
		mnl_socket_close(nl);
}

static bool
is_ethernet(const char *ifname)
{
	struct ifreq ifr;
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool eth;

	if (fd < 0)
		return false;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, ifname, sizeof(ifr.ifr_name) - 1);
	eth = ioctl(fd, SIOCGIFHWADDR, &ifr) == 0 && ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER;
	close(fd);
	return eth;
}

static int
route_attr(const struct nlattr *a, void *data)
{
	struct reply *r = data;

	switch (mnl_attr_get_type(a)) {
	case RTA_OIF:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			r->oif = (int)mnl_attr_get_u32(a);
		break;
	case RTA_GATEWAY:
		if (mnl_attr_get_payload_len(a) == 16) {
			memcpy(&r->gw, mnl_attr_get_payload(a), 16);
			r->has_gw = true;
		}
		break;
	case RTA_PREFSRC:
		if (mnl_attr_get_payload_len(a) == 16) {
			memcpy(&r->src, mnl_attr_get_payload(a), 16);
			r->has_src = true;
		}
		break;
	}
	return MNL_CB_OK;
}

static int
neigh_attr(const struct nlattr *a, void *data)
{
	struct reply *r = data;

	if (mnl_attr_get_type(a) == NDA_LLADDR && mnl_attr_get_payload_len(a) == 6) {
		memcpy(r->mac, mnl_attr_get_payload(a), 6);
		r->has_mac = true;
	}
	return MNL_CB_OK;
}

static int
on_reply(const struct nlmsghdr *nlh, void *data)
{
	struct reply *r = data;

	if (nlh->nlmsg_type == RTM_NEWROUTE)
		return mnl_attr_parse(nlh, sizeof(struct rtmsg), route_attr, r);
	if (nlh->nlmsg_type == RTM_NEWNEIGH) {
		const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);

		r->state = nd->ndm_state;
		return mnl_attr_parse(nlh, sizeof(*nd), neigh_attr, r);
	}
	return MNL_CB_OK;
}

/* One request, its one answer into r: 0, or -1 (an error, no answer). */
static int
ask(struct mnl_socket *nl, struct nlmsghdr *nlh, struct reply *r)
{
	char buf[8192];
	unsigned seq = nlh->nlmsg_seq, portid = mnl_socket_get_portid(nl);
	ssize_t n;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n <= 0)
		return -1;
	return mnl_cb_run(buf, (size_t)n, seq, portid, on_reply, r) < 0 ? -1 : 0;
}

void
nexthop_resolve(struct mnl_socket *nl, const char *wan_if, const struct in6_addr *dst,
		const struct in6_addr *src, struct nexthop *nh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct rtmsg *rt;
	struct ndmsg *nd;
	struct reply r;
	int ifindex = (int)if_nametoindex(wan_if);
	unsigned seq = (unsigned)time(NULL);

	nh->ok = false;
	if (!nl || !ifindex || !is_ethernet(wan_if))
		return;
	memset(&r, 0, sizeof(r));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtm_family = AF_INET6;
	rt->rtm_dst_len = 128;
	mnl_attr_put(nlh, RTA_DST, 16, dst);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	if (ask(nl, nlh, &r) < 0 || r.oif != ifindex || (!src && !r.has_src))
		return;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq + 1;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = AF_INET6;
	nd->ndm_ifindex = ifindex;
	mnl_attr_put(nlh, NDA_DST, 16, r.has_gw ? &r.gw : dst);
	if (ask(nl, nlh, &r) < 0 || !r.has_mac || !(r.state & NUD_USABLE))
		return;

	nh->ifindex = ifindex;
	nh->dst = *dst;
	nh->src = src ? *src : r.src;
	memcpy(nh->mac, r.mac, 6);
	nh->ok = true;
}
