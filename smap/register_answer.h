/* SPDX-License-Identifier: MIT */
/*
 * The registration client's reading of a PRR answer, pure (smap/register.c
 * does the socket, the timing of common's pcpc and applying the set).
 */
#ifndef SMAP_REGISTER_ANSWER_H
#define SMAP_REGISTER_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcp.h"
#include "portset.h"

enum reg_answer {
	REG_ANSWER_BAD,		/* unparsable (*err says why), not a MAP answer or not our nonce */
	REG_ANSWER_ANNOUNCE,	/* the PRR's unsolicited ANNOUNCE (rsp->epoch) */
	REG_ANSWER_UNUSABLE,	/* SUCCESS without a usable IPv4 address and port set */
	REG_ANSWER_RULES,	/* SUCCESS with map.rules_from_prr: the set comes from rsp's rules */
	REG_ANSWER_MAP,		/* an answer to our request: its result for the timing;
				   *ipv4 (without rules) and, on SUCCESS, *ps given */
};

/*
 * One datagram from the PRR: parsed into *rsp and judged against the
 * nonce of our request.
 */
enum reg_answer reg_answer_read(const uint8_t *buf, size_t len,
				const uint8_t nonce[PCP_NONCE_LEN], bool rules_from_prr,
				struct pcp_response *rsp, uint32_t *ipv4, struct portset *ps,
				enum pcp_rsp_err *err);

#endif
