/* SPDX-License-Identifier: MIT */
/*
 * Control socket (unix stream), as prr's: one request line, a reply,
 * then close.
 *   stats   -> "name<TAB>value<TAB>doc" per counter
 *   status  -> "key<TAB>value" lines: tun, tun_mtu, path_mtu, ipv4, ports, prr
 *   ping    -> "ok"
 *   mappings -> see mappings.c
 * And the client side: smap stats|status [-s SOCKET] [--json].
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "smap/ctl.h"
#include "smap/fastpath.h"
#include "log.h"
#include "smap/portmap/mappings.h"
#include "smap/portmap/pcp_server.h"
#include "smap/register.h"
#include "smap/portmap/upnp.h"

int
ctl_open(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 16) < 0) {
		close(fd);
		return -1;
	}
	chmod(path, 0660);
	return fd;
}

void
ctl_close(int fd, const char *path)
{
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
}

static void
reply_stats(struct smap *s, FILE *f)
{
	long long unmapped = nat_unmapped(s);

	if (unmapped >= 0)
		s->stats[SMAP_STAT_IN_DROP_UNMAPPED] = (uint64_t)unmapped;
	fastpath_fold(s);
	for (int i = 0; i < SMAP_STAT_MAX; i++)
		fprintf(f, "%s\t%llu\t%s\n", smap_stat_desc[i].name,
			(unsigned long long)s->stats[i], smap_stat_desc[i].doc);
	pcp_server_stats(s, f);
	upnp_stats(f);
	fastpath_stats(s, f);
}

static void
reply_status(struct smap *s, FILE *f)
{
	char a[INET6_ADDRSTRLEN], ps[64];
	uint32_t n = htonl(s->cfg.params.ipv4);

	fprintf(f, "tun\t%s\n", s->cfg.tun_name);
	fprintf(f, "tun_mtu\t%u\n", s->tun_mtu);
	fprintf(f, "path_mtu\t%u\n", s->cfg.params.mtu);
	fprintf(f, "ipv4\t%s\n", inet_ntop(AF_INET, &n, a, sizeof(a)));
	portset_format(&s->cfg.params.ps, ps, sizeof(ps));
	fprintf(f, "ports\t%s\n", ps);
	fprintf(f, "prr\t%s\n", inet_ntop(AF_INET6, &s->cfg.params.prr, a, sizeof(a)));
	fprintf(f, "uptime_s\t%llu\n",
		(unsigned long long)((smap_now_ms() - s->started_ms) / 1000));
	reg_status(s, f);
	fastpath_status(s, f);
}

void
ctl_serve(struct smap *s, int lfd)
{
	char line[256];
	ssize_t n;
	FILE *f;
	int fd;
	struct timeval tv = { .tv_sec = 2 };

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	for (size_t got = 0;;) {
		n = read(fd, line + got, sizeof(line) - 1 - got);
		if (n <= 0) {
			if (got == 0) {
				close(fd);
				return;
			}
			break;
		}
		got += (size_t)n;
		line[got] = '\0';
		if (strchr(line, '\n') || got == sizeof(line) - 1)
			break;
	}
	line[strcspn(line, "\r\n")] = '\0';
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return;
	}
	if (strcmp(line, "stats") == 0)
		reply_stats(s, f);
	else if (strcmp(line, "status") == 0)
		reply_status(s, f);
	else if (strcmp(line, "ping") == 0)
		fprintf(f, "ok\n");
	else if (strcmp(line, "mappings") == 0)
		mappings_reply(s, f);
	else
		fprintf(f, "error\tunknown request '%.64s'\n", line);
	fclose(f);
}

/* ---- client ---- */

void
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

static bool
is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int
ctl_client_main(int argc, char **argv)
{
	const char *sock = "/run/smap.sock", *req = argv[0];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char line[512];
	int json = 0, ch, fd, first = 1;
	FILE *f;
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 },
	};

	optind = 1;
	while ((ch = getopt_long(argc, argv, "s:j", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': sock = optarg; break;
		case 'j': json = 1; break;
		default:
			fprintf(stderr, "usage: smap stats|status [-s SOCKET] [--json]\n");
			return 2;
		}
	}
	if (strlen(sock) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "smap: socket path too long: %s\n", sock);
		return 1;
	}
	strcpy(sun.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "smap: cannot reach smap at %s: %m\n", sock);
		return 1;
	}
	snprintf(line, sizeof(line), "%s\n", req);
	if (write(fd, line, strlen(line)) < 0) {
		fprintf(stderr, "smap: %s: %m\n", sock);
		return 1;
	}
	shutdown(fd, SHUT_WR);
	f = fdopen(fd, "r");
	if (!f)
		return 1;
	if (strcmp(req, "mappings") == 0) {
		int rc = mappings_print(f, json);

		fclose(f);
		return rc;
	}
	if (json)
		putchar('{');
	while (fgets(line, sizeof(line), f)) {
		char *k = line, *v, *doc;

		line[strcspn(line, "\n")] = '\0';
		if (!(v = strchr(k, '\t')))
			continue;
		*v++ = '\0';
		if ((doc = strchr(v, '\t')))
			*doc++ = '\0';
		if (strcmp(k, "error") == 0) {
			fprintf(stderr, "smap: %s\n", v);
			fclose(f);
			return 1;
		}
		if (json) {
			printf("%s", first ? "" : ",");
			json_str(k);
			putchar(':');
			if (is_number(v))
				printf("%s", v);
			else
				json_str(v);
		} else if (doc) {
			printf("%-22s %12s  %s\n", k, v, doc);
		} else {
			printf("%-10s %s\n", k, v);
		}
		first = 0;
	}
	if (json)
		printf("}\n");
	fclose(f);
	return 0;
}
