/* SPDX-License-Identifier: MIT */
/* Loading and printing smap.conf's upnp group. */
#include <ctype.h>
#include <string.h>

#include "smap/portmap/upnp_config.h"

static const char *const upnp_keys[] = {
	"enable", "allow_other_hosts", "http_port", "version", "max_age",
	"friendly_name", "uuid", "user", NULL,
};

static bool
uuid_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 8 || n > 36)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

void
upnp_config_load(struct conf_err *e, const config_setting_t *root, struct upnp_config *u)
{
	const config_setting_t *g = config_setting_get_member(root, "upnp");
	const char *s;

	memset(u, 0, sizeof(*u));
	u->version = 2;
	u->max_age = 1800;
	snprintf(u->friendly_name, sizeof(u->friendly_name), "SMAP");
	snprintf(u->user, sizeof(u->user), "%s", UPNP_DEFAULT_USER);
	if (!g)
		return;
	if (!config_setting_is_group(g)) {
		conf_errf(e, root, "upnp", "expected a group { enable = true; ... }");
		return;
	}
	u->enable = true;	/* a upnp group means UPnP unless enable = false */
	conf_only_keys(e, g, upnp_keys);
	conf_bool(e, g, "enable", &u->enable);
	conf_bool(e, g, "allow_other_hosts", &u->allow_other_hosts);
	/* pupnp moves a port below 49152 up to 49152 and on, so say so here */
	if (conf_uint(e, g, "http_port", 0, 65535, &u->http_port) && u->http_port &&
	    u->http_port < 49152)
		conf_errf(e, g, "http_port", "%u: libupnp listens on 49152..65535 "
			  "(or 0: the first free of them)", u->http_port);
	conf_uint(e, g, "version", 1, 2, &u->version);
	conf_uint(e, g, "max_age", 60, 86400, &u->max_age);
	if (conf_str(e, g, "friendly_name", &s)) {
		if (!*s || strlen(s) >= sizeof(u->friendly_name))
			conf_errf(e, g, "friendly_name", "'%s': 1..%zu characters", s,
				  sizeof(u->friendly_name) - 1);
		else
			snprintf(u->friendly_name, sizeof(u->friendly_name), "%s", s);
	}
	if (conf_str(e, g, "uuid", &s)) {
		if (!uuid_ok(s))
			conf_errf(e, g, "uuid", "'%s' is not a UUID (hex digits and '-', "
				  "no \"uuid:\")", s);
		else
			snprintf(u->uuid, sizeof(u->uuid), "%s", s);
	}
	if (conf_str(e, g, "user", &s)) {
		if (!*s || strlen(s) >= sizeof(u->user) || strchr(s, ':'))
			conf_errf(e, g, "user", "'%s': a user name of 1..%zu characters",
				  s, sizeof(u->user) - 1);
		else
			snprintf(u->user, sizeof(u->user), "%s", s);
	}
}

void
upnp_config_print(const struct upnp_config *u, FILE *f)
{
	if (!u->enable) {
		fprintf(f, "upnp = { enable = false; };\n");
		return;
	}
	fprintf(f, "upnp = { enable = true; allow_other_hosts = %s; http_port = %u; "
		"version = %u; max_age = %u; friendly_name = \"%s\";",
		u->allow_other_hosts ? "true" : "false", u->http_port, u->version,
		u->max_age, u->friendly_name);
	if (u->uuid[0])
		fprintf(f, " uuid = \"%s\";", u->uuid);
	fprintf(f, " user = \"%s\";", u->user);
	fprintf(f, " };\n");
}
