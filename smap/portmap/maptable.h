/* SPDX-License-Identifier: MIT */
/*
 * The SMAP's table of inbound port mappings: one table serves PCP,
 * NAT-PMP and UPnP IGD, so a port is never handed out twice whoever
 * asked. Pure code: no sockets, no nftables, no clock (the caller passes
 * "now", wall-clock seconds, so that expiry survives a restart).
 *
 * Every external port lies in the SMAP's port set. A mapping is keyed by
 * (protocol, external port); protocol 0 ("all protocols", PCP) holds
 * the port for TCP and UDP both. The same (protocol, internal address,
 * internal port) asked again is a renewal and keeps its external port.
 *
 * The I/O around it (smap/) installs one DNAT forward per mapping and
 * keeps the ports of the mappings out of the dynamic NAPT pool; it
 * learns what changed from maptable_add's result and the callbacks of
 * maptable_expire and maptable_del.
 */
#ifndef AP_MAPTABLE_H
#define AP_MAPTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portset.h"

#define MAPTABLE_DESC_MAX	128	/* bytes kept of a description */
#define MAPTABLE_NONCE_LEN	12

enum map_origin {
	MAP_ORIGIN_PCP = 0,
	MAP_ORIGIN_NATPMP = 1,
	MAP_ORIGIN_UPNP = 2,
};

struct mapping {
	uint8_t proto;			/* IPPROTO_TCP, IPPROTO_UDP, 0: all */
	uint8_t origin;			/* enum map_origin */
	uint16_t ext_port;		/* in the port set */
	uint32_t int_addr;		/* LAN host, host order */
	uint16_t int_port;
	bool enabled;			/* UPnP NewEnabled; false: no forward */
	uint32_t remote_addr;		/* host order; 0: any (PCP FILTER, UPnP RemoteHost) */
	uint16_t remote_port;		/* 0: any */
	uint32_t lifetime;		/* as granted, seconds */
	uint64_t expires;		/* wall-clock seconds; 0: never (UPnP static) */
	uint8_t nonce[MAPTABLE_NONCE_LEN];	/* PCP: must match to renew or delete */
	char desc[MAPTABLE_DESC_MAX + 1];	/* NUL-terminated, printable */
	uint8_t host_mac[6];		/* the LAN host's MAC (neighbour table); zero: unknown */
};

enum maptable_result {
	MAPTABLE_OK = 0,
	MAPTABLE_RENEWED,		/* same mapping, lifetime refreshed */
	MAPTABLE_OUTSIDE,		/* asked port outside the set, and exact asked for */
	MAPTABLE_TAKEN,			/* asked port held by another mapping, exact asked for */
	MAPTABLE_FULL,			/* no free port left in the set */
	MAPTABLE_QUOTA,			/* the host holds its quota of mappings already */
	MAPTABLE_NONCE,			/* a PCP renewal or delete with another nonce */
	MAPTABLE_NOT_FOUND,		/* delete of nothing */
	MAPTABLE_INVALID,		/* malformed arguments */
	MAPTABLE_IO_ERROR,		/* smap/portmap: nftables or the state file failed, nothing changed */
};

struct maptable;

/*
 * A table for the given port set, holding at most `capacity` mappings,
 * at most `per_host_quota` per LAN host (0: no quota). A host is its MAC
 * where the caller knows it (host_mac), so that one machine claiming
 * many source addresses still counts once; else its internal address.
 * NULL on allocation failure.
 */
struct maptable *maptable_new(const struct portset *ps, unsigned capacity,
			      unsigned per_host_quota);
void maptable_free(struct maptable *);
/*
 * Mappings may hold at most `percent` of the port set's ports (100 when
 * never set), so that the NAPT keeps ports for everything else: adds
 * beyond it are MAPTABLE_FULL.
 */
void maptable_set_share(struct maptable *, unsigned percent);

/*
 * The port set changed (registration, reload). Mappings whose external
 * port left the set are removed, each reported by fn (may be NULL).
 */
void maptable_set_portset(struct maptable *, const struct portset *ps,
			  void (*fn)(void *arg, const struct mapping *), void *arg);
const struct portset *maptable_portset(const struct maptable *);

/*
 * Add or renew. `want` carries proto, int_addr, int_port, origin,
 * remote_*, enabled, nonce, desc, and in ext_port the suggested external
 * port (0: none). `exact`: fail with OUTSIDE or TAKEN rather than pick
 * another port (PCP PREFER_FAILURE, UPnP AddPortMapping); otherwise the
 * suggested port when it is in the set and free, else the free port of
 * the set nearest above it (wrapping), else FULL.
 * A renewal is the same (proto, int_addr, int_port): it keeps its
 * external port and, for PCP, needs the same nonce (else NONCE).
 * lifetime 0 with expires 0 is not a delete here: see maptable_del.
 * On OK or RENEWED, *out (may be NULL) is the mapping as stored.
 */
enum maptable_result maptable_add(struct maptable *, const struct mapping *want,
				  uint32_t lifetime, bool never_expires,
				  bool exact, uint64_t now, struct mapping *out);

/*
 * Put back a mapping as it was stored (state file at start): its own
 * external port, lifetime and expiry. OUTSIDE when the port left the set,
 * TAKEN when something holds it or the same internal key exists, QUOTA,
 * FULL or INVALID as for maptable_add. Expiry is the caller's business
 * (maptable_expire after restoring).
 */
enum maptable_result maptable_restore(struct maptable *, const struct mapping *m);

/* Look-ups; NULL when none. The pointer is valid until the next change. */
const struct mapping *maptable_find_ext(const struct maptable *,
					uint8_t proto, uint16_t ext_port);
const struct mapping *maptable_find_int(const struct maptable *, uint8_t proto,
					uint32_t int_addr, uint16_t int_port);

/*
 * Delete by (proto, ext_port). With a nonce (not NULL), it must match
 * (PCP); NULL deletes whatever holds the port (NAT-PMP, UPnP, operator).
 * The removed mapping is copied to *out (may be NULL).
 */
enum maptable_result maptable_del(struct maptable *, uint8_t proto,
				  uint16_t ext_port, const uint8_t *nonce,
				  struct mapping *out);

/* Remove every mapping with expires != 0 and expires <= now; fn sees each. */
unsigned maptable_expire(struct maptable *, uint64_t now,
			 void (*fn)(void *arg, const struct mapping *), void *arg);

/* Count, and the i-th mapping in (ext_port, proto) order; NULL past the end. */
unsigned maptable_count(const struct maptable *);
const struct mapping *maptable_at(const struct maptable *, unsigned i);
/* How many mappings an internal address holds. */
unsigned maptable_host_count(const struct maptable *, uint32_t int_addr);
/* Is the external port held for this protocol (0: for either)? */
bool maptable_port_held(const struct maptable *, uint8_t proto, uint16_t ext_port);

/*
 * The free part of the set, for the dynamic NAPT pool: calls fn(arg, lo,
 * hi) for each maximal run of consecutive ports of the set that no
 * mapping holds (for any protocol), in order. Returns the number of runs.
 */
unsigned maptable_free_runs(const struct maptable *,
			    void (*fn)(void *arg, uint16_t lo, uint16_t hi), void *arg);

/*
 * Persistence: one line per mapping, text, stable across versions.
 * maptable_format_line writes one mapping (no newline) into buf and
 * returns snprintf's value; maptable_parse_line reads one back and
 * returns false on a malformed line (the caller names file and line).
 */
int maptable_format_line(const struct mapping *, char *buf, size_t len);
bool maptable_parse_line(const char *line, struct mapping *out);

const char *maptable_result_name(enum maptable_result);
const char *map_origin_name(enum map_origin);	/* "pcp", "natpmp", "upnp" */
const char *map_proto_name(uint8_t proto);	/* "tcp", "udp", "all" */
/* a (host order) in dotted quad into buf[INET_ADDRSTRLEN]; returns buf */
const char *map_ip4_str(uint32_t a, char *buf);

#endif
