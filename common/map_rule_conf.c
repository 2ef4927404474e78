/* SPDX-License-Identifier: MIT */
/* MAP-E rules from libconfig: see map_rule_conf.h. */
#include <string.h>

#include "map_rule_conf.h"

static const char *const rule_keys[] = {
	"ipv6_prefix", "ipv4_prefix", "ea_length", "offset", "psid_length", "psid",
};
#define N_RULE_KEYS	(sizeof(rule_keys) / sizeof(rule_keys[0]))

bool
conf_map_rule(struct conf_err *e, const config_setting_t *g, const char *const *extra,
	      struct map_rule *out)
{
	const char *keys[N_RULE_KEYS + 8 + 1];
	struct in6_addr p6;
	uint32_t p4;
	unsigned plen6, plen4, o = 0, a = MAP_DEFAULT_OFFSET, k = 0, psid = 0, nk = 0;
	const char *s;
	int before = e->count;
	char msg[160];

	if (!config_setting_is_group(g)) {
		conf_errf(e, g, NULL, "expected a rule { ipv6_prefix = ...; ipv4_prefix = ...; "
			  "ea_length = ...; }");
		return false;
	}
	for (size_t i = 0; i < N_RULE_KEYS; i++)
		keys[nk++] = rule_keys[i];
	for (size_t i = 0; extra && extra[i] && nk < N_RULE_KEYS + 8; i++)
		keys[nk++] = extra[i];
	keys[nk] = NULL;
	conf_only_keys(e, g, keys);
	if (!conf_str(e, g, "ipv6_prefix", &s)) {
		if (!config_setting_get_member(g, "ipv6_prefix"))
			conf_errf(e, g, "ipv6_prefix", "missing (the rule IPv6 prefix)");
		return false;
	}
	if (!parse_prefix6(s, &p6, &plen6)) {
		conf_errf(e, g, "ipv6_prefix", "'%s' is not an IPv6 prefix like 2001:db8::/40", s);
		return false;
	}
	if (!conf_str(e, g, "ipv4_prefix", &s)) {
		if (!config_setting_get_member(g, "ipv4_prefix"))
			conf_errf(e, g, "ipv4_prefix", "missing (the rule IPv4 prefix)");
		return false;
	}
	if (!parse_prefix4(s, &p4, &plen4)) {
		conf_errf(e, g, "ipv4_prefix", "'%s' is not an IPv4 prefix like 192.0.2.0/24 "
			  "(host bits must be 0)", s);
		return false;
	}
	if (!conf_uint(e, g, "ea_length", 0, 48, &o)) {
		if (!config_setting_get_member(g, "ea_length"))
			conf_errf(e, g, "ea_length", "missing (the EA-bits length)");
		return false;
	}
	conf_uint(e, g, "offset", 0, 15, &a);
	if (conf_uint(e, g, "psid_length", 0, 16, &k) &&
	    !conf_uint(e, g, "psid", 0, 65535, &psid) && !config_setting_get_member(g, "psid"))
		conf_errf(e, g, "psid", "missing (psid_length needs it)");
	if (config_setting_get_member(g, "psid") && !config_setting_get_member(g, "psid_length"))
		conf_errf(e, g, "psid_length", "missing (psid needs it)");
	if (e->count != before)
		return false;
	if (!map_rule_init(out, &p6, plen6, p4, plen4, o, a, k, psid, msg, sizeof(msg))) {
		conf_errf(e, g, NULL, "%s", msg);
		return false;
	}
	return true;
}
