/* SPDX-License-Identifier: MIT */
/* The path MTU cache and what its watcher (the XDP fast path's map) is told. */
#include <arpa/inet.h>
#include <check.h>
#include <string.h>

#include "prr/pmtu.h"
#include "tests/unit/check_main.h"

struct event {
	struct in6_addr a;
	unsigned mtu;
	uint64_t expiry_ms;
};

static struct event ev[8];
static int n_ev;

static void
record(void *arg, const struct in6_addr *a, unsigned mtu, uint64_t expiry_ms)
{
	(void)arg;
	ck_assert_int_lt(n_ev, 8);
	ev[n_ev++] = (struct event){ *a, mtu, expiry_ms };
}

static struct in6_addr
a6(const char *s)
{
	struct in6_addr a;

	ck_assert(inet_pton(AF_INET6, s, &a) == 1);
	return a;
}

#define ck_event(i, addr, m, exp) do {					\
	struct in6_addr w_ = a6(addr);					\
	ck_assert(memcmp(&ev[i].a, &w_, 16) == 0);			\
	ck_assert_uint_eq(ev[i].mtu, (m));				\
	ck_assert_uint_eq(ev[i].expiry_ms, (exp));			\
} while (0)

/* the expiry the watcher is told is the instant pmtu_get stops answering */
START_TEST(test_expiry_agrees)
{
	struct pmtu_cache *c = pmtu_new(64);
	struct in6_addr a = a6("2001:db8:1::2");

	n_ev = 0;
	pmtu_watch(c, record, NULL);
	pmtu_set(c, &a, 1400, 5000);
	ck_assert_int_eq(n_ev, 1);
	ck_event(0, "2001:db8:1::2", 1400, (uint64_t)(PMTU_TIMEOUT_S / 16) * 16000);
	ck_assert_uint_eq(pmtu_get(c, &a, 1500, ev[0].expiry_ms - 1), 1400);
	ck_assert_uint_eq(pmtu_get(c, &a, 1500, ev[0].expiry_ms), 1500);
	ck_assert_uint_eq(pmtu_get(c, &a, 1300, 6000), 1300);	/* never above the default */
	pmtu_free(c);
}
END_TEST

/* one slot: an address that takes it is told, the one it replaces removed */
START_TEST(test_replaced)
{
	struct pmtu_cache *c = pmtu_new(1);
	struct in6_addr a = a6("2001:db8:1::2"), b = a6("2001:db8:2::2");

	n_ev = 0;
	pmtu_watch(c, record, NULL);
	pmtu_set(c, &a, 1400, 1000);
	pmtu_set(c, &b, 1300, 20000);
	ck_assert_int_eq(n_ev, 3);
	ck_event(1, "2001:db8:1::2", 0, 0);
	ck_event(2, "2001:db8:2::2", 1300, (1 + PMTU_TIMEOUT_S / 16) * 16000ull);
	ck_assert_uint_eq(pmtu_get(c, &a, 1500, 21000), 1500);
	ck_assert_uint_eq(pmtu_get(c, &b, 1500, 21000), 1300);
	/* the same address again: a new MTU, nothing removed */
	pmtu_set(c, &b, 1350, 40000);
	ck_assert_int_eq(n_ev, 4);
	ck_event(3, "2001:db8:2::2", 1350, (2 + PMTU_TIMEOUT_S / 16) * 16000ull);
	pmtu_free(c);
}
END_TEST

/* a watcher set late hears what is held; after NULL, nothing */
START_TEST(test_late_watcher)
{
	struct pmtu_cache *c = pmtu_new(64);
	struct in6_addr a = a6("2001:db8:1::2");

	n_ev = 0;
	pmtu_set(c, &a, 1280, 0);
	ck_assert_int_eq(n_ev, 0);
	pmtu_watch(c, record, NULL);
	ck_assert_int_eq(n_ev, 1);
	ck_event(0, "2001:db8:1::2", 1280, (uint64_t)(PMTU_TIMEOUT_S / 16) * 16000);
	pmtu_watch(c, NULL, NULL);
	pmtu_set(c, &a, 1300, 0);
	ck_assert_int_eq(n_ev, 1);
	pmtu_free(c);
}
END_TEST

static Suite *
pmtu_suite(void)
{
	Suite *s = suite_create("pmtu");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_expiry_agrees);
	tcase_add_test(tc, test_replaced);
	tcase_add_test(tc, test_late_watcher);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(pmtu_suite());
}
