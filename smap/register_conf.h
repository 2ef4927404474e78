/* SPDX-License-Identifier: MIT */
/*
 * smap.conf's registration group: whether the SMAP registers with the
 * PRR (register.h), with which server, for how long.
 */
#ifndef SMAP_REGISTER_CONF_H
#define SMAP_REGISTER_CONF_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>

#include "conf.h"

/* RFC 6887 11.3: renewals need the registration's nonce, also after a restart */
#define SMAP_NONCE_FILE "/var/lib/smap/registration-nonce"

struct smap_register_conf {
	bool enabled;
	struct in6_addr server;		/* the PRR's PCP server; default: prr */
	bool has_server;
	unsigned lifetime;		/* seconds asked for */
	char nonce_file[256];		/* the mapping nonce, kept across restarts */
};

/* After the map group is loaded (map.rules_from_prr registers too). */
void register_conf_load(struct conf_err *, const config_setting_t *root, bool map_from_prr,
		   struct smap_register_conf *);
void register_conf_print(const struct smap_register_conf *, FILE *);

#endif
