/* SPDX-License-Identifier: MIT */
/* Shared by prrctl and smapctl: see cli.h. */
#include <stdarg.h>
#include <string.h>

#include "ctlsock.h"
#include "json_out.h"
#include "ctl/cli.h"

int
cli_fail(const struct cli *c, int rc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->json)
		json_out_error(stdout, "%s", msg);
	else
		fprintf(stderr, "%s: %s\n", c->prog, msg);
	return rc;
}

FILE *
cli_request(const struct cli *c, const char *req)
{
	char err[256];
	FILE *f = ctl_request(c->socket, req, err, sizeof(err));

	if (!f)
		cli_fail(c, 1, "%s", err);
	return f;
}

int
cli_fields(char *line, char **fl, int max)
{
	int n = 0;
	char *p = line;

	line[strcspn(line, "\n")] = '\0';
	while (p && n < max) {
		fl[n++] = p;
		p = strchr(p, '\t');
		if (p)
			*p++ = '\0';
	}
	return n;
}

json_t *
cli_help_new(const char *usage)
{
	json_t *help = json_object();

	json_object_set_new(help, "usage", json_string(usage));
	json_object_set_new(help, "commands", json_array());
	return help;
}

void
cli_help_add(json_t *help, const char *prog, const char *name, const char *args, const char *text)
{
	char usage[256];
	json_t *c = json_object();

	snprintf(usage, sizeof(usage), "%s %s%s%s", prog, name, *args ? " " : "", args);
	json_object_set_new(c, "name", json_string(name));
	json_object_set_new(c, "usage", json_string(usage));
	json_object_set_new(c, "help", json_string(text));
	json_array_append_new(json_object_get(help, "commands"), c);
}
