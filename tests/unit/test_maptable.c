/* SPDX-License-Identifier: MIT */
/* The SMAP's mapping table shared by PCP, NAT-PMP and UPnP. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smap/portmap/maptable.h"
#include "smap/portmap/neigh.h"
#include "tests/unit/check_main.h"

#define H1	0xc0a8010a	/* 192.168.1.10 */
#define H2	0xc0a8010b	/* 192.168.1.11 */
#define NOW	1000000

static struct mapping
want(uint8_t proto, uint32_t host, uint16_t int_port, uint16_t ext_port, uint8_t nonce_byte)
{
	struct mapping w = {
		.proto = proto, .origin = MAP_ORIGIN_PCP, .int_addr = host,
		.int_port = int_port, .ext_port = ext_port, .enabled = true,
	};

	memset(w.nonce, nonce_byte, sizeof(w.nonce));
	snprintf(w.desc, sizeof(w.desc), "test %u", int_port);
	return w;
}

static struct maptable *
range_table(uint16_t lo, uint16_t hi, unsigned cap, unsigned quota)
{
	struct portset ps = portset_range(lo, hi);
	struct maptable *t = maptable_new(&ps, cap, quota);

	ck_assert_ptr_nonnull(t);
	return t;
}

START_TEST(test_exact_and_nearest)
{
	struct maptable *t = range_table(10000, 10999, 64, 0);
	struct mapping w = want(6, H1, 8080, 10080, 1), out;

	ck_assert_int_eq(maptable_add(t, &w, 3600, false, false, NOW, &out), MAPTABLE_OK);
	ck_assert_uint_eq(out.ext_port, 10080);
	ck_assert_uint_eq(out.expires, NOW + 3600);
	/* another host asks for the same port: the nearest free above */
	w = want(6, H2, 8080, 10080, 2);
	ck_assert_int_eq(maptable_add(t, &w, 3600, false, false, NOW, &out), MAPTABLE_OK);
	ck_assert_uint_eq(out.ext_port, 10081);
	/* exact (PREFER_FAILURE): TAKEN, and OUTSIDE for a port not in the set */
	w = want(6, H2, 8081, 10080, 2);
	ck_assert_int_eq(maptable_add(t, &w, 3600, false, true, NOW, NULL), MAPTABLE_TAKEN);
	w.ext_port = 80;
	ck_assert_int_eq(maptable_add(t, &w, 3600, false, true, NOW, NULL), MAPTABLE_OUTSIDE);
	/* not exact: a port outside the set gets one inside */
	ck_assert_int_eq(maptable_add(t, &w, 3600, false, false, NOW, &out), MAPTABLE_OK);
	ck_assert_uint_eq(out.ext_port, 10000);
	/* UDP on the TCP-held port is free */
	w = want(17, H2, 53, 10080, 3);
	ck_assert_int_eq(maptable_add(t, &w, 60, false, true, NOW, &out), MAPTABLE_OK);
	ck_assert_uint_eq(out.ext_port, 10080);
	ck_assert_uint_eq(maptable_count(t), 4);
	ck_assert_uint_eq(maptable_host_count(t, H2), 3);
	/* listing order: (ext_port, proto) */
	ck_assert_uint_eq(maptable_at(t, 0)->ext_port, 10000);
	ck_assert_uint_eq(maptable_at(t, 1)->proto, 6);
	ck_assert_uint_eq(maptable_at(t, 2)->proto, 17);
	ck_assert_uint_eq(maptable_at(t, 3)->ext_port, 10081);
	ck_assert_ptr_null(maptable_at(t, 4));
	maptable_free(t);
}
END_TEST

START_TEST(test_renewal_keeps_port)
{
	struct maptable *t = range_table(10000, 10999, 64, 0);
	struct mapping w = want(17, H1, 4500, 0, 7), out;
	uint16_t port;

	ck_assert_int_eq(maptable_add(t, &w, 100, false, false, NOW, &out), MAPTABLE_OK);
	port = out.ext_port;
	/* a renewal suggesting another port keeps its own */
	w.ext_port = 10500;
	strcpy(w.desc, "renewed");
	ck_assert_int_eq(maptable_add(t, &w, 200, false, false, NOW + 50, &out), MAPTABLE_RENEWED);
	ck_assert_uint_eq(out.ext_port, port);
	ck_assert_uint_eq(out.expires, NOW + 250);
	ck_assert_str_eq(maptable_find_ext(t, 17, port)->desc, "renewed");
	ck_assert_uint_eq(maptable_count(t), 1);
	maptable_free(t);
}
END_TEST

START_TEST(test_nonce)
{
	struct maptable *t = range_table(10000, 10999, 64, 0);
	struct mapping w = want(6, H1, 22, 10022, 0xaa), out;
	uint8_t other[MAPTABLE_NONCE_LEN];

	ck_assert_int_eq(maptable_add(t, &w, 100, false, false, NOW, NULL), MAPTABLE_OK);
	memset(w.nonce, 0xbb, sizeof(w.nonce));
	ck_assert_int_eq(maptable_add(t, &w, 100, false, false, NOW, NULL), MAPTABLE_NONCE);
	memset(other, 0xbb, sizeof(other));
	ck_assert_int_eq(maptable_del(t, 6, 10022, other, NULL), MAPTABLE_NONCE);
	ck_assert_uint_eq(maptable_count(t), 1);
	/* NAT-PMP and UPnP have no nonce: they renew whatever */
	w.origin = MAP_ORIGIN_NATPMP;
	ck_assert_int_eq(maptable_add(t, &w, 100, false, false, NOW, NULL), MAPTABLE_RENEWED);
	memset(other, 0xaa, sizeof(other));
	ck_assert_int_eq(maptable_del(t, 6, 10022, other, &out), MAPTABLE_OK);
	ck_assert_uint_eq(out.int_port, 22);
	ck_assert_int_eq(maptable_del(t, 6, 10022, NULL, NULL), MAPTABLE_NOT_FOUND);
	maptable_free(t);
}
END_TEST

START_TEST(test_wrap_and_full)
{
	struct maptable *t = range_table(10000, 10003, 64, 0);
	struct mapping w, out;

	for (uint16_t i = 0; i < 3; i++) {
		w = want(6, H1, (uint16_t)(100 + i), (uint16_t)(10001 + i), 1);
		ck_assert_int_eq(maptable_add(t, &w, 60, false, false, NOW, NULL), MAPTABLE_OK);
	}
	/* 10003 asked, held; nothing above: wraps to 10000 */
	w = want(6, H1, 200, 10003, 1);
	ck_assert_int_eq(maptable_add(t, &w, 60, false, false, NOW, &out), MAPTABLE_OK);
	ck_assert_uint_eq(out.ext_port, 10000);
	w = want(6, H1, 201, 10002, 1);
	ck_assert_int_eq(maptable_add(t, &w, 60, false, false, NOW, NULL), MAPTABLE_FULL);
	/* all protocols needs both free: full too, but UDP is not */
	w = want(0, H1, 0, 0, 1);
	ck_assert_int_eq(maptable_add(t, &w, 60, false, false, NOW, NULL), MAPTABLE_FULL);
	w = want(17, H1, 201, 10002, 1);
	ck_assert_int_eq(maptable_add(t, &w, 60, false, false, NOW, &out), MAPTABLE_OK);
	ck_assert_uint_eq(out.ext_port, 10002);
	maptable_free(t);
}
END_TEST

/* Add with a 60 s lifetime and nonce 1. */
static enum maptable_result
add(struct maptable *t, uint8_t proto, uint32_t host, uint16_t int_port, uint16_t ext_port,
    bool exact)
{
	struct mapping w = want(proto, host, int_port, ext_port, 1);

	return maptable_add(t, &w, 60, false, exact, NOW, NULL);
}

START_TEST(test_capacity_full)
{
	struct maptable *t = range_table(10000, 10999, 2, 0);

	ck_assert_int_eq(add(t, 6, H1, 100, 0, false), MAPTABLE_OK);
	ck_assert_int_eq(add(t, 6, H1, 101, 0, false), MAPTABLE_OK);
	ck_assert_int_eq(add(t, 6, H2, 100, 0, false), MAPTABLE_FULL);
	/* a renewal still works at capacity */
	ck_assert_int_eq(add(t, 6, H1, 100, 0, false), MAPTABLE_RENEWED);
	maptable_free(t);
}
END_TEST

/* Mappings never hold more than their share of the set: the NAPT keeps the rest. */
START_TEST(test_share_of_set)
{
	struct maptable *t = range_table(10000, 10009, 64, 0);
	struct mapping gone, out, r;
	bool held[10] = { false };

	maptable_set_share(t, 50);
	for (unsigned i = 0; i < 5; i++) {
		struct mapping w = want(17, H1 + i, 100, 0, 1);

		ck_assert_int_eq(maptable_add(t, &w, 60, false, false, NOW, &out), MAPTABLE_OK);
		held[out.ext_port - 10000] = true;
	}
	/* whichever host asks, the sixth UDP port of ten is refused, and so
	 * is "all protocols"; TCP has its own half */
	ck_assert_int_eq(add(t, 17, H2 + 10, 200, 0, false), MAPTABLE_FULL);
	ck_assert_int_eq(add(t, 0, H2, 0, 0, false), MAPTABLE_FULL);
	ck_assert_int_eq(add(t, 6, H2, 200, 0, false), MAPTABLE_OK);
	/* renewals still work at the limit, and a delete makes room */
	ck_assert_int_eq(add(t, 17, H1, 100, 0, false), MAPTABLE_RENEWED);
	ck_assert_int_eq(maptable_find_int(t, 17, H1, 100) != NULL, 1);
	gone = *maptable_find_int(t, 17, H1, 100);
	ck_assert_int_eq(maptable_del(t, 17, gone.ext_port, NULL, NULL), MAPTABLE_OK);
	held[gone.ext_port - 10000] = false;
	r = want(17, H2, 200, 0, 1);
	ck_assert_int_eq(maptable_add(t, &r, 60, false, false, NOW, &out), MAPTABLE_OK);
	held[out.ext_port - 10000] = true;
	/* a state file restored into a full share is refused too */
	for (unsigned p = 0; p < 10; p++)
		if (!held[p]) {
			r = want(17, H2 + 20, 300, (uint16_t)(10000 + p), 1);
			r.expires = NOW + 60;
			break;
		}
	ck_assert_int_eq(maptable_restore(t, &r), MAPTABLE_FULL);
	maptable_free(t);
}
END_TEST

/* One machine claiming many source addresses still counts once. */
START_TEST(test_quota_by_mac)
{
	struct maptable *t = range_table(10000, 10999, 64, 3);
	static const uint8_t mac_a[6] = { 2, 0, 0, 0, 0, 0xa }, mac_b[6] = { 2, 0, 0, 0, 0, 0xb };

	for (unsigned i = 0; i < 3; i++) {
		struct mapping w = want(6, H1 + i, 100, 0, 1);

		memcpy(w.host_mac, mac_a, 6);
		ck_assert_int_eq(maptable_add(t, &w, 60, false, false, NOW, NULL), MAPTABLE_OK);
	}
	struct mapping w = want(6, H1 + 20, 100, 0, 1);

	memcpy(w.host_mac, mac_a, 6);
	ck_assert_int_eq(maptable_add(t, &w, 60, false, false, NOW, NULL), MAPTABLE_QUOTA);
	/* another machine is not held back; an unknown MAC counts by address */
	memcpy(w.host_mac, mac_b, 6);
	ck_assert_int_eq(maptable_add(t, &w, 60, false, false, NOW, NULL), MAPTABLE_OK);
	w = want(6, H1 + 30, 100, 0, 1);
	ck_assert_int_eq(maptable_add(t, &w, 60, false, false, NOW, NULL), MAPTABLE_OK);
	maptable_free(t);
}
END_TEST

START_TEST(test_neigh_arp)
{
	static const char arp[] =
	    "IP address       HW type     Flags       HW address            Mask     Device\n"
	    "192.168.1.11     0x1         0x0         00:00:00:00:00:00     *        lan0\n"
	    "192.168.1.10     0x1         0x2         02:aa:bb:cc:dd:0e     *        lan0\n";
	uint8_t mac[6];
	static const uint8_t want_mac[6] = { 2, 0xaa, 0xbb, 0xcc, 0xdd, 0x0e };

	ck_assert(neigh_arp_find(arp, H1, mac));
	ck_assert_mem_eq(mac, want_mac, 6);
	ck_assert(!neigh_arp_find(arp, H2, mac));	/* incomplete */
	ck_assert(!neigh_arp_find(arp, 0xc0a80163, mac));	/* absent */
	ck_assert(!neigh_arp_find("IP address HW type\n", H1, mac));
}
END_TEST

START_TEST(test_quota)
{
	struct maptable *t = range_table(10000, 10999, 64, 2);

	ck_assert_int_eq(add(t, 6, H1, 100, 0, false), MAPTABLE_OK);
	ck_assert_int_eq(add(t, 6, H1, 101, 0, false), MAPTABLE_OK);
	ck_assert_int_eq(add(t, 17, H1, 100, 0, false), MAPTABLE_QUOTA);
	ck_assert_int_eq(add(t, 6, H1, 101, 0, false), MAPTABLE_RENEWED);
	ck_assert_int_eq(add(t, 6, H2, 100, 0, false), MAPTABLE_OK);
	maptable_free(t);
}
END_TEST

static unsigned seen;
static uint16_t seen_port;

static void
count_cb(void *arg, const struct mapping *m)
{
	(void)arg;
	seen++;
	seen_port = m->ext_port;
}

START_TEST(test_expiry)
{
	struct maptable *t = range_table(10000, 10999, 64, 0);
	struct mapping w = want(6, H1, 1, 10001, 1);

	ck_assert_int_eq(maptable_add(t, &w, 10, false, false, NOW, NULL), MAPTABLE_OK);
	w = want(6, H1, 2, 10002, 1);
	ck_assert_int_eq(maptable_add(t, &w, 20, false, false, NOW, NULL), MAPTABLE_OK);
	w = want(6, H1, 3, 10003, 1);
	w.origin = MAP_ORIGIN_UPNP;
	ck_assert_int_eq(maptable_add(t, &w, 0, true, false, NOW, NULL), MAPTABLE_OK);
	seen = 0;
	ck_assert_uint_eq(maptable_expire(t, NOW + 9, count_cb, NULL), 0);
	ck_assert_uint_eq(maptable_expire(t, NOW + 10, count_cb, NULL), 1);
	ck_assert_uint_eq(seen_port, 10001);
	ck_assert(!maptable_port_held(t, 6, 10001));
	ck_assert_uint_eq(maptable_expire(t, NOW + 1000000, count_cb, NULL), 1);
	ck_assert_uint_eq(seen, 2);
	/* the static UPnP mapping never expires */
	ck_assert_uint_eq(maptable_count(t), 1);
	ck_assert_uint_eq(maptable_at(t, 0)->expires, 0);
	maptable_free(t);
}
END_TEST

START_TEST(test_set_change)
{
	struct maptable *t = range_table(10000, 10999, 64, 0);
	struct portset ps = portset_range(10500, 11499);
	struct mapping w = want(6, H1, 1, 10001, 1);

	ck_assert_int_eq(maptable_add(t, &w, 60, false, false, NOW, NULL), MAPTABLE_OK);
	w = want(6, H1, 2, 10600, 1);
	ck_assert_int_eq(maptable_add(t, &w, 60, false, false, NOW, NULL), MAPTABLE_OK);
	seen = 0;
	maptable_set_portset(t, &ps, count_cb, NULL);
	ck_assert_uint_eq(seen, 1);
	ck_assert_uint_eq(seen_port, 10001);
	ck_assert_uint_eq(maptable_count(t), 1);
	ck_assert_uint_eq(maptable_portset(t)->min, 10500);
	w = want(6, H1, 3, 11400, 1);
	ck_assert_int_eq(maptable_add(t, &w, 60, false, true, NOW, NULL), MAPTABLE_OK);
	maptable_free(t);
}
END_TEST

START_TEST(test_psid_set)
{
	/* a = 6, k = 8, PSID 0x34: ports 1232-1235, 2256-2259, ... */
	struct portset ps = portset_psid(6, 8, 0x34);
	struct maptable *t = maptable_new(&ps, 300, 0);
	struct mapping w = want(6, H1, 1, 1235, 1), out;

	ck_assert_int_eq(maptable_add(t, &w, 60, false, false, NOW, &out), MAPTABLE_OK);
	ck_assert_uint_eq(out.ext_port, 1235);
	w = want(6, H1, 2, 1235, 1);
	ck_assert_int_eq(maptable_add(t, &w, 60, false, false, NOW, &out), MAPTABLE_OK);
	ck_assert_uint_eq(out.ext_port, 2256);
	/* the top of the set, held, wraps to the bottom */
	w = want(6, H1, 3, 64723, 1);
	ck_assert_int_eq(maptable_add(t, &w, 60, false, false, NOW, NULL), MAPTABLE_OK);
	w = want(6, H1, 4, 64723, 1);
	ck_assert_int_eq(maptable_add(t, &w, 60, false, false, NOW, &out), MAPTABLE_OK);
	ck_assert_uint_eq(out.ext_port, 1232);
	maptable_free(t);
}
END_TEST

START_TEST(test_all_protocols)
{
	struct maptable *t = range_table(10000, 10999, 64, 0);
	struct mapping w = want(0, H1, 0, 10100, 1);

	ck_assert_int_eq(maptable_add(t, &w, 60, false, true, NOW, NULL), MAPTABLE_OK);
	ck_assert(maptable_port_held(t, 6, 10100));
	ck_assert(maptable_port_held(t, 17, 10100));
	ck_assert(maptable_port_held(t, 0, 10100));
	w = want(6, H2, 80, 10100, 1);
	ck_assert_int_eq(maptable_add(t, &w, 60, false, true, NOW, NULL), MAPTABLE_TAKEN);
	w = want(17, H2, 80, 10100, 1);
	ck_assert_int_eq(maptable_add(t, &w, 60, false, true, NOW, NULL), MAPTABLE_TAKEN);
	/* and a TCP-held port blocks "all" */
	w = want(6, H2, 80, 10200, 1);
	ck_assert_int_eq(maptable_add(t, &w, 60, false, true, NOW, NULL), MAPTABLE_OK);
	w = want(0, H2, 0, 10200, 1);
	ck_assert_int_eq(maptable_add(t, &w, 60, false, true, NOW, NULL), MAPTABLE_TAKEN);
	ck_assert_ptr_nonnull(maptable_find_ext(t, 0, 10100));
	ck_assert_ptr_null(maptable_find_ext(t, 6, 10100));
	ck_assert_int_eq(maptable_del(t, 0, 10100, NULL, NULL), MAPTABLE_OK);
	ck_assert(!maptable_port_held(t, 6, 10100));
	maptable_free(t);
}
END_TEST

START_TEST(test_invalid)
{
	struct maptable *t = range_table(10000, 10999, 64, 0);
	struct mapping w = want(1, H1, 1, 0, 1);

	ck_assert_int_eq(maptable_add(t, &w, 60, false, false, NOW, NULL), MAPTABLE_INVALID);
	w = want(6, 0, 1, 0, 1);
	ck_assert_int_eq(maptable_add(t, &w, 60, false, false, NOW, NULL), MAPTABLE_INVALID);
	w = want(6, H1, 0, 0, 1);
	ck_assert_int_eq(maptable_add(t, &w, 60, false, false, NOW, NULL), MAPTABLE_INVALID);
	ck_assert_uint_eq(maptable_count(t), 0);
	maptable_free(t);
}
END_TEST

static void
same_mapping(const struct mapping *a, const struct mapping *b)
{
	ck_assert_uint_eq(a->proto, b->proto);
	ck_assert_uint_eq(a->origin, b->origin);
	ck_assert_uint_eq(a->ext_port, b->ext_port);
	ck_assert_uint_eq(a->int_addr, b->int_addr);
	ck_assert_uint_eq(a->int_port, b->int_port);
	ck_assert_int_eq(a->enabled, b->enabled);
	ck_assert_uint_eq(a->remote_addr, b->remote_addr);
	ck_assert_uint_eq(a->remote_port, b->remote_port);
	ck_assert_uint_eq(a->lifetime, b->lifetime);
	ck_assert_uint_eq(a->expires, b->expires);
	ck_assert_int_eq(memcmp(a->nonce, b->nonce, MAPTABLE_NONCE_LEN), 0);
	ck_assert_str_eq(a->desc, b->desc);
}

START_TEST(test_format_parse)
{
	struct mapping m = want(17, H1, 4500, 10999, 0), back;
	char line[512];

	for (unsigned i = 0; i < MAPTABLE_NONCE_LEN; i++)
		m.nonce[i] = (uint8_t)(i * 17);
	m.origin = MAP_ORIGIN_NATPMP;
	m.remote_addr = 0xc6336401;
	m.remote_port = 443;
	m.lifetime = 7200;
	m.expires = 1790000000ull;
	strcpy(m.desc, " two  spaces, and a trailing one ");
	ck_assert_int_lt(maptable_format_line(&m, line, sizeof(line)), (int)sizeof(line));
	ck_assert_str_eq(line, "udp natpmp 10999 192.168.1.10 4500 1 198.51.100.1 443 7200 "
			 "1790000000 00112233445566778899aabb  two  spaces, and a trailing one ");
	ck_assert(maptable_parse_line(line, &back));
	same_mapping(&m, &back);

	m = want(0, H2, 0, 10000, 0xff);
	m.enabled = false;
	m.desc[0] = '\0';
	m.origin = MAP_ORIGIN_UPNP;
	maptable_format_line(&m, line, sizeof(line));
	memset(&back, 0x55, sizeof(back));
	ck_assert(maptable_parse_line(line, &back));
	same_mapping(&m, &back);
}
END_TEST

static const char *const bad_lines[] = {
	"",
	"tcp",
	"icmp pcp 10000 192.168.1.10 80 1 0.0.0.0 0 60 100 000000000000000000000000 x",
	"tcp ftp 10000 192.168.1.10 80 1 0.0.0.0 0 60 100 000000000000000000000000 x",
	"tcp pcp 0 192.168.1.10 80 1 0.0.0.0 0 60 100 000000000000000000000000 x",
	"tcp pcp 65536 192.168.1.10 80 1 0.0.0.0 0 60 100 000000000000000000000000 x",
	"tcp pcp 10000 192.168.1 80 1 0.0.0.0 0 60 100 000000000000000000000000 x",
	"tcp pcp 10000 192.168.1.10 0 1 0.0.0.0 0 60 100 000000000000000000000000 x",
	"tcp pcp 10000 192.168.1.10 80 2 0.0.0.0 0 60 100 000000000000000000000000 x",
	"tcp pcp 10000 192.168.1.10 80 1 0.0.0.0 -1 60 100 000000000000000000000000 x",
	"tcp pcp 10000 192.168.1.10 80 1 0.0.0.0 0 4294967296 100 000000000000000000000000 x",
	"tcp pcp 10000 192.168.1.10 80 1 0.0.0.0 0 60 1e3 000000000000000000000000 x",
	"tcp pcp 10000 192.168.1.10 80 1 0.0.0.0 0 60 100 00000000000000000000000 x",
	"tcp pcp 10000 192.168.1.10 80 1 0.0.0.0 0 60 100 00000000000000000000000g x",
	"tcp pcp 10000 0.0.0.0 80 1 0.0.0.0 0 60 100 000000000000000000000000 x",
	"tcp pcp 10000 192.168.1.10 80 1 0.0.0.0 0 60 100 000000000000000000000000 tab\there",
	"tcp pcp 10000 192.168.1.10 80 1 0.0.0.0 0 60 100",
	"tcp  pcp 10000 192.168.1.10 80 1 0.0.0.0 0 60 100 000000000000000000000000 x",
};

START_TEST(test_parse_bad)
{
	struct mapping m;

	ck_assert_msg(!maptable_parse_line(bad_lines[_i], &m), "accepted: %s", bad_lines[_i]);
}
END_TEST

START_TEST(test_parse_long_desc)
{
	char line[512];
	struct mapping m;
	int n;

	n = snprintf(line, sizeof(line), "tcp pcp 10000 192.168.1.10 80 1 0.0.0.0 0 60 100 "
		     "000000000000000000000000 ");
	memset(line + n, 'x', MAPTABLE_DESC_MAX);
	line[n + MAPTABLE_DESC_MAX] = '\0';
	ck_assert(maptable_parse_line(line, &m));
	line[n + MAPTABLE_DESC_MAX] = 'x';
	line[n + MAPTABLE_DESC_MAX + 1] = '\0';
	ck_assert(!maptable_parse_line(line, &m));
}
END_TEST

START_TEST(test_desc_sanitized)
{
	struct maptable *t = range_table(10000, 10999, 64, 0);
	struct mapping w = want(6, H1, 80, 0, 1), out;

	strcpy(w.desc, "bad\nline\x01");
	ck_assert_int_eq(maptable_add(t, &w, 60, false, false, NOW, &out), MAPTABLE_OK);
	ck_assert_str_eq(out.desc, "bad?line?");
	ck_assert_str_eq(maptable_result_name(MAPTABLE_QUOTA), "host quota reached");
	ck_assert_str_eq(map_origin_name(MAP_ORIGIN_UPNP), "upnp");
	maptable_free(t);
}
END_TEST

struct run_log {
	unsigned n;
	uint16_t lo[16], hi[16];
};

static void
log_run(void *arg, uint16_t lo, uint16_t hi)
{
	struct run_log *l = arg;

	ck_assert_uint_lt(l->n, 16);
	l->lo[l->n] = lo;
	l->hi[l->n] = hi;
	l->n++;
}

/* Only the first 16 runs are kept. */
static void
log_run_cap(void *arg, uint16_t lo, uint16_t hi)
{
	struct run_log *l = arg;

	if (l->n < 16)
		log_run(arg, lo, hi);
}

START_TEST(test_free_runs)
{
	struct maptable *t = range_table(10000, 10999, 64, 0);
	static const uint16_t held[] = { 10000, 10500, 10501, 10999 };
	struct run_log l = { 0 };
	struct mapping w;

	ck_assert_uint_eq(maptable_free_runs(t, log_run, &l), 1);
	ck_assert_uint_eq(l.lo[0], 10000);
	ck_assert_uint_eq(l.hi[0], 10999);
	for (unsigned i = 0; i < 4; i++) {
		w = want(6, H1, (uint16_t)(1 + i), held[i], 1);
		ck_assert_int_eq(maptable_add(t, &w, 60, false, true, NOW, NULL), MAPTABLE_OK);
	}
	/* TCP and UDP on one port: excluded once */
	w = want(17, H1, 9, 10500, 1);
	ck_assert_int_eq(maptable_add(t, &w, 60, false, true, NOW, NULL), MAPTABLE_OK);
	memset(&l, 0, sizeof(l));
	ck_assert_uint_eq(maptable_free_runs(t, log_run, &l), 2);
	ck_assert_uint_eq(l.lo[0], 10001);
	ck_assert_uint_eq(l.hi[0], 10499);
	ck_assert_uint_eq(l.lo[1], 10502);
	ck_assert_uint_eq(l.hi[1], 10998);
	maptable_free(t);

	/* a PSID set: each block split on its own */
	{
		struct portset ps = portset_psid(6, 8, 0x34);

		t = maptable_new(&ps, 16, 0);
		w = want(6, H1, 1, 1233, 1);
		ck_assert_int_eq(maptable_add(t, &w, 60, false, true, NOW, NULL), MAPTABLE_OK);
		memset(&l, 0, sizeof(l));
		/* 63 blocks, the first split in two */
		ck_assert_uint_eq(maptable_free_runs(t, log_run_cap, &l), 64);
		ck_assert_uint_eq(l.lo[0], 1232);
		ck_assert_uint_eq(l.hi[0], 1232);
		ck_assert_uint_eq(l.lo[1], 1234);
		ck_assert_uint_eq(l.hi[1], 1235);
		ck_assert_uint_eq(l.lo[2], 2256);
		maptable_free(t);
	}
}
END_TEST

START_TEST(test_restore)
{
	struct maptable *t = range_table(10000, 10999, 64, 0);
	struct mapping m = want(6, H1, 80, 10080, 1);

	m.lifetime = 3600;
	m.expires = NOW + 10;
	ck_assert_int_eq(maptable_restore(t, &m), MAPTABLE_OK);
	ck_assert_uint_eq(maptable_find_ext(t, 6, 10080)->expires, NOW + 10);
	ck_assert_uint_eq(maptable_find_ext(t, 6, 10080)->lifetime, 3600);
	m.int_port = 81;
	ck_assert_int_eq(maptable_restore(t, &m), MAPTABLE_TAKEN);
	m.ext_port = 10081;
	m.int_port = 80;
	ck_assert_int_eq(maptable_restore(t, &m), MAPTABLE_TAKEN);
	m.int_port = 81;
	m.ext_port = 9999;
	ck_assert_int_eq(maptable_restore(t, &m), MAPTABLE_OUTSIDE);
	m.ext_port = 0;
	ck_assert_int_eq(maptable_restore(t, &m), MAPTABLE_INVALID);
	ck_assert_uint_eq(maptable_count(t), 1);
	maptable_free(t);
}
END_TEST

static Suite *
maptable_suite(void)
{
	Suite *s = suite_create("maptable");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_exact_and_nearest);
	tcase_add_test(tc, test_share_of_set);
	tcase_add_test(tc, test_quota_by_mac);
	tcase_add_test(tc, test_neigh_arp);
	tcase_add_test(tc, test_renewal_keeps_port);
	tcase_add_test(tc, test_nonce);
	tcase_add_test(tc, test_wrap_and_full);
	tcase_add_test(tc, test_capacity_full);
	tcase_add_test(tc, test_quota);
	tcase_add_test(tc, test_expiry);
	tcase_add_test(tc, test_set_change);
	tcase_add_test(tc, test_psid_set);
	tcase_add_test(tc, test_all_protocols);
	tcase_add_test(tc, test_invalid);
	tcase_add_test(tc, test_format_parse);
	tcase_add_loop_test(tc, test_parse_bad, 0, sizeof(bad_lines) / sizeof(bad_lines[0]));
	tcase_add_test(tc, test_parse_long_desc);
	tcase_add_test(tc, test_desc_sanitized);
	tcase_add_test(tc, test_free_runs);
	tcase_add_test(tc, test_restore);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(maptable_suite());
}
