/* SPDX-License-Identifier: MIT */
/*
 * prrctl: operator CLI over the prr control socket.
 *   prrctl [-s SOCKET] [--json] stats|list
 * Human tables by default; --json for machines.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAXF 8

static const char *sock_path = "/run/prr.sock";
static int json;

static void
usage(void)
{
	fprintf(stderr, "usage: prrctl [-s SOCKET] [--json] stats|list\n"
		"  stats   counters: packets, and every drop by reason\n"
		"  list    bindings: SMAP IPv6, shared IPv4, port set\n");
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

static int
cmd_list(void)
{
	FILE *f = request("list");
	char line[512], *fl[MAXF];
	int first = 1;

	if (json)
		putchar('[');
	else
		printf("%-40s %-15s %-24s %s\n", "SMAP IPv6", "IPv4", "PORTS", "SOFTWIRE ADDRESS");
	while (fgets(line, sizeof(line), f)) {
		unsigned a, b, psid, k, off;

		if (split(line, fl) < 4)
			continue;
		if (!json) {
			printf("%-40s %-15s %-24s %s\n", fl[0], fl[1], fl[2], fl[3]);
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
		putchar('}');
		first = 0;
	}
	if (json)
		printf("]\n");
	fclose(f);
	return 0;
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
	while ((ch = getopt_long(argc, argv, "s:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 's': sock_path = optarg; break;
		case 'j': json = 1; break;
		default: usage();
		}
	}
	if (optind >= argc)
		usage();
	if (strcmp(argv[optind], "stats") == 0)
		return cmd_stats();
	if (strcmp(argv[optind], "list") == 0)
		return cmd_list();
	fprintf(stderr, "prrctl: unknown command '%s'\n", argv[optind]);
	usage();
}
