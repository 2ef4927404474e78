/* SPDX-License-Identifier: MIT */
/*
 * Link-layer next hops for the NFQUEUE path's sends. A raw IP socket
 * routes every packet again (route, neighbour, output hooks): most of
 * the NFQUEUE path's cost once the packet is built. A packet socket
 * sends the frame as it is, so the worker keeps, per destination (and
 * source, for IPv6), the frame header the kernel itself would write:
 * asked of rtnetlink (route, interface, neighbour), kept NH_TTL_MS, and
 * only for an Ethernet interface and a neighbour entry the kernel holds
 * valid.
 * Anything else (no entry yet, a local or unreachable route, a tunnel)
 * goes through the raw socket as before, which also has the kernel
 * resolve the neighbour. A stale entry is used, and the kernel is asked
 * to confirm it (NTF_USE), as its own send would have.
 */
#ifndef PRR_NEXTHOP_H
#define PRR_NEXTHOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#define NH_TTL_MS	1000	/* a route or neighbour change is seen within this */
#define NH_SLOTS	4096	/* destinations a worker keeps (direct-mapped) */
#define NH_RESOLVE_MAX	8	/* destinations asked for after one burst */

/* what a packet socket needs to send a frame there */
struct nh_hop {
	int ifindex;
	uint8_t eth[14];	/* next hop's MAC, the interface's, ethertype */
};

/* --- pure: requests and answers (nexthop_msg.c) --- */

/* what one answer said; the parsers fill in only what they find */
struct nh_route {
	bool unicast;		/* RTN_UNICAST, one next hop, its interface known */
	int ifindex;
	bool has_gw;
	uint8_t gw[16];
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

size_t nh_addr_len(int family);
/* Each puts one request into buf (MNL_SOCKET_BUFFER_SIZE) and returns it. */
/* src: NULL, or the source to route by (RTA_SRC) */
struct nlmsghdr *nh_route_req(void *buf, uint32_t seq, int family, const uint8_t *dst,
			      const uint8_t *src);
struct nlmsghdr *nh_link_req(void *buf, uint32_t seq, int ifindex);
struct nlmsghdr *nh_neigh_req(void *buf, uint32_t seq, int family, int ifindex,
			      const uint8_t *addr);
/* RTM_NEWNEIGH with NTF_USE: the kernel confirms the entry as if it sent */
struct nlmsghdr *nh_neigh_use_req(void *buf, uint32_t seq, int family, int ifindex,
				  const uint8_t *addr);
/* libmnl callbacks (data: the struct above) */
int nh_route_parse(const struct nlmsghdr *, void *route);
int nh_link_parse(const struct nlmsghdr *, void *link);
int nh_neigh_parse(const struct nlmsghdr *, void *neigh);
/* The frame header for these answers, or false if a packet socket must not send */
bool nh_hop_make(struct nh_hop *, int family, const struct nh_route *,
		 const struct nh_link *, const struct nh_neigh *);

/* --- the worker's cache over rtnetlink (nexthop.c) --- */
struct nh_cache;

struct nh_cache *nh_open(void);
void nh_close(struct nh_cache *);
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
