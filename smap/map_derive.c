/* SPDX-License-Identifier: MIT */
/* MAP-E CE derivation from a list of rules: see map_derive.h. */
#include <arpa/inet.h>
#include <stdio.h>

#include "smap/map_derive.h"

bool
smap_map_derive(const struct in6_addr *prefix, unsigned plen, const struct map_rule *rules,
		unsigned n, struct map_derived *out, char *err, size_t errlen)
{
	struct map_ce ce;
	int bmr = -1;
	unsigned n_fmr = 0;

	for (unsigned i = 0; i < n; i++)
		if (map_rule_covers6(&rules[i], prefix) && plen >= rules[i].plen6 &&
		    (bmr < 0 || rules[i].plen6 > rules[bmr].plen6))
			bmr = (int)i;
	if (bmr < 0) {
		char a6[INET6_ADDRSTRLEN];
		snprintf(err, errlen, "'%s/%u' is in no rule's IPv6 prefix: no Basic Mapping Rule",
			 inet_ntop(AF_INET6, prefix, a6, sizeof(a6)), plen);
		return false;
	}
	if (!map_rule_ce(&rules[bmr], prefix, plen, &ce, err, errlen))
		return false;
	out->bmr = rules[bmr];
	out->ce = ce;
	out->ipv4 = ce.ipv4;
	/* without a PSID the CE has the whole address; the NAT keeps off 0-1023 */
	out->ps = ce.psid_len ? ce.ps : portset_range(1024, 65535);
	for (unsigned i = 0; i < n && n_fmr < SMAP_MAX_FMR; i++)
		if (rules[i].forwarding)
			out->fmr[n_fmr++] = rules[i];
	out->n_fmr = n_fmr;
	map_rules_sort(out->fmr, out->n_fmr);
	return true;
}
