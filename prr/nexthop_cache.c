/* SPDX-License-Identifier: MIT */
/* A worker's next-hop cache over rtnetlink: see prr/nexthop_cache.h. */
#include <stdalign.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/neighbour.h>

#include "nexthop_rtnl.h"
#include "prr/nexthop_cache.h"

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
	struct nh_rtnl *rtnl;
	struct nh_key pending[NH_RESOLVE_MAX];
	unsigned n_pending;
	struct nh_slot slot[NH_SLOTS];
};

struct nh_cache *
nh_cache_open(void)
{
	struct nh_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->rtnl = nh_rtnl_open();
	if (!c->rtnl) {
		nh_cache_close(c);
		return NULL;
	}
	return c;
}

void
nh_cache_close(struct nh_cache *c)
{
	if (!c)
		return;
	nh_rtnl_close(c->rtnl);
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

static void
resolve_one(struct nh_cache *c, struct nh_slot *s)
{
	int family = s->key.family;
	alignas(struct nlmsghdr) uint8_t req[NH_REQ_MAX];
	struct nh_answer a;

	if (!nh_rtnl_lookup(c->rtnl, family, s->key.dst, family == AF_INET6 ? s->key.src : NULL, 0,
			    &a))
		return;	/* the raw socket sends (its packets have the kernel make a missing entry) */
	s->hop = a.hop;
	s->usable = true;
	/* only the kernel's own sends would have it confirm a stale entry */
	if (a.neigh.state & NUD_STALE)
		nh_rtnl_ask(c->rtnl, nh_neigh_use_req(req, family, a.hop.ifindex, a.via), NULL, NULL);
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
