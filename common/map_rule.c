/* SPDX-License-Identifier: MIT */
/* MAP-E rule math (RFC 7597 5.1, 5.2, 6): see map_rule.h. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map_rule.h"

typedef unsigned __int128 u128;

static u128
load128(const struct in6_addr *a)
{
	u128 v = 0;

	for (int i = 0; i < 16; i++)
		v = (v << 8) | a->s6_addr[i];
	return v;
}

static void
store128(u128 v, struct in6_addr *a)
{
	for (int i = 15; i >= 0; i--) {
		a->s6_addr[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* The first len bits set. */
static u128
mask128(unsigned len)
{
	return len == 0 ? 0 : ~(u128)0 << (128 - len);
}

static uint32_t
mask32(unsigned len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

bool
map_rule_init(struct map_rule *r, const struct in6_addr *prefix6, unsigned plen6,
	      uint32_t prefix4, unsigned plen4, unsigned ea_len, unsigned offset,
	      unsigned psid_len, unsigned psid, char *err, size_t errlen)
{
	unsigned p = 32 - plen4;

	memset(r, 0, sizeof(*r));
	if (plen6 > 128 || plen4 > 32) {
		snprintf(err, errlen, "prefix length /%u is too long", plen6 > 128 ? plen6 : plen4);
		return false;
	}
	if ((load128(prefix6) & ~mask128(plen6)) != 0) {
		snprintf(err, errlen, "rule IPv6 prefix has bits set past /%u", plen6);
		return false;
	}
	if ((prefix4 & ~mask32(plen4)) != 0) {
		snprintf(err, errlen, "rule IPv4 prefix has bits set past /%u", plen4);
		return false;
	}
	if (offset > 15) {
		snprintf(err, errlen, "PSID offset %u is not in 0..15", offset);
		return false;
	}
	if (ea_len > 48) {
		snprintf(err, errlen, "EA-bits length %u is above 48 (32 + 16)", ea_len);
		return false;
	}
	/* RFC 7597 5.2: the End-user prefix, n + o, fits before the IID */
	if (plen6 + ea_len > 64) {
		snprintf(err, errlen, "rule IPv6 prefix /%u + EA-bits length %u = %u is "
			 "beyond 64", plen6, ea_len, plen6 + ea_len);
		return false;
	}
	if (psid_len && ea_len) {
		snprintf(err, errlen, "a PSID length with the rule is only for EA-bits length 0");
		return false;
	}
	r->prefix6 = *prefix6;
	r->plen6 = (uint8_t)plen6;
	r->prefix4 = prefix4;
	r->plen4 = (uint8_t)plen4;
	r->ea_len = (uint8_t)ea_len;
	r->offset = (uint8_t)offset;
	if (ea_len > p) {
		r->psid_len = (uint8_t)(ea_len - p);
		r->v4_plen = 32;
	} else if (ea_len == p) {
		r->v4_plen = 32;
	} else {
		r->v4_plen = (uint8_t)(plen4 + ea_len);
	}
	if (psid_len) {
		/* o = 0 (checked above): the PSID comes with the rule */
		if (plen4 != 32) {
			snprintf(err, errlen, "a PSID with the rule needs a /32 "
				 "IPv4 prefix, not /%u", plen4);
			return false;
		}
		r->psid_len = (uint8_t)psid_len;
		r->psid_len_cfg = (uint8_t)psid_len;
		r->psid_cfg = (uint16_t)psid;
	}
	if (r->psid_len > 16 || offset + r->psid_len > 16) {
		snprintf(err, errlen, "PSID offset %u + PSID length %u exceeds 16 bits",
			 offset, r->psid_len);
		return false;
	}
	if (r->psid_len_cfg && psid >= (1u << psid_len)) {
		snprintf(err, errlen, "PSID %u does not fit in %u bits", psid, psid_len);
		return false;
	}
	return true;
}

bool
map_rule_covers6(const struct map_rule *r, const struct in6_addr *a)
{
	u128 m = mask128(r->plen6);

	return (load128(a) & m) == (load128(&r->prefix6) & m);
}

static struct portset
ce_portset(unsigned a, unsigned k, unsigned psid)
{
	if (k == 0)
		return portset_range(0, 65535);	/* the whole address */
	return portset_psid(a, k, psid);
}

/* The MAP IPv6 address from the End-user prefix (n + o bits) and the IID. */
static void
ce_addr(u128 prefix, uint32_t ipv4, uint16_t psid, struct in6_addr *out)
{
	store128(prefix | ((u128)ipv4 << 16) | psid, out);
}

static void
ce_fill(const struct map_rule *r, u128 prefix, uint32_t ipv4, uint16_t psid, struct map_ce *c)
{
	memset(c, 0, sizeof(*c));
	c->ipv4 = ipv4;
	c->v4_plen = r->v4_plen;
	c->psid_len = r->psid_len;
	c->offset = r->psid_len ? r->offset : 0;
	c->psid = psid;
	c->ps = ce_portset(r->offset, r->psid_len, psid);
	c->prefix_len = (uint8_t)(r->plen6 + r->ea_len);
	store128(prefix, &c->prefix);
	ce_addr(prefix, ipv4, psid, &c->addr);
}

bool
map_rule_ce(const struct map_rule *r, const struct in6_addr *delegated, unsigned dplen,
	    struct map_ce *out, char *err, size_t errlen)
{
	unsigned n = r->plen6, o = r->ea_len, k = r->psid_len, p = 32 - r->plen4;
	u128 d = load128(delegated), prefix;
	uint64_t ea = 0;
	uint32_t ipv4 = r->prefix4;
	uint16_t psid = r->psid_cfg;

	if (!map_rule_covers6(r, delegated)) {
		snprintf(err, errlen, "the prefix is not inside the rule's IPv6 prefix");
		return false;
	}
	if (dplen < n + o || dplen > 128) {
		snprintf(err, errlen, "a /%u prefix is shorter than the rule's /%u + %u EA bits",
			 dplen, n, o);
		return false;
	}
	prefix = d & mask128(n + o);
	if (o)
		ea = (uint64_t)(prefix >> (128 - n - o)) & (o == 64 ? ~0ull : (1ull << o) - 1);
	if (o > p) {
		/* IPv4 suffix, then the PSID */
		ipv4 |= p ? (uint32_t)(ea >> k) & (uint32_t)((1ull << p) - 1) : 0;
		psid = (uint16_t)(ea & ((1u << k) - 1));
	} else if (o) {
		/* all of it (o = p) or the top o bits of the suffix (a prefix) */
		ipv4 |= (uint32_t)(ea << (p - o));
	}
	ce_fill(r, prefix, ipv4, psid, out);
	return true;
}

bool
map_rule_ce_of(const struct map_rule *r, uint32_t ipv4, uint16_t port, struct map_ce *out)
{
	unsigned n = r->plen6, o = r->ea_len, k = r->psid_len, a = r->offset;
	unsigned p = 32 - r->plen4;
	uint64_t ea = 0;
	uint16_t psid = 0;
	uint32_t suffix;
	u128 prefix;

	if (!map_rule_covers(r, ipv4))
		return false;
	if (k) {
		if (a && (port >> (16 - a)) == 0)
			return false;	/* excluded ports: nobody's (RFC 7597 5.1) */
		psid = psid_of_port(port, a, k);
		if (r->psid_len_cfg && psid != r->psid_cfg)
			return false;
	}
	suffix = p ? ipv4 & (uint32_t)((1ull << p) - 1) : 0;
	if (o > p)
		ea = ((uint64_t)suffix << k) | psid;
	else if (o)
		ea = suffix >> (p - o);
	ipv4 &= mask32(r->v4_plen);
	prefix = load128(&r->prefix6) & mask128(n);
	if (o)
		prefix |= (u128)ea << (128 - n - o);
	ce_fill(r, prefix, ipv4, psid, out);
	return true;
}

bool
map_rule_addr(const struct map_rule *r, uint32_t ipv4, uint16_t port, struct in6_addr *out)
{
	unsigned n = r->plen6, o = r->ea_len, k = r->psid_len, a = r->offset;
	unsigned p = 32 - r->plen4;
	uint64_t ea = 0;
	uint16_t psid = 0;
	uint32_t suffix;
	u128 v;

	if (!map_rule_covers(r, ipv4))
		return false;
	if (k) {
		if (a && (port >> (16 - a)) == 0)
			return false;
		psid = psid_of_port(port, a, k);
		if (r->psid_len_cfg && psid != r->psid_cfg)
			return false;
	}
	suffix = p ? ipv4 & (uint32_t)((1ull << p) - 1) : 0;
	if (o > p)
		ea = ((uint64_t)suffix << k) | psid;
	else if (o)
		ea = suffix >> (p - o);
	v = load128(&r->prefix6);
	if (o)
		v |= (u128)ea << (128 - n - o);
	ce_addr(v, ipv4 & mask32(r->v4_plen), psid, out);
	return true;
}

int
map_rules_find(const struct map_rule *r, size_t n, uint32_t ipv4)
{
	for (size_t i = 0; i < n; i++)
		if (map_rule_covers(&r[i], ipv4))
			return (int)i;
	return -1;
}

int
map_rules_addr(const struct map_rule *r, size_t n, uint32_t ipv4, uint16_t port,
	       struct in6_addr *out)
{
	for (size_t i = 0; i < n; i++)
		if (map_rule_addr(&r[i], ipv4, port, out))
			return (int)i;
	return -1;
}

void
map_rules_sort(struct map_rule *r, size_t n)
{
	/* insertion sort: a handful of rules, and stable */
	for (size_t i = 1; i < n; i++) {
		struct map_rule t = r[i];
		size_t j = i;

		while (j > 0 && r[j - 1].plen4 < t.plen4) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = t;
	}
}

int
map_rule_format(const struct map_rule *r, char *buf, size_t len)
{
	char a6[INET6_ADDRSTRLEN], a4[INET_ADDRSTRLEN];
	uint32_t n4 = htonl(r->prefix4);

	inet_ntop(AF_INET6, &r->prefix6, a6, sizeof(a6));
	inet_ntop(AF_INET, &n4, a4, sizeof(a4));
	if (r->psid_len_cfg)
		return snprintf(buf, len, "%s/%u %s/%u ea %u offset %u psid %u/%u", a6, r->plen6,
				a4, r->plen4, r->ea_len, r->offset, r->psid_cfg, r->psid_len_cfg);
	return snprintf(buf, len, "%s/%u %s/%u ea %u offset %u", a6, r->plen6, a4, r->plen4,
			r->ea_len, r->offset);
}
