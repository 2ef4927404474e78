/* SPDX-License-Identifier: MIT */
/* The SMAP <-> smap-upnp messages (smap/portmap/upnp_msg.c). */
#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "smap/portmap/upnp_msg.h"
#include "tests/unit/check_main.h"

static struct upnp_msg
add_msg(void)
{
	struct upnp_msg m = { .type = UPNP_MSG_ADD, .id = 0x01020304, .lifetime = 3600,
			      .exact = true };

	m.m = (struct mapping){ .proto = IPPROTO_TCP, .origin = MAP_ORIGIN_UPNP,
				.ext_port = 10080, .int_addr = 0xc0a8010a, .int_port = 8080,
				.enabled = true, .remote_addr = 0xcb007101, .remote_port = 0 };
	strcpy(m.m.desc, "e2e-tcp");
	return m;
}

static size_t
enc(const struct upnp_msg *m, uint8_t *buf)
{
	return upnp_msg_encode(m, buf, UPNP_MSG_MAX);
}

/* Every type comes back as it went; one byte less or more is refused. */
START_TEST(test_round_trip)
{
	struct upnp_msg in[] = {
		add_msg(),
		{ .type = UPNP_MSG_DEL, .id = 7, .m = { .proto = IPPROTO_UDP, .ext_port = 10901 } },
		{ .type = UPNP_MSG_AT, .id = 8, .index = 1234567 },
		{ .type = UPNP_MSG_FIND_EXT, .id = 9, .m = { .proto = 0, .ext_port = 1 } },
		{ .type = UPNP_MSG_FIND_INT, .id = 10,
		  .m = { .proto = IPPROTO_TCP, .int_addr = 0xc0a8010b, .int_port = 65535 } },
		{ .type = UPNP_MSG_STATUS, .id = 11 },
		{ .type = UPNP_MSG_READY, .id = 0, .port4 = 49200, .port6 = 49201 },
		{ .type = UPNP_MSG_STATS, .stats = { 1, 2, 0xffffffffffffffffull, 4 } },
		{ .type = UPNP_MSG_R_MAP, .id = 0xffffffff, .result = MAPTABLE_RENEWED,
		  .m = { .proto = IPPROTO_UDP, .origin = MAP_ORIGIN_PCP, .ext_port = 10000,
			 .lifetime = 600, .expires = 1700000600, .host_mac = { 2, 0, 0, 0, 0, 1 } } },
		{ .type = UPNP_MSG_R_STATUS, .id = 12, .ext_addr = 0xc0000201, .count = 1024 },
	};
	uint8_t buf[UPNP_MSG_MAX + 1], again[UPNP_MSG_MAX];

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct upnp_msg out;
		size_t n = enc(&in[i], buf);

		ck_assert_msg(n >= 5, "type %u encodes", in[i].type);
		ck_assert(upnp_msg_decode(buf, n, &out));
		/* every field is in the bytes: the same bytes again, the same message */
		ck_assert_uint_eq(enc(&out, again), n);
		ck_assert_int_eq(memcmp(buf, again, n), 0);
		ck_assert_uint_eq(out.type, in[i].type);
		ck_assert_uint_eq(out.id, in[i].id);
		ck_assert_uint_eq(out.m.ext_port, in[i].m.ext_port);
		ck_assert_str_eq(out.m.desc, in[i].m.desc);
		ck_assert(!upnp_msg_decode(buf, n - 1, &out));
		buf[n] = 0;
		ck_assert(!upnp_msg_decode(buf, n + 1, &out));
		ck_assert_uint_eq(upnp_msg_encode(&in[i], buf, n - 1), 0);	/* short buffer */
	}
}
END_TEST

/* The fixed layout: type, id, then network order. */
START_TEST(test_layout)
{
	struct upnp_msg m = { .type = UPNP_MSG_READY, .id = 0x0a0b0c0d, .port4 = 0x1234,
			      .port6 = 0xabcd };
	const uint8_t want[] = { UPNP_MSG_READY, 0x0a, 0x0b, 0x0c, 0x0d, 0x12, 0x34, 0xab, 0xcd };
	uint8_t buf[UPNP_MSG_MAX];

	ck_assert_uint_eq(enc(&m, buf), sizeof(want));
	ck_assert_int_eq(memcmp(buf, want, sizeof(want)), 0);
	ck_assert_str_eq(upnp_msg_name(UPNP_MSG_READY), "ready");
	ck_assert_str_eq(upnp_msg_name(0), "?");
	ck_assert_str_eq(upnp_msg_name(200), "?");
}
END_TEST

/* Each field out of range makes the packet invalid, on both sides. */
START_TEST(test_fields_checked)
{
	uint8_t buf[UPNP_MSG_MAX], bad[UPNP_MSG_MAX];
	struct upnp_msg m = add_msg(), out;
	size_t n = enc(&m, buf);
	struct upnp_msg ms[] = { add_msg(), add_msg(), add_msg(), add_msg(), add_msg(),
				 add_msg(), add_msg(), add_msg() };

	ms[0].m.proto = 1;		/* ICMP */
	ms[1].m.proto = 0;		/* "all": PCP only */
	ms[2].m.int_port = 0;
	ms[3].lifetime = 0;
	ms[4].lifetime = IGD_MAX_LEASE + 1;
	ms[5].m.origin = MAP_ORIGIN_PCP;
	ms[6].m.expires = 1;
	ms[7].m.host_mac[0] = 2;
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
		ck_assert_msg(enc(&ms[i], bad) == 0, "bad ADD %zu encoded", i);
	/* and the same bytes from the wire: patch a good packet */
	ck_assert(upnp_msg_decode(buf, n, &out));
	memcpy(bad, buf, n);
	bad[5] = 1;			/* proto */
	ck_assert(!upnp_msg_decode(bad, n, &out));
	memcpy(bad, buf, n);
	bad[5 + 1 + 2 + 4 + 2] = 2;	/* enabled neither 0 nor 1 */
	ck_assert(!upnp_msg_decode(bad, n, &out));
	memcpy(bad, buf, n);
	bad[n - 1] = 2;			/* exact */
	ck_assert(!upnp_msg_decode(bad, n, &out));
	memcpy(bad, buf, n);
	bad[0] = 0;			/* type */
	ck_assert(!upnp_msg_decode(bad, n, &out));
	bad[0] = UPNP_MSG_TYPE_MAX;
	ck_assert(!upnp_msg_decode(bad, n, &out));
}
END_TEST

/* Descriptions: printable, NUL-terminated, zeros after the NUL. */
START_TEST(test_desc)
{
	uint8_t buf[UPNP_MSG_MAX];
	struct upnp_msg m = add_msg(), out;
	size_t n = enc(&m, buf), at;

	ck_assert(upnp_msg_decode(buf, n, &out));
	ck_assert_str_eq(out.m.desc, "e2e-tcp");
	at = (size_t)((uint8_t *)memmem(buf, n, "e2e-tcp", 7) - buf);
	buf[at + 1] = '\n';
	ck_assert(!upnp_msg_decode(buf, n, &out));
	buf[at + 1] = '2';
	buf[at + 20] = 'x';			/* after the NUL */
	ck_assert(!upnp_msg_decode(buf, n, &out));
	buf[at + 20] = 0;
	memset(buf + at, 'a', MAPTABLE_DESC_MAX + 1);	/* no NUL */
	ck_assert(!upnp_msg_decode(buf, n, &out));
	memset(m.m.desc, 'a', MAPTABLE_DESC_MAX);
	m.m.desc[MAPTABLE_DESC_MAX] = 0;
	ck_assert_uint_eq(enc(&m, buf), n);	/* the longest is fine */
	ck_assert(upnp_msg_decode(buf, n, &out));
	ck_assert_uint_eq(strlen(out.m.desc), MAPTABLE_DESC_MAX);
}
END_TEST

/* Replies: a result the table can give, nothing else. */
START_TEST(test_reply_result)
{
	uint8_t buf[UPNP_MSG_MAX];
	struct upnp_msg r = { .type = UPNP_MSG_R_MAP, .id = 1, .result = MAPTABLE_IO_ERROR }, out;
	size_t n = enc(&r, buf);

	ck_assert(n > 0 && upnp_msg_decode(buf, n, &out));
	buf[5] = MAPTABLE_IO_ERROR + 1;
	ck_assert(!upnp_msg_decode(buf, n, &out));
	r.result = MAPTABLE_IO_ERROR + 1;
	ck_assert_uint_eq(enc(&r, buf), 0);
	ck_assert(!upnp_msg_decode(buf, 0, &out));
	ck_assert(!upnp_msg_decode(buf, 4, &out));
}
END_TEST

static Suite *
upnp_msg_suite(void)
{
	Suite *s = suite_create("upnp_msg");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_layout);
	tcase_add_test(tc, test_fields_checked);
	tcase_add_test(tc, test_desc);
	tcase_add_test(tc, test_reply_result);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(upnp_msg_suite());
}
