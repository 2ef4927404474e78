/* SPDX-License-Identifier: MIT */
/*
 * The rtnetlink messages that find a link-layer next hop, so that a
 * packet socket can send a frame as the kernel would have (both
 * daemons' sends; common/nexthop_rtnl.h asks them): requests for a
 * route, a link and a neighbour entry, parsers of their answers, and
 * the frame header those answers make. Pure: no socket.
 */
#ifndef AP_NEXTHOP_MSG_H
#define AP_NEXTHOP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#define NH_REQ_MAX	128	/* a request's size at most: the buffer the builders fill */

/* what a packet socket needs to send a frame there */
struct nh_hop {
	int ifindex;
	uint8_t eth[14];	/* next hop's MAC, the interface's, ethertype */
};

/* what one answer said; the parsers fill in only what they find */
struct nh_route {
	bool unicast;		/* RTN_UNICAST, one next hop, its interface known */
	int ifindex;
	bool has_gw;
	uint8_t gw[16];
	bool has_prefsrc;	/* the source the kernel would choose */
	uint8_t prefsrc[16];
};
struct nh_link {
	bool ether;		/* Ethernet, up, with a 6-byte address */
	uint8_t mac[6];
};
struct nh_neigh {
	uint16_t state;		/* NUD_* */
	bool has_mac;
	uint8_t mac[6];
};

/* addresses: family AF_INET 4 bytes, AF_INET6 16 */
size_t nh_addr_len(int family);
/*
 * Each puts one request into buf (NH_REQ_MAX bytes, aligned as a struct
 * nlmsghdr) and returns it; the sender sets its sequence number
 * (nh_rtnl_ask). src: NULL, or the source to route by (RTA_SRC); oif:
 * 0, or the interface to route out of (RTA_OIF).
 */
struct nlmsghdr *nh_route_req(void *buf, int family, const uint8_t *dst, const uint8_t *src,
			      int oif);
struct nlmsghdr *nh_link_req(void *buf, int ifindex);
struct nlmsghdr *nh_neigh_req(void *buf, int family, int ifindex, const uint8_t *addr);
/* RTM_NEWNEIGH with NTF_USE: the kernel confirms the entry as if it sent */
struct nlmsghdr *nh_neigh_use_req(void *buf, int family, int ifindex, const uint8_t *addr);
/* libmnl callbacks (data: the struct above) */
int nh_route_parse(const struct nlmsghdr *, void *route);
int nh_link_parse(const struct nlmsghdr *, void *link);
int nh_neigh_parse(const struct nlmsghdr *, void *neigh);
/* The frame header for these answers, or false if a packet socket must not send */
bool nh_hop_make(struct nh_hop *, int family, const struct nh_route *,
		 const struct nh_link *, const struct nh_neigh *);

#endif
