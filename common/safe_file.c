/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "safe_file.h"

FILE *
safe_file_open(const char *path, char *tmp, size_t tmplen)
{
	FILE *f;
	int fd;

	if ((size_t)snprintf(tmp, tmplen, "%s.tmp", path) >= tmplen) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	/*
	 * State files name subscribers: 0600. A stale temporary file (a
	 * crash) or a symlink planted there is removed, never followed, and
	 * O_EXCL makes sure the file we write is the one we created.
	 */
	if (unlink(tmp) < 0 && errno != ENOENT)
		return NULL;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (!f)
		close(fd);
	return f;
}

int
safe_file_commit(FILE *f, const char *tmp, const char *path)
{
	char dir[PATH_MAX];
	int rc = 0, fd;

	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc < 0) {
		int e = errno;

		unlink(tmp);
		errno = e;
		return -1;
	}
	/* the rename itself must reach the disk too */
	snprintf(dir, sizeof(dir), "%s", path);
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}
