/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the SMAP's PCP / NAT-PMP server (common/pcp_serve.c)
 * and through it the PCP and NAT-PMP request parsers, over one mapping
 * table that lives across inputs (so that renewals, deletes, quota and a
 * full set are reached). See tests/fuzz/README.md.
 *
 * Input: byte 0 picks the source (bits 0-1: 192.168.1.10, .11 (allowed
 * THIRD_PARTY), .12, or 198.51.100.10 outside the LAN) and how far the
 * clock moves (bits 2-7, seconds, then an expiry pass); the rest is the
 * UDP payload. Aborts on a broken promise:
 *  - nothing is answered to a source outside the LAN;
 *  - an answer is at most 1100 bytes, a PCP answer parses as a response
 *    (its options may be the request's bad ones) with the epoch given,
 *    a NAT-PMP answer parses as one (or is an unknown opcode echoed);
 *  - the table holds only ports of the set, at most its capacity, at
 *    most the quota per host, never one port twice for one protocol.
 * fuzz-options: -max_len=1200
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smap/portmap/natpmp.h"
#include "smap/portmap/pcp_policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAPACITY	32
#define QUOTA		8

static struct maptable *t;
static struct pcp_serve_table tbl = { .now = 1000000 };
static struct pcp_serve_stats st;
static const struct pcp_serve_cfg cfg = {
	.lan_prefix = 0xc0a80100, .lan_plen = 24, .ext_addr = 0xc0000201,
	.min_lifetime = 2, .max_lifetime = 600,
	.n_third_party = 1, .third_party = { { 0xc0a8010b, 32 } },
};
static const uint32_t sources[4] = { 0xc0a8010a, 0xc0a8010b, 0xc0a8010c, 0xc633640a };

static void
check(int ok)
{
	if (!ok)
		abort();
}

static void
check_table(void)
{
	const struct portset *ps = maptable_portset(t);
	unsigned n = maptable_count(t);

	check(n <= CAPACITY);
	for (unsigned i = 0; i < n; i++) {
		const struct mapping *m = maptable_at(t, i), *next = maptable_at(t, i + 1);

		check(portset_contains(ps, m->ext_port));
		check(maptable_host_count(t, m->int_addr) <= QUOTA);
		check(!next || next->ext_port != m->ext_port ||
		      (m->proto != 0 && next->proto != 0 && next->proto != m->proto));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pcp_response rsp;
	struct pcp_serve_ops ops;
	uint8_t out[2048];
	struct natpmp_response nr;
	uint32_t src;
	size_t n;

	if (!t) {
		struct portset ps = portset_range(10000, 10039);

		t = maptable_new(&ps, CAPACITY, QUOTA);
		check(t != NULL);
	}
	if (size < 1)
		return 0;
	src = sources[data[0] & 3];
	tbl.now += data[0] >> 2;
	maptable_expire(t, tbl.now, NULL, NULL);
	tbl.t = t;
	ops = pcp_serve_table_ops(&tbl);
	n = pcp_serve(&cfg, &ops, src, data + 1, size - 1, 77, out, sizeof(out), &st);
	check(n <= PCP_MAX_LEN);
	if (src == sources[3])
		check(n == 0);
	if (n && out[0] == PCP_VERSION) {
		enum pcp_rsp_err e = pcp_parse_response(out, n, &rsp);

		check(e == PCP_RSP_OK || e == PCP_RSP_OPTION || e == PCP_RSP_OPCODE);
		check(e != PCP_RSP_OK || rsp.epoch == 77);
	} else if (n) {
		/* an unknown opcode is echoed back (RFC 6886 3.5), not decodable */
		check(natpmp_parse_response(out, n, &nr) ||
		      (n >= 4 && (out[1] & NATPMP_OP_RESPONSE) && out[3] == NATPMP_UNSUPP_OPCODE));
	}
	check_table();
	return 0;
}
