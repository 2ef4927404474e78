/* SPDX-License-Identifier: MIT */
/* Prometheus text exposition: see prom.h. */
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"
#include "safe_file.h"

static bool
name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && c >= '0' && c <= '9');
}

void
prom_name(char *buf, size_t len, const char *prefix, const char *name, enum prom_type t)
{
	size_t n;

	snprintf(buf, len, "%s%s%s%s", prefix, *prefix ? "_" : "", name,
		 t == PROM_COUNTER ? "_total" : "");
	n = strlen(buf);
	for (size_t i = 0; i < n; i++)
		if (!name_char(buf[i], i == 0))
			buf[i] = '_';
}

/* HELP text: backslash and newline escaped; label values also '"'. */
static void
escaped(FILE *f, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (quote && *s == '"')
			fputs("\\\"", f);
		else
			fputc(*s, f);
	}
}

void
prom_family(FILE *f, const char *prefix, const char *name, const char *help, enum prom_type t)
{
	char m[256];

	prom_name(m, sizeof(m), prefix, name, t);
	fprintf(f, "# HELP %s ", m);
	escaped(f, help, false);
	fprintf(f, "\n# TYPE %s %s\n", m, t == PROM_COUNTER ? "counter" : "gauge");
}

void
prom_sample(FILE *f, const char *prefix, const char *name, enum prom_type t, const char *label,
	    const char *label_value, uint64_t v)
{
	char m[256], l[64];

	prom_name(m, sizeof(m), prefix, name, t);
	fputs(m, f);
	if (label) {
		prom_name(l, sizeof(l), "", label, PROM_GAUGE);
		fprintf(f, "{%s=\"", l);
		escaped(f, label_value, true);
		fputs("\"}", f);
	}
	fprintf(f, " %llu\n", (unsigned long long)v);
}

void
prom_metric(FILE *f, const char *prefix, const char *name, const char *help, enum prom_type t,
	    uint64_t v)
{
	prom_family(f, prefix, name, help, t);
	prom_sample(f, prefix, name, t, NULL, NULL, v);
}

unsigned
prom_stat_lines(FILE *f, const char *prefix, const char *text)
{
	unsigned n = 0;

	while (*text) {
		const char *eol = strchr(text, '\n');
		size_t len = eol ? (size_t)(eol - text) : strlen(text);
		char line[512], *v, *doc, *end;
		unsigned long long val;

		if (len < sizeof(line)) {
			memcpy(line, text, len);
			line[len] = '\0';
			if ((v = strchr(line, '\t')) && (doc = strchr(v + 1, '\t'))) {
				*v++ = '\0';
				*doc++ = '\0';
				val = strtoull(v, &end, 10);
				if (*line && *v >= '0' && *v <= '9' && !*end) {
					prom_metric(f, prefix, line, doc, PROM_COUNTER, val);
					n++;
				}
			}
		}
		text += len;
		if (*text)
			text++;
	}
	return n;
}

int
prom_write_file(const char *path, void (*fill)(FILE *, void *), void *arg)
{
	char tmp[PATH_MAX + 8];
	FILE *f = safe_file_open(path, tmp, sizeof(tmp));

	if (!f)
		return -1;
	fill(f, arg);
	return safe_file_commit(f, tmp, path);
}
