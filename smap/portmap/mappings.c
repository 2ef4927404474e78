/* SPDX-License-Identifier: MIT */
/*
 * smap mappings [-s SOCKET] [--json]: the port mappings (PCP, NAT-PMP,
 * UPnP) with protocol, external address:port, internal host:port,
 * seconds left, origin, remote filter and description.
 * Wire (control socket reply), one line each, tab-separated:
 *   map proto ext_addr:ext_port int_addr:int_port left origin remote desc
 * left is "static" for a mapping that never expires; remote is "any" or
 * addr:port (port 0: any port).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smap/json_str.h"
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

/* "a.b.c.d:port" into its parts, in place */
static char *
split_port(char *s, const char **port)
{
	char *c = strrchr(s, ':');

	*port = "0";
	if (c) {
		*c = '\0';
		*port = c + 1;
	}
	return s;
}

int
mappings_print(FILE *f, int json)
{
	char line[1024];
	unsigned n = 0;

	if (json)
		putchar('[');
	else
		printf("%-5s %-21s %-21s %8s  %-8s %-21s %s\n", "proto", "external", "internal",
		       "left", "origin", "remote", "description");
	while (fgets(line, sizeof(line), f)) {
		char *fld[8], *p = line;
		const char *ep, *ip;
		bool disabled;
		int k;

		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "error\t", 6) == 0) {
			fprintf(stderr, "smap: %s\n", line + 6);
			return 1;
		}
		for (k = 0; k < 8 && p; k++) {
			fld[k] = p;
			p = strchr(p, '\t');
			if (p)
				*p++ = '\0';
		}
		if (k < 8 || strcmp(fld[0], "map") != 0)
			continue;
		if (!json) {
			printf("%-5s %-21s %-21s %8s  %-8s %-21s %s\n", fld[1], fld[2], fld[3],
			       fld[4], fld[5], fld[6], fld[7]);
			n++;
			continue;
		}
		printf("%s{\"proto\":", n++ ? "," : "");
		json_str(fld[1]);
		printf(",\"external_address\":");
		json_str(split_port(fld[2], &ep));
		printf(",\"external_port\":%s,\"internal_address\":", ep);
		json_str(split_port(fld[3], &ip));
		printf(",\"internal_port\":%s,\"lifetime_left\":", ip);
		if (strcmp(fld[4], "static") == 0)
			printf("null");
		else
			printf("%s", fld[4]);
		disabled = strstr(fld[5], ",disabled") != NULL;
		fld[5][strcspn(fld[5], ",")] = '\0';
		printf(",\"origin\":");
		json_str(fld[5]);
		printf(",\"enabled\":%s,\"remote\":", disabled ? "false" : "true");
		json_str(fld[6]);
		printf(",\"description\":");
		json_str(fld[7]);
		putchar('}');
	}
	if (json)
		printf("]\n");
	return 0;
}
