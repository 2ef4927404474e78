/* SPDX-License-Identifier: MIT */
/*
 * Control socket (unix stream). One request line, a reply, then close:
 *   stats    -> "name<TAB>value<TAB>doc" per counter
 *   list     -> "ipv6<TAB>ipv4<TAB>portset<TAB>softwire-address" per binding
 *   ping     -> "ok"
 * An unknown request gets "error<TAB>message".
 */
#ifndef PRR_CTL_H
#define PRR_CTL_H

#include "prr.h"

int ctl_open(const char *path);
void ctl_serve(struct prr *, int listen_fd);
void ctl_close(int fd, const char *path);

#endif
