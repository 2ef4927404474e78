/* SPDX-License-Identifier: MIT */
/* MAP-E rules in registration answers: see pcp_rules.h. */
#include <string.h>

#include "prr/pcp_rules.h"

/* Index of the rule with the longest IPv6 prefix holding a, or -1. */
static int
bmr_of(const struct prr_params *p, const struct in6_addr *a)
{
	int best = -1;

	for (unsigned i = 0; i < p->n_rules; i++)
		if (map_rule_covers6(&p->rules[i], a) &&
		    (best < 0 || p->rules[i].plen6 > p->rules[best].plen6))
			best = (int)i;
	return best;
}

unsigned
pcp_rules_fill(const struct prr_params *p, const struct in6_addr *src, struct pcp_response *rsp)
{
	int bmr = bmr_of(p, src);
	unsigned n = 0;

	if (bmr >= 0)
		rsp->rules[n++] = p->rules[bmr];
	for (unsigned i = 0; i < p->n_rules && n < PCP_MAX_MAP_RULES; i++)
		if ((int)i != bmr)
			rsp->rules[n++] = p->rules[i];
	rsp->n_rules = n;
	return n;
}

bool
pcp_rules_ce(const struct prr_params *p, const struct in6_addr *src, struct map_ce *ce)
{
	int bmr = bmr_of(p, src);
	const struct map_rule *r;
	char err[96];

	if (bmr < 0)
		return false;
	r = &p->rules[bmr];
	if (!map_rule_ce(r, src, r->plen6 + r->ea_len, ce, err, sizeof(err)))
		return false;
	return memcmp(&ce->addr, src, sizeof(*src)) == 0;
}

size_t
pcp_rules_build(uint8_t *out, size_t cap, struct pcp_response *rsp, unsigned *dropped)
{
	size_t n;

	*dropped = 0;
	while ((n = pcp_build_response(out, cap, rsp)) == 0 && rsp->n_rules > 0) {
		rsp->n_rules--;
		(*dropped)++;
	}
	return n;
}
