/* SPDX-License-Identifier: MIT */
/* prr/ctl.h: the PRR's control socket; smap/ctl.h is the same role for the SMAP. */
/*
 * Control socket (unix stream). One request line, a reply, then close:
 *   stats    -> "name<TAB>value<TAB>doc" per counter
 *   list     -> "ipv6 ipv4 portset softwire origin expires state" per binding (tabs)
 *   show ADDR, assign IPV6 IPV4 PORTS [BR], release IPV6, whois IPV4:PORT [TIME]
 *            -> rows as for list, or "ok"; see provision.c
 *   ping     -> "ok"
 * An unknown request gets "error<TAB>message".
 */
#ifndef PRR_CTL_H
#define PRR_CTL_H

#include "prr/prr.h"

int ctl_open(const char *path, bool has_gid, gid_t gid);
void ctl_serve(struct prr *, int listen_fd);
void ctl_close(int fd, const char *path);

#endif
