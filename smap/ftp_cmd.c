/* SPDX-License-Identifier: MIT */
/* The FTP ALG's command parser: see ftp_cmd.h. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smap/ftp_cmd.h"

/* "h1,h2,h3,h4,p1,p2" */
static bool
parse_hostport(const char *s, struct sockaddr_in *out)
{
	unsigned v[6];

	if (sscanf(s, "%u,%u,%u,%u,%u,%u", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return false;
	for (int i = 0; i < 6; i++)
		if (v[i] > 255)
			return false;
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_addr.s_addr = htonl(v[0] << 24 | v[1] << 16 | v[2] << 8 | v[3]);
	out->sin_port = htons((uint16_t)(v[4] << 8 | v[5]));
	return true;
}

/*
 * "|1|a.b.c.d|port|" (RFC 2428): the delimiter is any printable ASCII
 * character, '%' included, so no scanf format is made of it. IPv6 (2)
 * is not for us.
 */
static bool
parse_eprt(const char *s, struct sockaddr_in *out)
{
	char d = s[0], addr[64], *end;
	const char *a, *z;
	unsigned long port;

	if (d < 33 || d > 126 || s[1] != '1' || s[2] != d)
		return false;
	a = s + 3;
	z = strchr(a, d);
	if (!z || (size_t)(z - a) >= sizeof(addr))
		return false;
	memcpy(addr, a, (size_t)(z - a));
	addr[z - a] = '\0';
	if (z[1] < '0' || z[1] > '9')
		return false;
	port = strtoul(z + 1, &end, 10);
	if (*end != d || port == 0 || port > 65535)
		return false;
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, addr, &out->sin_addr) == 1;
}

enum ftp_cmd
ftp_cmd_parse(const char *line, size_t len, struct sockaddr_in *where)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%.*s", (int)len, line);
	cmd[strcspn(cmd, "\r\n")] = '\0';
	if (strncasecmp(cmd, "PORT ", 5) == 0 && parse_hostport(cmd + 5, where))
		return FTP_CMD_PORT;
	if (strncasecmp(cmd, "EPRT ", 5) == 0 && parse_eprt(cmd + 5, where))
		return FTP_CMD_EPRT;
	return FTP_CMD_OTHER;
}

size_t
ftp_cmd_announce(enum ftp_cmd k, uint32_t a, uint16_t port, char *out, size_t cap)
{
	int n;

	if (k == FTP_CMD_EPRT)
		n = snprintf(out, cap, "EPRT |1|%u.%u.%u.%u|%u|\r\n", a >> 24, (a >> 16) & 255,
			     (a >> 8) & 255, a & 255, port);
	else
		n = snprintf(out, cap, "PORT %u,%u,%u,%u,%u,%u\r\n", a >> 24, (a >> 16) & 255,
			     (a >> 8) & 255, a & 255, port >> 8, port & 255);
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}
