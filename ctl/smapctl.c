/* SPDX-License-Identifier: MIT */
/*
 * smapctl [-s SOCKET] [--json] [--format text|json|prometheus] COMMAND
 * The SMAP's CLI, one command table (name, function, help). The same code
 * answers `smap stats|status|mappings|ping` (argv handed over by smap).
 * Errors: "PROG: ..." on stderr, or {"error": "..."} with --json; exit 1
 * on a refused or failed request, 2 on bad usage.
 */
#include <getopt.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_out.h"
#include "version.h"
#include "ctl/cli.h"
#include "ctl/smapctl.h"

static struct cli cli = { .prog = "smapctl", .socket = "/run/smap.sock" };

struct command {
	const char *name;
	int (*fn)(void);
	const char *help;
};

static const struct command commands[];

#define USAGE "%s [-s SOCKET] [--json | --format text|json|prometheus] COMMAND"

static void
usage(FILE *f)
{
	fprintf(f, "usage: " USAGE "\n"
		"       %s --help | --version | help\n"
		"  -s, --socket SOCKET  smap's control socket (default $SMAP_SOCKET or "
		"/run/smap.sock)\n"
		"  -j, --json           JSON output, errors included\n"
		"commands:\n", cli.prog, cli.prog);
	for (const struct command *c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->help);
}

/* --help and help: the usage, or with --json the commands as JSON */
static int
help(void)
{
	char line[256];
	json_t *h;

	if (!cli.json) {
		usage(stdout);
		return 0;
	}
	snprintf(line, sizeof(line), USAGE, cli.prog);
	h = cli_help_new(line);
	for (const struct command *c = commands; c->name; c++)
		cli_help_add(h, cli.prog, c->name, "", c->help);
	return json_out(stdout, h);
}

/* "key<TAB>value[<TAB>doc]" lines: a table, or one JSON object. */
static int
key_values(const char *req)
{
	char line[1024], *fl[3];
	json_t *obj = json_object();
	int rows = 0;
	FILE *f = cli_request(&cli, req);

	if (!f) {
		json_decref(obj);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		int n = cli_fields(line, fl, 3);

		if (n >= 2 && strcmp(fl[0], "error") == 0) {
			fclose(f);
			json_decref(obj);
			return cli_fail(&cli, 1, "%s", fl[1]);
		}
		if (n < 2)
			continue;
		rows++;
		if (cli.json)
			json_object_set_new(obj, fl[0], json_from_field(fl[1]));
		else if (n == 3)
			printf("%-22s %12s  %s\n", fl[0], fl[1], fl[2]);
		else
			printf("%-10s %s\n", fl[0], fl[1]);
	}
	fclose(f);
	if (!rows) {
		json_decref(obj);
		return cli_fail(&cli, 1, "smap sent nothing for '%s'", req);
	}
	if (cli.json)
		return json_out(stdout, obj);
	json_decref(obj);
	return 0;
}

static int format_prometheus;

static int
cmd_stats(void)
{
	char line[1024];
	int rows = 0;
	FILE *f;

	if (!format_prometheus)
		return key_values("stats");
	if (!(f = cli_request(&cli, "metrics")))
		return 1;
	while (fgets(line, sizeof(line), f)) {
		if (rows == 0 && strncmp(line, "error\t", 6) == 0) {
			line[strcspn(line, "\n")] = '\0';
			fclose(f);
			return cli_fail(&cli, 1, "%s", line + 6);
		}
		fputs(line, stdout);
		rows++;
	}
	fclose(f);
	return rows ? 0 : cli_fail(&cli, 1, "smap sent no metrics");
}

static int
cmd_status(void)
{
	return key_values("status");
}

static int
cmd_ping(void)
{
	char line[256], *fl[2];
	FILE *f = cli_request(&cli, "ping");
	bool ok = false;

	if (!f)
		return 1;
	while (fgets(line, sizeof(line), f)) {
		int n = cli_fields(line, fl, 2);

		if (n >= 1 && strcmp(fl[0], "ok") == 0)
			ok = true;
		else if (n >= 2 && strcmp(fl[0], "error") == 0) {
			fclose(f);
			return cli_fail(&cli, 1, "%s", fl[1]);
		}
	}
	fclose(f);
	if (!ok)
		return cli_fail(&cli, 1, "no answer from smap");
	if (cli.json)
		return json_out(stdout, json_pack("{s:b}", "ok", 1));
	printf("ok\n");
	return 0;
}

/* "a.b.c.d:port" into its parts, in place */
static char *
split_port(char *s, const char **port)
{
	char *c = strrchr(s, ':');

	*port = "0";
	if (c) {
		*c = '\0';
		*port = c + 1;
	}
	return s;
}

/* Wire (smap/portmap/mappings.c):
 *   map proto ext_addr:ext_port int_addr:int_port left origin[,disabled] remote desc */
static int
cmd_mappings(void)
{
	char line[1024], *fld[8];
	json_t *arr = json_array();
	FILE *f = cli_request(&cli, "mappings");

	if (!f) {
		json_decref(arr);
		return 1;
	}
	if (!cli.json)
		printf("%-5s %-21s %-21s %8s  %-8s %-21s %s\n", "proto", "external", "internal",
		       "left", "origin", "remote", "description");
	while (fgets(line, sizeof(line), f)) {
		int k = cli_fields(line, fld, 8);
		const char *ep, *ip;
		bool disabled;
		json_t *o;

		if (k >= 2 && strcmp(fld[0], "error") == 0) {
			fclose(f);
			json_decref(arr);
			return cli_fail(&cli, 1, "%s", fld[1]);
		}
		if (k < 8 || strcmp(fld[0], "map") != 0)
			continue;
		if (!cli.json) {
			printf("%-5s %-21s %-21s %8s  %-8s %-21s %s\n", fld[1], fld[2], fld[3],
			       fld[4], fld[5], fld[6], fld[7]);
			continue;
		}
		disabled = strstr(fld[5], ",disabled") != NULL;
		fld[5][strcspn(fld[5], ",")] = '\0';
		o = json_object();
		json_object_set_new(o, "proto", json_text(fld[1]));
		json_object_set_new(o, "external_address", json_text(split_port(fld[2], &ep)));
		json_object_set_new(o, "external_port", json_from_field(ep));
		json_object_set_new(o, "internal_address", json_text(split_port(fld[3], &ip)));
		json_object_set_new(o, "internal_port", json_from_field(ip));
		json_object_set_new(o, "lifetime_left", strcmp(fld[4], "static") == 0 ?
				    json_null() : json_from_field(fld[4]));
		json_object_set_new(o, "origin", json_text(fld[5]));
		json_object_set_new(o, "enabled", json_boolean(!disabled));
		json_object_set_new(o, "remote", json_text(fld[6]));
		json_object_set_new(o, "description", json_text(fld[7]));
		json_array_append_new(arr, o);
	}
	fclose(f);
	if (cli.json)
		return json_out(stdout, arr);
	json_decref(arr);
	return 0;
}

static int
cmd_help(void)
{
	return help();
}

static const struct command commands[] = {
	{ "stats", cmd_stats, "counters: packets, every drop by reason, PCP and UPnP" },
	{ "status", cmd_status, "TUN, MTU, shared address, port set, PRR, registration" },
	{ "mappings", cmd_mappings, "port mappings (PCP, NAT-PMP, UPnP)" },
	{ "ping", cmd_ping, "whether smap answers" },
	{ "help", cmd_help, "this list" },
	{ NULL, NULL, NULL }
};

int
smapctl_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	const struct command *c;
	const char *cmd = NULL;
	int ch;

	cli.prog = basename(argv[0]);
	if (getenv("SMAP_SOCKET"))
		cli.socket = getenv("SMAP_SOCKET");
	optind = 1;
	/* --json anywhere: a bad option before it is answered in JSON too */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0)
			cli.json = 1;
	/* options before and after the command: smap stats --json -s SOCKET */
	while ((ch = getopt_long(argc, argv, "s:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 's': cli.socket = optarg; break;
		case 'j': cli.json = 1; break;
		case 'F':
			if (strcmp(optarg, "prometheus") == 0)
				format_prometheus = 1;
			else if (strcmp(optarg, "json") == 0)
				cli.json = 1;
			else if (strcmp(optarg, "text") != 0)
				return cli_fail(&cli, 2, "--format text|json|prometheus, not '%s'", optarg);
			break;
		case 'h': return help();
		case 'V': version_print(cli.prog); return 0;
		default:
			if (cli.json)
				return cli_fail(&cli, 2, "bad option (%s help lists them)", cli.prog);
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		cmd = argv[optind];
	if (!cmd) {
		if (cli.json)
			return cli_fail(&cli, 2, "missing command (%s help lists them)", cli.prog);
		usage(stderr);
		return 2;
	}
	if (optind + 1 < argc)
		return cli_fail(&cli, 2, "%s takes no arguments ('%s')", cmd, argv[optind + 1]);
	for (c = commands; c->name; c++)
		if (strcmp(c->name, cmd) == 0)
			break;
	if (!c->name)
		return cli_fail(&cli, 2, "unknown command '%s' (%s help lists them)", cmd, cli.prog);
	if (format_prometheus && c->fn != cmd_stats)
		return cli_fail(&cli, 2, "--format prometheus is for stats only");
	return c->fn();
}
