/* SPDX-License-Identifier: MIT */
/* Crash-safe rewrites: mode 0600, no symlink followed, stale tmp replaced. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safe_file.h"
#include "tests/unit/check_main.h"

static char dir[] = "/tmp/test_safe_file.XXXXXX";
static char path[PATH_MAX], tmp[PATH_MAX + 8], victim[PATH_MAX];

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
}

static void
teardown(void)
{
	unlink(path);
	unlink(tmp);
	unlink(victim);
	rmdir(dir);
	strcpy(dir, "/tmp/test_safe_file.XXXXXX");
}

static void
write_state(const char *text)
{
	FILE *f = safe_file_open(path, tmp, sizeof(tmp));

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(safe_file_commit(f, tmp, path), 0);
}

static char *
slurp(const char *p)
{
	static char buf[256];
	FILE *f = fopen(p, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

START_TEST(test_mode_0600)
{
	struct stat st;

	umask(022);
	write_state("a\n");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_str_eq(slurp(path), "a\n");
}
END_TEST

START_TEST(test_symlink_not_followed)
{
	FILE *v = fopen(victim, "w");

	fputs("untouched\n", v);
	fclose(v);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ck_assert_int_eq(symlink(victim, tmp), 0);
	write_state("new\n");
	ck_assert_str_eq(slurp(victim), "untouched\n");
	ck_assert_str_eq(slurp(path), "new\n");
}
END_TEST

START_TEST(test_stale_tmp_replaced)
{
	FILE *t;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	t = fopen(tmp, "w");
	fputs("half of an old write", t);
	fclose(t);
	write_state("whole\n");
	ck_assert_str_eq(slurp(path), "whole\n");
	ck_assert_int_ne(access(tmp, F_OK), 0);
}
END_TEST

static Suite *
safe_file_suite(void)
{
	Suite *s = suite_create("safe_file");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_mode_0600);
	tcase_add_test(tc, test_symlink_not_followed);
	tcase_add_test(tc, test_stale_tmp_replaced);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(safe_file_suite());
}
