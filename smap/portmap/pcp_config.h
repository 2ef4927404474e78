/* SPDX-License-Identifier: MIT */
/*
 * smap.conf's pcp = { ... } group: the PCP / NAT-PMP server for the LAN
 * and the mapping table it shares with UPnP (smap/portmap.h).
 */
#ifndef SMAP_PCP_CONFIG_H
#define SMAP_PCP_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conf.h"
#include "smap/portmap/pcp_policy.h"

struct pcp_config {
	bool enable;			/* the PCP / NAT-PMP server on lan:5351 */
	bool announce;			/* ANNOUNCE to 224.0.0.1:5350 at start */
	unsigned max_mappings;		/* table capacity, all origins */
	unsigned per_host_quota;	/* 0: none */
	unsigned max_share;		/* percent of the port set mappings may hold */
	char state_file[PATH_MAX];	/* "": mappings kept in memory only */
	struct pcp_serve_cfg serve;	/* lifetimes and the THIRD_PARTY allow list */
};

/* Defaults, then the group when present; errors into e (file:line: key). */
void pcp_config_load(struct conf_err *e, const config_setting_t *root, struct pcp_config *);
void pcp_config_print(const struct pcp_config *, FILE *);

#endif
