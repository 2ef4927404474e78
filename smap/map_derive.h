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

struct smap_config;

/*
 * The Basic Mapping Rule is the rule with the longest IPv6 prefix holding
 * c->map_prefix; it gives c->bmr, c->map_ce, c->params.ipv4 and
 * c->params.ps (1024-65535 without a PSID). Rules with forwarding set
 * become c->params.fmr (most specific first). false, with a message in
 * err and c untouched, when no rule holds the prefix or it is too short.
 */
bool smap_map_derive(struct smap_config *c, const struct map_rule *rules, unsigned n,
		     char *err, size_t errlen);

#endif
