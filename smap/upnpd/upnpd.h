/* SPDX-License-Identifier: MIT */
/* smap-upnp: the UPnP IGD in its own unprivileged process (README.md here). */
#ifndef SMAP_UPNPD_H
#define SMAP_UPNPD_H

#include <stdbool.h>
#include <stdint.h>

struct upnpd_args {
	const char *lan_if;
	unsigned http_port;		/* 0: libupnp picks */
	unsigned version;		/* InternetGatewayDevice:1 or :2 */
	unsigned max_age;
	bool allow_other_hosts;
	uint32_t lan_prefix;		/* host order */
	unsigned lan_plen;
	const char *dir;		/* the descriptions, written by the SMAP */
};

/* libupnp up and advertising: 0, or -1 (logged, nothing left running). */
int server_start(const struct upnpd_args *);
/* ssdp:byebye, libupnp stopped. */
void server_stop(void);
/* Keeps IGD:1 permanent mappings alive. */
void server_tick(void);

#endif
