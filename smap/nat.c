/* SPDX-License-Identifier: MIT */
/*
 * NAPT44 into the port set, through libnftables, in a table of our own
 * ("ip smap") that goes away at stop:
 *
 *  - srcnat: everything leaving by the TUN (the LAN's and the SMAP's own
 *    traffic) is mapped to the shared address and a port of the set; TCP,
 *    UDP and ICMP echo identifiers alike. A PSID set uses every one of its
 *    blocks: numgen picks a block per new connection (the kernel maps
 *    within one contiguous range per rule).
 *  - input/forward: from the TUN, only what conntrack knows (and echo
 *    requests to the SMAP itself) passes; the rest is counted as
 *    "unmapped" and dropped.
 *  - mss: TCP MSS clamped to the softwire MTU both ways.
 *  - ftp: LAN FTP control connections go to our ALG (ftp.c); the kernel's
 *    FTP helper is assigned to the ALG's own connections, so the data
 *    connections it announces are RELATED.
 *
 * and a second table, "inet smap_guard", IPv4 and IPv6 alike: the SMAP's
 * own services (PCP 5351, SSDP 1900, the FTP ALG, UPnP's HTTP ports)
 * answer the LAN only. Whatever else reaches them (from the WAN over
 * IPv6, from the softwire) is counted as "wan_refused" and dropped.
 */
#include <arpa/inet.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <nftables/libnftables.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pcp.h"
#include "smap/smap.h"

#define TABLE	"ip smap"
#define GUARD	"inet smap_guard"

struct sbuf {
	char *s;
	size_t len, cap;
};

static void __attribute__((format(printf, 2, 3)))
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			fatalx("vsnprintf");
		if (b->s && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			fatal("realloc");
	}
}

/* Run an nft script; on failure log nft's own error text. */
int
nft_run(const char *script, char **output)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	int rc;

	if (!ctx) {
		log_warnx("nft_ctx_new failed");
		return -1;
	}
	nft_ctx_buffer_error(ctx);
	if (output)
		nft_ctx_buffer_output(ctx);
	rc = nft_run_cmd_from_buffer(ctx, script);
	if (rc != 0) {
		const char *err = nft_ctx_get_error_buffer(ctx);
		log_warnx("nft: %s", err && *err ? err : "failed");
		log_debug("nft script was:\n%s", script);
	} else if (output) {
		*output = strdup(nft_ctx_get_output_buffer(ctx));
	}
	nft_ctx_free(ctx);
	return rc == 0 ? 0 : -1;
}

struct blocks {
	struct sbuf *b;
	const char *addr;
	unsigned n;
};

static void
block_elem(void *arg, uint16_t lo, uint16_t hi)
{
	struct blocks *w = arg;

	sb_printf(w->b, "%s%u : %s . %u-%u", w->n ? ", " : "", w->n, w->addr, lo, hi);
	w->n++;
}

struct first_block {
	unsigned n;
	uint16_t lo, hi;
};

static void
count_block(void *arg, uint16_t lo, uint16_t hi)
{
	struct first_block *f = arg;

	if (f->n++ == 0) {
		f->lo = lo;
		f->hi = hi;
	}
}

/* "192.0.2.1:10000-10999" or a numgen map over every block of a PSID set */
static void
snat_target(struct sbuf *b, const struct smap_params *p)
{
	char addr[INET_ADDRSTRLEN];
	uint32_t n = htonl(p->ipv4);
	struct first_block f = { 0 };
	struct blocks w = { .b = b, .addr = addr };

	inet_ntop(AF_INET, &n, addr, sizeof(addr));
	portset_blocks(&p->ps, count_block, &f);
	if (f.n == 1) {
		sb_printf(b, "%s:%u-%u", addr, f.lo, f.hi);
		return;
	}
	sb_printf(b, "numgen inc mod %u map { ", f.n);
	portset_blocks(&p->ps, block_elem, &w);
	sb_printf(b, " }");
}

static void
mss_rules(struct sbuf *b, const struct smap *s)
{
	const char *tun = s->cfg.tun_name;
	unsigned mss = s->tun_mtu - 40;	/* IPv4 + TCP headers */

	if (!s->cfg.mss_clamp)
		return;
	sb_printf(b, "add rule " TABLE " mss oifname \"%s\" tcp flags syn "
		  "tcp option maxseg size set rt mtu\n", tun);
	sb_printf(b, "add rule " TABLE " mss iifname \"%s\" tcp flags syn "
		  "tcp option maxseg size > %u tcp option maxseg size set %u\n", tun, mss, mss);
}

int
nat_install(struct smap *s)
{
	const struct smap_config *c = &s->cfg;
	const char *tun = c->tun_name;
	char lan[INET_ADDRSTRLEN];
	uint32_t n = htonl(c->lan_prefix);
	struct sbuf b = { 0 };
	int rc;

	inet_ntop(AF_INET, &n, lan, sizeof(lan));
	/* a leftover of a crash goes first, in the same transaction */
	sb_printf(&b, "table " TABLE " {}\ndelete table " TABLE "\n");
	sb_printf(&b, "table " TABLE " {\n"
		  "  ct helper ftp-standard { type \"ftp\" protocol tcp; }\n"
		  "  counter unmapped { }\n"
		  "  chain srcnat { type nat hook postrouting priority srcnat; policy accept;\n"
		  "    oifname \"%s\" meta l4proto { tcp, udp, icmp } snat ip to ", tun);
	snat_target(&b, &s->live.params);
	sb_printf(&b, "\n  }\n"
		  "  chain dstnat { type nat hook prerouting priority dstnat; policy accept; }\n"
		  "  chain helpers { type filter hook prerouting priority filter; policy accept; }\n"
		  "  chain helpers_out { type filter hook output priority filter; policy accept; }\n"
		  "  chain mss { type filter hook forward priority mangle; policy accept; }\n"
		  "  chain input { type filter hook input priority filter; policy accept;\n"
		  "    iifname \"%s\" ct state established,related accept\n"
		  "    iifname \"%s\" icmp type echo-request accept\n"
		  "    iifname \"%s\" counter name \"unmapped\" drop\n"
		  "  }\n"
		  "  chain forward { type filter hook forward priority filter; policy accept;\n"
		  "    iifname \"%s\" ct state established,related accept\n"
		  "    iifname \"%s\" counter name \"unmapped\" drop\n"
		  "  }\n"
		  "}\n", tun, tun, tun, tun, tun);
	if (c->ftp_alg) {
		/* LAN control connections to the ALG, which speaks from the set */
		sb_printf(&b, "add rule " TABLE " dstnat iifname \"%s\" ip daddr != %s/%u "
			  "tcp dport 21 redirect to :%u\n", c->lan_if, lan, c->lan_plen,
			  SMAP_FTP_PORT);
		sb_printf(&b, "add rule " TABLE " helpers_out oifname \"%s\" tcp dport 21 "
			  "ct helper set \"ftp-standard\"\n", tun);
	} else {
		/* the kernel helper alone: passive mode, active only by luck of the port */
		sb_printf(&b, "add rule " TABLE " helpers iifname \"%s\" tcp dport 21 "
			  "ct helper set \"ftp-standard\"\n", c->lan_if);
		sb_printf(&b, "add rule " TABLE " helpers_out oifname \"%s\" tcp dport 21 "
			  "ct helper set \"ftp-standard\"\n", tun);
	}
	mss_rules(&b, s);
	sb_printf(&b, "table " GUARD " {}\ndelete table " GUARD "\n"
		  "table " GUARD " {\n"
		  "  counter wan_refused { }\n"
		  "  set udp_svc { type inet_service; elements = { 1900, %u } }\n"
		  "  set tcp_svc { type inet_service; elements = { %u, %u, %u } }\n"
		  "  chain input { type filter hook input priority filter - 10; policy accept;\n"
		  "    iifname { \"%s\", \"lo\" } accept\n"
		  "    ct state established,related accept\n"
		  "    udp dport @udp_svc counter name \"wan_refused\" drop\n"
		  "    tcp dport @tcp_svc counter name \"wan_refused\" drop\n"
		  "  }\n"
		  "}\n", PCP_SERVER_PORT, SMAP_FTP_PORT,
		  s->lan_only_tcp[0] ? s->lan_only_tcp[0] : SMAP_FTP_PORT,
		  s->lan_only_tcp[1] ? s->lan_only_tcp[1] : SMAP_FTP_PORT, c->lan_if);
	rc = nft_run(b.s, NULL);
	if (rc == 0) {
		s->nat_installed = true;
		log_debug("nft table " TABLE " installed:\n%s", b.s);
	}
	free(b.s);
	return rc;
}

int
nat_update_mss(struct smap *s)
{
	struct sbuf b = { 0 };
	int rc;

	if (!s->nat_installed || !s->cfg.mss_clamp)
		return 0;
	sb_printf(&b, "flush chain " TABLE " mss\n");
	mss_rules(&b, s);
	rc = nft_run(b.s, NULL);
	free(b.s);
	return rc;
}

void
nat_remove(struct smap *s)
{
	if (!s->nat_installed)
		return;
	if (nft_run("delete table " TABLE "\ndelete table " GUARD "\n", NULL) < 0)
		log_warnx("could not remove the nft tables " TABLE " and " GUARD);
	s->nat_installed = false;
}

long long
nat_unmapped(struct smap *s)
{
	char *out = NULL, *p;
	long long v = -1;

	if (!s->nat_installed || nft_run("list counter " TABLE " unmapped\n", &out) < 0)
		return -1;
	if (out && (p = strstr(out, "packets ")))
		v = strtoll(p + 8, NULL, 10);
	free(out);
	return v;
}

/* A TCP port of ours that only the LAN may reach (UPnP's HTTP server, slot 0 or 1). */
int
nat_guard_tcp(struct smap *s, unsigned slot, unsigned port)
{
	char cmd[128];

	s->lan_only_tcp[slot] = port;
	if (!s->nat_installed || port == 0)
		return 0;
	snprintf(cmd, sizeof(cmd), "add element " GUARD " tcp_svc { %u }\n", port);
	return nft_run(cmd, NULL);
}

struct ct_collect {
	uint32_t addr;		/* network order */
	struct nf_conntrack **ct;
	size_t n, cap;
};

static int
ct_collect_cb(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *arg)
{
	struct ct_collect *c = arg;

	if (nfct_get_attr_u32(ct, ATTR_REPL_IPV4_DST) != c->addr)
		return NFCT_CB_CONTINUE;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->ct = realloc(c->ct, c->cap * sizeof(*c->ct));
		if (!c->ct)
			fatal("realloc");
	}
	c->ct[c->n++] = nfct_clone(ct);
	return NFCT_CB_CONTINUE;
}

/*
 * Forget the NAT mappings to the shared address (a previous run's, or
 * those of a port set just replaced): conntrack would keep sending their
 * packets from ports that are no longer ours.
 */
void
nat_flush_conntrack(struct smap *s)
{
	struct ct_collect c = { .addr = htonl(s->live.params.ipv4) };
	struct nfct_handle *h = nfct_open(CONNTRACK, 0);
	uint32_t family = AF_INET;
	size_t gone = 0;

	if (!h) {
		log_warn("nfct_open");
		return;
	}
	nfct_callback_register(h, NFCT_T_ALL, ct_collect_cb, &c);
	if (nfct_query(h, NFCT_Q_DUMP, &family) < 0)
		log_warn("conntrack dump");
	for (size_t i = 0; i < c.n; i++) {
		if (c.ct[i] && nfct_query(h, NFCT_Q_DESTROY, c.ct[i]) == 0)
			gone++;
		nfct_destroy(c.ct[i]);
	}
	free(c.ct);
	nfct_close(h);
	if (gone)
		log_info("%zu conntrack entries of %s forgotten", gone, "the shared address");
}
