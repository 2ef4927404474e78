/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

static void
errv(struct conf_err *e, const char *file, int line, const char *key,
     const char *fmt, va_list ap)
{
	int n;

	e->count++;
	if (e->len >= sizeof(e->text) - 1)
		return;
	if (key && *key)
		n = snprintf(e->text + e->len, sizeof(e->text) - e->len,
			     "%s:%d: %s: ", file, line, key);
	else
		n = snprintf(e->text + e->len, sizeof(e->text) - e->len,
			     "%s:%d: ", file, line);
	if (n > 0)
		e->len += (size_t)n;
	if (e->len >= sizeof(e->text) - 1) {
		e->len = sizeof(e->text) - 1;
		return;
	}
	n = vsnprintf(e->text + e->len, sizeof(e->text) - e->len, fmt, ap);
	if (n > 0)
		e->len += (size_t)n;
	if (e->len < sizeof(e->text) - 1)
		e->text[e->len++] = '\n';
	else
		e->len = sizeof(e->text) - 1;
	e->text[e->len] = '\0';
}

static void
errl(struct conf_err *e, const char *file, int line, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errv(e, file, line, key, fmt, ap);
	va_end(ap);
}

bool
conf_read(config_t *cf, const char *file, struct conf_err *e)
{
	memset(e, 0, sizeof(*e));
	e->file = file;
	config_init(cf);
	if (config_read_file(cf, file) == CONFIG_TRUE)
		return true;
	if (config_error_type(cf) == CONFIG_ERR_FILE_IO)
		errl(e, file, 0, NULL, "cannot read: %s", strerror(errno));
	else
		errl(e, config_error_file(cf) ? config_error_file(cf) : file,
		     config_error_line(cf), NULL, "%s", config_error_text(cf));
	return false;
}

void
conf_path(const config_setting_t *s, char *buf, size_t len)
{
	char tmp[256];
	const config_setting_t *parent;

	buf[0] = '\0';
	for (; s && !config_setting_is_root(s); s = parent) {
		const char *name = config_setting_name(s);

		parent = config_setting_parent(s);
		if (name)
			snprintf(tmp, sizeof(tmp), "%s%s%s", name, *buf ? "." : "", buf);
		else
			snprintf(tmp, sizeof(tmp), "[%d]%s%s", config_setting_index(s),
				 *buf ? "." : "", buf);
		snprintf(buf, len, "%s", tmp);
	}
}

void
conf_errf(struct conf_err *e, const config_setting_t *s, const char *key, const char *fmt, ...)
{
	char path[256], full[320];
	const config_setting_t *m = s && key ? config_setting_get_member(s, key) : NULL;
	const config_setting_t *at = m ? m : s;
	const char *file = at && config_setting_source_file(at) ?
	    config_setting_source_file(at) : e->file;
	int line = at ? config_setting_source_line(at) : 0;
	va_list ap;

	conf_path(s, path, sizeof(path));
	if (key)
		snprintf(full, sizeof(full), "%s%s%s", path, *path ? "." : "", key);
	else
		snprintf(full, sizeof(full), "%s", path);
	va_start(ap, fmt);
	errv(e, file, line, full, fmt, ap);
	va_end(ap);
}

void
conf_only_keys(struct conf_err *e, const config_setting_t *g, const char *const *allowed)
{
	int n = config_setting_length(g);

	for (int i = 0; i < n; i++) {
		config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(m);
		const char *const *a;

		if (!name)
			continue;
		for (a = allowed; *a; a++)
			if (strcmp(*a, name) == 0)
				break;
		if (!*a)
			conf_errf(e, m, NULL, "unknown key");
	}
}

bool
conf_int(struct conf_err *e, const config_setting_t *g, const char *key,
	 long long min, long long max, long long *out)
{
	config_setting_t *m = config_setting_get_member(g, key);
	long long v;

	if (!m)
		return false;
	switch (config_setting_type(m)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(m);
		break;
	default:
		conf_errf(e, g, key, "expected an integer");
		return false;
	}
	if (v < min || v > max) {
		conf_errf(e, g, key, "%lld is out of range %lld..%lld", v, min, max);
		return false;
	}
	*out = v;
	return true;
}

bool
conf_uint(struct conf_err *e, const config_setting_t *g, const char *key,
	  unsigned min, unsigned max, unsigned *out)
{
	long long v;

	if (!conf_int(e, g, key, min, max, &v))
		return false;
	*out = (unsigned)v;
	return true;
}

bool
conf_bool(struct conf_err *e, const config_setting_t *g, const char *key, bool *out)
{
	config_setting_t *m = config_setting_get_member(g, key);

	if (!m)
		return false;
	if (config_setting_type(m) != CONFIG_TYPE_BOOL) {
		conf_errf(e, g, key, "expected true or false");
		return false;
	}
	*out = config_setting_get_bool(m);
	return true;
}

bool
conf_str(struct conf_err *e, const config_setting_t *g, const char *key, const char **out)
{
	config_setting_t *m = config_setting_get_member(g, key);

	if (!m)
		return false;
	if (config_setting_type(m) != CONFIG_TYPE_STRING) {
		conf_errf(e, g, key, "expected a string");
		return false;
	}
	*out = config_setting_get_string(m);
	return true;
}

bool
parse_ipv4(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return false;
	*out = ntohl(a.s_addr);
	return true;
}

bool
parse_uint(const char *s, unsigned max, unsigned *plen)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max)
		return false;
	*plen = (unsigned)v;
	return true;
}

bool
parse_prefix4(const char *s, uint32_t *addr, unsigned *plen)
{
	char buf[64];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	*plen = 32;
	if (slash) {
		*slash = '\0';
		if (!parse_uint(slash + 1, 32, plen))
			return false;
	}
	if (!parse_ipv4(buf, addr))
		return false;
	/* 64-bit shift: /0 would shift a 32-bit 1 by 32 (undefined) */
	if (*plen < 32 && (*addr & (uint32_t)((1ull << (32 - *plen)) - 1)))
		return false;	/* host bits set: almost surely a typo */
	return true;
}

bool
parse_prefix6(const char *s, struct in6_addr *addr, unsigned *plen)
{
	char buf[80];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	*plen = 128;
	if (slash) {
		*slash = '\0';
		if (!parse_uint(slash + 1, 128, plen))
			return false;
	}
	return inet_pton(AF_INET6, buf, addr) == 1;
}

bool
conf_ipv4(struct conf_err *e, const config_setting_t *g, const char *key, uint32_t *out)
{
	const char *s;

	if (!conf_str(e, g, key, &s))
		return false;
	if (!parse_ipv4(s, out)) {
		conf_errf(e, g, key, "'%s' is not an IPv4 address", s);
		return false;
	}
	return true;
}

bool
conf_ipv6(struct conf_err *e, const config_setting_t *g, const char *key, struct in6_addr *out)
{
	const char *s;

	if (!conf_str(e, g, key, &s))
		return false;
	if (inet_pton(AF_INET6, s, out) != 1) {
		conf_errf(e, g, key, "'%s' is not an IPv6 address", s);
		return false;
	}
	return true;
}
