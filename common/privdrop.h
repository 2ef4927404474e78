/* SPDX-License-Identifier: MIT */
/*
 * Least privilege for a daemon, after its privileged setup: run as an
 * unprivileged user with only the capabilities it still needs (also as
 * ambient capabilities, so the tools it runs, iptables, get them), no new
 * privileges, and a seccomp allow-list of the system calls it uses.
 *
 *	static const int caps[] = { CAP_NET_ADMIN, -1 };
 *	static const char *const calls[] = { "bpf", NULL };
 *	const char *const *lists[] = { privdrop_base_syscalls, calls, NULL };
 *	if (privdrop(&cfg.priv, caps, lists, err, sizeof(err)) < 0) fatalx(...)
 *
 * Call it before starting threads: capabilities are per thread, and the
 * threads started later inherit the main thread's. The seccomp filter is
 * synchronised to every thread anyway.
 */
#ifndef AP_PRIVDROP_H
#define AP_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum privdrop_seccomp {
	PRIVDROP_SECCOMP_ERRNO,	/* default: refused with EPERM, logged by the kernel */
	PRIVDROP_SECCOMP_KILL,	/* the whole process is killed (the testbed's choice) */
	PRIVDROP_SECCOMP_OFF,	/* no filter: for debugging */
};

/* The keys user and seccomp, the same in prr.conf and smap.conf. */
struct privdrop_conf {
	char user[64];		/* "" = keep the uid the daemon started with */
	enum privdrop_seccomp seccomp;
};

/* Syscalls every daemon needs (libc, sockets, files, threads, signals). */
extern const char *const privdrop_base_syscalls[];

/* The ids privdrop will switch to: false when it will not (no user, or
 * not root), *uid and *gid then -1. For files made before the drop. */
bool privdrop_ids(const struct privdrop_conf *c, uid_t *uid, gid_t *gid);

/* The capability mask (CapEff) of a list ending in -1. Pure. */
uint64_t privdrop_cap_mask(const int *caps);
/* "errno", "kill", "off" -> mode; false when none of them. Pure. */
bool privdrop_seccomp_parse(const char *s, enum privdrop_seccomp *out);
const char *privdrop_seccomp_name(enum privdrop_seccomp);

/*
 * Switch to c->user (when set and we are root), keep exactly caps (ended
 * by -1), set no-new-privs, load the filter allowing every syscall of the
 * NULL-terminated lists of NULL-terminated name lists (names this
 * architecture lacks are skipped). 0, or -1 and why in err: the caller
 * must not go on then.
 */
int privdrop(const struct privdrop_conf *c, const int *caps, const char *const *const *syscalls,
	     char *err, size_t errlen);

#endif
