/* SPDX-License-Identifier: MIT */
/*
 * Crash-safe rewrite of a whole file: write to PATH.tmp, fsync, rename
 * over PATH, fsync the directory, so that a crash leaves the old file
 * or the new one, never half of either. The PRR's binding state and the
 * SMAP's port mappings are kept this way.
 *
 *	char tmp[PATH_MAX + 8];
 *	FILE *f = safe_file_open(path, tmp, sizeof(tmp));
 *	... fprintf(f, ...) ...
 *	if (safe_file_commit(f, tmp, path) < 0) ... (errno says why)
 */
#ifndef AP_SAFE_FILE_H
#define AP_SAFE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* Opens PATH.tmp (its name into tmp) for writing; NULL on failure. */
FILE *safe_file_open(const char *path, char *tmp, size_t tmplen);
/* Flush, fsync, close, rename tmp over path, fsync its directory.
 * -1 when any step before the rename fails; tmp is removed then. */
int safe_file_commit(FILE *f, const char *tmp, const char *path);

/*
 * Can path be written: replaced by rename (its directory takes new
 * entries) or, with append, appended to? Directories that do not exist
 * yet count as writable when the nearest one that does takes entries:
 * safe_file_mkdirs makes them at start. 0, or -1 and why in err.
 */
int safe_file_check(const char *path, bool append, char *err, size_t errlen);
/* Make path's missing parent directories, mode 0700 (existing ones are
 * left as they are); 0, or -1 and why in err. */
int safe_file_mkdirs(const char *path, char *err, size_t errlen);
/* The same, the directories it makes given to uid:gid (a daemon that
 * makes them before dropping to that user); (uid_t)-1: left as made. */
int safe_file_mkdirs_owned(const char *path, uid_t uid, gid_t gid, char *err, size_t errlen);

#endif
