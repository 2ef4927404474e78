/* SPDX-License-Identifier: MIT */
/*
 * The SMAP's parsers of outside input that came out of its I/O code:
 * the FTP ALG's PORT/EPRT (smap/ftp_cmd.c) and the registration
 * client's reading of a PRR answer (smap/register_answer.c).
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "pcp.h"
#include "smap/ftp_cmd.h"
#include "smap/register_answer.h"
#include "tests/unit/check_main.h"

static enum ftp_cmd
kind(const char *s, struct sockaddr_in *w)
{
	return ftp_cmd_parse(s, strlen(s), w);
}

START_TEST(ftp_port_eprt)
{
	struct sockaddr_in w;
	char out[128];
	size_t n;

	ck_assert_int_eq(kind("PORT 192,168,1,10,39,16\r\n", &w), FTP_CMD_PORT);
	ck_assert_uint_eq(ntohl(w.sin_addr.s_addr), 0xc0a8010a);
	ck_assert_uint_eq(ntohs(w.sin_port), 39 * 256 + 16);
	ck_assert_int_eq(kind("eprt |1|10.0.0.1|2121|\r\n", &w), FTP_CMD_EPRT);
	ck_assert_uint_eq(ntohl(w.sin_addr.s_addr), 0x0a000001);
	ck_assert_uint_eq(ntohs(w.sin_port), 2121);
	ck_assert_int_eq(kind("EPRT !1!10.0.0.1!21!\r\n", &w), FTP_CMD_EPRT);	/* any delimiter */
	ck_assert_int_eq(kind("EPRT %1%10.0.0.1%21%\r\n", &w), FTP_CMD_EPRT);	/* '%' too */
	ck_assert_uint_eq(ntohs(w.sin_port), 21);
	/* passed on unchanged: other commands, IPv6, bad numbers */
	ck_assert_int_eq(kind("PASV\r\n", &w), FTP_CMD_OTHER);
	ck_assert_int_eq(kind("EPRT |2|::1|5282|\r\n", &w), FTP_CMD_OTHER);
	ck_assert_int_eq(kind("PORT 300,1,1,1,1,1\r\n", &w), FTP_CMD_OTHER);
	ck_assert_int_eq(kind("EPRT |1|10.0.0.1|0|\r\n", &w), FTP_CMD_OTHER);
	ck_assert_int_eq(kind("EPRT |1|10.0.0.1|65536|\r\n", &w), FTP_CMD_OTHER);
	ck_assert_int_eq(kind("EPRT |1|10.0.0.1|21\r\n", &w), FTP_CMD_OTHER);	/* unclosed */
	ck_assert_int_eq(kind("EPRT |1|10.0.0.1| 21|\r\n", &w), FTP_CMD_OTHER);
	/* the announcement, and nothing when it does not fit */
	n = ftp_cmd_announce(FTP_CMD_PORT, 0xc0000201, 10500, out, sizeof(out));
	ck_assert_str_eq(out, "PORT 192,0,2,1,41,4\r\n");
	ck_assert_uint_eq(n, strlen(out));
	n = ftp_cmd_announce(FTP_CMD_EPRT, 0xc0000201, 10500, out, sizeof(out));
	ck_assert_str_eq(out, "EPRT |1|192.0.2.1|10500|\r\n");
	ck_assert_uint_eq(ftp_cmd_announce(FTP_CMD_EPRT, 0xc0000201, 10500, out, n), 0);
}
END_TEST

static const uint8_t nonce[PCP_NONCE_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

/* the PRR's answer to our MAP request with PORT_SET, as built by its codec */
static size_t
answer(uint8_t *buf, size_t cap, int result, const char *ext, const struct portset *ps)
{
	static struct pcp_request req;
	static struct pcp_response rsp;

	memset(&req, 0, sizeof(req));
	req.opcode = PCP_OP_MAP;
	req.lifetime = 3600;
	inet_pton(AF_INET6, "2001:db8:1::2", &req.client);
	memcpy(req.nonce, nonce, sizeof(nonce));
	req.has_port_set = true;
	req.port_set.size = 1;
	pcp_response_init(&rsp, &req);
	rsp.result = (uint8_t)result;
	rsp.lifetime = 3600;
	rsp.epoch = 1000;
	inet_pton(AF_INET6, ext, &rsp.ext_addr);
	if (ps)
		rsp.n_port_sets = pcp_port_sets_from_portset(ps, rsp.port_sets, PCP_MAX_PORT_SETS);
	return pcp_build_response(buf, cap, &rsp);
}

START_TEST(register_answers)
{
	static struct pcp_response rsp;
	struct portset want = portset_range(10000, 10999), ps;
	uint8_t buf[PCP_MAX_LEN], other[PCP_NONCE_LEN] = { 9 };
	enum pcp_rsp_err e;
	uint32_t v4 = 0;
	size_t n;

	n = answer(buf, sizeof(buf), PCP_SUCCESS, "::ffff:192.0.2.1", &want);
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(reg_answer_read(buf, n, nonce, false, &rsp, &v4, &ps, &e), REG_ANSWER_MAP);
	ck_assert_uint_eq(v4, 0xc0000201);
	ck_assert(memcmp(&ps, &want, sizeof(ps)) == 0);
	/* with map.rules_from_prr the set comes from the rules */
	ck_assert_int_eq(reg_answer_read(buf, n, nonce, true, &rsp, &v4, &ps, &e), REG_ANSWER_RULES);
	/* not our request */
	ck_assert_int_eq(reg_answer_read(buf, n, other, false, &rsp, &v4, &ps, &e), REG_ANSWER_BAD);
	ck_assert_int_eq(e, PCP_RSP_OK);
	/* garbage says why */
	ck_assert_int_eq(reg_answer_read(buf, 10, nonce, false, &rsp, &v4, &ps, &e), REG_ANSWER_BAD);
	ck_assert_int_ne(e, PCP_RSP_OK);
	/* SUCCESS without a port set, or with an IPv6 address: unusable */
	n = answer(buf, sizeof(buf), PCP_SUCCESS, "::ffff:192.0.2.1", NULL);
	ck_assert_int_eq(reg_answer_read(buf, n, nonce, false, &rsp, &v4, &ps, &e),
			 REG_ANSWER_UNUSABLE);
	n = answer(buf, sizeof(buf), PCP_SUCCESS, "2001:db8::1", &want);
	ck_assert_int_eq(reg_answer_read(buf, n, nonce, false, &rsp, &v4, &ps, &e),
			 REG_ANSWER_UNUSABLE);
	/* a refusal is an answer for the timing */
	n = answer(buf, sizeof(buf), PCP_NO_RESOURCES, "::", NULL);
	ck_assert_int_eq(reg_answer_read(buf, n, nonce, false, &rsp, &v4, &ps, &e), REG_ANSWER_MAP);
	ck_assert_int_eq(rsp.result, PCP_NO_RESOURCES);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("smap_parsers");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, ftp_port_eprt);
	tcase_add_test(tc, register_answers);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(suite());
}
