/* SPDX-License-Identifier: MIT */
/*
 * The owner of the SMAP's mapping table (portmap.h): one mutex, and each
 * change applied to nftables (portmap_nft.c) and to the state file
 * (portmap_state.c) before it is answered; undone when either fails.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "safe_file.h"
#include "smap/portmap/neigh.h"
#include "smap/portmap/portmap.h"
#include "smap/portmap/portmap_nft.h"
#include "smap/portmap/portmap_state.h"
#include "smap/smap.h"

struct portmap {
	pthread_mutex_t mu;
	struct maptable *t;
	uint64_t epoch_base;
	uint64_t last_expire;	/* the main loop calls often: once a second */
};

uint64_t
portmap_now(void)
{
	return (uint64_t)time(NULL);
}

uint32_t
portmap_ext_addr(const struct smap *s)
{
	return s->live.params.ipv4;
}

const struct portset *
portmap_portset(const struct smap *s)
{
	return &s->live.params.ps;
}

/* Run what fn writes as one nft transaction. */
static int
nft_script(struct smap *s, void (*fn)(FILE *, struct smap *, const void *), const void *arg)
{
	char *script = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&script, &len);
	int rc;

	if (!f)
		fatal("open_memstream");
	fn(f, s, arg);
	fclose(f);
	rc = nft_run(script, NULL);
	free(script);
	return rc;
}

struct change {
	const struct mapping *gone, *added;
	unsigned n_gone;
	bool pool;		/* the held ports changed */
};

static void
write_change(FILE *f, struct smap *s, const void *arg)
{
	const struct change *c = arg;

	for (unsigned i = 0; i < c->n_gone; i++)
		portmap_nft_elements(f, "delete", &c->gone[i], s->live.params.ipv4);
	if (c->added)
		portmap_nft_elements(f, "add", c->added, s->live.params.ipv4);
	if (c->pool)
		portmap_nft_srcnat(f, s->portmap->t, s->cfg.tun_name, s->live.params.ipv4);
}

static void
write_install(FILE *f, struct smap *s, const void *arg)
{
	portmap_nft_install(f, s->portmap->t, s->cfg.tun_name, s->live.params.ipv4);
}

/*
 * nft first, then the state file. -1: nft refused, nothing changed;
 * -2: the state file failed after nft took the change (the caller puts
 * the table back and reinstalls nft whole).
 */
static void
write_sync(FILE *f, struct smap *s, const void *arg)
{
	portmap_nft_sync(f, s->portmap->t, s->cfg.tun_name, s->live.params.ipv4);
}

static int
apply(struct smap *s, const struct mapping *gone, unsigned n_gone,
      const struct mapping *added, bool pool)
{
	struct change c = { .gone = gone, .n_gone = n_gone, .added = added, .pool = pool };

	/* a renewal that keeps its forward changes the state file only */
	if ((n_gone || added || pool) && nft_script(s, write_change, &c) < 0)
		return -1;
	if (portmap_state_save(s->cfg.pcp.state_file, s->portmap->t, s->portmap->epoch_base) < 0)
		return -2;
	return 0;
}

int
portmap_init(struct smap *s)
{
	struct portmap *p = calloc(1, sizeof(*p));
	uint64_t now = portmap_now();
	char msg[PATH_MAX + 64];

	if (!p)
		fatal("calloc");
	pthread_mutex_init(&p->mu, NULL);
	p->t = maptable_new(&s->live.params.ps, s->cfg.pcp.max_mappings, s->cfg.pcp.per_host_quota);
	if (!p->t)
		fatal("maptable_new");
	maptable_set_share(p->t, s->cfg.pcp.max_share);
	s->portmap = p;
	if (s->cfg.pcp.state_file[0] &&
	    safe_file_mkdirs(s->cfg.pcp.state_file, msg, sizeof(msg)) < 0)
		log_warnx("state_file: %s", msg);
	if (portmap_state_load(s->cfg.pcp.state_file, p->t, now, &p->epoch_base) < 0)
		log_warnx("starting with no mappings");
	if (portmap_state_save(s->cfg.pcp.state_file, p->t, p->epoch_base) < 0)
		log_warnx("mappings will not survive a restart");
	return portmap_reinstall(s);
}

void
portmap_shutdown(struct smap *s)
{
	struct portmap *p = s->portmap;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	portmap_state_save(s->cfg.pcp.state_file, p->t, p->epoch_base);
	maptable_free(p->t);
	p->t = NULL;
	pthread_mutex_unlock(&p->mu);
	pthread_mutex_destroy(&p->mu);
	free(p);
	s->portmap = NULL;
}

static void
left_set(void *arg, const struct mapping *m)
{
	log_info("mapping %s %u -> port set changed, removed", map_proto_name(m->proto),
		 m->ext_port);
	(void)arg;
}

int
portmap_reinstall(struct smap *s)
{
	struct portmap *p = s->portmap;
	int rc;

	if (!p)		/* a SIGHUP before the first registration: no table yet */
		return 0;
	pthread_mutex_lock(&p->mu);
	maptable_set_portset(p->t, &s->live.params.ps, left_set, NULL);
	rc = nft_script(s, write_install, NULL);
	portmap_state_save(s->cfg.pcp.state_file, p->t, p->epoch_base);
	pthread_mutex_unlock(&p->mu);
	if (rc < 0)
		log_warnx("port mappings not installed into nftables");
	return rc;
}

static bool
same_forward(const struct mapping *a, const struct mapping *b)
{
	return a->enabled == b->enabled && a->int_addr == b->int_addr &&
	       a->int_port == b->int_port && a->remote_addr == b->remote_addr;
}

enum maptable_result
portmap_add(struct smap *s, const struct mapping *want, uint32_t lifetime,
	    bool never_expires, bool exact, struct mapping *out)
{
	struct portmap *p = s->portmap;
	const struct mapping *curp;
	struct mapping old, got, asked = *want;
	enum maptable_result r;
	bool had;

	/* the quota counts machines: the asking host's MAC, where the kernel knows it */
	if (!neigh_mac(want->int_addr, asked.host_mac))
		memset(asked.host_mac, 0, sizeof(asked.host_mac));
	want = &asked;
	pthread_mutex_lock(&p->mu);
	curp = maptable_find_int(p->t, want->proto, want->int_addr, want->int_port);
	had = curp != NULL;
	if (had)
		old = *curp;
	r = maptable_add(p->t, want, lifetime, never_expires, exact, portmap_now(), &got);
	if (r == MAPTABLE_OK || r == MAPTABLE_RENEWED) {
		bool fwd = r == MAPTABLE_OK || !same_forward(&old, &got);
		int rc = apply(s, fwd && had ? &old : NULL, fwd && had ? 1 : 0,
			       fwd ? &got : NULL, r == MAPTABLE_OK);

		if (rc < 0) {
			/* put the table back; on -2 nft has the change, so redo nft whole */
			maptable_del(p->t, got.proto, got.ext_port, NULL, NULL);
			if (had)
				maptable_restore(p->t, &old);
			if (rc == -2)
				nft_script(s, write_sync, NULL);
			r = MAPTABLE_IO_ERROR;
		}
	}
	pthread_mutex_unlock(&p->mu);
	if (out && (r == MAPTABLE_OK || r == MAPTABLE_RENEWED))
		*out = got;
	return r;
}

enum maptable_result
portmap_del(struct smap *s, uint8_t proto, uint16_t ext_port, const uint8_t *nonce,
	    struct mapping *out)
{
	struct portmap *p = s->portmap;
	struct mapping gone;
	enum maptable_result r;

	pthread_mutex_lock(&p->mu);
	r = maptable_del(p->t, proto, ext_port, nonce, &gone);
	if (r == MAPTABLE_OK) {
		int rc = apply(s, &gone, 1, NULL, true);

		if (rc < 0) {
			maptable_restore(p->t, &gone);
			if (rc == -2)
				nft_script(s, write_sync, NULL);
			r = MAPTABLE_IO_ERROR;
		}
	}
	pthread_mutex_unlock(&p->mu);
	if (out && r == MAPTABLE_OK)
		*out = gone;
	return r;
}

struct expired {
	struct mapping *m;
	unsigned n, cap;
};

static void
collect(void *arg, const struct mapping *m)
{
	struct expired *e = arg;

	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 16;
		e->m = realloc(e->m, e->cap * sizeof(*e->m));
		if (!e->m)
			fatal("realloc");
	}
	e->m[e->n++] = *m;
}

unsigned
portmap_expire(struct smap *s, uint64_t now)
{
	struct portmap *p = s->portmap;
	struct expired e = { 0 };

	if (!p || now == p->last_expire)
		return 0;
	pthread_mutex_lock(&p->mu);
	p->last_expire = now;
	maptable_expire(p->t, now, collect, &e);
	if (e.n) {
		log_info("%u mapping(s) expired", e.n);
		/* expiry cannot be refused: on failure put nft back whole */
		if (apply(s, e.m, e.n, NULL, true) == -1)
			nft_script(s, write_sync, NULL);
	}
	pthread_mutex_unlock(&p->mu);
	free(e.m);
	return e.n;
}

struct mapping *
portmap_list(struct smap *s, unsigned *n)
{
	struct portmap *p = s->portmap;
	struct mapping *v = NULL;

	*n = 0;
	if (!p)		/* no set yet (registration pending): no mappings */
		return NULL;
	pthread_mutex_lock(&p->mu);
	*n = maptable_count(p->t);
	if (*n) {
		v = malloc(*n * sizeof(*v));
		if (!v)
			fatal("malloc");
		for (unsigned i = 0; i < *n; i++)
			v[i] = *maptable_at(p->t, i);
	}
	pthread_mutex_unlock(&p->mu);
	return v;
}

static bool
copy_out(const struct mapping *m, struct mapping *out)
{
	if (m && out)
		*out = *m;
	return m != NULL;
}

bool
portmap_find_ext(struct smap *s, uint8_t proto, uint16_t ext_port, struct mapping *out)
{
	bool ok;

	if (!s->portmap)
		return false;
	pthread_mutex_lock(&s->portmap->mu);
	ok = copy_out(maptable_find_ext(s->portmap->t, proto, ext_port), out);
	pthread_mutex_unlock(&s->portmap->mu);
	return ok;
}

bool
portmap_find_int(struct smap *s, uint8_t proto, uint32_t int_addr, uint16_t int_port,
		 struct mapping *out)
{
	bool ok;

	if (!s->portmap)
		return false;
	pthread_mutex_lock(&s->portmap->mu);
	ok = copy_out(maptable_find_int(s->portmap->t, proto, int_addr, int_port), out);
	pthread_mutex_unlock(&s->portmap->mu);
	return ok;
}

bool
portmap_at(struct smap *s, unsigned i, struct mapping *out)
{
	bool ok;

	if (!s->portmap)
		return false;
	pthread_mutex_lock(&s->portmap->mu);
	ok = copy_out(maptable_at(s->portmap->t, i), out);
	pthread_mutex_unlock(&s->portmap->mu);
	return ok;
}

unsigned
portmap_count(struct smap *s)
{
	unsigned n;

	pthread_mutex_lock(&s->portmap->mu);
	n = maptable_count(s->portmap->t);
	pthread_mutex_unlock(&s->portmap->mu);
	return n;
}

unsigned
portmap_host_count(struct smap *s, uint32_t int_addr)
{
	unsigned n;

	pthread_mutex_lock(&s->portmap->mu);
	n = maptable_host_count(s->portmap->t, int_addr);
	pthread_mutex_unlock(&s->portmap->mu);
	return n;
}

uint64_t
portmap_epoch_base(struct smap *s)
{
	uint64_t b;

	pthread_mutex_lock(&s->portmap->mu);
	b = s->portmap->epoch_base;
	pthread_mutex_unlock(&s->portmap->mu);
	return b;
}
