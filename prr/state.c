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

#include "log.h"
#include "safe_file.h"
#include "prr/state.h"

int
state_save(const struct registry *r, const char *path)
{
	char tmp[PATH_MAX + 8], line[512];
	FILE *f = safe_file_open(path, tmp, sizeof(tmp));

	if (!f)
		return -1;
	fprintf(f, "# prr state: ipv6 ipv4 portset origin expires held_until softwire\n");
	fprintf(f, "# epoch %" PRIu64 "\n", r->epoch_start);
	for (size_t i = 0; i < r->n; i++) {
		if (r->e[i].origin == REG_CONFIG)
			continue;
		reg_entry_format(&r->e[i], line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	return safe_file_commit(f, tmp, path);
}

int
state_load(struct registry *r, const char *path, char *err, size_t errlen)
{
	char line[512], msg[200];
	struct reg_entry e;
	FILE *f = fopen(path, "r");
	int lineno = 0;

	if (!f) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (strncmp(line, "# epoch ", 8) == 0) {
			r->epoch_start = strtoull(line + 8, NULL, 10);
			continue;
		}
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (!reg_entry_parse(line, &e, msg, sizeof(msg))) {
			/* one bad line loses only itself */
			log_warnx("%s:%d: %s; line ignored", path, lineno, msg);
			continue;
		}
		if (e.origin == REG_CONFIG)
			continue;
		if (registry_add(r, &e, msg, sizeof(msg)) != REG_OK)
			log_warnx("%s:%d: %s; line ignored", path, lineno, msg);
	}
	fclose(f);
	return 0;
}

static FILE *alog;

void
alloclog_open(const char *path)
{
	if (alog)
		fclose(alog);
	alog = path && *path ? fopen(path, "a") : NULL;
	if (path && *path && !alog)
		log_warn("allocation log %s", path);
}

void
alloclog_close(void)
{
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
	log_info("allocation: %s %s %s %s", event, a6, a4, ps);
	if (!alog)
		return;
	fprintf(alog, "%" PRIu64 "\t%s\t%s\t%s\t%s\t%s\n", now, iso, event, a6, a4, ps);
	fflush(alog);
	fsync(fileno(alog));
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

int
whois_log(FILE *f, uint32_t ipv4, uint16_t port, uint64_t at, struct whois_hit *hit, int max)
{
	/* open intervals per (SMAP, address, port set) containing the port */
	struct whois_hit open[64];
	int n_open = 0, n = 0;
	char line[512];

	while (fgets(line, sizeof(line), f)) {
		char *fld[6], *save = NULL, *tok;
		struct whois_hit h;
		struct in_addr a4;
		uint64_t t;
		int k = 0, i;

		for (tok = strtok_r(line, "\t\n", &save); tok && k < 6;
		     tok = strtok_r(NULL, "\t\n", &save))
			fld[k++] = tok;
		if (k != 6)
			continue;
		t = strtoull(fld[0], NULL, 10);
		if (t > at)
			break;
		memset(&h, 0, sizeof(h));
		if (inet_pton(AF_INET6, fld[3], &h.b.ipv6) != 1 ||
		    inet_pton(AF_INET, fld[4], &a4) != 1 ||
		    !portset_parse(fld[5], &h.b.ps, NULL, 0))
			continue;
		h.b.ipv4 = ntohl(a4.s_addr);
		if (h.b.ipv4 != ipv4 || !portset_contains(&h.b.ps, port))
			continue;
		for (i = 0; i < n_open; i++)
			if (memcmp(&open[i].b.ipv6, &h.b.ipv6, 16) == 0)
				break;
		if (starts(fld[2])) {
			if (i == n_open && n_open < 64) {
				h.from = t;
				snprintf(h.event, sizeof(h.event), "%s", fld[2]);
				open[n_open++] = h;
			}
		} else if (ends(fld[2]) && i < n_open) {
			open[i] = open[--n_open];
		}
	}
	for (int i = 0; i < n_open && n < max; i++)
		hit[n++] = open[i];
	return n;
}
