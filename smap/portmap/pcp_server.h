/* SPDX-License-Identifier: MIT */
/* The PCP / NAT-PMP server on the LAN: see pcp_server.c. */
#ifndef SMAP_PCP_SERVER_H
#define SMAP_PCP_SERVER_H

#include <stdio.h>

struct smap;
struct pollfd;

/* After portmap_init; nothing when pcp.enable is false. 0 or -1. */
int pcp_server_start(struct smap *);
void pcp_server_stop(struct smap *);
/* SIGHUP: lifetimes and the THIRD_PARTY list from the new config */
void pcp_server_reload(struct smap *);
/* Fill one poll entry when running: returns 0 or 1. */
unsigned pcp_server_pollfd(struct smap *, struct pollfd *);
void pcp_server_handle(struct smap *, const struct pollfd *);
/* "name<TAB>value<TAB>doc" lines for smap stats */
void pcp_server_stats(struct smap *, FILE *);

#endif
