/* SPDX-License-Identifier: MIT */
/*
 * prr/ctl.c: the PRR's control socket commands (the socket itself:
 * common/ctlsock.c) and its metrics (Prometheus text, also written to
 * metrics_file); smap/ctl.c is the same role for the SMAP.
 */
#include <stdio.h>
#include <string.h>

#include "prr/ctl.h"
#include "prr/nfq_stats.h"
#include "prr/provision.h"
#include "clock.h"
#include "log.h"
#include "prom.h"

/* The NFQUEUE counters of our queues; false when the file cannot be read. */
static bool
nfq_counters(const struct prr_config *c, struct nfq_qstat *q, bool *found)
{
	FILE *f = fopen(NFQ_STATS_FILE, "r");

	if (!f)
		return false;
	nfq_stats_read(f, c->queue_first, c->queue_count, q, found);
	fclose(f);
	return true;
}

static const struct {
	const char *name, *doc;
	enum prom_type type;
} nfq_desc[] = {
	{ "nfqueue_backlog", "packets waiting in the NFQUEUE queue (kernel)", PROM_GAUGE },
	{ "nfqueue_dropped", "packets the kernel dropped because the NFQUEUE queue was full",
	  PROM_COUNTER },
	{ "nfqueue_user_dropped",
	  "packets the kernel dropped because the PRR's netlink socket was full", PROM_COUNTER },
};

static uint64_t
nfq_value(const struct nfq_qstat *q, unsigned i)
{
	return i == 0 ? q->queue_total : i == 1 ? q->queue_dropped : q->user_dropped;
}

static void
reply_stats(struct prr *prr, FILE *f)
{
	const struct prr_config *c = &atomic_load(&prr->env)->cfg;
	struct nfq_qstat q[PRR_MAX_QUEUES];
	bool found[PRR_MAX_QUEUES];

	for (int i = 0; i < PRR_STAT_MAX; i++)
		fprintf(f, "%s\t%llu\t%s\n", prr_stat_desc[i].name,
			(unsigned long long)prr_stat_sum(prr, (enum prr_stat)i),
			prr_stat_desc[i].doc);
	fastpath_reply_stats(prr->fp, f);
	fprintf(f, "registrations\t%zu\tentries in the registry (config, operator, dynamic active and held)\n",
		registry_count(&prr->reg));
	fprintf(f, "registry_bytes\t%zu\tmemory of the registry's pool of sets, free ones included\n",
		registry_memory(&prr->reg));
	fprintf(f, "pool_sets\t%u\tsets the allocation pool holds\n", prr->reg.pool ? prr->reg.pool->n : 0);
	fprintf(f, "bindings\t%zu\tbindings in the data path\n", btable_count(atomic_load(&prr->env)->bt));
	if (!nfq_counters(c, q, found))
		return;
	for (unsigned k = 0; k < sizeof(nfq_desc) / sizeof(nfq_desc[0]); k++) {
		uint64_t sum = 0;

		for (unsigned i = 0; i < c->queue_count; i++)
			if (found[i])
				sum += nfq_value(&q[i], k);
		fprintf(f, "%s\t%llu\t%s (all queues)\n", nfq_desc[k].name,
			(unsigned long long)sum, nfq_desc[k].doc);
	}
}

void
prr_metrics(FILE *f, void *arg)
{
	struct prr *prr = arg;
	const struct prr_config *c = &atomic_load(&prr->env)->cfg;
	struct nfq_qstat q[PRR_MAX_QUEUES];
	bool found[PRR_MAX_QUEUES];

	for (int i = 0; i < PRR_STAT_MAX; i++)
		prom_metric(f, "prr", prr_stat_desc[i].name, prr_stat_desc[i].doc, PROM_COUNTER,
			    prr_stat_sum(prr, (enum prr_stat)i));
	prom_metric(f, "prr", "registrations", "entries in the registry (config, operator, dynamic active and held)",
		    PROM_GAUGE, registry_count(&prr->reg));
	prom_metric(f, "prr", "registry_bytes", "memory of the registry's pool of sets, free ones included",
		    PROM_GAUGE, registry_memory(&prr->reg));
	prom_metric(f, "prr", "pool_sets", "sets the allocation pool holds", PROM_GAUGE,
		    prr->reg.pool ? prr->reg.pool->n : 0);
	prom_metric(f, "prr", "bindings", "bindings in the data path", PROM_GAUGE,
		    btable_count(atomic_load(&prr->env)->bt));
	prom_metric(f, "prr", "uptime_seconds", "seconds since prr started", PROM_GAUGE,
		    (clock_ms() - prr->started_ms) / 1000);
	if (!nfq_counters(c, q, found))
		return;
	for (unsigned k = 0; k < sizeof(nfq_desc) / sizeof(nfq_desc[0]); k++) {
		prom_family(f, "prr", nfq_desc[k].name, nfq_desc[k].doc, nfq_desc[k].type);
		for (unsigned i = 0; i < c->queue_count; i++) {
			char qn[16];

			if (!found[i])
				continue;
			snprintf(qn, sizeof(qn), "%u", c->queue_first + i);
			prom_sample(f, "prr", nfq_desc[k].name, nfq_desc[k].type, "queue", qn,
				    nfq_value(&q[i], k));
		}
	}
}

/* One request: the reload waits meanwhile (same thread). */
void
prr_ctl_handle(void *arg, char *line, FILE *f)
{
	struct prr *prr = arg;

	if (strcmp(line, "stats") == 0)
		reply_stats(prr, f);
	else if (strcmp(line, "metrics") == 0)
		prr_metrics(f, prr);
	else if (provision_ctl(prr, line, f))
		;
	else if (strcmp(line, "ping") == 0)
		fprintf(f, "ok\n");
	else
		fprintf(f, "error\tunknown request '%.64s'\n", line);
}

void
prr_metrics_tick(struct prr *prr)
{
	const struct prr_config *c = &atomic_load(&prr->env)->cfg;
	uint64_t now = clock_ms();

	if (!c->metrics_file[0] || now - prr->metrics_ms < PRR_METRICS_MS)
		return;
	prr->metrics_ms = now;
	if (prom_write_file(c->metrics_file, prr_metrics, prr) < 0)
		log_warn("metrics_file %s", c->metrics_file);
}
