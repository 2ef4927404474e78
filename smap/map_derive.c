/* SPDX-License-Identifier: MIT */
/* MAP-E CE derivation from a list of rules: see map_derive.h. */
#include <arpa/inet.h>
#include <stdio.h>

#include "smap/config.h"
#include "smap/map_derive.h"

bool
smap_map_derive(struct smap_config *c, const struct map_rule *rules, unsigned n,
		char *err, size_t errlen)
{
	struct map_ce ce;
	int bmr = -1;
	unsigned n_fmr = 0;

	for (unsigned i = 0; i < n; i++)
		if (map_rule_covers6(&rules[i], &c->map_prefix) && c->map_plen >= rules[i].plen6 &&
		    (bmr < 0 || rules[i].plen6 > rules[bmr].plen6))
			bmr = (int)i;
	if (bmr < 0) {
		char a6[INET6_ADDRSTRLEN];
		snprintf(err, errlen, "'%s/%u' is in no rule's IPv6 prefix: no Basic Mapping Rule",
			 inet_ntop(AF_INET6, &c->map_prefix, a6, sizeof(a6)), c->map_plen);
		return false;
	}
	if (!map_rule_ce(&rules[bmr], &c->map_prefix, c->map_plen, &ce, err, errlen))
		return false;
	c->bmr = rules[bmr];
	c->map_ce = ce;
	c->params.ipv4 = ce.ipv4;
	/* without a PSID the CE has the whole address; the NAT keeps off 0-1023 */
	c->params.ps = ce.psid_len ? ce.ps : portset_range(1024, 65535);
	for (unsigned i = 0; i < n && n_fmr < SMAP_MAX_FMR; i++)
		if (rules[i].forwarding)
			c->params.fmr[n_fmr++] = rules[i];
	c->params.n_fmr = n_fmr;
	map_rules_sort(c->params.fmr, c->params.n_fmr);
	return true;
}
