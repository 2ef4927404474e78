/* SPDX-License-Identifier: MIT */
/*
 * Binding table: (shared IPv4 address, port) -> SMAP IPv6 address, and
 * SMAP IPv6 address -> its bindings.
 *
 * Build once, read from many threads: add every binding, then
 * btable_build() sorts and indexes; a built table is read-only and
 * lock-free. A change is made by building a new table and swapping.
 */
#ifndef AP_BINDING_H
#define AP_BINDING_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portset.h"

struct binding {
	struct in6_addr ipv6;	/* the SMAP's softwire address (B4) */
	uint32_t ipv4;		/* shared address, host byte order */
	struct portset ps;
	uint8_t br;		/* index of the PRR softwire address it uses */
};

struct btable;

struct btable *btable_new(size_t hint);
void btable_free(struct btable *);
/* Append a binding; -1 with a message if the port set is invalid. */
int btable_add(struct btable *, const struct binding *, char *err, size_t errlen);
/*
 * Sort and index. -1 with a message naming both bindings when two port
 * sets of one address overlap, or when one address mixes PSID sets of
 * different offset/length with each other or with ranges.
 */
int btable_build(struct btable *, char *err, size_t errlen);

/* The binding that owns (ipv4, port), or NULL. O(1) hash + short search. */
const struct binding *btable_lookup(const struct btable *, uint32_t ipv4, uint16_t port);
/*
 * The same for a burst of n packets: out[i] = btable_lookup(ipv4[i],
 * port[i]), with the memory loads of several packets overlapped.
 */
void btable_lookup_burst(const struct btable *, size_t n, const uint32_t *ipv4,
			 const uint16_t *port, const struct binding **out);
/* Whether any binding uses this IPv4 address. */
bool btable_has_ipv4(const struct btable *, uint32_t ipv4);
/*
 * After btable_build(), indexes (btable_at, first6/next6) follow
 * (ipv4, first port) order, not the order of btable_add().
 */
/* Bindings of one SMAP: index of the first, then btable_next6(); -1 ends. */
long btable_first6(const struct btable *, const struct in6_addr *);
long btable_next6(const struct btable *, long idx);

size_t btable_count(const struct btable *);
const struct binding *btable_at(const struct btable *, size_t idx);
/* Bytes of memory the table holds (for the 64-bytes-per-binding budget). */
size_t btable_memory(const struct btable *);

/* "2001:db8:1::2 192.0.2.1 10000-10999", for messages */
int binding_format(const struct binding *, char *buf, size_t len);

#endif
