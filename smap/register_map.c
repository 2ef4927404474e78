/* SPDX-License-Identifier: MIT */
/* MAP-E rules from the registration answer: see register_map.h. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "smap/map_derive.h"
#include "smap/register_map.h"

int
register_map_take(const struct smap_config *c, const struct smap_live *cur,
	     const struct pcp_response *rsp, struct smap_live *next, char *problem, size_t len)
{
	static struct map_derived d;	/* big: not on the stack */
	char msg[160], a6[INET6_ADDRSTRLEN], r[128];

	if (rsp->n_rules == 0) {
		snprintf(problem, len, "the PRR's answer carries no MAP-E rules (MAP_RULE)");
		return -1;
	}
	if (!smap_map_derive(&c->map_prefix, c->map_plen, rsp->rules, rsp->n_rules, &d,
			     msg, sizeof(msg))) {
		snprintf(problem, len, "rules from the PRR: %s", msg);
		return -1;
	}
	if (c->wan_addr_given && memcmp(&c->wan_addr, &d.ce.addr, sizeof(c->wan_addr)) != 0) {
		snprintf(problem, len, "wan.address is not the MAP address the PRR's rule gives, %s",
			 inet_ntop(AF_INET6, &d.ce.addr, a6, sizeof(a6)));
		return -1;
	}
	if (!cur->has_wan_addr || memcmp(&cur->wan_addr, &d.ce.addr, sizeof(d.ce.addr)) ||
	    memcmp(&cur->bmr, &d.bmr, sizeof(d.bmr)) != 0 || cur->params.n_fmr != d.n_fmr) {
		map_rule_format(&d.bmr, r, sizeof(r));
		log_info("MAP-E rules from the PRR: BMR %s, %u FMR(s), MAP address %s", r,
			 d.n_fmr, inet_ntop(AF_INET6, &d.ce.addr, a6, sizeof(a6)));
	}
	next->bmr = d.bmr;
	next->map_ce = d.ce;
	memcpy(next->params.fmr, d.fmr, sizeof(next->params.fmr));
	next->params.n_fmr = d.n_fmr;
	next->wan_addr = d.ce.addr;
	next->has_wan_addr = true;
	next->params.ipv4 = d.ipv4;
	next->params.ps = d.ps;
	return 0;
}
