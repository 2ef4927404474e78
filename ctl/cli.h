/* SPDX-License-Identifier: MIT */
/*
 * What prrctl and smapctl share: error output in the CLI conventions
 * ("PROG: message" on stderr, or {"error": "message"} on stdout with
 * --json), a request that reports its own failure, reply fields.
 */
#ifndef CTL_CLI_H
#define CTL_CLI_H

#include <stdbool.h>
#include <stdio.h>

struct cli {
	const char *prog;	/* in messages */
	const char *socket;
	bool json;
};

/* Print the error as the conventions want it; returns rc (the exit status). */
int cli_fail(const struct cli *, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Send one request line; the reply to read, or NULL (the error printed). */
FILE *cli_request(const struct cli *, const char *req);
/*
 * `help` with --json: {"usage": usage, "commands": [{"name", "usage",
 * "help"}...]}, built by cli_help_new and one cli_help_add a command,
 * printed by json_out (common/json_out.h).
 */
struct json_t *cli_help_new(const char *usage);
void cli_help_add(struct json_t *help, const char *prog, const char *name, const char *args,
		  const char *text);
/* Up to max tab-separated fields of line (its newline removed); how many. */
int cli_fields(char *line, char **fl, int max);

#endif
