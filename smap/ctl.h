/* SPDX-License-Identifier: MIT */
/* smap/ctl.h: the SMAP's control socket; prr/ctl.h is the same role for the PRR. */
/* smap control socket: see ctl.c. */
#ifndef SMAP_CTL_H
#define SMAP_CTL_H

#include "smap/smap.h"

int ctl_open(const char *path);
void ctl_serve(struct smap *, int listen_fd);
void ctl_close(int fd, const char *path);
/* smap stats|status [-s SOCKET] [--json]; argv[0] is the request */
int ctl_client_main(int argc, char **argv);

#endif
