/* SPDX-License-Identifier: MIT */
/*
 * Counting one sample. Every counted flow becomes one 64-bit record
 *
 *   proto(8) | external address index(16) | external port(16)
 *     | host index(16) | class(8)
 *
 * and the records are radix-sorted once per sample. One scan of the
 * sorted array then yields every distinct count at once: tuples, tuples
 * per class, per host and per host and class. This beats four hash sets
 * on a million entries because it only ever walks memory in order.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "survey/survey.h"

/* open addressing map from an IPv4 address to a small index */
struct addrmap {
	uint32_t *keys;
	uint32_t *vals;		/* index + 1; 0 = empty slot */
	size_t cap, n;
};

/* a flow not from the LAN: counted at the end if its source turns out
 * to be an address the LAN is NATed to (the gateway's own flows) */
struct stashed {
	uint32_t src, ext;
	uint16_t port;
	uint8_t proto, cls;
};

struct survey_acc_priv {
	uint64_t *rec, *tmp;
	size_t nrec, reccap, tmpcap;
	struct addrmap hostmap, extmap;
	struct survey_host *host;	/* by host index */
	size_t nhost, hostcap;
	uint32_t *extaddr;		/* by external index */
	uint8_t *natted;		/* a LAN source was mapped to it */
	size_t next, extcap;
	struct stashed *stash;
	size_t nstash, stashcap;
	uint32_t entries, flows;
	uint32_t last_ext, last_ext_idx;	/* most samples see one address */
	bool have_last_ext;
	bool oom;
};

static size_t
hash32(uint32_t k, size_t cap)
{
	return (size_t)((k * 2654435761u) & (cap - 1));
}

static bool
grow(void *pp, size_t *cap, size_t need, size_t size)
{
	void **p = pp;
	size_t ncap = *cap ? *cap : 64;
	void *np;

	if (need <= *cap)
		return true;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, ncap * size);
	if (np == NULL)
		return false;
	*p = np;
	*cap = ncap;
	return true;
}

/* the value for key, or 0 */
static uint32_t
addrmap_get(const struct addrmap *m, uint32_t key)
{
	size_t i;

	if (m->cap == 0)
		return 0;
	for (i = hash32(key, m->cap); m->vals[i] != 0; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			return m->vals[i];
	return 0;
}

static bool
addrmap_put(struct addrmap *m, uint32_t key, uint32_t val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct addrmap nm = { 0 };
		size_t j;

		nm.cap = m->cap ? m->cap * 2 : 256;
		nm.keys = malloc(nm.cap * sizeof(*nm.keys));
		nm.vals = calloc(nm.cap, sizeof(*nm.vals));
		if (nm.keys == NULL || nm.vals == NULL) {
			free(nm.keys);
			free(nm.vals);
			return false;
		}
		for (j = 0; j < m->cap; j++)
			if (m->vals[j] != 0)
				addrmap_put(&nm, m->keys[j], m->vals[j]);
		free(m->keys);
		free(m->vals);
		*m = nm;
	}
	for (i = hash32(key, m->cap); m->vals[i] != 0; i = (i + 1) & (m->cap - 1))
		;
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return true;
}

static void
addrmap_clear(struct addrmap *m)
{
	if (m->cap)
		memset(m->vals, 0, m->cap * sizeof(*m->vals));
	m->n = 0;
}

int
survey_acc_init(struct survey_acc *acc, const struct survey_conf *conf)
{
	acc->conf = conf;
	acc->priv = calloc(1, sizeof(*acc->priv));
	if (acc->priv == NULL)
		return -1;
	return 0;
}

void
survey_acc_free(struct survey_acc *acc)
{
	struct survey_acc_priv *p = acc->priv;

	if (p == NULL)
		return;
	free(p->rec);
	free(p->tmp);
	free(p->hostmap.keys);
	free(p->hostmap.vals);
	free(p->extmap.keys);
	free(p->extmap.vals);
	free(p->host);
	free(p->extaddr);
	free(p->natted);
	free(p->stash);
	free(p);
	acc->priv = NULL;
}

void
survey_acc_begin(struct survey_acc *acc)
{
	struct survey_acc_priv *p = acc->priv;

	p->nrec = p->nhost = p->next = p->nstash = 0;
	p->entries = p->flows = 0;
	p->have_last_ext = false;
	p->oom = false;
	addrmap_clear(&p->hostmap);
	addrmap_clear(&p->extmap);
}

static uint32_t
host_index(struct survey_acc_priv *p, uint32_t addr)
{
	uint32_t v = addrmap_get(&p->hostmap, addr);

	if (v != 0)
		return v - 1;
	/* beyond 2^16 hosts the last slot is shared: better than failing */
	if (p->nhost == SURVEY_MAX_HOSTS + 1)
		return SURVEY_MAX_HOSTS;
	if (!grow(&p->host, &p->hostcap, p->nhost + 1, sizeof(*p->host)) ||
	    !addrmap_put(&p->hostmap, addr, (uint32_t)p->nhost + 1)) {
		p->oom = true;
		return 0;
	}
	memset(&p->host[p->nhost], 0, sizeof(*p->host));
	p->host[p->nhost].addr = addr;
	return (uint32_t)p->nhost++;
}

static uint32_t
ext_index(struct survey_acc_priv *p, uint32_t addr)
{
	uint32_t v;

	if (p->have_last_ext && p->last_ext == addr)
		return p->last_ext_idx;
	v = addrmap_get(&p->extmap, addr);
	if (v == 0) {
		if (p->next == 65536)
			return 65535;
		if (!grow(&p->extaddr, &p->extcap, p->next + 1, sizeof(uint32_t)) ||
		    !(p->natted = realloc(p->natted, p->extcap)) ||
		    !addrmap_put(&p->extmap, addr, (uint32_t)p->next + 1)) {
			p->oom = true;
			return 0;
		}
		p->extaddr[p->next] = addr;
		p->natted[p->next] = 0;
		v = (uint32_t)++p->next;
	}
	p->have_last_ext = true;
	p->last_ext = addr;
	p->last_ext_idx = v - 1;
	return v - 1;
}

static void
count(struct survey_acc_priv *p, uint32_t host, uint8_t proto, uint32_t ext,
    uint16_t port, unsigned cls, bool natted)
{
	uint32_t h = host_index(p, host), x = ext_index(p, ext);

	if (p->oom)
		return;
	if (natted)
		p->natted[x] = 1;
	if (!grow(&p->rec, &p->reccap, p->nrec + 1, sizeof(*p->rec))) {
		p->oom = true;
		return;
	}
	p->rec[p->nrec++] = (uint64_t)proto << 56 | (uint64_t)x << 40 |
	    (uint64_t)port << 24 | (uint64_t)h << 8 | cls;
	p->host[h].flows++;
	p->flows++;
}

static bool
is_wan(const struct survey_conf *c, uint32_t a)
{
	size_t i;

	for (i = 0; i < c->nwan; i++)
		if (c->wan[i] == a)
			return true;
	return false;
}

/* Only these take a port (or an ICMP echo id) from a port set. */
static bool
has_ports(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_ICMP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		return true;
	}
	return false;
}

/* Multicast, broadcast, loopback, link-local and "this network" never
 * leave through the NAT (IGMP reports to 224.0.0.22, mDNS, DHCP). */
static bool
leaves(uint32_t dst)
{
	return (dst >> 28) != 0xe && dst != 0xffffffffu && (dst >> 24) != 127 &&
	    (dst >> 16) != 0xa9fe && (dst >> 24) != 0 && (dst >> 28) != 0xf;
}

void
survey_acc_add(struct survey_acc *acc, const struct ct_entry *e)
{
	const struct survey_conf *c = acc->conf;
	struct survey_acc_priv *p = acc->priv;
	unsigned cls;

	p->entries++;
	if (!has_ports(e->proto) || !leaves(e->odst))
		return;
	if (survey_in_lan(c, e->odst))
		return;		/* inside the LAN, or to the gateway's LAN side */
	cls = survey_classify(c, e->proto, e->odport);
	if (survey_in_lan(c, e->osrc)) {
		/* the reply goes to the external tuple, after NAT */
		if (c->nwan > 0 && !is_wan(c, e->rdst))
			return;
		count(p, e->osrc, e->proto, e->rdst, e->rdport, cls,
		    e->rdst != e->osrc);
	} else if (c->nwan > 0) {
		if (is_wan(c, e->osrc) && !is_wan(c, e->odst))
			count(p, e->osrc, e->proto, e->rdst, e->rdport, cls, false);
	} else {
		struct stashed *s;

		if (!grow(&p->stash, &p->stashcap, p->nstash + 1,
		    sizeof(*p->stash))) {
			p->oom = true;
			return;
		}
		s = &p->stash[p->nstash++];
		s->src = e->osrc;
		s->ext = e->rdst;
		s->port = e->rdport;
		s->proto = e->proto;
		s->cls = (uint8_t)cls;
	}
}

void
survey_acc_add_fn(void *acc, const struct ct_entry *e)
{
	survey_acc_add(acc, e);
}

/*
 * LSD radix sort by bytes, skipping bytes that are equal in all keys.
 * Returns the array that holds the result: a or tmp.
 */
static uint64_t *
sort_u64(uint64_t *a, uint64_t *tmp, size_t n)
{
	size_t cnt[8][256];
	size_t b, i;

	memset(cnt, 0, sizeof(cnt));
	for (i = 0; i < n; i++) {
		uint64_t k = a[i];

		for (b = 0; b < 8; b++)
			cnt[b][(k >> (8 * b)) & 255]++;
	}
	for (b = 0; b < 8; b++) {
		size_t sum = 0, j, *c = cnt[b];
		uint64_t *t;

		if (c[(a[0] >> (8 * b)) & 255] == n)
			continue;
		for (j = 0; j < 256; j++) {
			size_t v = c[j];

			c[j] = sum;
			sum += v;
		}
		for (i = 0; i < n; i++)
			tmp[c[(a[i] >> (8 * b)) & 255]++] = a[i];
		t = a;
		a = tmp;
		tmp = t;
	}
	return a;
}

static int
cmp_host_addr(const void *x, const void *y)
{
	const struct survey_host *a = x, *b = y;

	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static unsigned
proto_slot(unsigned proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return SURVEY_TCP;
	case IPPROTO_UDP:
		return SURVEY_UDP;
	case IPPROTO_ICMP:
		return SURVEY_ICMP;
	}
	return SURVEY_OTHERPROTO;
}

int
survey_acc_end(struct survey_acc *acc, struct survey_series *ser, double t,
    int64_t epoch)
{
	struct survey_acc_priv *p = acc->priv;
	struct survey_sample s;
	uint64_t prev_key = 0, prev_tuple = 0, prev_th = 0, mask = 0;
	size_t i;

	/* the gateway's own flows, from an address the LAN is NATed to */
	for (i = 0; i < p->nstash; i++) {
		const struct stashed *st = &p->stash[i];
		uint32_t v = addrmap_get(&p->extmap, st->src);

		if (v != 0 && p->natted[v - 1])
			count(p, st->src, st->proto, st->ext, st->port,
			    st->cls, false);
	}
	if (p->oom)
		goto nomem;

	memset(&s, 0, sizeof(s));
	s.t = t;
	s.epoch = epoch;
	s.entries = p->entries;
	s.flows = p->flows;
	if (p->nrec > 0) {
		uint64_t *sorted;

		if (!grow(&p->tmp, &p->tmpcap, p->nrec, sizeof(*p->tmp)))
			goto nomem;
		sorted = sort_u64(p->rec, p->tmp, p->nrec);
		for (i = 0; i < p->nrec; i++) {
			uint64_t k = sorted[i], tuple = k >> 24, th = k >> 8;
			unsigned cls = (unsigned)(k & 255);
			struct survey_host *h = &p->host[(k >> 8) & 0xffff];

			if (i > 0 && k == prev_key)
				continue;
			if (i == 0 || tuple != prev_tuple) {
				s.ports++;
				s.proto[proto_slot((unsigned)(k >> 56))]++;
				mask = 0;
				prev_tuple = tuple;
			}
			if (!(mask & (1ull << cls))) {
				s.cls[cls]++;
				mask |= 1ull << cls;
			}
			if (i == 0 || th != prev_th) {
				h->ports++;
				prev_th = th;
			}
			h->cls[cls]++;
			prev_key = k;
		}
	}
	s.nhosts = (uint32_t)p->nhost;
	s.host0 = ser->nhosts;

	if (!grow(&ser->samples, &ser->samples_cap, ser->nsamples + 1,
	    sizeof(*ser->samples)) ||
	    !grow(&ser->hosts, &ser->hosts_cap, ser->nhosts + p->nhost,
	    sizeof(*ser->hosts)))
		goto nomem;
	for (i = 0; i < p->nhost; i++) {
		p->host[i].sample = (uint32_t)ser->nsamples;
		ser->hosts[ser->nhosts + i] = p->host[i];
	}
	if (p->nhost > 0)
		qsort(ser->hosts + ser->nhosts, p->nhost, sizeof(*ser->hosts),
		    cmp_host_addr);
	ser->nhosts += p->nhost;
	ser->samples[ser->nsamples++] = s;
	return 0;
nomem:
	errno = ENOMEM;
	return -1;
}

void
survey_series_free(struct survey_series *ser)
{
	free(ser->samples);
	free(ser->hosts);
	memset(ser, 0, sizeof(*ser));
}
