/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "daemon_args.h"
#include "log.h"
#include "version.h"

void
daemon_args_parse(int argc, char **argv, const char *prog, const char *default_file,
		  void (*usage)(int rc), struct daemon_args *a)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	int ch;

	*a = (struct daemon_args){ .file = default_file };
	while ((ch = getopt_long(argc, argv, "c:fnvh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': a->file = optarg; break;
		case 'f': a->fg = 1; break;
		case 'n': a->check = 1; break;
		case 'v': a->verbose++; break;
		case 'h': usage(0); break;
		case 'V': version_print(prog); exit(0);
		default: usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	log_init(1, prog);
	log_setverbose(a->verbose);
}

int
daemon_start(const struct daemon_args *a, const char *prog)
{
	sigset_t set;
	int sfd;

	if (!a->fg) {
		if (daemon(0, 0) < 0)
			fatal("daemon");
		log_init(0, prog);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		fatal("signalfd");
	return sfd;
}
