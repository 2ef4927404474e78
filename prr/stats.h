/* SPDX-License-Identifier: MIT */
/*
 * PRR counters: every drop has a name. One table, shown by `prrctl stats`
 * and exported to Prometheus. The workers count the data path; the main
 * thread counts registrations (PCP_*) in struct prr's own array.
 */
#ifndef PRR_STATS_H
#define PRR_STATS_H

#include <stdint.h>

/* X(id, name, doc) */
#define PRR_STATS(X)								\
	X(IN4_PACKETS,		"in4_packets",		"IPv4 packets from the Internet side") \
	X(IN4_ENCAPSULATED,	"in4_encapsulated",	"IPv4 packets sent encapsulated to a SMAP") \
	X(IN4_FRAGMENTS,	"in4_fragments",	"IPv4 fragments received for reassembly") \
	X(IN4_REASSEMBLED,	"in4_reassembled",	"IPv4 datagrams reassembled") \
	X(IN4_DROP_MALFORMED,	"in4_drop_malformed",	"IPv4 header truncated, wrong version, IHL < 5, bad length or checksum") \
	X(IN4_DROP_L4,		"in4_drop_l4",		"TCP/UDP/ICMP header missing or malformed") \
	X(IN4_DROP_NO_PORT,	"in4_drop_no_port",	"protocol without ports or identifier (not TCP, UDP, ICMP)") \
	X(IN4_DROP_UNBOUND,	"in4_drop_unbound",	"no binding for the destination address and port") \
	X(IN4_DROP_TTL,		"in4_drop_ttl",		"TTL expired (time exceeded sent if enabled)") \
	X(IN4_DROP_ICMP_POLICY,	"in4_drop_icmp_policy",	"incoming ICMPv4 refused by configuration") \
	X(IN4_DROP_ICMP_QUOTE,	"in4_drop_icmp_quote",	"ICMPv4 error quoting a packet that is garbage or not ours") \
	X(IN4_DROP_ICMP_TYPE,	"in4_drop_icmp_type",	"ICMPv4 type that is neither echo nor error") \
	X(IN4_DROP_FRAG,	"in4_drop_frag",	"IPv4 fragment refused by reassembly (malformed, overlap, too many, memory)") \
	X(IN4_DROP_TOO_BIG,	"in4_drop_too_big",	"DF packet larger than the softwire MTU (fragmentation needed sent if enabled)") \
	X(IN4_RULE,		"in4_rule_mapped",	"IPv4 packets whose SMAP a MAP-E rule computed (no explicit binding)") \
	X(IN6_PACKETS,		"in6_packets",		"IPv6 packets from the SMAP side") \
	X(IN6_DECAPSULATED,	"in6_decapsulated",	"IPv4 packets decapsulated and sent to the Internet") \
	X(IN6_HAIRPINNED,	"in6_hairpinned",	"IPv4 packets sent from one SMAP straight to another") \
	X(IN6_FRAGMENTS,	"in6_fragments",	"IPv6 fragments received for reassembly") \
	X(IN6_REASSEMBLED,	"in6_reassembled",	"IPv6 datagrams reassembled") \
	X(IN6_PTB,		"in6_packet_too_big",	"ICMPv6 packet too big received; SMAP path MTU lowered") \
	X(IN6_ICMP_TRANSLATED,	"in6_icmp_translated",	"ICMPv6 errors from the access network relayed as ICMPv4") \
	X(IN6_RULE,		"in6_rule_checked",	"IPv4-in-IPv6 packets whose source a MAP-E rule checked (no explicit binding)") \
	X(IN6_DROP_MALFORMED,	"in6_drop_malformed",	"IPv6 header truncated, wrong version, bad length or extension headers") \
	X(IN6_DROP_NOT_BR,	"in6_drop_not_br",	"destination is not a softwire address of this PRR") \
	X(IN6_DROP_NOT_IPIP,	"in6_drop_not_ipip",	"not IPv4-in-IPv6 (next header 4) nor a handled ICMPv6") \
	X(IN6_DROP_ICMP,	"in6_drop_icmp",	"ICMPv6 refused by configuration, or quoting garbage") \
	X(IN6_DROP_ICMP_UNMATCHED, "in6_drop_icmp_unmatched", "ICMPv6 error quoting a packet the PRR did not send that SMAP, or a SMAP telling of another's") \
	X(IN6_DROP_FRAG,	"in6_drop_frag",	"IPv6 or inner IPv4 fragment refused by reassembly") \
	X(IN6_DROP_INNER_MALFORMED, "in6_drop_inner_malformed", "inner IPv4 packet malformed") \
	X(IN6_DROP_L4,		"in6_drop_l4",		"inner TCP/UDP/ICMP header missing or malformed") \
	X(IN6_DROP_NO_PORT,	"in6_drop_no_port",	"inner protocol without ports or identifier") \
	X(IN6_DROP_SPOOFED,	"in6_drop_spoofed",	"SMAP does not own the inner source address and port") \
	X(IN6_DROP_HAIRPIN,	"in6_drop_hairpin",	"hairpinned packet with no binding for its destination") \
	X(IN6_DROP_TTL,		"in6_drop_ttl",		"hairpinned packet whose TTL expired") \
	X(IN6_DROP_TOO_BIG,	"in6_drop_too_big",	"DF packet larger than the IPv4-side MTU") \
	X(OUT_FRAG4,		"out_ipv4_fragments",	"IPv4 fragments sent (packets over the IPv4-side MTU)") \
	X(OUT_FRAG6,		"out_ipv6_fragments",	"IPv6 fragments sent (packets over a SMAP's path MTU)") \
	X(ICMP4_SENT,		"icmp4_sent",		"ICMPv4 errors generated") \
	X(ICMP6_SENT,		"icmp6_sent",		"ICMPv6 errors generated") \
	X(ICMP_RATELIMITED,	"icmp_ratelimited",	"ICMP errors not sent because of the rate limit") \
	X(ICMP_RELAY_RATELIMITED, "icmp_relay_ratelimited", "ICMPv6 errors not relayed as ICMPv4 because of their own rate limit") \
	X(TX_ERRORS,		"tx_errors",		"packets the kernel refused to send") \
	X(PCP_REQUESTS,		"pcp_requests",		"registration requests (PCP) received") \
	X(PCP_RATELIMITED,	"pcp_drop_ratelimited",	"registration requests over the per-address or per-prefix rate limit") \
	X(PCP_REFUSED_NONCE,	"pcp_refused_nonce",	"renewals or deletes with another nonce than the registration's (NOT_AUTHORIZED)") \
	X(PCP_REFUSED_LIMIT,	"pcp_refused_limit",	"registrations over a subscriber's or authorized prefix's limit (USER_EX_QUOTA)") \
	X(PCP_REFUSED_POOL,	"pcp_refused_pool",	"registrations refused for want of a free set (NO_RESOURCES)") \
	X(PCP_RULE_ANSWERS,	"pcp_rule_answers",	"registration answers carrying MAP-E rules") \
	X(PCP_RULES_SENT,	"pcp_rules_sent",	"MAP-E rules (MAP_RULE options) sent in them") \
	X(PCP_RULES_DROPPED,	"pcp_rules_dropped",	"MAP-E rules left out to keep an answer in 1100 bytes")

enum prr_stat {
#define X(id, name, doc) PRR_STAT_##id,
	PRR_STATS(X)
#undef X
	PRR_STAT_MAX
};

struct prr_stat_desc {
	const char *name;
	const char *doc;
};

extern const struct prr_stat_desc prr_stat_desc[PRR_STAT_MAX];

#endif
