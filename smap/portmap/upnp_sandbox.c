/* SPDX-License-Identifier: MIT */
/* The UPnP process's sandbox (upnp_sandbox.h). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/close_range.h>

#include <seccomp.h>

#include "log.h"
#include "smap/portmap/upnp_sandbox.h"

int
upnp_sandbox_enter(int sock, uid_t uid, gid_t gid, pid_t parent, const char **why)
{
	*why = "socketpair";
	if (sock == UPNP_SANDBOX_FD ? fcntl(sock, F_SETFD, 0) < 0
				    : dup2(sock, UPNP_SANDBOX_FD) < 0)
		return -1;
	/*
	 * Nothing else crosses exec: not the nft/netlink sockets, the TUN, raw
	 * sockets. Close-on-exec rather than closed: the binary's fd must live
	 * until fexecve.
	 */
	*why = "close_range";
	if (close_range(UPNP_SANDBOX_FD + 1, ~0u, CLOSE_RANGE_CLOEXEC) < 0)
		return -1;
	/* best effort (CAP_SETPCAP): with no new privileges nothing could raise them */
	for (int c = 0; c <= CAP_LAST_CAP; c++)
		prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
	*why = "setgroups/setgid/setuid";
	if (getuid() != uid || geteuid() != uid || getgid() != gid) {
		if ((getuid() == 0 && setgroups(0, NULL) < 0) || setresgid(gid, gid, gid) < 0 ||
		    setresuid(uid, uid, uid) < 0)
			return -1;
	}
	/*
	 * A smap that already runs as a user of its own keeps CAP_SETUID for
	 * us: from one non-root uid to another the kernel keeps the
	 * capabilities, so clear them, the ambient ones (which exec would
	 * pass on) first.
	 */
	*why = "capabilities";
	{
		struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
		struct __user_cap_data_struct d[2] = { { 0 } };

		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 ||
		    syscall(SYS_capset, &h, d) < 0)
			return -1;
	}
	if (uid != 0 && setuid(0) == 0) {	/* must not be able to come back */
		errno = EPERM;
		return -1;
	}
	*why = "no_new_privs";
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	/* after setuid, which clears it; then the SMAP may already be gone */
	*why = "pdeathsig";
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return -1;
	if (getppid() != parent) {
		errno = ESRCH;
		return -1;
	}
	return 0;
}

/* Allowed with any arguments; smap's own filter allows them too, since
 * smap-upnp inherits it (filters stack). */
const char *const upnp_sandbox_syscalls[] = {
	/* memory, threads, signals, time */
	"brk", "mmap", "munmap", "mprotect", "mremap", "madvise", "futex",
	"set_robust_list", "rseq", "clone", "clone3", "exit", "exit_group",
	"rt_sigprocmask", "rt_sigaction", "rt_sigreturn", "rt_sigtimedwait", "sigaltstack",
	"nanosleep", "clock_nanosleep", "clock_gettime", "gettimeofday", "time",
	"getpid", "gettid", "getppid", "tgkill", "sched_yield", "sched_getaffinity",
	/* libupnp's thread pool sets its threads' scheduling */
	"sched_getparam", "sched_setparam", "sched_getscheduler", "sched_setscheduler",
	"sched_get_priority_max", "sched_get_priority_min",
	"getrandom", "uname", "sysinfo", "getuid", "geteuid", "getgid", "getegid",
	/* files: the descriptions libupnp's web server reads; stderr */
	"read", "write", "readv", "writev", "pread64", "close", "fstat", "newfstatat",
	"stat", "lstat", "statx", "lseek", "fcntl", "access", "faccessat", "faccessat2",
	"poll", "ppoll", "select", "pselect6",
	/* the LAN: SSDP, HTTP, GENA; the socketpair */
	"connect", "accept", "accept4", "bind", "listen", "getsockname", "getpeername",
	"setsockopt", "getsockopt", "sendto", "recvfrom", "sendmsg", "recvmsg", "shutdown",
	NULL
};

int
upnp_sandbox_seccomp(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int rc = -1;

	if (!ctx) {
		log_warnx("upnp: seccomp_init");
		return -1;
	}
	for (size_t i = 0; upnp_sandbox_syscalls[i]; i++) {
		int nr = seccomp_syscall_resolve_name(upnp_sandbox_syscalls[i]);

		if (nr != __NR_SCMP_ERROR && seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) < 0)
			goto out;
	}
	/* IPv4 and IPv6 sockets only: no netlink, no raw, no packet, no unix */
	if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
			     SCMP_A0(SCMP_CMP_EQ, AF_INET)) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
			     SCMP_A0(SCMP_CMP_EQ, AF_INET6)) < 0 ||
	    /* syslog reconnecting after a syslogd restart: refused, not killed */
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1,
			     SCMP_A0(SCMP_CMP_EQ, AF_UNIX)) < 0 ||
	    /* files opened for reading only */
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
			     SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY)) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
			     SCMP_A1(SCMP_CMP_EQ, FIONREAD)) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
			     SCMP_A1(SCMP_CMP_EQ, FIONBIO)) < 0)
		goto out;
	/* every thread: libupnp's are running already */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) < 0 ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1) < 0)
		goto out;
	rc = seccomp_load(ctx);
out:
	if (rc < 0)
		log_warnx("upnp: seccomp filter not loaded");
	seccomp_release(ctx);
	return rc < 0 ? -1 : 0;
}
