/* SPDX-License-Identifier: MIT */
/* smap/ctl.h: the SMAP's control socket requests and metrics (see ctl.c); prr/ctl.h is the same role for the PRR. */
#ifndef SMAP_CTL_H
#define SMAP_CTL_H

#include <stdio.h>

#include "smap/smap.h"

#define SMAP_METRICS_MS	5000	/* metrics_file rewritten this often */

/* The ctl_handler of smap's control socket; arg is the struct smap. */
void smap_ctl_handle(void *arg, char *line, FILE *out);
/* Every counter in Prometheus text; arg is the struct smap. */
void smap_metrics(FILE *, void *arg);
/* Rewrite metrics_file when it is due. */
void smap_metrics_tick(struct smap *);

#endif
