/* SPDX-License-Identifier: MIT */
/*
 * MAP-E rules in registration answers (our MAP_RULE option, see
 * common/pcp.h): a SMAP in MAP-E mode asks for them with its
 * registration, and derives its address, PSID set and FMRs from them.
 * Pure: the PRR's rules and the requester's address in, options out.
 */
#ifndef PRR_PCP_RULES_H
#define PRR_PCP_RULES_H

#include "prr/datapath.h"
#include "pcp.h"

/*
 * The rules for an answer to src: the rule whose IPv6 prefix holds src
 * (its BMR, the longest) first, then the others in the PRR's order, each
 * with its forwarding flag. Returns how many went into rsp->rules.
 */
unsigned pcp_rules_fill(const struct prr_params *, const struct in6_addr *src,
			struct pcp_response *rsp);

/*
 * Whether src is the MAP IPv6 address (RFC 7597 6) a rule gives a CE:
 * then *ce is what that CE derives (address, PSID set), and the answer
 * needs no registry entry. The End-user prefix is taken as n + o bits.
 */
bool pcp_rules_ce(const struct prr_params *, const struct in6_addr *src, struct map_ce *ce);

/*
 * Build rsp into out, dropping rules from the end until the message fits
 * in cap and 1100 bytes. Returns the length (0: not even without rules);
 * *dropped counts the rules left out.
 */
size_t pcp_rules_build(uint8_t *out, size_t cap, struct pcp_response *rsp, unsigned *dropped);

#endif
