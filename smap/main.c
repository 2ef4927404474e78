/* SPDX-License-Identifier: MIT */
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

#include "smap/ctl.h"
#include "smap/fastpath.h"
#include "log.h"
#include "smap/portmap/pcp_server.h"
#include "smap/portmap/portmap.h"
#include "smap/register.h"
#include "smap/smap.h"
#include "smap/portmap/upnp.h"

#define FTP_FDS	256

static void
usage(void)
{
	fprintf(stderr, "usage: smap [-fnv] [-c FILE]\n"
		"       smap stats|status [-s SOCKET] [--json]\n"
		"       smap mappings [-s SOCKET] [--json]\n"
		"  -c FILE  configuration (default /etc/smap.conf)\n"
		"  -f       stay in the foreground, log to stderr\n"
		"  -n       check the configuration and exit (-nv: print it)\n"
		"  -v       verbose\n");
	exit(2);
}

static int
config_load(const char *file, struct smap_config *c)
{
	struct conf_err err;

	if (smap_config_load(file, c, &err) < 0) {
		/* every error on its own line: file:line: key: message */
		fputs(err.text, stderr);
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
	reg_close(s);
	ftp_alg_stop(s);
	pcp_server_stop(s);
	portmap_shutdown(s);
	/* the system as it was: no NAT state left toward the shared address */
	if (s->nat_installed)
		nat_flush_conntrack(s);
	nat_remove(s);
	fastpath_stop(s);
	tun_close(s);
	tun_restore_forward(s);
	softwire_close(s);
}

static int
start_all(struct smap *s)
{
	if (softwire_open(s) < 0)
		return -1;
	softwire_check_mtu(s);
	tun_enable_forward(s);
	if (s->cfg.reg.enabled)
		return reg_open(s);	/* the data path comes up with the first set */
	return smap_datapath_start(s);
}

int
smap_datapath_start(struct smap *s)
{
	if (tun_open(s) < 0)
		return -1;
	if (nat_install(s) < 0) {
		log_warnx("cannot install the nft table ip smap");
		return -1;
	}
	nat_flush_conntrack(s);
	if (portmap_init(s) < 0 || pcp_server_start(s) < 0)
		return -1;
	if (s->cfg.ftp_alg && ftp_alg_start(s, SMAP_FTP_PORT) < 0)
		return -1;
	if (upnp_start(s) < 0)
		return -1;
	return fastpath_start(s);
}

/* SIGHUP: the port set, the PRR, peers and policies change in place. */
static void
reload(struct smap *s, const char *file)
{
	struct smap_config c;
	bool old_ftp = s->cfg.ftp_alg, ps_changed;

	log_info("reloading %s", file);
	if (config_load(file, &c) < 0) {
		log_warnx("reload failed; keeping the running configuration");
		return;
	}
	if (s->cfg.reg.enabled) {	/* the registered set stays */
		c.params.ipv4 = s->cfg.params.ipv4;
		c.params.ps = s->cfg.params.ps;
	}
	if (s->cfg.map_from_prr && !c.reg_wan_given) {	/* the MAP address from the PRR's rule */
		c.wan_addr = s->cfg.wan_addr;
		c.has_wan_addr = s->cfg.has_wan_addr;
	}
	if (strcmp(c.tun_name, s->cfg.tun_name) || strcmp(c.wan_if, s->cfg.wan_if) ||
	    strcmp(c.lan_if, s->cfg.lan_if) || c.params.ipv4 != s->cfg.params.ipv4 ||
	    c.has_wan_addr != s->cfg.has_wan_addr ||
	    memcmp(&c.wan_addr, &s->cfg.wan_addr, sizeof(c.wan_addr)) ||
	    strcmp(c.control_socket, s->cfg.control_socket) || c.default_route != s->cfg.default_route)
		log_warnx("interfaces, addresses, the control socket and default_route "
			  "change at restart only");
	s->cfg.params.prr = c.params.prr;
	memcpy(s->cfg.params.peers, c.params.peers, sizeof(c.params.peers));
	s->cfg.params.n_peers = c.params.n_peers;
	if (!s->cfg.map_from_prr) {	/* else the PRR's FMRs stay */
		memcpy(s->cfg.params.fmr, c.params.fmr, sizeof(c.params.fmr));
		s->cfg.params.n_fmr = c.params.n_fmr;
	}
	ps_changed = memcmp(&s->cfg.params.ps, &c.params.ps, sizeof(c.params.ps)) != 0;
	s->cfg.params.ps = c.params.ps;
	s->cfg.lan_prefix = c.lan_prefix;
	s->cfg.lan_plen = c.lan_plen;
	s->cfg.tun_mtu = c.tun_mtu;
	s->cfg.follow_ptb = c.follow_ptb;
	s->cfg.mss_clamp = c.mss_clamp;
	s->cfg.ftp_alg = c.ftp_alg;
	s->cfg.hop_limit = c.hop_limit;
	setsockopt(s->raw_fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &c.hop_limit, sizeof(int));
	if (s->tun_fd >= 0 && nat_install(s) < 0)
		log_warnx("reload: nft table not installed");
	else
		portmap_reinstall(s);
	s->cfg.pcp.serve = c.pcp.serve;
	pcp_server_reload(s);
	if (ps_changed)
		nat_flush_conntrack(s);
	if (old_ftp && !c.ftp_alg)
		ftp_alg_stop(s);
	else if (!old_ftp && c.ftp_alg)
		ftp_alg_start(s, SMAP_FTP_PORT);
	softwire_check_mtu(s);
	if (s->cfg.reg.enabled != c.reg.enabled)
		log_warnx("registration on or off changes at restart only");
	else if (s->cfg.reg.enabled)
		reg_reload(s, &c.reg);
	if (c.fast_path != s->cfg.fast_path)
		log_warnx("fast_path changes at restart only");
	fastpath_update(s);
	log_info("reloaded");
}

int
main(int argc, char **argv)
{
	const char *file = "/etc/smap.conf";
	int fg = 0, check = 0, verbose = 0, ch, sfd, lfd, rc = 0;
	static struct smap s;
	sigset_t set;

	if (argc >= 2 && (strcmp(argv[1], "stats") == 0 || strcmp(argv[1], "status") == 0 ||
			  strcmp(argv[1], "mappings") == 0 ||
			  strcmp(argv[1], "ping") == 0))
		return ctl_client_main(argc - 1, argv + 1);
	while ((ch = getopt(argc, argv, "c:fnvh")) != -1) {
		switch (ch) {
		case 'c': file = optarg; break;
		case 'f': fg = 1; break;
		case 'n': check = 1; break;
		case 'v': verbose++; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	log_init(1, "smap");
	log_setverbose(verbose);
	if (config_load(file, &s.cfg) < 0)
		return 1;
	if (check) {
		char fpath[300];

		if (verbose)
			smap_config_print(&s.cfg, stdout);
		fastpath_describe(&s.cfg, fpath, sizeof(fpath));
		printf("%sfast path: %s\n", verbose ? "# " : "", fpath);	/* -nv: stays a config */
		printf("configuration OK\n");
		return 0;
	}
	if (!fg) {
		if (daemon(0, 0) < 0)
			fatal("daemon");
		log_init(0, "smap");
	}

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		fatal("signalfd");

	s.tun_fd = s.raw_fd = -1;
	s.saved_ip_forward = -1;
	s.started_ms = smap_now_ms();
	lfd = -1;
	if (start_all(&s) < 0 ||
	    (lfd = ctl_open(s.cfg.control_socket)) < 0) {
		if (lfd < 0 && s.tun_fd >= 0)
			log_warn("control socket %s", s.cfg.control_socket);
		stop_all(&s);
		log_warnx("not started; the system is as it was");
		return 1;
	}
	log_info("started: %s, MTU %u, softwire to the PRR over %s", s.cfg.tun_name,
		 s.tun_mtu, s.cfg.wan_if);
	if (s.cfg.map_mode) {
		char a6[INET6_ADDRSTRLEN], ps[64];
		uint32_t n4 = htonl(s.cfg.params.ipv4);
		char a4[INET_ADDRSTRLEN];

		portset_format(&s.cfg.params.ps, ps, sizeof(ps));
		log_info("MAP-E: %s ports %s from the rule, MAP address %s, %u FMR(s)",
			 inet_ntop(AF_INET, &n4, a4, sizeof(a4)), ps,
			 inet_ntop(AF_INET6, &s.cfg.wan_addr, a6, sizeof(a6)), s.cfg.params.n_fmr);
	}

	for (;;) {
		struct pollfd p[6 + FTP_FDS] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = lfd, .events = POLLIN },
			{ .fd = s.tun_fd, .events = POLLIN },
			{ .fd = s.raw_fd, .events = POLLIN },
		};
		struct signalfd_siginfo si;
		unsigned nftp = ftp_alg_pollfds(&s, p + 4, FTP_FDS);
		unsigned npcp = pcp_server_pollfd(&s, p + 4 + nftp);
		bool reg = reg_pollfd(&s, &p[4 + nftp + npcp]);

		if (poll(p, 4 + nftp + npcp + reg, reg_poll_ms(&s, 1000)) < 0) {
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
			reg_handle(&s, &p[4 + nftp + npcp]);
		if (p[1].revents & POLLIN)
			ctl_serve(&s, lfd);
		softwire_tick(&s);
		portmap_expire(&s, portmap_now());
		upnp_tick();
		if (!(p[0].revents & POLLIN))
			continue;
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGHUP)
			reload(&s, file);
		else
			break;
	}

	log_info("stopping");
	ctl_close(lfd, s.cfg.control_socket);
	stop_all(&s);
	close(sfd);
	return rc;
}
