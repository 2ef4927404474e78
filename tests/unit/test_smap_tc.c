/* SPDX-License-Identifier: MIT */
/*
 * The SMAP's TC programs (bpf/smap_tc.bpf.c) run by the kernel on crafted
 * packets (BPF_PROG_TEST_RUN), in a network namespace of the test's own
 * with a TUN device: what they encapsulate and decapsulate, byte for
 * byte, and what they leave to the TUN path and under which reason.
 * Needs root and a kernel with BPF (as smap's fast path does).
 */
#include <arpa/inet.h>
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/smap_tc.h"
#include "pkt.h"
#include "build/bpf/smap_tc.skel.h"
#include "tests/unit/check_main.h"

#define TC_ACT_OK	0
#define TC_ACT_REDIRECT	7

static struct smap_tc_bpf *skel;
static int tun_fd = -1, tun_ifindex;
static const uint8_t prr[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x01, [15] = 1 };
static const uint8_t local[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x01, 0, 0x01, [15] = 2 };

static uint64_t
stat(enum smap_tc_stat i)
{
	int n = libbpf_num_possible_cpus();
	uint64_t v[n], sum = 0;
	uint32_t k = i;

	ck_assert_int_eq(bpf_map_lookup_elem(bpf_map__fd(skel->maps.smap_tc_stats), &k, v), 0);
	for (int c = 0; c < n; c++)
		sum += v[c];
	return sum;
}

static void
setup(void)
{
	struct smap_tc_cfg c = { 0 };
	static struct smap_tc_ports ports;
	struct ifreq ifr = { 0 };
	uint32_t zero = 0;

	ck_assert_msg(unshare(CLONE_NEWNET) == 0, "unshare(CLONE_NEWNET): run as root");
	tun_fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(tun_fd, 0);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "tctest0");
	ck_assert_int_eq(ioctl(tun_fd, TUNSETIFF, &ifr), 0);
	tun_ifindex = (int)if_nametoindex("tctest0");
	skel = smap_tc_bpf__open_and_load();
	ck_assert_msg(skel, "the kernel refused the TC programs");
	c.enabled = 1;
	c.ipv4 = htonl(0xc0000201);	/* 192.0.2.1 */
	c.mtu = 1500;
	c.wan_ifindex = 1;
	c.tun_ifindex = (uint32_t)tun_ifindex;
	c.hop_limit = 64;
	c.wan_l2 = 14;
	c.tun_l2 = 14;	/* the test run hands the program an Ethernet frame */
	memcpy(c.local, local, 16);
	memcpy(c.prr, prr, 16);
	ck_assert_int_eq(bpf_map_update_elem(bpf_map__fd(skel->maps.smap_tc_config), &zero, &c, 0), 0);
	for (unsigned p = 10000; p <= 10999; p++)
		ports.bits[p >> 3] |= (uint8_t)(1u << (p & 7));
	ck_assert_int_eq(bpf_map_update_elem(bpf_map__fd(skel->maps.smap_tc_ports), &zero, &ports, 0), 0);
}

static void
teardown(void)
{
	smap_tc_bpf__destroy(skel);
	skel = NULL;
	close(tun_fd);
}

/* IPv4 + 8 bytes of L4 (+ 8 of payload): proto, src, dst, ports or ICMP type/id */
static size_t
ipv4(uint8_t *b, uint8_t proto, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
     uint16_t frag, size_t payload)
{
	size_t len = 20 + 8 + payload;

	memset(b, 0, len);
	b[0] = 0x45;
	b[2] = (uint8_t)(len >> 8);
	b[3] = (uint8_t)len;
	b[6] = (uint8_t)(frag >> 8);
	b[7] = (uint8_t)frag;
	b[8] = 64;
	b[9] = proto;
	put32(b + 12, src);
	put32(b + 16, dst);
	ipv4_set_csum(b);
	if (proto == IPPROTO_ICMP) {
		b[20] = (uint8_t)sport;	/* type */
		put16(b + 24, dport);	/* identifier */
	} else {
		put16(b + 20, sport);
		put16(b + 22, dport);
		if (proto == IPPROTO_UDP)
			put16(b + 24, (uint16_t)(8 + payload));
	}
	return len;
}

/* Ethernet + IPv6 (nh 4, src -> local) + inner */
static size_t
softwire(uint8_t *b, const uint8_t *src, const uint8_t *inner, size_t ilen)
{
	memset(b, 0, 54);
	b[12] = 0x86;
	b[13] = 0xdd;
	b[14] = 0x60;
	put16(b + 18, (uint16_t)ilen);
	b[20] = 4;
	b[21] = 64;
	memcpy(b + 22, src, 16);
	memcpy(b + 38, local, 16);
	memcpy(b + 54, inner, ilen);
	return 54 + ilen;
}

static int
run(int prog, int ifindex, const uint8_t *in, size_t len, uint8_t *out, uint32_t *out_len)
{
	struct __sk_buff ctx = { .ifindex = (uint32_t)ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = (uint32_t)len,
		    .data_out = out, .data_size_out = 2048, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));

	ck_assert_int_eq(bpf_prog_test_run_opts(prog, &o), 0);
	*out_len = o.data_size_out;
	return (int)o.retval;
}

#define INET	0xc6336401u	/* 198.51.100.1 */
#define SHARED	0xc0000201u	/* 192.0.2.1 */

START_TEST(ingress_decapsulates_ours)
{
	uint8_t inner[64], pkt[256], out[2048];
	size_t ilen = ipv4(inner, IPPROTO_ICMP, INET, SHARED, 0, 10005, 0, 8);
	size_t len = softwire(pkt, prr, inner, ilen);
	uint32_t olen;
	int fd = bpf_program__fd(skel->progs.smap_ingress);

	ck_assert_int_eq(run(fd, 1, pkt, len, out, &olen), TC_ACT_REDIRECT);
	ck_assert_uint_eq(olen, len - 40);
	ck_assert_mem_eq(out + 14, inner, ilen);
	ck_assert_uint_eq(stat(SMAP_TC_IN), 1);
}
END_TEST

START_TEST(ingress_leaves_the_rest)
{
	uint8_t inner[64], pkt[256], out[2048];
	uint8_t other[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 };
	size_t ilen, len;
	uint32_t olen;
	int fd = bpf_program__fd(skel->progs.smap_ingress);

	/* TCP to a port outside the set: the TUN path drops and counts it */
	ilen = ipv4(inner, IPPROTO_TCP, INET, SHARED, 80, 9999, 0, 12);
	len = softwire(pkt, prr, inner, ilen);
	ck_assert_int_eq(run(fd, 1, pkt, len, out, &olen), TC_ACT_OK);
	ck_assert_uint_eq(olen, len);
	ck_assert_uint_eq(stat(SMAP_TC_SLOW_CHECK), 1);
	/* a fragment */
	ilen = ipv4(inner, IPPROTO_UDP, INET, SHARED, 53, 10001, 0x2000, 8);
	len = softwire(pkt, prr, inner, ilen);
	ck_assert_int_eq(run(fd, 1, pkt, len, out, &olen), TC_ACT_OK);
	ck_assert_uint_eq(stat(SMAP_TC_SLOW_FRAGMENT), 1);
	/* an ICMP error */
	ilen = ipv4(inner, IPPROTO_ICMP, INET, SHARED, 3, 0, 0, 8);
	len = softwire(pkt, prr, inner, ilen);
	ck_assert_int_eq(run(fd, 1, pkt, len, out, &olen), TC_ACT_OK);
	ck_assert_uint_eq(stat(SMAP_TC_SLOW_ICMP), 1);
	/* not from the PRR */
	ilen = ipv4(inner, IPPROTO_UDP, INET, SHARED, 53, 10001, 0, 8);
	len = softwire(pkt, other, inner, ilen);
	ck_assert_int_eq(run(fd, 1, pkt, len, out, &olen), TC_ACT_OK);
	ck_assert_uint_eq(stat(SMAP_TC_SLOW_MESH), 1);
	/* a bad inner header checksum */
	ilen = ipv4(inner, IPPROTO_UDP, INET, SHARED, 53, 10001, 0, 8);
	inner[10] ^= 1;
	len = softwire(pkt, prr, inner, ilen);
	ck_assert_int_eq(run(fd, 1, pkt, len, out, &olen), TC_ACT_OK);
	ck_assert_uint_eq(stat(SMAP_TC_SLOW_CHECK), 2);
	/* not the softwire's (next header 17): not counted at all */
	pkt[20] = 17;
	ck_assert_int_eq(run(fd, 1, pkt, len, out, &olen), TC_ACT_OK);
	ck_assert_uint_eq(stat(SMAP_TC_IN), 0);
	ck_assert_uint_eq(stat(SMAP_TC_SLOW_CHECK), 2);
}
END_TEST

/*
 * What the egress sees: the test run always gives the program an
 * Ethernet frame, so the configuration says tun_l2 = 14 (as for an
 * Ethernet-like softwire device); a TUN (tun_l2 = 0) takes the other
 * branch, bpf_skb_change_head, which the e2e tests cover.
 */
static size_t
from_tun(uint8_t *b, const uint8_t *ip, size_t len)
{
	memset(b, 0, 14);
	b[12] = 0x08;
	memcpy(b + 14, ip, len);
	return 14 + len;
}

START_TEST(egress_encapsulates_ours)
{
	uint8_t ip[1600], pkt[1700], out[2048];
	size_t ilen = ipv4(ip, IPPROTO_UDP, SHARED, INET, 10001, 53, 0x4000, 100);
	size_t len = from_tun(pkt, ip, ilen);
	uint32_t olen;
	int fd = bpf_program__fd(skel->progs.smap_egress);

	ck_assert_int_eq(run(fd, tun_ifindex, pkt, len, out, &olen), TC_ACT_REDIRECT);
	/* the link header, the IPv6 header, the packet as it was */
	ck_assert_uint_eq(olen, 14 + 40 + ilen);
	ck_assert_uint_eq(get16(out + 12), 0x86dd);
	ck_assert_uint_eq(out[14] >> 4, 6);
	ck_assert_uint_eq(get16(out + 18), ilen);
	ck_assert_uint_eq(out[20], 4);
	ck_assert_uint_eq(out[21], 64);
	ck_assert_mem_eq(out + 22, local, 16);
	ck_assert_mem_eq(out + 38, prr, 16);
	ck_assert_mem_eq(out + 54, ip, ilen);
	ck_assert_uint_eq(stat(SMAP_TC_OUT), 1);
}
END_TEST

START_TEST(egress_leaves_the_rest)
{
	uint8_t ip[1600], pkt[1700], out[2048];
	size_t ilen, len;
	uint32_t olen;
	int fd = bpf_program__fd(skel->progs.smap_egress);

	/* not NATed: the TUN path drops it as out_drop_src */
	ilen = ipv4(ip, IPPROTO_UDP, 0xc0a8010a, INET, 10001, 53, 0, 8);
	len = from_tun(pkt, ip, ilen);
	ck_assert_int_eq(run(fd, tun_ifindex, pkt, len, out, &olen), TC_ACT_OK);
	ck_assert_uint_eq(olen, len);
	ck_assert_uint_eq(stat(SMAP_TC_SLOW_CHECK), 1);
	/* a source port outside the set */
	ilen = ipv4(ip, IPPROTO_TCP, SHARED, INET, 11000, 80, 0, 12);
	len = from_tun(pkt, ip, ilen);
	ck_assert_int_eq(run(fd, tun_ifindex, pkt, len, out, &olen), TC_ACT_OK);
	ck_assert_uint_eq(stat(SMAP_TC_SLOW_CHECK), 2);
	/* over the path MTU (1500 - 40) */
	ilen = ipv4(ip, IPPROTO_UDP, SHARED, INET, 10001, 53, 0x4000, 1461 - 28);
	len = from_tun(pkt, ip, ilen);
	ck_assert_int_eq(run(fd, tun_ifindex, pkt, len, out, &olen), TC_ACT_OK);
	ck_assert_uint_eq(stat(SMAP_TC_SLOW_MTU), 1);
	/* just fits */
	ilen = ipv4(ip, IPPROTO_UDP, SHARED, INET, 10001, 53, 0x4000, 1460 - 28);
	len = from_tun(pkt, ip, ilen);
	ck_assert_int_eq(run(fd, tun_ifindex, pkt, len, out, &olen), TC_ACT_REDIRECT);
	/* a fragment, an ICMP error */
	ilen = ipv4(ip, IPPROTO_UDP, SHARED, INET, 10001, 53, 0x2000, 8);
	len = from_tun(pkt, ip, ilen);
	ck_assert_int_eq(run(fd, tun_ifindex, pkt, len, out, &olen), TC_ACT_OK);
	ck_assert_uint_eq(stat(SMAP_TC_SLOW_FRAGMENT), 1);
	ilen = ipv4(ip, IPPROTO_ICMP, SHARED, INET, 11, 0, 0, 8);
	len = from_tun(pkt, ip, ilen);
	ck_assert_int_eq(run(fd, tun_ifindex, pkt, len, out, &olen), TC_ACT_OK);
	ck_assert_uint_eq(stat(SMAP_TC_SLOW_ICMP), 1);
}
END_TEST

START_TEST(disabled_passes_everything)
{
	uint8_t ip[64], pkt[128], out[2048];
	struct smap_tc_cfg c = { 0 };
	uint32_t zero = 0, olen;
	size_t ilen = ipv4(ip, IPPROTO_UDP, SHARED, INET, 10001, 53, 0, 8);
	size_t len = from_tun(pkt, ip, ilen);

	ck_assert_int_eq(bpf_map_update_elem(bpf_map__fd(skel->maps.smap_tc_config), &zero, &c, 0), 0);
	ck_assert_int_eq(run(bpf_program__fd(skel->progs.smap_egress), tun_ifindex, pkt, len, out,
			     &olen), TC_ACT_OK);
	ck_assert_uint_eq(olen, len);
	ck_assert_uint_eq(stat(SMAP_TC_OUT), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("smap_tc");
	TCase *tc = tcase_create("bpf");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ingress_decapsulates_ours);
	tcase_add_test(tc, ingress_leaves_the_rest);
	tcase_add_test(tc, egress_encapsulates_ours);
	tcase_add_test(tc, egress_leaves_the_rest);
	tcase_add_test(tc, disabled_passes_everything);
	suite_add_tcase(s, tc);
	return check_main(s);
}
