/* SPDX-License-Identifier: MIT */
/* prr/config.h: the PRR's configuration; smap/config.h is the same role for the SMAP. */
/* prr.conf: libconfig syntax; see etc/prr.conf and README "PRR configuration". */
#ifndef PRR_CONFIG_H
#define PRR_CONFIG_H

#include <limits.h>

#include <sys/types.h>

#include "prr/binding.h"
#include "conf.h"
#include "ctlsock.h"
#include "privdrop.h"
#include "prr/datapath.h"
#include "prr/registry.h"

/* fast_path = ... (prr/fastpath.c) */
enum fastpath_mode {
	FASTPATH_OFF = 0,	/* NFQUEUE only */
	FASTPATH_AUTO,		/* XDP if it loads: native, else generic; else NFQUEUE */
	FASTPATH_XDP,		/* XDP or refuse to start */
};

#define PRR_MAX_POOLS	64
#define PRR_MAX_QUEUES	16

struct prr_pool {
	uint32_t addr;
	unsigned plen;
};

#define PRR_MAX_FAST_IFS	16

/* SMAP registration over PCP (RFC 6887 + RFC 7753 PORT_SET). */
struct prr_registration {
	bool enabled;
	struct reg_limits lim;		/* who may register, how many sets */
	struct alloc_params ap;		/* pool, set size, lifetime, hold time */
	unsigned rate_limit;		/* requests per second per source address */
	unsigned prefix_rate_limit;	/* requests per second per subscriber prefix */
};

struct prr_config {
	char file[PATH_MAX];
	struct prr_params params;
	struct prr_pool pools[PRR_MAX_POOLS];
	unsigned n_pools;
	unsigned queue_first, queue_count;
	bool install_rules;		/* add/remove our iptables rules */
	char control_socket[108];
	struct ctl_access control_access;	/* control_group, control_allow */
	struct privdrop_conf priv;	/* user, seccomp: prr/sandbox.c */
	char metrics_file[PATH_MAX];	/* Prometheus textfile; "" = none */
	char state_file[PATH_MAX];	/* registry persistence; "" = none */
	char alloc_log[PATH_MAX];	/* port-block allocation log; "" = syslog only */
	bool store_pg;			/* store.type = "postgresql": state_file unused */
	char store_conninfo[512];	/* store.conninfo (libpq) */
	struct prr_registration reg;
	struct btable *bt;		/* the config's static bindings */
	enum fastpath_mode fast_path;	/* XDP fast path: off, auto, xdp */
	char fast_ifs[PRR_MAX_FAST_IFS][16];	/* fast_path_interfaces; none: every one but lo */
	unsigned n_fast_ifs;
};

/* 0, or -1 with every error in err->text ("file:line: key: message"). */
int prr_config_load(const char *file, struct prr_config *, struct conf_err *err);
void prr_config_free(struct prr_config *);
/* Whether ipv4 lies in one of the pools. */
bool prr_config_in_pool(const struct prr_config *, uint32_t ipv4);

#endif
