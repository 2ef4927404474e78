/* SPDX-License-Identifier: MIT */
/* smap's capabilities and syscalls: see smap/sandbox.h. */
#include <linux/capability.h>

#include "smap/sandbox.h"

/*
 * CAP_NET_ADMIN: the TUN, nftables, conntrack, routes and MTUs, and the
 * forwarding and WAN sysctls (net sysctls take it in place of root).
 * CAP_NET_RAW: the softwire's raw socket, opened again on a new binding.
 */
static const int caps[] = { CAP_NET_ADMIN, CAP_NET_RAW, -1 };

/* libupnp: its web server, and its thread pool's scheduling look-ups */
static const char *const syscalls[] = {
	"sendfile", "sched_get_priority_min", "sched_get_priority_max", "sched_getscheduler",
	"sched_getparam", "sched_setscheduler", "sched_setparam", NULL
};

int
smap_sandbox(const struct smap_config *c, char *err, size_t errlen)
{
	const char *const *lists[] = { privdrop_base_syscalls, syscalls, NULL };

	return privdrop(&c->priv, caps, lists, err, errlen);
}
