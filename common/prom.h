/* SPDX-License-Identifier: MIT */
/*
 * Prometheus text exposition (format 0.0.4) of counter tables, for
 * `prrctl stats --format prometheus`, `smap stats --format prometheus`
 * and the daemons' metrics_file (node_exporter's textfile collector).
 * A counter "in_packets" of prefix "smap" is smap_in_packets_total.
 */
#ifndef AP_PROM_H
#define AP_PROM_H

#include <stdint.h>
#include <stdio.h>

enum prom_type { PROM_COUNTER, PROM_GAUGE };

/* The metric's name: prefix_name, with _total for a counter; characters
 * a metric name may not have become '_'. */
void prom_name(char *buf, size_t len, const char *prefix, const char *name, enum prom_type);
/* The # HELP and # TYPE lines of a family (help escaped). */
void prom_family(FILE *, const char *prefix, const char *name, const char *help,
		 enum prom_type);
/* One sample; label NULL, or one label name and its value (escaped). */
void prom_sample(FILE *, const char *prefix, const char *name, enum prom_type,
		 const char *label, const char *label_value, uint64_t value);
/* A family of one sample without labels. */
void prom_metric(FILE *, const char *prefix, const char *name, const char *help,
		 enum prom_type, uint64_t value);

/* The control socket's counter lines ("name<TAB>value<TAB>doc") of text
 * as counter families; lines of another shape are skipped. Returns how
 * many were written. */
unsigned prom_stat_lines(FILE *, const char *prefix, const char *text);

/* Rewrite path atomically (safe_file) with what fill writes; 0 or -1 (errno). */
int prom_write_file(const char *path, void (*fill)(FILE *, void *), void *arg);

#endif
