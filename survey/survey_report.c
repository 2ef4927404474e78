/* SPDX-License-Identifier: MIT */
/* The terminal report, laid out like the original study's tables. */
#include <stdio.h>
#include <string.h>

#include "survey/survey_out.h"

static void
row(FILE *f, const char *name, const struct survey_row *r, bool hosts)
{
	fprintf(f, "  %-10s %9.2f %6.1f%% %7u %7u", name, r->avg,
	    100.0 * r->share, r->min, r->max);
	if (hosts)
		fprintf(f, "   %6u %6u %6u %6u", r->p50, r->p95, r->p99, r->hmax);
	fputc('\n', f);
}

static void
busiest(FILE *f, const struct survey_conf *c, const struct survey_summary *s,
    size_t top)
{
	size_t i, k, n = s->nhosts < top ? s->nhosts : top;
	char a[16];

	fprintf(f, "\nbusiest hosts (%zu of %zu), ports per sample:\n", n,
	    s->nhosts);
	fprintf(f, "  %-15s %7s %9s %7s %7s", "host", "samples", "average",
	    "max", "conns");
	for (k = 0; k < c->nclasses; k++)
		fprintf(f, " %7.7s", c->names[k]);
	fputc('\n', f);
	for (i = 0; i < n; i++) {
		const struct survey_host_stat *h = &s->host[i];

		fprintf(f, "  %-15s %7u %9.2f %7u %7u", ct_ntoa(h->addr, a),
		    h->samples, h->avg, h->max, h->flows_max);
		for (k = 0; k < c->nclasses; k++)
			fprintf(f, " %7u", h->cls_max[k]);
		fputc('\n', f);
	}
	if (n > 0)
		fprintf(f, "  (class columns: the maximum per sample)\n");
}

static void
recommendation(FILE *f, const struct survey_summary *s)
{
	const struct survey_reco *r = &s->reco;
	const struct survey_params *p = &s->params;
	const char *unit = p->unit == SURVEY_PER_HOST ? "host" : "gateway";

	fprintf(f, "\nrecommendation:\n");
	fprintf(f, "  p%g of ports per %s-sample is %u; with a %g%% margin "
	    "a %s needs %u ports.\n", p->percentile, unit, r->observed,
	    100 * p->margin, p->unit == SURVEY_PER_HOST ? "host" :
	    "subscriber", r->needed);
	if (!r->fits) {
		fprintf(f, "  that is more than one IPv4 address holds (%u ports "
		    "from 1024): do not share addresses.\n", 65536u - 1024u);
		return;
	}
	fprintf(f, "  port range of %u ports: %u subscribers per IPv4 address "
	    "(ports 1024-65535)\n", r->needed, r->range_sharing);
	fprintf(f, "  MAP-E PSID length %u (offset %u): %u ports each, %u "
	    "subscribers per IPv4 address\n", r->psid_len, p->psid_offset,
	    r->psid_ports, r->psid_sharing);
}

int
survey_write_report(FILE *f, const struct survey_conf *c,
    const struct survey_summary *s, const struct survey_meta *m)
{
	size_t k;

	fprintf(f, "portsurvey: %zu sample%s", s->nsamples,
	    s->nsamples == 1 ? "" : "s");
	if (s->nsamples > 1)
		fprintf(f, " over %g s", s->duration);
	fprintf(f, " (every %g s), source %s\n", m->interval, m->source);
	if (s->nsamples == 0)
		return ferror(f) ? -1 : 0;
	fprintf(f, "\nexternal ports in use (distinct protocol, address, port "
	    "after NAT):\n");
	fprintf(f, "  %-10s %9s %7s %7s %7s   %-27s\n", "", "", "", "", "",
	    "----- per host-sample -----");
	fprintf(f, "  %-10s %9s %7s %7s %7s   %6s %6s %6s %6s\n", "class",
	    "average", "share", "min", "max", "p50", "p95", "p99", "max");
	row(f, "ports", &s->total, true);
	for (k = 0; k < c->nclasses; k++)
		row(f, c->names[k], &s->cls[k], true);
	fprintf(f, "\n  %-10s %9s %7s %7s %7s\n", "protocol", "average",
	    "share", "min", "max");
	for (k = 0; k < SURVEY_NPROTO; k++)
		row(f, survey_proto_names[k], &s->proto[k], false);
	fprintf(f, "\n  connections per sample: average %.2f, max %u; hosts per "
	    "sample: average %.2f, max %u\n", s->flows.avg, s->flows.max,
	    s->hosts.avg, s->hosts.max);
	fprintf(f, "  classes:");
	for (k = 0; k + 1 < c->nclasses; k++)
		fprintf(f, " %s=%s", c->names[k], c->match[k]);
	fprintf(f, "\n");
	busiest(f, c, s, m->top);
	recommendation(f, s);
	return ferror(f) ? -1 : 0;
}

void
survey_progress(char *buf, size_t len, const struct survey_conf *c,
    const struct survey_series *ser)
{
	const struct survey_sample *s;
	size_t k, used;
	int n;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (ser->nsamples == 0)
		return;
	s = &ser->samples[ser->nsamples - 1];
	n = snprintf(buf, len, "#%zu  ports %u ", ser->nsamples, s->ports);
	for (k = 0; k < c->nclasses && n >= 0 && (size_t)n < len; k++) {
		used = (size_t)n;
		n += snprintf(buf + used, len - used, " %s %u", c->names[k],
		    s->cls[k]);
	}
	if (n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "   hosts %u  conns %u",
		    s->nhosts, s->flows);
}
