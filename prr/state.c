/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "log.h"
#include "prr/state.h"

static FILE *alog;
static bool alog_dirty;

void
alloclog_open(const char *path)
{
	alloclog_flush();
	if (alog)
		fclose(alog);
	alog = path && *path ? fopen(path, "a") : NULL;
	if (alog)
		setvbuf(alog, NULL, _IOFBF, 1 << 16);
	if (path && *path && !alog)
		log_warn("allocation log %s", path);
}

void
alloclog_close(void)
{
	alloclog_flush();
	if (alog)
		fclose(alog);
	alog = NULL;
}

void
alloclog_write(uint64_t now, const char *event, const struct binding *b)
{
	char a6[INET6_ADDRSTRLEN], a4[INET_ADDRSTRLEN], ps[64], iso[32];
	uint32_t n = htonl(b->ipv4);
	time_t t = (time_t)now;
	struct tm tm;

	inet_ntop(AF_INET6, &b->ipv6, a6, sizeof(a6));
	inet_ntop(AF_INET, &n, a4, sizeof(a4));
	portset_format(&b->ps, ps, sizeof(ps));
	gmtime_r(&t, &tm);
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!alog) {
		/* no file: syslog is the record (with a file, a million lines there would drown it) */
		log_info("allocation: %s %s %s %s", event, a6, a4, ps);
		return;
	}
	fprintf(alog, "%" PRIu64 "\t%s\t%s\t%s\t%s\t%s\n", now, iso, event, a6, a4, ps);
	alog_dirty = true;
}

void
alloclog_flush(void)
{
	if (!alog || !alog_dirty)
		return;
	if (fflush(alog) != 0 || fdatasync(fileno(alog)) != 0)
		log_warn("allocation log");
	alog_dirty = false;
}

static bool
starts(const char *ev)
{
	return strcmp(ev, "config") == 0 || strcmp(ev, "assign") == 0 ||
	       strcmp(ev, "allocate") == 0;
}

static bool
ends(const char *ev)
{
	/* an expired set is still the subscriber's until it is freed */
	return strcmp(ev, "release") == 0 || strcmp(ev, "free") == 0;
}

/* Open intervals per (SMAP, address, port set) containing the port, as lines go by. */
struct whois_scan {
	struct whois_hit open[64];
	int n_open;
	uint32_t ipv4;
	uint16_t port;
	uint64_t at;
	bool past;		/* a line after `at` was seen: the rest is later still */
};

static void
whois_line(struct whois_scan *w, char *line)
{
	char *fld[6], *save = NULL, *tok;
	struct whois_hit h;
	struct in_addr a4;
	uint64_t t;
	int k = 0, i;

	for (tok = strtok_r(line, "\t\n", &save); tok && k < 6; tok = strtok_r(NULL, "\t\n", &save))
		fld[k++] = tok;
	if (k != 6)
		return;
	t = strtoull(fld[0], NULL, 10);
	if (t > w->at) {
		w->past = true;
		return;
	}
	memset(&h, 0, sizeof(h));
	if (inet_pton(AF_INET6, fld[3], &h.b.ipv6) != 1 || inet_pton(AF_INET, fld[4], &a4) != 1 ||
	    !portset_parse(fld[5], &h.b.ps, NULL, 0))
		return;
	h.b.ipv4 = ntohl(a4.s_addr);
	if (h.b.ipv4 != w->ipv4 || !portset_contains(&h.b.ps, w->port))
		return;
	for (i = 0; i < w->n_open; i++)
		if (memcmp(&w->open[i].b.ipv6, &h.b.ipv6, 16) == 0)
			break;
	if (starts(fld[2])) {
		if (i == w->n_open && w->n_open < 64) {
			h.from = t;
			snprintf(h.event, sizeof(h.event), "%s", fld[2]);
			w->open[w->n_open++] = h;
		}
	} else if (ends(fld[2]) && i < w->n_open) {
		w->open[i] = w->open[--w->n_open];
	}
}

static int
whois_result(const struct whois_scan *w, struct whois_hit *hit, int max)
{
	int n = 0;

	for (int i = 0; i < w->n_open && n < max; i++)
		hit[n++] = w->open[i];
	return n;
}

int
whois_log(FILE *f, uint32_t ipv4, uint16_t port, uint64_t at, struct whois_hit *hit, int max)
{
	struct whois_scan w = { .ipv4 = ipv4, .port = port, .at = at };
	char line[512];

	while (!w.past && fgets(line, sizeof(line), f))
		whois_line(&w, line);
	return whois_result(&w, hit, max);
}

int
whois_logs(const char *path, uint32_t ipv4, uint16_t port, uint64_t at,
	   struct whois_hit *hit, int max)
{
	struct whois_scan w = { .ipv4 = ipv4, .port = port, .at = at };
	char name[PATH_MAX + 32], line[512];
	int oldest = 0, read_any = 0;

	/* logrotate's rotations: path.1, path.2.gz, ... (or uncompressed) */
	for (int i = 1; i < 10000; i++) {
		snprintf(name, sizeof(name), "%s.%d", path, i);
		if (access(name, R_OK) != 0) {
			snprintf(name, sizeof(name), "%s.%d.gz", path, i);
			if (access(name, R_OK) != 0)
				break;
		}
		oldest = i;
	}
	for (int i = oldest; i >= 0 && !w.past; i--) {
		gzFile g;

		if (i == 0)
			snprintf(name, sizeof(name), "%s", path);
		else {
			snprintf(name, sizeof(name), "%s.%d", path, i);
			if (access(name, R_OK) != 0)
				snprintf(name, sizeof(name), "%s.%d.gz", path, i);
		}
		/* gzopen reads plain files as they are */
		if (!(g = gzopen(name, "rb")))
			continue;
		read_any++;
		while (!w.past && gzgets(g, line, sizeof(line)))
			whois_line(&w, line);
		gzclose(g);
	}
	if (!read_any)
		return -1;
	return whois_result(&w, hit, max);
}
