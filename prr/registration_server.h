/* SPDX-License-Identifier: MIT */
/* SMAP registration over PCP (RFC 6887, RFC 7753). Main thread only. */
#ifndef PRR_PCP_SERVER_H
#define PRR_PCP_SERVER_H

#include "prr/prr.h"

#define PCP_SERVER_MAX_FDS PRR_MAX_BR

/* One UDP socket per softwire address, port 5351; 0 when registration is off. */
int pcp_server_open(const struct prr_config *, int *fds, unsigned max);
/* Unsolicited ANNOUNCE to a SMAP whose set an operator changed. */
void pcp_server_announce(struct prr *, const struct in6_addr *smap);
/* Read one request from fd and answer it. */
void pcp_server_handle(struct prr *, int fd);

#endif
