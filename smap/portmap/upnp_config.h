/* SPDX-License-Identifier: MIT */
/* smap.conf's upnp = { ... } group: the UPnP IGD on the LAN (README "UPnP IGD"). */
#ifndef SMAP_UPNP_CONFIG_H
#define SMAP_UPNP_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "conf.h"

/* smap-upnp's user when upnp.user is not set; "nobody" when it does not exist */
#define UPNP_DEFAULT_USER	"smap-upnp"
#define UPNP_FALLBACK_USER	"nobody"

struct upnp_config {
	bool enable;
	bool allow_other_hosts;		/* a control point may map for another LAN host */
	unsigned http_port;		/* SOAP and descriptions; 0: libupnp picks */
	unsigned version;		/* InternetGatewayDevice:1 or :2 */
	unsigned max_age;		/* SSDP CACHE-CONTROL max-age, seconds */
	char friendly_name[64];
	char uuid[40];			/* without "uuid:"; empty: from the addresses */
	char user[33];			/* smap-upnp runs as this user */
};

/* Defaults, then the group if present; errors name file, line and key. */
void upnp_config_load(struct conf_err *, const config_setting_t *root, struct upnp_config *);
void upnp_config_print(const struct upnp_config *, FILE *);

#endif
