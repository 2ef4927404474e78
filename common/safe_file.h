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

#include <stddef.h>
#include <stdio.h>

/* Opens PATH.tmp (its name into tmp) for writing; NULL on failure. */
FILE *safe_file_open(const char *path, char *tmp, size_t tmplen);
/* Flush, fsync, close, rename tmp over path, fsync its directory.
 * -1 when any step before the rename fails; tmp is removed then. */
int safe_file_commit(FILE *f, const char *tmp, const char *path);

#endif
