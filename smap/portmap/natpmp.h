/* SPDX-License-Identifier: MIT */
/*
 * NAT Port Mapping Protocol codec (RFC 6886). Pure code, like pcp.h,
 * whose server shares UDP port 5351: version 0 is NAT-PMP, 2 is PCP.
 *
 * Packets (RFC 6886 3.2, 3.3), all fields network order:
 *   external address request    2 bytes: vers 0, op 0
 *   external address response  12 bytes: vers, op 128, result (16),
 *                                        epoch (32), address (32)
 *   mapping request            12 bytes: vers, op 1 UDP / 2 TCP,
 *                                        reserved (16), internal port,
 *                                        suggested external port,
 *                                        requested lifetime (32)
 *   mapping response           16 bytes: vers, op 128 + op, result (16),
 *                                        epoch (32), internal port,
 *                                        mapped external port, lifetime
 *   unsupported version         8 bytes: vers 0, op 128, result 1,
 *                                        epoch (3.5 as corrected by
 *                                        verified erratum 3618; the RFC
 *                                        drew OP = 0, miniupnpd sends
 *                                        128 + op)
 *   unsupported opcode          the whole request, op | 128, result 5
 *                                        in bytes 2-3 (3.5)
 */
#ifndef AP_NATPMP_H
#define AP_NATPMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NATPMP_VERSION		0
#define NATPMP_SERVER_PORT	5351
#define NATPMP_CLIENT_PORT	5350	/* address-change announcements, 3.2.1 */
#define NATPMP_OP_RESPONSE	0x80

#define NATPMP_EXTERNAL_REQ_LEN	2
#define NATPMP_EXTERNAL_RSP_LEN	12
#define NATPMP_MAP_REQ_LEN	12
#define NATPMP_MAP_RSP_LEN	16
#define NATPMP_VERSION_RSP_LEN	8
/* The longest unsupported-opcode request echoed back; longer is cut. */
#define NATPMP_MAX_ECHO		1100

/* RFC 6886 3.3: lifetime a server should grant; MAY be shortened. */
#define NATPMP_DEFAULT_LIFETIME	7200

enum natpmp_op {
	NATPMP_OP_EXTERNAL = 0,
	NATPMP_OP_MAP_UDP = 1,
	NATPMP_OP_MAP_TCP = 2,
};

enum natpmp_result {
	NATPMP_SUCCESS = 0,
	NATPMP_UNSUPP_VERSION = 1,
	NATPMP_NOT_AUTHORIZED = 2,	/* "Not Authorized/Refused" */
	NATPMP_NETWORK_FAILURE = 3,
	NATPMP_NO_RESOURCES = 4,	/* "Out of resources" */
	NATPMP_UNSUPP_OPCODE = 5,
	/* silently drop; never on the wire */
	NATPMP_DROP_SHORT = 256,	/* too short for its opcode */
	NATPMP_DROP_RESPONSE = 257,	/* op >= 128: a response (3.5) */
};

struct natpmp_request {
	uint8_t version;
	uint8_t opcode;
	/* mapping requests */
	uint16_t internal_port;
	uint16_t external_port;		/* suggested; 0: no preference */
	uint32_t lifetime;		/* 0: delete (3.4) */
};

/*
 * Parse a request: SUCCESS (answer with a build function), UNSUPP_VERSION
 * or UNSUPP_OPCODE (answer with natpmp_build_error), or a drop. Order:
 * empty -> DROP_SHORT; version != 0 -> UNSUPP_VERSION (needs only the
 * version byte); under 2 bytes -> DROP_SHORT; op >= 128 -> DROP_RESPONSE;
 * op not 0-2 -> UNSUPP_OPCODE; shorter than 2 or 12 bytes -> DROP_SHORT.
 * RFC 6886 has no "malformed" result, hence the drops; trailing bytes
 * after a whole request are ignored.
 */
enum natpmp_result natpmp_parse_request(const uint8_t *buf, size_t len,
					struct natpmp_request *out);

/* 12 bytes; the address (host order) must be 0 when result != 0 (3.2). */
size_t natpmp_build_external(uint8_t *buf, size_t cap, uint16_t result,
			     uint32_t epoch, uint32_t ext_addr);
/* 16 bytes; op is the request's (1 or 2), 128 is added. */
size_t natpmp_build_map(uint8_t *buf, size_t cap, uint8_t op, uint16_t result,
			uint32_t epoch, uint16_t internal_port,
			uint16_t external_port, uint32_t lifetime);
/*
 * The answer to a request in req[0..req_len) that gets an error code:
 * UNSUPP_VERSION -> the 8-byte response of 3.5 (op 128, erratum 3618:
 * tshark 4.0 calls it a malformed external address response, expecting
 * 12 bytes); UNSUPP_OPCODE -> the
 * request echoed (at least 4 bytes, at most NATPMP_MAX_ECHO) with the
 * response bit and the result in bytes 2-3; any other error for op 0,
 * 1, 2 -> the full-size response with the request's internal port and
 * zero address, external port and lifetime. 0 for SUCCESS, a drop, a
 * request it cannot answer, or a short cap.
 */
size_t natpmp_build_error(uint8_t *buf, size_t cap, const uint8_t *req,
			  size_t req_len, uint16_t result, uint32_t epoch);

/* Client side (tests, tools). */
size_t natpmp_build_request(uint8_t *buf, size_t cap, const struct natpmp_request *);

struct natpmp_response {
	uint8_t version;
	uint8_t opcode;			/* without the response bit */
	uint16_t result;
	uint32_t epoch;
	uint32_t ext_addr;		/* op 0, host order */
	uint16_t internal_port;		/* op 1, 2 */
	uint16_t external_port;
	uint32_t lifetime;
};

/*
 * false if not a NAT-PMP response: not version 0, response bit clear,
 * or shorter than its layout (8 bytes suffice for an error result).
 */
bool natpmp_parse_response(const uint8_t *buf, size_t len, struct natpmp_response *out);

/* "NOT_AUTHORIZED", "DROP_SHORT", ...; "UNKNOWN" otherwise */
const char *natpmp_result_name(int result);

#endif
