/* SPDX-License-Identifier: MIT */
/*
 * The statistics of a survey, as in the original study's tables: per
 * class the average over samples, its share of the total and the
 * maximum; percentiles of ports per host over host-samples; the busiest
 * hosts; and the port-set size that would have been enough.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "portset.h"
#include "survey/survey.h"

/* ports 0-1023 are never handed out, so an address has this many */
#define SHARED_PORTS	(65536u - 1024u)

void
survey_params_default(struct survey_params *p)
{
	p->percentile = 99;
	p->margin = 0.5;
	p->psid_offset = 6;	/* RFC 7597 5.1 default */
	p->unit = SURVEY_PER_HOST;
}

uint32_t
survey_percentile(const uint32_t *v, size_t n, double pct)
{
	double r;
	size_t rank;

	if (n == 0)
		return 0;
	/* nearest rank; the epsilon keeps 0.95 * 20 from becoming 20.0000001 */
	r = ceil(pct / 100.0 * (double)n - 1e-9);
	rank = r < 1 ? 1 : (size_t)r;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

void
survey_recommend(uint32_t observed, const struct survey_params *par,
    struct survey_reco *r)
{
	double need = ceil((double)observed * (1.0 + par->margin) - 1e-9);
	unsigned a = par->psid_offset, k;

	memset(r, 0, sizeof(*r));
	r->observed = observed;
	r->needed = need < 1 ? 1 : need > 1e9 ? 1000000000u : (uint32_t)need;
	r->fits = r->needed <= SHARED_PORTS;
	r->range_sharing = r->fits ? SHARED_PORTS / r->needed : 0;
	/* the longest PSID whose sets still hold what is needed */
	for (k = 16 - a + 1; k-- > 0;) {
		struct portset ps = portset_psid(a, k, 0);
		uint32_t size = portset_size(&ps);

		if (size >= r->needed) {
			r->psid_len = k;
			r->psid_ports = size;
			r->psid_sharing = 1u << k;
			return;
		}
	}
	r->fits = false;
}

static int
cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

/* average, min and max over samples of the field at offset off */
static void
over_samples(const struct survey_series *ser, size_t off,
    struct survey_row *row)
{
	double sum = 0;
	size_t i;

	row->min = UINT32_MAX;
	for (i = 0; i < ser->nsamples; i++) {
		uint32_t v;

		memcpy(&v, (const char *)&ser->samples[i] + off, sizeof(v));
		sum += v;
		if (v < row->min)
			row->min = v;
		if (v > row->max)
			row->max = v;
	}
	if (ser->nsamples == 0)
		row->min = 0;
	else
		row->avg = sum / (double)ser->nsamples;
}

/* percentiles over host-samples of the field at offset off */
static void
over_hosts(const struct survey_series *ser, size_t off, uint32_t *buf,
    struct survey_row *row)
{
	size_t i, n = ser->nhosts;

	for (i = 0; i < n; i++)
		memcpy(&buf[i], (const char *)&ser->hosts[i] + off, sizeof(*buf));
	qsort(buf, n, sizeof(*buf), cmp_u32);
	row->p50 = survey_percentile(buf, n, 50);
	row->p95 = survey_percentile(buf, n, 95);
	row->p99 = survey_percentile(buf, n, 99);
	row->hmax = n ? buf[n - 1] : 0;
}

static int
cmp_host_index(const void *x, const void *y, void *arg)
{
	const struct survey_host *h = arg;
	const struct survey_host *a = &h[*(const size_t *)x];
	const struct survey_host *b = &h[*(const size_t *)y];

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return a->sample < b->sample ? -1 : a->sample > b->sample;
}

/* busiest first: by maximum, then average, then address */
static int
cmp_busiest(const void *x, const void *y)
{
	const struct survey_host_stat *a = x, *b = y;

	if (a->max != b->max)
		return a->max > b->max ? -1 : 1;
	if (a->avg != b->avg)
		return a->avg > b->avg ? -1 : 1;
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static int
host_stats(const struct survey_series *ser, size_t ncls,
    struct survey_summary *sum)
{
	size_t *idx, i, j, n = ser->nhosts;
	struct survey_host_stat *hs = NULL;

	sum->nhosts = 0;
	sum->host = NULL;
	if (n == 0)
		return 0;
	idx = malloc(n * sizeof(*idx));
	hs = calloc(n, sizeof(*hs));
	if (idx == NULL || hs == NULL) {
		free(idx);
		free(hs);
		return -1;
	}
	for (i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), cmp_host_index, ser->hosts);
	for (i = 0; i < n; i = j) {
		struct survey_host_stat *s = &hs[sum->nhosts++];
		size_t c;

		s->addr = ser->hosts[idx[i]].addr;
		for (j = i; j < n && ser->hosts[idx[j]].addr == s->addr; j++) {
			const struct survey_host *h = &ser->hosts[idx[j]];

			s->samples++;
			s->avg += h->ports;
			if (h->ports > s->max)
				s->max = h->ports;
			if (h->flows > s->flows_max)
				s->flows_max = h->flows;
			for (c = 0; c < ncls; c++) {
				s->cls_avg[c] += h->cls[c];
				if (h->cls[c] > s->cls_max[c])
					s->cls_max[c] = h->cls[c];
			}
		}
		/* over all samples: a host with no flows used no ports */
		s->avg /= (double)ser->nsamples;
		for (c = 0; c < ncls; c++)
			s->cls_avg[c] /= (double)ser->nsamples;
	}
	free(idx);
	qsort(hs, sum->nhosts, sizeof(*hs), cmp_busiest);
	sum->host = hs;
	return 0;
}

int
survey_summarise(const struct survey_conf *conf,
    const struct survey_series *ser, const struct survey_params *par,
    struct survey_summary *sum)
{
	size_t c, n = ser->nhosts > ser->nsamples ? ser->nhosts : ser->nsamples;
	uint32_t *buf, observed;

	memset(sum, 0, sizeof(*sum));
	if (par->percentile <= 0 || par->percentile > 100 || par->margin < 0 ||
	    par->psid_offset > 15) {
		errno = EINVAL;
		return -1;
	}
	sum->params = *par;
	sum->nsamples = ser->nsamples;
	sum->nclasses = conf->nclasses;
	if (ser->nsamples > 0)
		sum->duration = ser->samples[ser->nsamples - 1].t;
	buf = malloc((n ? n : 1) * sizeof(*buf));
	if (buf == NULL)
		return -1;

	over_samples(ser, offsetof(struct survey_sample, ports), &sum->total);
	over_hosts(ser, offsetof(struct survey_host, ports), buf, &sum->total);
	over_samples(ser, offsetof(struct survey_sample, flows), &sum->flows);
	over_hosts(ser, offsetof(struct survey_host, flows), buf, &sum->flows);
	over_samples(ser, offsetof(struct survey_sample, nhosts), &sum->hosts);
	for (c = 0; c < conf->nclasses; c++) {
		over_samples(ser, offsetof(struct survey_sample, cls) +
		    c * sizeof(uint32_t), &sum->cls[c]);
		over_hosts(ser, offsetof(struct survey_host, cls) +
		    c * sizeof(uint32_t), buf, &sum->cls[c]);
	}
	for (c = 0; c < SURVEY_NPROTO; c++)
		over_samples(ser, offsetof(struct survey_sample, proto) +
		    c * sizeof(uint32_t), &sum->proto[c]);
	sum->total.share = sum->total.avg > 0 ? 1 : 0;
	for (c = 0; c < conf->nclasses; c++)
		sum->cls[c].share = sum->total.avg > 0 ?
		    sum->cls[c].avg / sum->total.avg : 0;
	for (c = 0; c < SURVEY_NPROTO; c++)
		sum->proto[c].share = sum->total.avg > 0 ?
		    sum->proto[c].avg / sum->total.avg : 0;

	if (par->unit == SURVEY_PER_HOST) {
		for (c = 0; c < ser->nhosts; c++)
			buf[c] = ser->hosts[c].ports;
		qsort(buf, ser->nhosts, sizeof(*buf), cmp_u32);
		observed = survey_percentile(buf, ser->nhosts, par->percentile);
	} else {
		for (c = 0; c < ser->nsamples; c++)
			buf[c] = ser->samples[c].ports;
		qsort(buf, ser->nsamples, sizeof(*buf), cmp_u32);
		observed = survey_percentile(buf, ser->nsamples, par->percentile);
	}
	free(buf);
	survey_recommend(observed, par, &sum->reco);
	if (host_stats(ser, conf->nclasses, sum) == -1) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void
survey_summary_free(struct survey_summary *sum)
{
	free(sum->host);
	sum->host = NULL;
	sum->nhosts = 0;
}
