/* SPDX-License-Identifier: MIT */
/*
 * prrctl's argument checks: every argument is parsed strictly before a
 * request goes to the PRR, and a refusal says which argument and why.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "portset.h"
#include "ctl/prrctl.h"

bool
prrctl_parse_index(const char *s, unsigned max, unsigned *out)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 5)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned)(*p - '0');
	}
	if (v > max)
		return false;
	*out = (unsigned)v;
	return true;
}

bool
prrctl_parse_v4port(const char *s, bool need_port, uint32_t *ipv4, int *port)
{
	char buf[32];
	const char *colon = strchr(s, ':');
	unsigned p;

	*port = -1;
	if (!colon) {
		if (need_port)
			return false;
		return parse_ipv4(s, ipv4);
	}
	if ((size_t)(colon - s) >= sizeof(buf))
		return false;
	memcpy(buf, s, (size_t)(colon - s));
	buf[colon - s] = '\0';
	if (!parse_ipv4(buf, ipv4) || !prrctl_parse_index(colon + 1, 65535, &p))
		return false;
	*port = (int)p;
	return true;
}

/* "2026-11-23T14:02:00Z" or unix seconds; -1 when neither */
long long
prrctl_parse_time(const char *s)
{
	struct tm tm;
	const char *p;
	char *end;

	for (p = s; *p >= '0' && *p <= '9'; p++)
		;
	if (*s && !*p && p - s <= 12)
		return strtoll(s, NULL, 10);
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end || strcmp(end, "Z") != 0)
		return -1;
	return (long long)timegm(&tm);
}

static bool
is_ipv6(const char *s)
{
	struct in6_addr a;

	return inet_pton(AF_INET6, s, &a) == 1;
}

bool
prrctl_check_args(const char *cmd, int argc, char **argv, char *err, size_t errlen)
{
	uint32_t v4;
	int port;
	unsigned br;
	struct portset ps;
	char perr[160];

	if (strcmp(cmd, "show") == 0) {
		if (argc != 1) {
			snprintf(err, errlen, "show needs one address: IPV6 or IPV4[:PORT]");
			return false;
		}
		if (!is_ipv6(argv[0]) && !prrctl_parse_v4port(argv[0], false, &v4, &port)) {
			snprintf(err, errlen, "'%s' is neither an IPv6 address nor IPV4[:PORT]",
				 argv[0]);
			return false;
		}
		return true;
	}
	if (strcmp(cmd, "assign") == 0) {
		static const char *const what[] = { "the SMAP's IPv6 address", "the IPv4 address",
						     "the port set (MIN-MAX or psid=N/LEN[,offset=A])" };

		if (argc < 3) {
			snprintf(err, errlen, "assign: missing %s", what[argc]);
			return false;
		}
		if (argc > 4) {
			snprintf(err, errlen, "assign: too many arguments from '%s'", argv[4]);
			return false;
		}
		if (!is_ipv6(argv[0])) {
			snprintf(err, errlen, "assign: '%s' is not an IPv6 address", argv[0]);
			return false;
		}
		if (!parse_ipv4(argv[1], &v4)) {
			snprintf(err, errlen, "assign: '%s' is not an IPv4 address", argv[1]);
			return false;
		}
		if (!portset_parse(argv[2], &ps, perr, sizeof(perr))) {
			snprintf(err, errlen, "assign: %s", perr);
			return false;
		}
		if (argc == 4 && !prrctl_parse_index(argv[3], 255, &br)) {
			snprintf(err, errlen, "assign: softwire index '%s' is not a number 0..255",
				 argv[3]);
			return false;
		}
		return true;
	}
	if (strcmp(cmd, "release") == 0) {
		if (argc != 1) {
			snprintf(err, errlen, argc ? "release: one IPv6 address only"
					       : "release: missing the SMAP's IPv6 address");
			return false;
		}
		if (!is_ipv6(argv[0])) {
			snprintf(err, errlen, "release: '%s' is not an IPv6 address", argv[0]);
			return false;
		}
		return true;
	}
	if (strcmp(cmd, "whois") == 0) {
		if (argc != 1 && !(argc == 3 && strcmp(argv[1], "--at") == 0)) {
			snprintf(err, errlen, argc ? "whois: expected IPV4:PORT [--at TIME]"
					       : "whois: missing IPV4:PORT");
			return false;
		}
		if (!prrctl_parse_v4port(argv[0], true, &v4, &port)) {
			snprintf(err, errlen, "whois: '%s' is not IPV4:PORT", argv[0]);
			return false;
		}
		if (argc == 3 && prrctl_parse_time(argv[2]) < 0) {
			snprintf(err, errlen, "whois: bad time '%s' (unix seconds or "
				 "YYYY-MM-DDTHH:MM:SSZ)", argv[2]);
			return false;
		}
		return true;
	}
	if (argc != 0) {
		snprintf(err, errlen, "%s takes no arguments ('%s')", cmd, argv[0]);
		return false;
	}
	return true;
}
