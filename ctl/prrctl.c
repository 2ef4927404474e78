/* SPDX-License-Identifier: MIT */
/*
 * prrctl: operator CLI over the prr control socket.
 *   prrctl [-s SOCKET] [--json] COMMAND [ARGS]
 * Commands are dispatched by one table (name, function, arguments, help),
 * their arguments checked before anything is sent. Human tables by
 * default; --json for machines, errors included ({"error": "..."}). A
 * refused request prints the PRR's reason and exits 1; bad usage exits 2.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctlsock.h"
#include "json_out.h"
#include "version.h"
#include "ctl/cli.h"
#include "ctl/prrctl.h"

#define MAXF 8

int prrctl_json;
static struct cli cli = { .prog = "prrctl", .socket = "/run/prr.sock" };

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *help;
};

static const struct command commands[];

int
prrctl_fail(int rc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli.json = prrctl_json;
	return cli_fail(&cli, rc, "%s", msg);
}

#define USAGE "prrctl [-s SOCKET] [--json] COMMAND [ARGS]"

static void
usage(FILE *f)
{
	fprintf(f, "usage: " USAGE "\n"
		"       prrctl --help | --version | help\n"
		"  -s, --socket SOCKET  the PRR's control socket (default $PRR_SOCKET or "
		"/run/prr.sock)\n"
		"  -j, --json           JSON output, errors included\n"
		"commands:\n");
	for (const struct command *c = commands; c->name; c++) {
		char head[64];

		snprintf(head, sizeof(head), "%s %s", c->name, c->args);
		fprintf(f, "  %-30s %s\n", head, c->help);
	}
}

/* --help and help: the usage, or with --json the commands as JSON */
static int
help(void)
{
	json_t *h;

	if (!prrctl_json) {
		usage(stdout);
		return 0;
	}
	h = cli_help_new(USAGE);
	for (const struct command *c = commands; c->name; c++)
		cli_help_add(h, "prrctl", c->name, c->args, c->help);
	return json_out(stdout, h);
}

static FILE *
request(const char *req)
{
	cli.json = prrctl_json;
	return cli_request(&cli, req);
}

/*
 * The next row of the daemon's reply, split into fields (*n of them): 1;
 * 0 at its end; -1 when the daemon answered an error, which is said
 * (*rc is prrctl's exit code then).
 */
static int
next_row(FILE *f, char *line, int len, char **fl, int *n, int *rc)
{
	if (!fgets(line, len, f))
		return 0;
	*n = cli_fields(line, fl, MAXF);
	if (*n >= 2 && strcmp(fl[0], "error") == 0) {
		*rc = prrctl_fail(1, "%s", fl[1]);
		return -1;
	}
	return 1;
}

static int
stats_prometheus(void)
{
	FILE *f = request("metrics");
	char line[1024];
	int rows = 0;

	if (!f)
		return 1;
	while (fgets(line, sizeof(line), f)) {
		if (rows == 0 && strncmp(line, "error\t", 6) == 0) {
			line[strcspn(line, "\n")] = '\0';
			fclose(f);
			return prrctl_fail(1, "%s", line + 6);
		}
		fputs(line, stdout);
		rows++;
	}
	fclose(f);
	if (!rows)
		return prrctl_fail(1, "the PRR sent no metrics");
	return 0;
}

static int
cmd_stats(int argc, char **argv)
{
	char line[512], *fl[MAXF];
	json_t *obj;
	int rows = 0, n, r, rc = 1;
	FILE *f;

	if (argc == 2 && strcmp(argv[0], "--format") == 0) {
		if (strcmp(argv[1], "prometheus") == 0)
			return stats_prometheus();
		if (strcmp(argv[1], "json") == 0)
			prrctl_json = 1;
		else if (strcmp(argv[1], "text") != 0)
			return prrctl_fail(2, "stats: --format text|json|prometheus, not '%s'",
					   argv[1]);
	} else if (argc) {
		return prrctl_fail(2, "stats: expected [--format text|json|prometheus]");
	}
	if (!(f = request("stats")))
		return 1;
	obj = json_object();
	while ((r = next_row(f, line, sizeof(line), fl, &n, &rc)) > 0) {
		if (n < 3)
			continue;
		if (prrctl_json)
			json_object_set_new(obj, fl[0], json_from_field(fl[1]));
		else
			printf("%-28s %12s  %s\n", fl[0], fl[1], fl[2]);
		rows++;
	}
	fclose(f);
	if (r < 0) {
		json_decref(obj);
		return rc;
	}
	if (!rows) {
		json_decref(obj);
		return prrctl_fail(1, "the PRR sent no counters");
	}
	if (prrctl_json)
		return json_out(stdout, obj);
	json_decref(obj);
	return 0;
}

static json_t *
binding_json(char **fl, int n)
{
	unsigned a, b, psid, k, off;
	json_t *o = json_object();

	json_object_set_new(o, "ipv6", json_text(fl[0]));
	json_object_set_new(o, "ipv4", json_text(fl[1]));
	if (sscanf(fl[2], "%u-%u", &a, &b) == 2) {
		json_object_set_new(o, "port_min", json_integer(a));
		json_object_set_new(o, "port_max", json_integer(b));
	} else if (sscanf(fl[2], "psid %u/%u offset %u", &psid, &k, &off) == 3) {
		json_object_set_new(o, "psid", json_integer(psid));
		json_object_set_new(o, "psid_len", json_integer(k));
		json_object_set_new(o, "offset", json_integer(off));
	}
	json_object_set_new(o, "ports", json_text(fl[2]));
	json_object_set_new(o, "softwire_address", json_text(fl[3]));
	json_object_set_new(o, "origin", json_text(fl[4]));
	json_object_set_new(o, "expires", json_from_field(fl[5]));
	json_object_set_new(o, "state", json_text(fl[6]));
	(void)n;
	return o;
}

/* Rows of bindings: ipv6 ipv4 portset softwire origin expires state. */
static int
print_bindings(const char *req)
{
	char line[512], *fl[MAXF];
	json_t *arr;
	int rows = 0, n, r, rc = 1;
	FILE *f = request(req);

	if (!f)
		return 1;
	arr = json_array();
	while ((r = next_row(f, line, sizeof(line), fl, &n, &rc)) > 0) {
		if (n < 7)
			continue;
		if (prrctl_json) {
			json_array_append_new(arr, binding_json(fl, n));
			continue;
		}
		if (rows++ == 0)
			printf("%-28s %-15s %-22s %-20s %-8s %s\n", "SMAP IPv6", "IPv4", "PORTS",
			       "SOFTWIRE ADDRESS", "ORIGIN", "STATE");
		printf("%-28s %-15s %-22s %-20s %-8s %s\n", fl[0], fl[1], fl[2], fl[3], fl[4],
		       fl[6]);
	}
	fclose(f);
	if (r < 0) {
		json_decref(arr);
		return rc;
	}
	if (prrctl_json)
		return json_out(stdout, arr);
	json_decref(arr);
	return 0;
}

static int
cmd_list(int argc, char **argv)
{
	return print_bindings("list");
}

static int
cmd_show(int argc, char **argv)
{
	char req[CTL_LINE_MAX];

	snprintf(req, sizeof(req), "show %s", argv[0]);
	return print_bindings(req);
}

/* A request answered by "ok" or "error<TAB>reason". */
static int
simple(const char *req)
{
	char line[512], *fl[MAXF], reason[256] = "no answer from the PRR";
	FILE *f = request(req);
	int ok = 0;

	if (!f)
		return 1;
	while (fgets(line, sizeof(line), f)) {
		int n = cli_fields(line, fl, MAXF);

		if (n >= 1 && strcmp(fl[0], "ok") == 0)
			ok = 1;
		else if (n >= 2 && strcmp(fl[0], "error") == 0)
			snprintf(reason, sizeof(reason), "%s", fl[1]);
	}
	fclose(f);
	if (!ok)
		return prrctl_fail(1, "%s", reason);
	if (prrctl_json)
		return json_out(stdout, json_pack("{s:b}", "ok", 1));
	return 0;
}

static int
cmd_assign(int argc, char **argv)
{
	char req[CTL_LINE_MAX];

	snprintf(req, sizeof(req), "assign %s %s %s%s%s", argv[0], argv[1], argv[2],
		 argc == 4 ? " " : "", argc == 4 ? argv[3] : "");
	return simple(req);
}

static int
cmd_release(int argc, char **argv)
{
	char req[CTL_LINE_MAX];

	snprintf(req, sizeof(req), "release %s", argv[0]);
	return simple(req);
}

static int
cmd_whois(int argc, char **argv)
{
	char req[CTL_LINE_MAX], line[512], *fl[MAXF];
	json_t *arr;
	int found = 0, n, r, rc = 1;
	FILE *f;

	if (argc == 3)
		snprintf(req, sizeof(req), "whois %s %lld", argv[0], prrctl_parse_time(argv[2]));
	else
		snprintf(req, sizeof(req), "whois %s", argv[0]);
	if (!(f = request(req)))
		return 1;
	arr = json_array();
	while ((r = next_row(f, line, sizeof(line), fl, &n, &rc)) > 0) {
		if (n < 5)
			continue;
		found++;
		if (prrctl_json) {
			json_t *o = json_pack("{s:o,s:o,s:o,s:o,s:o}", "ipv6", json_text(fl[0]),
					      "ipv4", json_text(fl[1]), "ports", json_text(fl[2]),
					      "event", json_text(fl[3]), "since",
					      json_from_field(fl[4]));

			if (n >= 6)
				json_object_set_new(o, "prefix", json_text(fl[5]));
			json_array_append_new(arr, o);
		} else if (strcmp(fl[3], "rule") == 0 && n >= 6) {
			/* a MAP-E rule's CE: computed, no history */
			printf("%s holds %s ports %s (MAP-E rule, End-user prefix %s)\n", fl[0],
			       fl[1], fl[2], fl[5]);
		} else {
			time_t t = (time_t)strtoll(fl[4], NULL, 10);
			char iso[32];

			strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
			printf("%s holds %s ports %s (%s since %s)\n", fl[0], fl[1], fl[2], fl[3],
			       iso);
		}
	}
	fclose(f);
	if (r < 0) {
		json_decref(arr);
		return rc;
	}
	if (!found) {
		json_decref(arr);
		return prrctl_fail(1, "no answer from the PRR");
	}
	if (prrctl_json)
		return json_out(stdout, arr);
	json_decref(arr);
	return 0;
}

static int
cmd_rules(int argc, char **argv)
{
	FILE *f = request("rules");
	int rc;

	if (!f)
		return 1;
	rc = prrctl_print_rules(f, prrctl_json);
	fclose(f);
	return rc;
}

static int
cmd_rule(int argc, char **argv)
{
	return prrctl_rule_main(argc, argv, prrctl_json);
}

static int
cmd_help(int argc, char **argv)
{
	return help();
}

static const struct command commands[] = {
	{ "list", cmd_list, "", "every binding" },
	{ "show", cmd_show, "IPV6|IPV4[:PORT]", "the bindings of a SMAP, address or port" },
	{ "assign", cmd_assign, "IPV6 IPV4 PORTS [BR]",
	  "give a SMAP a port set, live (PORTS: MIN-MAX or psid=N[/LEN[,offset=A]]; "
	  "BR: softwire index)" },
	{ "release", cmd_release, "IPV6", "take a SMAP's port sets away" },
	{ "whois", cmd_whois, "IPV4:PORT [--at TIME]",
	  "who held that port then (TIME: unix seconds or YYYY-MM-DDTHH:MM:SSZ; default now)" },
	{ "stats", cmd_stats, "[--format text|json|prometheus]",
	  "counters: packets, every drop by reason, NFQUEUE drops" },
	{ "rules", cmd_rules, "", "the MAP-E rules (RFC 7597)" },
	{ "rule", cmd_rule, "calc ...",
	  "what a CE derives from a MAP-E rule, offline (prrctl rule calc --help)" },
	{ "help", cmd_help, "", "this list" },
	{ NULL, NULL, NULL, NULL }
};

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	const struct command *c;
	char err[256];
	int ch, n = 0;

	if (getenv("PRR_SOCKET"))
		cli.socket = getenv("PRR_SOCKET");
	/* --json anywhere: a bad option before it is answered in JSON too */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0)
			prrctl_json = 1;
	while ((ch = getopt_long(argc, argv, "+s:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 's': cli.socket = optarg; break;
		case 'j': prrctl_json = 1; break;
		case 'h': return help();
		case 'V': version_print("prrctl"); return 0;
		default:
			if (prrctl_json)
				return prrctl_fail(2, "bad option (prrctl help lists them)");
			usage(stderr);
			return 2;
		}
	}
	/* --json after the command too (prrctl assign --json ...) */
	for (int i = optind; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0)
			prrctl_json = 1;
		else
			argv[optind + n++] = argv[i];
	if (n == 0) {
		if (prrctl_json)
			return prrctl_fail(2, "missing command (prrctl help lists them)");
		usage(stderr);
		return 2;
	}
	for (c = commands; c->name; c++)
		if (strcmp(c->name, argv[optind]) == 0)
			break;
	if (!c->name)
		return prrctl_fail(2, "unknown command '%s' (prrctl help lists them)",
				   argv[optind]);
	if (c->fn != cmd_rule && c->fn != cmd_stats &&
	    !prrctl_check_args(c->name, n - 1, argv + optind + 1, err, sizeof(err))) {
		if (!prrctl_json)
			fprintf(stderr, "usage: prrctl %s %s\n", c->name, c->args);
		return prrctl_fail(2, "%s", err);
	}
	return c->fn(n - 1, argv + optind + 1);
}
