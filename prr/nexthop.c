/* SPDX-License-Identifier: MIT */
/* A worker's next-hop cache over rtnetlink: see prr/nexthop.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/neighbour.h>

#include "prr/nexthop.h"

/* what a hop is kept for: bytes past an IPv4 address and src of IPv4 are 0 */
struct nh_key {
	uint8_t family;		/* 0: an empty slot */
	uint8_t dst[16];
	uint8_t src[16];	/* IPv6 only: the raw socket routes by it (IPV6_PKTINFO) */
};

struct nh_slot {
	struct nh_key key;
	bool usable;		/* false: send through the raw socket until expires */
	uint64_t expires;
	struct nh_hop hop;
};

struct nh_cache {
	struct mnl_socket *nl;
	unsigned portid;
	uint32_t seq;
	struct nh_key pending[NH_RESOLVE_MAX];
	unsigned n_pending;
	uint8_t buf[16384];	/* an answer (a link's is 1-3 kB) */
	struct nh_slot slot[NH_SLOTS];
};

struct nh_cache *
nh_open(void)
{
	struct nh_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->nl = mnl_socket_open(NETLINK_ROUTE);
	if (!c->nl || mnl_socket_bind(c->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		nh_close(c);
		return NULL;
	}
	c->portid = mnl_socket_get_portid(c->nl);
	return c;
}

void
nh_close(struct nh_cache *c)
{
	if (!c)
		return;
	if (c->nl)
		mnl_socket_close(c->nl);
	free(c);
}

static struct nh_slot *
slot_of(struct nh_cache *c, const struct nh_key *k)
{
	size_t len = nh_addr_len(k->family);
	uint32_t h = 2166136261u;	/* FNV-1a over the destination's last 8 bytes */

	for (size_t i = len > 8 ? len - 8 : 0; i < len; i++)
		h = (h ^ k->dst[i]) * 16777619u;
	return &c->slot[(h ^ h >> 16) % NH_SLOTS];
}

const struct nh_hop *
nh_find(struct nh_cache *c, int family, const uint8_t *dst, const uint8_t *src, uint64_t now)
{
	struct nh_key k = { .family = (uint8_t)family };
	struct nh_slot *s;

	memcpy(k.dst, dst, nh_addr_len(family));
	if (family == AF_INET6)
		memcpy(k.src, src, 16);
	s = slot_of(c, &k);
	if (now < s->expires && memcmp(&s->key, &k, sizeof(k)) == 0)
		return s->usable ? &s->hop : NULL;
	for (unsigned i = 0; i < c->n_pending; i++)
		if (memcmp(&c->pending[i], &k, sizeof(k)) == 0)
			return NULL;
	if (c->n_pending < NH_RESOLVE_MAX)
		c->pending[c->n_pending++] = k;
	return NULL;
}

/* One request, its one answer through parse (-1: none, an error, or not understood). */
static int
ask(struct nh_cache *c, struct nlmsghdr *nlh, mnl_cb_t parse, void *data)
{
	ssize_t n;

	if (mnl_socket_sendto(c->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	/* rtnetlink answers within the send: nothing to wait for */
	n = recv(mnl_socket_get_fd(c->nl), c->buf, sizeof(c->buf), MSG_DONTWAIT);
	if (n <= 0)
		return -1;
	return mnl_cb_run(c->buf, (size_t)n, nlh->nlmsg_seq, c->portid, parse, data) < 0 ? -1 : 0;
}

static void
resolve_one(struct nh_cache *c, struct nh_slot *s)
{
	int family = s->key.family;
	const uint8_t *dst = s->key.dst;
	uint8_t req[MNL_SOCKET_BUFFER_SIZE];
	struct nh_route r;
	struct nh_link l;
	struct nh_neigh n;
	const uint8_t *via;

	if (ask(c, nh_route_req(req, ++c->seq, family, dst, family == AF_INET6 ? s->key.src : NULL),
		nh_route_parse, &r) < 0 ||
	    !r.unicast ||
	    ask(c, nh_link_req(req, ++c->seq, r.ifindex), nh_link_parse, &l) < 0 || !l.ether)
		return;
	via = r.has_gw ? r.gw : dst;
	if (ask(c, nh_neigh_req(req, ++c->seq, family, r.ifindex, via), nh_neigh_parse, &n) < 0)
		return;	/* no entry: the raw socket's packets have the kernel make one */
	if (!nh_hop_make(&s->hop, family, &r, &l, &n))
		return;
	s->usable = true;
	/* only the kernel's own sends would have it confirm a stale entry */
	if (n.state & NUD_STALE)
		ask(c, nh_neigh_use_req(req, ++c->seq, family, r.ifindex, via), NULL, NULL);
}

void
nh_resolve(struct nh_cache *c, uint64_t now)
{
	for (unsigned i = 0; i < c->n_pending; i++) {
		struct nh_slot *s = slot_of(c, &c->pending[i]);

		s->key = c->pending[i];
		s->usable = false;
		s->expires = now + NH_TTL_MS;
		resolve_one(c, s);
	}
	c->n_pending = 0;
}
