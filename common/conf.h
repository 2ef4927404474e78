/* SPDX-License-Identifier: MIT */
/*
 * Config loading helpers over libconfig. Every error names the file, the
 * line and the key: "prr.conf:12: bindings.[3].ports: bad port set '9-1'".
 * Errors are collected, not fatal at the first, so one run shows them all.
 */
#ifndef AP_CONF_H
#define AP_CONF_H

#include <libconfig.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct conf_err {
	const char *file;
	int count;
	size_t len;
	char text[4096];
};

/* Read and parse a file; a syntax error is recorded with its line. */
bool conf_read(config_t *, const char *file, struct conf_err *);
void conf_errf(struct conf_err *, const config_setting_t *, const char *key,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Full name of a setting, e.g. "bindings.[3].ports". */
void conf_path(const config_setting_t *, char *buf, size_t len);
/* Every member of group must be in allowed (NULL-terminated). */
void conf_only_keys(struct conf_err *, const config_setting_t *group, const char *const *allowed);

/* Getters: false if absent (out untouched); on a bad value, an error and false. */
bool conf_int(struct conf_err *, const config_setting_t *, const char *key,
	      long long min, long long max, long long *out);
bool conf_uint(struct conf_err *, const config_setting_t *, const char *key,
	       unsigned min, unsigned max, unsigned *out);
bool conf_bool(struct conf_err *, const config_setting_t *, const char *key, bool *out);
bool conf_str(struct conf_err *, const config_setting_t *, const char *key, const char **out);
bool conf_ipv4(struct conf_err *, const config_setting_t *, const char *key, uint32_t *out);
bool conf_ipv6(struct conf_err *, const config_setting_t *, const char *key, struct in6_addr *out);
/* Parse helpers for list elements and strings. */
bool parse_ipv4(const char *, uint32_t *out);
/* A decimal number, 0..max, nothing after it. */
bool parse_uint(const char *, unsigned max, unsigned *out);
bool parse_prefix4(const char *, uint32_t *addr, unsigned *plen);
bool parse_prefix6(const char *, struct in6_addr *addr, unsigned *plen);

#endif
