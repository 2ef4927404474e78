/* SPDX-License-Identifier: MIT */
/* The SMAP's PCP / NAT-PMP server policy (common/pcp_serve.c) over a bare table. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smap/portmap/natpmp.h"
#include "smap/portmap/pcp_policy.h"
#include "tests/unit/check_main.h"

#define H1	0xc0a8010a	/* 192.168.1.10 */
#define H2	0xc0a8010b	/* 192.168.1.11 */
#define OUTSIDE	0xc633640a	/* 198.51.100.10 */
#define SHARED	0xc0000201	/* 192.0.2.1 */
#define EPOCH	4242

static struct maptable *t;
static struct pcp_serve_stats st;
static struct pcp_serve_cfg cfg = {
	.lan_prefix = 0xc0a80100, .lan_plen = 24, .ext_addr = SHARED,
	.min_lifetime = 60, .max_lifetime = 3600,
	.n_third_party = 1, .third_party = { { H2, 32 } },
};

static struct pcp_serve_table tbl = { .now = 1000000 };
static struct pcp_serve_ops ops;

static void
setup(void)
{
	struct portset ps = portset_range(10000, 10999);

	t = maptable_new(&ps, 64, 3);
	tbl.t = t;
	ops = pcp_serve_table_ops(&tbl);
	memset(&st, 0, sizeof(st));
}

static void
teardown(void)
{
	maptable_free(t);
}

static struct pcp_request
map_req(uint8_t proto, uint32_t client, uint16_t int_port, uint16_t ext_port, uint32_t life)
{
	struct pcp_request r;

	memset(&r, 0, sizeof(r));
	r.version = 2;
	r.opcode = PCP_OP_MAP;
	r.lifetime = life;
	pcp_addr_from_v4(&r.client, client);
	memset(r.nonce, 0x5a, sizeof(r.nonce));
	r.proto = proto;
	r.internal_port = int_port;
	r.ext_port = ext_port;
	return r;
}

static uint8_t out[PCP_MAX_LEN];
static struct pcp_response rsp;

/* Serve raw bytes from src; the response parsed into rsp; its length. */
static size_t
serve_raw(uint32_t src, const uint8_t *buf, size_t len)
{
	size_t n = pcp_serve(&cfg, &ops, src, buf, len, EPOCH, out, sizeof(out), &st);

	if (n && out[0] == 2) {
		enum pcp_rsp_err e = pcp_parse_response(out, n, &rsp);

		/* an unknown opcode or the bad options echoed back */
		if (e == PCP_RSP_OPCODE || e == PCP_RSP_OPTION)
			rsp.result = out[3];
		else
			ck_assert_int_eq(e, PCP_RSP_OK);
	}
	return n;
}

/* Serve a request from src; the result code. */
static int
serve(uint32_t src, const struct pcp_request *r)
{
	uint8_t buf[PCP_MAX_LEN];
	size_t n = pcp_build_request(buf, sizeof(buf), r);

	ck_assert_uint_gt(n, 0);
	ck_assert_uint_gt(serve_raw(src, buf, n), 0);
	ck_assert_uint_eq(rsp.epoch, EPOCH);
	return rsp.result;
}

START_TEST(test_map_success_and_renew)
{
	struct pcp_request r = map_req(6, H1, 8080, 10080, 600);

	ck_assert_int_eq(serve(H1, &r), PCP_SUCCESS);
	ck_assert_uint_eq(rsp.ext_port, 10080);
	ck_assert_uint_eq(rsp.lifetime, 600);
	ck_assert(pcp_addr_is_v4(&rsp.ext_addr) && pcp_addr_to_v4(&rsp.ext_addr) == SHARED);
	ck_assert_uint_eq(rsp.internal_port, 8080);
	/* renewal keeps the port, whatever it suggests now */
	r.ext_port = 10500;
	ck_assert_int_eq(serve(H1, &r), PCP_SUCCESS);
	ck_assert_uint_eq(rsp.ext_port, 10080);
	ck_assert_uint_eq(st.v[PCPS_PCP_MAP], 2);
	ck_assert_uint_eq(st.pcp_result[PCP_SUCCESS], 2);
}
END_TEST

START_TEST(test_lifetime_clamped)
{
	struct pcp_request r = map_req(17, H1, 5000, 0, 5);

	ck_assert_int_eq(serve(H1, &r), PCP_SUCCESS);
	ck_assert_uint_eq(rsp.lifetime, 60);
	r.lifetime = 1000000;
	ck_assert_int_eq(serve(H1, &r), PCP_SUCCESS);
	ck_assert_uint_eq(rsp.lifetime, 3600);
	ck_assert_uint_eq(maptable_find_int(t, 17, H1, 5000)->expires, tbl.now + 3600);
}
END_TEST

START_TEST(test_outside_set)
{
	struct pcp_request r = map_req(6, H1, 22, 2222, 600);

	/* a port outside 10000-10999 gets one inside */
	ck_assert_int_eq(serve(H1, &r), PCP_SUCCESS);
	ck_assert_uint_ge(rsp.ext_port, 10000);
	ck_assert_uint_le(rsp.ext_port, 10999);
	/* or CANNOT_PROVIDE_EXTERNAL with PREFER_FAILURE */
	r = map_req(6, H1, 23, 2223, 600);
	r.prefer_failure = true;
	ck_assert_int_eq(serve(H1, &r), PCP_CANNOT_PROVIDE_EXTERNAL);
	ck_assert_uint_eq(rsp.lifetime, pcp_error_lifetime(PCP_CANNOT_PROVIDE_EXTERNAL));
	/* and for a port taken by another host */
	r = map_req(6, H1, 80, 10080, 600);
	ck_assert_int_eq(serve(H1, &r), PCP_SUCCESS);
	r = map_req(6, H2, 80, 10080, 600);
	r.prefer_failure = true;
	ck_assert_int_eq(serve(H2, &r), PCP_CANNOT_PROVIDE_EXTERNAL);
	r.prefer_failure = false;
	ck_assert_int_eq(serve(H2, &r), PCP_SUCCESS);
	ck_assert_uint_eq(rsp.ext_port, 10081);
	/* another external address: ignored, or refused with PREFER_FAILURE */
	r = map_req(6, H2, 81, 0, 600);
	pcp_addr_from_v4(&r.ext_addr, 0xcb007101);
	ck_assert_int_eq(serve(H2, &r), PCP_SUCCESS);
	ck_assert_uint_eq(pcp_addr_to_v4(&rsp.ext_addr), SHARED);
	r = map_req(6, H2, 82, 0, 600);
	pcp_addr_from_v4(&r.ext_addr, 0xcb007101);
	r.prefer_failure = true;
	ck_assert_int_eq(serve(H2, &r), PCP_CANNOT_PROVIDE_EXTERNAL);
}
END_TEST

START_TEST(test_delete_and_nonce)
{
	struct pcp_request r = map_req(6, H1, 8080, 10080, 600);

	ck_assert_int_eq(serve(H1, &r), PCP_SUCCESS);
	/* another nonce may neither renew nor delete */
	memset(r.nonce, 0x11, sizeof(r.nonce));
	ck_assert_int_eq(serve(H1, &r), PCP_NOT_AUTHORIZED);
	ck_assert_uint_eq(rsp.lifetime, pcp_error_lifetime(PCP_NOT_AUTHORIZED));
	r.lifetime = 0;
	ck_assert_int_eq(serve(H1, &r), PCP_NOT_AUTHORIZED);
	ck_assert_ptr_nonnull(maptable_find_ext(t, 6, 10080));
	/* the right nonce deletes */
	memset(r.nonce, 0x5a, sizeof(r.nonce));
	ck_assert_int_eq(serve(H1, &r), PCP_SUCCESS);
	ck_assert_uint_eq(rsp.lifetime, 0);
	ck_assert_uint_eq(rsp.ext_port, 10080);
	ck_assert_ptr_null(maptable_find_ext(t, 6, 10080));
	/* deleting nothing is a success */
	ck_assert_int_eq(serve(H1, &r), PCP_SUCCESS);
}
END_TEST

START_TEST(test_quota_and_full)
{
	struct pcp_request r;

	for (uint16_t i = 0; i < 3; i++) {
		r = map_req(6, H1, (uint16_t)(100 + i), 0, 600);
		ck_assert_int_eq(serve(H1, &r), PCP_SUCCESS);
	}
	r = map_req(6, H1, 200, 0, 600);
	ck_assert_int_eq(serve(H1, &r), PCP_USER_EX_QUOTA);
	ck_assert_uint_eq(rsp.lifetime, pcp_error_lifetime(PCP_USER_EX_QUOTA));
	/* a table of one port: the second host finds none */
	maptable_free(t);
	{
		struct portset ps = portset_range(10000, 10000);

		t = maptable_new(&ps, 64, 0);
		tbl.t = t;
	}
	r = map_req(6, H1, 100, 0, 600);
	ck_assert_int_eq(serve(H1, &r), PCP_SUCCESS);
	r = map_req(6, H2, 100, 0, 600);
	ck_assert_int_eq(serve(H2, &r), PCP_NO_RESOURCES);
}
END_TEST

START_TEST(test_third_party)
{
	struct pcp_request r = map_req(6, H1, 80, 0, 600);

	r.has_third_party = true;
	pcp_addr_from_v4(&r.third_party, H2);
	ck_assert_int_eq(serve(H1, &r), PCP_NOT_AUTHORIZED);
	/* H2 is allowed, for a host of the LAN */
	r = map_req(6, H2, 80, 0, 600);
	r.has_third_party = true;
	pcp_addr_from_v4(&r.third_party, H1);
	ck_assert_int_eq(serve(H2, &r), PCP_SUCCESS);
	ck_assert_ptr_nonnull(maptable_find_int(t, 6, H1, 80));
	pcp_addr_from_v4(&r.third_party, OUTSIDE);
	ck_assert_int_eq(serve(H2, &r), PCP_NOT_AUTHORIZED);
}
END_TEST

START_TEST(test_filter_peer_desc)
{
	struct pcp_request r = map_req(6, H1, 80, 0, 600);
	const struct mapping *m;

	r.n_filters = 1;
	r.filters[0].prefix_len = 128;
	r.filters[0].remote_port = 443;
	pcp_addr_from_v4(&r.filters[0].remote_addr, OUTSIDE);
	r.has_description = true;
	strcpy(r.description, "web\tcam");
	r.description_len = 7;
	ck_assert_int_eq(serve(H1, &r), PCP_SUCCESS);
	ck_assert_uint_eq(rsp.n_filters, 1);
	ck_assert(rsp.has_description);
	m = maptable_find_int(t, 6, H1, 80);
	ck_assert_uint_eq(m->remote_addr, OUTSIDE);
	ck_assert_uint_eq(m->remote_port, 443);
	ck_assert_str_eq(m->desc, "web?cam");
	/* two filters, or a prefix: more than one remote peer */
	r = map_req(6, H1, 81, 0, 600);
	r.n_filters = 2;
	r.filters[0].prefix_len = r.filters[1].prefix_len = 128;
	pcp_addr_from_v4(&r.filters[0].remote_addr, OUTSIDE);
	pcp_addr_from_v4(&r.filters[1].remote_addr, OUTSIDE + 1);
	ck_assert_int_eq(serve(H1, &r), PCP_EXCESSIVE_REMOTE_PEERS);
	r.n_filters = 1;
	r.filters[0].prefix_len = 120;
	ck_assert_int_eq(serve(H1, &r), PCP_EXCESSIVE_REMOTE_PEERS);
	/* PEER: a mapping filtered to the peer, or the one in place */
	r = map_req(17, H1, 4000, 0, 600);
	r.opcode = PCP_OP_PEER;
	r.remote_port = 53;
	pcp_addr_from_v4(&r.remote_addr, OUTSIDE);
	ck_assert_int_eq(serve(H1, &r), PCP_SUCCESS);
	ck_assert_uint_eq(rsp.opcode, PCP_OP_PEER);
	ck_assert_uint_eq(rsp.remote_port, 53);
	m = maptable_find_int(t, 17, H1, 4000);
	ck_assert_uint_eq(m->remote_addr, OUTSIDE);
	ck_assert_uint_eq(rsp.ext_port, m->ext_port);
	r.internal_port = 80;
	r.proto = 6;
	ck_assert_int_eq(serve(H1, &r), PCP_SUCCESS);
	ck_assert_uint_eq(rsp.ext_port, maptable_find_int(t, 6, H1, 80)->ext_port);
	ck_assert_uint_eq(st.v[PCPS_PCP_PEER], 2);
}
END_TEST

START_TEST(test_protocols)
{
	struct pcp_request r = map_req(0, H1, 0, 10200, 600);

	/* all protocols: one port held for both */
	ck_assert_int_eq(serve(H1, &r), PCP_SUCCESS);
	ck_assert_uint_eq(rsp.ext_port, 10200);
	ck_assert(maptable_port_held(t, 6, 10200) && maptable_port_held(t, 17, 10200));
	r = map_req(1, H1, 0, 0, 600);
	ck_assert_int_eq(serve(H1, &r), PCP_UNSUPP_PROTOCOL);
	ck_assert_uint_eq(rsp.lifetime, pcp_error_lifetime(PCP_UNSUPP_PROTOCOL));
	r = map_req(6, H1, 0, 0, 600);
	ck_assert_int_eq(serve(H1, &r), PCP_MALFORMED_REQUEST);
}
END_TEST

START_TEST(test_address_mismatch_and_lan)
{
	struct pcp_request r = map_req(6, H1, 80, 0, 600);
	uint8_t buf[PCP_MAX_LEN];
	size_t n = pcp_build_request(buf, sizeof(buf), &r);

	ck_assert_int_eq(serve(H2, &r), PCP_ADDRESS_MISMATCH);
	ck_assert_uint_eq(rsp.lifetime, pcp_error_lifetime(PCP_ADDRESS_MISMATCH));
	/* outside the LAN: nothing at all, not even an error */
	ck_assert_uint_eq(pcp_serve(&cfg, &ops, OUTSIDE, buf, n, EPOCH, out, sizeof(out), &st), 0);
	ck_assert_uint_eq(st.v[PCPS_OUTSIDE_LAN], 1);
	ck_assert_uint_eq(maptable_count(t), 0);
}
END_TEST

START_TEST(test_codec_errors)
{
	struct pcp_request r = map_req(6, H1, 80, 0, 600);
	uint8_t buf[PCP_MAX_LEN + 8];
	size_t n = pcp_build_request(buf, sizeof(buf), &r);

	/* short, long, not a multiple of 4 */
	ck_assert_uint_gt(serve_raw(H1, buf, 20), 0);
	ck_assert_int_eq(rsp.result, PCP_MALFORMED_REQUEST);
	memset(buf + n, 0, sizeof(buf) - n);
	ck_assert_uint_gt(serve_raw(H1, buf, 1104), 0);
	ck_assert_int_eq(rsp.result, PCP_MALFORMED_REQUEST);
	ck_assert_uint_gt(serve_raw(H1, buf, n + 2), 0);
	ck_assert_int_eq(rsp.result, PCP_MALFORMED_REQUEST);
	ck_assert_uint_eq(rsp.lifetime, pcp_error_lifetime(PCP_MALFORMED_REQUEST));
	/* another version */
	buf[0] = 1;
	ck_assert_uint_gt(serve_raw(H1, buf, n), 0);
	ck_assert_int_eq(rsp.result, PCP_UNSUPP_VERSION);
	buf[0] = 2;
	/* an unknown opcode */
	buf[1] = 9;
	ck_assert_uint_gt(serve_raw(H1, buf, n), 0);
	ck_assert_int_eq(rsp.result, PCP_UNSUPP_OPCODE);
	buf[1] = PCP_OP_MAP;
	/* an unknown mandatory option, then PREFER_FAILURE twice */
	memcpy(buf + n, "\x63\x00\x00\x00", 4);
	ck_assert_uint_gt(serve_raw(H1, buf, n + 4), 0);
	ck_assert_int_eq(rsp.result, PCP_UNSUPP_OPTION);
	memcpy(buf + n, "\x02\x00\x00\x00\x02\x00\x00\x00", 8);
	ck_assert_uint_gt(serve_raw(H1, buf, n + 8), 0);
	ck_assert_int_eq(rsp.result, PCP_MALFORMED_OPTION);
	/* a response, and a lone byte: dropped */
	buf[1] = PCP_OP_MAP | PCP_R_BIT;
	ck_assert_uint_eq(serve_raw(H1, buf, n), 0);
	ck_assert_uint_eq(serve_raw(H1, buf, 1), 0);
	ck_assert_uint_eq(st.v[PCPS_DROPPED], 2);
	ck_assert_uint_eq(maptable_count(t), 0);
}
END_TEST

START_TEST(test_announce)
{
	struct pcp_request r;

	memset(&r, 0, sizeof(r));
	r.opcode = PCP_OP_ANNOUNCE;
	pcp_addr_from_v4(&r.client, H1);
	ck_assert_int_eq(serve(H1, &r), PCP_SUCCESS);
	ck_assert_uint_eq(rsp.opcode, PCP_OP_ANNOUNCE);
	ck_assert_uint_eq(rsp.lifetime, 0);
	ck_assert_uint_eq(st.v[PCPS_PCP_ANNOUNCE], 1);
}
END_TEST

/* NAT-PMP from src; the parsed response. */
static struct natpmp_response
natpmp(uint32_t src, uint8_t op, uint16_t int_port, uint16_t ext_port, uint32_t life)
{
	struct natpmp_request q = { .opcode = op, .internal_port = int_port,
				    .external_port = ext_port, .lifetime = life };
	struct natpmp_response a;
	uint8_t buf[16];
	size_t n = natpmp_build_request(buf, sizeof(buf), &q);

	n = pcp_serve(&cfg, &ops, src, buf, n, EPOCH, out, sizeof(out), &st);
	ck_assert_uint_gt(n, 0);
	ck_assert(natpmp_parse_response(out, n, &a));
	ck_assert_uint_eq(a.epoch, EPOCH);
	return a;
}

START_TEST(test_natpmp)
{
	struct natpmp_response a = natpmp(H1, NATPMP_OP_EXTERNAL, 0, 0, 0);
	struct pcp_request r;
	uint16_t port;

	ck_assert_uint_eq(a.result, NATPMP_SUCCESS);
	ck_assert_uint_eq(a.ext_addr, SHARED);
	a = natpmp(H1, NATPMP_OP_MAP_TCP, 8080, 8080, 7200);
	ck_assert_uint_eq(a.result, NATPMP_SUCCESS);
	ck_assert_uint_ge(a.external_port, 10000);
	ck_assert_uint_le(a.external_port, 10999);
	ck_assert_uint_eq(a.lifetime, 3600);
	port = a.external_port;
	ck_assert_uint_eq(maptable_find_ext(t, 6, port)->origin, MAP_ORIGIN_NATPMP);
	/* the same table as PCP: PCP may not take or touch it */
	r = map_req(6, H2, 80, port, 600);
	r.prefer_failure = true;
	ck_assert_int_eq(serve(H2, &r), PCP_CANNOT_PROVIDE_EXTERNAL);
	r = map_req(6, H1, 8080, 0, 0);
	ck_assert_int_eq(serve(H1, &r), PCP_NOT_AUTHORIZED);
	/* renew, then delete */
	a = natpmp(H1, NATPMP_OP_MAP_TCP, 8080, 0, 100);
	ck_assert_uint_eq(a.external_port, port);
	ck_assert_uint_eq(a.lifetime, 100);
	a = natpmp(H1, NATPMP_OP_MAP_TCP, 8080, 0, 0);
	ck_assert_uint_eq(a.result, NATPMP_SUCCESS);
	ck_assert_uint_eq(a.external_port, 0);
	ck_assert_ptr_null(maptable_find_ext(t, 6, port));
	/* a PCP mapping is not NAT-PMP's to delete */
	r = map_req(17, H1, 53, 0, 600);
	ck_assert_int_eq(serve(H1, &r), PCP_SUCCESS);
	a = natpmp(H1, NATPMP_OP_MAP_UDP, 53, 0, 0);
	ck_assert_uint_eq(a.result, NATPMP_NOT_AUTHORIZED);
	/* quota: 1 PCP + 2 more */
	natpmp(H1, NATPMP_OP_MAP_UDP, 1, 0, 60);
	natpmp(H1, NATPMP_OP_MAP_UDP, 2, 0, 60);
	a = natpmp(H1, NATPMP_OP_MAP_UDP, 3, 0, 60);
	ck_assert_uint_eq(a.result, NATPMP_NO_RESOURCES);
	/* an unknown opcode and another version get their errors */
	{
		uint8_t bad[12] = { 0, 7 };
		size_t n = pcp_serve(&cfg, &ops, H1, bad, 12, EPOCH, out, sizeof(out), &st);

		ck_assert_uint_gt(n, 0);
		ck_assert(natpmp_parse_response(out, n, &a));
		ck_assert_uint_eq(a.result, NATPMP_UNSUPP_OPCODE);
	}
	ck_assert_uint_ge(st.v[PCPS_NATPMP_ERROR], 3);
}
END_TEST

START_TEST(test_pure_parts)
{
	ck_assert(pcp_serve_in_lan(&cfg, H1));
	ck_assert(!pcp_serve_in_lan(&cfg, OUTSIDE));
	ck_assert(pcp_serve_third_party_ok(&cfg, H2));
	ck_assert(!pcp_serve_third_party_ok(&cfg, H1));
	ck_assert_uint_eq(pcp_serve_clamp(&cfg, 0), 60);
	ck_assert_uint_eq(pcp_serve_clamp(&cfg, 100), 100);
	ck_assert_uint_eq(pcp_serve_clamp(&cfg, 99999), 3600);
	ck_assert_int_eq(pcp_serve_result(MAPTABLE_TAKEN), PCP_CANNOT_PROVIDE_EXTERNAL);
	ck_assert_int_eq(pcp_serve_result(MAPTABLE_QUOTA), PCP_USER_EX_QUOTA);
	ck_assert_int_eq(pcp_serve_result(MAPTABLE_IO_ERROR), PCP_NO_RESOURCES);
	ck_assert_int_eq(pcp_serve_result(MAPTABLE_NONCE), PCP_NOT_AUTHORIZED);
	for (int i = 0; i < PCPS_MAX; i++)
		ck_assert_ptr_nonnull(pcp_serve_stat_desc[i].name);
}
END_TEST

static Suite *
pcp_serve_suite(void)
{
	Suite *s = suite_create("pcp_serve");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_map_success_and_renew);
	tcase_add_test(tc, test_lifetime_clamped);
	tcase_add_test(tc, test_outside_set);
	tcase_add_test(tc, test_delete_and_nonce);
	tcase_add_test(tc, test_quota_and_full);
	tcase_add_test(tc, test_third_party);
	tcase_add_test(tc, test_filter_peer_desc);
	tcase_add_test(tc, test_protocols);
	tcase_add_test(tc, test_address_mismatch_and_lan);
	tcase_add_test(tc, test_codec_errors);
	tcase_add_test(tc, test_announce);
	tcase_add_test(tc, test_natpmp);
	tcase_add_test(tc, test_pure_parts);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(pcp_serve_suite());
}
