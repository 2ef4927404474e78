/* SPDX-License-Identifier: MIT */
/*
 * MAP-E mapping rules (RFC 7597 5, 6): pure rule math, no I/O.
 *
 * A rule is (rule IPv6 prefix /n, rule IPv4 prefix /r, EA-bits length o,
 * PSID offset a). The EA bits are the o bits of a CE's End-user IPv6
 * prefix after the first n: their first p = 32 - r bits are the IPv4
 * suffix, the remaining q = o - p the PSID (RFC 7597 5.2):
 *
 *   o + r > 32   a shared address, PSID length k = o + r - 32
 *   o + r = 32   a full IPv4 address, no PSID
 *   o + r < 32   an IPv4 prefix of length r + o (several addresses)
 *   o = 0        nothing embedded: the rule's IPv4 prefix (a /32, or the
 *                CE takes the whole prefix), with an optional PSID that
 *                comes with the rule (psid_len, psid: RFC 7598
 *                S46_PORTPARAMS), not from the IPv6 prefix
 *
 * The MAP IPv6 address (RFC 7597 6) is the End-user prefix (n + o bits),
 * the subnet ID (zeros up to bit 64), then the interface identifier:
 * 16 bits 0, the 32-bit IPv4 address (a prefix padded with zeros), the
 * PSID right-aligned in 16 bits.
 */
#ifndef AP_MAP_RULE_H
#define AP_MAP_RULE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portset.h"

#define MAP_DEFAULT_OFFSET	6

struct map_rule {
	struct in6_addr prefix6;	/* rule IPv6 prefix, host bits 0 */
	uint32_t prefix4;		/* rule IPv4 prefix, host order, host bits 0 */
	uint8_t plen6;			/* n */
	uint8_t plen4;			/* r */
	uint8_t ea_len;			/* o */
	uint8_t offset;			/* a */
	/* o = 0 with sharing: the PSID comes with the rule */
	uint8_t psid_len_cfg;
	uint16_t psid_cfg;
	/* derived by map_rule_init() */
	uint8_t psid_len;		/* k */
	uint8_t v4_plen;		/* 32, or r + o when o + r < 32 */
	/* users' fields: the PRR's softwire address index (the DMR), FMR flag */
	uint8_t br;
	bool forwarding;
};

/* What a CE derives (or a BR computes for one CE). */
struct map_ce {
	uint32_t ipv4;			/* address, or prefix with host bits 0 */
	uint8_t v4_plen;		/* 32, or shorter for a prefix */
	uint8_t psid_len;		/* k */
	uint8_t offset;			/* a */
	uint16_t psid;
	struct portset ps;		/* PSID set, or 0-65535 without PSID */
	struct in6_addr prefix;		/* End-user IPv6 prefix (n + o bits) */
	uint8_t prefix_len;
	struct in6_addr addr;		/* MAP IPv6 address */
};

/*
 * Fill a rule from its parameters (psid_len/psid only when o = 0; pass
 * 0, 0 otherwise) and check it; false with a message in err.
 */
bool map_rule_init(struct map_rule *, const struct in6_addr *prefix6, unsigned plen6,
		   uint32_t prefix4, unsigned plen4, unsigned ea_len, unsigned offset,
		   unsigned psid_len, unsigned psid, char *err, size_t errlen);

/* Whether the rule's IPv4 prefix holds ipv4. */
static inline bool
map_rule_covers(const struct map_rule *r, uint32_t ipv4)
{
	uint32_t mask = r->plen4 ? ~0u << (32 - r->plen4) : 0;

	return (ipv4 & mask) == r->prefix4;
}

/* Whether the rule's IPv6 prefix holds a (the first n bits). */
bool map_rule_covers6(const struct map_rule *, const struct in6_addr *);

/*
 * CE side (RFC 7597 5.2): what a CE with the delegated prefix derives.
 * The prefix must lie in the rule's IPv6 prefix and be at least n + o
 * bits long. false with a message otherwise.
 */
bool map_rule_ce(const struct map_rule *, const struct in6_addr *delegated, unsigned dplen,
		 struct map_ce *out, char *err, size_t errlen);

/*
 * BR side (RFC 7597 5.3, 8): the MAP IPv6 address of the CE owning
 * (ipv4, port) under the rule. false when the rule does not cover ipv4,
 * or the port belongs to no CE (the excluded ports of block 0 when
 * a > 0, or another PSID than the rule's fixed one when o = 0).
 */
bool map_rule_addr(const struct map_rule *, uint32_t ipv4, uint16_t port, struct in6_addr *out);

/* The same, and everything else about that CE. */
bool map_rule_ce_of(const struct map_rule *, uint32_t ipv4, uint16_t port, struct map_ce *out);

/*
 * The first rule of n (in order) that covers ipv4 and gives an address
 * for port: its index, or -1. Rules should be given longest IPv4 prefix
 * first (map_rules_sort) so that the most specific rule wins.
 */
int map_rules_addr(const struct map_rule *, size_t n, uint32_t ipv4, uint16_t port,
		   struct in6_addr *out);
/* Index of the first rule covering ipv4, or -1. */
int map_rules_find(const struct map_rule *, size_t n, uint32_t ipv4);
/* Longest IPv4 prefix first (stable). */
void map_rules_sort(struct map_rule *, size_t n);

/* "2001:db8::/40 192.0.2.0/24 ea 16 offset 6" (and " psid 0x20/8") */
int map_rule_format(const struct map_rule *, char *buf, size_t len);

#endif
