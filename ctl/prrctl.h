/* SPDX-License-Identifier: MIT */
/* prrctl's commands in files of their own (prrctl_*.c). */
#ifndef CTL_PRRCTL_H
#define CTL_PRRCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* --json given */
extern int prrctl_json;
/* An error: {"error": ...} on stdout with --json, else "prrctl: ..." on stderr; returns rc. */
int prrctl_fail(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Rows of "rules" from the control socket, as a table or JSON; 1 on an error reply. */
int prrctl_print_rules(FILE *, int json);
/* prrctl rule calc ...: argv[0] is "calc". */
int prrctl_rule_main(int argc, char **argv, int json);

/* prrctl_args.c: strict argument checks, before anything is sent. */
/* A decimal number 0..max, digits only. */
bool prrctl_parse_index(const char *s, unsigned max, unsigned *out);
/* "a.b.c.d" or "a.b.c.d:port" (port required when need_port; *port -1 when absent). */
bool prrctl_parse_v4port(const char *s, bool need_port, uint32_t *ipv4, int *port);
/* Unix seconds or YYYY-MM-DDTHH:MM:SSZ; -1 when neither. */
long long prrctl_parse_time(const char *s);
/* The arguments of command cmd; false with the reason in err. */
bool prrctl_check_args(const char *cmd, int argc, char **argv, char *err, size_t errlen);

#endif
