/* SPDX-License-Identifier: MIT */
/* smap mappings: the control socket's reply (ctl/smapctl.c prints it). */
#ifndef SMAP_MAPPINGS_H
#define SMAP_MAPPINGS_H

#include <stdio.h>

struct smap;

/* One line per mapping: "map<TAB>proto<TAB>ext<TAB>int:port<TAB>left<TAB>origin<TAB>remote<TAB>desc" */
void mappings_reply(struct smap *, FILE *);

#endif
