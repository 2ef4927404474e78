/* SPDX-License-Identifier: MIT */
/*
 * map.rules_from_prr: the MAP-E rules (BMR and FMRs) come in the PRR's
 * registration answer (MAP_RULE options, common/pcp.h) instead of
 * map.rules; the address, PSID set and MAP address are derived from them
 * exactly as from static rules (map_derive.c).
 */
#ifndef SMAP_REGISTER_MAP_H
#define SMAP_REGISTER_MAP_H

#include <stddef.h>

#include "pcp.h"
#include "smap/config.h"
#include "smap/live.h"

/*
 * From a SUCCESS answer: derive for c's prefix, and write the rules
 * (BMR, FMRs), the MAP address (the softwire's source), the address and
 * the set into next, the binding to apply (cur: the one in force, for
 * the log). -1 with a message in problem when the answer has no rules,
 * none for our prefix, or wan.address is not the MAP address; next is
 * then unchanged.
 */
int register_map_take(const struct smap_config *c, const struct smap_live *cur,
		 const struct pcp_response *, struct smap_live *next, char *problem, size_t len);

#endif
