/* SPDX-License-Identifier: MIT */
/* The UPnP IGD on the SMAP's LAN (smap/upnp.c, README "UPnP IGD"). */
#ifndef SMAP_UPNP_H
#define SMAP_UPNP_H

#include <stdint.h>
#include <stdio.h>

#include "smap/portmap/igd.h"

struct smap;

/* After portmap_init, when cfg.upnp.enable: 0, or -1 (nothing left running). */
int upnp_start(struct smap *);
/* ssdp:byebye, libupnp stopped, description files removed; safe to call twice. */
void upnp_stop(void);
/* From the main loop every second: keeps IGD:1 permanent mappings alive. */
void upnp_tick(void);
/* The counters as "name<TAB>value<TAB>doc" lines (smap stats). */
void upnp_stats(FILE *);

#endif
