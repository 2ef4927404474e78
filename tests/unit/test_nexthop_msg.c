/* SPDX-License-Identifier: MIT */
/* The rtnetlink requests and answers that find a next hop (common/nexthop_msg.c). */
#include <arpa/inet.h>
#include <check.h>
#include <stdalign.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "nexthop_msg.h"
#include "tests/unit/check_main.h"

static alignas(struct nlmsghdr) char buf[4096];
static const uint8_t smap[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2 };
static const uint8_t gw[16] = { 0x20, 0x01, 0x0d, 0xb8, 1, 0, [15] = 2 };
static const uint8_t mac_gw[6] = { 0x3a, 0x24, 0xd2, 0x50, 0xaf, 0x53 };
static const uint8_t mac_own[6] = { 0xc6, 0x55, 0xf0, 0x7e, 0xa8, 0xbf };

/* an answer of type TYPE in buf, its family header (size hdr) at *extra */
static struct nlmsghdr *
answer(uint16_t type, size_t hdr, void **extra)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	*extra = mnl_nlmsg_put_extra_header(nlh, hdr);
	return nlh;
}

/* the kernel's answer to a route request: type, interface, maybe a gateway and a source */
static struct nlmsghdr *
route_src(uint8_t family, uint8_t type, int oif, const uint8_t *via, size_t vialen,
	  const uint8_t *prefsrc)
{
	struct rtmsg *rt;
	struct nlmsghdr *nlh = answer(RTM_NEWROUTE, sizeof(*rt), (void **)&rt);

	rt->rtm_family = family;
	rt->rtm_type = type;
	mnl_attr_put(nlh, RTA_DST, family == AF_INET ? 4 : 16, smap);
	if (oif)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	if (via)
		mnl_attr_put(nlh, RTA_GATEWAY, vialen, via);
	if (prefsrc)
		mnl_attr_put(nlh, RTA_PREFSRC, family == AF_INET ? 4 : 16, prefsrc);
	mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);	/* one it does not read */
	return nlh;
}

static struct nlmsghdr *
route(uint8_t family, uint8_t type, int oif, const uint8_t *via, size_t vialen)
{
	return route_src(family, type, oif, via, vialen, NULL);
}

static struct nlmsghdr *
link_msg(unsigned short type, unsigned flags)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = answer(RTM_NEWLINK, sizeof(*ifi), (void **)&ifi);

	ifi->ifi_type = type;
	ifi->ifi_flags = flags;
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac_own);
	return nlh;
}

static struct nlmsghdr *
neigh(uint16_t state, bool lladdr)
{
	struct ndmsg *nd;
	struct nlmsghdr *nlh = answer(RTM_NEWNEIGH, sizeof(*nd), (void **)&nd);

	nd->ndm_family = AF_INET6;
	nd->ndm_state = state;
	mnl_attr_put(nlh, NDA_DST, 16, gw);
	if (lladdr)
		mnl_attr_put(nlh, NDA_LLADDR, 6, mac_gw);
	return nlh;
}

START_TEST(requests)
{
	struct nlmsghdr *nlh = nh_route_req(buf, AF_INET6, smap, NULL, 0);
	struct rtmsg *rt = mnl_nlmsg_get_payload(nlh);
	struct nlattr *a;
	struct ndmsg *nd;

	ck_assert_uint_eq(nlh->nlmsg_type, RTM_GETROUTE);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST);
	ck_assert_uint_eq(rt->rtm_dst_len, 128);
	a = mnl_nlmsg_get_payload_offset(nlh, sizeof(*rt));
	ck_assert_uint_eq(mnl_attr_get_type(a), RTA_DST);
	ck_assert_mem_eq(mnl_attr_get_payload(a), smap, 16);
	/* no source given, none asked for: the header and RTA_DST only */
	ck_assert_uint_eq(nlh->nlmsg_len, mnl_nlmsg_size(sizeof(*rt)) + MNL_ALIGN(sizeof(*a) + 16));
	rt = mnl_nlmsg_get_payload(nh_route_req(buf, AF_INET, smap, NULL, 0));
	ck_assert_uint_eq(rt->rtm_dst_len, 32);
	/* the SMAP's: out of its WAN */
	nlh = nh_route_req(buf, AF_INET6, smap, NULL, 5);
	rt = mnl_nlmsg_get_payload(nlh);
	a = mnl_attr_next(mnl_nlmsg_get_payload_offset(nlh, sizeof(*rt)));
	ck_assert_uint_eq(mnl_attr_get_type(a), RTA_OIF);
	ck_assert_uint_eq(mnl_attr_get_u32(a), 5);
	ck_assert_uint_eq(rt->rtm_src_len, 0);
	/* the PRR's IPv6: routed from its source, as the raw socket routes it */
	nlh = nh_route_req(buf, AF_INET6, smap, gw, 0);
	rt = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(rt->rtm_src_len, 128);
	a = mnl_attr_next(mnl_nlmsg_get_payload_offset(nlh, sizeof(*rt)));
	ck_assert_uint_eq(mnl_attr_get_type(a), RTA_SRC);
	ck_assert_mem_eq(mnl_attr_get_payload(a), gw, 16);
	/* NTF_USE on an entry that exists, acknowledged (the answer is read) */
	nlh = nh_neigh_use_req(buf, AF_INET6, 3, gw);
	nd = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWNEIGH);
	ck_assert(nlh->nlmsg_flags & NLM_F_ACK);
	ck_assert(!(nlh->nlmsg_flags & NLM_F_CREATE));
	ck_assert_uint_eq(nd->ndm_flags, NTF_USE);
	ck_assert_int_eq(nd->ndm_ifindex, 3);
}
END_TEST

START_TEST(answers)
{
	struct nh_route r;
	struct nh_link l;
	struct nh_neigh n;
	struct nh_hop h;
	static const uint8_t eth[14] = { 0x3a, 0x24, 0xd2, 0x50, 0xaf, 0x53,
					 0xc6, 0x55, 0xf0, 0x7e, 0xa8, 0xbf, 0x86, 0xdd };

	ck_assert_int_eq(nh_route_parse(route(AF_INET6, RTN_UNICAST, 3, gw, 16), &r), MNL_CB_OK);
	ck_assert(r.unicast && r.has_gw && !r.has_prefsrc);
	ck_assert_int_eq(r.ifindex, 3);
	ck_assert_mem_eq(r.gw, gw, 16);
	/* the source the kernel would choose (the SMAP's, without a WAN address) */
	nh_route_parse(route_src(AF_INET6, RTN_UNICAST, 3, gw, 16, smap), &r);
	ck_assert(r.unicast && r.has_prefsrc);
	ck_assert_mem_eq(r.prefsrc, smap, 16);
	ck_assert_int_eq(nh_link_parse(link_msg(ARPHRD_ETHER, IFF_UP), &l), MNL_CB_OK);
	ck_assert(l.ether);
	ck_assert_int_eq(nh_neigh_parse(neigh(NUD_REACHABLE, true), &n), MNL_CB_OK);
	ck_assert(nh_hop_make(&h, AF_INET6, &r, &l, &n));
	ck_assert_int_eq(h.ifindex, 3);
	ck_assert_mem_eq(h.eth, eth, 14);
	/* stale is still the kernel's answer (it is then asked to confirm) */
	nh_neigh_parse(neigh(NUD_STALE, true), &n);
	ck_assert(nh_hop_make(&h, AF_INET6, &r, &l, &n));
	/* IPv4: the ethertype follows */
	ck_assert(nh_hop_make(&h, AF_INET, &r, &l, &n));
	ck_assert_uint_eq(h.eth[12], 0x08);
	ck_assert_uint_eq(h.eth[13], 0x00);
}
END_TEST

START_TEST(raw_socket_instead)
{
	struct nh_route r, ok;
	struct nh_link l, eth;
	struct nh_neigh n, valid;
	struct nh_hop h;
	uint8_t v4gw[4] = { 198, 18, 0, 2 };
	struct nlmsghdr *mp;

	nh_route_parse(route(AF_INET6, RTN_UNICAST, 3, NULL, 0), &ok);
	ck_assert(ok.unicast && !ok.has_gw);	/* on link: the destination is the next hop */
	nh_link_parse(link_msg(ARPHRD_ETHER, IFF_UP), &eth);
	nh_neigh_parse(neigh(NUD_REACHABLE, true), &valid);
	/* local, unreachable, no interface */
	nh_route_parse(route(AF_INET6, RTN_LOCAL, 1, NULL, 0), &r);
	ck_assert(!nh_hop_make(&h, AF_INET6, &r, &eth, &valid));
	nh_route_parse(route(AF_INET6, RTN_UNREACHABLE, 0, NULL, 0), &r);
	ck_assert(!nh_hop_make(&h, AF_INET6, &r, &eth, &valid));
	nh_route_parse(route(AF_INET6, RTN_UNICAST, 0, gw, 16), &r);
	ck_assert(!r.unicast);
	mp = route(AF_INET6, RTN_UNICAST, 3, NULL, 0);
	mnl_attr_put(mp, RTA_MULTIPATH, 0, NULL);	/* more than one next hop */
	nh_route_parse(mp, &r);
	ck_assert(!r.unicast);
	/* a gateway of the wrong length is not an answer */
	ck_assert_int_eq(nh_route_parse(route(AF_INET6, RTN_UNICAST, 3, v4gw, 4), &r),
			 MNL_CB_ERROR);
	/* a tunnel, a device that is down */
	nh_link_parse(link_msg(ARPHRD_NONE, IFF_UP), &l);
	ck_assert(!nh_hop_make(&h, AF_INET6, &ok, &l, &valid));
	nh_link_parse(link_msg(ARPHRD_ETHER, 0), &l);
	ck_assert(!nh_hop_make(&h, AF_INET6, &ok, &l, &valid));
	/* a neighbour being resolved, failed, or without an address */
	nh_neigh_parse(neigh(NUD_INCOMPLETE, false), &n);
	ck_assert(!nh_hop_make(&h, AF_INET6, &ok, &eth, &n));
	nh_neigh_parse(neigh(NUD_FAILED, true), &n);
	ck_assert(!nh_hop_make(&h, AF_INET6, &ok, &eth, &n));
	nh_neigh_parse(neigh(NUD_NOARP, false), &n);
	ck_assert(!nh_hop_make(&h, AF_INET6, &ok, &eth, &n));
	/* another message than the one asked for */
	ck_assert_int_eq(nh_neigh_parse(link_msg(ARPHRD_ETHER, IFF_UP), &n), MNL_CB_ERROR);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("nexthop");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, requests);
	tcase_add_test(tc, answers);
	tcase_add_test(tc, raw_socket_instead);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(suite());
}
