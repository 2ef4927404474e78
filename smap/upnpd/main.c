/* SPDX-License-Identifier: MIT */
/*
 * smap-upnp: the SMAP's UPnP IGD in its own process. smap forks and
 * execs it already unprivileged (smap/portmap/upnp_sandbox.c), with the
 * socketpair as fd 3 and the settings as options; it never runs alone.
 * Once libupnp listens, a seccomp filter closes every other system call.
 * SIGTERM: ssdp:byebye and exit; the SMAP gone: exit (or SIGKILL,
 * PR_SET_PDEATHSIG).
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "smap/portmap/upnp_sandbox.h"
#include "smap/upnpd/rpc.h"
#include "smap/upnpd/upnpd.h"
#include "version.h"

#define TICK_SECONDS	60

static void
usage_to(FILE *f)
{
	fprintf(f, "usage: smap-upnp -i LAN_IF -l PREFIX/LEN -d DIR [-p HTTP_PORT] [-V 1|2]\n"
		   "                 [-a MAX_AGE] [-o] [-f] [-v]\n"
		   "       smap-upnp --help | --version\n"
		   "started by smap with its socketpair as fd 3 (smap.conf(5), upnp)\n");
}

static void
usage(void)
{
	usage_to(stderr);
	exit(2);
}

static void
parse(int argc, char **argv, struct upnpd_args *a, int *fg, int *verbose)
{
	int c;
	bool have_lan = false;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage_to(stdout);
		exit(0);
	}
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		version_print("smap-upnp");
		exit(0);
	}
	a->version = 2;
	a->max_age = 1800;
	while ((c = getopt(argc, argv, "i:l:d:p:V:a:ofv")) != -1) {
		switch (c) {
		case 'i': a->lan_if = optarg; break;
		case 'd': a->dir = optarg; break;
		case 'l': have_lan = parse_prefix4(optarg, &a->lan_prefix, &a->lan_plen);
			  if (!have_lan) usage();
			  break;
		case 'p': if (!parse_uint(optarg, 65535, &a->http_port)) usage(); break;
		case 'V': if (!parse_uint(optarg, 2, &a->version) || a->version < 1) usage(); break;
		case 'a': if (!parse_uint(optarg, 86400 * 7, &a->max_age)) usage(); break;
		case 'o': a->allow_other_hosts = true; break;
		case 'f': *fg = 1; break;
		case 'v': (*verbose)++; break;
		default: usage();
		}
	}
	if (optind != argc || !a->lan_if || !a->dir || !have_lan)
		usage();
}

/* The SMAP closed its end of the socketpair. */
static bool
smap_gone(void)
{
	struct pollfd p = { .fd = UPNP_SANDBOX_FD };

	return rpc_gone() || (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLNVAL)));
}

int
main(int argc, char **argv)
{
	struct upnpd_args a = { 0 };
	struct stat st;
	struct timespec second = { 1, 0 };
	sigset_t set;
	int fg = 0, verbose = 0;
	unsigned idle = 0;

	parse(argc, argv, &a, &fg, &verbose);
	log_init(fg, "smap-upnp");
	log_setverbose(verbose);
	if (fstat(UPNP_SANDBOX_FD, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		log_warnx("upnp: fd %d is not the SMAP's socketpair", UPNP_SANDBOX_FD);
		return 2;
	}
	/* libupnp's threads inherit the mask: the signals come here only */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	rpc_init(UPNP_SANDBOX_FD);
	if (server_start(&a) < 0)
		return 1;
	if (upnp_sandbox_seccomp() < 0) {
		server_stop();
		return 1;
	}
	for (;;) {
		int sig = sigtimedwait(&set, NULL, &second);

		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (smap_gone()) {
			log_warnx("upnp: the SMAP is gone");
			break;
		}
		if (sig < 0 && ++idle >= TICK_SECONDS) {
			idle = 0;
			server_tick();
		}
	}
	server_stop();
	/* no exit handlers: under seccomp, a sanitizer's leak check at exit is killed */
	fflush(NULL);
	_exit(0);
}
