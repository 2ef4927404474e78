/* SPDX-License-Identifier: MIT */
/*
 * The command line both daemons share (design card): -c FILE, -f, -n,
 * -v, --help, --version. Parsed once here; prr and smap say only what
 * differs (their name, default file and usage text).
 */
#ifndef AP_DAEMON_ARGS_H
#define AP_DAEMON_ARGS_H

struct daemon_args {
	const char *file;	/* -c: the configuration */
	int fg;			/* -f: foreground, log to stderr */
	int check;		/* -n: check the configuration and exit */
	int verbose;		/* -v, more with each */
};

/*
 * Fills a (file starts as default_file); --help calls usage(0), a bad
 * option or a stray argument usage(2) (usage exits); --version prints
 * and exits 0. Then logging starts in the foreground, at that verbosity.
 */
void daemon_args_parse(int argc, char **argv, const char *prog, const char *default_file,
		       void (*usage)(int rc), struct daemon_args *a);

/*
 * Into the background unless -f (syslog from then on); then SIGHUP,
 * SIGTERM and SIGINT blocked (threads started later inherit the mask)
 * and to be read from the signalfd returned; SIGPIPE ignored.
 */
int daemon_start(const struct daemon_args *a, const char *prog);

#endif
