/* SPDX-License-Identifier: MIT */
/* Binding table: build checks, lookups, reverse index, memory budget. */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prr/binding.h"
#include "tests/unit/check_main.h"

#define IP4(a, b, c, d)	((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static struct in6_addr
v6(const char *s)
{
	struct in6_addr a;

	ck_assert_int_eq(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

/* A distinct SMAP address per n: 2001:db8:NNNN:NNNN::2 */
static struct in6_addr
v6n(uint32_t n)
{
	/* no ck_assert here: it costs a syscall, and this runs 10^6 times */
	struct in6_addr a = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8,
	    [15] = 2 } };

	a.s6_addr[4] = n >> 24;
	a.s6_addr[5] = n >> 16;
	a.s6_addr[6] = n >> 8;
	a.s6_addr[7] = n;
	return a;
}

static struct binding
mk(const char *ipv6, uint32_t ipv4, struct portset ps)
{
	struct binding b;

	memset(&b, 0, sizeof(b));
	b.ipv6 = v6(ipv6);
	b.ipv4 = ipv4;
	b.ps = ps;
	return b;
}

static void
add_ok(struct btable *t, struct binding b)
{
	char err[256];

	ck_assert_msg(btable_add(t, &b, err, sizeof(err)) == 0, "%s", err);
}

static void
build_ok(struct btable *t)
{
	char err[512];

	ck_assert_msg(btable_build(t, err, sizeof(err)) == 0, "%s", err);
}

/* The table must refuse to build, with a message holding want1, want2. */
static void
build_fails(struct btable *t, const char *want1, const char *want2)
{
	char err[512];

	ck_assert_int_eq(btable_build(t, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, want1) != NULL, "`%s' lacks `%s'", err,
	    want1);
	ck_assert_msg(strstr(err, want2) != NULL, "`%s' lacks `%s'", err,
	    want2);
	/* a table that failed to build answers nothing */
	ck_assert_ptr_null(btable_lookup(t, IP4(192, 0, 2, 1), 10000));
}

START_TEST(test_format)
{
	struct binding b = mk("2001:db8:1::2", IP4(192, 0, 2, 1),
	    portset_range(10000, 10999));
	char buf[128];

	ck_assert_int_eq(binding_format(&b, buf, sizeof(buf)),
	    (int)strlen("2001:db8:1::2 192.0.2.1 10000-10999"));
	ck_assert_str_eq(buf, "2001:db8:1::2 192.0.2.1 10000-10999");
	b.ps = portset_psid(6, 8, 0x34);
	binding_format(&b, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2001:db8:1::2 192.0.2.1 psid 52/8 offset 6");
}
END_TEST

START_TEST(test_empty)
{
	struct btable *t = btable_new(0);
	struct in6_addr a = v6("2001:db8:1::2");

	ck_assert_ptr_nonnull(t);
	build_ok(t);
	ck_assert_uint_eq(btable_count(t), 0);
	ck_assert_ptr_null(btable_lookup(t, IP4(192, 0, 2, 1), 1));
	ck_assert(!btable_has_ipv4(t, IP4(192, 0, 2, 1)));
	ck_assert(!btable_has_ipv4(t, 0));
	ck_assert_int_eq(btable_first6(t, &a), -1);
	ck_assert_int_eq(btable_next6(t, 0), -1);
	ck_assert_ptr_null(btable_at(t, 0));
	ck_assert_uint_gt(btable_memory(t), 0);
	btable_free(t);
	btable_free(NULL);
}
END_TEST

START_TEST(test_add_invalid)
{
	struct btable *t = btable_new(4);
	struct binding b = mk("2001:db8:1::2", IP4(192, 0, 2, 1),
	    portset_range(2000, 1000));
	char err[256];

	ck_assert_int_eq(btable_add(t, &b, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "2001:db8:1::2 192.0.2.1"));
	ck_assert_ptr_nonnull(strstr(err, "2000"));
	b.ps = portset_psid(6, 8, 300);
	ck_assert_int_eq(btable_add(t, &b, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "300"));
	b.ps = portset_psid(10, 8, 1);
	ck_assert_int_eq(btable_add(t, &b, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "18"));
	ck_assert_uint_eq(btable_count(t), 0);
	/* adding to a built table is refused */
	build_ok(t);
	b.ps = portset_range(1, 2);
	ck_assert_int_eq(btable_add(t, &b, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "built"));
	/* building again is harmless */
	build_ok(t);
	btable_free(t);
}
END_TEST

/* The testbed plan: two SMAPs share 192.0.2.1. */
START_TEST(test_ranges)
{
	struct btable *t = btable_new(0);
	uint32_t ip = IP4(192, 0, 2, 1);
	const struct binding *b;

	/* added out of order on purpose */
	add_ok(t, mk("2001:db8:2::2", ip, portset_range(11000, 11999)));
	add_ok(t, mk("2001:db8:1::2", ip, portset_range(10000, 10999)));
	add_ok(t, mk("2001:db8:3::2", ip, portset_range(0, 0)));
	add_ok(t, mk("2001:db8:4::2", ip, portset_range(65535, 65535)));
	build_ok(t);
	ck_assert_uint_eq(btable_count(t), 4);
	ck_assert_ptr_null(btable_lookup(t, ip, 9999));
	ck_assert_ptr_nonnull(b = btable_lookup(t, ip, 10000));
	ck_assert_uint_eq(b->ps.min, 10000);
	ck_assert_ptr_eq(btable_lookup(t, ip, 10999), b);
	ck_assert_ptr_nonnull(b = btable_lookup(t, ip, 11000));
	ck_assert_uint_eq(b->ps.min, 11000);
	ck_assert_ptr_eq(btable_lookup(t, ip, 11999), b);
	ck_assert_ptr_null(btable_lookup(t, ip, 12000));
	ck_assert_ptr_nonnull(b = btable_lookup(t, ip, 0));
	ck_assert_uint_eq(b->ps.max, 0);
	ck_assert_ptr_null(btable_lookup(t, ip, 1));
	ck_assert_ptr_nonnull(b = btable_lookup(t, ip, 65535));
	ck_assert_uint_eq(b->ps.min, 65535);
	ck_assert_ptr_null(btable_lookup(t, ip, 65534));
	ck_assert_ptr_null(btable_lookup(t, ip + 1, 10000));
	ck_assert_ptr_null(btable_lookup(t, ip - 1, 10000));
	ck_assert(btable_has_ipv4(t, ip));
	ck_assert(!btable_has_ipv4(t, ip + 1));
	/* btable_at follows port order after build */
	ck_assert_uint_eq(btable_at(t, 0)->ps.min, 0);
	ck_assert_uint_eq(btable_at(t, 1)->ps.min, 10000);
	ck_assert_uint_eq(btable_at(t, 3)->ps.min, 65535);
	ck_assert_ptr_null(btable_at(t, 4));
	btable_free(t);
}
END_TEST

/* A single binding per address: the search is skipped, check the bounds. */
START_TEST(test_single)
{
	struct btable *t = btable_new(1);
	uint32_t ip = IP4(198, 51, 100, 7);

	add_ok(t, mk("2001:db8:1::2", ip, portset_range(1024, 2047)));
	add_ok(t, mk("2001:db8:1::2", ip + 1, portset_psid(6, 8, 0x34)));
	add_ok(t, mk("2001:db8:1::2", ip + 2, portset_psid(0, 6, 5)));
	build_ok(t);
	ck_assert_ptr_null(btable_lookup(t, ip, 1023));
	ck_assert_ptr_nonnull(btable_lookup(t, ip, 1024));
	ck_assert_ptr_nonnull(btable_lookup(t, ip, 2047));
	ck_assert_ptr_null(btable_lookup(t, ip, 2048));
	ck_assert_ptr_nonnull(btable_lookup(t, ip + 1, 1232));
	ck_assert_ptr_null(btable_lookup(t, ip + 1, 1236));
	ck_assert_ptr_null(btable_lookup(t, ip + 1, 208));
	ck_assert_ptr_null(btable_lookup(t, ip + 2, 5119));
	ck_assert_ptr_nonnull(btable_lookup(t, ip + 2, 5120));
	ck_assert_ptr_nonnull(btable_lookup(t, ip + 2, 6143));
	ck_assert_ptr_null(btable_lookup(t, ip + 2, 6144));
	btable_free(t);
}
END_TEST

/* RFC 7597 Appendix A, example 1: a = 6, k = 8; all 256 PSIDs bound. */
START_TEST(test_psid_sets)
{
	struct btable *t = btable_new(0);
	uint32_t ip = IP4(192, 0, 2, 18), port;
	const struct binding *b;
	struct binding nb;
	unsigned psid;

	for (psid = 256; psid-- > 0;) {
		nb = mk("2001:db8::1", ip, portset_psid(6, 8, psid));
		nb.ipv6 = v6n(psid);
		add_ok(t, nb);
	}
	build_ok(t);
	ck_assert_ptr_nonnull(b = btable_lookup(t, ip, 1232));
	ck_assert_uint_eq(b->ps.psid, 0x34);
	ck_assert_ptr_eq(btable_lookup(t, ip, 1235), b);
	ck_assert_ptr_eq(btable_lookup(t, ip, 63696), b);
	ck_assert_ptr_eq(btable_lookup(t, ip, 64723), b);
	ck_assert_uint_eq(btable_lookup(t, ip, 1236)->ps.psid, 0x35);
	ck_assert_uint_eq(btable_lookup(t, ip, 65535)->ps.psid, 255);
	ck_assert_uint_eq(btable_lookup(t, ip, 1024)->ps.psid, 0);
	/* block 0 (ports 0-1023) belongs to nobody, RFC 7597 5.1 */
	for (port = 0; port < 1024; port++)
		if (btable_lookup(t, ip, (uint16_t)port) != NULL)
			ck_abort_msg("port %u found", port);
	for (port = 1024; port < 65536; port++) {
		b = btable_lookup(t, ip, (uint16_t)port);
		if (b == NULL || !portset_contains(&b->ps, (uint16_t)port))
			ck_abort_msg("port %u", port);
	}
	btable_free(t);
}
END_TEST

/* A partly bound PSID domain; a + k = 16 (one port per block). */
START_TEST(test_psid_sparse)
{
	struct btable *t = btable_new(0);
	uint32_t ip = IP4(192, 0, 2, 9), port;
	const struct binding *b;

	add_ok(t, mk("2001:db8:1::2", ip, portset_psid(4, 12, 0xabc)));
	add_ok(t, mk("2001:db8:2::2", ip, portset_psid(4, 12, 0x001)));
	add_ok(t, mk("2001:db8:3::2", ip, portset_psid(4, 12, 0xfff)));
	build_ok(t);
	for (port = 0; port < 65536; port++) {
		b = btable_lookup(t, ip, (uint16_t)port);
		bool want = port >= 0x1000 && ((port & 0xfff) == 0xabc ||
		    (port & 0xfff) == 1 || (port & 0xfff) == 0xfff);

		if ((b != NULL) != want ||
		    (b && !portset_contains(&b->ps, (uint16_t)port)))
			ck_abort_msg("port %u", port);
	}
	btable_free(t);
}
END_TEST

/* Offset-0 PSID sets are ranges inside, and may share with ranges. */
START_TEST(test_psid0_with_ranges)
{
	struct btable *t = btable_new(0);
	uint32_t ip = IP4(192, 0, 2, 2);
	const struct binding *b;

	add_ok(t, mk("2001:db8:1::2", ip, portset_psid(0, 6, 5)));
	add_ok(t, mk("2001:db8:2::2", ip, portset_range(6144, 7000)));
	add_ok(t, mk("2001:db8:3::2", ip, portset_range(1024, 5119)));
	build_ok(t);
	ck_assert_ptr_nonnull(b = btable_lookup(t, ip, 5120));
	ck_assert_uint_eq(b->ps.kind, PORTSET_PSID);
	ck_assert_ptr_eq(btable_lookup(t, ip, 6143), b);
	ck_assert_uint_eq(btable_lookup(t, ip, 6144)->ps.kind, PORTSET_RANGE);
	ck_assert_uint_eq(btable_lookup(t, ip, 5119)->ps.min, 1024);
	ck_assert_ptr_null(btable_lookup(t, ip, 7001));
	ck_assert_ptr_null(btable_lookup(t, ip, 1023));
	btable_free(t);
}
END_TEST

START_TEST(test_overlap_ranges)
{
	struct btable *t = btable_new(0);
	uint32_t ip = IP4(192, 0, 2, 1);

	add_ok(t, mk("2001:db8:2::2", ip, portset_range(10500, 11499)));
	add_ok(t, mk("2001:db8:9::9", ip + 1, portset_range(10500, 11499)));
	add_ok(t, mk("2001:db8:1::2", ip, portset_range(10000, 10999)));
	build_fails(t, "2001:db8:1::2 192.0.2.1 10000-10999",
	    "2001:db8:2::2 192.0.2.1 10500-11499");
	btable_free(t);
}
END_TEST

/* A range swallowed by an earlier, longer one, with one in between. */
START_TEST(test_overlap_nested)
{
	struct btable *t = btable_new(0);
	uint32_t ip = IP4(192, 0, 2, 1);

	add_ok(t, mk("2001:db8:1::2", ip, portset_range(1000, 5000)));
	add_ok(t, mk("2001:db8:2::2", ip, portset_range(1000, 1000)));
	build_fails(t, "1000-5000", "1000-1000");
	btable_free(t);

	t = btable_new(0);
	add_ok(t, mk("2001:db8:1::2", ip, portset_range(1000, 5000)));
	add_ok(t, mk("2001:db8:2::2", ip, portset_range(5000, 6000)));
	build_fails(t, "1000-5000", "5000-6000");
	btable_free(t);

	/* an offset-0 PSID set is a range: 5120-6143 meets 6000-7000 */
	t = btable_new(0);
	add_ok(t, mk("2001:db8:1::2", ip, portset_psid(0, 6, 5)));
	add_ok(t, mk("2001:db8:2::2", ip, portset_range(6000, 7000)));
	build_fails(t, "psid 5/6 offset 0", "6000-7000");
	btable_free(t);
}
END_TEST

START_TEST(test_overlap_psid)
{
	struct btable *t = btable_new(0);
	uint32_t ip = IP4(192, 0, 2, 1);

	add_ok(t, mk("2001:db8:1::2", ip, portset_psid(6, 8, 0x34)));
	add_ok(t, mk("2001:db8:3::2", ip, portset_psid(6, 8, 0x35)));
	add_ok(t, mk("2001:db8:2::2", ip, portset_psid(6, 8, 0x34)));
	build_fails(t, "2001:db8:1::2 192.0.2.1 psid 52/8 offset 6",
	    "2001:db8:2::2 192.0.2.1 psid 52/8 offset 6");
	btable_free(t);
}
END_TEST

START_TEST(test_mixing)
{
	struct btable *t = btable_new(0);
	uint32_t ip = IP4(192, 0, 2, 1);

	/* disjoint, but one address keeps one keying */
	add_ok(t, mk("2001:db8:1::2", ip, portset_psid(6, 8, 0x34)));
	add_ok(t, mk("2001:db8:2::2", ip, portset_range(0, 1023)));
	build_fails(t, "psid 52/8 offset 6", "0-1023");
	btable_free(t);

	t = btable_new(0);
	add_ok(t, mk("2001:db8:1::2", ip, portset_psid(6, 8, 0x34)));
	add_ok(t, mk("2001:db8:2::2", ip, portset_psid(6, 6, 0x3)));
	build_fails(t, "psid 52/8 offset 6", "psid 3/6 offset 6");
	btable_free(t);

	t = btable_new(0);
	add_ok(t, mk("2001:db8:1::2", ip, portset_psid(6, 8, 0x34)));
	add_ok(t, mk("2001:db8:2::2", ip, portset_psid(4, 8, 0x34)));
	build_fails(t, "offset 6", "offset 4");
	btable_free(t);

	/* the same mix on different addresses is fine */
	t = btable_new(0);
	add_ok(t, mk("2001:db8:1::2", ip, portset_psid(6, 8, 0x34)));
	add_ok(t, mk("2001:db8:2::2", ip + 1, portset_psid(4, 8, 0x34)));
	add_ok(t, mk("2001:db8:2::2", ip + 2, portset_range(0, 1023)));
	build_ok(t);
	ck_assert_ptr_nonnull(btable_lookup(t, ip, 1232));
	ck_assert_ptr_nonnull(btable_lookup(t, ip + 1, 0x1000 | 0x34 << 4));
	ck_assert_ptr_nonnull(btable_lookup(t, ip + 2, 80));
	btable_free(t);
}
END_TEST

START_TEST(test_reverse)
{
	struct btable *t = btable_new(0);
	struct in6_addr a1 = v6("2001:db8:1::2"), none = v6("2001:db8:7::7");
	uint32_t ip = IP4(192, 0, 2, 1);
	unsigned seen = 0, i;
	long idx;

	add_ok(t, mk("2001:db8:1::2", ip + 5, portset_range(2000, 2999)));
	add_ok(t, mk("2001:db8:2::2", ip, portset_range(11000, 11999)));
	add_ok(t, mk("2001:db8:1::2", ip, portset_range(10000, 10999)));
	add_ok(t, mk("2001:db8:1::2", ip + 2, portset_psid(6, 8, 1)));
	for (i = 0; i < 1000; i++) {
		struct binding b = mk("::1", ip + 100 + i,
		    portset_range(1024, 65535));

		b.ipv6 = v6n(i);
		add_ok(t, b);
	}
	build_ok(t);
	for (idx = btable_first6(t, &a1); idx >= 0;
	    idx = btable_next6(t, idx)) {
		const struct binding *b = btable_at(t, (size_t)idx);

		ck_assert(memcmp(&b->ipv6, &a1, sizeof(a1)) == 0);
		seen |= b->ipv4 == ip ? 1 : b->ipv4 == ip + 2 ? 2 :
		    b->ipv4 == ip + 5 ? 4 : 8;
		ck_assert_uint_lt(seen, 8);
	}
	ck_assert_uint_eq(seen, 7);
	ck_assert_int_eq(btable_first6(t, &none), -1);
	ck_assert_int_eq(btable_next6(t, -1), -1);
	ck_assert_int_eq(btable_next6(t, (long)btable_count(t)), -1);
	/* each numbered SMAP has exactly its one binding */
	for (i = 0; i < 1000; i++) {
		struct in6_addr a = v6n(i);

		idx = btable_first6(t, &a);
		ck_assert_int_ge(idx, 0);
		ck_assert_uint_eq(btable_at(t, (size_t)idx)->ipv4, ip + 100 + i);
		ck_assert_int_eq(btable_next6(t, idx), -1);
	}
	btable_free(t);
}
END_TEST

/*
 * Many addresses with 1..300 ranges each, random sizes and gaps, added
 * in random order: every port of every address against a reference.
 */
START_TEST(test_many_random)
{
	enum { NADDR = 300 };
	static int16_t owner[NADDR][65536];	/* index into ref, or -1 */
	static struct binding ref[NADDR * 300];
	struct btable *t = btable_new(0);
	uint32_t base = IP4(100, 64, 0, 0), port, n = 0, i, j;
	const struct binding *b;

	srandom(7596);
	memset(owner, 0xff, sizeof(owner));
	for (i = 0; i < NADDR; i++) {
		uint32_t nb = 1 + random() % 300, lo = random() % 2000, len;
		uint32_t first = n;

		for (j = 0; j < nb && lo < 65536; j++) {
			len = 1 + random() % 400;
			if (lo + len > 65536)
				len = 65536 - lo;
			ref[n] = mk("::", base + i * 7919,
			    portset_range((uint16_t)lo,
			    (uint16_t)(lo + len - 1)));
			ref[n].ipv6 = v6n(n);
			for (port = lo; port < lo + len; port++)
				owner[i][port] = (int16_t)(n - first);
			n++;
			lo += len + random() % 300;
		}
	}
	/* shuffle so that build has to sort */
	for (i = n; i-- > 1;) {
		j = random() % (i + 1);
		struct binding tmp = ref[i];

		ref[i] = ref[j];
		ref[j] = tmp;
	}
	for (i = 0; i < n; i++)
		add_ok(t, ref[i]);
	build_ok(t);
	ck_assert_uint_eq(btable_count(t), n);
	for (i = 0; i < NADDR; i++) {
		uint32_t ip = base + i * 7919;

		for (port = 0; port < 65536; port++) {
			b = btable_lookup(t, ip, (uint16_t)port);
			if ((b != NULL) != (owner[i][port] >= 0) ||
			    (b != NULL && (b->ipv4 != ip ||
			    !portset_contains(&b->ps, (uint16_t)port))))
				ck_abort_msg("%u port %u", i, port);
		}
		if (btable_lookup(t, ip + 1, 2000) != NULL)
			ck_abort_msg("neighbour of %u", i);
	}
	btable_free(t);
}
END_TEST

START_TEST(test_burst)
{
	enum { N = 1000 };
	struct btable *t = btable_new(0);
	uint32_t ips[N], i;
	uint16_t ports[N];
	const struct binding *out[N];
	struct binding b;

	for (i = 0; i < 500; i++) {
		b = mk("::", IP4(10, 0, 0, 0) + i, portset_range(1024, 2023));
		b.ipv6 = v6n(i);
		add_ok(t, b);
		b.ps = portset_range(4000, 4999);
		add_ok(t, b);
	}
	for (i = 0; i < 100; i++) {
		b = mk("::", IP4(10, 1, 0, 0) + i, portset_psid(6, 6, i % 64));
		b.ipv6 = v6n(i);
		add_ok(t, b);
	}
	build_ok(t);
	srandom(1);
	for (i = 0; i < N; i++) {
		ips[i] = (random() % 2 ? IP4(10, 0, 0, 0) : IP4(10, 1, 0, 0)) +
		    random() % 600;
		ports[i] = (uint16_t)random();
	}
	ports[0] = 1024;
	ips[0] = IP4(10, 0, 0, 0);
	btable_lookup_burst(t, N, ips, ports, out);
	ck_assert_ptr_nonnull(out[0]);
	for (i = 0; i < N; i++)
		ck_assert_ptr_eq(out[i], btable_lookup(t, ips[i], ports[i]));
	btable_free(t);
}
END_TEST

/*
 * 1,000,000 bindings in the layouts that stress the budget: one binding
 * per address (the most hash slots), 64 ranges per address, 65536
 * one-port ranges per address, and MAP-E PSID sets. Every binding must be
 * found and the table must hold at most 64 bytes per binding.
 */
enum { BIG = 1000000 };

static struct binding
big_binding(int layout, uint32_t i)
{
	struct binding b;

	memset(&b, 0, sizeof(b));
	b.ipv6 = v6n(i);
	switch (layout) {
	case 0:		/* one per address */
		b.ipv4 = IP4(10, 0, 0, 0) + i;
		b.ps = portset_range(1024, 65535);
		break;
	case 1:		/* 64 ranges of 1000 ports per address */
		b.ipv4 = IP4(10, 0, 0, 0) + i / 64;
		b.ps = portset_range((uint16_t)(1024 + (i % 64) * 1000),
		    (uint16_t)(1024 + (i % 64) * 1000 + 999));
		break;
	case 2:		/* every port its own binding */
		b.ipv4 = IP4(10, 0, 0, 0) + i / 65536;
		b.ps = portset_range((uint16_t)i, (uint16_t)i);
		break;
	default:	/* MAP-E: a = 6, k = 6, 63 PSIDs per address */
		b.ipv4 = IP4(10, 0, 0, 0) + i / 63;
		b.ps = portset_psid(6, 6, 1 + i % 63);
		break;
	}
	return b;
}

START_TEST(test_million)
{
	struct btable *t = btable_new(_i == 1 ? BIG : 0);
	const struct binding *b;
	struct binding want;
	char err[256];
	uint32_t i, bad = 0;
	size_t mem;
	uint16_t port;

	/* layout 2 goes in backwards to exercise the sort */
	for (i = 0; i < BIG; i++) {
		want = big_binding(_i, _i == 2 ? BIG - 1 - i : i);
		if (btable_add(t, &want, err, sizeof(err)) != 0)
			ck_abort_msg("%s", err);
	}
	build_ok(t);
	ck_assert_uint_eq(btable_count(t), BIG);
	mem = btable_memory(t);
	fprintf(stderr, "layout %d: %zu bytes, %.1f per binding\n", _i, mem,
	    (double)mem / BIG);
	ck_assert_msg(mem <= (size_t)64 * BIG, "%zu bytes", mem);
	for (i = 0; i < BIG; i++) {
		want = big_binding(_i, i);
		port = (uint16_t)portset_next(&want.ps,
		    want.ps.kind == PORTSET_RANGE ? want.ps.max : 60000);
		b = btable_lookup(t, want.ipv4, port);
		if (b == NULL || memcmp(&b->ipv6, &want.ipv6, 16) != 0)
			bad++;
	}
	ck_assert_uint_eq(bad, 0);
	ck_assert_ptr_null(btable_lookup(t, IP4(9, 255, 255, 255), 2000));
	btable_free(t);
}
END_TEST

static Suite *
binding_suite(void)
{
	Suite *s = suite_create("binding");
	TCase *tc = tcase_create("core");
	TCase *big = tcase_create("million");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_add_invalid);
	tcase_add_test(tc, test_ranges);
	tcase_add_test(tc, test_single);
	tcase_add_test(tc, test_psid_sets);
	tcase_add_test(tc, test_psid_sparse);
	tcase_add_test(tc, test_psid0_with_ranges);
	tcase_add_test(tc, test_overlap_ranges);
	tcase_add_test(tc, test_overlap_nested);
	tcase_add_test(tc, test_overlap_psid);
	tcase_add_test(tc, test_mixing);
	tcase_add_test(tc, test_reverse);
	tcase_add_test(tc, test_many_random);
	tcase_add_test(tc, test_burst);
	suite_add_tcase(s, tc);
	/* generous: sanitizer builds are several times slower */
	tcase_set_timeout(big, 300);
	tcase_add_loop_test(big, test_million, 0, 4);
	suite_add_tcase(s, big);
	return s;
}

int
main(void)
{
	return check_main(binding_suite());
}
