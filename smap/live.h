/* SPDX-License-Identifier: MIT */
/*
 * The SMAP's live binding: the shared address and port set, the PRR and
 * peers, the MAP-E rules and MAP address, the path MTU; what the data
 * path reads. The loaded config (smap/config.h) stays what the file
 * says; the live binding starts from it and then follows registrations,
 * MAP-E rules from the PRR, reloads and the path MTU, always through
 * smap_apply() (apply.c). What a change must redo is planned here, pure.
 */
#ifndef SMAP_LIVE_H
#define SMAP_LIVE_H

#include <netinet/in.h>
#include <stdbool.h>

#include "map_rule.h"
#include "smap/config.h"
#include "smap/datapath.h"

struct smap_live {
	struct smap_params params;	/* PRR, peers, address, port set, path MTU, FMRs */
	struct in6_addr wan_addr;	/* the softwire's source (MAP-E: the MAP address) */
	bool has_wan_addr;		/* false: the kernel picks */
	struct map_rule bmr;		/* MAP-E: the Basic Mapping Rule in force */
	struct map_ce map_ce;		/* and what it gave */
	bool bound;			/* address and set known (registering: once granted) */
};

/* The binding a config starts with (unbound when the PRR gives the set). */
void smap_live_from_config(struct smap_live *, const struct smap_config *);

/* What a change of binding redoes, in this order. */
struct smap_change {
	bool flush;	/* address or set changed: the old set's conntrack entries go */
	bool softwire;	/* new softwire source (MAP address): the socket again */
	bool start;	/* the first bound binding: the data path comes up */
	bool tun;	/* new address: the TUN again */
	bool tun_mtu;	/* new path MTU: the TUN's MTU */
	bool nat;	/* the nft table and the forwards in it again */
	bool mss;	/* new path MTU, table kept: its MSS rule */
};

/*
 * From the binding in force (old) to next; up: the data path is up;
 * config_changed: a reload may have changed what the nft table is made
 * of (LAN prefix, MSS clamping): it is made again.
 */
void smap_change_plan(const struct smap_live *old, const struct smap_live *next, bool up,
		      bool config_changed, struct smap_change *);

#endif
