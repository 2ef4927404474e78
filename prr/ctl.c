/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "prr/ctl.h"
#include "prr/provision.h"
#include "log.h"

int
ctl_open(const char *path, bool has_gid, gid_t gid)
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
	/* root only, or root and the configured group */
	if (has_gid && chown(path, 0, gid) == 0)
		chmod(path, 0660);
	else
		chmod(path, 0600);
	return fd;
}

void
ctl_close(int fd, const char *path)
{
	if (fd >= 0)
		close(fd);
	unlink(path);
}

static void
reply_stats(struct prr *prr, FILE *f)
{
	for (int i = 0; i < PRR_STAT_MAX; i++)
		fprintf(f, "%s\t%llu\t%s\n", prr_stat_desc[i].name,
			(unsigned long long)prr_stat_sum(prr, (enum prr_stat)i),
			prr_stat_desc[i].doc);
	fprintf(f, "pcp_requests\t%llu\tregistration requests (PCP) received\n",
		(unsigned long long)prr->pcp_requests);
	fprintf(f, "pcp_drop_ratelimited\t%llu\tregistration requests over the per-address or per-prefix rate limit\n",
		(unsigned long long)prr->pcp_ratelimited);
	fprintf(f, "pcp_refused_nonce\t%llu\trenewals or deletes with another nonce than the registration's (NOT_AUTHORIZED)\n",
		(unsigned long long)prr->pcp_refused_nonce);
	fprintf(f, "pcp_refused_limit\t%llu\tregistrations over a subscriber's or authorized prefix's limit (USER_EX_QUOTA)\n",
		(unsigned long long)prr->pcp_refused_limit);
	fprintf(f, "pcp_refused_pool\t%llu\tregistrations refused for want of a free set (NO_RESOURCES)\n",
		(unsigned long long)prr->pcp_refused_pool);
	fprintf(f, "registrations\t%zu\tentries in the registry (config, operator, dynamic active and held)\n",
		registry_count(&prr->reg));
	fprintf(f, "registry_bytes\t%zu\tmemory of the registry's pool of sets, free ones included\n",
		registry_memory(&prr->reg));
	fprintf(f, "pool_sets\t%u\tsets the allocation pool holds\n", prr->reg.pool ? prr->reg.pool->n : 0);
	fprintf(f, "pcp_rule_answers\t%llu\tregistration answers carrying MAP-E rules\n",
		(unsigned long long)prr->pcp_rule_answers);
	fprintf(f, "pcp_rules_sent\t%llu\tMAP-E rules (MAP_RULE options) sent in them\n",
		(unsigned long long)prr->pcp_rules_sent);
	fprintf(f, "pcp_rules_dropped\t%llu\tMAP-E rules left out to keep an answer in 1100 bytes\n",
		(unsigned long long)prr->pcp_rules_dropped);
	fprintf(f, "bindings\t%zu\tbindings in the data path\n",
		btable_count(atomic_load(&prr->env)->cfg.bt));
}

/* One client: read a line, answer, close. The reload waits meanwhile. */
void
ctl_serve(struct prr *prr, int lfd)
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
	/* read up to the newline: closing with unread bytes would reset the reply */
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
		reply_stats(prr, f);
	else if (provision_ctl(prr, line, f))
		;
	else if (strcmp(line, "ping") == 0)
		fprintf(f, "ok\n");
	else
		fprintf(f, "error\tunknown request '%.64s'\n", line);
	fclose(f);
}
