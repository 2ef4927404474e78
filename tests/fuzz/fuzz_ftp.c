/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the FTP ALG's command parser (smap/ftp_cmd.c):
 * the input is what a LAN client sends on its control connection, cut
 * into lines as smap/ftp.c gathers them (at most 1024 bytes, an overlong
 * line passed on in pieces). Every PORT/EPRT found is answered with the
 * announcement of 192.0.2.1 and a port of the set, which must parse back
 * as the same command, address and port.
 * fuzz-options: -max_len=8192
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smap/ftp_cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LINE_MAX_ALG	1024	/* struct conn's line buffer in smap/ftp.c */

static void
line(const char *p, size_t len, uint16_t port)
{
	struct sockaddr_in where, back;
	enum ftp_cmd k;
	char out[LINE_MAX_ALG + 64];
	size_t n;
	/* a heap copy of exactly len bytes: ASan catches overreads */
	char *l = malloc(len ? len : 1);

	if (!l)
		abort();
	memcpy(l, p, len);
	k = ftp_cmd_parse(l, len, &where);
	free(l);
	if (k == FTP_CMD_OTHER)
		return;
	if (k != FTP_CMD_PORT && k != FTP_CMD_EPRT)
		abort();
	if (where.sin_family != AF_INET || (k == FTP_CMD_EPRT && where.sin_port == 0))
		abort();
	n = ftp_cmd_announce(k, 0xc0000201u, port, out, sizeof(out));
	if (n == 0 || n >= sizeof(out) || out[n - 1] != '\n')
		abort();
	if (ftp_cmd_parse(out, n, &back) != k ||
	    back.sin_addr.s_addr != htonl(0xc0000201u) || ntohs(back.sin_port) != port)
		abort();
	/* too small a buffer: nothing, never a cut line */
	if (ftp_cmd_announce(k, 0xc0000201u, port, out, n) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	uint16_t port = 10000;

	if (size >= 2) {
		/* the data port the ALG picked: any of 10000-10999 */
		port = (uint16_t)(10000 + (data[0] << 8 | data[1]) % 1000);
		p += 2;
		size -= 2;
	}
	while (size) {
		const char *nl = memchr(p, '\n', size < LINE_MAX_ALG ? size : LINE_MAX_ALG);
		size_t ll;

		if (nl)
			ll = (size_t)(nl - p) + 1;
		else if (size >= LINE_MAX_ALG)
			ll = LINE_MAX_ALG;	/* overlong: passed on */
		else
			ll = size;		/* the last, unfinished line */
		line(p, ll, port);
		p += ll;
		size -= ll;
	}
	return 0;
}
