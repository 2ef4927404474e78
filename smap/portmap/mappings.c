/* SPDX-License-Identifier: MIT */
/*
 * The port mappings (PCP, NAT-PMP, UPnP) for the control socket, shown
 * by `smapctl mappings` (ctl/smapctl.c): protocol, external address:port,
 * internal host:port, seconds left, origin, remote filter and description.
 * Wire (control socket reply), one line each, tab-separated:
 *   map proto ext_addr:ext_port int_addr:int_port left origin remote desc
 * left is "static" for a mapping that never expires; remote is "any" or
 * addr:port (port 0: any port).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smap/portmap/mappings.h"
#include "smap/portmap/portmap.h"
#include "smap/smap.h"

void
mappings_reply(struct smap *s, FILE *f)
{
	unsigned n;
	struct mapping *v = portmap_list(s, &n);
	uint64_t now = portmap_now();
	char ea[INET_ADDRSTRLEN], ia[INET_ADDRSTRLEN], ra[INET_ADDRSTRLEN];

	map_ip4_str(portmap_ext_addr(s), ea);
	for (unsigned i = 0; i < n; i++) {
		const struct mapping *m = &v[i];
		char left[24], remote[32];

		if (m->expires == 0)
			snprintf(left, sizeof(left), "static");
		else
			snprintf(left, sizeof(left), "%llu", (unsigned long long)
				 (m->expires > now ? m->expires - now : 0));
		if (m->remote_addr)
			snprintf(remote, sizeof(remote), "%s:%u", map_ip4_str(m->remote_addr, ra),
				 m->remote_port);
		else
			snprintf(remote, sizeof(remote), "any");
		fprintf(f, "map\t%s\t%s:%u\t%s:%u\t%s\t%s%s\t%s\t%s\n",
			map_proto_name(m->proto), ea, m->ext_port,
			map_ip4_str(m->int_addr, ia), m->int_port, left, map_origin_name(m->origin),
			m->enabled ? "" : ",disabled", remote, m->desc);
	}
	free(v);
}
