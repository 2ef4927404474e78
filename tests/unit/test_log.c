/* SPDX-License-Identifier: MIT */
/* common/log.c: severity prefixes and the rate limiter, on an injected clock. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "tests/unit/check_main.h"

START_TEST(test_format_prefix)
{
	char b[128];

	ck_assert_uint_eq(log_format(b, sizeof(b), 1, LOG_WARNING, "smap", "no route", NULL),
			  strlen("<4>smap: no route"));
	ck_assert_str_eq(b, "<4>smap: no route");
	log_format(b, sizeof(b), 1, LOG_ERR | LOG_DAEMON, "prr", "bind", "Address in use");
	ck_assert_str_eq(b, "<3>prr: bind: Address in use");	/* the facility is not a priority */
	log_format(b, sizeof(b), 0, LOG_INFO, "smap", "started", NULL);
	ck_assert_str_eq(b, "smap: started");
	log_format(b, sizeof(b), 1, LOG_DEBUG, "smap", "x", NULL);
	ck_assert_str_eq(b, "<7>smap: x");
	/* truncated, terminated */
	ck_assert_uint_eq(log_format(b, 8, 1, LOG_CRIT, "smap", "long message", NULL), 7);
	ck_assert_str_eq(b, "<2>smap");
}
END_TEST

START_TEST(test_prefix_decision)
{
	ck_assert(!log_want_prefix(0, 1));	/* a terminal: plain */
	ck_assert(log_want_prefix(0, 0));	/* a pipe or file: keep the severity */
	ck_assert(log_want_prefix(1, 0));	/* the journal */
	ck_assert(log_want_prefix(1, 1));
	ck_assert(log_journal_match("8:1234", 8, 1234));
	ck_assert(!log_journal_match("8:1234", 8, 1235));
	ck_assert(!log_journal_match("9:1234", 8, 1234));
	ck_assert(!log_journal_match(NULL, 8, 1234));
	ck_assert(!log_journal_match("", 8, 1234));
	ck_assert(!log_journal_match("8:1234x", 8, 1234));
	ck_assert(!log_journal_match("8", 8, 1234));
}
END_TEST

START_TEST(test_rl_burst_window)
{
	struct log_rl rl;
	static const char fa[] = "a %d", fb[] = "b %d";
	unsigned rep, i, passed = 0;
	const void *key;

	log_rl_init(&rl, 1000, 3);
	for (i = 0; i < 10; i++) {
		passed += log_rl_admit(&rl, fa, 100 + i, &rep);
		ck_assert_uint_eq(rep, 0);
	}
	ck_assert_uint_eq(passed, 3);
	/* another format string has a budget of its own */
	ck_assert(log_rl_admit(&rl, fb, 200, &rep));
	/* still inside the window: nothing to report yet */
	ck_assert(!log_rl_expired(&rl, 1099, &key, &rep));
	ck_assert(!log_rl_admit(&rl, fa, 1099, &rep));
	ck_assert_uint_eq(rep, 0);
	/* the window is over: the next one passes and carries the count */
	ck_assert(log_rl_admit(&rl, fa, 1100, &rep));
	ck_assert_uint_eq(rep, 8);
	ck_assert(log_rl_admit(&rl, fa, 1101, &rep));
	ck_assert_uint_eq(rep, 0);
}
END_TEST

START_TEST(test_rl_expired)
{
	struct log_rl rl;
	static const char fa[] = "a";
	const void *key = NULL;
	unsigned rep, n = 0;

	log_rl_init(&rl, 500, 1);
	ck_assert(log_rl_admit(&rl, fa, 0, &rep));
	ck_assert(!log_rl_admit(&rl, fa, 1, &rep));
	ck_assert(!log_rl_admit(&rl, fa, 2, &rep));
	ck_assert(!log_rl_expired(&rl, 499, &key, &n));
	ck_assert(log_rl_expired(&rl, 500, &key, &n));
	ck_assert_ptr_eq(key, fa);
	ck_assert_uint_eq(n, 2);
	/* reported once only */
	ck_assert(!log_rl_expired(&rl, 10000, &key, &n));
	ck_assert(log_rl_admit(&rl, fa, 10000, &rep));
	ck_assert_uint_eq(rep, 0);
}
END_TEST

/* Full table: a slot that owes a count is never reused, so no count is lost. */
START_TEST(test_rl_full)
{
	struct log_rl rl;
	static char keys[LOG_RL_SLOTS + 1];
	unsigned rep, i, total = 0;
	const void *key;

	log_rl_init(&rl, 1000, 1);
	for (i = 0; i < LOG_RL_SLOTS; i++) {
		ck_assert(log_rl_admit(&rl, &keys[i], 0, &rep));
		ck_assert(!log_rl_admit(&rl, &keys[i], 1, &rep));
	}
	/* no slot free: a new key passes unlimited */
	ck_assert(log_rl_admit(&rl, &keys[LOG_RL_SLOTS], 2, &rep));
	ck_assert(log_rl_admit(&rl, &keys[LOG_RL_SLOTS], 3, &rep));
	while (log_rl_expired(&rl, 1000, &key, &rep))
		total += rep;
	ck_assert_uint_eq(total, LOG_RL_SLOTS);
}
END_TEST

/* stderr into a temporary file while a test logs; its text back */
static char cap_path[64];
static int cap_fd = -1, cap_saved = -1;

static void
capture_begin(void)
{
	snprintf(cap_path, sizeof(cap_path), "/tmp/test_log.XXXXXX");
	cap_fd = mkstemp(cap_path);
	ck_assert_int_ge(cap_fd, 0);
	cap_saved = dup(2);
	dup2(cap_fd, 2);
}

static void
capture_end(char *buf, size_t len)
{
	FILE *f;
	size_t n;

	fflush(stderr);
	dup2(cap_saved, 2);
	close(cap_saved);
	f = fopen(cap_path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	close(cap_fd);
	unlink(cap_path);
}

static uint64_t fake_now;
static uint64_t
fake_clock(void)
{
	return fake_now;
}

/* The logger itself, on stderr redirected to a file, with the fake clock. */
START_TEST(test_logger_end_to_end)
{
	char buf[8192];
	int i;

	capture_begin();
	log_set_clock(fake_clock);
	log_init(1, "t");		/* a file is not a tty: "<N>" */
	fake_now = 5000;
	for (i = 0; i < 25; i++)
		log_warnx("flood %d", i);
	log_info("other");
	fake_now = 5000 + 10000;
	log_info("later");
	log_set_prefix(LOG_PREFIX_NONE);
	log_warnx("plain");
	log_text(LOG_ERR, "f.conf:1: a: bad\nf.conf:2: b: bad\n");
	capture_end(buf, sizeof(buf));
	log_set_clock(NULL);
	ck_assert_msg(strstr(buf, "<4>t: flood 0\n") && strstr(buf, "<4>t: flood 19\n"), "%s", buf);
	ck_assert_msg(!strstr(buf, "flood 20"), "%s", buf);
	ck_assert_msg(strstr(buf, "<6>t: other\n"), "%s", buf);
	ck_assert_msg(strstr(buf, "<5>t: 5 similar messages suppressed (\"flood %d\")\n<6>t: later\n"),
		      "%s", buf);
	ck_assert_msg(strstr(buf, "\nt: plain\nf.conf:1: a: bad\nf.conf:2: b: bad\n"), "%s", buf);
}
END_TEST

/* A supervisor decides through AP_LOG_PREFIX; a forced choice wins over it. */
START_TEST(test_prefix_env)
{
	char buf[512];

	capture_begin();
	setenv("AP_LOG_PREFIX", "0", 1);
	log_init(1, "e");
	log_info("plain although not a tty");
	setenv("AP_LOG_PREFIX", "1", 1);
	log_init(1, "e");
	log_info("prefixed");
	setenv("AP_LOG_PREFIX", "junk", 1);	/* ignored: not a tty, so "<N>" */
	log_init(1, "e");
	log_warnx("auto");
	log_set_prefix(LOG_PREFIX_NONE);
	log_warnx("forced");
	unsetenv("AP_LOG_PREFIX");
	capture_end(buf, sizeof(buf));
	ck_assert_str_eq(buf, "e: plain although not a tty\n<6>e: prefixed\n<4>e: auto\ne: forced\n");
}
END_TEST

/* stderr that is the journal's stream (JOURNAL_STREAM = its dev:ino): "<N>" on config errors too */
START_TEST(test_journal_stream)
{
	char buf[512], env[64];
	struct stat st;

	capture_begin();
	ck_assert_int_eq(fstat(2, &st), 0);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", env, 1);
	log_init(1, "j");
	log_warnx("w");
	log_text(LOG_ERR, "f.conf:1: a: bad\n\nf.conf:2: b: bad");
	setenv("JOURNAL_STREAM", "1:2", 1);	/* another stream: a file, so "<N>" still, text plain */
	log_init(1, "j");
	log_text(LOG_ERR, "f.conf:3: c: bad\n");
	unsetenv("JOURNAL_STREAM");
	capture_end(buf, sizeof(buf));
	ck_assert_str_eq(buf, "<4>j: w\n<3>f.conf:1: a: bad\n<3>f.conf:2: b: bad\nf.conf:3: c: bad\n");
}
END_TEST

static Suite *
log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_format_prefix);
	tcase_add_test(tc, test_prefix_decision);
	tcase_add_test(tc, test_rl_burst_window);
	tcase_add_test(tc, test_rl_expired);
	tcase_add_test(tc, test_rl_full);
	tcase_add_test(tc, test_logger_end_to_end);
	tcase_add_test(tc, test_prefix_env);
	tcase_add_test(tc, test_journal_stream);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(log_suite());
}
