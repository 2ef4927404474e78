/* SPDX-License-Identifier: MIT */
/*
 * MAP-E CE derivation (RFC 7597 5.2) from a list of rules, whether they
 * come from smap.conf (map.rules) or from the PRR's registration answer
 * (map.rules_from_prr, MAP_RULE options): pure, no I/O.
 */
#ifndef SMAP_MAP_DERIVE_H
#define SMAP_MAP_DERIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "map_rule.h"
#include "portset.h"
#include "smap/datapath.h"

/* What a CE derives from its delegated prefix and the rules. */
struct map_derived {
	struct map_rule bmr;		/* the Basic Mapping Rule */
	struct map_ce ce;		/* MAP address, PSID */
	uint32_t ipv4;			/* the shared address */
	struct portset ps;		/* its port set: 1024-65535 without a PSID */
	struct map_rule fmr[SMAP_MAX_FMR];	/* forwarding rules, most specific first */
	unsigned n_fmr;
};

/*
 * The Basic Mapping Rule is the rule with the longest IPv6 prefix holding
 * prefix/plen; it gives the rest. Rules with forwarding set become the
 * FMRs. false, with a message in err, when no rule holds the prefix or
 * it is too short.
 */
bool smap_map_derive(const struct in6_addr *prefix, unsigned plen, const struct map_rule *rules,
		     unsigned n, struct map_derived *out, char *err, size_t errlen);

#endif
