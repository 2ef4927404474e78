/* SPDX-License-Identifier: MIT */
/* MAP-E rules from the registration answer: see map_reg.h. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "smap/config.h"
#include "log.h"
#include "smap/map_derive.h"
#include "smap/map_reg.h"
#include "smap/smap.h"

int
map_reg_take(struct smap *s, const struct pcp_response *rsp, uint32_t *ipv4,
	     struct portset *ps, char *problem, size_t len)
{
	static struct smap_config d;	/* big: not on the stack */
	struct smap_config *c = &s->cfg;
	bool new_addr;
	char msg[160], a6[INET6_ADDRSTRLEN], r[128];

	if (rsp->n_rules == 0) {
		snprintf(problem, len, "the PRR's answer carries no MAP-E rules (MAP_RULE)");
		return -1;
	}
	d = *c;
	if (!smap_map_derive(&d, rsp->rules, rsp->n_rules, msg, sizeof(msg))) {
		snprintf(problem, len, "rules from the PRR: %s", msg);
		return -1;
	}
	if (c->reg_wan_given && memcmp(&c->wan_addr, &d.map_ce.addr, sizeof(c->wan_addr)) != 0) {
		snprintf(problem, len, "wan.address is not the MAP address the PRR's rule gives, %s",
			 inet_ntop(AF_INET6, &d.map_ce.addr, a6, sizeof(a6)));
		return -1;
	}
	new_addr = !c->has_wan_addr || memcmp(&c->wan_addr, &d.map_ce.addr, sizeof(c->wan_addr));
	if (new_addr || memcmp(&c->bmr, &d.bmr, sizeof(c->bmr)) != 0 ||
	    c->params.n_fmr != d.params.n_fmr) {
		map_rule_format(&d.bmr, r, sizeof(r));
		log_info("MAP-E rules from the PRR: BMR %s, %u FMR(s), MAP address %s", r,
			 d.params.n_fmr, inet_ntop(AF_INET6, &d.map_ce.addr, a6, sizeof(a6)));
	}
	c->bmr = d.bmr;
	c->map_ce = d.map_ce;
	memcpy(c->params.fmr, d.params.fmr, sizeof(c->params.fmr));
	c->params.n_fmr = d.params.n_fmr;
	c->wan_addr = d.map_ce.addr;
	c->has_wan_addr = true;
	if (new_addr) {		/* the softwire goes from the MAP address */
		softwire_close(s);
		if (softwire_open(s) < 0) {
			snprintf(problem, len, "cannot send from the MAP address %s (on %s?)",
				 a6, c->wan_if);
			return -1;
		}
	}
	*ipv4 = d.params.ipv4;
	*ps = d.params.ps;
	return 0;
}
