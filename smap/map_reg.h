/* SPDX-License-Identifier: MIT */
/*
 * map.rules_from_prr: the MAP-E rules (BMR and FMRs) come in the PRR's
 * registration answer (MAP_RULE options, common/pcp.h) instead of
 * map.rules; the address, PSID set and MAP address are derived from them
 * exactly as from static rules (map_derive.c).
 */
#ifndef SMAP_MAP_REG_H
#define SMAP_MAP_REG_H

#include <stddef.h>

#include "pcp.h"
#include "portset.h"

struct smap;

/*
 * From a SUCCESS answer: derive, take the rules (BMR, FMRs, MAP address
 * as the softwire's source, rebinding it when it changed), and give the
 * address and set to apply. -1 with a message in problem when the answer
 * has no rules, none for our prefix, or wan.address is not the MAP
 * address; nothing changes then.
 */
int map_reg_take(struct smap *, const struct pcp_response *, uint32_t *ipv4,
		 struct portset *ps, char *problem, size_t len);

#endif
