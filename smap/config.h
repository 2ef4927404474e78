/* SPDX-License-Identifier: MIT */
/* smap/config.h: the SMAP's configuration; prr/config.h is the same role for the PRR. */
/* smap.conf: libconfig syntax; see etc/smap.conf and README "SMAP". */
#ifndef SMAP_CONFIG_H
#define SMAP_CONFIG_H

#include <limits.h>
#include <net/if.h>
#include <stdio.h>

#include "conf.h"
#include "ctlsock.h"
#include "privdrop.h"
#include "smap/portmap/pcp_config.h"
#include "smap/register_conf.h"
#include "smap/datapath.h"
#include "smap/portmap/upnp_config.h"

struct smap_config {
	char file[PATH_MAX];
	char wan_if[IF_NAMESIZE];
	struct in6_addr wan_addr;	/* :: when not given: the kernel picks */
	bool has_wan_addr;
	char lan_if[IF_NAMESIZE];
	uint32_t lan_prefix;		/* host order */
	unsigned lan_plen;
	char tun_name[IF_NAMESIZE];
	struct smap_params params;	/* prr, peers, ipv4, ps; mtu at run time */
	unsigned tun_mtu;		/* 0: follow the path MTU (mtu.tun = "auto") */
	bool follow_ptb;		/* lower the MTU on ICMPv6 packet too big */
	bool mss_clamp;
	bool default_route;
	bool ftp_alg;			/* FTP proxy for LAN clients, PORT/EPRT into the set */
	unsigned hop_limit;
	char control_socket[108];
	struct ctl_access control_access;	/* control_group, control_allow */
	struct privdrop_conf priv;	/* user, seccomp: smap/sandbox.c */
	char metrics_file[PATH_MAX];	/* Prometheus textfile; "" = none */
	/* MAP-E (map = { prefix; rules; }): address, port set and wan.address derived */
	bool map_mode;
	struct in6_addr map_prefix;	/* the delegated (End-user) IPv6 prefix */
	unsigned map_plen;
	struct map_rule bmr;		/* the rule the prefix matched */
	struct map_ce map_ce;		/* what it derived */
	bool map_from_prr;		/* map.rules_from_prr: rules from the registration */
	bool wan_addr_given;		/* wan.address in the file (register_map.c checks it) */
	struct pcp_config pcp;		/* pcp = { ... }: PCP/NAT-PMP server, mappings */
	/* registration = { ... }: address and port set from the PRR (register.h) */
	struct smap_register_conf registration;
	struct upnp_config upnp;	/* upnp = { ... }: the UPnP IGD (smap/upnp.c) */
	unsigned fast_path;		/* enum smap_fast_path: fast_path = "auto" | "bpf" | "off" */
};

/* fast_path: the TC eBPF softwire (smap/fastpath.c) beside the TUN path */
enum smap_fast_path { SMAP_FAST_PATH_AUTO, SMAP_FAST_PATH_BPF, SMAP_FAST_PATH_OFF };
extern const char *const smap_fast_path_names[];	/* "auto", "bpf", "off", NULL */

/* 0, or -1 with every error in err->text ("file:line: key: message"). */
int smap_config_load(const char *file, struct smap_config *, struct conf_err *err);
/* The normalized configuration, in smap.conf syntax (smap -nv). */
void smap_config_print(const struct smap_config *, FILE *);

#endif
