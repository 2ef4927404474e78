/* SPDX-License-Identifier: MIT */
/* MAP-E rules in libconfig files (prr.conf map_rules, smap.conf map.rules). */
#ifndef AP_MAP_RULE_CONF_H
#define AP_MAP_RULE_CONF_H

#include "conf.h"
#include "map_rule.h"

/*
 * One rule: { ipv6_prefix = "2001:db8::/40"; ipv4_prefix = "192.0.2.0/24";
 * ea_length = 16; offset = 6; } (offset default 6; psid_length and psid
 * only with ea_length 0). Members named in extra (NULL-terminated, may be
 * NULL) are the caller's to read. false, with the errors recorded, on a
 * bad rule.
 */
bool conf_map_rule(struct conf_err *, const config_setting_t *g, const char *const *extra,
		   struct map_rule *out);

#endif
