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

#include "log.h"
#include "safe_file.h"
#include "prr/provision.h"
#include "prr/state.h"

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
}

/* The bindings the config file lists become the registry's config entries. */
static void
take_config(struct registry *r, const struct prr_config *cfg)
{
	char err[128];

	for (size_t j = 0; j < r->n;)
		if (r->e[j].origin == REG_CONFIG)
			r->e[j] = r->e[--r->n];
		else
			j++;
	for (size_t i = 0; i < btable_count(cfg->bt); i++) {
		struct reg_entry e = { .b = *btable_at(cfg->bt, i), .origin = REG_CONFIG };
		registry_add(r, &e, err, sizeof(err));
	}
	r->ap = cfg->reg.ap;
}

/*
 * Operator and dynamic entries that now clash with a config binding
 * lose: the config is the operator's latest word.
 */
static void
drop_clashes(struct registry *r)
{
	char a[160], b[160];

	for (size_t j = 0; j < r->n; j++) {
		if (r->e[j].origin == REG_CONFIG)
			continue;
		for (size_t i = 0; i < r->n; i++) {
			if (r->e[i].origin != REG_CONFIG || r->e[i].b.ipv4 != r->e[j].b.ipv4 ||
			    !portset_overlap(&r->e[i].b.ps, &r->e[j].b.ps))
				continue;
			binding_format(&r->e[j].b, a, sizeof(a));
			binding_format(&r->e[i].b, b, sizeof(b));
			log_warnx("%s overlaps config binding %s: dropped", a, b);
			alloclog_write(wall_now(), "release", &r->e[j].b);
			r->e[j--] = r->e[--r->n];
			break;
		}
	}
}

/* env's live table: the registry's bindings, all of them. */
static int
rebuild(struct prr *prr, struct prr_env *env, char *err, size_t errlen)
{
	struct btable *bt = registry_btable(&prr->reg, err, errlen);

	if (!bt)
		return -1;
	btable_free(env->bt);
	env->bt = bt;
	return 0;
}

static void
save(struct prr *prr, const struct prr_config *cfg)
{
	if (cfg->state_file[0] && state_save(&prr->reg, cfg->state_file) < 0)
		log_warn("cannot save state to %s", cfg->state_file);
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

	registry_init(&prr->reg, &env->cfg.reg.ap);
	make_dirs(&env->cfg);
	if (env->cfg.state_file[0] &&
	    state_load(&prr->reg, env->cfg.state_file, err, errlen) < 0)
		return -1;
	if (prr->reg.epoch_start == 0 || prr->reg.epoch_start > now)
		prr->reg.epoch_start = now;
	take_config(&prr->reg, &env->cfg);
	drop_clashes(&prr->reg);
	for (size_t i = 0; i < prr->reg.n; i++)
		if (prr->reg.e[i].origin == REG_CONFIG)
			alloclog_write(now, "config", &prr->reg.e[i].b);
	if (rebuild(prr, env, err, errlen) < 0)
		return -1;
	save(prr, &env->cfg);
	return 0;
}

int
provision_reload(struct prr *prr, struct prr_env *env, char *err, size_t errlen)
{
	struct registry saved = prr->reg;
	uint64_t now = wall_now();

	/* work on a copy, so a failed reload leaves everything as it was */
	prr->reg.e = malloc((saved.n + btable_count(env->cfg.bt) + 1) * sizeof(*saved.e));
	if (!prr->reg.e) {
		prr->reg = saved;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(prr->reg.e, saved.e, saved.n * sizeof(*saved.e));
	prr->reg.cap = saved.n + btable_count(env->cfg.bt) + 1;
	take_config(&prr->reg, &env->cfg);
	drop_clashes(&prr->reg);
	if (rebuild(prr, env, err, errlen) < 0) {
		free(prr->reg.e);
		prr->reg = saved;
		return -1;
	}
	free(saved.e);
	for (size_t i = 0; i < prr->reg.n; i++)
		if (prr->reg.e[i].origin == REG_CONFIG)
			alloclog_write(now, "config", &prr->reg.e[i].b);
	alloclog_open(env->cfg.alloc_log);
	save(prr, &env->cfg);
	return 0;
}

/* After a registry change: new table, swapped in; state saved first. */
static int
publish(struct prr *prr, char *err, size_t errlen)
{
	struct prr_env *cur = atomic_load(&prr->env), *env;

	env = malloc(sizeof(*env));
	if (!env) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*env = *cur;	/* the same config, a new live table */
	env->bt = registry_btable(&prr->reg, err, errlen);
	if (!env->bt) {
		free(env);
		return -1;
	}
	/* acknowledged only once it is on disk: a SIGKILL loses nothing */
	save(prr, &env->cfg);
	env_swap(prr, env);
	return 0;
}

enum reg_result
provision_register(struct prr *prr, const struct in6_addr *smap, struct reg_entry *out)
{
	uint64_t now = wall_now();
	char err[256];
	bool isnew;
	enum reg_result r = registry_register(&prr->reg, smap, now, out, &isnew);

	if (r == REG_EXHAUSTED) {
		char a6[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, smap, a6, sizeof(a6));
		log_warnx("pool exhausted: no port set for %s", a6);
		return r;
	}
	if (r != REG_OK)
		return r;
	if (isnew)
		alloclog_write(now, "allocate", &out->b);
	if (publish(prr, err, sizeof(err)) < 0) {
		log_warnx("registration: %s", err);
		return REG_NOMEM;
	}
	return REG_OK;
}

void
provision_unregister(struct prr *prr, const struct in6_addr *a)
{
	long i = registry_find(&prr->reg, a);

	/* only what it got by registering; the operator's sets stay */
	if (i >= 0 && prr->reg.e[i].origin == REG_DYNAMIC) {
		prr->reg.e[i].expires = wall_now();
		provision_tick(prr);
	}
}

static void
expired(void *arg, const struct reg_entry *e, const char *event)
{
	(void)arg;
	alloclog_write(wall_now(), event, &e->b);
}

void
provision_tick(struct prr *prr)
{
	char err[256];

	if (registry_expire(&prr->reg, wall_now(), expired, NULL) && publish(prr, err, sizeof(err)) < 0)
		log_warnx("expiry: %s", err);
}

uint32_t
provision_epoch(struct prr *prr)
{
	return (uint32_t)(wall_now() - prr->reg.epoch_start);
}

/* ---- control socket commands ---- */

static void
entry_line(FILE *f, const struct prr *prr, const struct reg_entry *e)
{
	static const char *const origins[] = { "config", "operator", "dynamic" };
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
	for (size_t i = 0; i < prr->reg.n; i++)
		entry_line(f, prr, &prr->reg.e[i]);
}

static void
cmd_show(struct prr *prr, const char *arg, FILE *f)
{
	struct in6_addr a6;
	uint32_t v4;
	int port, n = 0;

	if (inet_pton(AF_INET6, arg, &a6) == 1) {
		for (size_t i = 0; i < prr->reg.n; i++)
			if (memcmp(&prr->reg.e[i].b.ipv6, &a6, 16) == 0 && ++n)
				entry_line(f, prr, &prr->reg.e[i]);
	} else if (parse_v4port(arg, &v4, &port)) {
		for (size_t i = 0; i < prr->reg.n; i++) {
			const struct reg_entry *e = &prr->reg.e[i];
			if (e->b.ipv4 == v4 && (port < 0 || portset_contains(&e->b.ps, (uint16_t)port)) && ++n)
				entry_line(f, prr, e);
		}
	} else {
		fprintf(f, "error\t'%s' is neither an IPv6 address nor IPv4[:PORT]\n", arg);
		return;
	}
	if (n == 0)
		fprintf(f, "error\tno binding for %s\n", arg);
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
		char *end;
		unsigned long i = strtoul(brs, &end, 10);
		if (*brs < '0' || *brs > '9' || *end || i >= env->cfg.params.n_br) {
			fprintf(f, "error\tno softwire address %s\n", brs);
			return;
		}
		b.br = (uint8_t)i;
	}
	{
		/* the sets it had end here, in the log too (whois) */
		struct binding old[8];
		size_t n_old = 0;

		for (size_t j = 0; j < prr->reg.n && n_old < 8; j++)
			if (memcmp(&prr->reg.e[j].b.ipv6, &b.ipv6, 16) == 0)
				old[n_old++] = prr->reg.e[j].b;
		if (registry_assign(&prr->reg, &b, wall_now(), err, sizeof(err)) != REG_OK) {
			fprintf(f, "error\t%s\n", err);
			return;
		}
		for (size_t j = 0; j < n_old; j++)
			alloclog_write(wall_now(), "release", &old[j]);
	}
	alloclog_write(wall_now(), "assign", &b);
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
	for (size_t j = 0; j < prr->reg.n; j++)
		if (memcmp(&prr->reg.e[j].b.ipv6, &a6, 16) == 0)
			alloclog_write(wall_now(), "release", &prr->reg.e[j].b);
	if (registry_release(&prr->reg, &a6) != REG_OK) {
		fprintf(f, "error\tunknown SMAP %s\n", arg);
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
	FILE *log;

	if (!q || !parse_v4port(q, &v4, &port) || port < 0) {
		fprintf(f, "error\tusage: whois IPV4:PORT [UNIXTIME]\n");
		return;
	}
	if (!at && whois_rule(env, v4, (uint16_t)port, f))
		return;
	if (!env->cfg.alloc_log[0] || !(log = fopen(env->cfg.alloc_log, "r"))) {
		fprintf(f, "error\tno allocation log (allocation_log in %s)\n", env->cfg.file);
		return;
	}
	n = whois_log(log, v4, (uint16_t)port, when, hit, 8);
	fclose(log);
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
