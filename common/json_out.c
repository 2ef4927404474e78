/* SPDX-License-Identifier: MIT */
/* JSON output of the CLIs: see json_out.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json_out.h"

int
json_out(FILE *f, json_t *v)
{
	if (!v)
		return 1;
	/* invalid UTF-8 from the daemon must not make the output invalid */
	json_dumpf(v, f, JSON_COMPACT | JSON_ENSURE_ASCII);
	fputc('\n', f);
	json_decref(v);
	return 0;
}

int
json_out_error(FILE *f, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	json_t *s;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s = json_text(msg);
	json_out(f, json_pack("{s:o}", "error", s));
	return 1;
}

json_t *
json_from_field(const char *s)
{
	const char *p = s;

	if (*p)
		while (*p >= '0' && *p <= '9')
			p++;
	if (*s && !*p && p - s < 19 && (s[0] != '0' || !s[1])) {
		errno = 0;
		long long n = strtoll(s, NULL, 10);

		if (errno == 0)
			return json_integer(n);
	}
	return json_text(s);
}

json_t *
json_text(const char *s)
{
	json_t *v = json_string(s);
	char *c;

	if (v)
		return v;
	/* not UTF-8: the bytes over 0x7f become '?' */
	c = strdup(s);
	if (!c)
		return json_string("");
	for (char *q = c; *q; q++)
		if ((unsigned char)*q > 0x7f)
			*q = '?';
	v = json_string(c);
	free(c);
	return v;
}
