/* SPDX-License-Identifier: MIT */
/*
 * The syscalls both daemons make once set up: gathered with strace -f
 * over the e2e tests (tests/e2e), libc's and libconfig's included.
 * Each daemon adds its own (prr/sandbox.c, smap/sandbox.c).
 */
#include <stddef.h>

#include "privdrop.h"

const char *const privdrop_base_syscalls[] = {
	/* memory, threads, time */
	"brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "futex", "set_robust_list",
	"get_robust_list", "rseq", "set_tid_address", "clone", "clone3", "exit", "exit_group",
	"sched_yield", "sched_getaffinity", "getrandom", "membarrier",
	"clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep", "clock_nanosleep",
	/* signals */
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "restart_syscall",
	"signalfd4", "kill", "tgkill", "tkill",
	/* identity, limits (read only) */
	"getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getgroups",
	"getresuid", "getresgid", "uname", "prlimit64", "getrlimit", "sysinfo", "capget",
	/* files: config (reload), state files, logs, /proc, /sys */
	"read", "write", "readv", "writev", "pread64", "pwrite64", "open", "openat", "close",
	"close_range", "lseek", "fstat", "stat", "lstat", "newfstatat", "statx", "fstatfs",
	"statfs", "fcntl", "flock", "fsync", "fdatasync", "ftruncate", "rename", "renameat",
	"renameat2", "unlink", "unlinkat", "mkdir", "mkdirat", "access", "faccessat",
	"faccessat2", "readlink", "readlinkat", "getdents64", "getcwd", "umask", "dup", "dup2",
	"dup3", "pipe", "pipe2", "chmod", "fchmod", "fchmodat", "fadvise64", "ioctl",
	/* sockets: control socket, PCP, netlink, raw sends */
	"socket", "socketpair", "bind", "listen", "accept", "accept4", "connect", "shutdown",
	"sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "getsockopt",
	"setsockopt", "getsockname", "getpeername",
	/* waiting */
	"poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl",
	"epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd2", "timerfd_create",
	"timerfd_settime", "timerfd_gettime",
	/* programs the daemons run (iptables, nft's helpers) and wait for */
	"vfork", "execve", "execveat", "wait4", "waitid", "arch_prctl", "prctl",
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
	/* ASan/UBSan: the report, the shadow memory, the stack walks */
	"sched_getparam", "getpriority", "mincore", "msync", "process_vm_readv", "ptrace",
	"personality", "getdents",
#endif
	NULL
};
