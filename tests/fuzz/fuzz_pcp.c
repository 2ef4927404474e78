/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the PCP and NAT-PMP codecs (common/pcp.c,
 * common/natpmp.c). See tests/fuzz/README.md.
 *
 * The input is one UDP payload, fed to pcp_parse_request,
 * pcp_parse_response and natpmp_parse_request (and NAT-PMP's response
 * parser). Besides crashes and sanitizer reports, it aborts on a broken
 * promise:
 *  - a request that parses builds back into one that parses the same;
 *  - an error verdict gets an error response of at most 1100 bytes that
 *    parses as a response (it may quote the request's bad options);
 *  - PORT_SET blocks that rebuild into a port set give back the same
 *    blocks;
 *  - a NAT-PMP request that parses builds back byte for byte.
 * fuzz-options: -max_len=1200
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smap/portmap/natpmp.h"
#include "pcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pcp_request req, req2;
static struct pcp_response rsp;
static uint8_t out[2048];

static void
check(int ok)
{
	if (!ok)
		abort();
}

static void
fuzz_pcp_request(const uint8_t *data, size_t size)
{
	enum pcp_result r = pcp_parse_request(data, size, &req);
	enum pcp_rsp_err e;
	size_t n;

	if (r == PCP_SUCCESS) {
		n = pcp_build_request(out, sizeof(out), &req);
		check(n > 0 && n <= PCP_MAX_LEN && n <= size);
		check(pcp_parse_request(out, n, &req2) == PCP_SUCCESS);
		check(req2.opcode == req.opcode && req2.lifetime == req.lifetime &&
		    req2.n_filters == req.n_filters &&
		    req2.has_port_set == req.has_port_set &&
		    req2.description_len == req.description_len &&
		    memcmp(req2.description, req.description, req.description_len) == 0 &&
		    req2.internal_port == req.internal_port &&
		    req2.remote_port == req.remote_port);
		pcp_response_init(&rsp, &req);
		check(pcp_build_response(out, sizeof(out), &rsp) > 0);
		return;
	}
	if (pcp_result_is_drop(r)) {
		check(pcp_build_error(out, sizeof(out), data, size, r, 0, 0) == 0);
		return;
	}
	check(r <= PCP_RESULT_MAX);
	n = pcp_build_error(out, sizeof(out), data, size, r, pcp_error_lifetime(r), 1);
	check(n >= PCP_HDR_LEN && n <= PCP_MAX_LEN && n % 4 == 0);
	e = pcp_parse_response(out, n, &rsp);
	check(e == PCP_RSP_OK || e == PCP_RSP_OPTION ||
	    (e == PCP_RSP_OPCODE && (data[1] & 0x7f) > PCP_OP_PEER));
	check(rsp.result == r);
}

static void
fuzz_pcp_response(const uint8_t *data, size_t size)
{
	struct pcp_port_set again[PCP_MAX_PORT_SETS];
	struct portset ps;
	unsigned n, i;

	if (pcp_parse_response(data, size, &rsp) != PCP_RSP_OK)
		return;
	check(rsp.n_port_sets <= PCP_MAX_PORT_SETS && rsp.n_filters <= PCP_MAX_FILTERS);
	if (rsp.n_port_sets == 0 || !pcp_port_sets_to_portset(rsp.port_sets,
	    rsp.n_port_sets, &ps))
		return;
	n = pcp_port_sets_from_portset(&ps, again, PCP_MAX_PORT_SETS);
	check(n == rsp.n_port_sets);
	for (i = 0; i < n; i++)
		check(again[i].size == rsp.port_sets[i].size &&
		    again[i].first_internal == rsp.port_sets[i].first_internal);
}

static void
fuzz_natpmp(const uint8_t *data, size_t size)
{
	struct natpmp_request q;
	struct natpmp_response p;
	enum natpmp_result r = natpmp_parse_request(data, size, &q);
	size_t n;

	(void)natpmp_parse_response(data, size, &p);
	if (r == NATPMP_SUCCESS) {
		n = natpmp_build_request(out, sizeof(out), &q);
		check(n > 0 && n <= size);
		/* reserved bytes 2-3 are ignored on reception, zero on sending */
		check(memcmp(out, data, 2) == 0 && (n == 2 || memcmp(out + 4, data + 4, 8) == 0));
		return;
	}
	if (r == NATPMP_UNSUPP_VERSION) {
		n = natpmp_build_error(out, sizeof(out), data, size, (uint16_t)r, 1);
		if (size >= 2 && (data[1] & NATPMP_OP_RESPONSE))
			check(n == 0);		/* something's answer: never answered */
		else
			check(n == NATPMP_VERSION_RSP_LEN &&
			    natpmp_parse_response(out, n, &p) && p.result == r);
	} else if (r == NATPMP_UNSUPP_OPCODE) {
		n = natpmp_build_error(out, sizeof(out), data, size, (uint16_t)r, 1);
		check(n >= 4 && n <= NATPMP_MAX_ECHO && out[0] == 0 &&
		    out[1] == (data[1] | NATPMP_OP_RESPONSE) && out[2] == 0 && out[3] == r);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_pcp_request(data, size);
	fuzz_pcp_response(data, size);
	fuzz_natpmp(data, size);
	return 0;
}
