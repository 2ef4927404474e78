/* SPDX-License-Identifier: MIT */
/* smap/datapath.h: the SMAP's pure data path; prr/datapath.h is the same role for the PRR. */
/*
 * The SMAP data path, pure: bytes and parameters in, verdict out.
 *
 * Inbound (softwire -> TUN): the outer IPv6 source must be the PRR (or
 * an allowed peer), the inner IPv4 packet must be for the shared address
 * and its port (TCP/UDP destination port, ICMP echo identifier, or for
 * an ICMP error the source port of the packet it quotes) in our port set.
 *
 * Outbound (TUN -> softwire): the packet must leave from the shared
 * address and a port of the set (the NAT put it there); one that does
 * not fit the path MTU is answered with ICMPv4 fragmentation needed when
 * DF is set, and otherwise fragmented as IPv4 before encapsulation.
 *
 * Every drop has a named counter (SMAP_STATS).
 */
#ifndef AP_SMAP_PATH_H
#define AP_SMAP_PATH_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "map_rule.h"
#include "portset.h"

#define SMAP_MAX_PEERS	16
#define SMAP_MAX_FMR	16
#define SMAP_IPV6_MIN_MTU 1280

/* X(id, name, doc) */
#define SMAP_STATS(X)								\
	X(IN_PACKETS,		"in_packets",		"IPv6 next-header-4 packets received from the softwire") \
	X(IN_DELIVERED,		"in_delivered",		"inner IPv4 packets written to the TUN") \
	X(IN_FRAGMENTS,		"in_fragments",		"inner IPv4 fragments received for reassembly") \
	X(IN_REASSEMBLED,	"in_reassembled",	"inner IPv4 datagrams reassembled") \
	X(IN_DROP_NOT_PRR,	"in_drop_not_prr",	"outer IPv6 source is neither the PRR nor an allowed peer") \
	X(IN_DROP_MALFORMED,	"in_drop_malformed",	"inner IPv4 truncated, wrong version, bad length or checksum") \
	X(IN_DROP_NOT_OURS,	"in_drop_not_ours",	"inner destination is not the shared address") \
	X(IN_DROP_L4,		"in_drop_l4",		"inner TCP/UDP/ICMP header missing or malformed") \
	X(IN_DROP_NO_PORT,	"in_drop_no_port",	"inner protocol without ports or identifier") \
	X(IN_DROP_PORT,		"in_drop_port",		"destination port or ICMP identifier outside the port set") \
	X(IN_DROP_ICMP_TYPE,	"in_drop_icmp_type",	"ICMP that is neither echo nor an error") \
	X(IN_DROP_ICMP_QUOTE,	"in_drop_icmp_quote",	"ICMP error quoting a packet that is garbage or not ours") \
	X(IN_DROP_FRAG,		"in_drop_frag",		"inner IPv4 fragments refused by reassembly, datagrams timed out") \
	X(IN_DROP_UNMAPPED,	"in_drop_unmapped",	"port of the set with no NAT mapping (kernel, nft counter)") \
	X(OUT_PACKETS,		"out_packets",		"IPv4 packets read from the TUN") \
	X(OUT_ENCAPSULATED,	"out_encapsulated",	"IPv4 packets sent to the PRR") \
	X(OUT_FRAGMENTS,	"out_fragments",	"IPv4 fragments sent (packets over the softwire MTU without DF)") \
	X(OUT_DROP_MALFORMED,	"out_drop_malformed",	"IPv4 from the TUN truncated or malformed") \
	X(OUT_DROP_SRC,		"out_drop_src",		"source is not the shared address (not NATed)") \
	X(OUT_DROP_PORT,	"out_drop_port",	"source port or ICMP identifier outside the port set") \
	X(OUT_DROP_NO_PORT,	"out_drop_no_port",	"protocol without ports or identifier (cannot be routed back)") \
	X(OUT_DROP_TOO_BIG,	"out_drop_too_big",	"DF packet over the softwire MTU; ICMPv4 fragmentation needed sent") \
	X(PTB_RECEIVED,		"ptb_received",		"ICMPv6 packet too big received; softwire MTU lowered") \
	X(ICMP6_ERRORS,		"icmp6_errors",		"other ICMPv6 errors about our packets") \
	X(MTU_CHANGES,		"mtu_changes",		"times the TUN MTU was changed") \
	X(IN_MESH,		"in_mesh",		"inner IPv4 packets accepted straight from another CE (MAP-E FMR)") \
	X(OUT_MESH,		"out_mesh",		"IPv4 packets sent straight to another CE (MAP-E FMR), not to the PRR") \
	X(OUT_TSO,		"out_tso",		"TCP and UDP super-packets from the TUN (TSO, USO) cut into segments here; out_packets counts the segments") \
	X(IN_GRO,		"in_gro",		"TCP super-packets written to the TUN, consecutive segments from the softwire coalesced (GRO); in_delivered counts the segments") \
	X(TX_ERRORS,		"tx_errors",		"packets the kernel refused to send") \
	X(FTP_PORT_REFUSED,	"ftp_port_refused",	"FTP PORT/EPRT naming an address other than the client's own, refused")

enum smap_stat {
#define X(id, name, doc) SMAP_STAT_##id,
	SMAP_STATS(X)
#undef X
	SMAP_STAT_MAX
};

struct smap_stat_desc {
	const char *name;
	const char *doc;
};

extern const struct smap_stat_desc smap_stat_desc[SMAP_STAT_MAX];

struct smap_params {
	struct in6_addr prr;			/* softwire endpoint of the PRR */
	struct in6_addr peers[SMAP_MAX_PEERS];	/* other allowed outer sources */
	unsigned n_peers;
	uint32_t ipv4;				/* shared address, host order */
	struct portset ps;
	unsigned mtu;				/* IPv6 path MTU toward the PRR */
	/*
	 * MAP-E Forwarding Mapping Rules (RFC 7597 5.3): IPv4 destinations
	 * they cover go straight to the other CE's MAP address (mesh), and
	 * that CE's packets are accepted when its outer source is the one
	 * the rule computes for the inner source address and port.
	 */
	struct map_rule fmr[SMAP_MAX_FMR];
	unsigned n_fmr;
};

enum smap_verdict {
	SMAP_DROP = 0,		/* counted */
	SMAP_PASS,		/* send the packet as it is */
	SMAP_FRAGMENT,		/* outbound: too big, no DF: fragment to mtu - 40 */
	SMAP_ICMP,		/* outbound: too big with DF: write *reply to the TUN */
};

/*
 * Inbound: src is the outer IPv6 source, pkt the inner IPv4 packet (the
 * kernel took off the IPv6 header). A fragment must be reassembled by
 * the caller first (smap_inbound says SMAP_FRAGMENT for one).
 */
enum smap_verdict smap_inbound(const struct smap_params *, const struct in6_addr *src,
			       const uint8_t *pkt, size_t len, uint64_t *stats);

/*
 * Outbound: pkt is an IPv4 packet read from the TUN. For SMAP_ICMP, the
 * ICMPv4 fragmentation needed (next-hop MTU: mtu - 40) is built in
 * reply[0..*reply_len); reply_cap must be at least 576.
 */
enum smap_verdict smap_outbound(const struct smap_params *, const uint8_t *pkt, size_t len,
				uint8_t *reply, size_t reply_cap, size_t *reply_len,
				uint64_t *stats);

/* The TUN MTU for an IPv6 path MTU (never below 1280 - 40). */
unsigned smap_tun_mtu(unsigned path_mtu);
/* Whether src is the PRR or an allowed peer. */
bool smap_peer_ok(const struct smap_params *, const struct in6_addr *src);
/*
 * Where an outbound IPv4 packet (already checked by smap_outbound) is
 * tunnelled to: the CE an FMR computes for its destination address and
 * port, or the PRR. Fragments to a CE that shares its address go to the
 * PRR (the port is in the first fragment only; the PRR reassembles).
 * true when it goes to another CE (mesh).
 */
bool smap_next_hop(const struct smap_params *, const uint8_t *pkt, size_t len,
		   struct in6_addr *dst);

#endif
