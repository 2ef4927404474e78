/* SPDX-License-Identifier: MIT */
/* prr/main.c: the PRR's daemon entry point; smap/main.c is the same role for the SMAP. */
/*
 * prr: the port range router. Loads prr.conf, starts one worker per
 * NFQUEUE queue, installs its iptables rules, serves the control socket,
 * reloads on SIGHUP, cleans up on SIGTERM.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "clock.h"
#include "prr/ctl.h"
#include "daemon_args.h"
#include "prr/fastpath.h"
#include "log.h"
#include "notify.h"
#include "prr/registration_server.h"
#include "prr/provision.h"
#include "prr/prr.h"
#include "prr/replay.h"
#include "prr/rules.h"
#include "prr/sandbox.h"
#include "prr/state.h"
#include "ctlsock.h"
#include "version.h"
#include "prr/store.h"

static void
usage(int rc)
{
	fprintf(rc ? stderr : stdout, "usage: prr [-fnv] [-c FILE]\n"
		"       prr replay -c FILE [--in4 PCAP] [--in6 PCAP] [--out4 PCAP] [--out6 PCAP]\n"
		"  -c FILE  configuration (default /etc/prr.conf)\n"
		"  -f       stay in the foreground, log to stderr\n"
		"  -n       check the configuration and exit\n"
		"  -v       verbose\n"
		"  --init-store  create or migrate the shared store's schema (store in prr.conf), exit\n"
		"  --help, --version\n"
		"  replay   run captured packets through the data path offline\n"
		"           (prr replay --help)\n");
	exit(rc);
}

/* prr --init-store: the schema created or migrated, nothing else. */
static int
store_init_main(struct prr_env *env)
{
	char err[512];
	struct store *s;

	if (!env->cfg.store_pg) {
		fprintf(stderr, "prr: %s: store.type is not \"postgresql\": nothing to initialise\n",
			env->cfg.file);
		return 1;
	}
	if (!(s = store_pg_open(env->cfg.store_conninfo, true, err, sizeof(err)))) {
		fprintf(stderr, "prr: %s\n", err);
		return 1;
	}
	store_close(s);
	printf("store ready\n");
	return 0;
}

/* Takes --init-store out of argv (the other options are every daemon's): whether it was there. */
static bool
take_init_store(int *argc, char **argv)
{
	bool found = false;

	for (int i = 1; i < *argc; i++)
		if (strcmp(argv[i], "--init-store") == 0) {
			memmove(&argv[i], &argv[i + 1], (size_t)(*argc - i) * sizeof(*argv));
			(*argc)--;
			i--;
			found = true;
		}
	return found;
}

static struct prr_env *
env_load(const char *file)
{
	struct prr_env *env = calloc(1, sizeof(*env));
	struct conf_err err;

	if (!env)
		fatal("calloc");
	if (prr_config_load(file, &env->cfg, &err) < 0) {
		/* every error on its own line: file:line: key: message */
		log_text(LOG_ERR, err.text);	/* syslog once a daemon: stderr is closed */
		if (!isatty(2))
			log_warnx("%s: %d configuration error(s)", file, err.count);
		free(env);
		return NULL;
	}
	return env;
}

static void
env_free(struct prr_env *env)
{
	btable_free(env->bt);
	prr_config_free(&env->cfg);
	free(env);
}

static void
reload(struct prr *prr, struct ctl_server *ctl, const char *file)
{
	struct prr_env *old = atomic_load(&prr->env), *env;
	char err[512];

	log_info("reloading %s", file);
	env = env_load(file);
	if (!env) {
		log_warnx("reload failed; keeping the running configuration");
		return;
	}
	if (env->cfg.queue_first != old->cfg.queue_first ||
	    env->cfg.queue_count != old->cfg.queue_count)
		log_warnx("queue changes take effect at restart");
	if (env->cfg.fast_path != old->cfg.fast_path || env->cfg.n_fast_ifs != old->cfg.n_fast_ifs ||
	    memcmp(env->cfg.fast_ifs, old->cfg.fast_ifs, sizeof(env->cfg.fast_ifs)) != 0)
		log_warnx("fast_path and fast_path_interfaces changes take effect at restart");
	env->cfg.queue_first = old->cfg.queue_first;
	env->cfg.queue_count = old->cfg.queue_count;
	/* the registry keeps operator and dynamic bindings; the config's are replaced */
	if (provision_reload(prr, env, err, sizeof(err)) < 0) {
		log_warnx("reload failed: %s; keeping the running configuration", err);
		env_free(env);
		return;
	}
	if (!rules_same(&old->cfg, &env->cfg) || old->cfg.install_rules != env->cfg.install_rules) {
		/* add the new rules before the old ones go: no gap that loses packets */
		if (env->cfg.install_rules && rules_add(&env->cfg) < 0)
			log_warnx("reload: rules not installed");
		if (old->cfg.install_rules)
			rules_remove_once(&old->cfg);
	}
	/* new tables first; the old ones go once no worker reads them */
	env_swap(prr, env);
	ctl_server_set_access(ctl, &env->cfg.control_access);
	log_info("reloaded: %zu bindings", btable_count(env->bt));
}

/* SIGUSR1 joins the daemon's signal set: logrotate sends it once it has
 * moved the allocation log away (etc/logrotate.d/prr). */
static void
add_usr1(int sfd)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);	/* workers inherit the mask */
	if (signalfd(sfd, &set, SFD_CLOEXEC) < 0)
		fatal("signalfd");
}

int
main(int argc, char **argv)
{
	struct daemon_args a;
	int sfd, n_pcp;
	struct ctl_server *ctl;
	int *pcp_fds;
	struct prr *prr;
	struct prr_env *env;
	bool init_store;

	if (argc > 1 && strcmp(argv[1], "replay") == 0)
		return replay_main(argc - 1, argv + 1);
	init_store = take_init_store(&argc, argv);
	daemon_args_parse(argc, argv, "prr", "/etc/prr.conf", usage, &a);
	env = env_load(a.file);
	if (!env)
		return 1;
	if (init_store) {
		int rc = store_init_main(env);
		env_free(env);
		return rc;
	}
	if (a.check) {
		printf("configuration OK: %zu bindings\n", btable_count(env->cfg.bt));
		fastpath_check(&env->cfg, stdout);
		env_free(env);
		return 0;
	}
	sfd = daemon_start(&a, "prr");
	add_usr1(sfd);

	prr = calloc(1, sizeof(*prr));
	if (!prr)
		fatal("calloc");
	prr->announce = pcp_server_announce;
	{
		char err[512];
		if (provision_init(prr, env, err, sizeof(err)) < 0)
			fatalx("%s", err);
	}
	atomic_store(&prr->env, env);
	prr->pmtu = pmtu_new(PMTU_SLOTS);
	prr->started_ms = clock_ms();
	for (unsigned i = 0; i < env->cfg.queue_count; i++) {
		if (nfq_worker_start(prr, &prr->workers[i], env->cfg.queue_first + i) < 0)
			fatalx("cannot bind queue %u", env->cfg.queue_first + i);
		prr->n_workers++;
	}
	ctl = ctl_server_open(env->cfg.control_socket, &env->cfg.control_access, prr_ctl_handle,
			      prr);
	if (!ctl)
		fatalx("cannot open the control socket %s", env->cfg.control_socket);
	pcp_fds = prr->pcp_fds;
	n_pcp = pcp_server_open(&env->cfg, pcp_fds, PCP_SERVER_MAX_FDS);
	if (n_pcp < 0)
		fatalx("cannot open the PCP registration server");
	prr->n_pcp_fds = n_pcp;
	/* bound queues first, so no packet meets an empty queue */
	if (env->cfg.install_rules && rules_install(&env->cfg) < 0) {
		ctl_server_close(ctl);
		fatalx("cannot install NFQUEUE rules");
	}
	{
		char err[512];
		bool fatal;

		/* after the NFQUEUE rules: what it passes on has somewhere to go */
		prr->fp = fastpath_start(&env->cfg, env->bt, prr->reg.pool, &fatal, err,
					 sizeof(err));
		if (fatal) {
			if (env->cfg.install_rules)
				rules_remove(&env->cfg);
			ctl_server_close(ctl);
			fatalx("%s", err);
		}
		if (prr->fp)
			pmtu_watch(prr->pmtu, fastpath_pmtu, prr->fp);
		provision_fastpath(prr);
	}
	{
		char err[512];

		/* the setup is done: the rest runs unprivileged, workers included */
		prr_ctl_open_nfq_stats();
		if (prr_sandbox(&env->cfg, prr->fp != NULL, err, sizeof(err)) < 0) {
			pmtu_watch(prr->pmtu, NULL, NULL);
			fastpath_close(prr->fp);
			if (env->cfg.install_rules)
				rules_remove(&env->cfg);
			ctl_server_close(ctl);
			fatalx("%s", err);
		}
	}
	for (unsigned i = 0; i < prr->n_workers; i++)
		if (nfq_worker_run(&prr->workers[i]) < 0)
			fatalx("cannot start the worker of queue %u", prr->workers[i].queue);
	log_info("started: %zu bindings, %u queue(s) from %u", btable_count(env->bt),
		 env->cfg.queue_count, env->cfg.queue_first);
	notify("READY=1");	/* systemd Type=notify: serving now */

	for (;;) {
		struct pollfd p[2 + PCP_SERVER_MAX_FDS + CTL_POLLFDS] = {
			{ .fd = sfd, .events = POLLIN } };
		int sync_fd = provision_fd(prr);
		struct signalfd_siginfo si;
		unsigned nctl;

		for (int i = 0; i < n_pcp; i++)
			p[1 + i] = (struct pollfd){ .fd = pcp_fds[i], .events = POLLIN };
		nctl = ctl_server_pollfds(ctl, p + 1 + n_pcp, CTL_POLLFDS);
		/* a shared store's changes (LISTEN): last, so the indexes above stay */
		p[1 + n_pcp + nctl] = (struct pollfd){ .fd = sync_fd, .events = POLLIN };
		if (poll(p, 2 + (nfds_t)n_pcp + nctl, 1000) < 0) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		provision_tick(prr);
		provision_sync(prr);
		/* PCP first: a control client never delays an answer */
		for (int i = 0; i < n_pcp; i++)
			if (p[1 + i].revents & POLLIN)
				pcp_server_handle(prr, pcp_fds[i]);
		ctl_server_handle(ctl, p + 1 + n_pcp, nctl);
		prr_metrics_tick(prr);
		if (!(p[0].revents & POLLIN))
			continue;
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGHUP) {
			notify("RELOADING=1");
			reload(prr, ctl, a.file);
			notify("READY=1");
		} else if (si.ssi_signo == SIGUSR1)
			provision_reopen_log(prr);
		else
			break;
	}

	log_info("stopping");
	notify("STOPPING=1");
	env = atomic_load(&prr->env);
	pmtu_watch(prr->pmtu, NULL, NULL);	/* the workers still learn */
	fastpath_close(prr->fp);	/* first: its packets go back to NFQUEUE */
	prr->fp = NULL;
	if (env->cfg.install_rules)
		rules_remove(&env->cfg);
	atomic_store(&prr->stop, 1);
	for (unsigned i = 0; i < prr->n_workers; i++)
		nfq_worker_join(&prr->workers[i]);
	ctl_server_close(ctl);
	for (int i = 0; i < n_pcp; i++)
		close(pcp_fds[i]);
	env_free(env);
	provision_fini(prr);
	alloclog_close();
	pmtu_free(prr->pmtu);
	free(prr);
	return 0;
}
