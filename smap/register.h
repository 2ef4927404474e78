/* SPDX-License-Identifier: MIT */
/*
 * Registration with the PRR (smap.conf: registration = { ... }): the
 * shared address and the port set come from the PRR's PCP server (a MAP
 * request with PORT_SET, RFC 6887 / RFC 7753) instead of the
 * configuration, and are renewed, retried and changed live. The timing
 * is common/pcp_client.c; this is the socket and the glue.
 */
#ifndef SMAP_REGISTER_H
#define SMAP_REGISTER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>

#include "smap/register_conf.h"

struct smap;
struct pollfd;

/* The client socket (UDP, the WAN address, port 5350); first request due at once. */
int register_open(struct smap *);
void register_close(struct smap *);
/* Its poll entry; false when registration is off. */
bool register_pollfd(struct smap *, struct pollfd *);
/* After poll: read answers and ANNOUNCEs, send what is due. */
void register_handle(struct smap *, const struct pollfd *);
/* Milliseconds until something is due, at most max. */
int register_poll_ms(struct smap *, int max);
/* SIGHUP: new server or lifetime, and a request at once. */
void register_reload(struct smap *, const struct smap_register_conf *);
/* "key<TAB>value" lines for smap status */
void register_status(struct smap *, FILE *);

#endif
