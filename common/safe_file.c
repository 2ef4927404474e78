/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

/* path's directory into dir; "." for a bare name */
static void
parent_of(const char *path, char *dir, size_t len)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(dir, len, "%s", dirname(tmp));
}

int
safe_file_check(const char *path, bool append, char *err, size_t errlen)
{
	char dir[PATH_MAX], up[PATH_MAX];
	struct stat st;

	if (!path[0] || strlen(path) >= PATH_MAX - 8) {
		snprintf(err, errlen, "'%s': not a usable file name", path);
		return -1;
	}
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s is a directory", path);
			return -1;
		}
		if (append) {	/* appended to in place: the file itself is written */
			if (access(path, W_OK) != 0) {
				snprintf(err, errlen, "%s is not writable: %s", path, strerror(errno));
				return -1;
			}
			return 0;
		}
	} else if (errno != ENOENT && errno != ENOTDIR) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* the nearest directory that exists must take new entries */
	parent_of(path, dir, sizeof(dir));
	while (stat(dir, &st) != 0) {
		if (errno != ENOENT && errno != ENOTDIR) {	/* ENOTDIR: a file on the way, found above */
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
			return -1;
		}
		parent_of(dir, up, sizeof(up));
		if (strcmp(up, dir) == 0)
			break;
		snprintf(dir, sizeof(dir), "%s", up);
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is not a directory", dir);
		return -1;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		snprintf(err, errlen, "directory %s is not writable: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int
safe_file_mkdirs(const char *path, char *err, size_t errlen)
{
	return safe_file_mkdirs_owned(path, (uid_t)-1, (gid_t)-1, err, errlen);
}

int
safe_file_mkdirs_owned(const char *path, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	char dir[PATH_MAX], *p;
	struct stat st;

	parent_of(path, dir, sizeof(dir));
	for (p = dir + 1;; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) == 0) {
			if (uid != (uid_t)-1 && chown(dir, uid, gid) != 0) {
				snprintf(err, errlen, "cannot chown directory %s: %s", dir,
					 strerror(errno));
				return -1;
			}
		} else if (errno != EEXIST) {
			snprintf(err, errlen, "cannot create directory %s: %s", dir, strerror(errno));
			return -1;
		}
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s is not a directory", dir);
			return -1;
		}
		if (last)
			return 0;
		*p = '/';
	}
}
