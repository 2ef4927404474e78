/* SPDX-License-Identifier: MIT */
/*
 * The TUN's offloads undone (smap/gso.c): super-packets cut into the
 * segments a host would have sent one by one, built here independently
 * (headers, flags, sequence numbers, IP ids, both checksums), checksums
 * completed, and what is refused. And the other way (smap/gro.c):
 * segments coalesced into a super-packet that cuts back into exactly
 * the segments that came, and what is not coalesced.
 */
#include <arpa/inet.h>
#include <check.h>
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "pkt.h"
#include "smap/gro.h"
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

/* GRO: the segments of a stream as a host sends them, n payload bytes at mss. */
static unsigned
stream(uint8_t pkts[][2048], size_t *lens, size_t tcpopt, size_t n, size_t mss, uint8_t flags)
{
	unsigned k = 0;

	for (size_t off = 0; off < n; off += mss, k++) {
		size_t m = n - off < mss ? n - off : mss;
		uint8_t f = flags;

		if (off + m < n)
			f &= (uint8_t)~(FIN | PSH);
		if (off)
			f &= (uint8_t)~CWR;
		lens[k] = mk_tcp(pkts[k], 0, tcpopt, payload + off, m, 0xfffff000 + (uint32_t)off,
				 (uint16_t)(0xfffe + k), f);
	}
	return k;
}

static uint8_t in[MAXSEG][2048];
static size_t inlen[MAXSEG];
static uint8_t held[65536];

/* All k segments held, written as one, cut back by gso_split: the same bytes. */
static void
check_roundtrip(size_t tcpopt, size_t n, size_t mss, uint8_t flags)
{
	unsigned k = stream(in, inlen, tcpopt, n, mss, flags);
	struct gro g;
	struct virtio_net_hdr vh;
	size_t len;

	gro_init(&g, held, sizeof(held), 1500);
	for (unsigned i = 0; i < k; i++)
		ck_assert_msg(gro_add(&g, in[i], inlen[i]), "segment %u refused", i);
	len = gro_finish(&g, &vh);
	ck_assert_uint_eq(len, 20 + 20 + tcpopt + n);
	ck_assert_uint_eq(vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4 | (flags & CWR ? VIRTIO_NET_HDR_GSO_ECN : 0));
	ck_assert_uint_eq(le16toh(vh.gso_size), mss);
	ck_assert_uint_eq(g.len, 0);
	ck_assert_int_eq(gso_split(&vh, held, len, seg, sizeof(seg), collect, NULL), (int)k);
	for (unsigned i = 0; i < k; i++) {
		ck_assert_uint_eq(got.len[i], inlen[i]);
		ck_assert_msg(memcmp(got.pkt[i], in[i], inlen[i]) == 0, "segment %u differs", i);
	}
}

START_TEST(gro_roundtrip)
{
	check_roundtrip(12, 5 * 1388 + 100, 1388, ACK | PSH | CWR);
	memset(&got, 0, sizeof(got));
	check_roundtrip(0, 4 * 1400, 1400, ACK);
	memset(&got, 0, sizeof(got));
	check_roundtrip(0, 3 * 1000 + 1, 1000, ACK | PSH | FIN);
}
END_TEST

/* One segment: written as it came, nothing asked of the kernel. */
START_TEST(gro_one_as_is)
{
	struct gro g;
	struct virtio_net_hdr vh, none = { 0 };
	size_t len = mk_tcp(in[0], 0, 0, payload, 1000, 5, 6, ACK | PSH);

	gro_init(&g, held, sizeof(held), 1500);
	ck_assert(gro_add(&g, in[0], len));
	ck_assert_uint_eq(gro_finish(&g, &vh), len);
	ck_assert(memcmp(held, in[0], len) == 0);
	ck_assert(memcmp(&vh, &none, sizeof(vh)) == 0);
}
END_TEST

/* Not taken at all: the caller writes these alone. */
START_TEST(gro_not_taken)
{
	struct gro g;
	size_t len = mk_tcp(in[0], 0, 0, payload, 1000, 5, 6, ACK);

	gro_init(&g, held, sizeof(held), 1500);
	in[0][100] ^= 1;	/* TCP checksum wrong */
	ck_assert(!gro_add(&g, in[0], len));
	ck_assert(!gro_add(&g, in[0], mk_tcp(in[0], 0, 0, payload, 0, 5, 6, ACK)));	/* no payload */
	ck_assert(!gro_add(&g, in[0], mk_tcp(in[0], 0, 0, payload, 10, 5, 6, ACK | 0x02)));	/* SYN */
	ck_assert(!gro_add(&g, in[0], mk_tcp(in[0], 0, 0, payload, 10, 5, 6, ACK | 0x20)));	/* URG */
	ck_assert(!gro_add(&g, in[0], mk_tcp(in[0], 0, 0, payload, 10, 5, 6, 0)));	/* no ACK */
	ck_assert(!gro_add(&g, in[0], mk_tcp(in[0], 4, 0, payload, 10, 5, 6, ACK)));	/* IP options */
	len = mk_tcp(in[0], 0, 0, payload, 10, 5, 6, ACK);
	put16(in[0] + 6, 0x2000);	/* a fragment */
	ck_assert(!gro_add(&g, in[0], len));
	ck_assert(!gro_add(&g, in[0], mk_tcp(in[0], 0, 0, payload, 1461, 5, 6, ACK)));	/* over the MTU */
	ck_assert(!gro_add(&g, in[0], mk_udp(in[0], payload, 100, 6)));
	ck_assert_uint_eq(g.len, 0);
}
END_TEST

/* A segment that does not continue what is held: refused, the held one kept. */
static void
check_breaks(void (*change)(uint8_t *p), unsigned at)
{
	struct gro g;
	struct virtio_net_hdr vh;
	unsigned k = stream(in, inlen, 0, 3 * 1000, 1000, ACK);

	ck_assert_uint_eq(k, 3);
	gro_init(&g, held, sizeof(held), 1500);
	if (change) {
		change(in[at]);
		/* keep its checksums right: only coalescing refuses it */
		memset(in[at] + 10, 0, 2);
		put16(in[at] + 10, ref_csum(in[at], 20, 0));
		{
			uint8_t ph[12] = { 192, 0, 2, 1, 198, 51, 100, 10, 0, IPPROTO_TCP };
			uint32_t sum = 0;

			put16(ph + 10, (uint16_t)(inlen[at] - 20));
			for (size_t i = 0; i < 12; i += 2)
				sum += (uint32_t)(ph[i] << 8 | ph[i + 1]);
			memset(in[at] + 36, 0, 2);
			put16(in[at] + 36, ref_csum(in[at] + 20, inlen[at] - 20, sum));
		}
	}
	for (unsigned i = 0; i < at; i++)
		ck_assert(gro_add(&g, in[i], inlen[i]));
	ck_assert_msg(!gro_add(&g, in[at], inlen[at]), "segment %u taken", at);
	ck_assert_uint_eq(g.segs, at);
	gro_finish(&g, &vh);
	ck_assert(gro_add(&g, in[at], inlen[at]));	/* it starts the next one */
}

static void id_skips(uint8_t *p) { put16(p + 4, (uint16_t)(get16(p + 4) + 1)); }
static void seq_gap(uint8_t *p) { put32(p + 24, get32(p + 24) + 1); }
static void other_ack(uint8_t *p) { p[31] ^= 1; }
static void other_window(uint8_t *p) { p[35] ^= 1; }
static void other_ttl(uint8_t *p) { p[8]--; }
static void ecn_ce(uint8_t *p) { p[1] |= 3; }
static void cwr_later(uint8_t *p) { p[33] |= CWR; }
static void other_port(uint8_t *p) { p[21] ^= 1; }

START_TEST(gro_breaks)
{
	void (*changes[])(uint8_t *) = {
		id_skips, seq_gap, other_ack, other_window, other_ttl, ecn_ce, cwr_later, other_port,
	};

	for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++)
		check_breaks(changes[i], 1 + (unsigned)(i & 1));
}
END_TEST

/* After a short segment or one with PSH nothing more; nothing over 64 KB. */
START_TEST(gro_closed)
{
	struct gro g;
	struct virtio_net_hdr vh;
	size_t a = mk_tcp(in[0], 0, 0, payload, 1000, 0, 1, ACK);
	size_t b = mk_tcp(in[1], 0, 0, payload, 500, 1000, 2, ACK);
	size_t c = mk_tcp(in[2], 0, 0, payload, 500, 1500, 3, ACK);
	size_t d = mk_tcp(in[3], 0, 0, payload, 1000, 1000, 2, ACK | PSH);
	size_t e = mk_tcp(in[4], 0, 0, payload, 1000, 2000, 3, ACK);

	gro_init(&g, held, sizeof(held), 1500);
	ck_assert(gro_add(&g, in[0], a) && gro_add(&g, in[1], b));
	ck_assert(!gro_add(&g, in[2], c));	/* after a short one */
	gro_finish(&g, &vh);
	ck_assert(gro_add(&g, in[0], a) && gro_add(&g, in[3], d));
	ck_assert(!gro_add(&g, in[4], e));	/* after PSH */
	ck_assert_uint_eq(gro_finish(&g, &vh), 40 + 2000);
	ck_assert_uint_eq(held[33], ACK | PSH);

	gro_init(&g, held, 3000, 1500);	/* room for two segments only */
	ck_assert(gro_add(&g, in[0], a) && gro_add(&g, in[3], d) == true);
	gro_finish(&g, &vh);
	a = mk_tcp(in[0], 0, 0, payload, 1400, 0, 1, ACK);
	b = mk_tcp(in[1], 0, 0, payload, 1400, 1400, 2, ACK);
	c = mk_tcp(in[2], 0, 0, payload, 1400, 2800, 3, ACK);
	ck_assert(gro_add(&g, in[0], a) && gro_add(&g, in[1], b));
	ck_assert(!gro_add(&g, in[2], c));
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
	tc = tcase_create("gro");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, gro_roundtrip);
	tcase_add_test(tc, gro_one_as_is);
	tcase_add_test(tc, gro_not_taken);
	tcase_add_test(tc, gro_breaks);
	tcase_add_test(tc, gro_closed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(gso_suite());
}
