/* SPDX-License-Identifier: MIT */
/*
 * smap/ctl.c: the SMAP's control socket requests; prr/ctl.c is the same
 * role for the PRR. The socket itself is common/ctlsock.c, the client
 * ctl/smapctl.c. One request line, a reply, then close:
 *   stats    -> "name<TAB>value<TAB>doc" per counter
 *   metrics  -> Prometheus text exposition of every counter
 *   status   -> "key<TAB>value" lines: tun, tun_mtu, path_mtu, ipv4, ports, prr,
 *               wan_send
 *   ping     -> "ok"
 *   mappings -> see portmap/mappings.c
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "smap/ctl.h"
#include "smap/fastpath.h"
#include "log.h"
#include "prom.h"
#include "smap/portmap/mappings.h"
#include "smap/portmap/pcp_server.h"
#include "smap/register.h"
#include "smap/portmap/upnp.h"

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
	uint32_t n = htonl(s->live.params.ipv4);

	fprintf(f, "tun\t%s\n", s->cfg.tun_name);
	fprintf(f, "tun_mtu\t%u\n", s->tun_mtu);
	fprintf(f, "path_mtu\t%u\n", s->live.params.mtu);
	fprintf(f, "ipv4\t%s\n", inet_ntop(AF_INET, &n, a, sizeof(a)));
	portset_format(&s->live.params.ps, ps, sizeof(ps));
	fprintf(f, "ports\t%s\n", ps);
	fprintf(f, "prr\t%s\n", inet_ntop(AF_INET6, &s->live.params.prr, a, sizeof(a)));
	softwire_status(f);
	fprintf(f, "uptime_s\t%llu\n",
		(unsigned long long)((clock_ms() - s->started_ms) / 1000));
	register_status(s, f);
	fastpath_status(s, f);
}

/* Every counter (the same lines as stats), then the gauges of status. */
void
smap_metrics(FILE *f, void *arg)
{
	struct smap *s = arg;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (m) {
		reply_stats(s, m);
		if (fclose(m) == 0)
			prom_stat_lines(f, "smap", text);
		free(text);
	}
	prom_metric(f, "smap", "tun_mtu", "MTU of the TUN device", PROM_GAUGE, s->tun_mtu);
	prom_metric(f, "smap", "path_mtu", "path MTU toward the PRR", PROM_GAUGE,
		    s->live.params.mtu);
	prom_metric(f, "smap", "uptime_seconds", "seconds since smap started", PROM_GAUGE,
		    (clock_ms() - s->started_ms) / 1000);
}

void
smap_ctl_handle(void *arg, char *line, FILE *f)
{
	struct smap *s = arg;

	if (strcmp(line, "stats") == 0)
		reply_stats(s, f);
	else if (strcmp(line, "metrics") == 0)
		smap_metrics(f, s);
	else if (strcmp(line, "status") == 0)
		reply_status(s, f);
	else if (strcmp(line, "ping") == 0)
		fprintf(f, "ok\n");
	else if (strcmp(line, "mappings") == 0)
		mappings_reply(s, f);
	else
		fprintf(f, "error\tunknown request '%.64s'\n", line);
}

void
smap_metrics_tick(struct smap *s)
{
	uint64_t now = clock_ms();

	if (!s->cfg.metrics_file[0] || now - s->metrics_ms < SMAP_METRICS_MS)
		return;
	s->metrics_ms = now;
	if (prom_write_file(s->cfg.metrics_file, smap_metrics, s) < 0)
		log_warn("metrics_file %s", s->cfg.metrics_file);
}
