/* SPDX-License-Identifier: MIT */
/*
 * The SMAP's mapping table (maptable.h): a sorted array of mappings in
 * (ext_port, proto) order, so that the held-port test is a binary search
 * and the listing order comes free. Tables are small (a port set is a
 * few thousand ports at most), so insertion by memmove is fine.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smap/portmap/maptable.h"

struct maptable {
	struct portset ps;
	unsigned capacity, quota;
	unsigned share;		/* percent of the set mappings may hold */
	unsigned n;
	struct mapping *m;
};

struct maptable *
maptable_new(const struct portset *ps, unsigned capacity, unsigned per_host_quota)
{
	struct maptable *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->m = calloc(capacity ? capacity : 1, sizeof(*t->m));
	if (!t->m) {
		free(t);
		return NULL;
	}
	t->ps = *ps;
	t->capacity = capacity;
	t->quota = per_host_quota;
	t->share = 100;
	return t;
}

void
maptable_set_share(struct maptable *t, unsigned percent)
{
	t->share = percent > 100 ? 100 : percent;
}

/*
 * Room for one more mapping of proto: under the capacity, and the ports
 * held for each protocol it takes (0 takes both) stay within the share
 * of the set.
 */
static bool
has_room(const struct maptable *t, uint8_t proto)
{
	uint64_t limit = (uint64_t)portset_size(&t->ps) * t->share;
	uint64_t tcp = 0, udp = 0;

	if (t->n >= t->capacity)
		return false;
	for (unsigned i = 0; i < t->n; i++) {
		tcp += t->m[i].proto != IPPROTO_UDP;
		udp += t->m[i].proto != IPPROTO_TCP;
	}
	if (proto != IPPROTO_UDP && (tcp + 1) * 100 > limit)
		return false;
	return proto == IPPROTO_TCP || (udp + 1) * 100 <= limit;
}

void
maptable_free(struct maptable *t)
{
	if (!t)
		return;
	free(t->m);
	free(t);
}

const struct portset *
maptable_portset(const struct maptable *t)
{
	return &t->ps;
}

static int
key_cmp(uint16_t port_a, uint8_t proto_a, uint16_t port_b, uint8_t proto_b)
{
	if (port_a != port_b)
		return port_a < port_b ? -1 : 1;
	if (proto_a != proto_b)
		return proto_a < proto_b ? -1 : 1;
	return 0;
}

/* Index of the first mapping with key >= (port, proto). */
static unsigned
lower_bound(const struct maptable *t, uint16_t port, uint8_t proto)
{
	unsigned lo = 0, hi = t->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (key_cmp(t->m[mid].ext_port, t->m[mid].proto, port, proto) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
insert(struct maptable *t, const struct mapping *m)
{
	unsigned i = lower_bound(t, m->ext_port, m->proto);

	memmove(&t->m[i + 1], &t->m[i], (t->n - i) * sizeof(*t->m));
	t->m[i] = *m;
	t->n++;
}

static void
remove_at(struct maptable *t, unsigned i)
{
	memmove(&t->m[i], &t->m[i + 1], (t->n - i - 1) * sizeof(*t->m));
	t->n--;
}

const struct mapping *
maptable_find_ext(const struct maptable *t, uint8_t proto, uint16_t ext_port)
{
	unsigned i = lower_bound(t, ext_port, proto);

	if (i < t->n && t->m[i].ext_port == ext_port && t->m[i].proto == proto)
		return &t->m[i];
	return NULL;
}

const struct mapping *
maptable_find_int(const struct maptable *t, uint8_t proto, uint32_t int_addr,
		  uint16_t int_port)
{
	for (unsigned i = 0; i < t->n; i++) {
		const struct mapping *m = &t->m[i];

		if (m->proto == proto && m->int_addr == int_addr && m->int_port == int_port)
			return m;
	}
	return NULL;
}

bool
maptable_port_held(const struct maptable *t, uint8_t proto, uint16_t ext_port)
{
	/* every mapping of this port sits from lower_bound(port, 0) on */
	for (unsigned i = lower_bound(t, ext_port, 0);
	     i < t->n && t->m[i].ext_port == ext_port; i++)
		if (proto == 0 || t->m[i].proto == 0 || t->m[i].proto == proto)
			return true;
	return false;
}

unsigned
maptable_count(const struct maptable *t)
{
	return t->n;
}

const struct mapping *
maptable_at(const struct maptable *t, unsigned i)
{
	return i < t->n ? &t->m[i] : NULL;
}

static bool
mac_known(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return memcmp(mac, zero, 6) != 0;
}

/* The mappings held by the host that asks for want (same MAC, or same address). */
static unsigned
host_count_of(const struct maptable *t, const struct mapping *want)
{
	unsigned c = 0;

	for (unsigned i = 0; i < t->n; i++) {
		const struct mapping *m = &t->m[i];

		if (m->int_addr == want->int_addr ||
		    (mac_known(want->host_mac) && memcmp(m->host_mac, want->host_mac, 6) == 0))
			c++;
	}
	return c;
}

unsigned
maptable_host_count(const struct maptable *t, uint32_t int_addr)
{
	unsigned c = 0;

	for (unsigned i = 0; i < t->n; i++)
		if (t->m[i].int_addr == int_addr)
			c++;
	return c;
}

static bool
port_free(const struct maptable *t, uint8_t proto, uint16_t port)
{
	return portset_contains(&t->ps, port) && !maptable_port_held(t, proto, port);
}

/* The free port of the set nearest at or above `from`, wrapping; -1: none. */
static int
nearest_free(const struct maptable *t, uint8_t proto, uint16_t from)
{
	int p = portset_next(&t->ps, from);

	for (; p >= 0; p = portset_next(&t->ps, (uint32_t)p + 1)) {
		if (!maptable_port_held(t, proto, (uint16_t)p))
			return p;
	}
	/* wrap: from the bottom of the set up to where we started */
	for (p = portset_next(&t->ps, 0); p >= 0 && p < from;
	     p = portset_next(&t->ps, (uint32_t)p + 1)) {
		if (!maptable_port_held(t, proto, (uint16_t)p))
			return p;
	}
	return -1;
}

static bool
want_valid(const struct mapping *w)
{
	if (w->proto != 0 && w->proto != 6 && w->proto != 17)
		return false;
	if (w->origin > MAP_ORIGIN_UPNP || w->int_addr == 0)
		return false;
	/* TCP and UDP forward to a port; "all protocols" may keep the port */
	if (w->proto != 0 && w->int_port == 0)
		return false;
	return true;
}

static void
copy_desc(char *dst, const char *src)
{
	size_t i;

	for (i = 0; i < MAPTABLE_DESC_MAX && src[i]; i++)
		dst[i] = isprint((unsigned char)src[i]) ? src[i] : '?';
	dst[i] = '\0';
}

static void
refresh(struct mapping *m, const struct mapping *want, uint32_t lifetime,
	bool never_expires, uint64_t now)
{
	m->lifetime = lifetime;
	m->expires = never_expires ? 0 : now + lifetime;
	m->enabled = want->enabled;
	m->remote_addr = want->remote_addr;
	m->remote_port = want->remote_port;
	copy_desc(m->desc, want->desc);
	if (mac_known(want->host_mac))
		memcpy(m->host_mac, want->host_mac, sizeof(m->host_mac));
}

enum maptable_result
maptable_add(struct maptable *t, const struct mapping *want, uint32_t lifetime,
	     bool never_expires, bool exact, uint64_t now, struct mapping *out)
{
	struct mapping *cur;
	struct mapping m;
	int port;

	if (!want_valid(want))
		return MAPTABLE_INVALID;
	cur = (struct mapping *)maptable_find_int(t, want->proto, want->int_addr,
						  want->int_port);
	if (cur) {
		if (want->origin == MAP_ORIGIN_PCP && cur->origin == MAP_ORIGIN_PCP &&
		    memcmp(cur->nonce, want->nonce, MAPTABLE_NONCE_LEN) != 0)
			return MAPTABLE_NONCE;
		refresh(cur, want, lifetime, never_expires, now);
		if (out)
			*out = *cur;
		return MAPTABLE_RENEWED;
	}
	if (t->quota && host_count_of(t, want) >= t->quota)
		return MAPTABLE_QUOTA;
	if (want->ext_port && port_free(t, want->proto, want->ext_port)) {
		port = want->ext_port;
	} else if (exact && want->ext_port) {
		if (!portset_contains(&t->ps, want->ext_port))
			return MAPTABLE_OUTSIDE;
		return MAPTABLE_TAKEN;
	} else {
		port = nearest_free(t, want->proto, want->ext_port);
		if (port < 0)
			return MAPTABLE_FULL;
	}
	if (!has_room(t, want->proto))
		return MAPTABLE_FULL;
	m = *want;
	m.ext_port = (uint16_t)port;
	refresh(&m, want, lifetime, never_expires, now);
	insert(t, &m);
	if (out)
		*out = m;
	return MAPTABLE_OK;
}

enum maptable_result
maptable_restore(struct maptable *t, const struct mapping *m)
{
	struct mapping c = *m;

	if (!want_valid(m) || m->ext_port == 0)
		return MAPTABLE_INVALID;
	if (!portset_contains(&t->ps, m->ext_port))
		return MAPTABLE_OUTSIDE;
	if (maptable_port_held(t, m->proto, m->ext_port) ||
	    maptable_find_int(t, m->proto, m->int_addr, m->int_port))
		return MAPTABLE_TAKEN;
	if (t->quota && host_count_of(t, m) >= t->quota)
		return MAPTABLE_QUOTA;
	if (!has_room(t, m->proto))
		return MAPTABLE_FULL;
	copy_desc(c.desc, m->desc);
	insert(t, &c);
	return MAPTABLE_OK;
}

enum maptable_result
maptable_del(struct maptable *t, uint8_t proto, uint16_t ext_port,
	     const uint8_t *nonce, struct mapping *out)
{
	unsigned i = lower_bound(t, ext_port, proto);

	if (i >= t->n || t->m[i].ext_port != ext_port || t->m[i].proto != proto)
		return MAPTABLE_NOT_FOUND;
	if (nonce && memcmp(t->m[i].nonce, nonce, MAPTABLE_NONCE_LEN) != 0)
		return MAPTABLE_NONCE;
	if (out)
		*out = t->m[i];
	remove_at(t, i);
	return MAPTABLE_OK;
}

unsigned
maptable_expire(struct maptable *t, uint64_t now,
		void (*fn)(void *arg, const struct mapping *), void *arg)
{
	unsigned gone = 0;

	for (unsigned i = 0; i < t->n;) {
		if (t->m[i].expires != 0 && t->m[i].expires <= now) {
			struct mapping m = t->m[i];

			remove_at(t, i);
			if (fn)
				fn(arg, &m);
			gone++;
		} else {
			i++;
		}
	}
	return gone;
}

void
maptable_set_portset(struct maptable *t, const struct portset *ps,
		     void (*fn)(void *arg, const struct mapping *), void *arg)
{
	t->ps = *ps;
	for (unsigned i = 0; i < t->n;) {
		if (!portset_contains(ps, t->m[i].ext_port)) {
			struct mapping m = t->m[i];

			remove_at(t, i);
			if (fn)
				fn(arg, &m);
		} else {
			i++;
		}
	}
}

struct runs {
	const struct maptable *t;
	void (*fn)(void *arg, uint16_t lo, uint16_t hi);
	void *arg;
	unsigned n;
};

/* Split one block of the set around the held ports inside it. */
static void
block_runs(void *arg, uint16_t lo, uint16_t hi)
{
	struct runs *r = arg;
	uint32_t start = lo;
	unsigned i = lower_bound(r->t, lo, 0);

	for (; i < r->t->n && r->t->m[i].ext_port <= hi; i++) {
		uint16_t p = r->t->m[i].ext_port;

		if (p > start) {
			r->fn(r->arg, (uint16_t)start, (uint16_t)(p - 1));
			r->n++;
		}
		if ((uint32_t)p + 1 > start)
			start = (uint32_t)p + 1;
	}
	if (start <= hi) {
		r->fn(r->arg, (uint16_t)start, hi);
		r->n++;
	}
}

unsigned
maptable_free_runs(const struct maptable *t,
		   void (*fn)(void *arg, uint16_t lo, uint16_t hi), void *arg)
{
	struct runs r = { .t = t, .fn = fn, .arg = arg };

	portset_blocks(&t->ps, block_runs, &r);
	return r.n;
}

/*
 * Persistence. One line, space-separated, the description last (it may
 * hold spaces; it never holds a newline, being printable):
 *   tcp pcp 10000 192.168.1.10 8080 1 0.0.0.0 0 3600 1790000000 <24 hex> web
 */
const char *
map_proto_name(uint8_t p)
{
	return p == 6 ? "tcp" : p == 17 ? "udp" : "all";
}

static bool
proto_parse(const char *s, uint8_t *p)
{
	if (!strcmp(s, "tcp"))
		*p = 6;
	else if (!strcmp(s, "udp"))
		*p = 17;
	else if (!strcmp(s, "all"))
		*p = 0;
	else
		return false;
	return true;
}

const char *
map_origin_name(enum map_origin o)
{
	switch (o) {
	case MAP_ORIGIN_PCP:
		return "pcp";
	case MAP_ORIGIN_NATPMP:
		return "natpmp";
	case MAP_ORIGIN_UPNP:
		return "upnp";
	}
	return "?";
}

static bool
origin_parse(const char *s, uint8_t *o)
{
	for (unsigned i = 0; i <= MAP_ORIGIN_UPNP; i++) {
		if (!strcmp(s, map_origin_name(i))) {
			*o = (uint8_t)i;
			return true;
		}
	}
	return false;
}

const char *
map_ip4_str(uint32_t a, char *buf)
{
	uint32_t n = htonl(a);

	return inet_ntop(AF_INET, &n, buf, INET_ADDRSTRLEN);
}

int
maptable_format_line(const struct mapping *m, char *buf, size_t len)
{
	char ia[INET_ADDRSTRLEN], ra[INET_ADDRSTRLEN], nonce[2 * MAPTABLE_NONCE_LEN + 1];

	map_ip4_str(m->int_addr, ia);
	map_ip4_str(m->remote_addr, ra);
	for (unsigned i = 0; i < MAPTABLE_NONCE_LEN; i++)
		snprintf(nonce + 2 * i, 3, "%02x", m->nonce[i]);
	return snprintf(buf, len, "%s %s %u %s %u %d %s %u %" PRIu32 " %" PRIu64 " %s %s",
			map_proto_name(m->proto), map_origin_name(m->origin), m->ext_port,
			ia, m->int_port, m->enabled ? 1 : 0, ra, m->remote_port,
			m->lifetime, m->expires, nonce, m->desc);
}

/* Next space-separated token of *p into tok (at most cap - 1 bytes). */
static bool
next_tok(const char **p, char *tok, size_t cap)
{
	const char *s = *p;
	size_t n = 0;

	while (*s && *s != ' ') {
		if (n + 1 >= cap)
			return false;
		tok[n++] = *s++;
	}
	tok[n] = '\0';
	if (n == 0)
		return false;
	if (*s == ' ')
		s++;
	*p = s;
	return true;
}

static bool
num_parse(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return *end == '\0' && errno == 0 && *v <= max;
}

static bool
addr_parse(const char *s, uint32_t *a)
{
	struct in_addr in;

	if (inet_pton(AF_INET, s, &in) != 1)
		return false;
	*a = ntohl(in.s_addr);
	return true;
}

static bool
nonce_parse(const char *s, uint8_t *nonce)
{
	if (strlen(s) != 2 * MAPTABLE_NONCE_LEN)
		return false;
	for (unsigned i = 0; i < MAPTABLE_NONCE_LEN; i++) {
		unsigned v;

		if (!isxdigit((unsigned char)s[2 * i]) || !isxdigit((unsigned char)s[2 * i + 1]) ||
		    sscanf(s + 2 * i, "%2x", &v) != 1)
			return false;
		nonce[i] = (uint8_t)v;
	}
	return true;
}

bool
maptable_parse_line(const char *line, struct mapping *out)
{
	struct mapping m = { 0 };
	char tok[64];
	const char *p = line;
	uint64_t v;

	if (!next_tok(&p, tok, sizeof(tok)) || !proto_parse(tok, &m.proto))
		return false;
	if (!next_tok(&p, tok, sizeof(tok)) || !origin_parse(tok, &m.origin))
		return false;
	if (!next_tok(&p, tok, sizeof(tok)) || !num_parse(tok, 65535, &v) || v == 0)
		return false;
	m.ext_port = (uint16_t)v;
	if (!next_tok(&p, tok, sizeof(tok)) || !addr_parse(tok, &m.int_addr))
		return false;
	if (!next_tok(&p, tok, sizeof(tok)) || !num_parse(tok, 65535, &v))
		return false;
	m.int_port = (uint16_t)v;
	if (!next_tok(&p, tok, sizeof(tok)) || !num_parse(tok, 1, &v))
		return false;
	m.enabled = v == 1;
	if (!next_tok(&p, tok, sizeof(tok)) || !addr_parse(tok, &m.remote_addr))
		return false;
	if (!next_tok(&p, tok, sizeof(tok)) || !num_parse(tok, 65535, &v))
		return false;
	m.remote_port = (uint16_t)v;
	if (!next_tok(&p, tok, sizeof(tok)) || !num_parse(tok, UINT32_MAX, &v))
		return false;
	m.lifetime = (uint32_t)v;
	if (!next_tok(&p, tok, sizeof(tok)) || !num_parse(tok, UINT64_MAX, &v))
		return false;
	m.expires = v;
	if (!next_tok(&p, tok, sizeof(tok)) || !nonce_parse(tok, m.nonce))
		return false;
	if (strlen(p) > MAPTABLE_DESC_MAX)
		return false;
	for (const char *c = p; *c; c++)
		if (!isprint((unsigned char)*c))
			return false;
	strcpy(m.desc, p);
	if (!want_valid(&m))
		return false;
	*out = m;
	return true;
}

const char *
maptable_result_name(enum maptable_result r)
{
	switch (r) {
	case MAPTABLE_OK:
		return "ok";
	case MAPTABLE_RENEWED:
		return "renewed";
	case MAPTABLE_OUTSIDE:
		return "outside the port set";
	case MAPTABLE_TAKEN:
		return "port taken";
	case MAPTABLE_FULL:
		return "no free port";
	case MAPTABLE_QUOTA:
		return "host quota reached";
	case MAPTABLE_NONCE:
		return "nonce mismatch";
	case MAPTABLE_NOT_FOUND:
		return "no such mapping";
	case MAPTABLE_INVALID:
		return "invalid";
	case MAPTABLE_IO_ERROR:
		return "nftables or state file error";
	}
	return "?";
}
