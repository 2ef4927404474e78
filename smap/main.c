/* SPDX-License-Identifier: MIT */
/* smap/main.c: the SMAP's daemon entry point; prr/main.c is the same role for the PRR. */
/*
 * smap: the CPE softwire gateway (lwB4 / MAP-E CE). Loads smap.conf,
 * makes the TUN and the softwire socket, installs its nft table, runs
 * the packet loop; reloads on SIGHUP; on SIGTERM puts the system back as
 * it was (TUN, routes, nft table, ip_forward).
 *
 *   smap [-fnv] [-c FILE]
 *   smap stats|status [-s SOCKET] [--json]
 *   smap mappings [-s SOCKET] [--json]
 */
#include <arpa/inet.h>
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
#include "smap/apply.h"
#include "smap/ctl.h"
#include "ctl/smapctl.h"
#include "ctlsock.h"
#include "version.h"
#include "daemon_args.h"
#include "log.h"
#include "notify.h"
#include "smap/portmap/pcp_server.h"
#include "smap/portmap/portmap.h"
#include "smap/register.h"
#include "smap/smap.h"
#include "smap/portmap/upnp.h"

#define FTP_FDS	256

static void
usage(int rc)
{
	fprintf(rc ? stderr : stdout, "usage: smap [-fnv] [-c FILE]\n"
		"       smap stats|status|mappings|ping [-s SOCKET] [--json] "
		"[--format prometheus]\n"
		"         (the same as smapctl: smapctl --help)\n"
		"  -c FILE  configuration (default /etc/smap.conf)\n"
		"  -f       stay in the foreground, log to stderr\n"
		"  -n       check the configuration and exit (-nv: print it)\n"
		"  -v       verbose\n"
		"  --help, --version\n");
	exit(rc);
}

static int
config_load(const char *file, struct smap_config *c)
{
	struct conf_err err;

	if (smap_config_load(file, c, &err) < 0) {
		/* every error on its own line: file:line: key: message */
		log_text(LOG_ERR, err.text);	/* syslog once a daemon: stderr is closed */
		if (!isatty(2))
			log_warnx("%s: %d configuration error(s)", file, err.count);
		return -1;
	}
	return 0;
}

static void
stop_all(struct smap *s)
{
	upnp_stop();
	register_close(s);
	ftp_alg_stop(s);
	pcp_server_stop(s);
	portmap_shutdown(s);
	/* the system as it was: no NAT state left toward the shared address */
	if (s->nat_installed)
		nat_flush_conntrack(s);
	nat_remove(s);
	tun_close(s);
	tun_restore_forward(s);
	softwire_close(s);
}

static int
start_all(struct smap *s)
{
	struct smap_live next;

	if (softwire_open(s) < 0)
		return -1;
	softwire_check_mtu(s);
	tun_enable_forward(s);
	if (s->cfg.registration.enabled && register_open(s) < 0)
		return -1;
	/* the data path comes up now, or with the first set (registration) */
	if (smap_mtu_apply(s) < 0)
		return -1;
	memcpy(&next, &s->live, sizeof(next));
	return smap_apply(s, &next, 0, "start");
}

/*
 * SIGHUP: the PRR, peers, port set and policies change in place. The new
 * file's values go into the config; the binding in force changes through
 * smap_apply, like any other change of binding.
 */
static void
reload(struct smap *s, const char *file)
{
	static struct smap_config c;	/* big: not on the stack */
	struct smap_live next;
	bool old_ftp = s->cfg.ftp_alg;

	log_info("reloading %s", file);
	if (config_load(file, &c) < 0) {
		log_warnx("reload failed; keeping the running configuration");
		return;
	}
	if (strcmp(c.tun_name, s->cfg.tun_name) || strcmp(c.wan_if, s->cfg.wan_if) ||
	    strcmp(c.lan_if, s->cfg.lan_if) || c.params.ipv4 != s->cfg.params.ipv4 ||
	    c.has_wan_addr != s->cfg.has_wan_addr ||
	    memcmp(&c.wan_addr, &s->cfg.wan_addr, sizeof(c.wan_addr)) ||
	    strcmp(c.control_socket, s->cfg.control_socket) || c.default_route != s->cfg.default_route)
		log_warnx("interfaces, addresses, the control socket and default_route "
			  "change at restart only");
	/* the binding: the registered set and the PRR's MAP-E rules stay */
	memcpy(&next, &s->live, sizeof(next));
	next.params.prr = c.params.prr;
	memcpy(next.params.peers, c.params.peers, sizeof(c.params.peers));
	next.params.n_peers = c.params.n_peers;
	if (!s->cfg.map_from_prr) {
		memcpy(next.params.fmr, c.params.fmr, sizeof(c.params.fmr));
		next.params.n_fmr = c.params.n_fmr;
	}
	if (!s->cfg.registration.enabled)
		next.params.ps = c.params.ps;
	/* the config: what the file says now, but for what changes at restart only */
	s->cfg.params.prr = c.params.prr;
	s->cfg.control_access = c.control_access;
	memcpy(s->cfg.metrics_file, c.metrics_file, sizeof(c.metrics_file));
	memcpy(s->cfg.params.peers, c.params.peers, sizeof(c.params.peers));
	s->cfg.params.n_peers = c.params.n_peers;
	memcpy(s->cfg.params.fmr, c.params.fmr, sizeof(c.params.fmr));
	s->cfg.params.n_fmr = c.params.n_fmr;
	s->cfg.params.ps = c.params.ps;
	s->cfg.lan_prefix = c.lan_prefix;
	s->cfg.lan_plen = c.lan_plen;
	s->cfg.tun_mtu = c.tun_mtu;
	s->cfg.follow_ptb = c.follow_ptb;
	s->cfg.mss_clamp = c.mss_clamp;
	s->cfg.ftp_alg = c.ftp_alg;
	s->cfg.hop_limit = c.hop_limit;
	setsockopt(s->raw_fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &c.hop_limit, sizeof(int));
	smap_apply(s, &next, SMAP_APPLY_CONFIG, "reload");
	s->cfg.pcp.serve = c.pcp.serve;
	pcp_server_reload(s);
	if (old_ftp && !c.ftp_alg)
		ftp_alg_stop(s);
	else if (!old_ftp && c.ftp_alg)
		ftp_alg_start(s, SMAP_FTP_PORT);
	softwire_check_mtu(s);
	smap_mtu_apply(s);
	if (s->cfg.registration.enabled != c.registration.enabled)
		log_warnx("registration on or off changes at restart only");
	else if (s->cfg.registration.enabled)
		register_reload(s, &c.registration);
	log_info("reloaded");
}

int
main(int argc, char **argv)
{
	struct daemon_args a;
	int sfd, rc = 0;
	struct ctl_server *ctl = NULL;
	static struct smap s;

	/* smap stats|status|mappings|ping ...: the client, as smapctl */
	if (argc >= 2 && (strcmp(argv[1], "stats") == 0 || strcmp(argv[1], "status") == 0 ||
			  strcmp(argv[1], "mappings") == 0 ||
			  strcmp(argv[1], "ping") == 0))
		return smapctl_main(argc, argv);
	daemon_args_parse(argc, argv, "smap", "/etc/smap.conf", usage, &a);
	if (config_load(a.file, &s.cfg) < 0)
		return 1;
	smap_live_from_config(&s.live, &s.cfg);
	if (a.check) {
		if (a.verbose)
			smap_config_print(&s.cfg, stdout);
		printf("configuration OK\n");
		return 0;
	}
	sfd = daemon_start(&a, "smap");

	s.tun_fd = s.raw_fd = -1;
	s.saved_ip_forward = -1;
	s.started_ms = clock_ms();
	if (start_all(&s) < 0 ||
	    !(ctl = ctl_server_open(s.cfg.control_socket, &s.cfg.control_access,
				    smap_ctl_handle, &s))) {
		stop_all(&s);
		log_warnx("not started; the system is as it was");
		return 1;
	}
	log_info("started: %s, MTU %u, softwire to the PRR over %s", s.cfg.tun_name,
		 s.tun_mtu, s.cfg.wan_if);
	notify("READY=1");	/* systemd Type=notify: serving now */
	if (s.cfg.map_mode) {
		char a6[INET6_ADDRSTRLEN], ps[64];
		uint32_t n4 = htonl(s.live.params.ipv4);
		char a4[INET_ADDRSTRLEN];

		portset_format(&s.live.params.ps, ps, sizeof(ps));
		log_info("MAP-E: %s ports %s from the rule, MAP address %s, %u FMR(s)",
			 inet_ntop(AF_INET, &n4, a4, sizeof(a4)), ps,
			 inet_ntop(AF_INET6, &s.live.wan_addr, a6, sizeof(a6)), s.live.params.n_fmr);
	}

	for (;;) {
		struct pollfd p[6 + FTP_FDS + CTL_POLLFDS] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = -1 },
			{ .fd = s.tun_fd, .events = POLLIN },
			{ .fd = s.raw_fd, .events = POLLIN },
		};
		struct signalfd_siginfo si;
		unsigned nftp = ftp_alg_pollfds(&s, p + 4, FTP_FDS);
		unsigned npcp = pcp_server_pollfd(&s, p + 4 + nftp);
		bool reg = register_pollfd(&s, &p[4 + nftp + npcp]);
		struct pollfd *pctl = &p[4 + nftp + npcp + reg];
		unsigned nctl = ctl_server_pollfds(ctl, pctl, CTL_POLLFDS);

		if (poll(p, 4 + nftp + npcp + reg + nctl, register_poll_ms(&s, 1000)) < 0) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (p[3].revents & POLLERR)
			softwire_errqueue(&s);
		if (p[3].revents & POLLIN)
			softwire_from_wan(&s);
		if (p[2].revents & POLLIN)
			softwire_from_tun(&s);
		if (nftp)
			ftp_alg_handle(&s, p + 4, nftp);
		if (npcp)
			pcp_server_handle(&s, p + 4 + nftp);
		if (reg)
			register_handle(&s, &p[4 + nftp + npcp]);
		ctl_server_handle(ctl, pctl, nctl);
		smap_metrics_tick(&s);
		softwire_tick(&s);
		smap_mtu_apply(&s);	/* what the send path saw, outside it */
		portmap_expire(&s, portmap_now());
		upnp_tick();
		if (!(p[0].revents & POLLIN))
			continue;
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGHUP) {
			notify("RELOADING=1");
			reload(&s, a.file);
			ctl_server_set_access(ctl, &s.cfg.control_access);
			notify("READY=1");
		} else
			break;
	}

	log_info("stopping");
	notify("STOPPING=1");
	ctl_server_close(ctl);
	stop_all(&s);
	close(sfd);
	return rc;
}
