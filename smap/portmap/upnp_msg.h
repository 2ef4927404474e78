/* SPDX-License-Identifier: MIT */
/*
 * The messages between the SMAP and its UPnP process (smap-upnp) over
 * their SOCK_SEQPACKET socketpair: one message per packet, each type of
 * one exact length. The child asks (a mapping added, deleted, looked up,
 * the i-th one, the status) and says (ready on these HTTP ports, its
 * counters); the SMAP answers every question with a reply of the same id.
 * Pure code: decoding checks every length, type and field, so the SMAP can
 * take packets from the child, which parses the LAN's HTTP and SOAP and is
 * therefore untrusted.
 *
 * Layout: type (1 byte), id (4), then the type's fields in network order.
 */
#ifndef SMAP_PORTMAP_UPNP_MSG_H
#define SMAP_PORTMAP_UPNP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smap/portmap/igd.h"
#include "smap/portmap/maptable.h"

#define UPNP_MSG_MAX	256	/* longer than any message: a receive buffer */

enum upnp_msg_type {
	/* child -> SMAP, answered by UPNP_MSG_R_MAP */
	UPNP_MSG_ADD = 1,	/* m (want), lifetime, exact */
	UPNP_MSG_DEL,		/* m.proto, m.ext_port */
	UPNP_MSG_AT,		/* index */
	UPNP_MSG_FIND_EXT,	/* m.proto, m.ext_port */
	UPNP_MSG_FIND_INT,	/* m.proto, m.int_addr, m.int_port */
	/* child -> SMAP, answered by UPNP_MSG_R_STATUS */
	UPNP_MSG_STATUS,
	/* child -> SMAP, no answer */
	UPNP_MSG_READY,		/* port4, port6: libupnp's HTTP ports */
	UPNP_MSG_STATS,		/* stats[] */
	/* SMAP -> child */
	UPNP_MSG_R_MAP,		/* result; m when found, added or deleted */
	UPNP_MSG_R_STATUS,	/* ext_addr, count */
	UPNP_MSG_TYPE_MAX,
};

struct upnp_msg {
	uint8_t type;		/* enum upnp_msg_type */
	uint32_t id;		/* a reply carries its question's */
	uint8_t result;		/* R_MAP: enum maptable_result; NOT_FOUND for a lookup miss */
	bool exact;		/* ADD */
	uint32_t lifetime;	/* ADD */
	uint32_t index;		/* AT */
	struct mapping m;	/* no nonce; host_mac only in R_MAP */
	uint32_t ext_addr;	/* R_STATUS: host order */
	uint32_t count;		/* R_STATUS: mappings in the table */
	uint16_t port4, port6;	/* READY */
	uint64_t stats[IGD_STAT_MAX];	/* STATS */
};

/* Its bytes into buf; the length, 0 when len is short or a field is out of range. */
size_t upnp_msg_encode(const struct upnp_msg *, uint8_t *buf, size_t len);
/* One packet; false unless its type, length and every field are valid. */
bool upnp_msg_decode(const uint8_t *buf, size_t len, struct upnp_msg *);
/* The type's name for logs ("add", ...); "?" when unknown. */
const char *upnp_msg_name(unsigned type);

#endif
