/* SPDX-License-Identifier: MIT */
/* smap mappings: the control socket's reply and the client's output. */
#ifndef SMAP_MAPPINGS_H
#define SMAP_MAPPINGS_H

#include <stdio.h>

struct smap;

/* One line per mapping: "map<TAB>proto<TAB>ext<TAB>int:port<TAB>left<TAB>origin<TAB>remote<TAB>desc" */
void mappings_reply(struct smap *, FILE *);
/* Read the reply from f and print a table, or a JSON array. 0, or 1 on an error line. */
int mappings_print(FILE *f, int json);

#endif
