/* SPDX-License-Identifier: MIT */
/* prrctl's commands in files of their own (prrctl_*.c). */
#ifndef PRR_PRRCTL_H
#define PRR_PRRCTL_H

#include <stdio.h>

/* Rows of "rules" from the control socket, as a table or JSON; 1 on an error reply. */
int prrctl_print_rules(FILE *, int json);
/* prrctl rule calc ...: argv[0] is "calc". */
int prrctl_rule_main(int argc, char **argv, int json);

#endif
