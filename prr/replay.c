/* SPDX-License-Identifier: MIT */
/*
 * prr replay -c CONF [--in4 FILE] [--in6 FILE] [--out4 FILE] [--out6 FILE]
 *
 * Feeds captured packets through the data path exactly as the NFQUEUE
 * workers do (bursts of one kind, ICMPv6 one at a time), with the
 * configuration's binding table and policies, and writes what the PRR
 * would send toward the Internet (out4) and toward the SMAPs (out6).
 * No sockets, no privileges: for operators checking a configuration
 * against captured traffic, and for the conformance tests.
 *
 * Input: classic pcap (either byte order, micro- or nanoseconds) of
 * Ethernet (802.1Q/802.1ad tags skipped), raw IP, Linux cooked (SLL,
 * SLL2) or BSD loopback frames; frames that are not IPv4/IPv6 are
 * skipped. Each packet goes to the data path by its IP version, as
 * NFQUEUE would hand it over: IPv4 from the Internet, IPv6 from SMAPs.
 * The two inputs are merged by capture time (IPv4 first on ties).
 * Output: pcap, LINKTYPE_RAW (bare IP packets).
 *
 * --xdp: every packet goes through the XDP fast path first (the program
 * prr runs with fast_path, driven by BPF_PROG_TEST_RUN; needs CAP_BPF):
 * what it forwards is written out, what it passes goes on to the data
 * path as above, as the kernel would pass it to NFQUEUE. A passed
 * packet must come back unchanged; the replay fails otherwise.
 *
 * With a registration pool in the configuration, its addresses are the
 * PRR's as in prr, and the SMAPs registered in its state_file are loaded
 * (read only, as prr starts with them: the replay's clock expires
 * nobody) into the pool both paths read.
 *
 * Time: a fixed clock that starts at 1 ms and advances 1 ms per packet,
 * so a replay is the same every time; --capture-time uses the capture's
 * timestamps instead (reassembly timeouts, ICMP rate limits as captured).
 * With --xdp the program reads that clock too (learnt path MTUs expire by it).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prr/config.h"
#include "prr/datapath.h"
#include "prr/fastpath.h"
#include "pkt.h"
#include "prr/pcap.h"
#include "prr/registry.h"
#include "prr/replay.h"
#include "prr/store.h"

#define ETH_FRAME_MAX		(14 + PRR_PKT_MAX + 256)
struct pcap_out {
	FILE *f;
	const char *path;
	unsigned long packets;
};

struct replay {
	struct prr_ctx *ctx;
	struct pcap_out out[2];		/* by enum prr_side */
	uint64_t now_ms, last_tick;
	bool capture_time, burst;
	uint64_t t0_ns;
	bool have_t0;
	/* a burst of packets of one kind, as a worker collects them */
	int kind;			/* 4, 6 or 0 (empty) */
	size_t n;
	uint8_t *slot[PRR_BURST];
	const uint8_t *ptr[PRR_BURST];
	size_t len[PRR_BURST];
	unsigned long in[2], passed;
	/* --xdp */
	struct fastpath *fp;
	uint8_t *frame, *xout;
	unsigned long fast, fast_dropped, fast_errors;
};

static int
pcap_out_open(struct pcap_out *o, const char *path)
{
	uint8_t h[24] = { 0 };

	o->path = path;
	o->f = fopen(path, "wb");
	if (!o->f) {
		fprintf(stderr, "prr replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* host byte order, as readers expect: the magic tells them which */
	*(uint32_t *)(void *)h = 0xa1b2c3d4;
	*(uint16_t *)(void *)(h + 4) = 2;
	*(uint16_t *)(void *)(h + 6) = 4;
	*(uint32_t *)(void *)(h + 16) = PCAP_SNAPLEN;
	*(uint32_t *)(void *)(h + 20) = LINKTYPE_RAW;
	if (fwrite(h, 1, sizeof(h), o->f) != sizeof(h)) {
		fprintf(stderr, "prr replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void
replay_emit(void *arg, enum prr_side side, const uint8_t *pkt, size_t len)
{
	struct replay *r = arg;
	struct pcap_out *o = &r->out[side];
	uint32_t h[4];

	o->packets++;
	if (!o->f)
		return;
	h[0] = (uint32_t)(r->now_ms / 1000);
	h[1] = (uint32_t)(r->now_ms % 1000 * 1000);
	h[2] = h[3] = (uint32_t)len;
	if (fwrite(h, 1, sizeof(h), o->f) != sizeof(h) || fwrite(pkt, 1, len, o->f) != len)
		r->ctx->stats[PRR_STAT_TX_ERRORS]++;
}

/* Run the packets collected so far, as a worker runs one batch. */
static void
flush(struct replay *r)
{
	if (r->n == 0)
		return;
	if (r->kind == 4)
		prr_from_inet_burst(r->ctx, r->ptr, r->len, r->n, r->now_ms);
	else
		prr_from_smap_burst(r->ctx, r->ptr, r->len, r->n, r->now_ms);
	r->n = 0;
	r->kind = 0;
}

static void
tick(struct replay *r)
{
	if (r->now_ms - r->last_tick >= 1000) {
		r->last_tick = r->now_ms;
		prr_tick(r->ctx, r->now_ms);
	}
}

/*
 * The fast path's turn: true if it took the packet (forwarded or
 * dropped it), false if it passed it on to the slow path.
 */
static bool
feed_xdp(struct replay *r, const uint8_t *pkt, size_t len, int kind)
{
	size_t outlen = ETH_FRAME_MAX;
	int act;

	memset(r->frame, 0, 12);
	r->frame[12] = kind == 6 ? 0x86 : 0x08;
	r->frame[13] = 0xdd * (kind == 6);
	memcpy(r->frame + 14, pkt, len);
	fastpath_test_clock(r->fp, r->now_ms);
	act = fastpath_run(r->fp, r->frame, 14 + len, r->xout, &outlen);
	if (act < 0) {
		fprintf(stderr, "prr replay: BPF_PROG_TEST_RUN: %s\n", strerror(errno));
		r->fast_errors++;
		return true;
	}
	switch (act) {
	case 1:		/* XDP_DROP */
		r->fast++;
		r->fast_dropped++;
		return true;
	case 2:		/* XDP_PASS */
		if (outlen != 14 + len || memcmp(r->xout, r->frame, outlen) != 0) {
			fprintf(stderr, "prr replay: the fast path passed on a packet it changed\n");
			r->fast_errors++;
		}
		return false;
	case 3:		/* XDP_TX */
	case 4:		/* XDP_REDIRECT */
		if (outlen < 14 + 20) {
			r->fast_errors++;
			return true;
		}
		flush(r);	/* what the slow path holds was first */
		r->fast++;
		replay_emit(r, r->xout[14] >> 4 == 6 ? PRR_SIDE_V6 : PRR_SIDE_V4,
			    r->xout + 14, outlen - 14);
		return true;
	}
	fprintf(stderr, "prr replay: the fast path returned XDP action %d\n", act);
	r->fast_errors++;
	return true;
}

static void
feed(struct replay *r, const uint8_t *pkt, size_t len, uint64_t ts_ns)
{
	int kind = pkt[0] >> 4;
	enum prr_verdict v;

	r->in[kind == 6]++;
	if (r->capture_time) {
		uint64_t t;

		if (!r->have_t0) {
			r->t0_ns = ts_ns;
			r->have_t0 = true;
		}
		t = 1 + (ts_ns > r->t0_ns ? (ts_ns - r->t0_ns) / 1000000 : 0);
		if (t > r->now_ms) {
			flush(r);	/* a batch has one time */
			r->now_ms = t;
		}
	} else {
		r->now_ms++;
	}
	if (r->fp && (kind == 4 || kind == 6) && feed_xdp(r, pkt, len, kind)) {
		if (r->n == 0)
			tick(r);
		return;
	}
	/* like nfq.c: ICMPv6 alone (it may be the kernel's), the rest in bursts */
	if (!r->burst || (kind == 6 && len >= IPV6_HDR_LEN && pkt[6] == IPPROTO_ICMPV6)) {
		flush(r);
		v = kind == 6 ? prr_from_smap(r->ctx, pkt, len, r->now_ms)
			      : prr_from_inet(r->ctx, pkt, len, r->now_ms);
		if (v == PRR_PASS)
			r->passed++;
	} else {
		if (r->kind != kind || r->n == PRR_BURST)
			flush(r);
		r->kind = kind;
		memcpy(r->slot[r->n], pkt, len);
		r->ptr[r->n] = r->slot[r->n];
		r->len[r->n] = len;
		r->n++;
	}
	if (r->n == 0)
		tick(r);
}

/* The configuration's pool and static bindings, and its state_file's registrations, into reg. */
static int
load_registry(struct registry *reg, const struct prr_config *cfg)
{
	struct store_report rep;
	struct store *st;
	char e[256];
	int rc;

	if (registry_init(reg, &cfg->reg.ap) < 0) {
		fprintf(stderr, "prr replay: out of memory for the pool\n");
		return -1;
	}
	/* as prr: a registered set that a static binding overlaps is dropped */
	for (size_t i = 0; i < btable_count(cfg->bt); i++) {
		struct reg_entry en = { .b = *btable_at(cfg->bt, i), .origin = REG_CONFIG };

		registry_add(reg, &en, e, sizeof(e));
	}
	if (!cfg->state_file[0] || access(cfg->state_file, F_OK) != 0)
		return 0;	/* nobody registered yet: the pool's addresses are still the PRR's */
	if (!(st = store_journal_open_readonly(cfg->state_file, e, sizeof(e)))) {
		fprintf(stderr, "prr replay: %s\n", e);
		return -1;
	}
	rc = store_load(st, reg, &rep, e, sizeof(e));
	store_close(st);
	if (rc < 0) {
		fprintf(stderr, "prr replay: %s\n", e);
		return -1;
	}
	fprintf(stderr, "prr replay: %s: %zu registrations\n", cfg->state_file,
		registry_count(reg) - btable_count(cfg->bt));
	return 0;
}

static void
replay_usage(void)
{
	fprintf(stderr, "usage: prr replay -c FILE [--in4 PCAP] [--in6 PCAP] "
		"[--out4 PCAP] [--out6 PCAP] [--capture-time] [--no-burst] [--xdp] [-v]\n"
		"  -c FILE         configuration to run (prr.conf)\n"
		"  --in4 PCAP      packets arriving from the Internet (IPv4 side)\n"
		"  --in6 PCAP      packets arriving from the SMAPs (IPv6 side)\n"
		"  --out4 PCAP     write what the PRR sends toward the Internet\n"
		"  --out6 PCAP     write what the PRR sends toward the SMAPs\n"
		"  --capture-time  clock from the capture timestamps (default: 1 ms a packet)\n"
		"  --no-burst      one packet at a time instead of bursts as the workers do\n"
		"  --xdp           the XDP fast path first (BPF_PROG_TEST_RUN), then the rest\n"
		"  -v              print every non-zero counter\n");
	exit(2);
}

int
replay_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "in4", required_argument, NULL, '4' },
		{ "in6", required_argument, NULL, '6' },
		{ "out4", required_argument, NULL, 'o' },
		{ "out6", required_argument, NULL, 'O' },
		{ "capture-time", no_argument, NULL, 't' },
		{ "no-burst", no_argument, NULL, 'B' },
		{ "xdp", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = NULL, *in_path[2] = { NULL, NULL }, *out_path[2] = { NULL, NULL };
	struct pcap_in in[2];
	struct prr_config cfg;
	struct conf_err err;
	struct pmtu_cache *pmtu = NULL;
	struct replay r;
	struct registry reg;
	int ch, verbose = 0, rc = 1;
	bool xdp = false, registered = false;

	memset(&r, 0, sizeof(r));
	memset(in, 0, sizeof(in));
	r.burst = true;
	while ((ch = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': conf = optarg; break;
		case '4': in_path[0] = optarg; break;
		case '6': in_path[1] = optarg; break;
		case 'o': out_path[PRR_SIDE_V4] = optarg; break;
		case 'O': out_path[PRR_SIDE_V6] = optarg; break;
		case 't': r.capture_time = true; break;
		case 'B': r.burst = false; break;
		case 'x': xdp = true; break;
		case 'v': verbose++; break;
		default: replay_usage();
		}
	}
	if (optind != argc || !conf || (!in_path[0] && !in_path[1]))
		replay_usage();
	if (prr_config_load(conf, &cfg, &err) < 0) {
		fputs(err.text, stderr);
		return 1;
	}
	pmtu = pmtu_new(PMTU_SLOTS);
	r.ctx = malloc(sizeof(*r.ctx));
	for (size_t i = 0; i < PRR_BURST; i++)
		if (!(r.slot[i] = malloc(PRR_PKT_MAX)))
			goto nomem;
	if (!pmtu || !r.ctx)
		goto nomem;
	if (prr_ctx_init(r.ctx, &cfg.params, cfg.bt, pmtu, replay_emit, &r) < 0) {
		free(r.ctx);
		r.ctx = NULL;
		goto nomem;
	}
	if (cfg.reg.enabled && !cfg.store_pg) {
		registered = true;
		if (load_registry(&reg, &cfg) < 0)
			goto out;
		r.ctx->pool = reg.pool;
	}
	if (xdp) {
		char e[256];

		r.frame = malloc(ETH_FRAME_MAX);
		r.xout = malloc(ETH_FRAME_MAX);
		if (!r.frame || !r.xout)
			goto nomem;
		if (!(r.fp = fastpath_open(true, e, sizeof(e))) ||
		    fastpath_sync(r.fp, NULL, NULL, &cfg, cfg.bt, e, sizeof(e)) < 0 ||
		    (registered && fastpath_pool_sync(r.fp, NULL, reg.pool, e, sizeof(e)) < 0)) {
			fprintf(stderr, "prr replay: %s\n", e);
			goto out;
		}
		pmtu_watch(pmtu, fastpath_pmtu, r.fp);	/* as the daemon does */
	}
	for (int s = 0; s < 2; s++) {
		if (in_path[s] && pcap_in_open(&in[s], in_path[s]) < 0)
			goto out;
		if (out_path[s] && pcap_out_open(&r.out[s], out_path[s]) < 0)
			goto out;
	}

	/* merge the two captures by time; the IPv4 side first on a tie */
	for (;;) {
		struct pcap_in *p;
		size_t iplen;
		long off;

		if (in[0].have && (!in[1].have || in[0].ts_ns <= in[1].ts_ns))
			p = &in[0];
		else if (in[1].have)
			p = &in[1];
		else
			break;
		if (p->caplen < p->origlen) {
			p->truncated++;		/* cut by the capture's snap length */
		} else if ((off = pcap_frame_ip(p->linktype, p->buf, p->caplen, &iplen)) < 0 ||
			   iplen > PRR_PKT_MAX) {
			p->skipped++;
		} else {
			feed(&r, p->buf + off, iplen, p->ts_ns);
		}
		pcap_in_next(p);
	}
	flush(&r);
	rc = 0;
	for (int s = 0; s < 2; s++) {
		if (in[s].f && ferror(in[s].f)) {
			fprintf(stderr, "prr replay: %s: read error\n", in[s].path);
			rc = 1;
		}
		if (in[s].skipped)
			fprintf(stderr, "prr replay: %s: %lu frame(s) not IP, skipped\n",
				in[s].path, in[s].skipped);
		if (in[s].truncated)
			fprintf(stderr, "prr replay: %s: %lu frame(s) cut short by the "
				"capture's snap length, skipped\n", in[s].path, in[s].truncated);
	}
	fprintf(stderr, "prr replay: in %lu IPv4, %lu IPv6; out %lu IPv4 side, %lu IPv6 side; "
		"%lu left to the host\n", r.in[0], r.in[1], r.out[PRR_SIDE_V4].packets,
		r.out[PRR_SIDE_V6].packets, r.passed);
	if (r.fp) {
		const char *names[32];
		uint64_t counts[32];
		size_t nr = fastpath_pass_reasons(r.fp, names, counts, 32);

		fprintf(stderr, "prr replay: fast path took %lu (%lu dropped), passed %lu:",
			r.fast, r.fast_dropped, r.in[0] + r.in[1] - r.fast);
		for (size_t i = 0; i < nr; i++)
			if (counts[i])
				fprintf(stderr, " %s %llu", names[i], (unsigned long long)counts[i]);
		fputc('\n', stderr);
		if (r.fast_errors || fastpath_packets(r.fp) != r.fast) {
			fprintf(stderr, "prr replay: fast path: %lu error(s), it counted %llu "
				"packets, %lu seen\n", r.fast_errors,
				(unsigned long long)fastpath_packets(r.fp), r.fast);
			rc = 1;
		}
	}
	if (verbose)
		for (int i = 0; i < PRR_STAT_MAX; i++) {
			uint64_t v = r.ctx->stats[i] + fastpath_stat(r.fp, (enum prr_stat)i);

			if (v)
				fprintf(stderr, "  %-26s %llu\n", prr_stat_desc[i].name,
					(unsigned long long)v);
		}
	goto out;
nomem:
	fprintf(stderr, "prr replay: out of memory\n");
out:
	for (int s = 0; s < 2; s++) {
		pcap_in_close(&in[s]);
		if (r.out[s].f && fclose(r.out[s].f) != 0) {
			fprintf(stderr, "prr replay: %s: %s\n", r.out[s].path, strerror(errno));
			rc = 1;
		}
	}
	if (r.ctx) {
		prr_ctx_fini(r.ctx);
		free(r.ctx);
	}
	for (size_t i = 0; i < PRR_BURST; i++)
		free(r.slot[i]);
	pmtu_free(pmtu);
	fastpath_close(r.fp);
	if (registered)
		registry_free(&reg);
	free(r.frame);
	free(r.xout);
	prr_config_free(&cfg);
	return rc;
}
