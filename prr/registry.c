/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prr/registry.h"

static const char *const origin_names[] = { "config", "operator", "dynamic" };

const char *
reg_strerror(enum reg_result r)
{
	switch (r) {
	case REG_OK:		return "ok";
	case REG_OVERLAP:	return "the port set overlaps another SMAP's";
	case REG_UNKNOWN:	return "no such SMAP";
	case REG_EXHAUSTED:	return "no free port set left in the pool";
	case REG_INVALID:	return "invalid port set";
	case REG_NOMEM:		return "out of memory";
	}
	return "unknown";
}

void
registry_init(struct registry *r, const struct alloc_params *ap)
{
	memset(r, 0, sizeof(*r));
	if (ap)
		r->ap = *ap;
}

void
registry_free(struct registry *r)
{
	free(r->e);
	r->e = NULL;
	r->n = r->cap = 0;
}

static bool
active(const struct reg_entry *e)
{
	return e->held_until == 0;
}

static enum reg_result
append(struct registry *r, const struct reg_entry *e)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct reg_entry *n = realloc(r->e, cap * sizeof(*n));
		if (!n)
			return REG_NOMEM;
		r->e = n;
		r->cap = cap;
	}
	r->e[r->n++] = *e;
	return REG_OK;
}

static void
remove_at(struct registry *r, size_t i)
{
	r->e[i] = r->e[--r->n];
}

/* Another SMAP's set (active or held) that overlaps b, or -1. */
static long
overlapping(const struct registry *r, const struct binding *b)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct reg_entry *e = &r->e[i];
		if (e->b.ipv4 == b->ipv4 && memcmp(&e->b.ipv6, &b->ipv6, 16) != 0 &&
		    portset_overlap(&e->b.ps, &b->ps))
			return (long)i;
	}
	return -1;
}

enum reg_result
registry_add(struct registry *r, const struct reg_entry *e, char *err, size_t errlen)
{
	char msg[160];

	if (!portset_valid(&e->b.ps, msg, sizeof(msg))) {
		snprintf(err, errlen, "%s", msg);
		return REG_INVALID;
	}
	/* overlaps between active sets are found by registry_btable() */
	return append(r, e);
}

long
registry_find(const struct registry *r, const struct in6_addr *a)
{
	for (size_t i = 0; i < r->n; i++)
		if (active(&r->e[i]) && memcmp(&r->e[i].b.ipv6, a, 16) == 0)
			return (long)i;
	return -1;
}

static long
find_any(const struct registry *r, const struct in6_addr *a, uint8_t origin)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->e[i].origin == origin && memcmp(&r->e[i].b.ipv6, a, 16) == 0)
			return (long)i;
	return -1;
}

/* The k-th set of the pool, in order: address by address, low ports first. */
static bool
pool_slot(const struct alloc_params *ap, unsigned k, struct portset *ps, uint32_t *ipv4)
{
	unsigned per;

	if (ap->n_addrs == 0)
		return false;
	if (ap->psid) {
		per = 1u << ap->psid_len;
		if (k / per >= ap->n_addrs)
			return false;
		*ps = portset_psid(ap->offset, ap->psid_len, k % per);
	} else {
		if (ap->size == 0 || ap->first_port + ap->size > 65536)
			return false;
		per = (65536 - ap->first_port) / ap->size;
		if (k / per >= ap->n_addrs)
			return false;
		*ps = portset_range((uint16_t)(ap->first_port + (k % per) * ap->size),
				    (uint16_t)(ap->first_port + (k % per + 1) * ap->size - 1));
	}
	*ipv4 = ap->addrs[k / per];
	return true;
}

enum reg_result
registry_register(struct registry *r, const struct in6_addr *a, uint64_t now,
		  struct reg_entry *out, bool *isnew)
{
	struct reg_entry e;
	long i;

	*isnew = false;
	/* a static binding wins; then its own set, active or still held */
	if ((i = registry_find(r, a)) >= 0 && r->e[i].origin != REG_DYNAMIC) {
		*out = r->e[i];
		return REG_OK;
	}
	if ((i = find_any(r, a, REG_DYNAMIC)) >= 0) {
		r->e[i].held_until = 0;
		r->e[i].expires = now + r->ap.lifetime;
		*out = r->e[i];
		return REG_OK;
	}
	memset(&e, 0, sizeof(e));
	e.b.ipv6 = *a;
	e.origin = REG_DYNAMIC;
	e.expires = now + r->ap.lifetime;
	for (unsigned k = 0; pool_slot(&r->ap, k, &e.b.ps, &e.b.ipv4); k++) {
		if (overlapping(r, &e.b) >= 0)
			continue;
		if (append(r, &e) != REG_OK)
			return REG_NOMEM;
		*out = e;
		*isnew = true;
		return REG_OK;
	}
	return REG_EXHAUSTED;
}

enum reg_result
registry_assign(struct registry *r, const struct binding *b, uint64_t now,
		char *err, size_t errlen)
{
	struct reg_entry e;
	char msg[160], other[160];
	long i;

	(void)now;
	if (!portset_valid(&b->ps, msg, sizeof(msg))) {
		snprintf(err, errlen, "%s", msg);
		return REG_INVALID;
	}
	if ((i = overlapping(r, b)) >= 0) {
		binding_format(b, msg, sizeof(msg));
		binding_format(&r->e[i].b, other, sizeof(other));
		snprintf(err, errlen, "%s overlaps %s (%s)", msg, other,
			 active(&r->e[i]) ? origin_names[r->e[i].origin] : "held after release");
		return REG_OVERLAP;
	}
	/* the SMAP's previous sets go: one SMAP, one set, as the operator says */
	for (size_t j = 0; j < r->n;)
		if (memcmp(&r->e[j].b.ipv6, &b->ipv6, 16) == 0)
			remove_at(r, j);
		else
			j++;
	memset(&e, 0, sizeof(e));
	e.b = *b;
	e.origin = REG_OPERATOR;
	return append(r, &e);
}

enum reg_result
registry_release(struct registry *r, const struct in6_addr *a)
{
	bool found = false;

	for (size_t j = 0; j < r->n;)
		if (memcmp(&r->e[j].b.ipv6, a, 16) == 0) {
			remove_at(r, j);
			found = true;
		} else {
			j++;
		}
	return found ? REG_OK : REG_UNKNOWN;
}

unsigned
registry_expire(struct registry *r, uint64_t now,
		void (*fn)(void *, const struct reg_entry *, const char *), void *arg)
{
	unsigned changes = 0;

	for (size_t j = 0; j < r->n;) {
		struct reg_entry *e = &r->e[j];

		if (e->origin == REG_DYNAMIC && active(e) && e->expires && e->expires <= now) {
			/* keep the ports out of reach while old flows may be in flight */
			e->held_until = now + r->ap.hold_time;
			if (e->held_until == 0)
				e->held_until = 1;
			if (fn)
				fn(arg, e, "expire");
			changes++;
		}
		if (!active(e) && e->held_until <= now) {
			if (fn)
				fn(arg, e, "free");
			remove_at(r, j);
			changes++;
			continue;
		}
		j++;
	}
	return changes;
}

struct btable *
registry_btable(const struct registry *r, char *err, size_t errlen)
{
	struct btable *bt = btable_new(r->n);

	if (!bt) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < r->n; i++) {
		if (!active(&r->e[i]))
			continue;
		if (btable_add(bt, &r->e[i].b, err, errlen) < 0) {
			btable_free(bt);
			return NULL;
		}
	}
	if (btable_build(bt, err, errlen) < 0) {
		btable_free(bt);
		return NULL;
	}
	return bt;
}

int
reg_entry_format(const struct reg_entry *e, char *buf, size_t len)
{
	char a6[INET6_ADDRSTRLEN], a4[INET_ADDRSTRLEN], ps[64];
	uint32_t n = htonl(e->b.ipv4);

	inet_ntop(AF_INET6, &e->b.ipv6, a6, sizeof(a6));
	inet_ntop(AF_INET, &n, a4, sizeof(a4));
	portset_format(&e->b.ps, ps, sizeof(ps));
	return snprintf(buf, len, "%s\t%s\t%s\t%s\t%" PRIu64 "\t%" PRIu64 "\t%u", a6, a4, ps,
			origin_names[e->origin < 3 ? e->origin : 0], e->expires,
			e->held_until, e->b.br);
}

bool
reg_entry_parse(const char *line, struct reg_entry *e, char *err, size_t errlen)
{
	char buf[512], *f[8], *save = NULL, *tok;
	struct in_addr a4;
	int n = 0;
	unsigned br;

	snprintf(buf, sizeof(buf), "%s", line);
	buf[strcspn(buf, "\r\n")] = '\0';
	for (tok = strtok_r(buf, "\t", &save); tok && n < 8; tok = strtok_r(NULL, "\t", &save))
		f[n++] = tok;
	if (n != 7) {
		snprintf(err, errlen, "expected 7 tab-separated fields, found %d", n);
		return false;
	}
	memset(e, 0, sizeof(*e));
	if (inet_pton(AF_INET6, f[0], &e->b.ipv6) != 1) {
		snprintf(err, errlen, "bad IPv6 address '%s'", f[0]);
		return false;
	}
	if (inet_pton(AF_INET, f[1], &a4) != 1) {
		snprintf(err, errlen, "bad IPv4 address '%s'", f[1]);
		return false;
	}
	e->b.ipv4 = ntohl(a4.s_addr);
	if (!portset_parse(f[2], &e->b.ps, err, errlen))
		return false;
	for (n = 0; n < 3; n++)
		if (strcmp(f[3], origin_names[n]) == 0)
			break;
	if (n == 3) {
		snprintf(err, errlen, "bad origin '%s'", f[3]);
		return false;
	}
	e->origin = (uint8_t)n;
	errno = 0;
	e->expires = strtoull(f[4], NULL, 10);
	e->held_until = strtoull(f[5], NULL, 10);
	br = (unsigned)strtoul(f[6], NULL, 10);
	if (errno || br > 255) {
		snprintf(err, errlen, "bad number");
		return false;
	}
	e->b.br = (uint8_t)br;
	return true;
}
