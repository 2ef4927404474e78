/* SPDX-License-Identifier: MIT */
/*
 * The one way the SMAP's binding changes: smap_apply() takes the next
 * live binding (smap/live.h) and redoes what it changes: conntrack
 * flush, the softwire socket, the TUN, the nft table and the forwards
 * in it, and the fast path's maps (fastpath.c). Reload, registration,
 * MAP-E rules from the PRR and the path MTU all come through here.
 */
#ifndef SMAP_APPLY_H
#define SMAP_APPLY_H

#include "smap/live.h"

struct smap;

#define SMAP_APPLY_CONFIG	1	/* a reload: the nft table is made again */

/*
 * Make next the binding in force. The data path comes up with the first
 * bound binding. why: for the log. 0, or -1 (logged) when a step failed.
 */
int smap_apply(struct smap *, const struct smap_live *next, unsigned flags, const char *why);
/*
 * The send path only records a new path MTU (smap_mtu_note); the main
 * loop applies it here, outside the packet loop.
 */
void smap_mtu_note(struct smap *, unsigned mtu, const char *why);
int smap_mtu_apply(struct smap *);

#endif
