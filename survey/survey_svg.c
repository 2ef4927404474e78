/* SPDX-License-Identifier: MIT */
/*
 * The SVG chart: ports in use over time, per class (with the total) on
 * top and per busiest host below. Plain SVG 1.1 with no script or
 * external resource, so any browser or validator shows it.
 */
#include <math.h>
#include <stdio.h>

#include "survey/survey_out.h"

#define W	960
#define PH	300		/* height of one panel */
#define ML	64		/* margins: left, right (legend), top, bottom */
#define MR	200
#define MT	40
#define MB	40
#define PW	(W - ML - MR)

static const char *const colours[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
	"#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
};
#define NCOLOURS (sizeof(colours) / sizeof(colours[0]))

/* a round axis maximum with 1, 2 or 5 times a power of ten per tick */
static double
nice_step(uint32_t max)
{
	double raw = (max > 0 ? max : 1) / 5.0, p = pow(10, floor(log10(raw)));

	if (raw <= p)
		return p;
	if (raw <= 2 * p)
		return 2 * p;
	if (raw <= 5 * p)
		return 5 * p;
	return 10 * p;
}

struct panel {
	double y0;		/* top of the plot area */
	double ymax, tmax;
	const struct survey_series *ser;
};

static double
px(const struct panel *p, size_t i)
{
	const struct survey_series *s = p->ser;

	if (s->nsamples < 2)
		return ML + PW / 2.0;
	if (p->tmax > 0)
		return ML + PW * s->samples[i].t / p->tmax;
	return ML + PW * (double)i / (double)(s->nsamples - 1);
}

static double
py(const struct panel *p, uint32_t v)
{
	return p->y0 + (PH - MT - MB) * (1 - v / p->ymax);
}

static void
axes(FILE *f, const struct panel *p, const char *title, double step)
{
	double v, h = PH - MT - MB;

	fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"title\">%s</text>\n", ML,
	    p->y0 - 14, title);
	for (v = 0; v <= p->ymax + 1e-9; v += step) {
		double y = p->y0 + h * (1 - v / p->ymax);

		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
		    "class=\"grid\"/>\n<text x=\"%d\" y=\"%.1f\" "
		    "text-anchor=\"end\">%g</text>\n", ML, y, ML + PW, y, ML - 6,
		    y + 4, v);
	}
	fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
	    "class=\"axis\"/>\n", ML, p->y0 + h, ML + PW, p->y0 + h);
	fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
	    ML + PW, p->y0 + h + 30, p->tmax > 0 ? "seconds" : "sample");
	fprintf(f, "<text x=\"%d\" y=\"%.1f\">0</text>\n", ML, p->y0 + h + 16);
	fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
	    ML + PW, p->y0 + h + 16, p->tmax > 0 ? p->tmax :
	    (double)(p->ser->nsamples ? p->ser->nsamples : 1));
}

/* one series: value(arg, i) for every sample i */
static void
series(FILE *f, const struct panel *p, const char *id, const char *label,
    const char *colour, double width, size_t nth,
    uint32_t (*value)(const struct survey_series *, size_t, const void *),
    const void *arg)
{
	size_t i, n = p->ser->nsamples;
	double ly = p->y0 + 4 + 18.0 * (double)nth;

	fprintf(f, "<polyline class=\"series\" data-series=\"%s\" fill=\"none\" "
	    "stroke=\"%s\" stroke-width=\"%g\" points=\"", id, colour, width);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%.1f,%.1f", i ? " " : "", px(p, i),
		    py(p, value(p->ser, i, arg)));
	fprintf(f, "\"><title>%s</title></polyline>\n", label);
	if (n <= 60)	/* markers keep short runs, even of one sample, visible */
		for (i = 0; i < n; i++)
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" "
			    "fill=\"%s\"/>\n", px(p, i),
			    py(p, value(p->ser, i, arg)), colour);
	fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
	    "stroke=\"%s\" stroke-width=\"3\"/>\n<text x=\"%d\" y=\"%.1f\">"
	    "%s</text>\n", ML + PW + 16, ly, ML + PW + 36, ly, colour,
	    ML + PW + 42, ly + 4, label);
}

static uint32_t
v_total(const struct survey_series *s, size_t i, const void *arg)
{
	(void)arg;
	return s->samples[i].ports;
}

static uint32_t
v_class(const struct survey_series *s, size_t i, const void *arg)
{
	return s->samples[i].cls[*(const size_t *)arg];
}

/* the host's ports in sample i: hosts are sorted by address there */
static uint32_t
v_host(const struct survey_series *s, size_t i, const void *arg)
{
	uint32_t addr = *(const uint32_t *)arg;
	const struct survey_host *h = s->hosts + s->samples[i].host0;
	size_t lo = 0, hi = s->samples[i].nhosts;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (h[mid].addr == addr)
			return h[mid].ports;
		if (h[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int
survey_write_svg(FILE *f, const struct survey_conf *c,
    const struct survey_series *ser, const struct survey_summary *sum,
    const struct survey_meta *m)
{
	struct panel p = { .ser = ser };
	size_t k, nh = sum->nhosts < m->top ? sum->nhosts : m->top;
	double step;
	char id[40], a[16];
	uint32_t hmax = 0;

	p.tmax = sum->duration;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
	    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n"
	    "<title>portsurvey: external IPv4 ports in use</title>\n"
	    "<style>text{font:12px sans-serif;fill:#222}"
	    ".title{font-size:14px;font-weight:bold}"
	    ".grid{stroke:#ddd;stroke-width:1}.axis{stroke:#444}</style>\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
	    W, 2 * PH, W, 2 * PH);

	/* per class, and the total */
	step = nice_step(sum->total.max);
	p.ymax = ceil((sum->total.max ? sum->total.max : 1) / step) * step;
	p.y0 = MT;
	fprintf(f, "<g id=\"classes\">\n");
	axes(f, &p, "Ports in use per class", step);
	series(f, &p, "total", "all ports", "#000", 2.5, 0, v_total, NULL);
	for (k = 0; k < c->nclasses; k++) {
		snprintf(id, sizeof(id), "class:%s", c->names[k]);
		series(f, &p, id, c->names[k], colours[k % NCOLOURS], 1.5, k + 1,
		    v_class, &k);
	}
	fprintf(f, "</g>\n");

	/* per host */
	for (k = 0; k < nh; k++)
		if (sum->host[k].max > hmax)
			hmax = sum->host[k].max;
	step = nice_step(hmax);
	p.ymax = ceil((hmax ? hmax : 1) / step) * step;
	p.y0 = PH + MT;
	fprintf(f, "<g id=\"hosts\">\n");
	axes(f, &p, nh < sum->nhosts ? "Ports in use per host (busiest)" :
	    "Ports in use per host", step);
	for (k = 0; k < nh; k++) {
		ct_ntoa(sum->host[k].addr, a);
		snprintf(id, sizeof(id), "host:%s", a);
		series(f, &p, id, a, colours[k % NCOLOURS], 1.5, k, v_host,
		    &sum->host[k].addr);
	}
	fprintf(f, "</g>\n</svg>\n");
	return ferror(f) ? -1 : 0;
}
