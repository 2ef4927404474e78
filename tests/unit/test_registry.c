/* SPDX-License-Identifier: MIT */
/*
 * The PRR registry: allocation, renewal, nonces, limits, hold time,
 * assign/release, the live pool, the journal store, whois.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prr/registry.h"
#include "prr/state.h"
#include "prr/store.h"
#include "tests/unit/check_main.h"

static struct registry r;
static struct alloc_params ap;
static const uint8_t N1[PCP_NONCE_LEN] = { 1 }, N2[PCP_NONCE_LEN] = { 2 };

static struct in6_addr
a6(const char *s)
{
	struct in6_addr a;

	ck_assert_int_eq(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

/* 2001:db8:P::I */
static struct in6_addr
addr(unsigned p, unsigned i)
{
	struct in6_addr a = a6("2001:db8::");

	a.s6_addr[4] = (uint8_t)(p >> 8);
	a.s6_addr[5] = (uint8_t)p;
	a.s6_addr[14] = (uint8_t)(i >> 8);
	a.s6_addr[15] = (uint8_t)i;
	return a;
}

static enum reg_result
reg(const struct in6_addr *a, const uint8_t *nonce, uint64_t now, struct reg_entry *e, bool *isnew)
{
	bool changed, dummy;

	return registry_register(&r, a, nonce, now, e, isnew ? isnew : &dummy, &changed);
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
	ck_assert_int_eq(registry_init(&r, &ap), 0);
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
	bool isnew, changed;

	ck_assert_int_eq(registry_register(&r, &s1, N1, 1000, &e1, &isnew, &changed), REG_OK);
	ck_assert(isnew && changed);
	ck_assert_int_eq(registry_register(&r, &s2, N2, 1000, &e2, &isnew, &changed), REG_OK);
	ck_assert(isnew);
	ck_assert(!portset_overlap(&e1.b.ps, &e2.b.ps) || e1.b.ipv4 != e2.b.ipv4);
	ck_assert_uint_eq(e1.b.ps.max - e1.b.ps.min, 999);
	ck_assert_uint_eq((e1.b.ps.min - 10000) % 1000, 0);
	ck_assert_uint_eq(e1.expires, 4600);
	/* the live table has it at once */
	ck_assert_ptr_nonnull(pool_lookup(r.pool, e1.b.ipv4, e1.b.ps.min));
	ck_assert(memcmp(&pool_lookup(r.pool, e1.b.ipv4, e1.b.ps.max)->ipv6, &s1, 16) == 0);
	ck_assert_ptr_null(pool_lookup(r.pool, e1.b.ipv4, 9999));
	/* registering again with its nonce renews the same set, durably nothing */
	ck_assert_int_eq(registry_register(&r, &s1, N1, 2000, &again, &isnew, &changed), REG_OK);
	ck_assert(!isnew && !changed);
	ck_assert_uint_eq(again.b.ps.min, e1.b.ps.min);
	ck_assert_uint_eq(again.expires, 5600);
	ck_assert_uint_eq(registry_count(&r), 2);
}
END_TEST

START_TEST(slots_are_random_and_exhaust)
{
	struct reg_entry e;
	unsigned first_lowest = 0;

	for (unsigned i = 0; i < 110; i++) {
		struct in6_addr a = addr(i, 1);
		ck_assert_int_eq(reg(&a, N1, 0, &e, NULL), REG_OK);
		if (i == 0 && e.b.ipv4 == 0xc0000201 && e.b.ps.min == 10000)
			first_lowest = 1;
	}
	ck_assert_int_eq(reg(&(struct in6_addr){ .s6_addr = { 0x20, 1, 0xd, 0xb8, 9 } }, N1, 0, &e, NULL),
			 REG_EXHAUSTED);
	ck_assert(strstr(reg_strerror(REG_EXHAUSTED), "no free"));
	ck_assert_uint_eq(r.nfree, 0);
	(void)first_lowest;
}
END_TEST

START_TEST(allocation_is_not_predictable)
{
	/* ten fresh registries: the first set handed out is not always the same */
	unsigned distinct = 0, seen[110] = { 0 };

	for (int t = 0; t < 10; t++) {
		struct registry x;
		struct reg_entry e;
		bool isnew, changed;
		struct in6_addr a = addr(1, 1);
		unsigned k;

		ck_assert_int_eq(registry_init(&x, &ap), 0);
		ck_assert_int_eq(registry_register(&x, &a, N1, 0, &e, &isnew, &changed), REG_OK);
		k = (e.b.ipv4 & 1 ? 0 : 55) + (e.b.ps.min - 10000) / 1000;
		ck_assert_uint_lt(k, 110);
		distinct += seen[k]++ == 0;
		registry_free(&x);
	}
	ck_assert_uint_ge(distinct, 3);
}
END_TEST

START_TEST(nonce_rules)
{
	struct reg_entry e, v, x;
	struct in6_addr victim = a6("2001:db8:1::2");

	ck_assert_int_eq(reg(&victim, N1, 100, &v, NULL), REG_OK);
	/* a renewal with another nonce: refused, the set unchanged, expiry unchanged */
	ck_assert_int_eq(reg(&victim, N2, 200, &e, NULL), REG_NONCE);
	ck_assert_uint_eq(e.expires, 3700);
	/* a delete with another nonce: refused, still live */
	ck_assert_int_eq(registry_unregister(&r, &victim, N2, 300, &x), REG_NONCE);
	ck_assert_ptr_nonnull(pool_lookup(r.pool, v.b.ipv4, v.b.ps.min));
	/* its own nonce deletes it: held (not live, not free) */
	ck_assert_int_eq(registry_unregister(&r, &victim, N1, 400, &x), REG_OK);
	ck_assert_uint_eq(x.held_until, 1000);
	ck_assert_ptr_null(pool_lookup(r.pool, v.b.ipv4, v.b.ps.min));
	ck_assert_int_eq(registry_unregister(&r, &victim, N1, 400, &x), REG_UNKNOWN);
	/* the owner back within the hold time, with a new nonce: the same set */
	ck_assert_int_eq(reg(&victim, N2, 500, &e, NULL), REG_OK);
	ck_assert(memcmp(&e.b, &v.b, sizeof(e.b)) == 0);
	ck_assert_int_eq(reg(&victim, N1, 600, &e, NULL), REG_NONCE);
}
END_TEST

START_TEST(subscriber_and_prefix_limits)
{
	struct reg_limits lim = { .subscriber_plen = 64, .sets_per_subscriber = 1,
				  .sets_per_authorized = 3, .n_authorized = 1 };
	struct reg_entry e;
	struct in6_addr a;

	lim.authorized[0].addr = a6("2001:db8::");
	lim.authorized[0].plen = 32;
	registry_set_limits(&r, &lim);
	a = addr(1, 1);
	ck_assert_int_eq(reg(&a, N1, 0, &e, NULL), REG_OK);
	/* another address of the same /64: over the subscriber's limit */
	for (unsigned i = 2; i < 150; i++) {
		a = addr(1, i);
		ck_assert_int_eq(reg(&a, N1, 0, &e, NULL), REG_SUBSCRIBER_LIMIT);
	}
	ck_assert_uint_eq(registry_count(&r), 1);
	/* other subscribers: up to the authorized prefix's limit */
	a = addr(2, 1);
	ck_assert_int_eq(reg(&a, N1, 0, &e, NULL), REG_OK);
	a = addr(3, 1);
	ck_assert_int_eq(reg(&a, N1, 0, &e, NULL), REG_OK);
	a = addr(4, 1);
	ck_assert_int_eq(reg(&a, N1, 0, &e, NULL), REG_PREFIX_LIMIT);
	/* held sets still count; freed ones do not */
	a = addr(3, 1);
	ck_assert_int_eq(registry_unregister(&r, &a, N1, 10, &e), REG_OK);
	a = addr(4, 1);
	ck_assert_int_eq(reg(&a, N1, 11, &e, NULL), REG_PREFIX_LIMIT);
	registry_expire(&r, 10 + 600, NULL, NULL);
	ck_assert_int_eq(reg(&a, N1, 611, &e, NULL), REG_OK);
	/* a /56 subscriber prefix: two addresses of different /64s in it are one subscriber */
	lim.subscriber_plen = 56;
	lim.sets_per_authorized = 0;
	registry_set_limits(&r, &lim);
	a = a6("2001:db8:77:1::1");
	ck_assert_int_eq(reg(&a, N1, 700, &e, NULL), REG_OK);
	a = a6("2001:db8:77:2::1");
	ck_assert_int_eq(reg(&a, N1, 700, &e, NULL), REG_SUBSCRIBER_LIMIT);
	lim.sets_per_subscriber = 2;
	registry_set_limits(&r, &lim);
	ck_assert_int_eq(reg(&a, N1, 700, &e, NULL), REG_OK);
}
END_TEST

START_TEST(expiry_holds_then_frees)
{
	struct reg_entry e, e2;
	struct in6_addr s1 = a6("2001:db8:1::2"), s2 = a6("2001:db8:2::2");
	char err[128];
	struct btable *bt;
	size_t n = 0;
	uint32_t k;

	reg(&s1, N1, 0, &e, NULL);
	k = (uint32_t)pool_slot_of(r.pool, e.b.ipv4, &e.b.ps);
	ck_assert_uint_eq(registry_expire(&r, 3599, NULL, NULL), 0);
	ck_assert_uint_eq(registry_expire(&r, 3600, NULL, NULL), 1);
	/* held: out of the data path, but nobody else gets its ports */
	ck_assert(!pool_is_live(r.pool, k));
	bt = registry_btable(&r, err, sizeof(err));
	ck_assert_ptr_nonnull(bt);
	ck_assert_uint_eq(btable_count(bt), 0);
	btable_free(bt);
	for (unsigned i = 0; i < 109; i++) {
		struct in6_addr a = addr(100 + i, 1);
		ck_assert_int_eq(reg(&a, N1, 3700, &e2, NULL), REG_OK);
		ck_assert_int_ne(pool_slot_of(r.pool, e2.b.ipv4, &e2.b.ps), (long)k);
	}
	ck_assert_int_eq(reg(&s2, N2, 3700, &e2, NULL), REG_EXHAUSTED);
	/* the old owner coming back within the hold time gets its set again */
	ck_assert_int_eq(reg(&s1, N2, 3800, &e2, NULL), REG_OK);
	ck_assert(memcmp(&e2.b.ps, &e.b.ps, sizeof(e.b.ps)) == 0);
	/* after lifetime and hold time the set is free for others */
	ck_assert_uint_eq(registry_expire(&r, 3800 + 3600, NULL, NULL), 110);
	ck_assert_uint_eq(registry_expire(&r, 3800 + 3600 + 599, NULL, NULL), 0);
	ck_assert_uint_eq(registry_expire(&r, 3800 + 3600 + 600, NULL, NULL), 110);
	ck_assert_uint_eq(registry_count(&r), 0);
	ck_assert_uint_eq(r.nfree, 110);
	while (registry_iter(&r, &n, &e))
		ck_abort_msg("an entry left");
}
END_TEST

START_TEST(assign_release_and_overlap)
{
	struct binding b = { 0 };
	struct reg_entry e, es[4];
	struct in6_addr s1 = a6("2001:db8:1::2"), s2 = a6("2001:db8:2::2");
	char err[256];

	reg(&s1, N1, 0, &e, NULL);
	b.ipv6 = s2;
	b.ipv4 = e.b.ipv4;
	b.ps = portset_range((uint16_t)(e.b.ps.min + 500), (uint16_t)(e.b.ps.min + 600));
	ck_assert_int_eq(registry_assign(&r, &b, 0, err, sizeof(err)), REG_OVERLAP);
	ck_assert(strstr(err, "2001:db8:1::2"));
	b.ipv4 = 0xc0000209;
	b.ps = portset_range(20000, 20999);
	ck_assert_int_eq(registry_assign(&r, &b, 0, err, sizeof(err)), REG_OK);
	/* moving s1 replaces its dynamic set */
	b.ipv6 = s1;
	b.ps = portset_range(30000, 30999);
	ck_assert_int_eq(registry_assign(&r, &b, 0, err, sizeof(err)), REG_OK);
	ck_assert_uint_eq(registry_count(&r), 2);
	ck_assert_uint_eq(registry_of(&r, &s1, es, 4), 1);
	ck_assert_int_eq(es[0].b.ps.min, 30000);
	ck_assert_uint_eq(es[0].origin, REG_OPERATOR);
	/* an operator's set wins over registration */
	reg(&s1, N1, 10, &e, NULL);
	ck_assert_uint_eq(e.b.ps.min, 30000);
	ck_assert_int_eq(registry_release(&r, &s1), REG_OK);
	ck_assert_int_eq(registry_release(&r, &s1), REG_UNKNOWN);
	b.ps = portset_range(30000, 29000);
	ck_assert_int_eq(registry_assign(&r, &b, 0, err, sizeof(err)), REG_INVALID);
	/* an operator set inside the pool takes its slots out of it */
	b.ipv4 = 0xc0000201;
	b.ps = portset_range(10000, 10999);
	ck_assert_int_eq(registry_assign(&r, &b, 0, err, sizeof(err)), REG_OK);
	/* s1's given-up dynamic set comes back once it has cooled */
	registry_expire(&r, 20, NULL, NULL);
	registry_expire(&r, 20 + REG_REUSE_GRACE, NULL, NULL);
	ck_assert_uint_eq(r.nfree, 109);
	ck_assert_int_eq(registry_release(&r, &s1), REG_OK);
	ck_assert_uint_eq(r.nfree, 110);
}
END_TEST

/*
 * A set given up goes to nobody else until REG_REUSE_GRACE seconds after
 * its data-path cell went dead, even with hold_time 0: readers of the
 * pool (workers, the XDP program) never see a cell rewritten under them.
 */
START_TEST(a_dead_slot_cools_before_reuse)
{
	struct reg_entry e, e2;
	struct in6_addr a;
	char err[256];
	uint64_t t = 1000;

	registry_free(&r);
	ap.n_addrs = 1;
	ap.first_port = 65536 - 2000;	/* 2 sets */
	ap.hold_time = 0;
	ck_assert_int_eq(registry_init(&r, &ap), 0);
	for (unsigned i = 0; i < 2; i++) {
		a = addr(i, 1);
		ck_assert_int_eq(reg(&a, N1, t, &e, NULL), REG_OK);
	}
	/* given back with hold_time 0: held until the next tick, then cooling */
	ck_assert_int_eq(registry_unregister(&r, &a, N1, t, &e), REG_OK);
	ck_assert_uint_eq(registry_expire(&r, t, NULL, NULL), 1);
	ck_assert_uint_eq(registry_count(&r), 1);
	a = addr(7, 1);
	ck_assert_int_eq(reg(&a, N1, t, &e2, NULL), REG_EXHAUSTED);
	registry_expire(&r, t + REG_REUSE_GRACE - 1, NULL, NULL);
	ck_assert_int_eq(reg(&a, N1, t + REG_REUSE_GRACE - 1, &e2, NULL), REG_EXHAUSTED);
	registry_expire(&r, t + REG_REUSE_GRACE, NULL, NULL);
	ck_assert_int_eq(reg(&a, N1, t + REG_REUSE_GRACE, &e2, NULL), REG_OK);
	ck_assert(memcmp(&e2.b.ps, &e.b.ps, sizeof(e.b.ps)) == 0);
	/* the operator's release: the same */
	t += 100;
	ck_assert_int_eq(registry_release(&r, &a), REG_OK);
	a = addr(8, 1);
	ck_assert_int_eq(reg(&a, N1, t, &e2, NULL), REG_EXHAUSTED);
	registry_expire(&r, t, NULL, NULL);
	ck_assert_int_eq(reg(&a, N1, t + 1, &e2, NULL), REG_EXHAUSTED);
	registry_expire(&r, t + REG_REUSE_GRACE, NULL, NULL);
	ck_assert_int_eq(reg(&a, N1, t + REG_REUSE_GRACE, &e2, NULL), REG_OK);
	/* a journal or another PRR naming a cooling slot is still obeyed */
	t += 100;
	ck_assert_int_eq(registry_release(&r, &a), REG_OK);
	memset(&e2, 0, sizeof(e2));
	e2.b.ipv6 = addr(9, 1);
	e2.b.ipv4 = e.b.ipv4;
	e2.b.ps = e.b.ps;
	e2.origin = REG_DYNAMIC;
	e2.expires = t + 3600;
	ck_assert_int_eq(registry_add(&r, &e2, err, sizeof(err)), REG_OK);
	ck_assert_uint_eq(registry_count(&r), 2);
}
END_TEST

/* A shared store's change wins here: what it overlaps goes, config stays */
START_TEST(store_change_clears_overlap)
{
	struct binding b = { 0 };
	struct reg_entry e, d, cfg, es[4];
	struct in6_addr s1 = a6("2001:db8:1::2"), s2 = a6("2001:db8:2::2"), s3 = a6("2001:db8:3::2");
	char err[256];

	/* another PRR's operator set over s2's operator set */
	b.ipv6 = s2;
	b.ipv4 = 0xc0000209;
	b.ps = portset_range(20000, 20999);
	ck_assert_int_eq(registry_assign(&r, &b, 0, err, sizeof(err)), REG_OK);
	b.ipv6 = s3;
	b.ps = portset_range(20500, 21500);
	ck_assert_uint_eq(registry_clear_overlap(&r, &b, true, err, sizeof(err)), 1);
	ck_assert(strstr(err, "2001:db8:2::2 192.0.2.9 20000-20999"));
	ck_assert_int_eq(registry_assign(&r, &b, 0, err, sizeof(err)), REG_OK);
	ck_assert_uint_eq(registry_of(&r, &s2, es, 4), 0);
	/* over s1's registered set: only with dynamic */
	reg(&s1, N1, 0, &e, NULL);
	b.ipv4 = e.b.ipv4;
	b.ps = portset_range((uint16_t)(e.b.ps.min + 10), (uint16_t)(e.b.ps.min + 20));
	ck_assert_uint_eq(registry_clear_overlap(&r, &b, false, err, sizeof(err)), 0);
	ck_assert_uint_eq(registry_clear_overlap(&r, &b, true, err, sizeof(err)), 1);
	ck_assert_uint_eq(registry_of(&r, &s1, es, 4), 0);
	/* its slot free again once cooled */
	ck_assert_uint_eq(r.nfree, 109);
	registry_expire(&r, 10, NULL, NULL);
	registry_expire(&r, 10 + REG_REUSE_GRACE, NULL, NULL);
	ck_assert_uint_eq(r.nfree, 110);
	/* the SMAP's own sets and config bindings stay */
	ck_assert_uint_eq(registry_clear_overlap(&r, &(struct binding){ .ipv6 = s3, .ipv4 = 0xc0000209,
				.ps = portset_range(21000, 21000) }, true, err, sizeof(err)), 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.b.ipv6 = s2;
	cfg.b.ipv4 = 0xc000020a;
	cfg.b.ps = portset_range(1000, 1999);
	cfg.origin = REG_CONFIG;
	ck_assert_int_eq(registry_add(&r, &cfg, err, sizeof(err)), REG_OK);
	b.ipv4 = 0xc000020a;
	b.ps = portset_range(1500, 1600);
	ck_assert_uint_eq(registry_clear_overlap(&r, &b, true, err, sizeof(err)), 0);
	/* a registration from the store in a slot an operator set here blocks */
	b.ipv6 = s3;
	b.ipv4 = 0xc0000201;
	b.ps = portset_range(10000, 10999);
	ck_assert_int_eq(registry_assign(&r, &b, 0, err, sizeof(err)), REG_OK);
	memset(&d, 0, sizeof(d));
	d.b.ipv6 = s1;
	d.b.ipv4 = 0xc0000201;
	d.b.ps = portset_range(10000, 10999);
	d.origin = REG_DYNAMIC;
	d.expires = 100;
	ck_assert_int_eq(registry_add(&r, &d, err, sizeof(err)), REG_OVERLAP);
	ck_assert_uint_eq(registry_clear_overlap(&r, &d.b, false, err, sizeof(err)), 1);
	ck_assert_int_eq(registry_add(&r, &d, err, sizeof(err)), REG_OK);
	ck_assert_uint_eq(registry_of(&r, &s1, es, 4), 1);
	ck_assert_uint_eq(registry_of(&r, &s3, es, 4), 0);
}
END_TEST

START_TEST(psid_pool)
{
	struct reg_entry e;
	unsigned seen[2][64] = { { 0 } };

	registry_free(&r);
	ap.psid = true;
	ap.offset = 6;
	ap.psid_len = 6;
	registry_init(&r, &ap);
	for (unsigned i = 0; i < 128; i++) {
		struct in6_addr a = addr(i, 1);
		ck_assert_int_eq(reg(&a, N1, 0, &e, NULL), REG_OK);
		ck_assert_uint_eq(e.b.ps.kind, PORTSET_PSID);
		ck_assert_uint_eq(seen[e.b.ipv4 & 1][e.b.ps.psid]++, 0);
		ck_assert_ptr_nonnull(pool_lookup(r.pool, e.b.ipv4, (uint16_t)(1024 + (e.b.ps.psid << 4))));
	}
	ck_assert_int_eq(reg(&(struct in6_addr){ .s6_addr = { 1 } }, N1, 0, &e, NULL), REG_EXHAUSTED);
	/* block 0 (ports 0-1023) is nobody's */
	ck_assert_ptr_null(pool_lookup(r.pool, 0xc0000201, 5));
}
END_TEST

static char *
tmpname(void)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/test-registry-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	return path;
}

/* Every entry of x is in y, the same. */
static void
same_entries(const struct registry *x, const struct registry *y)
{
	struct reg_entry e, o[4];
	size_t pos = 0;

	ck_assert_uint_eq(registry_count(x), registry_count(y));
	while (registry_iter(x, &pos, &e)) {
		ck_assert_uint_eq(registry_of(y, &e.b.ipv6, o, 4), 1);
		ck_assert(memcmp(&o[0].b, &e.b, sizeof(e.b)) == 0);
		ck_assert_uint_eq(o[0].origin, e.origin);
		ck_assert_uint_eq(o[0].held_until, e.held_until);
		ck_assert(memcmp(o[0].nonce, e.nonce, PCP_NONCE_LEN) == 0);
	}
}

START_TEST(journal_replay_and_compaction)
{
	char *path = tmpname(), err[256];
	struct store *st = store_journal_open(path, err, sizeof(err));
	struct store_report rep;
	struct reg_entry e;
	struct registry r2;
	struct binding b = { 0 };
	struct stat sb;
	off_t before;

	ck_assert_ptr_nonnull(st);
	/* registrations, an operator set, a give-back, a release: journalled */
	for (unsigned i = 0; i < 50; i++) {
		struct in6_addr a = addr(i, 1);
		ck_assert_int_eq(reg(&a, N1, 100, &e, NULL), REG_OK);
		ck_assert_int_eq(store_put(st, &e), 0);
	}
	{
		struct in6_addr a = addr(7, 1);
		ck_assert_int_eq(registry_unregister(&r, &a, N1, 200, &e), REG_OK);
		store_put(st, &e);
		a = addr(8, 1);
		ck_assert_int_eq(registry_release(&r, &a), REG_OK);
		store_del(st, &a);
	}
	b.ipv6 = a6("2001:db8:3::2");
	b.ipv4 = 0xc0000209;
	b.ps = portset_psid(6, 6, 5);
	ck_assert_int_eq(registry_assign(&r, &b, 0, err, sizeof(err)), REG_OK);
	e = (struct reg_entry){ .b = b, .origin = REG_OPERATOR };
	store_put(st, &e);
	r.epoch_start = 42;
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(st->pending, 0);
	store_close(st);
	/* replayed: the same registry */
	registry_init(&r2, &ap);
	st = store_journal_open(path, err, sizeof(err));
	ck_assert_int_eq(store_load(st, &r2, &rep, err, sizeof(err)), 0);
	ck_assert_uint_eq(rep.bad + rep.replaced + rep.refused, 0);
	same_entries(&r, &r2);
	/* a renewal that changes nothing writes nothing */
	stat(path, &sb);
	before = sb.st_size;
	{
		struct in6_addr a = addr(9, 1);
		bool isnew, changed;
		ck_assert_int_eq(registry_register(&r2, &a, N1, 1000, &e, &isnew, &changed), REG_OK);
		ck_assert(!changed);
		ck_assert_int_eq(store_commit(st), 0);
		stat(path, &sb);
		ck_assert_int_eq(sb.st_size, before);
	}
	/* compaction: one line per entry, the renewal's expiry in it */
	r2.epoch_start = 42;
	ck_assert_int_eq(store_compact(st, &r2), 0);
	ck_assert_uint_eq(st->since_compact, 0);
	store_close(st);
	registry_free(&r);
	registry_init(&r, &ap);
	st = store_journal_open(path, err, sizeof(err));
	ck_assert_int_eq(store_load(st, &r, &rep, err, sizeof(err)), 0);
	ck_assert_uint_eq(rep.records, 2 + registry_count(&r2));
	ck_assert_uint_eq(r.epoch_start, 42);
	same_entries(&r2, &r);
	store_close(st);
	registry_free(&r2);
	unlink(path);
}
END_TEST

START_TEST(damaged_state_is_never_fatal)
{
	char *path = tmpname(), err[256];
	struct store *st;
	struct store_report rep;
	struct reg_entry o[4];
	FILE *f = fopen(path, "w");

	/* a duplicated line, two SMAPs on one set, garbage, a set not of the pool, a torn end */
	fputs("# epoch 7\n", f);
	fputs("2001:db8:1::2\t192.0.2.1\t10000-10999\tdynamic\t9999\t0\t0\t0101010101010101010101aa\n", f);
	fputs("2001:db8:1::2\t192.0.2.1\t10000-10999\tdynamic\t9999\t0\t0\t0101010101010101010101aa\n", f);
	fputs("2001:db8:2::2\t192.0.2.1\t10000-10999\tdynamic\t9999\t0\t0\t0202020202020202020202bb\n", f);
	fputs("garbage\tline\n", f);
	fputs("2001:db8:4::2\t192.0.2.1\t10500-10599\tdynamic\t9999\t0\t0\n", f);
	fputs("2001:db8:5::2\t192.0.2.2\t11000-11999\tdynamic\t9999\t0\t0\t0303030303030303030303cc\n", f);
	fputs("2001:db8:6::2\t192.0.2.2\t12000-12999\tdyn", f);
	fclose(f);
	st = store_journal_open(path, err, sizeof(err));
	ck_assert_int_eq(store_load(st, &r, &rep, err, sizeof(err)), 0);
	ck_assert_uint_eq(rep.bad, 1);
	ck_assert_uint_eq(rep.replaced, 1);	/* the duplicate is the same state again */
	ck_assert_uint_eq(rep.refused, 1);
	ck_assert(rep.torn);
	/* newest wins: 2001:db8:2::2 holds 10000-10999 */
	ck_assert_uint_eq(registry_count(&r), 2);
	ck_assert_uint_eq(registry_of(&r, &(struct in6_addr){ 0 }, o, 4), 0);
	ck_assert_uint_eq(registry_of(&r, &((struct in6_addr){ .s6_addr = { 0x20, 1, 0xd, 0xb8, 0, 2, [15] = 2 } }), o, 4), 1);
	ck_assert_uint_eq(o[0].nonce[11], 0xbb);
	ck_assert_uint_eq(r.epoch_start, 7);
	/* the torn line is cut off: what is appended next is a whole line */
	{
		struct reg_entry e;
		struct in6_addr a = addr(9, 9);
		ck_assert_int_eq(reg(&a, N1, 0, &e, NULL), REG_OK);
		store_put(st, &e);
		ck_assert_int_eq(store_commit(st), 0);
	}
	store_close(st);
	registry_free(&r);
	registry_init(&r, &ap);
	st = store_journal_open(path, err, sizeof(err));
	ck_assert_int_eq(store_load(st, &r, &rep, err, sizeof(err)), 0);
	ck_assert(!rep.torn);
	ck_assert_uint_eq(registry_count(&r), 3);
	store_close(st);
	unlink(path);
}
END_TEST

START_TEST(geometry_change_keeps_what_fits)
{
	struct alloc_params bigger = ap;
	struct reg_entry e, o[2];
	struct in6_addr a = addr(1, 1);
	struct pool *old;

	ck_assert_int_eq(reg(&a, N1, 0, &e, NULL), REG_OK);
	bigger.addrs[2] = 0xc0000203;
	bigger.n_addrs = 3;
	ck_assert_int_eq(registry_set_params(&r, &bigger, &old, NULL, NULL), 0);
	ck_assert_ptr_nonnull(old);
	pool_free(old);
	free(old);
	ck_assert_uint_eq(registry_of(&r, &a, o, 2), 1);
	ck_assert(memcmp(&o[0].b, &e.b, sizeof(e.b)) == 0);
	ck_assert_ptr_nonnull(pool_lookup(r.pool, e.b.ipv4, e.b.ps.min));
	ck_assert_uint_eq(r.nfree, 164);
	/* only the times: the same pool */
	bigger.lifetime = 60;
	ck_assert_int_eq(registry_set_params(&r, &bigger, &old, NULL, NULL), 0);
	ck_assert_ptr_null(old);
}
END_TEST

START_TEST(whois_from_the_log_and_its_rotations)
{
	char path[] = "/tmp/test-alloclog-XXXXXX", name[64], cmd[160];
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
	/* rotated: the allocation in path.2.gz, the release in path.1, the assign in path */
	snprintf(name, sizeof(name), "%s.2", path);
	alloclog_open(name);
	alloclog_write(1000, "allocate", &b1);
	alloclog_close();
	snprintf(cmd, sizeof(cmd), "gzip -f %s", name);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(name, sizeof(name), "%s.1", path);
	alloclog_open(name);
	alloclog_write(5000, "release", &b1);
	alloclog_close();
	f = fopen(path, "w");
	fclose(f);
	alloclog_open(path);
	alloclog_write(6000, "assign", &b2);
	alloclog_close();
	ck_assert_int_eq(whois_logs(path, 0xc0000201, 10500, 3000, h, 4), 1);
	ck_assert(memcmp(&h[0].b.ipv6, &b1.ipv6, 16) == 0);
	ck_assert_int_eq(whois_logs(path, 0xc0000201, 10500, 5500, h, 4), 0);
	ck_assert_int_eq(whois_logs(path, 0xc0000201, 10500, 7000, h, 4), 1);
	ck_assert(memcmp(&h[0].b.ipv6, &b2.ipv6, 16) == 0);
	unlink(path);
	unlink(name);
	snprintf(name, sizeof(name), "%s.2.gz", path);
	unlink(name);
	ck_assert_int_eq(whois_logs(path, 0xc0000201, 10500, 7000, h, 4), -1);
}
END_TEST

START_TEST(entry_parse_errors)
{
	struct reg_entry e;
	char err[128], line[256];

	ck_assert(!reg_entry_parse("x", &e, err, sizeof(err)));
	ck_assert(strstr(err, "tab-separated"));
	ck_assert(!reg_entry_parse("nope\t192.0.2.1\t1-2\tdynamic\t0\t0\t0", &e, err, sizeof(err)));
	ck_assert(strstr(err, "IPv6"));
	ck_assert(!reg_entry_parse("::1\t192.0.2\t1-2\tdynamic\t0\t0\t0", &e, err, sizeof(err)));
	ck_assert(!reg_entry_parse("::1\t192.0.2.1\t9-1\tdynamic\t0\t0\t0", &e, err, sizeof(err)));
	ck_assert(!reg_entry_parse("::1\t192.0.2.1\t1-9\tmagic\t0\t0\t0", &e, err, sizeof(err)));
	ck_assert(!reg_entry_parse("::1\t192.0.2.1\t1-9\tdynamic\t5x\t0\t0", &e, err, sizeof(err)));
	ck_assert(!reg_entry_parse("::1\t192.0.2.1\t1-9\tdynamic\t5\t0\t0\tnothex", &e, err, sizeof(err)));
	ck_assert(strstr(err, "nonce"));
	ck_assert(reg_entry_parse("::1\t192.0.2.1\t1-9\tdynamic\t5\t0\t0", &e, err, sizeof(err)));
	ck_assert_uint_eq(e.expires, 5);
	e.nonce[0] = 0xab;
	e.nonce[11] = 0x01;
	reg_entry_format(&e, line, sizeof(line));
	ck_assert(strstr(line, "\tab0000000000000000000001"));
	memset(&e, 0, sizeof(e));
	ck_assert(reg_entry_parse(line, &e, err, sizeof(err)));
	ck_assert_uint_eq(e.nonce[0], 0xab);
	ck_assert_uint_eq(e.nonce[11], 1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("registry");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, register_gives_distinct_sets_and_the_same_again);
	tcase_add_test(tc, slots_are_random_and_exhaust);
	tcase_add_test(tc, allocation_is_not_predictable);
	tcase_add_test(tc, nonce_rules);
	tcase_add_test(tc, subscriber_and_prefix_limits);
	tcase_add_test(tc, expiry_holds_then_frees);
	tcase_add_test(tc, assign_release_and_overlap);
	tcase_add_test(tc, a_dead_slot_cools_before_reuse);
	tcase_add_test(tc, store_change_clears_overlap);
	tcase_add_test(tc, psid_pool);
	tcase_add_test(tc, journal_replay_and_compaction);
	tcase_add_test(tc, damaged_state_is_never_fatal);
	tcase_add_test(tc, geometry_change_keeps_what_fits);
	tcase_add_test(tc, whois_from_the_log_and_its_rotations);
	tcase_add_test(tc, entry_parse_errors);
	suite_add_tcase(s, tc);
	return check_main(s);
}
