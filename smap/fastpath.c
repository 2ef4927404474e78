/* SPDX-License-Identifier: MIT */
/*
 * The TC eBPF fast path's loader (see fastpath.h, bpf/smap_tc.bpf.c).
 *
 * The programs are built into smap (a libbpf skeleton) and attached with
 * clsact: smap_egress on the TUN's egress, smap_ingress on the WAN's
 * ingress, each as filter handle FP_HANDLE, priority FP_PRIO. The TUN
 * goes away with the process (and its filter with it); the WAN's filter
 * is removed at stop, and at start when a crashed smap left it behind.
 * Nothing is pinned: the maps live as long as the programs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "bpf/smap_tc.h"
#include "build/bpf/smap_tc.skel.h"
#include "smap/fastpath.h"
#include "smap/smap.h"

#define FP_HANDLE	0x534d	/* "SM" */
#define FP_PRIO		0x534d

static const struct {
	const char *name, *doc;
} tc_stat_desc[SMAP_TC_STAT_MAX] = {
#define X(id, name, doc) [SMAP_TC_##id] = { name, doc },
	SMAP_TC_STATS(X)
#undef X
};

static struct fastpath {
	struct smap_tc_bpf *skel;
	int tun_ifindex;		/* where smap_egress is attached */
	int wan_ifindex;		/* where smap_ingress is attached */
	bool wan_hook_ours;		/* we made the WAN's clsact: destroy it at stop */
	uint64_t total[SMAP_TC_STAT_MAX];	/* as last read from the kernel */
	uint64_t folded[SMAP_TC_STAT_MAX];	/* as last added to s->stats */
} fp;

static int
libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[512];

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("libbpf: %s", line);
	return 0;
}

static struct smap_tc_bpf *
load(char *why, size_t len)
{
	struct smap_tc_bpf *skel;
	int err;

	libbpf_set_print(libbpf_log);
	skel = smap_tc_bpf__open();
	if (!skel) {
		snprintf(why, len, "cannot open the BPF object: %s", strerror(errno));
		return NULL;
	}
	err = smap_tc_bpf__load(skel);
	if (err) {
		snprintf(why, len, "the kernel refused the TC programs: %s", strerror(-err));
		smap_tc_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

void
fastpath_describe(const struct smap_config *c, char *buf, size_t len)
{
	struct smap_tc_bpf *skel;
	char why[200];

	if (c->fast_path == SMAP_FAST_PATH_OFF) {
		snprintf(buf, len, "off (fast_path = \"off\"): the TUN path carries everything");
		return;
	}
	skel = load(why, sizeof(why));
	if (skel) {
		smap_tc_bpf__destroy(skel);
		snprintf(buf, len, "bpf (TC eBPF on %s egress and %s ingress; the TUN path for "
			 "the exceptions)", c->tun_name, c->wan_if);
	} else if (c->fast_path == SMAP_FAST_PATH_BPF) {
		snprintf(buf, len, "bpf, but it will not start: %s", why);
	} else {
		snprintf(buf, len, "off (fast_path = \"auto\": %s): the TUN path carries everything",
			 why);
	}
}

bool
fastpath_active(const struct smap *s)
{
	(void)s;
	return fp.skel != NULL;
}

/* The WAN's link header length: 14 on Ethernet, 0 on a raw-IP link. */
static unsigned
wan_l2_len(const char *ifname)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	unsigned l2 = 14;

	if (fd < 0)
		return l2;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0 && ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		l2 = 0;
	close(fd);
	return l2;
}

/*
 * Our softwire address: the live one (wan.address, the MAP address), or
 * what the kernel picks toward the PRR.
 */
static bool
local_address(const struct smap *s, struct in6_addr *a)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(9) };
	socklen_t sl = sizeof(sa);
	int fd;
	bool ok;

	if (s->live.has_wan_addr) {
		*a = s->live.wan_addr;
		return true;
	}
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	sa.sin6_addr = s->live.params.prr;
	setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, s->cfg.wan_if, (socklen_t)strlen(s->cfg.wan_if));
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	     getsockname(fd, (struct sockaddr *)&sa, &sl) == 0;
	close(fd);
	if (ok)
		*a = sa.sin6_addr;
	return ok;
}

static int
attach(int ifindex, enum bpf_tc_attach_point where, int prog_fd, bool *made)
{
	struct bpf_tc_hook hook = { .sz = sizeof(hook), .ifindex = ifindex, .attach_point = where };
	struct bpf_tc_opts opts = {
		.sz = sizeof(opts), .handle = FP_HANDLE, .priority = FP_PRIO,
		.prog_fd = prog_fd, .flags = BPF_TC_F_REPLACE,
	};
	int err = bpf_tc_hook_create(&hook);

	if (err && err != -EEXIST)
		return err;
	if (made)
		*made = err == 0;
	return bpf_tc_attach(&hook, &opts);
}

/* Remove our filter from ifindex; whether there was one. */
static bool
detach(int ifindex, enum bpf_tc_attach_point where)
{
	struct bpf_tc_hook hook = { .sz = sizeof(hook), .ifindex = ifindex, .attach_point = where };
	struct bpf_tc_opts opts = { .sz = sizeof(opts), .handle = FP_HANDLE, .priority = FP_PRIO };

	return bpf_tc_detach(&hook, &opts) == 0;
}

static void
destroy_clsact(int ifindex)
{
	struct bpf_tc_hook hook = {
		.sz = sizeof(hook), .ifindex = ifindex, .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS,
	};

	bpf_tc_hook_destroy(&hook);
}

int
fastpath_start(struct smap *s)
{
	char why[200];
	int wan = (int)if_nametoindex(s->cfg.wan_if), err;
	bool insist = s->cfg.fast_path == SMAP_FAST_PATH_BPF;

	if (s->cfg.fast_path == SMAP_FAST_PATH_OFF || fp.skel)
		return 0;
	libbpf_set_print(libbpf_log);	/* before the first call: no stray stderr */
	/* a crashed smap's filter, found on the WAN: it goes, and the clsact we made with it */
	if (wan > 0 && detach(wan, BPF_TC_INGRESS)) {
		log_info("fast path: removed the TC filter a previous smap left on %s", s->cfg.wan_if);
		fp.wan_hook_ours = true;
	}
	fp.skel = load(why, sizeof(why));
	if (!fp.skel)
		goto fail;
	if (wan <= 0) {
		snprintf(why, sizeof(why), "no interface %s", s->cfg.wan_if);
		goto fail;
	}
	fp.wan_ifindex = wan;
	fp.tun_ifindex = s->tun_ifindex;
	memset(fp.total, 0, sizeof(fp.total));
	memset(fp.folded, 0, sizeof(fp.folded));
	fastpath_update(s);
	err = attach(fp.tun_ifindex, BPF_TC_EGRESS, bpf_program__fd(fp.skel->progs.smap_egress), NULL);
	if (!err) {
		bool made = false;

		err = attach(wan, BPF_TC_INGRESS, bpf_program__fd(fp.skel->progs.smap_ingress), &made);
		fp.wan_hook_ours |= made;
	}
	if (err) {
		snprintf(why, sizeof(why), "cannot attach to %s/%s: %s", s->cfg.tun_name,
			 s->cfg.wan_if, strerror(-err));
		fastpath_stop(s);
		goto fail;
	}
	log_info("fast path: TC eBPF on %s egress and %s ingress", s->cfg.tun_name, s->cfg.wan_if);
	return 0;
fail:
	if (fp.skel) {
		smap_tc_bpf__destroy(fp.skel);
		fp.skel = NULL;
	}
	if (insist) {
		log_warnx("fast path (fast_path = \"bpf\"): %s", why);
		return -1;
	}
	log_info("fast path off (fast_path = \"auto\"): %s; the TUN path carries everything", why);
	return 0;
}

static void
set_block(void *arg, uint16_t lo, uint16_t hi)
{
	struct smap_tc_ports *p = arg;

	for (uint32_t port = lo; port <= hi; port++)
		p->bits[port >> 3] |= (uint8_t)(1u << (port & 7));
}

static bool
fmr_listed(const struct smap_params *pp, const struct smap_tc_fmr_key *k)
{
	for (unsigned i = 0; i < pp->n_fmr; i++)
		if (k->prefixlen == pp->fmr[i].plen4 && k->addr == htonl(pp->fmr[i].prefix4))
			return true;
	return false;
}

/* The FMR prefixes: the new ones in first, then the old ones out (no gap). */
static void
fmr_sync(const struct smap_params *pp)
{
	int fd = bpf_map__fd(fp.skel->maps.smap_tc_fmr);
	struct smap_tc_fmr_key k, next, *prev = NULL;
	uint32_t one = 1;

	for (unsigned i = 0; i < pp->n_fmr; i++) {
		k.prefixlen = pp->fmr[i].plen4;
		k.addr = htonl(pp->fmr[i].prefix4);
		bpf_map_update_elem(fd, &k, &one, BPF_ANY);
	}
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		k = next;
		if (!fmr_listed(pp, &k) && bpf_map_delete_elem(fd, &k) == 0)
			prev = NULL;	/* walk again from the start */
		else
			prev = &k;
	}
}

void
fastpath_update(struct smap *s)
{
	static struct smap_tc_ports ports;
	const struct smap_params *pp = &s->live.params;
	struct smap_tc_cfg c;
	struct in6_addr local = IN6ADDR_ANY_INIT;
	uint32_t zero = 0;
	int cfd, err;

	if (!fp.skel)
		return;
	/* the TUN was made again (a new address): its filter with it */
	if (s->tun_ifindex != fp.tun_ifindex && s->tun_fd >= 0) {
		err = attach(s->tun_ifindex, BPF_TC_EGRESS,
			     bpf_program__fd(fp.skel->progs.smap_egress), NULL);
		if (err)
			log_warnx("fast path: cannot attach to %s: %s; the TUN path carries "
				  "outbound traffic", s->cfg.tun_name, strerror(-err));
		fp.tun_ifindex = s->tun_ifindex;
	}
	memset(&c, 0, sizeof(c));
	c.enabled = s->up && s->live.bound && s->tun_fd >= 0 && local_address(s, &local);
	c.ipv4 = htonl(pp->ipv4);
	c.mtu = pp->mtu;
	c.wan_ifindex = (uint32_t)fp.wan_ifindex;
	c.tun_ifindex = (uint32_t)s->tun_ifindex;
	c.hop_limit = s->cfg.hop_limit;
	c.has_fmr = pp->n_fmr > 0;
	c.wan_l2 = wan_l2_len(s->cfg.wan_if);
	memcpy(c.local, &local, 16);
	memcpy(c.prr, &pp->prr, 16);
	c.n_peers = pp->n_peers < SMAP_TC_MAX_PEERS ? pp->n_peers : SMAP_TC_MAX_PEERS;
	memcpy(c.peers, pp->peers, c.n_peers * 16);

	memset(&ports, 0, sizeof(ports));
	portset_blocks(&pp->ps, set_block, &ports);
	bpf_map_update_elem(bpf_map__fd(fp.skel->maps.smap_tc_ports), &zero, &ports, BPF_ANY);

	fmr_sync(pp);
	cfd = bpf_map__fd(fp.skel->maps.smap_tc_config);
	if (bpf_map_update_elem(cfd, &zero, &c, BPF_ANY) < 0)
		log_warn("fast path: cannot update its configuration");
	if (!c.enabled && s->up && s->live.bound)
		log_info("fast path: no softwire address toward the PRR yet; the TUN path for now");
}

void
fastpath_stop(struct smap *s)
{
	if (!fp.skel)
		return;
	fastpath_fold(s);
	if (fp.wan_ifindex > 0) {
		detach(fp.wan_ifindex, BPF_TC_INGRESS);
		if (fp.wan_hook_ours)
			destroy_clsact(fp.wan_ifindex);
	}
	if (fp.tun_ifindex > 0 && s->tun_fd >= 0)
		detach(fp.tun_ifindex, BPF_TC_EGRESS);
	smap_tc_bpf__destroy(fp.skel);
	fp.skel = NULL;
	fp.wan_hook_ours = false;
}

static void
read_counters(void)
{
	int fd, ncpu = libbpf_num_possible_cpus();

	if (!fp.skel || ncpu <= 0)
		return;
	fd = bpf_map__fd(fp.skel->maps.smap_tc_stats);
	{
		uint64_t v[ncpu];

		for (uint32_t i = 0; i < SMAP_TC_STAT_MAX; i++) {
			uint64_t sum = 0;

			if (bpf_map_lookup_elem(fd, &i, v) < 0)
				continue;
			for (int c = 0; c < ncpu; c++)
				sum += v[c];
			fp.total[i] = sum;
		}
	}
}

void
fastpath_fold(struct smap *s)
{
	uint64_t d;

	read_counters();
	d = fp.total[SMAP_TC_OUT] - fp.folded[SMAP_TC_OUT];
	s->stats[SMAP_STAT_OUT_PACKETS] += d;
	s->stats[SMAP_STAT_OUT_ENCAPSULATED] += d;
	d = fp.total[SMAP_TC_IN] - fp.folded[SMAP_TC_IN];
	s->stats[SMAP_STAT_IN_PACKETS] += d;
	s->stats[SMAP_STAT_IN_DELIVERED] += d;
	memcpy(fp.folded, fp.total, sizeof(fp.folded));
}

void
fastpath_stats(struct smap *s, FILE *f)
{
	uint64_t slow = 0;

	fastpath_fold(s);
	for (int i = SMAP_TC_SLOW_FRAGMENT; i < SMAP_TC_STAT_MAX; i++)
		slow += fp.total[i];
	fprintf(f, "fastpath_packets\t%llu\t%s\n",
		(unsigned long long)(fp.total[SMAP_TC_OUT] + fp.total[SMAP_TC_IN]),
		"packets the kernel fast path (TC eBPF) carried, both ways");
	fprintf(f, "fastpath_to_slowpath\t%llu\t%s\n", (unsigned long long)slow,
		"packets the fast path left to the TUN path (sum of the reasons below)");
	for (int i = 0; i < SMAP_TC_STAT_MAX; i++)
		fprintf(f, "%s\t%llu\t%s\n", tc_stat_desc[i].name,
			(unsigned long long)fp.total[i], tc_stat_desc[i].doc);
}

void
fastpath_status(struct smap *s, FILE *f)
{
	(void)s;
	fprintf(f, "fast_path\t%s\n", fp.skel ? "bpf" : "off");
}
