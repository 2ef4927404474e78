/* SPDX-License-Identifier: MIT */
/*
 * The daemon-side owner of the SMAP's mapping table (common/maptable.h),
 * shared by the PCP/NAT-PMP server (pcp_server.c) and the UPnP IGD
 * server. Thread-safe: every call takes one mutex, so UPnP may call from
 * libupnp's threads while the main loop serves PCP.
 *
 * Every change is applied, before the call returns, to
 *  - nftables, in the table "ip smap": one DNAT forward per mapping
 *    (shared address:ext_port -> int_addr:int_port, elements of the maps
 *    fwd_tcp and fwd_udp; "all protocols" goes into both), and the
 *    dynamic SNAT pool rebuilt as the port set minus the held ports;
 *  - the state file (temp file + fsync + rename), so that mappings
 *    survive a restart or a crash and are restored into nftables at start.
 * When either fails, the change is undone and the call returns
 * MAPTABLE_IO_ERROR.
 *
 * Time is wall-clock seconds (portmap_now), so that expiry and the PCP
 * epoch survive a restart.
 */
#ifndef SMAP_PORTMAP_H
#define SMAP_PORTMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "smap/portmap/maptable.h"

struct smap;

/*
 * After nat_install: make the table for the configured port set, load the
 * state file (dropping expired lines and lines outside the set, logging
 * malformed ones with file and line), install the forwards and the SNAT
 * pool. 0, or -1 when nftables refused.
 */
int portmap_init(struct smap *);
/* Stop: the forwards go with the nft table; the state file stays. */
void portmap_shutdown(struct smap *);
/*
 * nat_install ran again (SIGHUP, a new port set): drop the mappings now
 * outside the set and put the forwards and the pool back into nftables.
 */
int portmap_reinstall(struct smap *);

/* As maptable_add / maptable_del, "now" being portmap_now(). */
enum maptable_result portmap_add(struct smap *, const struct mapping *want,
				 uint32_t lifetime, bool never_expires, bool exact,
				 struct mapping *out);
enum maptable_result portmap_del(struct smap *, uint8_t proto, uint16_t ext_port,
				 const uint8_t *nonce, struct mapping *out);
/* Remove what expired by now (the main loop calls it every second). */
unsigned portmap_expire(struct smap *, uint64_t now);

/* Snapshots, safe to use after the lock is released. */
struct mapping *portmap_list(struct smap *, unsigned *n);	/* malloc'd; free it */
bool portmap_find_ext(struct smap *, uint8_t proto, uint16_t ext_port,
		      struct mapping *out);
bool portmap_find_int(struct smap *, uint8_t proto, uint32_t int_addr,
		      uint16_t int_port, struct mapping *out);
unsigned portmap_count(struct smap *);
/* The i-th mapping in (ext_port, proto) order (UPnP GetGenericPortMappingEntry). */
bool portmap_at(struct smap *, unsigned i, struct mapping *out);
unsigned portmap_host_count(struct smap *, uint32_t int_addr);

/* The shared (external) IPv4 address, host order, and the port set. */
uint32_t portmap_ext_addr(const struct smap *);
const struct portset *portmap_portset(const struct smap *);

/*
 * Wall-clock seconds when this table's state began (kept in the state
 * file): the PCP epoch is now - base (RFC 6887 8.5), so it goes on
 * counting across a restart that kept the mappings.
 */
uint64_t portmap_epoch_base(struct smap *);
uint64_t portmap_now(void);

#endif
