/* SPDX-License-Identifier: MIT */
/* The time series as CSV: per sample, and per host and sample. */
#include <stdio.h>

#include "survey/survey_out.h"

int
survey_write_csv(FILE *f, const struct survey_conf *c,
    const struct survey_series *ser)
{
	size_t i, k;

	fprintf(f, "sample,seconds,epoch,ports,connections,hosts,entries");
	for (k = 0; k < c->nclasses; k++)
		fprintf(f, ",%s", c->names[k]);
	for (k = 0; k < SURVEY_NPROTO; k++)
		fprintf(f, ",proto_%s", survey_proto_names[k]);
	fputc('\n', f);
	for (i = 0; i < ser->nsamples; i++) {
		const struct survey_sample *s = &ser->samples[i];

		fprintf(f, "%zu,%.3f,%lld,%u,%u,%u,%u", i + 1, s->t,
		    (long long)s->epoch, s->ports, s->flows, s->nhosts,
		    s->entries);
		for (k = 0; k < c->nclasses; k++)
			fprintf(f, ",%u", s->cls[k]);
		for (k = 0; k < SURVEY_NPROTO; k++)
			fprintf(f, ",%u", s->proto[k]);
		fputc('\n', f);
	}
	return ferror(f) ? -1 : 0;
}

int
survey_write_hosts_csv(FILE *f, const struct survey_conf *c,
    const struct survey_series *ser)
{
	size_t i, k;
	char a[16];

	fprintf(f, "sample,seconds,host,ports,connections");
	for (k = 0; k < c->nclasses; k++)
		fprintf(f, ",%s", c->names[k]);
	fputc('\n', f);
	for (i = 0; i < ser->nhosts; i++) {
		const struct survey_host *h = &ser->hosts[i];

		fprintf(f, "%u,%.3f,%s,%u,%u", h->sample + 1,
		    ser->samples[h->sample].t, ct_ntoa(h->addr, a), h->ports,
		    h->flows);
		for (k = 0; k < c->nclasses; k++)
			fprintf(f, ",%u", h->cls[k]);
		fputc('\n', f);
	}
	return ferror(f) ? -1 : 0;
}
