/* SPDX-License-Identifier: MIT */
/*
 * prrctl: operator CLI over the prr control socket.
 *   prrctl [-s SOCKET] [--json] list|show|assign|release|whois|stats ...
 * Human tables by default; --json for machines. A refused request prints
 * the PRR's reason and exits 1.
 */
#include <getopt.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/prrctl.h"

#define MAXF 8

static const char *sock_path = "/run/prr.sock";
static int json;

static void
usage(void)
{
	fprintf(stderr, "usage: prrctl [-s SOCKET] [--json] COMMAND\n"
		"  list                          every binding\n"
		"  show IPV6|IPV4[:PORT]         the bindings of a SMAP, address or port\n"
		"  assign IPV6 IPV4 PORTS [BR]   give a SMAP a port set, live (PORTS: MIN-MAX\n"
		"                                or psid=N[/LEN[,offset=A]]; BR: softwire index)\n"
		"  release IPV6                  take a SMAP's port sets away\n"
		"  whois IPV4:PORT [--at TIME]   who held that port then (TIME: unix seconds\n"
		"                                or YYYY-MM-DDTHH:MM:SSZ; default now)\n"
		"  stats                         counters: packets, and every drop by reason\n"
		"  rules                         the MAP-E rules (RFC 7597)\n"
		"  rule calc --rule-ipv6 P6 --rule-ipv4 P4 --ea-len N [--offset A]\n"
		"            [--psid-len K --psid P] --prefix DELEGATED\n"
		"                                what a CE derives from a rule (no PRR needed)\n");
	exit(2);
}

static FILE *
request(const char *req)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(sock_path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "prrctl: socket path too long: %s\n", sock_path);
		exit(1);
	}
	strcpy(sun.sun_path, sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "prrctl: cannot reach prr at %s: %m\n", sock_path);
		exit(1);
	}
	/* one write: a request line the server reads whole */
	char line[256];
	snprintf(line, sizeof(line), "%s\n", req);
	if (write(fd, line, strlen(line)) < 0) {
		fprintf(stderr, "prrctl: %s: %m\n", sock_path);
		exit(1);
	}
	shutdown(fd, SHUT_WR);
	return fdopen(fd, "r");
}

static int
split(char *line, char **f)
{
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	for (char *s = line; n < MAXF; n++) {
		f[n] = s;
		s = strchr(s, '\t');
		if (!s) {
			n++;
			break;
		}
		*s++ = '\0';
	}
	return n;
}

static void
json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		if ((unsigned char)*s >= 0x20)
			putchar(*s);
	}
	putchar('"');
}

static int
cmd_stats(void)
{
	FILE *f = request("stats");
	char line[512], *fl[MAXF];
	int first = 1;

	if (json)
		putchar('{');
	while (fgets(line, sizeof(line), f)) {
		if (split(line, fl) < 3)
			continue;
		if (json) {
			printf("%s", first ? "" : ",");
			json_str(fl[0]);
			printf(":%s", fl[1]);
		} else {
			printf("%-28s %12s  %s\n", fl[0], fl[1], fl[2]);
		}
		first = 0;
	}
	if (json)
		printf("}\n");
	fclose(f);
	return 0;
}

/* Rows of bindings: ipv6 ipv4 portset softwire origin expires state. */
static int
print_bindings(FILE *f)
{
	char line[512], *fl[MAXF];
	int first = 1, rows = 0;

	if (json)
		putchar('[');
	while (fgets(line, sizeof(line), f)) {
		unsigned a, b, psid, k, off;
		int n = split(line, fl);

		if (n >= 2 && strcmp(fl[0], "error") == 0) {
			if (json)
				printf("]\n");
			fprintf(stderr, "prrctl: %s\n", fl[1]);
			return 1;
		}
		if (n < 7)
			continue;
		if (!json) {
			if (rows == 0)
				printf("%-28s %-15s %-22s %-20s %-8s %s\n", "SMAP IPv6", "IPv4",
				       "PORTS", "SOFTWIRE ADDRESS", "ORIGIN", "STATE");
			printf("%-28s %-15s %-22s %-20s %-8s %s\n", fl[0], fl[1], fl[2], fl[3],
			       fl[4], fl[6]);
			rows++;
			continue;
		}
		printf("%s{\"ipv6\":", first ? "" : ",");
		json_str(fl[0]);
		printf(",\"ipv4\":");
		json_str(fl[1]);
		if (sscanf(fl[2], "%u-%u", &a, &b) == 2)
			printf(",\"port_min\":%u,\"port_max\":%u", a, b);
		else if (sscanf(fl[2], "psid %u/%u offset %u", &psid, &k, &off) == 3)
			printf(",\"psid\":%u,\"psid_len\":%u,\"offset\":%u", psid, k, off);
		printf(",\"ports\":");
		json_str(fl[2]);
		printf(",\"softwire_address\":");
		json_str(fl[3]);
		printf(",\"origin\":");
		json_str(fl[4]);
		printf(",\"expires\":%s,\"state\":", fl[5]);
		json_str(fl[6]);
		putchar('}');
		first = 0;
		rows++;
	}
	if (json)
		printf("]\n");
	return 0;
}

/* A request answered by "ok" or "error<TAB>reason". */
static int
simple(const char *req)
{
	FILE *f = request(req);
	char line[512], *fl[MAXF];
	int rc = 1;

	while (fgets(line, sizeof(line), f)) {
		int n = split(line, fl);
		if (n >= 1 && strcmp(fl[0], "ok") == 0)
			rc = 0;
		else if (n >= 2 && strcmp(fl[0], "error") == 0)
			fprintf(stderr, "prrctl: %s\n", fl[1]);
	}
	fclose(f);
	if (json)
		printf("{\"ok\":%s}\n", rc == 0 ? "true" : "false");
	return rc;
}

static int
cmd_rows(const char *req)
{
	FILE *f = request(req);
	int rc = print_bindings(f);

	fclose(f);
	return rc;
}

/* "2026-11-23T14:02:00Z" or unix seconds */
static long long
parse_time(const char *s)
{
	struct tm tm;
	char *end;
	long long v = strtoll(s, &end, 10);

	if (*end == '\0')
		return v;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end || (*end && strcmp(end, "Z") != 0))
		return -1;
	return (long long)timegm(&tm);
}

static int
cmd_whois(int argc, char **argv)
{
	char req[256], line[512], *fl[MAXF];
	long long at = -1;
	FILE *f;
	int rc = 1, first = 1;

	if (argc < 1)
		usage();
	if (argc >= 3 && strcmp(argv[1], "--at") == 0) {
		at = parse_time(argv[2]);
		if (at < 0) {
			fprintf(stderr, "prrctl: bad time '%s'\n", argv[2]);
			return 1;
		}
	}
	if (at >= 0)
		snprintf(req, sizeof(req), "whois %s %lld", argv[0], at);
	else
		snprintf(req, sizeof(req), "whois %s", argv[0]);
	f = request(req);
	if (json)
		putchar('[');
	while (fgets(line, sizeof(line), f)) {
		int n = split(line, fl);
		if (n >= 2 && strcmp(fl[0], "error") == 0) {
			fprintf(stderr, "prrctl: %s\n", fl[1]);
			break;
		}
		if (n < 5)
			continue;
		rc = 0;
		if (json) {
			printf("%s{\"ipv6\":", first ? "" : ",");
			json_str(fl[0]);
			printf(",\"ipv4\":");
			json_str(fl[1]);
			printf(",\"ports\":");
			json_str(fl[2]);
			printf(",\"event\":");
			json_str(fl[3]);
			if (n >= 6) {
				printf(",\"prefix\":");
				json_str(fl[5]);
			}
			printf(",\"since\":%s}", fl[4]);
			first = 0;
		} else if (strcmp(fl[3], "rule") == 0 && n >= 6) {
			/* a MAP-E rule's CE: computed, no history */
			printf("%s holds %s ports %s (MAP-E rule, End-user prefix %s)\n", fl[0],
			       fl[1], fl[2], fl[5]);
		} else {
			time_t t = (time_t)strtoll(fl[4], NULL, 10);
			char iso[32];
			strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
			printf("%s holds %s ports %s (%s since %s)\n", fl[0], fl[1], fl[2], fl[3], iso);
		}
	}
	if (json)
		printf("]\n");
	fclose(f);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int ch;

	if (getenv("PRR_SOCKET"))
		sock_path = getenv("PRR_SOCKET");
	while ((ch = getopt_long(argc, argv, "+s:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 's': sock_path = optarg; break;
		case 'j': json = 1; break;
		default: usage();
		}
	}
	if (optind >= argc)
		usage();
	const char *cmd = argv[optind];
	int nargs = argc - optind - 1;
	char **args = argv + optind + 1;
	char req[256];

	if (strcmp(cmd, "stats") == 0)
		return cmd_stats();
	if (strcmp(cmd, "list") == 0)
		return cmd_rows("list");
	if (strcmp(cmd, "show") == 0 && nargs == 1) {
		snprintf(req, sizeof(req), "show %s", args[0]);
		return cmd_rows(req);
	}
	if (strcmp(cmd, "assign") == 0 && (nargs == 3 || nargs == 4)) {
		snprintf(req, sizeof(req), "assign %s %s %s %s", args[0], args[1], args[2],
			 nargs == 4 ? args[3] : "");
		return simple(req);
	}
	if (strcmp(cmd, "release") == 0 && nargs == 1) {
		snprintf(req, sizeof(req), "release %s", args[0]);
		return simple(req);
	}
	if (strcmp(cmd, "whois") == 0)
		return cmd_whois(nargs, args);
	if (strcmp(cmd, "rules") == 0) {
		FILE *f = request("rules");
		int rc = prrctl_print_rules(f, json);
		fclose(f);
		return rc;
	}
	if (strcmp(cmd, "rule") == 0)
		return prrctl_rule_main(nargs, args, json);
	fprintf(stderr, "prrctl: unknown command '%s'\n", argv[optind]);
	usage();
}
