/* SPDX-License-Identifier: MIT */
/*
 * The UPnP IGD on the SMAP's LAN, SMAP side (README "UPnP IGD"): runs
 * smap-upnp (smap/upnpd/) as an unprivileged child, answers its
 * questions about the mapping table over their socketpair, restarts it
 * with backoff when it dies.
 */
#ifndef SMAP_UPNP_H
#define SMAP_UPNP_H

#include <poll.h>
#include <stdint.h>
#include <stdio.h>

struct smap;

/* After portmap_init, when cfg.upnp.enable: 0, or -1 (nothing left running). */
int upnp_start(struct smap *);
/* The child stopped (ssdp:byebye), description files removed; safe to call twice. */
void upnp_stop(void);
/* The child's socket to poll for reading: 1, or 0 when none. */
unsigned upnp_pollfd(struct pollfd *);
/* After poll: its questions answered, a bounded number per call. */
void upnp_handle(struct smap *, const struct pollfd *);
/* From the main loop every second: reaps a dead child, restarts it when due. */
void upnp_tick(void);
/* The counters as "name<TAB>value<TAB>doc" lines (smap stats). */
void upnp_stats(FILE *);

#endif
