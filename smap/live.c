/* SPDX-License-Identifier: MIT */
/* The SMAP's live binding and the plan of a change: see live.h. */
#include <string.h>

#include "smap/live.h"

void
smap_live_from_config(struct smap_live *l, const struct smap_config *c)
{
	memset(l, 0, sizeof(*l));
	l->params = c->params;
	l->wan_addr = c->wan_addr;
	l->has_wan_addr = c->has_wan_addr;
	l->bmr = c->bmr;
	l->map_ce = c->map_ce;
	l->bound = !c->registration.enabled;
}

void
smap_change_plan(const struct smap_live *old, const struct smap_live *next, bool up,
		 bool config_changed, struct smap_change *ch)
{
	bool addr = next->params.ipv4 != old->params.ipv4;
	bool set = addr || memcmp(&next->params.ps, &old->params.ps, sizeof(next->params.ps)) != 0;
	bool mtu = next->params.mtu != old->params.mtu;

	memset(ch, 0, sizeof(*ch));
	ch->softwire = next->has_wan_addr != old->has_wan_addr ||
		       (next->has_wan_addr &&
			memcmp(&next->wan_addr, &old->wan_addr, sizeof(next->wan_addr)) != 0);
	if (!up) {
		/* nothing on the TUN or in nft yet: it all comes with the start */
		ch->start = next->bound;
		return;
	}
	ch->flush = set;
	ch->tun = addr;
	ch->tun_mtu = mtu && !addr;	/* a new TUN takes the new MTU */
	ch->nat = set || config_changed;
	ch->mss = mtu && !ch->nat;	/* a new table takes the new MSS */
}
