/* SPDX-License-Identifier: MIT */
/*
 * Port Control Protocol wire codec (RFC 6887), with the DESCRIPTION
 * (RFC 7220) and PORT_SET (RFC 7753) options. Pure code: bytes in,
 * plain structs out and back; no sockets, no clocks (the caller passes
 * the epoch). NAT-PMP (RFC 6886), which shares UDP port 5351, is in
 * natpmp.h: a server looks at the first byte, 0 is NAT-PMP and anything
 * else goes to pcp_parse_request (which answers UNSUPP_VERSION to all
 * but 2).
 *
 * Addresses are 128-bit everywhere, IPv4 as IPv4-mapped IPv6
 * (::ffff:a.b.c.d, RFC 6887 5); pcp_addr_from_v4() and friends convert.
 *
 * A server does:
 *
 *	r = pcp_parse_request(buf, len, &req);
 *	if (pcp_result_is_drop(r))
 *		count the drop, send nothing;
 *	else if (r != PCP_SUCCESS)
 *		n = pcp_build_error(out, sizeof(out), buf, len, r,
 *				    pcp_error_lifetime(r), epoch);
 *	else {
 *		pcp_response_init(&rsp, &req);	// echoes what must be echoed
 *		... policy: fill result, lifetime, ext_port, ext_addr, port_sets ...
 *		n = pcp_build_response(out, sizeof(out), epoch, &rsp);
 *	}
 *
 * PSID SETS OVER PCP (our convention, for the PRR's registration server).
 * A MAP-E PSID set with offset a > 0 (RFC 7597 5.1) is not contiguous:
 * it is 2^a - 1 blocks of 2^(16-a-k) ports. A response conveys it whole
 * as SEVERAL PORT_SET options (code 130), one per block, in ascending
 * order. Each option describes an identity-mapped block: its First
 * Internal Port is the first port of the block on the shared address,
 * and the MAP Assigned External Port is the first port of the first
 * block. A contiguous range is one PORT_SET option. The receiver
 * rebuilds the set with pcp_port_sets_to_portset(), which checks that
 * the blocks form exactly a range or a PSID set.
 * Why not a private option (224-255, optional-to-process)? Only
 * standard codes then go on the wire, an RFC 7753-only client still
 * understands the first block (a subset of what it owns), and tshark
 * decodes every option (it flags any unknown option with an expert
 * warning). The cost: RFC 7753 lists PORT_SET as "maximum occurrences
 * 1", so we repeat it in responses only; requests keep the rule
 * (a second PORT_SET in a request is MALFORMED_OPTION), and 12 bytes per
 * block limit a set to PCP_MAX_PORT_SETS blocks, which is offset a <= 6
 * (RFC 7597's default offset is 6): larger offsets cannot be conveyed,
 * and pcp_port_sets_from_portset() says so by returning 0.
 * Codes 129 (PREFIX64, RFC 7225) and 130 are taken; a vendor option
 * would have had to come from the private-use range 224-255.
 */
/*
 * MAP-E RULES OVER PCP (our private option, for the PRR's registration
 * server). A SMAP in MAP-E mode learns its rules (BMR and FMRs, RFC 7597
 * 5) from the PRR in its registration: code 224 MAP_RULE, from the
 * private-use range (RFC 6887 19.3), optional to process, so that any
 * other PCP server or client skips it. A MAP request asks for the rules
 * with one MAP_RULE option of 4 zero bytes (reserved; any other length
 * or content, or a second one, is MALFORMED_OPTION; not empty because
 * tshark's dissector throws "Malformed Packet" on an empty unknown
 * option, and the spare bytes leave room for a later flag); the response carries one MAP_RULE per rule,
 * 28 bytes each, all in network order:
 *
 *	 0  flags: 0x80 forwarding (an FMR), other bits 0
 *	 1  rule IPv6 prefix length n	 2  rule IPv4 prefix length r
 *	 3  EA-bits length o		 4  PSID offset a
 *	 5  PSID length (o = 0 only, else 0)
 *	 6  PSID (2 bytes, o = 0 only, else 0)
 *	 8  rule IPv4 prefix (4 bytes)	12  rule IPv6 prefix (16 bytes)
 *
 * A response option of any other length, with unknown flags, or whose
 * rule map_rule_init() refuses is PCP_RSP_OPTION. At most
 * PCP_MAX_MAP_RULES in a response (what fits in 1100 bytes next to the
 * MAP data); the PRR also keeps the PORT_SET blocks in, so it sends as
 * many rules as the size lets, the BMR of the requester first. tshark
 * flags the option as "Unknown option" (tests/pcp-tshark-check allows
 * exactly that warning for code 224), and its PORT_SET decoder loses
 * its place in an option that follows a PORT_SET ("Malformed Packet"):
 * so MAP_RULE options go before PORT_SET in what we build (any order
 * parses).
 */
#ifndef AP_PCP_H
#define AP_PCP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "map_rule.h"
#include "portset.h"

#define PCP_VERSION		2
#define PCP_SERVER_PORT		5351
#define PCP_CLIENT_PORT		5350	/* ANNOUNCE goes to 224.0.0.1 / ff02::1 */
#define PCP_HDR_LEN		24
#define PCP_MAP_LEN		36	/* opcode-specific data */
#define PCP_PEER_LEN		56
#define PCP_OPT_HDR_LEN		4
#define PCP_MAX_LEN		1100	/* RFC 6887 7 */
#define PCP_NONCE_LEN		12
#define PCP_R_BIT		0x80

/* Everything a request can carry fits: (1100 - 24 - 36) / 24 filters. */
#define PCP_MAX_FILTERS		43
/* PORT_SET options one response may carry: 2^6 blocks (see above). */
#define PCP_MAX_PORT_SETS	64
/* MAP_RULE options (see MAP-E RULES above): 28 bytes of data each. */
#define PCP_MAP_RULE_LEN	28
#define PCP_MAP_RULE_FWD	0x80
#define PCP_MAP_RULE_ASK_LEN	4	/* the request's: zeros */
#define PCP_MAX_MAP_RULES	((PCP_MAX_LEN - PCP_HDR_LEN - PCP_MAP_LEN) / \
				 (PCP_OPT_HDR_LEN + PCP_MAP_RULE_LEN))
/* The most DESCRIPTION text a 1100-byte MAP request can hold. */
#define PCP_DESCRIPTION_MAX	(PCP_MAX_LEN - PCP_HDR_LEN - PCP_MAP_LEN - PCP_OPT_HDR_LEN)

/* Suggested lifetimes of error responses (RFC 6887 15): long and short. */
#define PCP_LONG_ERROR_LIFETIME		1800
#define PCP_SHORT_ERROR_LIFETIME	30

enum pcp_opcode {
	PCP_OP_ANNOUNCE = 0,
	PCP_OP_MAP = 1,
	PCP_OP_PEER = 2,
};

/* RFC 6887 7.4, plus two verdicts that never go on the wire. */
enum pcp_result {
	PCP_SUCCESS = 0,
	PCP_UNSUPP_VERSION = 1,
	PCP_NOT_AUTHORIZED = 2,
	PCP_MALFORMED_REQUEST = 3,
	PCP_UNSUPP_OPCODE = 4,
	PCP_UNSUPP_OPTION = 5,
	PCP_MALFORMED_OPTION = 6,
	PCP_NETWORK_FAILURE = 7,
	PCP_NO_RESOURCES = 8,
	PCP_UNSUPP_PROTOCOL = 9,
	PCP_USER_EX_QUOTA = 10,
	PCP_CANNOT_PROVIDE_EXTERNAL = 11,
	PCP_ADDRESS_MISMATCH = 12,
	PCP_EXCESSIVE_REMOTE_PEERS = 13,
	PCP_RESULT_MAX = PCP_EXCESSIVE_REMOTE_PEERS,
	/* silently drop (RFC 6887 8.3): */
	PCP_DROP_SHORT = 256,		/* under 2 bytes: not even a version */
	PCP_DROP_RESPONSE = 257,	/* R bit set: a response, not a request */
};

enum pcp_option_code {
	PCP_OPT_THIRD_PARTY = 1,	/* MAP, PEER; 16 bytes; at most 1 */
	PCP_OPT_PREFER_FAILURE = 2,	/* MAP; 0 bytes; at most 1 */
	PCP_OPT_FILTER = 3,		/* MAP; 20 bytes; any number */
	PCP_OPT_DESCRIPTION = 128,	/* RFC 7220: MAP, PEER; UTF-8; at most 1 */
	PCP_OPT_PREFIX64 = 129,		/* RFC 7225: not handled, ignored */
	PCP_OPT_PORT_SET = 130,		/* RFC 7753: MAP; 5 bytes; 1 per request */
	PCP_OPT_MAP_RULE = 224,		/* ours, private use: see MAP-E RULES below */
};
/* Codes below 128 are mandatory to process, 128 and up optional (7.3). */
#define PCP_OPT_OPTIONAL	128

struct pcp_filter {			/* RFC 6887 13.3 */
	uint8_t prefix_len;		/* 0 removes all filters; IPv4: 96..128 */
	uint16_t remote_port;		/* 0: all ports */
	struct in6_addr remote_addr;
};

struct pcp_port_set {			/* RFC 7753 4 */
	uint16_t size;			/* never 0 */
	uint16_t first_internal;
	bool parity;
};

struct pcp_request {
	uint8_t version;
	uint8_t opcode;			/* without the R bit */
	uint32_t lifetime;
	struct in6_addr client;
	/* MAP and PEER */
	uint8_t nonce[PCP_NONCE_LEN];
	uint8_t proto;			/* 0: all protocols (internal_port ignored) */
	uint16_t internal_port;		/* 0: all ports */
	uint16_t ext_port;		/* suggested external port, 0: none */
	struct in6_addr ext_addr;	/* suggested, :: or ::ffff:0.0.0.0: none */
	/* PEER */
	uint16_t remote_port;
	struct in6_addr remote_addr;
	/* options */
	bool has_third_party;
	struct in6_addr third_party;
	bool prefer_failure;
	unsigned n_filters;
	struct pcp_filter filters[PCP_MAX_FILTERS];
	bool has_port_set;
	struct pcp_port_set port_set;
	bool has_description;
	uint16_t description_len;	/* bytes, not validated as UTF-8: */
	char description[PCP_DESCRIPTION_MAX + 1];	/* sanitize to print */
	bool want_rules;		/* a MAP_RULE: send the MAP-E rules */
	unsigned n_ignored;		/* optional options skipped */
	/* on UNSUPP_OPTION / MALFORMED_OPTION: the option to blame */
	uint8_t bad_option;
	size_t bad_option_off;
};

/*
 * Parse and validate a request (RFC 6887 7, 8.3, 11-14; RFC 7220;
 * RFC 7753), in this order:
 *   len < 2 -> PCP_DROP_SHORT; R bit -> PCP_DROP_RESPONSE;
 *   version != 2 -> UNSUPP_VERSION;
 *   len < 24, > 1100 or not a multiple of 4 -> MALFORMED_REQUEST;
 *   opcode not ANNOUNCE/MAP/PEER -> UNSUPP_OPCODE;
 *   shorter than the opcode's data -> MALFORMED_REQUEST;
 *   options: overflowing the message -> MALFORMED_OPTION; unknown
 *   mandatory (< 128) -> UNSUPP_OPTION; unknown optional -> skipped;
 *   mandatory option not valid for the opcode (THIRD_PARTY on ANNOUNCE,
 *   PREFER_FAILURE or FILTER on PEER ...) -> MALFORMED_OPTION, optional
 *   one -> skipped; wrong length, more occurrences than allowed,
 *   FILTER prefix length out of range, PORT_SET size 0 or running past
 *   port 65535, PORT_SET with PREFER_FAILURE (RFC 7753), MAP_RULE with data or
 *   twice -> MALFORMED_OPTION (MAP_RULE on another opcode: skipped).
 * Out is filled as far as parsing got. Anything but SUCCESS or a drop
 * is answered with pcp_build_error().
 */
enum pcp_result pcp_parse_request(const uint8_t *buf, size_t len,
				  struct pcp_request *out);

/*
 * The error response to the request in req[0..req_len) (RFC 6887 7.2,
 * 8.3): version 2, the request's opcode with R set, result, lifetime,
 * epoch, then the request's opcode data and options copied (truncated
 * to 1100 bytes in all, zero padded to a multiple of 4 and, for MAP and
 * PEER, to the whole opcode data), with the server-assigned fields (the
 * assigned external port and address) zero. UNSUPP_VERSION copies
 * nothing (another version's layout is unknown): the header, and zero
 * MAP or PEER data for those opcodes. Works on requests that parsed
 * only partly.
 * Returns the length, or 0 when there is nothing to send (a drop
 * verdict or SUCCESS) or cap is too small.
 */
size_t pcp_build_error(uint8_t *buf, size_t cap, const uint8_t *req,
		       size_t req_len, enum pcp_result result,
		       uint32_t lifetime, uint32_t epoch);

struct pcp_response {
	uint8_t version;		/* 2; parse: the server's, on UNSUPP_VERSION */
	uint8_t opcode;			/* without the R bit */
	uint8_t result;			/* enum pcp_result, 0..255 on the wire */
	uint32_t lifetime;
	uint32_t epoch;
	bool has_opdata;		/* parse: false for a header-only error */
	/* MAP and PEER */
	uint8_t nonce[PCP_NONCE_LEN];
	uint8_t proto;
	uint16_t internal_port;
	uint16_t ext_port;		/* assigned */
	struct in6_addr ext_addr;	/* assigned */
	/* PEER */
	uint16_t remote_port;
	struct in6_addr remote_addr;
	/* options */
	bool has_third_party;
	struct in6_addr third_party;
	bool prefer_failure;
	unsigned n_filters;
	struct pcp_filter filters[PCP_MAX_FILTERS];
	unsigned n_port_sets;		/* > 1 only for a PSID set, see above */
	struct pcp_port_set port_sets[PCP_MAX_PORT_SETS];
	bool has_description;
	uint16_t description_len;
	char description[PCP_DESCRIPTION_MAX + 1];
	unsigned n_rules;		/* MAP_RULE options; forwarding = the FMR flag */
	struct map_rule rules[PCP_MAX_MAP_RULES];
	unsigned n_ignored;		/* parse: options skipped */
};

/*
 * Start a response to a parsed request: opcode, nonce, protocol,
 * internal port, remote peer, and the options a response echoes when
 * the request had them (RFC 6887 13: THIRD_PARTY, PREFER_FAILURE,
 * FILTER; RFC 7220: DESCRIPTION). Result SUCCESS, everything the server
 * assigns zero; PORT_SET is not echoed (the server puts the set it
 * assigned in port_sets).
 */
void pcp_response_init(struct pcp_response *rsp, const struct pcp_request *req);

/*
 * Serialize a response. Options go in the order THIRD_PARTY,
 * PREFER_FAILURE, FILTER..., MAP_RULE..., PORT_SET..., DESCRIPTION.
 * Returns the
 * length, or 0 if it would not fit in cap or in 1100 bytes, or a count
 * is out of bounds.
 */
size_t pcp_build_response(uint8_t *buf, size_t cap, const struct pcp_response *rsp);

/*
 * An unsolicited ANNOUNCE (RFC 6887 14.1.3): the 24-byte response header
 * with opcode ANNOUNCE, SUCCESS, lifetime 0, sent to 224.0.0.1 or
 * ff02::1 port 5350 after a restart or a loss of state.
 */
size_t pcp_build_announce(uint8_t *buf, size_t cap, uint32_t epoch);

/*
 * Client side: serialize a request (version is forced to 2; the R bit
 * never set). Options in the order of pcp_build_response, with at most
 * one PORT_SET, and the asking MAP_RULE when want_rules. Returns the
 * length, or 0 if it does not fit.
 */
size_t pcp_build_request(uint8_t *buf, size_t cap, const struct pcp_request *req);

enum pcp_rsp_err {
	PCP_RSP_OK = 0,
	PCP_RSP_SHORT,		/* under 24 bytes, or opcode data cut short */
	PCP_RSP_LENGTH,		/* over 1100 bytes or not a multiple of 4 */
	PCP_RSP_NOT_RESPONSE,	/* R bit clear */
	PCP_RSP_VERSION,	/* not 2, and not an UNSUPP_VERSION answer */
	PCP_RSP_OPCODE,		/* unknown opcode */
	PCP_RSP_OPTION,		/* an option overflows, has a bad length, repeats */
};

const char *pcp_rsp_strerror(enum pcp_rsp_err);

/*
 * Client side: parse a response. Unknown options are skipped; repeated
 * PORT_SET options are collected (up to PCP_MAX_PORT_SETS) as the PSID
 * convention above says. An UNSUPP_VERSION response from a server of
 * another version parses as the header alone, with its version.
 */
enum pcp_rsp_err pcp_parse_response(const uint8_t *buf, size_t len,
				    struct pcp_response *out);

/* "MALFORMED_OPTION", "DROP_RESPONSE", ...; "UNKNOWN" outside the enum */
const char *pcp_result_name(int result);
/* RFC 6887 7.4: the errors that last; false for SUCCESS and the short ones */
bool pcp_result_is_long(enum pcp_result);
/* PCP_LONG_ERROR_LIFETIME, PCP_SHORT_ERROR_LIFETIME, or 0 for SUCCESS */
uint32_t pcp_error_lifetime(enum pcp_result);

static inline bool
pcp_result_is_drop(enum pcp_result r)
{
	return r == PCP_DROP_SHORT || r == PCP_DROP_RESPONSE;
}

/* IPv4-mapped addresses; v4 in host order, as in pkt.h */
void pcp_addr_from_v4(struct in6_addr *out, uint32_t v4);
bool pcp_addr_is_v4(const struct in6_addr *);
uint32_t pcp_addr_to_v4(const struct in6_addr *);
/* :: or ::ffff:0.0.0.0, "no preference" in a suggested address */
bool pcp_addr_is_unspec(const struct in6_addr *);

/*
 * PSID sets and ranges as PORT_SET blocks (see the convention above).
 * from: fills out[0..n) and returns n, or 0 when the set has more than
 * max blocks, a block of 65536 ports, or is not valid.
 * to: the set the blocks describe, exactly; false when they describe
 * neither one range nor one PSID set (unordered, gaps, mixed sizes).
 * One block comes back as a range, even from a PSID set with offset 0.
 */
unsigned pcp_port_sets_from_portset(const struct portset *ps,
				    struct pcp_port_set *out, unsigned max);
bool pcp_port_sets_to_portset(const struct pcp_port_set *sets, unsigned n,
			      struct portset *out);

#endif
