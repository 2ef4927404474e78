/* SPDX-License-Identifier: MIT */
/*
 * Port survey output: the terminal report, CSV time series, JSON
 * summary and SVG chart. Each writer takes a stream and returns -1 if
 * writing failed (ferror), so the caller reports the file name once.
 */
#ifndef AP_SURVEY_OUT_H
#define AP_SURVEY_OUT_H

#include <stdio.h>

#include "survey/survey.h"

struct survey_meta {
	const char *source;	/* "netlink", "proc", "files" */
	double interval;	/* seconds between samples */
	size_t top;		/* busiest hosts to show (report, SVG) */
};

int survey_write_report(FILE *, const struct survey_conf *,
    const struct survey_summary *, const struct survey_meta *);
/* one row per sample: totals, classes, protocols */
int survey_write_csv(FILE *, const struct survey_conf *,
    const struct survey_series *);
/* one row per host and sample */
int survey_write_hosts_csv(FILE *, const struct survey_conf *,
    const struct survey_series *);
int survey_write_json(FILE *, const struct survey_conf *,
    const struct survey_summary *, const struct survey_meta *);
/*
 * Two charts of ports in use over time: per class (plus the total) and
 * per host (the top busiest). Every series is a <polyline> with
 * class="series" and data-series="class:NAME", "total" or "host:ADDR".
 */
int survey_write_svg(FILE *, const struct survey_conf *,
    const struct survey_series *, const struct survey_summary *,
    const struct survey_meta *);
/* "#12  ports 47  dns 40  http 2  https 4  other 1  hosts 3" */
void survey_progress(char *buf, size_t len, const struct survey_conf *,
    const struct survey_series *);

#endif
