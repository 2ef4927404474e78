/* SPDX-License-Identifier: MIT */
/*
 * Conntrack entries in the text form of /proc/net/nf_conntrack (and of
 * `conntrack -L`, which lacks the leading "ipv4 2"). Pure parsing: the
 * caller owns the I/O, so snapshot files, the live /proc file and the
 * tests share one parser.
 */
#ifndef AP_CONNTRACK_TEXT_H
#define AP_CONNTRACK_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * One IPv4 conntrack entry: the original tuple (as the LAN host sent it)
 * and the reply tuple (as the Internet answers, so after NAT its
 * destination is the external address and port). ICMP echo identifiers
 * are treated as ports: both port fields of a direction hold its id.
 */
struct ct_entry {
	uint8_t proto;			/* IPPROTO_* */
	uint32_t osrc, odst;		/* original tuple, host byte order */
	uint16_t osport, odport;
	uint32_t rsrc, rdst;		/* reply tuple, host byte order */
	uint16_t rsport, rdport;
};

/*
 * Parses one line (no need for a terminating NUL within len).
 * Returns 1 for an IPv4 entry, 0 for a line that is valid but not
 * counted (IPv6, blank), -1 for a malformed line.
 */
int ct_parse_line(const char *line, size_t len, struct ct_entry *out);

struct ct_read_stats {
	size_t lines;		/* lines read */
	size_t ipv4;		/* IPv4 entries handed to the callback */
	size_t skipped;		/* IPv6 and blank lines */
	size_t malformed;
};

typedef void (*ct_entry_fn)(void *arg, const struct ct_entry *);

/* Reads every line of f; -1 with errno on a read error. */
int ct_read_stream(FILE *f, ct_entry_fn fn, void *arg, struct ct_read_stats *st);

/* "192.0.2.1" from a host-order address; buf needs 16 bytes */
const char *ct_ntoa(uint32_t addr, char *buf);
/* Parses a dotted quad strictly ("1.2.3.4") into host order. */
bool ct_aton(const char *s, size_t len, uint32_t *out);

#endif
