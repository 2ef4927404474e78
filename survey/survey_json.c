/* SPDX-License-Identifier: MIT */
/*
 * The summary as JSON, for scripts and the end-to-end tests. Class
 * names are restricted to [a-z0-9_-] and the match lists to protocol
 * names, digits, '/', '-' and ',', so nothing here needs escaping.
 */
#include <math.h>
#include <stdio.h>

#include "survey/survey_out.h"

/* a number: integers without a fraction, never NaN (JSON has none) */
static void
num(FILE *f, double v)
{
	if (!isfinite(v))
		fputs("null", f);
	else if (v == floor(v) && fabs(v) < 1e15)
		fprintf(f, "%.0f", v);
	else
		fprintf(f, "%.6g", v);
}

static void
row(FILE *f, const char *indent, const struct survey_row *r, bool hosts)
{
	fprintf(f, "\"average\": ");
	num(f, r->avg);
	fprintf(f, ", \"share\": ");
	num(f, round(r->share * 10000) / 10000);
	fprintf(f, ", \"min\": %u, \"max\": %u", r->min, r->max);
	if (hosts)
		fprintf(f, ",\n%s\"host_p50\": %u, \"host_p95\": %u, "
		    "\"host_p99\": %u, \"host_max\": %u", indent, r->p50,
		    r->p95, r->p99, r->hmax);
}

static void
hosts(FILE *f, const struct survey_conf *c, const struct survey_summary *s)
{
	size_t i, k;
	char a[16];

	fprintf(f, "  \"hosts\": [");
	for (i = 0; i < s->nhosts; i++) {
		const struct survey_host_stat *h = &s->host[i];

		fprintf(f, "%s\n    {\"address\": \"%s\", \"samples\": %u, "
		    "\"average\": ", i ? "," : "", ct_ntoa(h->addr, a),
		    h->samples);
		num(f, h->avg);
		fprintf(f, ", \"max\": %u, \"connections_max\": %u,\n"
		    "     \"classes\": {", h->max, h->flows_max);
		for (k = 0; k < c->nclasses; k++) {
			fprintf(f, "%s\"%s\": {\"average\": ", k ? ", " : "",
			    c->names[k]);
			num(f, h->cls_avg[k]);
			fprintf(f, ", \"max\": %u}", h->cls_max[k]);
		}
		fprintf(f, "}}");
	}
	fprintf(f, "%s],\n", s->nhosts ? "\n  " : "");
}

int
survey_write_json(FILE *f, const struct survey_conf *c,
    const struct survey_summary *s, const struct survey_meta *m)
{
	const struct survey_reco *r = &s->reco;
	size_t k;

	fprintf(f, "{\n  \"source\": \"%s\",\n  \"samples\": %zu,\n"
	    "  \"interval\": ", m->source, s->nsamples);
	num(f, m->interval);
	fprintf(f, ",\n  \"duration\": ");
	num(f, s->duration);
	fprintf(f, ",\n  \"ports\": {");
	row(f, "    ", &s->total, true);
	fprintf(f, "},\n  \"connections\": {");
	row(f, "    ", &s->flows, true);
	fprintf(f, "},\n  \"hosts_per_sample\": {");
	row(f, "    ", &s->hosts, false);
	fprintf(f, "},\n  \"classes\": [");
	for (k = 0; k < c->nclasses; k++) {
		fprintf(f, "%s\n    {\"name\": \"%s\", \"match\": \"%s\",\n     ",
		    k ? "," : "", c->names[k],
		    k + 1 == c->nclasses ? "" : c->match[k]);
		row(f, "     ", &s->cls[k], true);
		fputc('}', f);
	}
	fprintf(f, "\n  ],\n  \"protocols\": {");
	for (k = 0; k < SURVEY_NPROTO; k++) {
		fprintf(f, "%s\n    \"%s\": {", k ? "," : "",
		    survey_proto_names[k]);
		row(f, "", &s->proto[k], false);
		fputc('}', f);
	}
	fprintf(f, "\n  },\n");
	hosts(f, c, s);
	fprintf(f, "  \"recommendation\": {\n    \"unit\": \"%s\", "
	    "\"percentile\": ", s->params.unit == SURVEY_PER_HOST ? "host" :
	    "gateway");
	num(f, s->params.percentile);
	fprintf(f, ", \"observed\": %u, \"margin\": ", r->observed);
	num(f, s->params.margin);
	fprintf(f, ",\n    \"needed\": %u, \"fits\": %s, \"range_size\": %u, "
	    "\"range_sharing\": %u,\n    \"psid_offset\": %u, \"psid_len\": %u, "
	    "\"psid_ports\": %u, \"psid_sharing\": %u\n  }\n}\n", r->needed,
	    r->fits ? "true" : "false", r->needed, r->range_sharing,
	    s->params.psid_offset, r->psid_len, r->psid_ports, r->psid_sharing);
	return ferror(f) ? -1 : 0;
}
