/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smap/portmap/neigh.h"

#define ATF_COM	0x02	/* <net/if_arp.h>: the entry is complete */

bool
neigh_arp_find(const char *text, uint32_t addr, uint8_t mac[6])
{
	const char *line = strchr(text, '\n');	/* past the header */

	while (line && *++line) {
		char ip[64], hw[64];
		unsigned type, flags, m[6];
		struct in_addr a;

		if (sscanf(line, "%63s %x %x %63s", ip, &type, &flags, hw) == 4 &&
		    inet_pton(AF_INET, ip, &a) == 1 && ntohl(a.s_addr) == addr &&
		    (flags & ATF_COM) &&
		    sscanf(hw, "%2x:%2x:%2x:%2x:%2x:%2x", &m[0], &m[1], &m[2], &m[3], &m[4],
			   &m[5]) == 6) {
			for (int i = 0; i < 6; i++)
				mac[i] = (uint8_t)m[i];
			return true;
		}
		line = strchr(line, '\n');
	}
	return false;
}

bool
neigh_mac(uint32_t addr, uint8_t mac[6])
{
	char buf[65536];
	FILE *f = fopen("/proc/net/arp", "re");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return neigh_arp_find(buf, addr, mac);
}
