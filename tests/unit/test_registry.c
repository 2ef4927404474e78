/* SPDX-License-Identifier: MIT */
/* The PRR registry: allocation, renewal, hold time, assign/release, state, whois. */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prr/registry.h"
#include "prr/state.h"

static struct registry r;
static struct alloc_params ap;

static struct in6_addr
a6(const char *s)
{
	struct in6_addr a;

	ck_assert_int_eq(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static void
setup(void)
{
	memset(&ap, 0, sizeof(ap));
	ap.addrs[0] = 0xc0000201;
	ap.addrs[1] = 0xc0000202;
	ap.n_addrs = 2;
	ap.size = 1000;
	ap.first_port = 10000;		/* 55 sets per address */
	ap.lifetime = 3600;
	ap.hold_time = 600;
	registry_init(&r, &ap);
}

static void
teardown(void)
{
	registry_free(&r);
}

START_TEST(register_gives_distinct_sets_and_the_same_again)
{
	struct reg_entry e1, e2, again;
	struct in6_addr s1 = a6("2001:db8:1::2"), s2 = a6("2001:db8:2::2");
	bool isnew;

	ck_assert_int_eq(registry_register(&r, &s1, 1000, &e1, &isnew), REG_OK);
	ck_assert(isnew);
	ck_assert_int_eq(registry_register(&r, &s2, 1000, &e2, &isnew), REG_OK);
	ck_assert(isnew);
	ck_assert(!portset_overlap(&e1.b.ps, &e2.b.ps) || e1.b.ipv4 != e2.b.ipv4);
	ck_assert_uint_eq(e1.b.ps.min, 10000);
	ck_assert_uint_eq(e1.b.ps.max, 10999);
	ck_assert_uint_eq(e2.b.ps.min, 11000);
	ck_assert_uint_eq(e1.expires, 4600);
	/* registering again renews the same set */
	ck_assert_int_eq(registry_register(&r, &s1, 2000, &again, &isnew), REG_OK);
	ck_assert(!isnew);
	ck_assert_uint_eq(again.b.ps.min, 10000);
	ck_assert_uint_eq(again.expires, 5600);
	ck_assert_uint_eq(r.n, 2);
}
END_TEST

START_TEST(pool_exhaustion)
{
	struct reg_entry e;
	bool isnew;
	char buf[64];

	for (unsigned i = 0; i < 110; i++) {
		struct in6_addr a = a6("2001:db8::1");
		a.s6_addr[14] = (uint8_t)(i >> 8);
		a.s6_addr[15] = (uint8_t)i;
		ck_assert_int_eq(registry_register(&r, &a, 0, &e, &isnew), REG_OK);
	}
	ck_assert_uint_eq(e.b.ipv4, 0xc0000202);
	ck_assert_int_eq(registry_register(&r, &(struct in6_addr){ .s6_addr = { 0x20, 1, 0xd, 0xb8, 9 } },
					   0, &e, &isnew), REG_EXHAUSTED);
	snprintf(buf, sizeof(buf), "%s", reg_strerror(REG_EXHAUSTED));
	ck_assert(strstr(buf, "no free"));
}
END_TEST

START_TEST(expiry_holds_then_frees)
{
	struct reg_entry e, e2;
	struct in6_addr s1 = a6("2001:db8:1::2"), s2 = a6("2001:db8:2::2");
	bool isnew;
	char err[128];
	struct btable *bt;

	registry_register(&r, &s1, 0, &e, &isnew);
	ck_assert_uint_eq(registry_expire(&r, 3599, NULL, NULL), 0);
	ck_assert_uint_eq(registry_expire(&r, 3600, NULL, NULL), 1);
	/* held: out of the data path, but nobody else gets its ports */
	bt = registry_btable(&r, err, sizeof(err));
	ck_assert_ptr_nonnull(bt);
	ck_assert_uint_eq(btable_count(bt), 0);
	btable_free(bt);
	registry_register(&r, &s2, 3700, &e2, &isnew);
	ck_assert_uint_eq(e2.b.ps.min, 11000);
	/* the old owner coming back within the hold time gets its set again */
	registry_register(&r, &s1, 3800, &e, &isnew);
	ck_assert(!isnew);
	ck_assert_uint_eq(e.b.ps.min, 10000);
	/* after the hold time the set is free for others */
	registry_expire(&r, 3800 + 3600, NULL, NULL);
	ck_assert_uint_eq(registry_expire(&r, 3800 + 3600 + 600, NULL, NULL), 2);
	ck_assert_uint_eq(r.n, 0);	/* both expired, held, then freed */
}
END_TEST

START_TEST(assign_release_and_overlap)
{
	struct binding b = { 0 };
	struct reg_entry e;
	struct in6_addr s1 = a6("2001:db8:1::2"), s2 = a6("2001:db8:2::2");
	char err[256];
	bool isnew;

	registry_register(&r, &s1, 0, &e, &isnew);
	b.ipv6 = s2;
	b.ipv4 = 0xc0000201;
	b.ps = portset_range(10500, 10600);
	ck_assert_int_eq(registry_assign(&r, &b, 0, err, sizeof(err)), REG_OVERLAP);
	ck_assert(strstr(err, "2001:db8:1::2"));
	b.ps = portset_range(20000, 20999);
	ck_assert_int_eq(registry_assign(&r, &b, 0, err, sizeof(err)), REG_OK);
	/* moving s1 replaces its dynamic set */
	b.ipv6 = s1;
	b.ps = portset_range(30000, 30999);
	ck_assert_int_eq(registry_assign(&r, &b, 0, err, sizeof(err)), REG_OK);
	ck_assert_uint_eq(r.n, 2);
	ck_assert_int_eq(r.e[registry_find(&r, &s1)].b.ps.min, 30000);
	/* an operator's set wins over registration */
	registry_register(&r, &s1, 10, &e, &isnew);
	ck_assert_uint_eq(e.b.ps.min, 30000);
	ck_assert_int_eq(registry_release(&r, &s1), REG_OK);
	ck_assert_int_eq(registry_release(&r, &s1), REG_UNKNOWN);
	b.ps = portset_range(30000, 29000);
	ck_assert_int_eq(registry_assign(&r, &b, 0, err, sizeof(err)), REG_INVALID);
}
END_TEST

START_TEST(psid_pool)
{
	struct reg_entry e;
	bool isnew;

	ap.psid = true;
	ap.offset = 6;
	ap.psid_len = 6;
	registry_init(&r, &ap);
	for (unsigned i = 0; i < 128; i++) {
		struct in6_addr a = a6("2001:db8::1");
		a.s6_addr[15] = (uint8_t)i;
		ck_assert_int_eq(registry_register(&r, &a, 0, &e, &isnew), REG_OK);
		ck_assert_uint_eq(e.b.ps.kind, PORTSET_PSID);
		ck_assert_uint_eq(e.b.ps.psid, i % 64);
	}
	ck_assert_int_eq(registry_register(&r, &(struct in6_addr){ .s6_addr = { 1 } }, 0, &e, &isnew),
			 REG_EXHAUSTED);
}
END_TEST

START_TEST(state_round_trip)
{
	char path[] = "/tmp/test-registry-XXXXXX", err[128];
	struct reg_entry e;
	struct registry r2;
	struct in6_addr s1 = a6("2001:db8:1::2");
	struct binding b = { 0 };
	bool isnew;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	registry_register(&r, &s1, 100, &e, &isnew);
	b.ipv6 = a6("2001:db8:3::2");
	b.ipv4 = 0xc0000202;
	b.ps = portset_psid(6, 6, 5);
	ck_assert_int_eq(registry_assign(&r, &b, 0, err, sizeof(err)), REG_OK);
	ck_assert_int_eq(state_save(&r, path), 0);
	registry_init(&r2, &ap);
	ck_assert_int_eq(state_load(&r2, path, err, sizeof(err)), 0);
	ck_assert_uint_eq(r2.n, 2);
	ck_assert(memcmp(&r2.e[0], &r.e[0], sizeof(r.e[0])) == 0);
	ck_assert(memcmp(&r2.e[1].b.ps, &b.ps, sizeof(b.ps)) == 0);
	ck_assert_uint_eq(r2.e[1].origin, REG_OPERATOR);
	registry_free(&r2);
	/* a garbage line loses only itself */
	FILE *f = fopen(path, "a");
	fputs("garbage\tline\n", f);
	fclose(f);
	registry_init(&r2, &ap);
	ck_assert_int_eq(state_load(&r2, path, err, sizeof(err)), 0);
	ck_assert_uint_eq(r2.n, 2);
	registry_free(&r2);
	unlink(path);
	/* a missing file is an empty state */
	registry_init(&r2, &ap);
	ck_assert_int_eq(state_load(&r2, path, err, sizeof(err)), 0);
	ck_assert_uint_eq(r2.n, 0);
}
END_TEST

START_TEST(whois_from_the_log)
{
	char path[] = "/tmp/test-alloclog-XXXXXX";
	struct binding b1 = { 0 }, b2 = { 0 };
	struct whois_hit h[4];
	FILE *f;
	int fd = mkstemp(path);

	close(fd);
	b1.ipv6 = a6("2001:db8:1::2");
	b1.ipv4 = 0xc0000201;
	b1.ps = portset_range(10000, 10999);
	b2 = b1;
	b2.ipv6 = a6("2001:db8:9::2");
	alloclog_open(path);
	alloclog_write(1000, "allocate", &b1);
	alloclog_write(5000, "release", &b1);
	alloclog_write(6000, "assign", &b2);
	alloclog_close();
	f = fopen(path, "r");
	ck_assert_int_eq(whois_log(f, 0xc0000201, 10500, 3000, h, 4), 1);
	ck_assert(memcmp(&h[0].b.ipv6, &b1.ipv6, 16) == 0);
	ck_assert_uint_eq(h[0].from, 1000);
	rewind(f);
	ck_assert_int_eq(whois_log(f, 0xc0000201, 10500, 5500, h, 4), 0);
	rewind(f);
	ck_assert_int_eq(whois_log(f, 0xc0000201, 10500, 7000, h, 4), 1);
	ck_assert(memcmp(&h[0].b.ipv6, &b2.ipv6, 16) == 0);
	rewind(f);
	ck_assert_int_eq(whois_log(f, 0xc0000201, 11500, 7000, h, 4), 0);
	rewind(f);
	ck_assert_int_eq(whois_log(f, 0xc0000201, 10500, 500, h, 4), 0);
	fclose(f);
	unlink(path);
}
END_TEST

START_TEST(entry_parse_errors)
{
	struct reg_entry e;
	char err[128];

	ck_assert(!reg_entry_parse("x", &e, err, sizeof(err)));
	ck_assert(strstr(err, "7 tab-separated"));
	ck_assert(!reg_entry_parse("nope\t192.0.2.1\t1-2\tdynamic\t0\t0\t0", &e, err, sizeof(err)));
	ck_assert(strstr(err, "IPv6"));
	ck_assert(!reg_entry_parse("::1\t192.0.2\t1-2\tdynamic\t0\t0\t0", &e, err, sizeof(err)));
	ck_assert(!reg_entry_parse("::1\t192.0.2.1\t9-1\tdynamic\t0\t0\t0", &e, err, sizeof(err)));
	ck_assert(!reg_entry_parse("::1\t192.0.2.1\t1-9\tmagic\t0\t0\t0", &e, err, sizeof(err)));
	ck_assert(reg_entry_parse("::1\t192.0.2.1\t1-9\tdynamic\t5\t0\t0", &e, err, sizeof(err)));
	ck_assert_uint_eq(e.expires, 5);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("registry");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, register_gives_distinct_sets_and_the_same_again);
	tcase_add_test(tc, pool_exhaustion);
	tcase_add_test(tc, expiry_holds_then_frees);
	tcase_add_test(tc, assign_release_and_overlap);
	tcase_add_test(tc, psid_pool);
	tcase_add_test(tc, state_round_trip);
	tcase_add_test(tc, whois_from_the_log);
	tcase_add_test(tc, entry_parse_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
