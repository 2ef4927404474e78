/* SPDX-License-Identifier: MIT */
/*
 * The nftables side of the mapping table (portmap.h), in smap's table
 * "ip smap" (nat.c makes it):
 *
 *  - maps pm_dnat_{tcp,udp} (external port -> host . port) and
 *    pm_fdnat_{tcp,udp} (remote . external port -> host . port, for a
 *    mapping filtered to one remote host, PCP FILTER / PEER / UPnP
 *    RemoteHost), looked up in the dstnat chain for packets from the
 *    TUN to the shared address;
 *  - maps pm_snat_{tcp,udp} (host . port -> shared . external port): a
 *    host's traffic from a mapped port leaves from its external port
 *    (RFC 6887 11: the mapping is used both ways);
 *  - the srcnat chain rebuilt: those maps first, then the dynamic pool,
 *    which is the port set minus the held ports (maptable_free_runs),
 *    one range, or numgen over the runs weighted by their sizes;
 *  - in the forward chain, DNATed connections from the TUN accepted.
 *
 * Element changes and the pool go in one transaction.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "smap/portmap/portmap_nft.h"
#include "smap/smap.h"

#define TABLE	"ip smap"

/* "add" or "delete" the elements of one mapping */
void
portmap_nft_elements(FILE *f, const char *verb, const struct mapping *m, uint32_t ext_addr)
{
	static const struct { uint8_t proto; const char *name; } protos[] = {
		{ 6, "tcp" }, { 17, "udp" },
	};
	char ia[INET_ADDRSTRLEN], ra[INET_ADDRSTRLEN], ea[INET_ADDRSTRLEN];
	unsigned port = m->int_port ? m->int_port : m->ext_port;

	if (!m->enabled)
		return;
	map_ip4_str(m->int_addr, ia);
	map_ip4_str(m->remote_addr, ra);
	map_ip4_str(ext_addr, ea);
	for (size_t i = 0; i < 2; i++) {
		const char *p = protos[i].name;

		if (m->proto != 0 && m->proto != protos[i].proto)
			continue;
		if (m->remote_addr)
			fprintf(f, "%s element " TABLE " pm_fdnat_%s { %s . %u : %s . %u }\n",
				verb, p, ra, m->ext_port, ia, port);
		else
			fprintf(f, "%s element " TABLE " pm_dnat_%s { %u : %s . %u }\n", verb, p,
				m->ext_port, ia, port);
		if (m->int_port)
			fprintf(f, "%s element " TABLE " pm_snat_%s { %s . %u : %s . %u }\n", verb,
				p, ia, m->int_port, ea, m->ext_port);
	}
}

struct pool {
	FILE *f;
	const char *addr;
	uint32_t at;		/* numgen keys given so far */
	unsigned n;
};

static void
pool_one(void *arg, uint16_t lo, uint16_t hi)
{
	struct pool *p = arg;

	fprintf(p->f, "%s%u-%u : %s . %u-%u", p->n ? ", " : "", p->at,
		p->at + (hi - lo), p->addr, lo, hi);
	p->at += (uint32_t)(hi - lo) + 1;
	p->n++;
}

static void
pool_count(void *arg, uint16_t lo, uint16_t hi)
{
	struct pool *p = arg;

	p->at += (uint32_t)(hi - lo) + 1;
	if (p->n++ == 0)
		fprintf(p->f, "%s:%u-%u", p->addr, lo, hi);
}

/* The srcnat chain: the mapped ports, then the pool of the free ports. */
void
portmap_nft_srcnat(FILE *f, const struct maptable *t, const char *tun, uint32_t ext_addr)
{
	char ea[INET_ADDRSTRLEN], *one = NULL;
	size_t onelen = 0;
	struct pool p = { .addr = ea };
	FILE *o;

	map_ip4_str(ext_addr, ea);
	fprintf(f, "flush chain " TABLE " srcnat\n");
	fprintf(f, "add rule " TABLE " srcnat oifname \"%s\" snat ip to ip saddr . tcp sport "
		"map @pm_snat_tcp\n", tun);
	fprintf(f, "add rule " TABLE " srcnat oifname \"%s\" snat ip to ip saddr . udp sport "
		"map @pm_snat_udp\n", tun);
	/* first pass: how many runs, how many ports, and the first run */
	o = open_memstream(&one, &onelen);
	if (!o)
		fatal("open_memstream");
	p.f = o;
	maptable_free_runs(t, pool_count, &p);
	fclose(o);
	if (p.n == 0) {
		/* every port held: nothing may leave unmapped */
		fprintf(f, "add rule " TABLE " srcnat oifname \"%s\" meta l4proto "
			"{ tcp, udp, icmp } drop\n", tun);
	} else if (p.n == 1) {
		fprintf(f, "add rule " TABLE " srcnat oifname \"%s\" meta l4proto "
			"{ tcp, udp, icmp } snat ip to %s\n", tun, one);
	} else {
		fprintf(f, "add rule " TABLE " srcnat oifname \"%s\" meta l4proto "
			"{ tcp, udp, icmp } snat ip to numgen inc mod %u map { ", tun, p.at);
		p = (struct pool){ .f = f, .addr = ea };
		maptable_free_runs(t, pool_one, &p);
		fprintf(f, " }\n");
	}
	free(one);
}

/* Everything, into a table nat_install just made. */
void
portmap_nft_install(FILE *f, const struct maptable *t, const char *tun, uint32_t ext_addr)
{
	char ea[INET_ADDRSTRLEN];
	const char *p[] = { "tcp", "udp" };

	map_ip4_str(ext_addr, ea);
	for (int i = 0; i < 2; i++) {
		fprintf(f, "add map " TABLE " pm_dnat_%s { type inet_service : ipv4_addr . "
			"inet_service; }\n", p[i]);
		fprintf(f, "add map " TABLE " pm_fdnat_%s { type ipv4_addr . inet_service : "
			"ipv4_addr . inet_service; }\n", p[i]);
		fprintf(f, "add map " TABLE " pm_snat_%s { type ipv4_addr . inet_service : "
			"ipv4_addr . inet_service; }\n", p[i]);
	}
	for (int i = 0; i < 2; i++)
		fprintf(f, "add rule " TABLE " dstnat iifname \"%s\" ip daddr %s dnat ip to "
			"ip saddr . %s dport map @pm_fdnat_%s\n", tun, ea, p[i], p[i]);
	for (int i = 0; i < 2; i++)
		fprintf(f, "add rule " TABLE " dstnat iifname \"%s\" ip daddr %s dnat ip to "
			"%s dport map @pm_dnat_%s\n", tun, ea, p[i], p[i]);
	fprintf(f, "insert rule " TABLE " forward iifname \"%s\" ct status dnat accept\n", tun);
	portmap_nft_sync(f, t, tun, ext_addr);
}

/* The maps emptied and filled from the table, the pool rebuilt. */
void
portmap_nft_sync(FILE *f, const struct maptable *t, const char *tun, uint32_t ext_addr)
{
	static const char *const maps[] = { "dnat", "fdnat", "snat" };

	for (int i = 0; i < 3; i++)
		fprintf(f, "flush map " TABLE " pm_%s_tcp\nflush map " TABLE " pm_%s_udp\n",
			maps[i], maps[i]);
	for (unsigned i = 0; i < maptable_count(t); i++)
		portmap_nft_elements(f, "add", maptable_at(t, i), ext_addr);
	portmap_nft_srcnat(f, t, tun, ext_addr);
}
