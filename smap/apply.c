/* SPDX-License-Identifier: MIT */
/*
 * The one way the SMAP's binding changes: see apply.h. The plan (what a
 * change redoes) is smap_change_plan in live.c, pure and unit-tested;
 * this carries it out.
 */
#include <arpa/inet.h>
#include <string.h>

#include "log.h"
#include "smap/apply.h"
#include "smap/fastpath.h"
#include "smap/portmap/pcp_server.h"
#include "smap/portmap/portmap.h"
#include "smap/portmap/upnp.h"
#include "smap/smap.h"

/*
 * The first bound binding: TUN, NAT, mappings, PCP, FTP ALG, UPnP. A step
 * that fails undoes the ones before it, so that the next attempt (the next
 * registration answer, a path MTU change) starts clean: a TUN left open
 * made it fail with EBUSY, and smap exit.
 */
static int
datapath_start(struct smap *s)
{
	const char *step;

	if (tun_open(s) < 0)
		return -1;
	if (nat_install(s) < 0) {
		step = "the nft table ip smap";
		goto undo;
	}
	nat_flush_conntrack(s);
	step = "the mappings";
	if (portmap_init(s) < 0)
		goto undo;
	step = "the PCP server";
	if (pcp_server_start(s) < 0)
		goto undo;
	step = "the FTP ALG";
	if (s->cfg.ftp_alg && ftp_alg_start(s, SMAP_FTP_PORT) < 0)
		goto undo;
	step = "the UPnP IGD";
	if (upnp_start(s) < 0)
		goto undo;
	return 0;
undo:
	log_warnx("data path: %s did not start; undone, to be tried again", step);
	ftp_alg_stop(s);
	pcp_server_stop(s);
	portmap_shutdown(s);
	nat_remove(s);
	tun_close(s);
	return -1;
}

int
smap_apply(struct smap *s, const struct smap_live *next, unsigned flags, const char *why)
{
	struct smap_change ch;

	smap_change_plan(&s->live, next, s->up, flags & SMAP_APPLY_CONFIG, &ch);
	if (next->params.mtu != s->live.params.mtu)
		log_info("path MTU toward the PRR %u -> %u (%s)", s->live.params.mtu,
			 next->params.mtu, why);
	/* mappings of the old set would be dropped by the PRR from now on */
	if (ch.flush)
		nat_flush_conntrack(s);
	s->live = *next;
	if (ch.softwire) {	/* the softwire goes from the (new) MAP address */
		char a6[INET6_ADDRSTRLEN];

		softwire_close(s);
		if (softwire_open(s) < 0) {
			log_warnx("%s: cannot send from %s (on %s?)", why,
				  inet_ntop(AF_INET6, &s->live.wan_addr, a6, sizeof(a6)),
				  s->cfg.wan_if);
			return -1;
		}
	}
	if (ch.start) {
		if (datapath_start(s) < 0) {
			log_warnx("%s: cannot bring the data path up", why);
			return -1;
		}
		s->up = true;
		/* the fast path comes with the data path, on the TUN just made */
		return fastpath_start(s);
	}
	if (ch.tun) {
		tun_close(s);
		if (tun_open(s) < 0) {
			log_warnx("%s: cannot make %s again for the new address", why,
				  s->cfg.tun_name);
			return -1;
		}
	} else if (ch.tun_mtu && s->tun_fd >= 0 && smap_tun_mtu(s->live.params.mtu) != s->tun_mtu) {
		tun_set_mtu(s, smap_tun_mtu(s->live.params.mtu));
	}
	if (ch.nat) {
		if (nat_install(s) < 0) {
			log_warnx("%s: nft table not installed", why);
			return -1;
		}
		/* the table was made anew: the forwards again, minus those now outside */
		if (s->portmap)
			portmap_reinstall(s);
	} else if (ch.mss) {
		nat_update_mss(s);
	}
	/* the fast path's maps follow the binding in force (and a new TUN) */
	fastpath_update(s);
	return 0;
}

void
smap_mtu_note(struct smap *s, unsigned mtu, const char *why)
{
	s->mtu_next = mtu;
	s->mtu_why = why;
}

int
smap_mtu_apply(struct smap *s)
{
	struct smap_live next;

	if (!s->mtu_next)
		return 0;
	next = s->live;
	next.params.mtu = s->mtu_next;
	s->mtu_next = 0;
	if (next.params.mtu == s->live.params.mtu)
		return 0;
	return smap_apply(s, &next, 0, s->mtu_why);
}
