/* SPDX-License-Identifier: MIT */
/*
 * Registration with the PRR (smap.conf: registration = { ... }): the
 * shared address and the port set come from the PRR's PCP server (a MAP
 * request with PORT_SET, RFC 6887 / RFC 7753) instead of the
 * configuration, and are renewed, retried and changed live. The timing
 * is common/pcp_client.c; this is the socket and the glue.
 */
#ifndef SMAP_REGISTER_H
#define SMAP_REGISTER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>

#include "conf.h"

struct smap;
struct smap_config;
struct pollfd;

/* RFC 6887 11.3: renewals need the registration's nonce, also after a restart */
#define SMAP_NONCE_FILE "/var/lib/smap/registration-nonce"

struct smap_reg_conf {
	bool enabled;
	struct in6_addr server;		/* the PRR's PCP server; default: prr */
	bool has_server;
	unsigned lifetime;		/* seconds asked for */
	char nonce_file[256];		/* the mapping nonce, kept across restarts */
};

/* smap.conf's registration group; after prr and map are loaded. */
void reg_conf_load(struct conf_err *, const config_setting_t *root, struct smap_config *);
void reg_conf_print(const struct smap_config *, FILE *);

/* The client socket (UDP, the WAN address, port 5350); first request due at once. */
int reg_open(struct smap *);
void reg_close(struct smap *);
/* Its poll entry; false when registration is off. */
bool reg_pollfd(struct smap *, struct pollfd *);
/* After poll: read answers and ANNOUNCEs, send what is due. */
void reg_handle(struct smap *, const struct pollfd *);
/* Milliseconds until something is due, at most max. */
int reg_poll_ms(struct smap *, int max);
/* SIGHUP: new server or lifetime, and a request at once. */
void reg_reload(struct smap *, const struct smap_reg_conf *);
/* "key<TAB>value" lines for smap status */
void reg_status(struct smap *, FILE *);

#endif
