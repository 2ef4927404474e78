/* SPDX-License-Identifier: MIT */
/*
 * smap-upnp's side of the socketpair (smap/portmap/upnp_msg.h): one
 * question at a time, from any of libupnp's threads, waiting for the
 * SMAP's answer; and the mapping table as an igd_table over it.
 */
#ifndef SMAP_UPNPD_RPC_H
#define SMAP_UPNPD_RPC_H

#include <stdbool.h>

#include "smap/portmap/igd.h"
#include "smap/portmap/upnp_msg.h"

void rpc_init(int fd);
/* Ask and wait for the reply of the expected type; false on any failure. */
bool rpc_call(struct upnp_msg *q, struct upnp_msg *reply);
/* A notice (READY, STATS): no reply. */
bool rpc_send(const struct upnp_msg *);
/* True once the SMAP closed its end: time to go. */
bool rpc_gone(void);
/* The SMAP's table. */
struct igd_table rpc_table(void);

#endif
