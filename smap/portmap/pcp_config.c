/* SPDX-License-Identifier: MIT */
/*
 * smap.conf:
 *   pcp = {
 *     enable = true;              # PCP + NAT-PMP on the LAN address, UDP 5351
 *     announce = true;            # ANNOUNCE to 224.0.0.1:5350 at start
 *     min_lifetime = 120;         # granted lifetimes are clamped to this range
 *     max_lifetime = 86400;
 *     per_host_quota = 64;        # mappings per LAN host, 0: no quota
 *     max_mappings = 1024;        # all hosts, PCP, NAT-PMP and UPnP together
 *     max_share = 50;             # percent of the port set they may hold
 *     third_party = [ "192.168.1.2", "192.168.1.0/28" ];   # may use THIRD_PARTY
 *     state_file = "/var/lib/smap/mappings";               # "" : not kept
 *   };
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "smap/portmap/pcp_config.h"
#include "safe_file.h"

static const char *const pcp_keys[] = {
	"enable", "announce", "min_lifetime", "max_lifetime", "per_host_quota",
	"max_mappings", "max_share", "third_party", "state_file", NULL,
};

static void
load_third_party(struct conf_err *e, const config_setting_t *g, struct pcp_serve_cfg *c)
{
	const config_setting_t *l = config_setting_get_member(g, "third_party");

	if (!l)
		return;
	if (!config_setting_is_array(l) && !config_setting_is_list(l)) {
		conf_errf(e, g, "third_party", "expected a list [ \"192.168.1.2\", ... ]");
		return;
	}
	for (int i = 0; i < config_setting_length(l); i++) {
		const config_setting_t *el = config_setting_get_elem(l, (unsigned)i);
		struct pcp_serve_prefix *p = &c->third_party[c->n_third_party];
		const char *s;

		if (config_setting_type(el) != CONFIG_TYPE_STRING) {
			conf_errf(e, el, NULL, "expected a string");
			continue;
		}
		s = config_setting_get_string(el);
		if (c->n_third_party >= PCP_SERVE_MAX_THIRD_PARTY) {
			conf_errf(e, el, NULL, "more than %d entries", PCP_SERVE_MAX_THIRD_PARTY);
			return;
		}
		if (strchr(s, '/') ? parse_prefix4(s, &p->addr, &p->plen) : parse_ipv4(s, &p->addr)) {
			if (!strchr(s, '/'))
				p->plen = 32;
			c->n_third_party++;
		} else {
			conf_errf(e, el, NULL, "'%s' is not an IPv4 address or prefix", s);
		}
	}
}

void
pcp_config_load(struct conf_err *e, const config_setting_t *root, struct pcp_config *c)
{
	const config_setting_t *g = config_setting_get_member(root, "pcp");
	const char *s;
	char msg[PATH_MAX + 64];

	memset(c, 0, sizeof(*c));
	c->announce = true;
	c->serve.min_lifetime = 120;
	c->serve.max_lifetime = 86400;
	c->per_host_quota = 64;
	c->max_mappings = 1024;
	c->max_share = 50;
	if (!g)
		return;
	if (!config_setting_is_group(g)) {
		conf_errf(e, root, "pcp", "expected a group { ... }");
		return;
	}
	conf_only_keys(e, g, pcp_keys);
	conf_bool(e, g, "enable", &c->enable);
	conf_bool(e, g, "announce", &c->announce);
	conf_uint(e, g, "min_lifetime", 1, 0x7fffffff, &c->serve.min_lifetime);
	conf_uint(e, g, "max_lifetime", 1, 0x7fffffff, &c->serve.max_lifetime);
	if (c->serve.min_lifetime > c->serve.max_lifetime)
		conf_errf(e, g, "max_lifetime", "%u is below min_lifetime %u",
			  c->serve.max_lifetime, c->serve.min_lifetime);
	conf_uint(e, g, "per_host_quota", 0, 65536, &c->per_host_quota);
	conf_uint(e, g, "max_mappings", 1, 65536, &c->max_mappings);
	conf_uint(e, g, "max_share", 1, 100, &c->max_share);
	load_third_party(e, g, &c->serve);
	if (conf_str(e, g, "state_file", &s)) {
		if (strlen(s) >= sizeof(c->state_file) - 8)
			conf_errf(e, g, "state_file", "path longer than %zu", sizeof(c->state_file) - 9);
		else
			snprintf(c->state_file, sizeof(c->state_file), "%s", s);
		/* else every mapping change fails to save and is rolled back */
		if (c->state_file[0] && safe_file_check(c->state_file, false, msg, sizeof(msg)) < 0)
			conf_errf(e, g, "state_file", "%s", msg);
	}
}

void
pcp_config_print(const struct pcp_config *c, FILE *f)
{
	char a[INET_ADDRSTRLEN];

	fprintf(f, "pcp = { enable = %s; announce = %s; min_lifetime = %u; max_lifetime = %u;\n"
		"  per_host_quota = %u; max_mappings = %u; max_share = %u; state_file = \"%s\";\n"
		"  third_party = [",
		c->enable ? "true" : "false", c->announce ? "true" : "false",
		c->serve.min_lifetime, c->serve.max_lifetime, c->per_host_quota,
		c->max_mappings, c->max_share, c->state_file);
	for (unsigned i = 0; i < c->serve.n_third_party; i++) {
		uint32_t n = htonl(c->serve.third_party[i].addr);

		fprintf(f, "%s \"%s/%u\"", i ? "," : "", inet_ntop(AF_INET, &n, a, sizeof(a)),
			c->serve.third_party[i].plen);
	}
	fprintf(f, " ]; };\n");
}
