/* SPDX-License-Identifier: MIT */
/*
 * Provisioning: the registry behind the data path. Every change (a SMAP
 * registers, an operator assigns or releases, a registration expires)
 * goes the same way: change the registry, log the allocation, save the
 * state file, build a new binding table and swap it in. The main thread
 * alone calls these functions.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "safe_file.h"
#include "prr/provision.h"
#include "prr/state.h"
#include "prr/store.h"

static uint64_t
wall_now(void)
{
	const char *fake = getenv("PRR_FAKE_TIME_OFFSET");	/* tests: shift the clock */

	return (uint64_t)time(NULL) + (fake ? strtoull(fake, NULL, 10) : 0);
}

uint64_t
provision_now(void)
{
	return wall_now();
}

/* Wait until no worker still reads the old environment, then free it. */
void
env_swap(struct prr *prr, struct prr_env *env)
{
	struct prr_env *old, *cur = atomic_load(&prr->env);
	uint64_t seq[PRR_MAX_QUEUES];
	char err[256];

	/* the fast path's maps follow the table, the difference only */
	if (fastpath_sync(prr->fp, cur ? &cur->cfg : NULL, cur ? cur->bt : NULL, &env->cfg, env->bt,
			  err, sizeof(err)) < 0)
		log_warnx("%s: the fast path is off until the next change", err);
	old = atomic_exchange(&prr->env, env);
	if (!old)
		return;
	for (unsigned i = 0; i < prr->n_workers; i++)
		seq[i] = atomic_load(&prr->workers[i].seq);
	for (unsigned i = 0; i < prr->n_workers; i++)
		while (atomic_load(&prr->workers[i].busy) &&
		       atomic_load(&prr->workers[i].seq) == seq[i])
			nanosleep(&(struct timespec){ .tv_nsec = 100000 }, NULL);
	btable_free(old->bt);
	/* a binding change carries the same config on: it is not old's to free */
	if (old->cfg.bt != env->cfg.bt)
		prr_config_free(&old->cfg);
	free(old);
	if (prr->retired_pool) {
		pool_free(prr->retired_pool);
		free(prr->retired_pool);
		prr->retired_pool = NULL;
	}
}

/* ---- the XDP fast path follows the pool slot by slot ---- */

static void
slot_changed(void *arg, const struct pool *p, uint32_t k, bool live)
{
	struct prr *prr = arg;
	char err[256];

	if (fastpath_pool_slot(prr->fp, p, k, live, err, sizeof(err)) < 0)
		log_warnx("%s", err);
}

/* From now on every change of a pool slot reaches the fast path's maps. */
static void
watch_pool(struct prr *prr)
{
	prr->reg.pool->watch = slot_changed;
	prr->reg.pool->watch_arg = prr;
}

/* The fast path takes over the pool's live slots from old (a reload's new pool). */
static void
follow_pool(struct prr *prr, const struct pool *old)
{
	char err[256];

	if (!prr->fp || !prr->reg.pool)
		return;
	watch_pool(prr);
	if (fastpath_pool_sync(prr->fp, old, prr->reg.pool, err, sizeof(err)) < 0)
		log_warnx("%s: the fast path is off until the next change", err);
}

void
provision_fastpath(struct prr *prr)
{
	/* fastpath_start loaded the live slots: changes from here on */
	if (prr->fp && prr->reg.pool)
		watch_pool(prr);
}

/* ---- allocation log lines, written after the commit that makes them true ---- */

struct prov_log {
	struct { uint64_t t; const char *event; struct binding b; } *v;
	size_t n, cap;
};

static void
later(struct prr *prr, const char *event, const struct binding *b)
{
	struct prov_log *l = prr->plog;

	if (!l && !(l = prr->plog = calloc(1, sizeof(*l))))
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		void *v = realloc(l->v, cap * sizeof(*l->v));
		if (!v) {
			log_warnx("allocation log: out of memory, '%s' line lost", event);
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].t = wall_now();
	l->v[l->n].event = event;
	l->v[l->n].b = *b;
	l->n++;
	/* a store that keeps the log writes it in the same transaction as the change */
	if (store_has_log(prr->store) && store_log(prr->store, l->v[l->n - 1].t, event, b) < 0)
		log_warnx("allocation log: cannot queue '%s'", event);
}

/*
 * The SMAPs that lost a race for their set to another PRR (a shared
 * store): their set goes from the registry and their log lines with it;
 * the winner's arrives with the next sync.
 */
static void
forget_lost(struct prr *prr)
{
	struct prov_log *l = prr->plog;
	struct store *st = prr->store;

	for (size_t i = 0; i < st->n_lost; i++) {
		char a[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &st->lost[i], a, sizeof(a));
		log_info("%s: its set went to another PRR's SMAP first; it will ask again", a);
		registry_release(&prr->reg, &st->lost[i]);
		for (size_t j = 0; l && j < l->n;)
			if (memcmp(&l->v[j].b.ipv6, &st->lost[i], 16) == 0)
				memmove(&l->v[j], &l->v[j + 1], (--l->n - j) * sizeof(l->v[0]));
			else
				j++;
	}
}

bool
provision_lost(const struct prr *prr, const struct in6_addr *a)
{
	for (size_t i = 0; prr->store && i < prr->store->n_lost; i++)
		if (memcmp(&prr->store->lost[i], a, 16) == 0)
			return true;
	return false;
}

int
provision_commit(struct prr *prr)
{
	if (prr->store && store_commit(prr->store) < 0) {
		if (!prr->store->shared)
			log_warn("state: commit");
		return -1;
	}
	if (prr->store && prr->store->n_lost) {
		forget_lost(prr);
		provision_sync(prr);	/* the winners' sets, before those SMAPs ask again */
	}
	return 0;
}

void
provision_log(struct prr *prr)
{
	struct prov_log *l = prr->plog;

	if (!l || l->n == 0)
		return;
	for (size_t i = 0; i < l->n; i++)
		alloclog_write(l->v[i].t, l->v[i].event, &l->v[i].b);
	alloclog_flush();
	l->n = 0;
}

/* Commit, then log: for changes whose answer does not wait (tick, operator). */
static int
commit_and_log(struct prr *prr)
{
	if (provision_commit(prr) < 0) {
		if (prr->plog)
			prr->plog->n = 0;	/* not durable: not true */
		return -1;
	}
	provision_log(prr);
	return 0;
}

static void
put(struct prr *prr, const struct reg_entry *e)
{
	if (prr->store && store_put(prr->store, e) < 0)
		log_warnx("state: cannot queue a change");
}

static void
del(struct prr *prr, const struct in6_addr *a)
{
	if (prr->store && store_del(prr->store, a) < 0)
		log_warnx("state: cannot queue a change");
}

/* A set the registry let go of on its own: it ends, in the store and the log. */
static void
dropped(struct prr *prr, const struct reg_entry *e, const char *why)
{
	char a[160];

	binding_format(&e->b, a, sizeof(a));
	log_warnx("%s %s: dropped", a, why);
	del(prr, &e->b.ipv6);
	later(prr, "release", &e->b);
}

/* A dynamic or operator set that a config binding now overlaps. */
static void
clash(void *arg, const struct reg_entry *e)
{
	dropped(arg, e, "overlaps a config binding");
}

/* The config's static bindings become the registry's config entries. */
static int
take_config(struct prr *prr, const struct prr_config *cfg)
{
	struct registry *r = &prr->reg;
	char err[128];

	for (size_t j = 0; j < r->n;)
		if (r->e[j].origin == REG_CONFIG)
			r->e[j] = r->e[--r->n];
		else
			j++;
	for (size_t i = 0; i < btable_count(cfg->bt); i++) {
		struct reg_entry e = { .b = *btable_at(cfg->bt, i), .origin = REG_CONFIG };
		if (registry_add(r, &e, err, sizeof(err)) == REG_NOMEM)
			return -1;
	}
	/* operator entries that now clash with a config binding lose */
	for (size_t j = 0; j < r->n; j++) {
		if (r->e[j].origin != REG_OPERATOR)
			continue;
		for (size_t i = 0; i < r->n; i++) {
			if (r->e[i].origin != REG_CONFIG || r->e[i].b.ipv4 != r->e[j].b.ipv4 ||
			    !portset_overlap(&r->e[i].b.ps, &r->e[j].b.ps))
				continue;
			clash(prr, &r->e[j]);
			r->e[j--] = r->e[--r->n];
			break;
		}
	}
	registry_block_static(r, clash, prr);
	return 0;
}

/* Replace env's static table with the registry's config and operator one. */
static int
rebuild(struct prr *prr, struct prr_env *env, char *err, size_t errlen)
{
	struct btable *bt = registry_btable(&prr->reg, err, errlen);

	if (!bt)
		return -1;
	btable_free(env->bt);
	env->bt = bt;
	env->pool = prr->reg.pool;
	return 0;
}

static int
compact(struct prr *prr)
{
	uint64_t t0 = clock_ms();

	prr->last_compact = wall_now();
	prr->renewed = false;
	if (!prr->store)
		return 0;
	if (store_compact(prr->store, &prr->reg) < 0) {
		log_warn("state: compaction");
		return -1;
	}
	if (clock_ms() - t0 > 200)
		log_info("state compacted: %zu entries in %llu ms", registry_count(&prr->reg),
			 (unsigned long long)(clock_ms() - t0));
	return 0;
}

/* The state file's and the allocation log's directories, mode 0700, and
 * the log: made before the drop, so given to the user prr becomes */
static void
make_dirs(const struct prr_config *cfg)
{
	char msg[PATH_MAX + 64];
	uid_t uid;
	gid_t gid;
	bool drop = privdrop_ids(&cfg->priv, &uid, &gid);

	if (cfg->state_file[0] &&
	    safe_file_mkdirs_owned(cfg->state_file, uid, gid, msg, sizeof(msg)) < 0)
		log_warnx("state_file: %s", msg);
	if (cfg->alloc_log[0] &&
	    safe_file_mkdirs_owned(cfg->alloc_log, uid, gid, msg, sizeof(msg)) < 0)
		log_warnx("allocation_log: %s", msg);
	alloclog_open(cfg->alloc_log);
	if (drop && cfg->alloc_log[0] && chown(cfg->alloc_log, uid, gid) != 0)
		log_warn("allocation_log: chown %s", cfg->alloc_log);
}

int
provision_init(struct prr *prr, struct prr_env *env, char *err, size_t errlen)
{
	uint64_t now = wall_now();
	struct store_report rep = { 0 };
	bool fresh = false;

	if (registry_init(&prr->reg, &env->cfg.reg.ap) < 0) {
		snprintf(err, errlen, "out of memory for a pool of that size");
		return -1;
	}
	registry_set_limits(&prr->reg, &env->cfg.reg.lim);
	make_dirs(&env->cfg);
	if (env->cfg.store_pg) {
		if (!(prr->store = store_pg_open(env->cfg.store_conninfo, false, err, errlen)))
			return -1;
		if (store_load(prr->store, &prr->reg, &rep, err, errlen) < 0)
			return -1;
		log_info("postgresql store: %zu entries loaded", registry_count(&prr->reg));
	} else if (env->cfg.state_file[0]) {
		uint64_t t0 = clock_ms();

		if (!(prr->store = store_journal_open(env->cfg.state_file, err, errlen)))
			return -1;
		if (store_load(prr->store, &prr->reg, &rep, err, errlen) < 0)
			return -1;
		/* start-up's longest step with a million registrations */
		log_debug("%s: %zu entries (%u records) loaded in %llu ms", env->cfg.state_file,
			  registry_count(&prr->reg), rep.records, (unsigned long long)(clock_ms() - t0));
		if (rep.bad || rep.replaced || rep.refused || rep.torn)
			log_warnx("%s: %u unreadable, %u replaced, %u refused record(s) skipped%s",
				  env->cfg.state_file, rep.bad, rep.replaced, rep.refused,
				  rep.torn ? ", a torn last line cut off" : "");
	}
	if (prr->reg.epoch_start == 0 || prr->reg.epoch_start > now) {
		prr->reg.epoch_start = now;
		fresh = true;
	}
	if (take_config(prr, &env->cfg) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < prr->reg.n; i++)
		if (prr->reg.e[i].origin == REG_CONFIG)
			later(prr, "config", &prr->reg.e[i].b);
	if (rebuild(prr, env, err, errlen) < 0)
		return -1;
	/* a new or damaged state is written whole once; else only appended to */
	if (fresh || rep.bad || rep.replaced || rep.refused)
		compact(prr);
	prr->last_compact = now;
	commit_and_log(prr);
	return 0;
}

static void
moved_out(void *arg, const struct reg_entry *e)
{
	dropped(arg, e, "is no set of the new allocation pool");
}

int
provision_reload(struct prr *prr, struct prr_env *env, char *err, size_t errlen)
{
	struct registry *r = &prr->reg;
	struct reg_entry *saved = malloc((r->n + 1) * sizeof(*saved));
	size_t n_saved = r->n;
	struct pool *old = NULL;

	if (!saved) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (r->n)	/* r->e is NULL without config and operator entries */
		memcpy(saved, r->e, r->n * sizeof(*saved));
	/* a config whose static bindings do not build changes nothing */
	if (take_config(prr, &env->cfg) < 0 || rebuild(prr, env, err, errlen) < 0) {
		r->n = 0;
		for (size_t i = 0; i < n_saved; i++)
			registry_add(r, &saved[i], err, 0);
		registry_block_static(r, NULL, NULL);
		free(saved);
		if (!err[0])
			snprintf(err, errlen, "out of memory");
		return -1;
	}
	free(saved);
	registry_set_limits(r, &env->cfg.reg.lim);
	if (registry_set_params(r, &env->cfg.reg.ap, &old, moved_out, prr) < 0) {
		snprintf(err, errlen, "out of memory for the new pool");
		return -1;
	}
	if (old) {
		follow_pool(prr, old);
		registry_block_static(r, clash, prr);
		compact(prr);
	}
	env->pool = r->pool;
	for (size_t i = 0; i < r->n; i++)
		if (r->e[i].origin == REG_CONFIG)
			later(prr, "config", &r->e[i].b);
	commit_and_log(prr);
	alloclog_open(env->cfg.alloc_log);
	/* the old pool goes once no worker reads it: after the swap's grace period */
	prr->retired_pool = old;
	return 0;
}

void
provision_fini(struct prr *prr)
{
	commit_and_log(prr);
	store_close(prr->store);
	prr->store = NULL;
	registry_free(&prr->reg);
	if (prr->plog)
		free(prr->plog->v);
	free(prr->plog);
	prr->plog = NULL;
}

void
provision_reopen_log(struct prr *prr)
{
	struct prr_env *env = atomic_load(&prr->env);

	alloclog_open(env->cfg.alloc_log);
	log_info("allocation log %s reopened", env->cfg.alloc_log);
}

/* After a change of config or operator entries: new static table, swapped in. */
static int
publish(struct prr *prr, char *err, size_t errlen)
{
	struct prr_env *cur = atomic_load(&prr->env), *env;

	env = malloc(sizeof(*env));
	if (!env) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*env = *cur;
	env->bt = registry_btable(&prr->reg, err, errlen);
	if (!env->bt) {
		free(env);
		return -1;
	}
	env->pool = prr->reg.pool;
	env_swap(prr, env);
	return 0;
}

enum reg_result
provision_register(struct prr *prr, const struct in6_addr *smap, const uint8_t *nonce,
		   struct reg_entry *out)
{
	uint64_t now = wall_now();
	bool isnew, changed;
	enum reg_result r = registry_register(&prr->reg, smap, nonce, now, out, &isnew, &changed);

	if (r != REG_OK)
		return r;
	if (changed) {
		/* the slot changed in the live table already; the answer waits for the commit */
		put(prr, out);
		later(prr, isnew ? "allocate" : "renew-held", &out->b);
	} else if (out->origin == REG_DYNAMIC && prr->store && prr->store->shared) {
		/* shared: another PRR must not expire it; answered even while the store is away */
		if (store_touch(prr->store, out) < 0)
			log_warnx("state: cannot queue a change");
	} else if (out->origin == REG_DYNAMIC) {
		prr->renewed = true;	/* only the expiry moved: written at the next compaction */
	}
	return REG_OK;
}

enum reg_result
provision_unregister(struct prr *prr, const struct in6_addr *a, const uint8_t *nonce,
		     struct reg_entry *out)
{
	enum reg_result r = registry_unregister(&prr->reg, a, nonce, wall_now(), out);

	if (r == REG_OK) {
		put(prr, out);
		later(prr, "expire", &out->b);
	}
	return r;
}

static void
expired(void *arg, const struct reg_entry *e, const char *event)
{
	struct prr *prr = arg;

	if (strcmp(event, "free") == 0)
		del(prr, &e->b.ipv6);
	else
		put(prr, e);
	later(prr, event, &e->b);
}

void
provision_tick(struct prr *prr)
{
	uint64_t now = wall_now();
	struct prr_env *env = atomic_load(&prr->env);
	uint32_t every = env->cfg.reg.ap.lifetime / 4;

	if (now == prr->last_tick)
		return;
	prr->last_tick = now;
	registry_expire(&prr->reg, now, expired, prr);
	/*
	 * Renewals are not written one by one: a compaction carries their
	 * expiry times, often enough that a restart finds none run out
	 * that a SMAP renewed (it renews after half its lifetime).
	 */
	if (prr->store && (store_wants_compact(prr->store, &prr->reg) ||
			   (prr->renewed && now - prr->last_compact >= (every ? every : 60))))
		compact(prr);
	commit_and_log(prr);
}

uint32_t
provision_epoch(struct prr *prr)
{
	return (uint32_t)(wall_now() - prr->reg.epoch_start);
}

/* ---- control socket commands ---- */

static const char *const origins[] = { "config", "operator", "dynamic" };

static void
entry_line(FILE *f, const struct prr *prr, const struct reg_entry *e)
{
	struct prr_env *env = atomic_load(&((struct prr *)prr)->env);
	char a6[INET6_ADDRSTRLEN], a4[INET_ADDRSTRLEN], br[INET6_ADDRSTRLEN], ps[64];
	uint32_t n = htonl(e->b.ipv4);

	inet_ntop(AF_INET6, &e->b.ipv6, a6, sizeof(a6));
	inet_ntop(AF_INET, &n, a4, sizeof(a4));
	inet_ntop(AF_INET6, &env->cfg.params.br[e->b.br < env->cfg.params.n_br ? e->b.br : 0],
		  br, sizeof(br));
	portset_format(&e->b.ps, ps, sizeof(ps));
	fprintf(f, "%s\t%s\t%s\t%s\t%s\t%" PRIu64 "\t%s\n", a6, a4, ps, br,
		origins[e->origin], e->expires, e->held_until ? "held" : "active");
}

static bool
parse_v4port(const char *s, uint32_t *ipv4, int *port)
{
	char buf[64], *colon;

	snprintf(buf, sizeof(buf), "%s", s);
	*port = -1;
	if ((colon = strchr(buf, ':'))) {
		char *end;
		long p;
		*colon = '\0';
		p = strtol(colon + 1, &end, 10);
		if (*end || p < 0 || p > 65535)
			return false;
		*port = (int)p;
	}
	return parse_ipv4(buf, ipv4);
}

static void
cmd_list(struct prr *prr, FILE *f)
{
	struct reg_entry e;
	size_t pos = 0;

	while (registry_iter(&prr->reg, &pos, &e))
		entry_line(f, prr, &e);
}

static void
cmd_show(struct prr *prr, const char *arg, FILE *f)
{
	struct in6_addr a6;
	uint32_t v4;
	int port, n = 0;

	if (inet_pton(AF_INET6, arg, &a6) == 1) {
		struct reg_entry es[8];
		size_t k = registry_of(&prr->reg, &a6, es, 8);
		for (size_t i = 0; i < k && i < 8; i++, n++)
			entry_line(f, prr, &es[i]);
	} else if (parse_v4port(arg, &v4, &port)) {
		struct reg_entry e;
		size_t pos = 0;
		while (registry_iter(&prr->reg, &pos, &e))
			if (e.b.ipv4 == v4 && (port < 0 || portset_contains(&e.b.ps, (uint16_t)port)) && ++n)
				entry_line(f, prr, &e);
	} else {
		fprintf(f, "error\t'%s' is neither an IPv6 address nor IPv4[:PORT]\n", arg);
		return;
	}
	if (n == 0)
		fprintf(f, "error\tno binding for %s\n", arg);
}

/*
 * An assignment a shared store refused (lost): another SMAP's set on the
 * address, committed through another PRR first, overlaps it. Named if
 * this PRR has its row already.
 */
static void
refused(struct prr *prr, const struct binding *b, FILE *f)
{
	char mine[160], other[160];
	struct reg_entry e;
	size_t pos = 0;

	binding_format(b, mine, sizeof(mine));
	while (registry_iter(&prr->reg, &pos, &e))
		if (e.b.ipv4 == b->ipv4 && memcmp(&e.b.ipv6, &b->ipv6, 16) != 0 &&
		    portset_overlap(&e.b.ps, &b->ps)) {
			binding_format(&e.b, other, sizeof(other));
			fprintf(f, "error\t%s overlaps %s (%s), which the store took first "
				"(through another PRR): not assigned\n", mine, other,
				origins[e.origin < 3 ? e.origin : 0]);
			return;
		}
	fprintf(f, "error\t%s overlaps a set the store took first (through another PRR): "
		"not assigned\n", mine);
}

static void
cmd_assign(struct prr *prr, char *args, FILE *f)
{
	struct prr_env *env = atomic_load(&prr->env);
	char *v6 = strtok(args, " \t"), *v4 = strtok(NULL, " \t"), *ps = strtok(NULL, " \t");
	char *brs = strtok(NULL, " \t"), err[256], tmp[64];
	struct binding b;

	memset(&b, 0, sizeof(b));
	if (!v6 || !v4 || !ps) {
		fprintf(f, "error\tusage: assign IPV6 IPV4 PORTS|psid=N/K[,offset=A] [SOFTWIRE-INDEX]\n");
		return;
	}
	if (inet_pton(AF_INET6, v6, &b.ipv6) != 1) {
		fprintf(f, "error\t'%s' is not an IPv6 address\n", v6);
		return;
	}
	if (!parse_ipv4(v4, &b.ipv4)) {
		fprintf(f, "error\t'%s' is not an IPv4 address\n", v4);
		return;
	}
	if (!prr_config_in_pool(&env->cfg, b.ipv4)) {
		fprintf(f, "error\t%s is in none of the pools\n", v4);
		return;
	}
	/* "psid=5" alone takes the pool's PSID geometry */
	if (strncmp(ps, "psid=", 5) == 0 && !strchr(ps, '/') && prr->reg.ap.psid) {
		snprintf(tmp, sizeof(tmp), "psid=%s/%u,offset=%u", ps + 5, prr->reg.ap.psid_len,
			 prr->reg.ap.offset);
		ps = tmp;
	}
	if (!portset_parse(ps, &b.ps, err, sizeof(err))) {
		fprintf(f, "error\t%s\n", err);
		return;
	}
	if (brs) {
		unsigned long i = strtoul(brs, NULL, 10);
		if (i >= env->cfg.params.n_br) {
			fprintf(f, "error\tno softwire address %s\n", brs);
			return;
		}
		b.br = (uint8_t)i;
	}
	{
		/* the sets it had end here, in the log too (whois) */
		struct reg_entry old[8], ne;
		size_t n_old = registry_of(&prr->reg, &b.ipv6, old, 8);

		if (registry_assign(&prr->reg, &b, wall_now(), err, sizeof(err)) != REG_OK) {
			fprintf(f, "error\t%s\n", err);
			return;
		}
		for (size_t j = 0; j < n_old && j < 8; j++)
			later(prr, "release", &old[j].b);
		memset(&ne, 0, sizeof(ne));
		ne.b = b;
		ne.origin = REG_OPERATOR;
		put(prr, &ne);
	}
	later(prr, "assign", &b);
	if (commit_and_log(prr) < 0) {
		fprintf(f, "error\tthe state could not be written\n");
		return;
	}
	if (provision_lost(prr, &b.ipv6)) {
		/* the store refused it: the registry went back to the store's rows */
		refused(prr, &b, f);
		if (publish(prr, err, sizeof(err)) < 0)
			log_warnx("binding table: %s", err);
		return;
	}
	if (publish(prr, err, sizeof(err)) < 0) {
		fprintf(f, "error\t%s\n", err);
		return;
	}
	if (prr->announce)
		prr->announce(prr, &b.ipv6);
	fprintf(f, "ok\n");
}

static void
cmd_release(struct prr *prr, const char *arg, FILE *f)
{
	struct in6_addr a6;
	char err[256];

	if (inet_pton(AF_INET6, arg, &a6) != 1) {
		fprintf(f, "error\t'%s' is not an IPv6 address\n", arg);
		return;
	}
	{
		struct reg_entry old[8];
		size_t n_old = registry_of(&prr->reg, &a6, old, 8);

		if (registry_release(&prr->reg, &a6) != REG_OK) {
			fprintf(f, "error\tunknown SMAP %s\n", arg);
			return;
		}
		for (size_t j = 0; j < n_old && j < 8; j++)
			later(prr, "release", &old[j].b);
		del(prr, &a6);
	}
	if (commit_and_log(prr) < 0) {
		fprintf(f, "error\tthe state could not be written\n");
		return;
	}
	if (publish(prr, err, sizeof(err)) < 0) {
		fprintf(f, "error\t%s\n", err);
		return;
	}
	if (prr->announce)
		prr->announce(prr, &a6);
	fprintf(f, "ok\n");
}

/* rule<TAB>ipv6 prefix<TAB>ipv4 prefix<TAB>ea<TAB>offset<TAB>psid len<TAB>psid<TAB>softwire */
static void
cmd_rules(struct prr *prr, FILE *f)
{
	struct prr_env *env = atomic_load(&prr->env);
	const struct prr_params *p = &env->cfg.params;

	for (unsigned i = 0; i < p->n_rules; i++) {
		const struct map_rule *r = &p->rules[i];
		char a6[INET6_ADDRSTRLEN], a4[INET_ADDRSTRLEN], br[INET6_ADDRSTRLEN];
		uint32_t n = htonl(r->prefix4);

		inet_ntop(AF_INET6, &r->prefix6, a6, sizeof(a6));
		inet_ntop(AF_INET, &n, a4, sizeof(a4));
		inet_ntop(AF_INET6, &p->br[r->br < p->n_br ? r->br : 0], br, sizeof(br));
		fprintf(f, "rule\t%s/%u\t%s/%u\t%u\t%u\t%u\t%s\t%s\n", a6, r->plen6, a4,
			r->plen4, r->ea_len, r->offset, r->psid_len,
			r->psid_len_cfg ? "fixed" : "embedded", br);
		if (r->psid_len_cfg)
			fprintf(f, "rule-psid\t%u\n", r->psid_cfg);
	}
}

/*
 * whois for a port no explicit binding owns now but a MAP-E rule covers:
 * the CE is computed (rules keep no history: the answer is for the rules
 * in force). true if it answered.
 */
static bool
whois_rule(struct prr_env *env, uint32_t v4, uint16_t port, FILE *f)
{
	const struct prr_params *p = &env->cfg.params;
	char a6[INET6_ADDRSTRLEN], a4[INET_ADDRSTRLEN], pf[INET6_ADDRSTRLEN], ps[64];
	struct map_ce ce;
	uint32_t n = htonl(v4);

	if (btable_lookup(env->bt, v4, port))
		return false;
	for (unsigned i = 0; i < p->n_rules; i++) {
		if (!map_rule_ce_of(&p->rules[i], v4, port, &ce))
			continue;
		inet_ntop(AF_INET6, &ce.addr, a6, sizeof(a6));
		inet_ntop(AF_INET, &n, a4, sizeof(a4));
		inet_ntop(AF_INET6, &ce.prefix, pf, sizeof(pf));
		portset_format(&ce.ps, ps, sizeof(ps));
		fprintf(f, "%s\t%s\t%s\trule\t0\t%s/%u\n", a6, a4, ps, pf, ce.prefix_len);
		return true;
	}
	return false;
}

static void
cmd_whois(struct prr *prr, char *args, FILE *f)
{
	struct prr_env *env = atomic_load(&prr->env);
	char *q = strtok(args, " \t"), *at = strtok(NULL, " \t");
	struct whois_hit hit[8];
	uint64_t when = at ? strtoull(at, NULL, 10) : wall_now();
	uint32_t v4;
	int port, n;

	if (!q || !parse_v4port(q, &v4, &port) || port < 0) {
		fprintf(f, "error\tusage: whois IPV4:PORT [UNIXTIME]\n");
		return;
	}
	if (!at && whois_rule(env, v4, (uint16_t)port, f))
		return;
	if (store_has_whois(prr->store)) {
		if ((n = prr->store->ops->whois(prr->store, v4, (uint16_t)port, when, hit, 8)) < 0) {
			fprintf(f, "error\tthe store cannot be read now\n");
			return;
		}
	} else if (!env->cfg.alloc_log[0] ||
	    (n = whois_logs(env->cfg.alloc_log, v4, (uint16_t)port, when, hit, 8)) < 0) {
		fprintf(f, "error\tno allocation log (allocation_log in %s)\n", env->cfg.file);
		return;
	}
	if (n == 0) {
		fprintf(f, "error\tnobody held %s at %" PRIu64 "\n", q, when);
		return;
	}
	for (int i = 0; i < n; i++) {
		char a6[INET6_ADDRSTRLEN], a4[INET_ADDRSTRLEN], ps[64];
		uint32_t nv4 = htonl(hit[i].b.ipv4);
		inet_ntop(AF_INET6, &hit[i].b.ipv6, a6, sizeof(a6));
		inet_ntop(AF_INET, &nv4, a4, sizeof(a4));
		portset_format(&hit[i].b.ps, ps, sizeof(ps));
		fprintf(f, "%s\t%s\t%s\t%s\t%" PRIu64 "\n", a6, a4, ps, hit[i].event, hit[i].from);
	}
}

bool
provision_ctl(struct prr *prr, char *line, FILE *f)
{
	char *arg = strchr(line, ' ');

	if (arg)
		*arg++ = '\0';
	else
		arg = line + strlen(line);
	while (*arg == ' ')
		arg++;
	if (strcmp(line, "list") == 0)
		cmd_list(prr, f);
	else if (strcmp(line, "show") == 0)
		cmd_show(prr, arg, f);
	else if (strcmp(line, "assign") == 0)
		cmd_assign(prr, arg, f);
	else if (strcmp(line, "release") == 0)
		cmd_release(prr, arg, f);
	else if (strcmp(line, "whois") == 0)
		cmd_whois(prr, arg, f);
	else if (strcmp(line, "rules") == 0)
		cmd_rules(prr, f);
	else
		return false;
	return true;
}

/* ---- a shared store: changes other PRRs made ---- */

struct sync_ctx {
	struct prr *prr;
	bool static_changed;
	unsigned n;
};

/*
 * What the store holds wins: this PRR's entries that overlap a change
 * another PRR committed are changes of ours the store refused (or will
 * refuse, as lost, at our next commit), never the truth.
 */
static bool
overridden(struct sync_ctx *c, const struct reg_entry *e, bool dynamic)
{
	char b[160], first[160];
	size_t n = registry_clear_overlap(&c->prr->reg, &e->b, dynamic, first, sizeof(first));

	if (n == 0)
		return false;
	c->static_changed = true;
	binding_format(&e->b, b, sizeof(b));
	log_info("store: %s, committed by another PRR, replaces %s%s here", b, first,
		 n > 1 ? " and others" : "");
	return true;
}

static void
remote_change(void *arg, const struct reg_entry *e, const struct in6_addr *a)
{
	struct sync_ctx *c = arg;
	struct registry *r = &c->prr->reg;
	struct reg_entry had[8];
	char err[256];
	size_t k = registry_of(r, a, had, 8);

	c->n++;
	for (size_t i = 0; i < k && i < 8; i++)
		if (had[i].origin != REG_DYNAMIC)
			c->static_changed = true;
	if (!e) {
		registry_release(r, a);
	} else if (e->origin == REG_OPERATOR) {
		c->static_changed = true;
		overridden(c, e, true);
		if (registry_assign(r, &e->b, wall_now(), err, sizeof(err)) != REG_OK)
			log_warnx("store: another PRR's assignment: %s", err);
	} else {
		enum reg_result res;

		if (k && had[0].origin != REG_DYNAMIC)
			registry_release(r, a);
		/* a slot blocked by an operator set the store did not take: the store's row wins */
		if ((res = registry_add(r, e, err, sizeof(err))) == REG_OVERLAP && overridden(c, e, false))
			res = registry_add(r, e, err, sizeof(err));
		if (res != REG_OK && err[0])
			log_info("store: another PRR's change: %s", err);
	}
}

int
provision_fd(struct prr *prr)
{
	return store_fd(prr->store);
}

void
provision_sync(struct prr *prr)
{
	struct sync_ctx c = { .prr = prr };
	char err[256];

	if (!prr->store || !prr->store->shared)
		return;
	if (store_sync(prr->store, &prr->reg, remote_change, &c) < 0 || !c.static_changed)
		return;
	if (publish(prr, err, sizeof(err)) < 0)
		log_warnx("store: binding table: %s", err);
}
