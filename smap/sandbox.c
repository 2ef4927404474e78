/* SPDX-License-Identifier: MIT */
/* smap's capabilities and syscalls: see smap/sandbox.h. */
#include <cap-ng.h>
#include <linux/capability.h>

#include "smap/portmap/upnp_sandbox.h"
#include "smap/sandbox.h"

/*
 * CAP_NET_ADMIN: the TUN, nftables, conntrack, routes and MTUs, and the
 * forwarding and WAN sysctls (net sysctls take it in place of root).
 * CAP_NET_RAW: the softwire's raw socket, opened again on a new binding.
 */
static const int caps_base[] = { CAP_NET_ADMIN, CAP_NET_RAW };
/* UPnP: smap-upnp is started (again, after a crash) as upnp.user and
 * stopped by a signal across uids */
static const int caps_upnp[] = { CAP_SETUID, CAP_SETGID, CAP_KILL };
/* the TC fast path is loaded when the binding comes, after the drop;
 * CAP_PERFMON spares the verifier's Spectre rewrites (bpf_bypass_spec) */
static const int caps_bpf[] = { CAP_BPF, CAP_PERFMON };

/* libupnp's web server, and its thread pool's scheduling look-ups */
static const char *const syscalls[] = {
	"sendfile", "sched_get_priority_min", "sched_get_priority_max", "sched_getscheduler",
	"sched_getparam", "sched_setscheduler", "sched_setparam", NULL
};
/* starting smap-upnp: its identity, its own filter (seccomp), then what
 * it runs with (the filters stack); its description folder made and removed */
static const char *const syscalls_upnp_start[] = {
	"setgroups", "setresgid", "setresuid", "setuid", "capset", "close_range", "seccomp",
	"rmdir", NULL
};
static const char *const syscalls_bpf[] = { "bpf", NULL };

#define N(a) (sizeof(a) / sizeof((a)[0]))

static size_t
add(int *out, size_t n, const int *caps, size_t k, bool only_held)
{
	for (size_t i = 0; i < k; i++)
		if (!only_held || capng_have_capability(CAPNG_PERMITTED, (unsigned)caps[i]))
			out[n++] = caps[i];
	return n;
}

int
smap_sandbox(const struct smap_config *c, char *err, size_t errlen)
{
	int caps[N(caps_base) + N(caps_upnp) + N(caps_bpf) + 1];
	const char *const *lists[6] = { privdrop_base_syscalls, syscalls };
	size_t n = 0, l = 2;

	capng_get_caps_process();
	n = add(caps, n, caps_base, N(caps_base), false);
	if (c->upnp.enable) {
		n = add(caps, n, caps_upnp, N(caps_upnp), false);
		lists[l++] = syscalls_upnp_start;
		lists[l++] = upnp_sandbox_syscalls;
	}
	/* "auto" goes without the fast path where it is not given them (a
	 * service manager's bounding set); "bpf" then fails to load, loudly */
	if (c->fast_path != SMAP_FAST_PATH_OFF) {
		n = add(caps, n, caps_bpf, N(caps_bpf), true);
		lists[l++] = syscalls_bpf;
	}
	caps[n] = -1;
	lists[l] = NULL;
	return privdrop(&c->priv, caps, lists, err, errlen);
}
