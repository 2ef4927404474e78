/* SPDX-License-Identifier: MIT */
/* smap control socket: see ctl.c. */
#ifndef SMAP_CTL_H
#define SMAP_CTL_H

#include "smap/smap.h"

int ctl_open(const char *path);
void ctl_serve(struct smap *, int listen_fd);
void ctl_close(int fd, const char *path);
/* smap stats|status [-s SOCKET] [--json]; argv[0] is the request */
int ctl_client_main(int argc, char **argv);
/* A JSON string of s on stdout (quotes and backslashes escaped, controls dropped). */
void json_str(const char *s);

#endif
