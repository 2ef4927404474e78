/* SPDX-License-Identifier: MIT */
/*
 * The TUN's offloads undone (smap/gso.c): super-packets cut into the
 * segments a host would have sent one by one, built here independently
 * (headers, flags, sequence numbers, IP ids, both checksums), checksums
 * completed, and what is refused.
 */
#include <arpa/inet.h>
#include <check.h>
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "pkt.h"
#include "smap/gso.h"
#include "tests/unit/check_main.h"

#define MAXSEG	16
#define ACK	0x10
#define PSH	0x08
#define FIN	0x01
#define CWR	0x80

static struct {
	unsigned n;
	uint8_t pkt[MAXSEG][2048];
	size_t len[MAXSEG];
} got;

static void
collect(void *arg, const uint8_t *p, size_t len)
{
	(void)arg;
	ck_assert_uint_lt(got.n, MAXSEG);
	ck_assert_uint_le(len, sizeof(got.pkt[0]));
	memcpy(got.pkt[got.n], p, len);
	got.len[got.n++] = len;
}

static uint8_t payload[65536];
static uint8_t super[65536], seg[65536];

/* A one's complement sum over a buffer, word by word, as RFC 1071 says. */
static uint16_t
ref_csum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | (i + 1 < len ? p[i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * An IPv4/TCP packet from 192.0.2.1:10000 to 198.51.100.10:5201 with
 * ipopt and tcpopt option bytes (NOPs), n bytes of payload, and correct
 * checksums; returns its length.
 */
static size_t
mk_tcp(uint8_t *p, size_t ipopt, size_t tcpopt, const uint8_t *data, size_t n,
       uint32_t seq, uint16_t id, uint8_t flags)
{
	size_t ihl = 20 + ipopt, thl = 20 + tcpopt, len = ihl + thl + n;
	uint8_t *t = p + ihl, ph[12] = { 192, 0, 2, 1, 198, 51, 100, 10, 0, IPPROTO_TCP };
	uint32_t sum = 0;

	memset(p, 1, ihl + thl);	/* NOP options */
	p[0] = (uint8_t)(0x40 | ihl / 4);
	p[1] = 0;
	put16(p + 2, (uint16_t)len);
	put16(p + 4, id);
	put16(p + 6, 0x4000);	/* DF */
	p[8] = 64;
	p[9] = IPPROTO_TCP;
	memset(p + 10, 0, 2);
	memcpy(p + 12, ph, 8);
	put16(p + 10, ref_csum(p, ihl, 0));
	put16(t, 10000);
	put16(t + 2, 5201);
	put32(t + 4, seq);
	put32(t + 8, 0x01020304);
	t[12] = (uint8_t)(thl / 4 << 4);
	t[13] = flags;
	put16(t + 14, 502);
	memset(t + 16, 0, 4);
	memcpy(t + thl, data, n);
	put16(ph + 10, (uint16_t)(thl + n));
	for (size_t i = 0; i < 12; i += 2)
		sum += (uint32_t)(ph[i] << 8 | ph[i + 1]);
	put16(t + 16, ref_csum(t, thl + n, sum));
	return len;
}

static struct virtio_net_hdr
tso(uint16_t mss, uint16_t csum_start, bool ecn)
{
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = (uint8_t)(VIRTIO_NET_HDR_GSO_TCPV4 | (ecn ? VIRTIO_NET_HDR_GSO_ECN : 0)),
		.hdr_len = htole16(csum_start + 20),
		.gso_size = htole16(mss),
		.csum_start = htole16(csum_start),
		.csum_offset = htole16(16),
	};
	return vh;
}

static void
setup(void)
{
	memset(&got, 0, sizeof(got));
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + (i >> 8) * 13);
}

/* Cut n payload bytes at mss with the given options; compare with the references. */
static void
check_cut(size_t ipopt, size_t tcpopt, size_t n, uint16_t mss, uint8_t flags, bool ecn)
{
	uint32_t seq0 = 0xfffff000;	/* wraps within the packet */
	size_t len = mk_tcp(super, ipopt, tcpopt, payload, n, seq0, 0xfffe, flags);
	struct virtio_net_hdr vh = tso(mss, (uint16_t)(20 + ipopt), ecn);
	unsigned want = n ? (unsigned)((n + mss - 1) / mss) : 1;
	uint8_t ref[2048];

	/* the kernel leaves the pseudo header's sum in the field: not ours to trust */
	put16(super + 20 + ipopt + 16, 0x1234);
	ck_assert_int_eq(gso_split(&vh, super, len, seg, sizeof(seg), collect, NULL), (int)want);
	ck_assert_uint_eq(got.n, want);
	for (unsigned i = 0; i < want; i++) {
		size_t off = (size_t)i * mss, k = n - off < mss ? n - off : mss;
		uint8_t f = flags;
		size_t rlen;

		if (i + 1 < want)
			f &= (uint8_t)~(FIN | PSH);
		if (i > 0)
			f &= (uint8_t)~CWR;
		rlen = mk_tcp(ref, ipopt, tcpopt, payload + off, k, seq0 + (uint32_t)off,
			      (uint16_t)(0xfffe + i), f);
		ck_assert_uint_eq(got.len[i], rlen);
		ck_assert_msg(memcmp(got.pkt[i], ref, rlen) == 0, "segment %u differs", i);
	}
}

START_TEST(cut_flags_ids_seq)
{
	check_cut(0, 0, 3 * 1000 + 100, 1000, ACK | PSH | FIN | CWR, true);
}
END_TEST

START_TEST(cut_exact_multiple)
{
	check_cut(0, 0, 2 * 1400, 1400, ACK | PSH, false);
}
END_TEST

START_TEST(cut_options_copied)
{
	check_cut(4, 12, 5 * 1388 + 1, 1388, ACK, false);
}
END_TEST

START_TEST(cut_one_segment)
{
	check_cut(0, 0, 700, 1400, ACK | PSH | FIN | CWR, true);
}
END_TEST

START_TEST(cut_no_payload)
{
	check_cut(0, 0, 0, 1400, ACK | FIN, false);
}
END_TEST

START_TEST(cut_odd_sizes)
{
	/* odd segment sizes: each segment's sum starts afresh */
	check_cut(0, 0, 4 * 537 + 3, 537, ACK | PSH, false);
}
END_TEST

/* A UDP datagram from 192.0.2.1:10000 to 198.51.100.10:443, n bytes of data. */
static size_t
mk_udp(uint8_t *p, const uint8_t *data, size_t n, uint16_t id)
{
	uint8_t ph[12] = { 192, 0, 2, 1, 198, 51, 100, 10, 0, IPPROTO_UDP };
	uint32_t sum = 0;
	uint16_t c;

	memset(p, 0, 28);
	p[0] = 0x45;
	put16(p + 2, (uint16_t)(28 + n));
	put16(p + 4, id);
	p[8] = 64;
	p[9] = IPPROTO_UDP;
	memcpy(p + 12, ph, 8);
	put16(p + 10, ref_csum(p, 20, 0));
	put16(p + 20, 10000);
	put16(p + 22, 443);
	put16(p + 24, (uint16_t)(8 + n));
	memcpy(p + 28, data, n);
	put16(ph + 10, (uint16_t)(8 + n));
	for (size_t i = 0; i < 12; i += 2)
		sum += (uint32_t)(ph[i] << 8 | ph[i + 1]);
	c = ref_csum(p + 20, 8 + n, sum);
	put16(p + 26, c ? c : 0xffff);
	return 28 + n;
}

/* USO: datagrams of gso_size bytes, the last one shorter. */
START_TEST(cut_udp)
{
	size_t len = mk_udp(super, payload, 3 * 1200 + 17, 0x0100);
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = GSO_UDP_L4,
		.hdr_len = htole16(28), .gso_size = htole16(1200),
		.csum_start = htole16(20), .csum_offset = htole16(6),
	};
	uint8_t ref[2048];

	put16(super + 26, 0x4321);	/* the pseudo header's sum: not trusted */
	ck_assert_int_eq(gso_split(&vh, super, len, seg, sizeof(seg), collect, NULL), 4);
	for (unsigned i = 0; i < 4; i++) {
		size_t n = i < 3 ? 1200 : 17, rlen = mk_udp(ref, payload + i * 1200, n, (uint16_t)(0x0100 + i));

		ck_assert_uint_eq(got.len[i], rlen);
		ck_assert_msg(memcmp(got.pkt[i], ref, rlen) == 0, "datagram %u differs", i);
	}
}
END_TEST

/* NEEDS_CSUM without GSO: the pseudo header's sum in the field, completed in place. */
START_TEST(csum_tcp_completed)
{
	uint8_t ref[2048];
	size_t len = mk_tcp(ref, 0, 0, payload, 999, 42, 7, ACK | PSH);
	uint8_t pseudo[12] = { 192, 0, 2, 1, 198, 51, 100, 10, 0, IPPROTO_TCP, 0, 0 };
	struct virtio_net_hdr vh = tso(0, 20, false);

	vh.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	memcpy(super, ref, len);
	put16(pseudo + 10, (uint16_t)(len - 20));
	put16(super + 36, (uint16_t)~ref_csum(pseudo, 12, 0));
	ck_assert_int_eq(gso_split(&vh, super, len, seg, sizeof(seg), collect, NULL), 1);
	ck_assert_uint_eq(got.len[0], len);
	ck_assert(memcmp(got.pkt[0], ref, len) == 0);
}
END_TEST

/* UDP whose sum comes out 0: sent as 0xffff (0 is "no checksum"). */
START_TEST(csum_udp_zero)
{
	uint8_t *u = super + 20;
	uint32_t sum = 0;
	uint16_t partial;
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.csum_start = htole16(20), .csum_offset = htole16(6),
	};
	size_t len = 20 + 8 + 10;

	memset(super, 0, len);
	super[0] = 0x45;
	put16(super + 2, (uint16_t)len);
	super[8] = 64;
	super[9] = IPPROTO_UDP;
	put32(super + 12, 0xc0000201);
	put32(super + 16, 0xc633640a);
	put16(u, 10000);
	put16(u + 2, 53);
	put16(u + 4, 18);
	/* the pseudo header's sum, folded, as the kernel leaves it */
	sum = 0xc000 + 0x0201 + 0xc633 + 0x640a + IPPROTO_UDP + 18;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	partial = (uint16_t)sum;
	put16(u + 6, partial);
	/* the last payload word makes the whole sum 0xffff: checksum 0 */
	put16(u + 16, 0);
	put16(u + 16, ref_csum(u, 18, 0));
	ck_assert_uint_eq(ref_csum(u, 18, 0), 0);
	ck_assert_int_eq(gso_split(&vh, super, len, seg, sizeof(seg), collect, NULL), 1);
	ck_assert_uint_eq(get16(got.pkt[0] + 26), 0xffff);
}
END_TEST

START_TEST(plain_as_is)
{
	struct virtio_net_hdr vh = { 0 };
	size_t len = mk_tcp(super, 0, 0, payload, 100, 1, 1, ACK);
	uint8_t copy[2048];

	memcpy(copy, super, len);
	/* even a wrong checksum stays: nothing asked for */
	super[36] ^= 0xff;
	copy[36] ^= 0xff;
	ck_assert_int_eq(gso_split(&vh, super, len, seg, sizeof(seg), collect, NULL), 1);
	ck_assert_uint_eq(got.len[0], len);
	ck_assert(memcmp(got.pkt[0], copy, len) == 0);
}
END_TEST

START_TEST(refused)
{
	size_t len = mk_tcp(super, 0, 0, payload, 3000, 1, 1, ACK);
	struct virtio_net_hdr vh = tso(1000, 20, false);

	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	ck_assert_int_eq(gso_split(&vh, super, len, seg, sizeof(seg), collect, NULL), -1);
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	ck_assert_int_eq(gso_split(&vh, super, len, seg, sizeof(seg), collect, NULL), -1);
	vh = tso(0, 20, false);	/* no segment size */
	ck_assert_int_eq(gso_split(&vh, super, len, seg, sizeof(seg), collect, NULL), -1);
	vh = tso(1000, 20, false);
	ck_assert_int_eq(gso_split(&vh, super, len, seg, 1039, collect, NULL), -1);	/* seg too small */
	ck_assert_int_eq(gso_split(&vh, super, len - 1, seg, sizeof(seg), collect, NULL), -1);
	super[7] = 8;	/* a fragment */
	ck_assert_int_eq(gso_split(&vh, super, len, seg, sizeof(seg), collect, NULL), -1);
	super[7] = 0;
	super[9] = IPPROTO_UDP;
	ck_assert_int_eq(gso_split(&vh, super, len, seg, sizeof(seg), collect, NULL), -1);
	super[9] = IPPROTO_TCP;
	super[32] = 0x10;	/* TCP header of 4 bytes */
	ck_assert_int_eq(gso_split(&vh, super, len, seg, sizeof(seg), collect, NULL), -1);
	vh.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	vh.csum_start = htole16((uint16_t)len);	/* past the end */
	ck_assert_int_eq(gso_split(&vh, super, len, seg, sizeof(seg), collect, NULL), -1);
	vh.csum_start = htole16(20);
	vh.csum_offset = htole16((uint16_t)(len - 21));
	ck_assert_int_eq(gso_split(&vh, super, len, seg, sizeof(seg), collect, NULL), -1);
	ck_assert_uint_eq(got.n, 0);
	/* and with seg just big enough it goes */
	super[32] = 0x50;
	vh = tso(1000, 20, false);
	ck_assert_int_eq(gso_split(&vh, super, len, seg, 1040, collect, NULL), 3);
}
END_TEST

static Suite *
gso_suite(void)
{
	Suite *s = suite_create("gso");
	TCase *tc = tcase_create("gso");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, cut_flags_ids_seq);
	tcase_add_test(tc, cut_exact_multiple);
	tcase_add_test(tc, cut_options_copied);
	tcase_add_test(tc, cut_one_segment);
	tcase_add_test(tc, cut_no_payload);
	tcase_add_test(tc, cut_odd_sizes);
	tcase_add_test(tc, cut_udp);
	tcase_add_test(tc, csum_tcp_completed);
	tcase_add_test(tc, csum_udp_zero);
	tcase_add_test(tc, plain_as_is);
	tcase_add_test(tc, refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(gso_suite());
}
