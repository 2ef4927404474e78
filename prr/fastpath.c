/* SPDX-License-Identifier: MIT */
/*
 * The XDP fast path's loader and map keeper (see prr/fastpath.h).
 *
 * Three kinds of owner, three lookups, all in the "addrs" hash first
 * (a shared address -> what holds its ports):
 *
 *   static bindings (config, operator): an LPM trie keyed by (IPv4
 *     address, port prefix); a range or PSID set is split into its
 *     aligned power-of-two blocks (at most 30 for a range, 2^a - 1 for
 *     a PSID set with offset a). They are few.
 *   the allocation pool's registered sets (prr/pool.h): not expanded.
 *     A pool address's entry carries the pool's geometry; the program
 *     computes the slot as pool_lookup() does (address index x sets per
 *     address + PSID, RFC 7597 5.1, or the range's number) and reads one
 *     cell of an array of prr_xdp_slot (the SMAP's address, softwire
 *     address, live flag) sized to the pool: 24 bytes a set, 24 MB for
 *     a million, whatever the offset. The daemon writes the cells
 *     through mmap (BPF_F_MMAPABLE): a registration, renewal, release
 *     or expiry is one store, no system call, and start-up fills a
 *     million slots in tens of milliseconds. The array sits in one of
 *     the two places of an array of maps, so that a new pool (a reload
 *     with another geometry) is filled beside the old one and each
 *     address moves to it with one atomic update of its entry.
 *   MAP-E rules: not expanded either; there are few of them and the
 *     program computes the SMAP address (RFC 7597 5.2) as
 *     map_rule_addr() does, on a miss of the two above only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/prr_xdp.h"
#include "build/bpf/prr_xdp.skel.h"
#include "clock.h"
#include "log.h"
#include "prr/config.h"
#include "prr/fastpath.h"
#include "prr/pmtu.h"
#include "prr/pool.h"

#define FASTPATH_MAX_IFS	32

_Static_assert(PRR_XDP_MAX_BR >= PRR_MAX_BR, "every softwire address fits the BPF map");
_Static_assert(PRR_XDP_MAX_POOLS >= PRR_MAX_POOLS, "every pool fits the BPF map");
_Static_assert(PRR_XDP_MAX_RULES >= PRR_MAX_RULES, "every MAP-E rule fits the BPF map");
_Static_assert(PRR_XDP_MAX_PMTUS >= PMTU_SLOTS, "every learnt path MTU fits the BPF map");

struct fp_if {
	int ifindex;
	int link_fd;
	bool native;
	char name[IF_NAMESIZE];
};

/* A pool's slot array: the map and its mapping (prr_xdp_slot cells). */
struct slots {
	int fd;
	struct prr_xdp_slot *v;
	size_t len;
};

struct fastpath {
	struct prr_xdp_bpf *skel;
	bool test;
	int ncpu;
	struct fp_if ifs[FASTPATH_MAX_IFS];
	unsigned n_ifs;
	const struct btable *bt;	/* the static table the maps hold */
	const struct pool *pool;	/* the allocation pool they hold the live slots of */
	struct slots cur;		/* its slot array, in pool_slots[which] */
	uint32_t which;
	bool active;			/* attached, and the maps in force (not disabled) */
};

static void slots_free(struct slots *);

/* the fast path's counters that are the PRR's named ones */
static const enum prr_stat named[] = {
#define X(id) [PRR_XDP_##id] = PRR_STAT_##id,
	X(IN4_PACKETS) X(IN4_ENCAPSULATED) X(IN4_DROP_UNBOUND) X(IN4_RULE)
	X(IN6_PACKETS) X(IN6_DECAPSULATED) X(IN6_HAIRPINNED) X(IN6_RULE)
	X(IN6_DROP_SPOOFED) X(IN6_DROP_HAIRPIN)
#undef X
};
#define N_NAMED		(PRR_XDP_IN6_DROP_HAIRPIN + 1)

static const char *const xdp_stat_name[] = {
#define X(id) #id,
	PRR_XDP_STATS(X)
#undef X
};

const char *
fastpath_mode_name(enum fastpath_mode m)
{
	switch (m) {
	case FASTPATH_OFF:	return "off";
	case FASTPATH_AUTO:	return "auto";
	case FASTPATH_XDP:	return "xdp";
	}
	return "?";
}

static int
silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN && getenv("PRR_BPF_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

struct fastpath *
fastpath_open(bool test, char *err, size_t errlen)
{
	struct fastpath *fp = calloc(1, sizeof(*fp));

	if (!fp) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	libbpf_set_print(silent);
	fp->test = test;
	fp->cur.fd = -1;
	fp->ncpu = libbpf_num_possible_cpus();
	fp->skel = prr_xdp_bpf__open_and_load();
	if (!fp->skel || fp->ncpu <= 0) {
		snprintf(err, errlen, "cannot load the XDP program: %s (PRR_BPF_DEBUG=1 "
			 "for the verifier's log)", strerror(errno));
		fastpath_close(fp);
		return NULL;
	}
	return fp;
}

void
fastpath_close(struct fastpath *fp)
{
	if (!fp)
		return;
	for (unsigned i = 0; i < fp->n_ifs; i++)
		close(fp->ifs[i].link_fd);	/* the link goes, and the program with it */
	prr_xdp_bpf__destroy(fp->skel);
	slots_free(&fp->cur);
	free(fp);
}

/* An older program of ours attached the legacy way (a crashed prr of another build). */
static void
remove_stale(int ifindex, const char *ifname)
{
	static const __u32 modes[] = { XDP_FLAGS_DRV_MODE, XDP_FLAGS_SKB_MODE };

	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct bpf_prog_info info;
		__u32 id = 0, ilen = sizeof(info);
		int fd;

		if (bpf_xdp_query_id(ifindex, (int)modes[m], &id) < 0 || id == 0)
			continue;
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &ilen) == 0 &&
		    strcmp(info.name, "prr_xdp") == 0 &&
		    bpf_xdp_detach(ifindex, (int)modes[m], NULL) == 0)
			log_info("fast path: removed a stale XDP program from %s", ifname);
		close(fd);
	}
}

static bool
forwarding_on(const char *ifname, int v)
{
	char path[128];
	FILE *f;
	int on = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv%d/conf/%s/forwarding", v, ifname);
	if (!(f = fopen(path, "r")))
		return false;
	if (fscanf(f, "%d", &on) != 1)
		on = 0;
	fclose(f);
	return on != 0;
}

int
fastpath_attach(struct fastpath *fp, const char *ifname, bool allow_generic, bool *native,
		char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	struct fp_if *fi;
	int ifindex = (int)if_nametoindex(ifname), fd, prog;

	if (ifindex == 0) {
		snprintf(err, errlen, "%s: no such interface", ifname);
		return -1;
	}
	if (fp->n_ifs >= FASTPATH_MAX_IFS) {
		snprintf(err, errlen, "%s: more than %d interfaces", ifname, FASTPATH_MAX_IFS);
		return -1;
	}
	remove_stale(ifindex, ifname);
	prog = bpf_program__fd(fp->skel->progs.prr_xdp);
	opts.flags = XDP_FLAGS_DRV_MODE;
	fd = bpf_link_create(prog, ifindex, BPF_XDP, &opts);
	*native = fd >= 0;
	if (fd < 0 && allow_generic) {
		opts.flags = XDP_FLAGS_SKB_MODE;
		fd = bpf_link_create(prog, ifindex, BPF_XDP, &opts);
	}
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot attach the XDP program: %s", ifname,
			 strerror(errno));
		return -1;
	}
	fi = &fp->ifs[fp->n_ifs++];
	fi->ifindex = ifindex;
	fi->link_fd = fd;
	fi->native = *native;
	snprintf(fi->name, sizeof(fi->name), "%s", ifname);
	/* bpf_fib_lookup() answers only for interfaces that forward */
	if (!forwarding_on(ifname, 4) || !forwarding_on(ifname, 6))
		log_warnx("fast path: %s: IPv4 or IPv6 forwarding is off, so the kernel's "
			  "route look-up refuses and its packets take the NFQUEUE path "
			  "(sysctl net.ipv4.conf.%s.forwarding=1 net.ipv6.conf.%s.forwarding=1)",
			  ifname, ifname, ifname);
	return 0;
}

void
fastpath_describe(const struct fastpath *fp, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; fp && i < fp->n_ifs && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s (%s)", i ? ", " : "",
					fp->ifs[i].name, fp->ifs[i].native ? "native" : "generic");
}

/* ---- the maps ---------------------------------------------------------- */

static void
fill_cfg(const struct fastpath *fp, const struct prr_config *c, struct prr_xdp_cfg *x)
{
	const struct prr_params *p = &c->params;

	memset(x, 0, sizeof(*x));
	for (unsigned i = 0; i < p->n_br && i < PRR_XDP_MAX_BR; i++)
		memcpy(x->br[i], &p->br[i], 16);
	x->n_br = p->n_br;
	for (unsigned i = 0; i < c->n_pools && i < PRR_XDP_MAX_POOLS; i++) {
		uint32_t m = c->pools[i].plen ? ~0u << (32 - c->pools[i].plen) : 0;

		x->pool_mask[i] = htonl(m);
		x->pool_net[i] = htonl(c->pools[i].addr & m);
	}
	x->n_pools = c->n_pools;
	x->n_rules = p->n_rules;
	x->v4_mtu = p->v4.mtu;
	x->v6_mtu = p->v6.mtu;
	x->hop_limit = p->hop_limit;
	x->flags = PRR_XDP_F_ENABLED |
		   (p->hairpinning ? PRR_XDP_F_HAIRPIN : 0) |
		   (p->v4.generate_icmp ? PRR_XDP_F_V4_ICMP : 0) |
		   (p->v6.generate_icmp ? PRR_XDP_F_V6_ICMP : 0) |
		   (p->v4.allow_incoming_icmp ? PRR_XDP_F_V4_ALLOW_ICMP : 0) |
		   (p->v6.allow_incoming_icmp ? PRR_XDP_F_V6_ALLOW_ICMP : 0) |
		   (p->echo_request_port0 ? PRR_XDP_F_ECHO_PORT0 : 0) |
		   (p->unbound_icmp_code ? PRR_XDP_F_UNBOUND_ICMP : 0) |
		   (fp->test ? PRR_XDP_F_NO_FIB : 0);
}

static void
fill_rule(const struct map_rule *r, struct prr_xdp_rule *x)
{
	uint64_t hi = 0;

	memset(x, 0, sizeof(*x));
	for (int i = 0; i < 8; i++)
		hi = hi << 8 | r->prefix6.s6_addr[i];
	x->prefix6_hi = hi;
	x->mask4 = r->plen4 ? ~0u << (32 - r->plen4) : 0;
	x->prefix4 = r->prefix4 & x->mask4;
	x->v4_mask = r->v4_plen ? ~0u << (32 - r->v4_plen) : 0;
	x->plen6 = r->plen6;
	x->ea_len = r->ea_len;
	x->offset = r->offset;
	x->psid_len = r->psid_len;
	x->psid_len_cfg = r->psid_len_cfg;
	x->psid_cfg = r->psid_cfg;
	x->br = r->br;
}

/* The LPM keys of one binding. */
struct keys {
	struct prr_xdp_key *k;
	size_t n, cap;
	uint32_t ipv4;		/* network order */
	bool oom;
};

static void
key_add(struct keys *ks, uint16_t port, unsigned plen)
{
	struct prr_xdp_key *k;

	if (ks->n == ks->cap) {
		size_t cap = ks->cap ? ks->cap * 2 : 64;
		struct prr_xdp_key *nk = realloc(ks->k, cap * sizeof(*nk));

		if (!nk) {
			ks->oom = true;
			return;
		}
		ks->k = nk;
		ks->cap = cap;
	}
	k = &ks->k[ks->n++];
	memset(k, 0, sizeof(*k));
	k->prefixlen = 32 + plen;
	memcpy(k->data, &ks->ipv4, 4);
	k->data[4] = (uint8_t)(port >> 8);
	k->data[5] = (uint8_t)port;
}

/* [lo, hi] as aligned power-of-two blocks */
static void
block_keys(void *arg, uint16_t lo, uint16_t hi)
{
	struct keys *ks = arg;
	uint32_t p = lo;

	while (p <= hi) {
		unsigned bits = 0;

		while (bits < 16 && (p & ((2u << bits) - 1)) == 0 && p + (2u << bits) - 1 <= hi)
			bits++;
		key_add(ks, (uint16_t)p, 16 - bits);
		p += 1u << bits;
	}
}

static int
binding_keys(const struct binding *b, struct keys *ks)
{
	ks->n = 0;
	ks->ipv4 = htonl(b->ipv4);
	portset_blocks(&b->ps, block_keys, ks);
	return ks->oom ? -1 : 0;
}

static int
cmp_binding(const void *x, const void *y)
{
	const struct binding *a = *(const struct binding *const *)x;
	const struct binding *b = *(const struct binding *const *)y;

	if (a->ipv4 != b->ipv4)
		return a->ipv4 < b->ipv4 ? -1 : 1;
	return memcmp(a, b, sizeof(*a));
}

static int
cmp_key(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct prr_xdp_key));
}

/* The table's bindings, sorted by cmp_binding; NULL table: none. */
static const struct binding **
sorted(const struct btable *bt, size_t *n)
{
	const struct binding **v;

	*n = bt ? btable_count(bt) : 0;
	v = malloc((*n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i < *n; i++)
		v[i] = btable_at(bt, i);
	qsort(v, *n, sizeof(*v), cmp_binding);
	return v;
}

/*
 * An address is in the map while a static binding or the pool has it;
 * a pool address with the pool's geometry and the slot array in force.
 */
static int
set_addr(const struct fastpath *fp, int fd, uint32_t ipv4, const struct btable *bt)
{
	const struct pool *p = fp->pool;
	struct prr_xdp_addr v = { 0 };
	uint32_t k = htonl(ipv4);
	int a = p ? pool_addr_index(p, ipv4) : -1;

	if (bt && btable_has_ipv4(bt, ipv4))
		v.flags |= PRR_XDP_A_STATIC;
	if (a >= 0 && fp->cur.v) {
		v.flags |= PRR_XDP_A_POOL | (p->ap.psid ? PRR_XDP_A_PSID : 0);
		v.base = (uint32_t)a * p->per;
		v.per = p->per;
		v.slots = fp->which;
		v.first_port = p->ap.first_port;
		v.size = p->ap.size;
		v.offset = (uint8_t)p->ap.offset;
		v.psid_len = (uint8_t)p->ap.psid_len;
	}
	if (v.flags || a >= 0)
		return bpf_map_update_elem(fd, &k, &v, BPF_ANY);
	if (bpf_map_delete_elem(fd, &k) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

/*
 * The bindings of old missing from new go, those of new missing from
 * old come: new keys are written first, then the old keys that no new
 * binding wrote are deleted, so a changed binding is never absent.
 */
static int
sync_bindings(struct fastpath *fp, const struct btable *old, const struct btable *bt,
	      char *err, size_t errlen)
{
	int bfd = bpf_map__fd(fp->skel->maps.bindings), afd = bpf_map__fd(fp->skel->maps.addrs);
	size_t no, nn, i, j, n_added = 0, n_removed = 0;
	const struct binding **o = sorted(old, &no), **n = sorted(bt, &nn);
	const struct binding **added = NULL, **removed = NULL;
	struct keys ks = { 0 }, wrote = { 0 };
	int rc = -1;

	if (!o || !n || !(added = malloc((nn + 1) * sizeof(*added))) ||
	    !(removed = malloc((no + 1) * sizeof(*removed)))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (i = j = 0; i < no || j < nn;) {
		int c = i == no ? 1 : j == nn ? -1 : cmp_binding(&o[i], &n[j]);

		if (c < 0)
			removed[n_removed++] = o[i++];
		else if (c > 0)
			added[n_added++] = n[j++];
		else
			i++, j++;
	}
	for (i = 0; i < n_added; i++) {
		struct prr_xdp_val v = { .br = added[i]->br };

		memcpy(v.ipv6, &added[i]->ipv6, 16);
		if (binding_keys(added[i], &ks) < 0)
			goto oom;
		for (j = 0; j < ks.n; j++) {
			if (bpf_map_update_elem(bfd, &ks.k[j], &v, BPF_ANY) < 0) {
				char b[128];

				binding_format(added[i], b, sizeof(b));
				snprintf(err, errlen, "fast path: binding %s: %s", b, strerror(errno));
				goto out;
			}
			if (n_removed) {
				wrote.ipv4 = ks.ipv4;
				key_add(&wrote, (uint16_t)(ks.k[j].data[4] << 8 | ks.k[j].data[5]),
					ks.k[j].prefixlen - 32);
				if (wrote.oom)
					goto oom;
			}
		}
		if (set_addr(fp, afd, added[i]->ipv4, bt) < 0)
			goto maperr;
	}
	if (wrote.n)
		qsort(wrote.k, wrote.n, sizeof(*wrote.k), cmp_key);
	for (i = 0; i < n_removed; i++) {
		if (binding_keys(removed[i], &ks) < 0)
			goto oom;
		for (j = 0; j < ks.n; j++)
			if ((!wrote.n || !bsearch(&ks.k[j], wrote.k, wrote.n, sizeof(*wrote.k), cmp_key)) &&
			    bpf_map_delete_elem(bfd, &ks.k[j]) < 0 && errno != ENOENT)
				goto maperr;
		if (set_addr(fp, afd, removed[i]->ipv4, bt) < 0)
			goto maperr;
	}
	if (n_added + n_removed)
		log_debug("fast path: %zu binding(s) added, %zu removed", n_added, n_removed);
	rc = 0;
	goto out;
maperr:
	snprintf(err, errlen, "fast path: map update: %s", strerror(errno));
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	free(ks.k);
	free(wrote.k);
	free(added);
	free(removed);
	free(o);
	free(n);
	return rc;
}

static void disable(struct fastpath *);

/* ---- the allocation pool's dynamic bindings, one cell a slot ---- */

/* A slot as the daemon's pool has it: the address after live is cleared, then live. */
static void
slot_write(struct prr_xdp_slot *s, const struct binding *b, bool live)
{
	__atomic_store_n(&s->live, 0, __ATOMIC_RELEASE);
	if (!live)
		return;
	memcpy(s->ipv6, &b->ipv6, 16);
	s->br = b->br;
	__atomic_store_n(&s->live, 1, __ATOMIC_RELEASE);
}

int
fastpath_pool_slot(struct fastpath *fp, const struct pool *p, uint32_t k, bool live,
		   char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	/* the array is the pool's own size: a slot is a store, no system call */
	if (fp && fp->cur.v && p == fp->pool && k < p->n)
		slot_write(&fp->cur.v[k], &p->b[k], live);
	return 0;
}

/* A slot array for p in pool_slots[which], filled with p's live slots. */
static int
slots_make(struct fastpath *fp, const struct pool *p, uint32_t which, struct slots *s)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_MMAPABLE | BPF_F_INNER_MAP);
	int outer = bpf_map__fd(fp->skel->maps.pool_slots);

	s->len = ((size_t)p->n * sizeof(*s->v) + 4095) & ~(size_t)4095;
	s->fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "prr_pool_slots", sizeof(uint32_t),
			       sizeof(*s->v), p->n, &o);
	if (s->fd < 0)
		return -1;
	s->v = mmap(NULL, s->len, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0);
	if (s->v == MAP_FAILED) {
		s->v = NULL;
		return -1;
	}
	/* a new array is zeros: only the live slots are written */
	for (uint32_t k = 0; k < p->n; k++)
		if (pool_is_live(p, k))
			slot_write(&s->v[k], &p->b[k], true);
	return bpf_map_update_elem(outer, &which, &s->fd, BPF_ANY);
}

static void
slots_free(struct slots *s)
{
	if (s->v)
		munmap(s->v, s->len);
	if (s->fd >= 0)
		close(s->fd);
	s->v = NULL;
	s->fd = -1;
}

int
fastpath_pool_sync(struct fastpath *fp, const struct pool *old, const struct pool *p,
		   char *err, size_t errlen)
{
	int afd, outer;
	uint32_t which;
	struct slots prev, next = { .fd = -1 };

	if (!fp)
		return 0;
	afd = bpf_map__fd(fp->skel->maps.addrs);
	outer = bpf_map__fd(fp->skel->maps.pool_slots);
	which = fp->cur.fd >= 0 ? fp->which ^ 1 : 0;
	/* the new array beside the old one, then each address moves to it at once */
	if (p && p->n && slots_make(fp, p, which, &next) < 0)
		goto fail;
	prev = fp->cur;
	fp->cur = next;
	next = (struct slots){ .fd = -1 };	/* fp's now */
	fp->which = which;
	fp->pool = p;
	for (unsigned a = 0; p && a < p->ap.n_addrs; a++)
		if (set_addr(fp, afd, p->ap.addrs[a], fp->bt) < 0)
			goto fail_prev;
	for (unsigned a = 0; old && a < old->ap.n_addrs; a++)
		if (set_addr(fp, afd, old->ap.addrs[a], fp->bt) < 0)
			goto fail_prev;
	if (prev.fd >= 0) {
		uint32_t w = which ^ 1;

		bpf_map_delete_elem(outer, &w);	/* programs running now keep it until they end */
		slots_free(&prev);
	}
	return 0;
fail_prev:
	snprintf(err, errlen, "fast path: the pool's slots: %s", strerror(errno));
	slots_free(&prev);
	goto off;
fail:
	snprintf(err, errlen, "fast path: the pool's slots: %s", strerror(errno));
	slots_free(&next);
off:
	disable(fp);
	return -1;
}

static void
disable(struct fastpath *fp)
{
	struct prr_xdp_cfg x;
	uint32_t z = 0;

	memset(&x, 0, sizeof(x));
	bpf_map_update_elem(bpf_map__fd(fp->skel->maps.cfg), &z, &x, BPF_ANY);
	fp->active = false;
}

int
fastpath_sync(struct fastpath *fp, const struct prr_config *old, const struct btable *old_bt,
	      const struct prr_config *c, const struct btable *bt, char *err, size_t errlen)
{
	struct prr_xdp_cfg x;
	uint32_t z = 0;

	if (!fp)
		return 0;
	/* the rules first: the new bindings may rely on them, the old never did */
	for (unsigned i = 0; i < c->params.n_rules && i < PRR_XDP_MAX_RULES; i++) {
		struct prr_xdp_rule r;

		fill_rule(&c->params.rules[i], &r);
		if (bpf_map_update_elem(bpf_map__fd(fp->skel->maps.rules), &i, &r, BPF_ANY) < 0) {
			snprintf(err, errlen, "fast path: rule %u: %s", i, strerror(errno));
			goto fail;
		}
	}
	if (old && old->params.n_rules > c->params.n_rules) {
		/* fewer rules: stop using the ones that go before they change */
		fill_cfg(fp, old, &x);
		x.n_rules = c->params.n_rules;
		bpf_map_update_elem(bpf_map__fd(fp->skel->maps.cfg), &z, &x, BPF_ANY);
	}
	if (sync_bindings(fp, old_bt, bt, err, errlen) < 0)
		goto fail;
	fp->bt = bt;
	fill_cfg(fp, c, &x);
	if (bpf_map_update_elem(bpf_map__fd(fp->skel->maps.cfg), &z, &x, BPF_ANY) < 0) {
		snprintf(err, errlen, "fast path: parameters: %s", strerror(errno));
		goto fail;
	}
	fp->active = true;
	return 0;
fail:
	disable(fp);
	return -1;
}

/* ---- learnt path MTUs ------------------------------------------------- */

void
fastpath_pmtu(void *arg, const struct in6_addr *a, unsigned mtu, uint64_t expiry_ms)
{
	struct fastpath *fp = arg;
	/* the daemon's clock (clock_ms) is the program's; replay sets its own */
	struct prr_xdp_pmtu v = { .mtu = mtu, .expiry_ns = expiry_ms * 1000000 };
	int fd = bpf_map__fd(fp->skel->maps.pmtus);
	char b[INET6_ADDRSTRLEN];

	if (mtu ? bpf_map_update_elem(fd, a, &v, BPF_ANY) == 0 :
		  bpf_map_delete_elem(fd, a) == 0 || errno == ENOENT)
		return;
	/* the fast path would send what no longer fits: NFQUEUE only */
	log_warnx("fast path: path MTU of %s: %s; disabled", inet_ntop(AF_INET6, a, b, sizeof(b)),
		  strerror(errno));
	disable(fp);
}

void
fastpath_test_clock(struct fastpath *fp, uint64_t now_ms)
{
	uint64_t ns = now_ms * 1000000;
	uint32_t z = 0;

	if (fp && fp->test)
		bpf_map_update_elem(bpf_map__fd(fp->skel->maps.test_clock), &z, &ns, BPF_ANY);
}

/* ---- counters ---------------------------------------------------------- */

static bool
read_stats(const struct fastpath *fp, uint64_t sum[PRR_XDP_NSTATS])
{
	size_t sz = (sizeof(struct prr_xdp_stats) + 7) / 8 * 8;
	uint8_t *buf = calloc((size_t)fp->ncpu, sz);
	uint32_t z = 0;
	bool ok;

	memset(sum, 0, PRR_XDP_NSTATS * sizeof(uint64_t));
	if (!buf)
		return false;
	ok = bpf_map_lookup_elem(bpf_map__fd(fp->skel->maps.stats), &z, buf) == 0;
	for (int c = 0; ok && c < fp->ncpu; c++) {
		const struct prr_xdp_stats *s = (const void *)(buf + (size_t)c * sz);

		for (int i = 0; i < PRR_XDP_NSTATS; i++)
			sum[i] += s->n[i];
	}
	free(buf);
	return ok;
}

uint64_t
fastpath_stat(const struct fastpath *fp, enum prr_stat s)
{
	uint64_t sum[PRR_XDP_NSTATS], v = 0;

	if (!fp || !read_stats(fp, sum))
		return 0;
	for (int i = 0; i < N_NAMED; i++)
		if (named[i] == s)
			v += sum[i];
	return v;
}

uint64_t
fastpath_packets(const struct fastpath *fp)
{
	uint64_t sum[PRR_XDP_NSTATS];

	return fp && read_stats(fp, sum) ? sum[PRR_XDP_PACKETS] : 0;
}

size_t
fastpath_pass_reasons(const struct fastpath *fp, const char **names, uint64_t *counts,
		      size_t max)
{
	uint64_t sum[PRR_XDP_NSTATS];
	size_t n = 0;

	if (fp)
		read_stats(fp, sum);
	else
		memset(sum, 0, sizeof(sum));
	for (int i = PRR_XDP_PACKETS + 1; i < PRR_XDP_NSTATS && n < max; i++, n++) {
		/* PASS_NO_ROUTE -> "no_route" */
		static char lower[PRR_XDP_NSTATS][32];
		const char *s = xdp_stat_name[i] + strlen("PASS_");
		size_t k;

		for (k = 0; s[k] && k < sizeof(lower[i]) - 1; k++)
			lower[i][k] = (char)(s[k] >= 'A' && s[k] <= 'Z' ? s[k] - 'A' + 'a' : s[k]);
		lower[i][k] = '\0';
		names[n] = lower[i];
		counts[n] = sum[i];
	}
	return n;
}

/* ---- BPF_PROG_TEST_RUN ------------------------------------------------- */

int
fastpath_run(struct fastpath *fp, const uint8_t *frame, size_t len, uint8_t *out, size_t *outlen)
{
	LIBBPF_OPTS(bpf_test_run_opts, o);

	o.data_in = frame;
	o.data_size_in = (__u32)len;
	o.data_out = out;
	o.data_size_out = (__u32)*outlen;
	o.repeat = 1;
	if (bpf_prog_test_run_opts(bpf_program__fd(fp->skel->progs.prr_xdp), &o) < 0)
		return -1;
	*outlen = o.data_size_out;
	return (int)o.retval;
}

/* ---- start ------------------------------------------------------------- */

/* The interfaces to attach to: the configured ones, or every one but lo. */
static unsigned
interfaces(const struct prr_config *c, char names[][IF_NAMESIZE], unsigned max)
{
	struct if_nameindex *all, *i;
	unsigned n = 0;

	if (c->n_fast_ifs) {
		for (unsigned k = 0; k < c->n_fast_ifs && n < max; k++)
			snprintf(names[n++], IF_NAMESIZE, "%s", c->fast_ifs[k]);
		return n;
	}
	if (!(all = if_nameindex()))
		return 0;
	for (i = all; i->if_index && n < max; i++)
		if (strcmp(i->if_name, "lo") != 0)
			snprintf(names[n++], IF_NAMESIZE, "%s", i->if_name);
	if_freenameindex(all);
	return n;
}

struct fastpath *
fastpath_start(const struct prr_config *c, const struct btable *bt, const struct pool *pool,
	       bool *fatal, char *err, size_t errlen)
{
	char names[FASTPATH_MAX_IFS][IF_NAMESIZE], e[256], desc[512];
	struct fastpath *fp;
	uint64_t t0;
	unsigned n;

	*fatal = false;
	if (c->fast_path == FASTPATH_OFF)
		return NULL;
	if (!(fp = fastpath_open(false, e, sizeof(e)))) {
		snprintf(err, errlen, "fast path: %s", e);
		goto fail;
	}
	if (fastpath_sync(fp, NULL, NULL, c, bt, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "%s", e);
		goto fail;
	}
	/* the pool's live slots before any packet: a pool address is never half there */
	t0 = clock_ms();
	if (pool && fastpath_pool_sync(fp, NULL, pool, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "%s", e);
		goto fail;
	}
	if (pool)
		log_debug("fast path: the pool's %u slots loaded in %llu ms", pool->n,
			  (unsigned long long)(clock_ms() - t0));
	n = interfaces(c, names, FASTPATH_MAX_IFS);
	for (unsigned i = 0; i < n; i++) {
		bool native;

		if (fastpath_attach(fp, names[i], true, &native, e, sizeof(e)) == 0)
			continue;
		if (c->fast_path == FASTPATH_XDP || c->n_fast_ifs) {
			snprintf(err, errlen, "fast path: %s", e);
			goto fail;
		}
		log_warnx("fast path: %s; that interface stays on the NFQUEUE path", e);
	}
	if (fp->n_ifs == 0) {
		snprintf(err, errlen, "fast path: no interface to attach to");
		goto fail;
	}
	fastpath_describe(fp, desc, sizeof(desc));
	log_info("fast path: XDP on %s", desc);
	return fp;
fail:
	fastpath_close(fp);
	if (c->fast_path == FASTPATH_XDP) {
		*fatal = true;
		return NULL;
	}
	log_warnx("%s; fast_path = \"auto\": NFQUEUE only", err);
	return NULL;
}

void
fastpath_check(const struct prr_config *c, FILE *f)
{
	char names[FASTPATH_MAX_IFS][IF_NAMESIZE], e[256];
	struct fastpath *fp;
	unsigned n;

	if (c->fast_path == FASTPATH_OFF) {
		fprintf(f, "fast path: off (NFQUEUE only)\n");
		return;
	}
	n = interfaces(c, names, FASTPATH_MAX_IFS);
	fp = fastpath_open(false, e, sizeof(e));
	if (!fp) {
		fprintf(f, "fast path: %s: not available here (%s): %s\n",
			fastpath_mode_name(c->fast_path), e,
			c->fast_path == FASTPATH_XDP ? "prr will refuse to start" : "NFQUEUE only");
		return;
	}
	fastpath_close(fp);
	fprintf(f, "fast path: %s: XDP (native where the driver has it, else generic) on",
		fastpath_mode_name(c->fast_path));
	for (unsigned i = 0; i < n; i++)
		fprintf(f, " %s", names[i]);
	fprintf(f, "%s; NFQUEUE for the rest\n", n ? "" : " no interface (NFQUEUE only)");
}

void
fastpath_reply_stats(const struct fastpath *fp, FILE *f)
{
	static const char *const doc[] = {
		[PRR_XDP_PASS_MALFORMED] = "malformed in a way the NFQUEUE path judges and counts",
		[PRR_XDP_PASS_OPTIONS] = "IPv4 options or IPv6 extension headers",
		[PRR_XDP_PASS_FRAGMENT] = "fragments (reassembled there)",
		[PRR_XDP_PASS_ICMP] = "ICMP",
		[PRR_XDP_PASS_PROTOCOL] = "neither TCP nor UDP",
		[PRR_XDP_PASS_TTL] = "TTL expiring (time exceeded there)",
		[PRR_XDP_PASS_MTU] = "over the IPv4-side MTU, or over the (learnt) MTU toward the SMAP",
		[PRR_XDP_PASS_UNBOUND] = "unbound, and unbound_icmp asks for an ICMP error",
		[PRR_XDP_PASS_SPOOFED] = "spoofed source, and ipv6_side.generate_icmp asks for ICMPv6",
		[PRR_XDP_PASS_NO_ROUTE] = "no route or neighbour entry yet, or forwarding off",
		[PRR_XDP_PASS_CHECKSUM] = "TCP/UDP checksum wrong, or left to offload by a veth peer",
	};
	const char *names[PRR_XDP_NSTATS];
	uint64_t counts[PRR_XDP_NSTATS], total = 0;
	size_t n = fastpath_pass_reasons(fp, names, counts, PRR_XDP_NSTATS);

	fprintf(f, "fastpath_active\t%d\t1 while the XDP fast path is attached and its maps are in "
		"force, 0 when off or disabled by a failed map update\n", fp && fp->active && fp->n_ifs);
	fprintf(f, "fastpath_packets\t%llu\tpackets the XDP fast path forwarded or dropped itself\n",
		(unsigned long long)fastpath_packets(fp));
	for (size_t i = 0; i < n; i++)
		total += counts[i];
	fprintf(f, "fastpath_to_slowpath\t%llu\tpackets the fast path passed to the NFQUEUE path\n",
		(unsigned long long)total);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "fastpath_to_slowpath_%s\t%llu\tpassed on: %s\n", names[i],
			(unsigned long long)counts[i], doc[PRR_XDP_PACKETS + 1 + i]);
}
