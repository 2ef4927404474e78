/* SPDX-License-Identifier: MIT */
/*
 * The FTP ALG's command parser, pure (smap/ftp.c does the sockets):
 * which client lines announce an active-mode data port, and the line
 * that announces ours instead.
 */
#ifndef SMAP_FTP_CMD_H
#define SMAP_FTP_CMD_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

enum ftp_cmd {
	FTP_CMD_OTHER = 0,	/* passed on unchanged */
	FTP_CMD_PORT,		/* PORT h1,h2,h3,h4,p1,p2 */
	FTP_CMD_EPRT,		/* EPRT |1|a.b.c.d|port| (RFC 2428), IPv4 only */
};

/*
 * One line from the client (len bytes, with or without CR LF): PORT or
 * EPRT with the address and port the client waits at in *where, or OTHER.
 */
enum ftp_cmd ftp_cmd_parse(const char *line, size_t len, struct sockaddr_in *where);
/*
 * The PORT or EPRT line (CR LF ended) announcing addr:port (host order)
 * instead, into out; its length, or 0 when it does not fit cap.
 */
size_t ftp_cmd_announce(enum ftp_cmd, uint32_t addr, uint16_t port, char *out, size_t cap);

#endif
