/* SPDX-License-Identifier: MIT */
/* notify(): the sd_notify datagram over $NOTIFY_SOCKET. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"
#include "tests/unit/check_main.h"

static char dir[64];
static char path[128];

/* a datagram socket bound at name ("@x": abstract), as systemd's */
static int
listener(const char *name)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = strlen(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	ck_assert_int_ge(fd, 0);
	memcpy(sun.sun_path, name, len);
	if (name[0] == '@')
		sun.sun_path[0] = '\0';
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun,
			      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)), 0);
	return fd;
}

static void
received(int fd, char *buf, size_t len)
{
	ssize_t n = recv(fd, buf, len - 1, MSG_DONTWAIT);

	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
}

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test-notify.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
}

static void
teardown(void)
{
	unlink(path);
	rmdir(dir);
	unsetenv("NOTIFY_SOCKET");
}

START_TEST(test_no_socket)
{
	unsetenv("NOTIFY_SOCKET");
	ck_assert_int_eq(notify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	ck_assert_int_eq(notify("READY=1"), 0);
}
END_TEST

START_TEST(test_path)
{
	int fd = listener(path);
	char buf[256];

	setenv("NOTIFY_SOCKET", path, 1);
	ck_assert_int_eq(notify("READY=1"), 0);
	received(fd, buf, sizeof(buf));
	ck_assert_str_eq(buf, "READY=1");
	ck_assert_int_eq(notify("STOPPING=1"), 0);
	received(fd, buf, sizeof(buf));
	ck_assert_str_eq(buf, "STOPPING=1");
	close(fd);
}
END_TEST

START_TEST(test_abstract)
{
	char name[64], buf[256];
	int fd;

	snprintf(name, sizeof(name), "@test-notify-%d", (int)getpid());
	fd = listener(name);
	setenv("NOTIFY_SOCKET", name, 1);
	ck_assert_int_eq(notify("READY=1"), 0);
	received(fd, buf, sizeof(buf));
	ck_assert_str_eq(buf, "READY=1");
	close(fd);
}
END_TEST

START_TEST(test_reloading)
{
	int fd = listener(path);
	char buf[256];
	unsigned long long usec = 0;

	setenv("NOTIFY_SOCKET", path, 1);
	ck_assert_int_eq(notify("RELOADING=1"), 0);
	received(fd, buf, sizeof(buf));
	ck_assert_msg(sscanf(buf, "RELOADING=1\nMONOTONIC_USEC=%llu", &usec) == 1, "got '%s'", buf);
	ck_assert(usec > 0);
	close(fd);
}
END_TEST

START_TEST(test_errors)
{
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	errno = 0;
	ck_assert_int_eq(notify("READY=1"), -1);
	ck_assert_int_eq(errno, EINVAL);
	setenv("NOTIFY_SOCKET", path, 1);	/* nobody listens there */
	ck_assert_int_eq(notify("READY=1"), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

static Suite *
notify_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_no_socket);
	tcase_add_test(tc, test_path);
	tcase_add_test(tc, test_abstract);
	tcase_add_test(tc, test_reloading);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(notify_suite());
}
