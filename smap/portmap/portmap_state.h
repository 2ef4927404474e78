/* SPDX-License-Identifier: MIT */
/* The mapping table's crash-safe state file: see portmap_state.c. */
#ifndef SMAP_PORTMAP_STATE_H
#define SMAP_PORTMAP_STATE_H

#include <stdint.h>

#include "smap/portmap/maptable.h"

/* "" path: nothing kept. 0, or -1 (logged) and the old file left. */
int portmap_state_save(const char *path, const struct maptable *, uint64_t epoch_base);
/*
 * Into an empty table: expired and malformed lines dropped (the latter
 * logged with file and line). *epoch_base: the file's, else now.
 * A missing file is an empty state. -1 when it cannot be read.
 */
int portmap_state_load(const char *path, struct maptable *, uint64_t now, uint64_t *epoch_base);

#endif
