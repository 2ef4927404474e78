/* SPDX-License-Identifier: MIT */
/*
 * The SMAP's answers to smap-upnp (upnp_msg.h): its questions become
 * portmap calls under the SMAP's own rules (LAN addresses only, UPnP
 * origin, the port set, the per-host quota by MAC, pcp.max_share); what
 * goes back holds no PCP nonce and no MAC.
 */
#ifndef SMAP_PORTMAP_UPNP_SERVE_H
#define SMAP_PORTMAP_UPNP_SERVE_H

#include <stdbool.h>

#include "smap/portmap/upnp_msg.h"

struct smap;

/* A question: true with its reply in *r. A notice or a reply type: false. */
bool upnp_serve(struct smap *, const struct upnp_msg *q, struct upnp_msg *r);

#endif
