/* SPDX-License-Identifier: MIT */
/* prr's capabilities and syscalls after the setup: see prr/sandbox.h. */
#include <linux/capability.h>

#include "prr/sandbox.h"

/*
 * CAP_NET_ADMIN: NFQUEUE verdicts (nfnetlink checks the sender), iptables
 * on reload and at stop (ambient), detaching XDP at stop. CAP_NET_RAW:
 * iptables' and the raw sockets' options. CAP_BPF: the fast path's maps
 * (bpf() wants it while kernel.unprivileged_bpf_disabled is set).
 */
static const int caps[] = { CAP_NET_ADMIN, CAP_NET_RAW, -1 };
static const int caps_bpf[] = { CAP_NET_ADMIN, CAP_NET_RAW, CAP_BPF, -1 };

static const char *const syscalls[] = { NULL };
static const char *const syscalls_bpf[] = { "bpf", NULL };

int
prr_sandbox(const struct prr_config *c, bool fast_path, char *err, size_t errlen)
{
	const char *const *lists[] = { privdrop_base_syscalls,
				       fast_path ? syscalls_bpf : syscalls, NULL };

	return privdrop(&c->priv, fast_path ? caps_bpf : caps, lists, err, errlen);
}
