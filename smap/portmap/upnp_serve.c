/* SPDX-License-Identifier: MIT */
/* The SMAP's answers to smap-upnp's questions (upnp_serve.h). */
#include <string.h>

#include "smap/portmap/portmap.h"
#include "smap/portmap/upnp_serve.h"
#include "smap/smap.h"

static bool
on_lan(const struct smap *s, uint32_t addr)
{
	uint32_t mask = s->cfg.lan_plen ? ~0u << (32 - s->cfg.lan_plen) : 0;

	return (addr & mask) == (s->cfg.lan_prefix & mask);
}

static void
found(struct upnp_msg *r, bool ok, const struct mapping *m)
{
	r->result = ok ? MAPTABLE_OK : MAPTABLE_NOT_FOUND;
	if (ok)
		r->m = *m;
}

bool
upnp_serve(struct smap *s, const struct upnp_msg *q, struct upnp_msg *r)
{
	struct mapping want = q->m, m;

	memset(r, 0, sizeof(*r));
	memset(&m, 0, sizeof(m));
	r->id = q->id;
	r->type = UPNP_MSG_R_MAP;
	switch (q->type) {
	case UPNP_MSG_ADD:
		/* the child's word is not enough: only LAN hosts, only as UPnP */
		memset(want.nonce, 0, sizeof(want.nonce));
		want.origin = MAP_ORIGIN_UPNP;
		if (!on_lan(s, want.int_addr))
			r->result = MAPTABLE_INVALID;
		else
			r->result = portmap_add(s, &want, q->lifetime, false, q->exact, &m);
		if (r->result == MAPTABLE_OK || r->result == MAPTABLE_RENEWED)
			r->m = m;
		break;
	case UPNP_MSG_DEL:
		r->result = portmap_del(s, q->m.proto, q->m.ext_port, NULL, &m);
		if (r->result == MAPTABLE_OK)
			r->m = m;
		break;
	case UPNP_MSG_AT:
		found(r, portmap_at(s, q->index, &m), &m);
		break;
	case UPNP_MSG_FIND_EXT:
		found(r, portmap_find_ext(s, q->m.proto, q->m.ext_port, &m), &m);
		break;
	case UPNP_MSG_FIND_INT:
		found(r, portmap_find_int(s, q->m.proto, q->m.int_addr, q->m.int_port, &m), &m);
		break;
	case UPNP_MSG_STATUS:
		r->type = UPNP_MSG_R_STATUS;
		r->ext_addr = portmap_ext_addr(s);
		r->count = portmap_count(s);
		return true;
	default:
		return false;
	}
	/* the child needs neither a PCP nonce nor a LAN host's MAC */
	memset(r->m.nonce, 0, sizeof(r->m.nonce));
	memset(r->m.host_mac, 0, sizeof(r->m.host_mac));
	return true;
}
