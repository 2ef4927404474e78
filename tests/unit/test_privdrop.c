/* SPDX-License-Identifier: MIT */
/* common/privdrop.c: the keys, the masks, and a drop in a child process. */
#include <check.h>
#include <linux/capability.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "privdrop.h"
#include "privdrop_conf.h"
#include "tests/unit/check_main.h"

START_TEST(test_seccomp_names)
{
	enum privdrop_seccomp m;

	ck_assert(privdrop_seccomp_parse("kill", &m));
	ck_assert_int_eq(m, PRIVDROP_SECCOMP_KILL);
	ck_assert(privdrop_seccomp_parse("off", &m));
	ck_assert_str_eq(privdrop_seccomp_name(m), "off");
	ck_assert(privdrop_seccomp_parse("errno", &m));
	ck_assert_int_eq(m, PRIVDROP_SECCOMP_ERRNO);
	ck_assert(!privdrop_seccomp_parse("KILL", &m));
	ck_assert(!privdrop_seccomp_parse("", &m));
}
END_TEST

START_TEST(test_cap_mask)
{
	static const int none[] = { -1 };
	static const int two[] = { CAP_NET_ADMIN, CAP_NET_RAW, -1 };
	static const int bpf[] = { CAP_BPF, -1 };

	ck_assert_uint_eq(privdrop_cap_mask(none), 0);
	ck_assert_uint_eq(privdrop_cap_mask(two), 0x3000);
	ck_assert_uint_eq(privdrop_cap_mask(bpf), 0x8000000000ULL);
}
END_TEST

static int
load(const char *text, struct privdrop_conf *p)
{
	config_t cfg;
	struct conf_err e = { .file = "test.conf" };

	config_init(&cfg);
	ck_assert_int_eq(config_read_string(&cfg, text), CONFIG_TRUE);
	conf_privdrop(&e, config_root_setting(&cfg), p);
	config_destroy(&cfg);
	return e.count;
}

START_TEST(test_conf)
{
	struct privdrop_conf p;

	ck_assert_int_eq(load("", &p), 0);
	ck_assert_str_eq(p.user, "");
	ck_assert_int_eq(p.seccomp, PRIVDROP_SECCOMP_ERRNO);
	ck_assert_int_eq(load("user = \"ap-prr\"; seccomp = \"kill\";", &p), 0);
	ck_assert_str_eq(p.user, "ap-prr");
	ck_assert_int_eq(p.seccomp, PRIVDROP_SECCOMP_KILL);
	ck_assert_int_eq(load("seccomp = \"strict\";", &p), 1);
	ck_assert_int_eq(load("user = 7;", &p), 1);
	ck_assert_int_eq(load("user = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\";",
			      &p), 1);
}
END_TEST

/* hex CapEff of this process, from /proc */
static unsigned long long
cap_eff(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long v = ~0ULL;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &v) == 1)
			break;
	fclose(f);
	return v;
}

static const int raw_only[] = { CAP_NET_RAW, -1 };
static const char *const *const base_only[] = { privdrop_base_syscalls, NULL };

/* In a child: drop with mode; then getcpu, which no list allows. */
static int
child_drop(enum privdrop_seccomp mode, const char *user)
{
	struct privdrop_conf c = { .seccomp = mode };
	pid_t pid;
	int st;

	snprintf(c.user, sizeof(c.user), "%s", user);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char err[256];
		unsigned cpu;

		if (privdrop(&c, raw_only, base_only, err, sizeof(err)) < 0) {
			fprintf(stderr, "privdrop: %s\n", err);
			_exit(10);
		}
		if (cap_eff() != 0x2000)
			_exit(11);
		if (user[0] && (getuid() != getpwnam(user)->pw_uid || setuid(0) == 0))
			_exit(12);
		if (syscall(SYS_getcpu, &cpu, NULL, NULL) != 0)
			_exit(mode == PRIVDROP_SECCOMP_OFF ? 13 : 0);
		_exit(mode == PRIVDROP_SECCOMP_OFF ? 0 : 14);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return st;
}

START_TEST(test_drop_errno)
{
	int st = child_drop(PRIVDROP_SECCOMP_ERRNO, geteuid() == 0 ? "nobody" : "");

	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
}
END_TEST

START_TEST(test_drop_off)
{
	int st = child_drop(PRIVDROP_SECCOMP_OFF, "");

	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
}
END_TEST

START_TEST(test_drop_kill)
{
	int st = child_drop(PRIVDROP_SECCOMP_KILL, "");

	ck_assert(WIFSIGNALED(st));
	ck_assert_int_eq(WTERMSIG(st), SIGSYS);
}
END_TEST

START_TEST(test_no_user)
{
	struct privdrop_conf c = { .user = "no-such-user-ap" };
	char err[256] = "";

	if (geteuid() != 0)
		return;	/* the name is looked up only when there is a drop to make */
	ck_assert_int_eq(privdrop(&c, raw_only, base_only, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "no user 'no-such-user-ap'");
}
END_TEST

static Suite *
privdrop_suite(void)
{
	Suite *s = suite_create("privdrop");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_seccomp_names);
	tcase_add_test(tc, test_cap_mask);
	tcase_add_test(tc, test_conf);
	tcase_add_test(tc, test_drop_errno);
	tcase_add_test(tc, test_drop_off);
	tcase_add_test(tc, test_drop_kill);
	tcase_add_test(tc, test_no_user);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(privdrop_suite());
}
