/* SPDX-License-Identifier: MIT */
/*
 * NAT-PMP codec (RFC 6886). See natpmp.h for the packet layouts.
 */
#include <string.h>

#include "smap/portmap/natpmp.h"
#include "pkt.h"

static size_t
req_len_of(uint8_t op)
{
	return op == NATPMP_OP_EXTERNAL ? NATPMP_EXTERNAL_REQ_LEN : NATPMP_MAP_REQ_LEN;
}

static bool
op_known(uint8_t op)
{
	return op == NATPMP_OP_EXTERNAL || op == NATPMP_OP_MAP_UDP ||
	    op == NATPMP_OP_MAP_TCP;
}

enum natpmp_result
natpmp_parse_request(const uint8_t *buf, size_t len, struct natpmp_request *out)
{
	memset(out, 0, sizeof(*out));
	if (len < 1)
		return NATPMP_DROP_SHORT;
	out->version = buf[0];
	if (buf[0] != NATPMP_VERSION)
		return NATPMP_UNSUPP_VERSION;		/* 3.5 */
	if (len < 2)
		return NATPMP_DROP_SHORT;
	out->opcode = buf[1];
	if (buf[1] & NATPMP_OP_RESPONSE)
		return NATPMP_DROP_RESPONSE;		/* 3.5 */
	if (!op_known(buf[1]))
		return NATPMP_UNSUPP_OPCODE;
	if (len < req_len_of(buf[1]))
		return NATPMP_DROP_SHORT;
	if (buf[1] != NATPMP_OP_EXTERNAL) {
		/* bytes 2-3 are reserved: ignored on reception (3.3) */
		out->internal_port = get16(buf + 4);
		out->external_port = get16(buf + 6);
		out->lifetime = get32(buf + 8);
	}
	return NATPMP_SUCCESS;
}

size_t
natpmp_build_external(uint8_t *buf, size_t cap, uint16_t result, uint32_t epoch,
		      uint32_t ext_addr)
{
	if (cap < NATPMP_EXTERNAL_RSP_LEN)
		return 0;
	buf[0] = NATPMP_VERSION;
	buf[1] = NATPMP_OP_RESPONSE | NATPMP_OP_EXTERNAL;
	put16(buf + 2, result);
	put32(buf + 4, epoch);
	put32(buf + 8, result == NATPMP_SUCCESS ? ext_addr : 0);
	return NATPMP_EXTERNAL_RSP_LEN;
}

size_t
natpmp_build_map(uint8_t *buf, size_t cap, uint8_t op, uint16_t result,
		 uint32_t epoch, uint16_t internal_port, uint16_t external_port,
		 uint32_t lifetime)
{
	if (cap < NATPMP_MAP_RSP_LEN ||
	    (op != NATPMP_OP_MAP_UDP && op != NATPMP_OP_MAP_TCP))
		return 0;
	buf[0] = NATPMP_VERSION;
	buf[1] = (uint8_t)(NATPMP_OP_RESPONSE | op);
	put16(buf + 2, result);
	put32(buf + 4, epoch);
	put16(buf + 8, internal_port);
	put16(buf + 10, external_port);
	put32(buf + 12, lifetime);
	return NATPMP_MAP_RSP_LEN;
}

size_t
natpmp_build_error(uint8_t *buf, size_t cap, const uint8_t *req, size_t req_len,
		   uint16_t result, uint32_t epoch)
{
	uint8_t op;
	size_t n;

	if (result == NATPMP_SUCCESS || req_len < 1)
		return 0;
	op = req_len >= 2 ? req[1] : 0;
	if (op & NATPMP_OP_RESPONSE)
		return 0;
	if (result == NATPMP_UNSUPP_VERSION) {
		if (cap < NATPMP_VERSION_RSP_LEN)
			return 0;
		/* OP = 128 whatever the request's: RFC 6886 erratum 3618 */
		buf[0] = NATPMP_VERSION;
		buf[1] = NATPMP_OP_RESPONSE;
		put16(buf + 2, result);
		put32(buf + 4, epoch);
		return NATPMP_VERSION_RSP_LEN;
	}
	if (req[0] != NATPMP_VERSION || req_len < 2)
		return 0;
	if (result == NATPMP_UNSUPP_OPCODE || !op_known(op)) {
		/* 3.5: "the entire request MUST be returned to the sender" */
		n = req_len < NATPMP_MAX_ECHO ? req_len : NATPMP_MAX_ECHO;
		if (n < 4)
			n = 4;
		if (cap < n)
			return 0;
		memset(buf, 0, n);
		memcpy(buf, req, req_len < n ? req_len : n);
		buf[1] = (uint8_t)(op | NATPMP_OP_RESPONSE);
		put16(buf + 2, result);
		return n;
	}
	if (op == NATPMP_OP_EXTERNAL)
		return natpmp_build_external(buf, cap, result, epoch, 0);
	if (req_len < NATPMP_MAP_REQ_LEN)
		return 0;
	return natpmp_build_map(buf, cap, op, result, epoch, get16(req + 4), 0, 0);
}

size_t
natpmp_build_request(uint8_t *buf, size_t cap, const struct natpmp_request *r)
{
	size_t n = req_len_of(r->opcode);

	if (!op_known(r->opcode) || cap < n)
		return 0;
	memset(buf, 0, n);
	buf[0] = NATPMP_VERSION;
	buf[1] = r->opcode;
	if (r->opcode != NATPMP_OP_EXTERNAL) {
		put16(buf + 4, r->internal_port);
		put16(buf + 6, r->external_port);
		put32(buf + 8, r->lifetime);
	}
	return n;
}

bool
natpmp_parse_response(const uint8_t *buf, size_t len, struct natpmp_response *out)
{
	memset(out, 0, sizeof(*out));
	if (len < NATPMP_VERSION_RSP_LEN || buf[0] != NATPMP_VERSION ||
	    !(buf[1] & NATPMP_OP_RESPONSE))
		return false;
	out->version = buf[0];
	out->opcode = buf[1] & (uint8_t)~NATPMP_OP_RESPONSE;
	out->result = get16(buf + 2);
	out->epoch = get32(buf + 4);
	switch (out->opcode) {
	case NATPMP_OP_EXTERNAL:
		if (len < NATPMP_EXTERNAL_RSP_LEN)
			return out->result != NATPMP_SUCCESS;
		out->ext_addr = get32(buf + 8);
		return true;
	case NATPMP_OP_MAP_UDP:
	case NATPMP_OP_MAP_TCP:
		if (len < NATPMP_MAP_RSP_LEN)
			return out->result != NATPMP_SUCCESS;
		out->internal_port = get16(buf + 8);
		out->external_port = get16(buf + 10);
		out->lifetime = get32(buf + 12);
		return true;
	default:
		return out->result != NATPMP_SUCCESS;
	}
}

const char *
natpmp_result_name(int result)
{
	static const char *const names[] = {
		"SUCCESS", "UNSUPP_VERSION", "NOT_AUTHORIZED",
		"NETWORK_FAILURE", "NO_RESOURCES", "UNSUPP_OPCODE",
	};

	if (result >= 0 && result < (int)(sizeof(names) / sizeof(names[0])))
		return names[result];
	if (result == NATPMP_DROP_SHORT)
		return "DROP_SHORT";
	if (result == NATPMP_DROP_RESPONSE)
		return "DROP_RESPONSE";
	return "UNKNOWN";
}
