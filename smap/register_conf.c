/* SPDX-License-Identifier: MIT */
/*
 * smap.conf: registration = { server = "2001:db8:100::1"; lifetime = 7200; };
 * registration = true; (or the empty group) registers with prr, for 7200 s.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "smap/register_conf.h"

void
register_conf_load(struct conf_err *e, const config_setting_t *root, bool map_from_prr,
	      struct smap_register_conf *r)
{
	static const char *const keys[] = { "server", "lifetime", "nonce_file", NULL };
	static const char *const given[] = { "ipv4_address", "ports", "psid", "psid_length",
					     "offset", "map" };
	const config_setting_t *g = config_setting_get_member(root, "registration");

	r->lifetime = 7200;
	snprintf(r->nonce_file, sizeof(r->nonce_file), "%s", SMAP_NONCE_FILE);
	/* map.rules_from_prr registers, with or without a registration group */
	r->enabled = map_from_prr;
	if (!g) {
		/* nothing to read */
	} else if (config_setting_type(g) == CONFIG_TYPE_BOOL) {
		r->enabled = config_setting_get_bool(g);	/* registration = true; */
		if (!r->enabled && map_from_prr)
			conf_errf(e, root, "registration", "false, but map.rules_from_prr needs it");
		if (!r->enabled)
			return;
	} else if (!config_setting_is_group(g)) {
		conf_errf(e, root, "registration", "expected true, false or a group { ... }");
		return;
	} else {
		r->enabled = true;
		conf_only_keys(e, g, keys);
		r->has_server = conf_ipv6(e, g, "server", &r->server);
		conf_uint(e, g, "lifetime", 60, 86400 * 30, &r->lifetime);
		{
			const char *nf;
			if (conf_str(e, g, "nonce_file", &nf)) {
				if (strlen(nf) >= sizeof(r->nonce_file))
					conf_errf(e, g, "nonce_file", "longer than %zu bytes",
						  sizeof(r->nonce_file) - 1);
				else
					snprintf(r->nonce_file, sizeof(r->nonce_file), "%s", nf);
			}
		}
	}
	if (!r->enabled)
		return;
	for (size_t i = 0; i < sizeof(given) / sizeof(given[0]); i++)
		if (config_setting_get_member(root, given[i]) &&
		    !(map_from_prr && strcmp(given[i], "map") == 0))
			conf_errf(e, root, given[i], "comes from the registration with the PRR "
				  "and may not be given too");
}

void
register_conf_print(const struct smap_register_conf *r, FILE *f)
{
	char a6[INET6_ADDRSTRLEN];

	if (!r->enabled)
		return;
	fprintf(f, "registration = {");
	if (r->has_server)
		fprintf(f, " server = \"%s\";", inet_ntop(AF_INET6, &r->server, a6, sizeof(a6)));
	fprintf(f, " lifetime = %u; nonce_file = \"%s\"; };\n", r->lifetime, r->nonce_file);
}
