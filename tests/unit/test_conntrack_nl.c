/* SPDX-License-Identifier: MIT */
/* portsurvey's reading of one ctnetlink conntrack entry (survey/conntrack_nl.c). */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "survey/conntrack_nl.h"
#include "tests/unit/check_main.h"

static char buf[4096];

static void
tuple(struct nlmsghdr *nlh, int type, uint8_t proto, const char *src, const char *dst,
      uint16_t sport, uint16_t dport)
{
	struct nlattr *t = mnl_attr_nest_start(nlh, type), *n;
	struct in_addr a;

	n = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	inet_pton(AF_INET, src, &a);
	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, a.s_addr);
	inet_pton(AF_INET, dst, &a);
	mnl_attr_put_u32(nlh, CTA_IP_V4_DST, a.s_addr);
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, proto);
	if (proto == IPPROTO_ICMP) {
		mnl_attr_put_u16(nlh, CTA_PROTO_ICMP_ID, htons(sport));
	} else {
		mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(sport));
		mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(dport));
	}
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, t);
}

static struct nlmsghdr *
entry(uint8_t proto, bool reply)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfh;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nfh = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfh));
	nfh->nfgen_family = AF_INET;
	tuple(nlh, CTA_TUPLE_ORIG, proto, "192.168.1.10", "198.51.100.10", 40000, 443);
	if (reply)
		tuple(nlh, CTA_TUPLE_REPLY, proto, "198.51.100.10", "192.0.2.1", 443, 10001);
	mnl_attr_put_u32(nlh, CTA_MARK, 0);	/* attributes it does not read */
	return nlh;
}

START_TEST(tuples)
{
	struct ct_entry e;

	ck_assert(ct_nl_parse(entry(IPPROTO_TCP, true), &e));
	ck_assert_uint_eq(e.proto, IPPROTO_TCP);
	ck_assert_uint_eq(e.osrc, 0xc0a8010a);
	ck_assert_uint_eq(e.odst, 0xc633640a);
	ck_assert_uint_eq(e.osport, 40000);
	ck_assert_uint_eq(e.odport, 443);
	ck_assert_uint_eq(e.rdst, 0xc0000201);
	ck_assert_uint_eq(e.rdport, 10001);
	/* ICMP: the echo identifier stands for both ports */
	ck_assert(ct_nl_parse(entry(IPPROTO_ICMP, true), &e));
	ck_assert_uint_eq(e.osport, 40000);
	ck_assert_uint_eq(e.odport, 40000);
	/* no reply tuple: not an entry */
	ck_assert(!ct_nl_parse(entry(IPPROTO_UDP, false), &e));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("conntrack_nl");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, tuples);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(suite());
}
