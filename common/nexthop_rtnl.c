/* SPDX-License-Identifier: MIT */
/* Asking the kernel for a next hop over rtnetlink: see nexthop_rtnl.h. */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nexthop_rtnl.h"

struct nh_rtnl {
	struct mnl_socket *nl;
	unsigned portid;
	uint32_t seq;
	alignas(struct nlmsghdr) uint8_t buf[16384];	/* an answer (a link's is 1-3 kB) */
};

struct nh_rtnl *
nh_rtnl_open(void)
{
	struct nh_rtnl *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!r->nl || mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		nh_rtnl_close(r);
		return NULL;
	}
	r->portid = mnl_socket_get_portid(r->nl);
	return r;
}

void
nh_rtnl_close(struct nh_rtnl *r)
{
	if (!r)
		return;
	if (r->nl)
		mnl_socket_close(r->nl);
	free(r);
}

int
nh_rtnl_ask(struct nh_rtnl *r, struct nlmsghdr *req, mnl_cb_t parse, void *data)
{
	ssize_t n;

	req->nlmsg_seq = ++r->seq;
	if (mnl_socket_sendto(r->nl, req, req->nlmsg_len) < 0)
		return -1;
	/* rtnetlink answers within the send: nothing to wait for */
	n = recv(mnl_socket_get_fd(r->nl), r->buf, sizeof(r->buf), MSG_DONTWAIT);
	if (n <= 0)
		return -1;
	return mnl_cb_run(r->buf, (size_t)n, req->nlmsg_seq, r->portid, parse, data) < 0 ? -1 : 0;
}

bool
nh_rtnl_lookup(struct nh_rtnl *r, int family, const uint8_t *dst, const uint8_t *src, int oif,
	       struct nh_answer *a)
{
	alignas(struct nlmsghdr) uint8_t req[NH_REQ_MAX];
	size_t alen = nh_addr_len(family);

	memset(a, 0, sizeof(*a));
	if (nh_rtnl_ask(r, nh_route_req(req, family, dst, src, oif), nh_route_parse,
			&a->route) < 0 ||
	    !a->route.unicast || (oif && a->route.ifindex != oif) ||
	    nh_rtnl_ask(r, nh_link_req(req, a->route.ifindex), nh_link_parse, &a->link) < 0 ||
	    !a->link.ether)
		return false;
	memcpy(a->via, a->route.has_gw ? a->route.gw : dst, alen);
	if (nh_rtnl_ask(r, nh_neigh_req(req, family, a->route.ifindex, a->via),
			nh_neigh_parse, &a->neigh) < 0)
		return false;
	return nh_hop_make(&a->hop, family, &a->route, &a->link, &a->neigh);
}
