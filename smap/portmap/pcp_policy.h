/* SPDX-License-Identifier: MIT */
/*
 * The SMAP's PCP (RFC 6887) and NAT-PMP (RFC 6886) server, as a pure
 * function: one UDP payload from a LAN host in, the answer out. The
 * mapping table is reached through pcp_serve_ops, so that the daemon
 * (smap/pcp_server.c over smap/portmap.h, with nftables) and the unit
 * tests and fuzz target (over a bare maptable) run the same policy.
 *
 * Policy, in order:
 *  - a source outside the LAN prefix: ignored, nothing sent;
 *  - first byte 0: NAT-PMP (external address, UDP and TCP mappings);
 *    anything else: PCP, errors of the codec answered with their
 *    RFC 6887 7.4 lifetimes;
 *  - PCP client address != source: ADDRESS_MISMATCH;
 *  - THIRD_PARTY from a requester not in third_party (or naming a host
 *    outside the LAN): NOT_AUTHORIZED;
 *  - protocol other than 0, TCP, UDP: UNSUPP_PROTOCOL; TCP or UDP with
 *    internal port 0 ("all ports"): MALFORMED_REQUEST (a port set is
 *    shared, all ports cannot be given);
 *  - a suggested external address other than the shared one: ignored,
 *    or CANNOT_PROVIDE_EXTERNAL with PREFER_FAILURE;
 *  - FILTER: one remote host (prefix length 128) is kept with the
 *    mapping, prefix length 0 clears it; more than one filter, or a
 *    shorter prefix, EXCESSIVE_REMOTE_PEERS;
 *  - lifetime 0 deletes (the nonce must match: else NOT_AUTHORIZED;
 *    no mapping: SUCCESS); other lifetimes are clamped to
 *    [min_lifetime, max_lifetime];
 *  - a mapping made by another protocol (UPnP, or NAT-PMP for PCP and
 *    the reverse) is not touched: NOT_AUTHORIZED;
 *  - table results: port outside the set or taken with PREFER_FAILURE
 *    CANNOT_PROVIDE_EXTERNAL, quota USER_EX_QUOTA, no port or I/O error
 *    NO_RESOURCES, nonce NOT_AUTHORIZED;
 *  - PEER: an existing mapping of the internal port is reported as it
 *    is; otherwise a mapping filtered to the peer is made;
 *  - ANNOUNCE request: SUCCESS, lifetime 0.
 */
#ifndef AP_PCP_SERVE_H
#define AP_PCP_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smap/portmap/maptable.h"
#include "pcp.h"

#define PCP_SERVE_MAX_THIRD_PARTY	16

struct pcp_serve_prefix {
	uint32_t addr;			/* host order */
	unsigned plen;
};

struct pcp_serve_cfg {
	uint32_t lan_prefix;		/* host order: requests from elsewhere are ignored */
	unsigned lan_plen;
	uint32_t ext_addr;		/* the shared address, host order */
	uint32_t min_lifetime, max_lifetime;
	unsigned n_third_party;		/* requesters that may use THIRD_PARTY */
	struct pcp_serve_prefix third_party[PCP_SERVE_MAX_THIRD_PARTY];
};

struct pcp_serve_ops {
	void *ctx;
	enum maptable_result (*add)(void *ctx, const struct mapping *want,
				    uint32_t lifetime, bool exact, struct mapping *out);
	enum maptable_result (*del)(void *ctx, uint8_t proto, uint16_t ext_port,
				    const uint8_t *nonce, struct mapping *out);
	bool (*find_int)(void *ctx, uint8_t proto, uint32_t int_addr,
			 uint16_t int_port, struct mapping *out);
};

/* The ops over a bare table, for tests, fuzzing and benchmarks. */
struct pcp_serve_table {
	struct maptable *t;
	uint64_t now;			/* the clock, wall-clock seconds */
};
struct pcp_serve_ops pcp_serve_table_ops(struct pcp_serve_table *);

enum pcp_serve_stat {
	PCPS_RX,
	PCPS_OUTSIDE_LAN,		/* ignored: source not in the LAN */
	PCPS_DROPPED,			/* silently dropped (too short, a response) */
	PCPS_PCP_ERROR,			/* answered with an error result */
	PCPS_PCP_MAP,			/* MAP answered SUCCESS (new, renewed or deleted) */
	PCPS_PCP_PEER,
	PCPS_PCP_ANNOUNCE,
	PCPS_NATPMP_EXTERNAL,
	PCPS_NATPMP_MAP,		/* NAT-PMP mapping answered SUCCESS */
	PCPS_NATPMP_ERROR,
	PCPS_MAX,
};

struct pcp_serve_stats {
	uint64_t v[PCPS_MAX];
	uint64_t pcp_result[PCP_RESULT_MAX + 1];	/* per result sent */
};

extern const struct pcp_serve_stat_desc {
	const char *name, *doc;
} pcp_serve_stat_desc[PCPS_MAX];

/*
 * Serve one request from src (IPv4, host order). Returns the length of
 * the answer in out, or 0 when nothing is to be sent.
 */
size_t pcp_serve(const struct pcp_serve_cfg *, const struct pcp_serve_ops *,
		 uint32_t src, const uint8_t *req, size_t len, uint32_t epoch,
		 uint8_t *out, size_t cap, struct pcp_serve_stats *);

/* The pure parts, for tests. */
bool pcp_serve_in_lan(const struct pcp_serve_cfg *, uint32_t addr);
bool pcp_serve_third_party_ok(const struct pcp_serve_cfg *, uint32_t requester);
uint32_t pcp_serve_clamp(const struct pcp_serve_cfg *, uint32_t lifetime);
enum pcp_result pcp_serve_result(enum maptable_result);

#endif
