/* SPDX-License-Identifier: MIT */
/* Port sets: ranges and RFC 7597 5.1 PSID sets. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "portset.h"
#include "tests/unit/check_main.h"

/* Reference membership, straight from the RFC 7597 5.1 definition. */
static bool
ref_contains(const struct portset *ps, unsigned port)
{
	unsigned a = ps->offset, k = ps->psid_len, m = 16 - a - k;

	if (ps->kind == PORTSET_RANGE)
		return port >= ps->min && port <= ps->max;
	if (a > 0 && (port >> (16 - a)) == 0)
		return false;
	return ((port >> m) & ((1u << k) - 1)) == ps->psid;
}

/* RFC 7597 Appendix A, example 1: a = 6, k = 8, PSID 0x34, m = 2. */
START_TEST(test_rfc7597_example)
{
	struct portset ps = portset_psid(6, 8, 0x34);
	static const unsigned in[] = { 1232, 1235, 2256, 2259, 63696, 63699,
	    64720, 64723 };
	static const unsigned out[] = { 0, 208, 211, 1231, 1236, 2255, 2260,
	    64724, 65535 };
	size_t i;

	ck_assert(portset_valid(&ps, NULL, 0));
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		ck_assert_msg(portset_contains(&ps, in[i]), "port %u", in[i]);
	for (i = 0; i < sizeof(out) / sizeof(out[0]); i++)
		ck_assert_msg(!portset_contains(&ps, out[i]), "port %u", out[i]);
	/* 63 blocks (block 0 excluded) of 2^m = 4 ports */
	ck_assert_uint_eq(portset_size(&ps), 63 * 4);
	ck_assert_int_eq(portset_next(&ps, 0), 1232);
	ck_assert_int_eq(portset_next(&ps, 1236), 2256);
	ck_assert_int_eq(portset_next(&ps, 63699), 63699);
	ck_assert_int_eq(portset_next(&ps, 64724), -1);
	ck_assert_uint_eq(psid_of_port(1232, 6, 8), 0x34);
	ck_assert_uint_eq(psid_of_port(64723, 6, 8), 0x34);
}
END_TEST

/* lw4o6 (RFC 7596) style: offset 0, the PSID picks one contiguous block. */
START_TEST(test_psid_offset0)
{
	struct portset ps = portset_psid(0, 6, 5);

	ck_assert(portset_valid(&ps, NULL, 0));
	ck_assert_uint_eq(portset_size(&ps), 1024);
	ck_assert(!portset_contains(&ps, 5119));
	ck_assert(portset_contains(&ps, 5120));
	ck_assert(portset_contains(&ps, 6143));
	ck_assert(!portset_contains(&ps, 6144));
	ck_assert_int_eq(portset_next(&ps, 0), 5120);
	ck_assert_int_eq(portset_next(&ps, 6000), 6000);
	ck_assert_int_eq(portset_next(&ps, 6144), -1);
	/* PSID 0 with offset 0 owns port 0: nothing excludes it */
	ps = portset_psid(0, 6, 0);
	ck_assert(portset_contains(&ps, 0));
	ck_assert_int_eq(portset_next(&ps, 0), 0);
}
END_TEST

START_TEST(test_psid_k0)
{
	struct portset all = portset_psid(0, 0, 0);
	struct portset nolow = portset_psid(6, 0, 0);

	ck_assert(portset_valid(&all, NULL, 0));
	ck_assert_uint_eq(portset_size(&all), 65536);
	ck_assert(portset_contains(&all, 0));
	ck_assert(portset_contains(&all, 65535));
	ck_assert_int_eq(portset_next(&all, 65535), 65535);
	ck_assert_int_eq(portset_next(&all, 65536), -1);
	/* a > 0, k = 0: everything but block 0 */
	ck_assert(portset_valid(&nolow, NULL, 0));
	ck_assert_uint_eq(portset_size(&nolow), 65536 - 1024);
	ck_assert(!portset_contains(&nolow, 1023));
	ck_assert(portset_contains(&nolow, 1024));
	ck_assert(portset_contains(&nolow, 65535));
	ck_assert_int_eq(portset_next(&nolow, 0), 1024);
}
END_TEST

/* a + k = 16: one port per block. */
START_TEST(test_psid_full_width)
{
	struct portset ps = portset_psid(4, 12, 0xabc);
	struct portset one = portset_psid(0, 16, 65535);

	ck_assert(portset_valid(&ps, NULL, 0));
	ck_assert_uint_eq(portset_size(&ps), 15);
	ck_assert(!portset_contains(&ps, 0x0abc));
	ck_assert(portset_contains(&ps, 0x1abc));
	ck_assert(portset_contains(&ps, 0xfabc));
	ck_assert(!portset_contains(&ps, 0xfabd));
	ck_assert_int_eq(portset_next(&ps, 0), 0x1abc);
	ck_assert_int_eq(portset_next(&ps, 0x1abd), 0x2abc);
	ck_assert_int_eq(portset_next(&ps, 0xfabd), -1);
	ck_assert(portset_valid(&one, NULL, 0));
	ck_assert_uint_eq(portset_size(&one), 1);
	ck_assert(portset_contains(&one, 65535));
	ck_assert(!portset_contains(&one, 65534));
	ck_assert_int_eq(portset_next(&one, 0), 65535);
}
END_TEST

START_TEST(test_range)
{
	struct portset r = portset_range(10000, 10999);
	struct portset all = portset_range(0, 65535);
	struct portset one = portset_range(0, 0);

	ck_assert(portset_valid(&r, NULL, 0));
	ck_assert_uint_eq(portset_size(&r), 1000);
	ck_assert(!portset_contains(&r, 9999));
	ck_assert(portset_contains(&r, 10000));
	ck_assert(portset_contains(&r, 10999));
	ck_assert(!portset_contains(&r, 11000));
	ck_assert_int_eq(portset_next(&r, 0), 10000);
	ck_assert_int_eq(portset_next(&r, 10500), 10500);
	ck_assert_int_eq(portset_next(&r, 11000), -1);
	ck_assert_int_eq(portset_next(&r, 70000), -1);
	ck_assert_uint_eq(portset_size(&all), 65536);
	ck_assert(portset_contains(&all, 0) && portset_contains(&all, 65535));
	ck_assert_int_eq(portset_next(&all, 65535), 65535);
	ck_assert_int_eq(portset_next(&all, 65536), -1);
	ck_assert_uint_eq(portset_size(&one), 1);
	ck_assert(portset_contains(&one, 0) && !portset_contains(&one, 1));
}
END_TEST

START_TEST(test_invalid)
{
	struct portset ps;
	char err[128];

	ps = portset_range(2000, 1000);
	ck_assert(!portset_valid(&ps, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "2000"));
	ck_assert_uint_eq(portset_size(&ps), 0);
	ck_assert_int_eq(portset_next(&ps, 0), -1);

	ps = portset_psid(6, 11, 0);
	ck_assert(!portset_valid(&ps, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "17"));

	ps = portset_psid(16, 0, 0);
	ck_assert(!portset_valid(&ps, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "16"));

	ps = portset_psid(0, 17, 0);
	ck_assert(!portset_valid(&ps, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "17"));

	ps = portset_psid(6, 8, 256);
	ck_assert(!portset_valid(&ps, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "256"));

	ps = portset_psid(0, 0, 1);
	ck_assert(!portset_valid(&ps, err, sizeof(err)));

	ps = portset_range(1, 2);
	ps.kind = 7;
	ck_assert(!portset_valid(&ps, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "7"));
	/* a short buffer truncates, it does not overflow */
	ps = portset_psid(6, 8, 256);
	ck_assert(!portset_valid(&ps, err, 4));
	ck_assert_uint_eq(strlen(err), 3);
}
END_TEST

/* Every function against the reference, over many geometries. */
START_TEST(test_exhaustive)
{
	unsigned a, k, psid, port, count;
	struct portset ps;
	int next, want;

	for (a = 0; a <= 15; a++)
		for (k = 0; a + k <= 16; k++) {
			psid = k ? (0x5a5au * (a + 1)) & ((1u << k) - 1) : 0;
			ps = portset_psid(a, k, psid);
			ck_assert(portset_valid(&ps, NULL, 0));
			count = 0;
			want = -1;
			/* plain ifs: a ck_assert per port costs a syscall */
			for (port = 65536; port-- > 0;) {
				bool in = ref_contains(&ps, port);

				if (portset_contains(&ps, port) != in)
					ck_abort_msg("a=%u k=%u: contains(%u)",
					    a, k, port);
				if (in) {
					count++;
					want = (int)port;
				}
				next = portset_next(&ps, port);
				if (next != want)
					ck_abort_msg("a=%u k=%u port %u: next "
					    "%d want %d", a, k, port, next,
					    want);
			}
			ck_assert_uint_eq(portset_size(&ps), count);
		}
}
END_TEST

struct collect {
	unsigned n;
	uint32_t total;
	int last;
	uint16_t lo[64], hi[64];
};

static void
collect_block(void *arg, uint16_t lo, uint16_t hi)
{
	struct collect *c = arg;

	if (c->last >= (int)lo || lo > hi)
		ck_abort_msg("block %u-%u after %d", lo, hi, c->last);
	if (c->n < 64) {
		c->lo[c->n] = lo;
		c->hi[c->n] = hi;
	}
	c->n++;
	c->total += (uint32_t)hi - lo + 1;
	c->last = hi;
}

START_TEST(test_blocks)
{
	struct collect c;
	struct portset ps;

	memset(&c, 0, sizeof(c));
	c.last = -1;
	ps = portset_psid(6, 8, 0x34);
	portset_blocks(&ps, collect_block, &c);
	ck_assert_uint_eq(c.n, 63);
	ck_assert_uint_eq(c.total, portset_size(&ps));
	ck_assert_uint_eq(c.lo[0], 1232);
	ck_assert_uint_eq(c.hi[0], 1235);
	ck_assert_uint_eq(c.lo[62], 64720);
	ck_assert_uint_eq(c.hi[62], 64723);

	memset(&c, 0, sizeof(c));
	c.last = -1;
	ps = portset_range(10000, 10999);
	portset_blocks(&ps, collect_block, &c);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_uint_eq(c.lo[0], 10000);
	ck_assert_uint_eq(c.hi[0], 10999);

	memset(&c, 0, sizeof(c));
	c.last = -1;
	ps = portset_psid(0, 0, 0);
	portset_blocks(&ps, collect_block, &c);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_uint_eq(c.lo[0], 0);
	ck_assert_uint_eq(c.hi[0], 65535);

	memset(&c, 0, sizeof(c));
	c.last = -1;
	ps = portset_psid(15, 1, 1);
	portset_blocks(&ps, collect_block, &c);
	ck_assert_uint_eq(c.n, 32767);
	ck_assert_uint_eq(c.total, 32767);
	ck_assert_int_eq(c.last, 65535);
}
END_TEST

/* Overlap by brute force, to check portset_overlap against. */
static bool
ref_overlap(const struct portset *x, const struct portset *y)
{
	unsigned p;

	for (p = 0; p < 65536; p++)
		if (ref_contains(x, p) && ref_contains(y, p))
			return true;
	return false;
}

START_TEST(test_overlap)
{
	struct portset r1 = portset_range(10000, 10999);
	struct portset r2 = portset_range(10999, 11999);
	struct portset r3 = portset_range(11000, 11999);
	struct portset p1 = portset_psid(6, 8, 0x34);
	struct portset p2 = portset_psid(6, 8, 0x35);
	struct portset lo = portset_range(0, 1023);

	ck_assert(portset_overlap(&r1, &r2));
	ck_assert(portset_overlap(&r2, &r1));
	ck_assert(!portset_overlap(&r1, &r3));
	ck_assert(portset_overlap(&r1, &r1));
	ck_assert(!portset_overlap(&p1, &p2));
	ck_assert(portset_overlap(&p1, &p1));
	/* block 0 is excluded, so the well-known ports never meet a = 6 */
	ck_assert(!portset_overlap(&lo, &p1));
	ck_assert(!portset_overlap(&p1, &lo));
	r1 = portset_range(1232, 1232);
	ck_assert(portset_overlap(&r1, &p1));
	r1 = portset_range(1236, 2255);
	ck_assert(!portset_overlap(&r1, &p1));
	ck_assert(!portset_overlap(&p1, &r1));
}
END_TEST

START_TEST(test_overlap_random)
{
	struct portset x, y;
	unsigned i, a, k;

	srandom(7597);
	for (i = 0; i < 2000; i++) {
		if (random() % 3 == 0) {
			unsigned lo = random() % 65536, hi = random() % 65536;

			if (random() % 2)
				hi = lo + random() % 2000 > 65535 ? 65535 :
				    lo + random() % 2000;
			x = lo <= hi ? portset_range(lo, hi) :
			    portset_range(hi, lo);
		} else {
			a = random() % 16;
			k = random() % (17 - a);
			x = portset_psid(a, k, random() & ((1u << k) - 1));
		}
		if (random() % 3 == 0) {
			unsigned lo = random() % 65536;

			y = portset_range(lo, lo + random() % (65536 - lo));
		} else {
			a = random() % 8;
			k = random() % (17 - a);
			y = portset_psid(a, k, random() & ((1u << k) - 1));
		}
		if (portset_overlap(&x, &y) != ref_overlap(&x, &y) ||
		    portset_overlap(&y, &x) != portset_overlap(&x, &y))
			ck_abort_msg("case %u", i);
	}
}
END_TEST

START_TEST(test_format)
{
	struct portset ps;
	char buf[64];

	ps = portset_range(10000, 10999);
	ck_assert_int_eq(portset_format(&ps, buf, sizeof(buf)), 11);
	ck_assert_str_eq(buf, "10000-10999");
	ps = portset_range(0, 65535);
	portset_format(&ps, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0-65535");
	ps = portset_psid(6, 6, 5);
	portset_format(&ps, buf, sizeof(buf));
	ck_assert_str_eq(buf, "psid 5/6 offset 6");
	/* truncation reports the full length, like snprintf */
	ps = portset_range(10000, 10999);
	ck_assert_int_eq(portset_format(&ps, buf, 4), 11);
	ck_assert_str_eq(buf, "100");
}
END_TEST

START_TEST(test_parse)
{
	struct portset ps;
	char err[160];

	ck_assert(portset_parse("10000-10999", &ps, err, sizeof(err)));
	ck_assert_uint_eq(ps.kind, PORTSET_RANGE);
	ck_assert_uint_eq(ps.min, 10000);
	ck_assert_uint_eq(ps.max, 10999);
	ck_assert(portset_parse("80", &ps, err, sizeof(err)));
	ck_assert(ps.kind == PORTSET_RANGE && ps.min == 80 && ps.max == 80);
	ck_assert(portset_parse("0-65535", &ps, err, sizeof(err)));
	ck_assert(ps.min == 0 && ps.max == 65535);
	ck_assert(portset_parse("psid=52/8,offset=6", &ps, err, sizeof(err)));
	ck_assert_uint_eq(ps.kind, PORTSET_PSID);
	ck_assert(ps.psid == 52 && ps.psid_len == 8 && ps.offset == 6);
	ck_assert(portset_parse("psid=0x34/8,offset=6", &ps, err,
	    sizeof(err)));
	ck_assert_uint_eq(ps.psid, 0x34);
	ck_assert(portset_parse("psid=5/6", &ps, err, sizeof(err)));
	ck_assert(ps.psid == 5 && ps.psid_len == 6 && ps.offset == 0);
	ck_assert(portset_parse("psid=0/0", &ps, err, sizeof(err)));
	ck_assert(portset_parse("psid 5/6 offset 6", &ps, err, sizeof(err)));
	ck_assert(ps.psid == 5 && ps.psid_len == 6 && ps.offset == 6);
}
END_TEST

/* What portset_format prints parses back to the same set. */
START_TEST(test_parse_roundtrip)
{
	struct portset in[] = {
		portset_range(0, 0), portset_range(1024, 65535),
		portset_psid(6, 8, 0x34), portset_psid(0, 16, 65535),
		portset_psid(15, 1, 1), portset_psid(0, 0, 0),
	};
	struct portset out;
	char buf[64], err[128];
	size_t i;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		portset_format(&in[i], buf, sizeof(buf));
		ck_assert_msg(portset_parse(buf, &out, err, sizeof(err)),
		    "%s: %s", buf, err);
		ck_assert(memcmp(&in[i], &out, sizeof(out)) == 0);
	}
}
END_TEST

static const struct {
	const char *in, *quote;
} bad_inputs[] = {
	{ "", "empty" },
	{ "70000", "`70000'" },
	{ "1000-70000", "`1000-70000'" },
	{ "2000-1000", "`2000-1000'" },
	{ "-5", "`-5'" },
	{ "10 - 20", "`10 - 20'" },
	{ "10-20x", "`10-20x'" },
	{ "abc", "`abc'" },
	{ "psid=256/8", "256" },
	{ "psid=1/8,offset=9", "17" },
	{ "psid=1/17", "17" },
	{ "psid=0/0,offset=16", "16" },
	{ "psid=1", "`psid=1'" },
	{ "psid=1/8,offst=6", "`psid=1/8,offst=6'" },
	{ "psid=1/8,offset=6junk", "`psid=1/8,offset=6junk'" },
	{ "psidx", "`psidx'" },
};

START_TEST(test_parse_bad)
{
	struct portset ps = portset_range(1, 1);
	char err[160];

	ck_assert(!portset_parse(bad_inputs[_i].in, &ps, err, sizeof(err)));
	ck_assert_msg(strstr(err, bad_inputs[_i].quote) != NULL,
	    "`%s' gave `%s'", bad_inputs[_i].in, err);
	/* the output is left alone on failure */
	ck_assert(ps.kind == PORTSET_RANGE && ps.min == 1 && ps.max == 1);
}
END_TEST

static Suite *
portset_suite(void)
{
	Suite *s = suite_create("portset");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_rfc7597_example);
	tcase_add_test(tc, test_psid_offset0);
	tcase_add_test(tc, test_psid_k0);
	tcase_add_test(tc, test_psid_full_width);
	tcase_add_test(tc, test_range);
	tcase_add_test(tc, test_invalid);
	tcase_add_test(tc, test_exhaustive);
	tcase_add_test(tc, test_blocks);
	tcase_add_test(tc, test_overlap);
	tcase_add_test(tc, test_overlap_random);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_parse_roundtrip);
	tcase_add_loop_test(tc, test_parse_bad, 0,
	    sizeof(bad_inputs) / sizeof(bad_inputs[0]));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(portset_suite());
}
