/* SPDX-License-Identifier: MIT */
/* The registration client's reading of a PRR answer: see register_answer.h. */
#include <string.h>

#include "smap/register_answer.h"

enum reg_answer
reg_answer_read(const uint8_t *buf, size_t len, const uint8_t nonce[PCP_NONCE_LEN],
		bool rules_from_prr, struct pcp_response *rsp, uint32_t *ipv4,
		struct portset *ps, enum pcp_rsp_err *err)
{
	*err = pcp_parse_response(buf, len, rsp);
	if (*err != PCP_RSP_OK)
		return REG_ANSWER_BAD;
	if (rsp->opcode == PCP_OP_ANNOUNCE)
		return REG_ANSWER_ANNOUNCE;
	if (rsp->opcode != PCP_OP_MAP || !rsp->has_opdata ||
	    memcmp(rsp->nonce, nonce, PCP_NONCE_LEN) != 0)
		return REG_ANSWER_BAD;
	if (rsp->result == PCP_SUCCESS && rules_from_prr)
		return REG_ANSWER_RULES;
	if (rsp->result == PCP_SUCCESS &&
	    (!pcp_addr_is_v4(&rsp->ext_addr) ||
	     !pcp_port_sets_to_portset(rsp->port_sets, rsp->n_port_sets, ps)))
		return REG_ANSWER_UNUSABLE;
	*ipv4 = pcp_addr_to_v4(&rsp->ext_addr);
	return REG_ANSWER_MAP;
}
