/* SPDX-License-Identifier: MIT */
/* PostgreSQL's binary COPY rows (prr/pg_copy.c), as the server sends them. */
#include <check.h>
#include <string.h>

#include "prr/pg_copy.h"
#include "tests/unit/check_main.h"

/* header, then a row: inet 2001:db8::1, inet 192.0.2.7, text "ab", int8 -2, int4 7, int2 -1, NULL */
static const uint8_t first_msg[] = {
	'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0,	/* signature */
	0, 0, 0, 0,	/* flags */
	0, 0, 0, 0,	/* no extension */
	0, 7,		/* 7 fields */
	0, 0, 0, 20, 3, 128, 0, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0, 0, 0, 8, 2, 32, 0, 4, 192, 0, 2, 7,
	0, 0, 0, 2, 'a', 'b',
	0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
	0, 0, 0, 4, 0, 0, 0, 7,
	0, 0, 0, 2, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff,
};

START_TEST(test_row)
{
	struct pgcopy_field f[8];
	uint8_t a6[16], a4[4];
	char t[8];
	int64_t v;
	long h = pgcopy_header(first_msg, sizeof(first_msg));
	int n;

	ck_assert_int_eq(h, 19);
	n = pgcopy_row(first_msg + h, sizeof(first_msg) - (size_t)h, f, 8);
	ck_assert_int_eq(n, 7);
	ck_assert(pgcopy_inet(&f[0], 6, a6));
	ck_assert(a6[0] == 0x20 && a6[1] == 0x01 && a6[15] == 1);
	ck_assert(!pgcopy_inet(&f[0], 4, a4));
	ck_assert(pgcopy_inet(&f[1], 4, a4));
	ck_assert(a4[0] == 192 && a4[3] == 7);
	ck_assert(pgcopy_text(&f[2], t, sizeof(t)));
	ck_assert_str_eq(t, "ab");
	ck_assert(!pgcopy_text(&f[2], t, 2));	/* no room for the NUL */
	ck_assert(pgcopy_int(&f[3], &v) && v == -2);
	ck_assert(pgcopy_int(&f[4], &v) && v == 7);
	ck_assert(pgcopy_int(&f[5], &v) && v == -1);
	ck_assert_int_eq(f[6].len, -1);
	ck_assert(!pgcopy_text(&f[6], t, sizeof(t)));
	ck_assert(!pgcopy_int(&f[0], &v));	/* no integer is 20 bytes */
}
END_TEST

START_TEST(test_trailer_and_bad)
{
	static const uint8_t trailer[] = { 0xff, 0xff };
	static const uint8_t cidr[] = { 0, 1, 0, 0, 0, 8, 2, 24, 1, 4, 192, 0, 2, 0 };	/* a network */
	struct pgcopy_field f[8];
	uint8_t a4[4];
	long h = pgcopy_header(first_msg, sizeof(first_msg));
	size_t len = sizeof(first_msg) - (size_t)h;

	ck_assert_int_eq(pgcopy_row(trailer, sizeof(trailer), f, 8), 0);
	ck_assert_int_eq(pgcopy_header(first_msg + 1, sizeof(first_msg) - 1), -1);
	ck_assert_int_eq(pgcopy_header(first_msg, 18), -1);
	/* every cut short is malformed, never read past */
	for (size_t k = 0; k < len; k++)
		ck_assert_int_eq(pgcopy_row(first_msg + h, k, f, 8), -1);
	ck_assert_int_eq(pgcopy_row(first_msg + h, len, f, 6), -1);	/* more fields than room */
	ck_assert_int_eq(pgcopy_row(cidr, sizeof(cidr), f, 8), 1);
	ck_assert(!pgcopy_inet(&f[0], 4, a4));
}
END_TEST

static Suite *
pg_copy_suite(void)
{
	Suite *s = suite_create("pg_copy");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_row);
	tcase_add_test(tc, test_trailer_and_bad);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(pg_copy_suite());
}
