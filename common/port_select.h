/* SPDX-License-Identifier: MIT */
/*
 * Which port of an IPv4 packet selects the binding of a shared address
 * (A+P, RFC 7596 / RFC 7597): the PRR's and the SMAP's data paths, and
 * the fast paths that mirror them, all ask this one function.
 *
 * A packet toward a shared address (PORT_TO_SHARED: the Internet to a
 * SMAP, or a hairpinned one) is selected by its destination's port; one
 * from a shared address (PORT_FROM_SHARED: a SMAP's packet, checked
 * against spoofing) by its source's port:
 *
 *                      TO_SHARED              FROM_SHARED
 *   TCP, UDP           destination port       source port
 *   ICMP echo          identifier             identifier
 *   ICMP error         the quoted packet's    the quoted packet's
 *                      source port            destination port
 *
 * The quoted packet of an error must have been sent by the shared
 * address (TO: quoted source = our destination) or to it (FROM: quoted
 * destination = our source).
 *
 * echo_port0 (the PRR's echo_request_lookup = "port-0"): an echo
 * request's destination port is 0, not its identifier, so requests go
 * to the owner of port 0; an echo reply's source port is then 0 too, so
 * the reply is checked against the binding the request was routed to.
 * The identifier stays the port on the other end (a request's source,
 * a reply's destination). Quoted echo packets follow the same rule.
 */
#ifndef AP_PORT_SELECT_H
#define AP_PORT_SELECT_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt.h"

enum port_dir {
	PORT_TO_SHARED = 0,	/* select by the destination's port */
	PORT_FROM_SHARED = 1,	/* select by the source's port */
};

enum port_sel {
	PORT_SEL_OK = 0,
	PORT_SEL_NO_PORT,	/* not TCP, UDP or ICMP: no port to select by */
	PORT_SEL_L4,		/* TCP/UDP/ICMP header short or malformed */
	PORT_SEL_ICMP_TYPE,	/* ICMP that is neither echo nor an error */
	PORT_SEL_ICMP_QUOTE,	/* ICMP error quoting garbage, a later fragment,
				   a packet without ports, or not the shared address's */
};

struct port_pair {
	uint16_t port;		/* selects the shared address's binding */
	uint16_t peer;		/* the other end's port */
};

/*
 * pkt is a whole IPv4 packet or first fragment, ip its parsed header
 * (ip->tot_len bytes present). A later fragment has no ports: the
 * caller must not ask (PORT_SEL_L4 if it does).
 */
enum port_sel port_select(const uint8_t *pkt, const struct ipv4_info *ip,
			  enum port_dir dir, bool echo_port0, struct port_pair *out);

/*
 * A packet sent toward a shared address as an error quotes it (the PRR's
 * tunnelled packet inside an ICMPv6 error from the access side): only
 * its IPv4 header and 8 bytes need be there. Its destination into *dst,
 * and the port that selects that binding, as port_select would choose it.
 */
enum port_sel port_select_sent(const uint8_t *q, size_t qlen, bool echo_port0, uint32_t *dst,
			       struct port_pair *out);

#endif
