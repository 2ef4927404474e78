/* SPDX-License-Identifier: MIT */
/*
 * The UPnP process's sandbox (smap-upnp): entered in two steps, so that
 * libupnp never runs with privileges.
 *  - upnp_sandbox_enter, in the child of smap's fork before exec: only the
 *    socketpair (as fd 3) and stdio kept, the capability bounding set
 *    emptied, the unprivileged user taken, no new privileges, killed when
 *    the SMAP dies.
 *  - upnp_sandbox_seccomp, in smap-upnp once libupnp listens: a seccomp
 *    filter, on every thread, allowing the system calls an IGD serving
 *    HTTP, SOAP and SSDP needs; any other kills the process.
 * Kept apart from the daemons' own privilege code so that the two can
 * share one module later.
 */
#ifndef SMAP_PORTMAP_UPNP_SANDBOX_H
#define SMAP_PORTMAP_UPNP_SANDBOX_H

#include <sys/types.h>

#define UPNP_SANDBOX_FD	3	/* the socketpair's end in smap-upnp */

/*
 * Async-signal-safe (between fork and exec). 0, or -1 with a static
 * message in *why (errno set).
 */
int upnp_sandbox_enter(int sock, uid_t uid, gid_t gid, pid_t parent, const char **why);
/* 0, or -1 (logged). */
int upnp_sandbox_seccomp(void);
/* What that filter allows with any arguments (NULL-ended); smap allows
 * them too, its filter being inherited. */
extern const char *const upnp_sandbox_syscalls[];

#endif
