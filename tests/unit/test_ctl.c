/* SPDX-License-Identifier: MIT */
/*
 * The control socket and the CLIs' pure parts: JSON output, the request
 * line reader and its limit, the allow list, Prometheus formatting, the
 * NFQUEUE procfs parser, prrctl's argument checks; and the server itself
 * on a real unix socket (a trickling client, an over-long line).
 */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctlsock.h"
#include "json_out.h"
#include "prom.h"
#include "prr/nfq_stats.h"
#include "ctl/prrctl.h"
#include "tests/unit/check_main.h"

/* What f printed, as a string (freed by the caller). */
static char *
captured(void (*fn)(FILE *, void *), void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, arg);
	fclose(f);
	return buf;
}

/* ---- JSON ---- */

static void
print_error(FILE *f, void *arg)
{
	json_out_error(f, "%s", (const char *)arg);
}

START_TEST(test_json_error_valid)
{
	static const char *const msgs[] = { "plain", "quote \" and \\ backslash",
					    "new\nline\ttab\x01", "latin1 \xe9 byte", "" };

	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		char *out = captured(print_error, (void *)msgs[i]);
		json_error_t err;
		json_t *v = json_loads(out, 0, &err);

		ck_assert_msg(v != NULL, "not JSON: %s (%s)", out, err.text);
		ck_assert(json_is_string(json_object_get(v, "error")));
		ck_assert_uint_eq(json_object_size(v), 1);
		ck_assert_int_eq(out[strlen(out) - 1], '\n');
		json_decref(v);
		free(out);
	}
	ck_assert_int_eq(json_out(stdout, NULL), 1);
}
END_TEST

START_TEST(test_json_from_field)
{
	json_t *v;

	v = json_from_field("123");
	ck_assert(json_is_integer(v) && json_integer_value(v) == 123);
	json_decref(v);
	v = json_from_field("0");
	ck_assert(json_is_integer(v) && json_integer_value(v) == 0);
	json_decref(v);
	static const char *const strs[] = { "", "007", "12a", "-1", "1.5", "192.0.2.1",
					    "99999999999999999999" };
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		v = json_from_field(strs[i]);
		ck_assert_msg(json_is_string(v), "'%s' should stay a string", strs[i]);
		ck_assert_str_eq(json_string_value(v), strs[i]);
		json_decref(v);
	}
	v = json_text("a\xff" "b");
	ck_assert_str_eq(json_string_value(v), "a?b");
	json_decref(v);
}
END_TEST

/* ---- request lines ---- */

START_TEST(test_line_feed)
{
	struct ctl_line l = { 0 };

	ck_assert_int_eq(ctl_line_feed(&l, "sta", 3, false), CTL_LINE_MORE);
	ck_assert_int_eq(ctl_line_feed(&l, "ts\r\nrest", 8, false), CTL_LINE_DONE);
	ck_assert_str_eq(l.buf, "stats");
	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(ctl_line_feed(&l, "ping", 4, true), CTL_LINE_DONE);
	ck_assert_str_eq(l.buf, "ping");
	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(ctl_line_feed(&l, "", 0, true), CTL_LINE_MORE);
	ck_assert_int_eq(ctl_line_feed(&l, "a\0b\n", 4, false), CTL_LINE_BAD);
}
END_TEST

START_TEST(test_line_limit)
{
	char big[CTL_LINE_MAX + 10];
	struct ctl_line l = { 0 };

	/* CTL_LINE_MAX - 1 bytes and the newline: accepted whole */
	memset(big, 'x', sizeof(big));
	big[CTL_LINE_MAX - 1] = '\n';
	ck_assert_int_eq(ctl_line_feed(&l, big, CTL_LINE_MAX, false), CTL_LINE_DONE);
	ck_assert_uint_eq(strlen(l.buf), CTL_LINE_MAX - 1);
	/* one more: refused, not cut */
	memset(&l, 0, sizeof(l));
	memset(big, 'x', sizeof(big));
	big[CTL_LINE_MAX] = '\n';
	ck_assert_int_eq(ctl_line_feed(&l, big, CTL_LINE_MAX + 1, false), CTL_LINE_TOO_LONG);
	/* the same, a byte at a time */
	memset(&l, 0, sizeof(l));
	enum ctl_line_state st = CTL_LINE_MORE;
	for (int i = 0; i < CTL_LINE_MAX + 1 && st == CTL_LINE_MORE; i++)
		st = ctl_line_feed(&l, big + i, 1, false);
	ck_assert_int_eq(st, CTL_LINE_TOO_LONG);
}
END_TEST

/* ---- allow list ---- */

START_TEST(test_access)
{
	struct ctl_access a = { 0 };
	char err[160];
	gid_t sup[] = { 5, 77 };

	ctl_access_default(&a, 100);
	ck_assert(ctl_access_allows(&a, 0, 0, NULL, 0));	/* root, always */
	ck_assert(ctl_access_allows(&a, 1000, 100, NULL, 0));	/* the socket's group */
	ck_assert(!ctl_access_allows(&a, 1000, 1000, NULL, 0));
	ck_assert(ctl_access_allows(&a, 1000, 1000, (gid_t[]){ 100 }, 1));
	memset(&a, 0, sizeof(a));
	ck_assert(ctl_access_add(&a, "1234", err, sizeof(err)));
	ck_assert(ctl_access_add(&a, "@77", err, sizeof(err)));
	ck_assert(ctl_access_add(&a, "root", err, sizeof(err)));
	ck_assert(ctl_access_allows(&a, 1234, 9, NULL, 0));
	ck_assert(ctl_access_allows(&a, 4321, 9, sup, 2));
	ck_assert(!ctl_access_allows(&a, 4321, 9, sup, 1));
	ck_assert(!ctl_access_add(&a, "no-such-user-zz", err, sizeof(err)));
	ck_assert(strstr(err, "no-such-user-zz") != NULL);
	ck_assert(!ctl_access_add(&a, "@no-such-group-zz", err, sizeof(err)));
	ck_assert(!ctl_access_add(&a, "", err, sizeof(err)));
	ck_assert(!ctl_access_add(&a, "12x", err, sizeof(err)));
	for (int i = a.n_uids; i < CTL_MAX_IDS; i++)
		ck_assert(ctl_access_add(&a, "7", err, sizeof(err)));
	ck_assert(!ctl_access_add(&a, "7", err, sizeof(err)));
}
END_TEST

/* ---- Prometheus ---- */

static void
prom_some(FILE *f, void *arg)
{
	prom_metric(f, "prr", "in4_packets", "IPv4 packets\nfrom \\ there", PROM_COUNTER, 42);
	prom_family(f, "prr", "nfqueue_backlog", "waiting", PROM_GAUGE);
	prom_sample(f, "prr", "nfqueue_backlog", PROM_GAUGE, "queue", "a\"b\\c\nd", 7);
	prom_metric(f, "", "9bad-name.x", "odd", PROM_GAUGE, 1);
}

START_TEST(test_prom_format)
{
	char *out = captured(prom_some, NULL);

	ck_assert_str_eq(out,
		"# HELP prr_in4_packets_total IPv4 packets\\nfrom \\\\ there\n"
		"# TYPE prr_in4_packets_total counter\n"
		"prr_in4_packets_total 42\n"
		"# HELP prr_nfqueue_backlog waiting\n"
		"# TYPE prr_nfqueue_backlog gauge\n"
		"prr_nfqueue_backlog{queue=\"a\\\"b\\\\c\\nd\"} 7\n"
		"# HELP _bad_name_x odd\n"
		"# TYPE _bad_name_x gauge\n"
		"_bad_name_x 1\n");
	free(out);
}
END_TEST

static void
prom_lines(FILE *f, void *arg)
{
	ck_assert_uint_eq(prom_stat_lines(f, "smap", arg), 2);
}

START_TEST(test_prom_stat_lines)
{
	char *out = captured(prom_lines, "in_packets\t5\tpackets in\n"
					 "status_only\tvalue\n"
					 "bad\tx1\tnot a number\n"
					 "pcp_result_success\t18446744073709551615\tlast line, no newline");

	ck_assert_str_eq(out,
		"# HELP smap_in_packets_total packets in\n"
		"# TYPE smap_in_packets_total counter\n"
		"smap_in_packets_total 5\n"
		"# HELP smap_pcp_result_success_total last line, no newline\n"
		"# TYPE smap_pcp_result_success_total counter\n"
		"smap_pcp_result_success_total 18446744073709551615\n");
	free(out);
}
END_TEST

/* ---- NFQUEUE procfs ---- */

START_TEST(test_nfq_stats)
{
	static char text[] =
		"    0  12345     3 2 65531     7     9     1000  1\n"
		"    1  12346     0 2 65531     0     2      200  1\n"
		"    9  12347     5 2 65531     1     1       10  1\n"
		"garbage line\n";
	struct nfq_qstat q[2], one;
	bool found[2];
	FILE *f = fmemopen(text, strlen(text), "r");

	ck_assert(nfq_stats_parse_line("    0  1     3 2 65531     7     9     1000  1\n", &one));
	ck_assert_uint_eq(one.queue_total, 3);
	ck_assert_uint_eq(one.queue_dropped, 7);
	ck_assert_uint_eq(one.user_dropped, 9);
	ck_assert(!nfq_stats_parse_line("0 1 2 3 4 5 6 7\n", &one));
	ck_assert(!nfq_stats_parse_line("0 1 2 3 4 5 6 7 1 extra\n", &one));
	ck_assert_uint_eq(nfq_stats_read(f, 0, 2, q, found), 2);
	fclose(f);
	ck_assert(found[0] && found[1]);
	ck_assert_uint_eq(q[0].queue_dropped, 7);
	ck_assert_uint_eq(q[1].user_dropped, 2);
	ck_assert_uint_eq(q[1].queue, 1);
}
END_TEST

/* ---- prrctl arguments ---- */

START_TEST(test_prrctl_index)
{
	unsigned v;

	ck_assert(prrctl_parse_index("0", 255, &v) && v == 0);
	ck_assert(prrctl_parse_index("255", 255, &v) && v == 255);
	static const char *const bad[] = { "x", "0junk", "", "-1", "+1", " 1", "1 ", "256",
					   "0x1", "99999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!prrctl_parse_index(bad[i], 255, &v), "'%s' accepted", bad[i]);
}
END_TEST

START_TEST(test_prrctl_v4port)
{
	uint32_t a;
	int p;

	ck_assert(prrctl_parse_v4port("192.0.2.1:10000", true, &a, &p));
	ck_assert_uint_eq(a, 0xc0000201);
	ck_assert_int_eq(p, 10000);
	ck_assert(prrctl_parse_v4port("192.0.2.1", false, &a, &p) && p == -1);
	ck_assert(!prrctl_parse_v4port("192.0.2.1", true, &a, &p));
	ck_assert(!prrctl_parse_v4port("192.0.2.1:", true, &a, &p));
	ck_assert(!prrctl_parse_v4port("192.0.2.1:65536", true, &a, &p));
	ck_assert(!prrctl_parse_v4port("192.0.2.1:80x", true, &a, &p));
	ck_assert(!prrctl_parse_v4port("192.0.2.1x:80", true, &a, &p));
	ck_assert(!prrctl_parse_v4port("192.0.2:80", true, &a, &p));
	ck_assert_int_eq(prrctl_parse_time("1700000000"), 1700000000);
	ck_assert_int_eq(prrctl_parse_time("2026-11-23T14:02:00Z"), 1795442520);
	ck_assert_int_eq(prrctl_parse_time("2026-11-23T14:02:00"), -1);
	ck_assert_int_eq(prrctl_parse_time("17x"), -1);
}
END_TEST

START_TEST(test_prrctl_check_args)
{
	char err[256];
	char *ok[] = { "2001:db8::1", "192.0.2.1", "1000-1999", "1" };
	char *badbr[] = { "2001:db8::1", "192.0.2.1", "1000-1999", "0junk" };
	char *bad6[] = { "2001:db8::1::2", "192.0.2.1", "1000-1999" };
	char *badps[] = { "2001:db8::1", "192.0.2.1", "1999-1000" };
	char *show[] = { "192.0.2.1:80" };
	char *whois[] = { "192.0.2.1:80", "--at", "2026-11-23T14:02:00Z" };

	ck_assert(prrctl_check_args("assign", 4, ok, err, sizeof(err)));
	ck_assert(prrctl_check_args("assign", 3, ok, err, sizeof(err)));
	ck_assert(!prrctl_check_args("assign", 0, ok, err, sizeof(err)));
	ck_assert(strstr(err, "missing the SMAP's IPv6 address"));
	ck_assert(!prrctl_check_args("assign", 2, ok, err, sizeof(err)));
	ck_assert(strstr(err, "missing the port set"));
	ck_assert(!prrctl_check_args("assign", 4, badbr, err, sizeof(err)));
	ck_assert(strstr(err, "softwire index '0junk'"));
	ck_assert(!prrctl_check_args("assign", 3, bad6, err, sizeof(err)));
	ck_assert(!prrctl_check_args("assign", 3, badps, err, sizeof(err)));
	ck_assert(prrctl_check_args("show", 1, show, err, sizeof(err)));
	ck_assert(prrctl_check_args("show", 1, ok, err, sizeof(err)));
	ck_assert(!prrctl_check_args("show", 1, badbr + 3, err, sizeof(err)));
	ck_assert(!prrctl_check_args("show", 0, show, err, sizeof(err)));
	ck_assert(prrctl_check_args("whois", 3, whois, err, sizeof(err)));
	ck_assert(prrctl_check_args("whois", 1, whois, err, sizeof(err)));
	ck_assert(!prrctl_check_args("whois", 2, whois, err, sizeof(err)));
	ck_assert(!prrctl_check_args("whois", 1, ok + 1, err, sizeof(err)));
	ck_assert(prrctl_check_args("release", 1, ok, err, sizeof(err)));
	ck_assert(!prrctl_check_args("release", 1, ok + 1, err, sizeof(err)));
	ck_assert(!prrctl_check_args("release", 0, ok, err, sizeof(err)));
	ck_assert(prrctl_check_args("list", 0, ok, err, sizeof(err)));
	ck_assert(!prrctl_check_args("list", 1, ok, err, sizeof(err)));
}
END_TEST

/* ---- the server on a real socket ---- */

struct srv {
	char path[108];
	atomic_int stop;
	struct ctl_server *cs;
};

static void
echo_handler(void *arg, char *line, FILE *f)
{
	fprintf(f, "got\t%s\n", line);
}

static void *
serve(void *arg)
{
	struct srv *s = arg;

	while (!atomic_load(&s->stop)) {
		struct pollfd p[CTL_POLLFDS];
		unsigned n = ctl_server_pollfds(s->cs, p, CTL_POLLFDS);

		poll(p, n, 50);
		ctl_server_handle(s->cs, p, n);
	}
	return NULL;
}

static void
srv_start(struct srv *s, pthread_t *t)
{
	struct ctl_access a = { 0 };

	snprintf(s->path, sizeof(s->path), "/tmp/ap-test-ctl.%d.sock", (int)getpid());
	ctl_access_default(&a, getegid());
	s->cs = ctl_server_open(s->path, &a, echo_handler, NULL);
	ck_assert_ptr_nonnull(s->cs);
	atomic_store(&s->stop, 0);
	pthread_create(t, NULL, serve, s);
}

static void
srv_stop(struct srv *s, pthread_t t)
{
	atomic_store(&s->stop, 1);
	pthread_join(t, NULL);
	ctl_server_close(s->cs);
	ck_assert_int_eq(access(s->path, F_OK), -1);	/* the file is gone */
}

static int
raw_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sun.sun_path, path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

START_TEST(test_server_live)
{
	struct srv s;
	pthread_t t;
	char err[256], line[CTL_LINE_MAX * 2];
	FILE *f;
	int slow;
	uint64_t t0;

	srv_start(&s, &t);
	/* a client that sends half a line and waits */
	slow = raw_connect(s.path);
	ck_assert_int_eq(write(slow, "sta", 3), 3);
	/* another is answered at once meanwhile */
	t0 = mono_ms();
	f = ctl_request(s.path, "ping", err, sizeof(err));
	ck_assert_msg(f != NULL, "%s", err);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_str_eq(line, "got\tping\n");
	fclose(f);
	ck_assert_uint_lt(mono_ms() - t0, 1000);
	/* the slow one is cut at the deadline */
	struct timeval tv = { .tv_sec = 5 };
	setsockopt(slow, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	t0 = mono_ms();
	ck_assert_int_le(read(slow, line, sizeof(line)), 0);
	ck_assert_uint_lt(mono_ms() - t0, CTL_DEADLINE_MS + 500);
	close(slow);
	/* an over-long line: an error reply, not a cut request */
	int fd = raw_connect(s.path);
	memset(line, 'a', sizeof(line));
	line[sizeof(line) - 1] = '\n';
	ck_assert_int_eq(write(fd, line, sizeof(line)), (ssize_t)sizeof(line));
	shutdown(fd, SHUT_WR);
	f = fdopen(fd, "r");
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_msg(strncmp(line, "error\trequest longer than", 25) == 0, "%s", line);
	ck_assert_ptr_null(fgets(line, sizeof(line), f));	/* then EOF, no reset */
	ck_assert_int_eq(ferror(f), 0);
	fclose(f);
	/* the client refuses to send one */
	ck_assert_ptr_null(ctl_request(s.path, line, err, sizeof(err)));
	ck_assert(strstr(err, "longer") != NULL);
	srv_stop(&s, t);
}
END_TEST

static Suite *
ctl_suite(void)
{
	Suite *s = suite_create("ctl");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_json_error_valid);
	tcase_add_test(tc, test_json_from_field);
	tcase_add_test(tc, test_line_feed);
	tcase_add_test(tc, test_line_limit);
	tcase_add_test(tc, test_access);
	tcase_add_test(tc, test_prom_format);
	tcase_add_test(tc, test_prom_stat_lines);
	tcase_add_test(tc, test_nfq_stats);
	tcase_add_test(tc, test_prrctl_index);
	tcase_add_test(tc, test_prrctl_v4port);
	tcase_add_test(tc, test_prrctl_check_args);
	tcase_add_test(tc, test_server_live);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(ctl_suite());
}
