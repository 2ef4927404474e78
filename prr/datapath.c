/* SPDX-License-Identifier: MIT */
/* prr/datapath.c: the PRR's pure data path; smap/datapath.c is the same role for the SMAP. */
/*
 * The PRR data path (RFC 7596 lwAFTR; RFC 7597 BR with explicit bindings,
 * and MAP-E rules for what no explicit binding owns).
 *
 * Internet -> SMAP:  parse, reassemble, find the port (TCP/UDP port, ICMP
 *                    echo identifier, or the port of the packet an ICMP
 *                    error quotes), look up the binding, decrement TTL,
 *                    encapsulate (RFC 2473), fragment as IPv6 if needed.
 * SMAP -> Internet:  parse, reassemble, decapsulate, check that the outer
 *                    source owns the inner (source address, source port),
 *                    then send to the Internet or hairpin to another SMAP.
 */
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "prr/datapath.h"
#include "pkt.h"
#include "port_select.h"

#define ICMP4_MAX	576	/* RFC 1812 4.3.2.3 */
#define ICMP6_MAX	1280	/* RFC 4443 2.4(c) */
#define IPV6_MIN_MTU	1280

void
prr_params_default(struct prr_params *p)
{
	memset(p, 0, sizeof(*p));
	p->v4.mtu = 1500;
	p->v4.generate_icmp = true;
	p->v4.allow_incoming_icmp = true;
	p->v4.max_frags = 20;
	p->v6 = p->v4;
	p->hairpinning = true;
	p->unbound_icmp_code = 0;
	p->hop_limit = 64;
	p->icmp_rate = 200;
}

int
prr_ctx_init(struct prr_ctx *c, const struct prr_params *p, const struct btable *bt,
	     struct pmtu_cache *pmtu, prr_emit_fn emit, void *arg)
{
	struct reasm_limits l4 = {
		.max_bytes = 16u << 20, .max_frags = p->v4.max_frags,
		.max_pending = 4096, .timeout_ms = 30000,
	};
	struct reasm_limits l6 = l4;

	l6.max_frags = p->v6.max_frags;
	memset(c->stats, 0, sizeof(c->stats));
	c->p = p;
	c->bt = bt;
	c->pool = NULL;
	c->pmtu = pmtu;
	c->emit = emit;
	c->emit_arg = arg;
	c->rl_epoch_ms = 0;
	c->rl_sent = 0;
	c->frag6_id = 0x10000;
	c->ip_id = 1;
	c->reasm4 = reasm_new(&l4);
	c->reasm6 = reasm_new(&l6);
	if (!c->reasm4 || !c->reasm6) {
		prr_ctx_fini(c);
		return -1;
	}
	return 0;
}

void
prr_ctx_fini(struct prr_ctx *c)
{
	reasm_free(c->reasm4);
	reasm_free(c->reasm6);
	c->reasm4 = c->reasm6 = NULL;
}

void
prr_tick(struct prr_ctx *c, uint64_t now_ms)
{
	reasm_expire(c->reasm4, now_ms);
	reasm_expire(c->reasm6, now_ms);
}

static enum prr_verdict
drop(struct prr_ctx *c, enum prr_stat s)
{
	c->stats[s]++;
	return PRR_CONSUMED;
}

/* Token bucket of icmp_rate errors per two seconds (the peer lwAFTR's unit). */
static bool
icmp_rate_ok(struct prr_ctx *c, bool relay, uint64_t now_ms)
{
	uint64_t *epoch = relay ? &c->rl_relay_epoch_ms : &c->rl_epoch_ms;
	unsigned *sent = relay ? &c->rl_relay_sent : &c->rl_sent;

	if (c->p->icmp_rate == 0)
		return true;
	if (now_ms - *epoch >= 2000) {
		*epoch = now_ms;
		*sent = 0;
	}
	if (*sent >= c->p->icmp_rate) {
		c->stats[relay ? PRR_STAT_ICMP_RELAY_RATELIMITED : PRR_STAT_ICMP_RATELIMITED]++;
		return false;
	}
	(*sent)++;
	return true;
}

static int
br_index(const struct prr_params *p, const struct in6_addr *a)
{
	for (unsigned i = 0; i < p->n_br; i++)
		if (memcmp(&p->br[i], a, 16) == 0)
			return (int)i;
	return -1;
}

/* Whether an ICMP error may be sent about this IPv4 packet (RFC 1812 4.3.2.7). */
static bool
icmp4_may_answer(const uint8_t *pkt, const struct ipv4_info *ip)
{
	if (ip->frag_off != 0)
		return false;
	if (ip->proto == IPPROTO_ICMP && ip->tot_len >= ip->hlen + 1u) {
		uint8_t t = pkt[ip->hlen];
		if (t != 0 && t != 8 && t != 13 && t != 14 && t != 15 && t != 16)
			return false;	/* an error or unknown: never answer */
	}
	return ip->src != 0 && ip->src != 0xffffffff && (ip->src >> 28) != 0xe;
}

static enum prr_verdict inbound(struct prr_ctx *, const uint8_t *, size_t, uint64_t, bool);

/*
 * MAP-E rules (RFC 7597): asked only when no explicit binding owns
 * (ipv4, port), so explicit bindings win and the common path pays
 * nothing. The binding is computed into *tmp: the SMAP's MAP address.
 */
static const struct binding *
rule_binding(const struct prr_params *p, uint32_t ipv4, uint16_t port, struct binding *tmp)
{
	int i;

	if (p->n_rules == 0)
		return NULL;
	i = map_rules_addr(p->rules, p->n_rules, ipv4, port, &tmp->ipv6);
	if (i < 0)
		return NULL;
	tmp->ipv4 = ipv4;
	tmp->br = p->rules[i].br;
	tmp->ps = portset_range(port, port);
	return tmp;
}

static const struct binding *
lookup(struct prr_ctx *c, uint32_t ipv4, uint16_t port, struct binding *tmp, enum prr_stat s)
{
	const struct binding *b = btable_lookup(c->bt, ipv4, port);

	if (!b && c->pool)
		b = pool_lookup(c->pool, ipv4, port);
	if (!b && (b = rule_binding(c->p, ipv4, port, tmp)) && s < PRR_STAT_MAX)
		c->stats[s]++;
	return b;
}

/* Whether ipv4 is a shared address: some binding or rule has it. */
static bool
has_ipv4(const struct prr_ctx *c, uint32_t ipv4)
{
	return btable_has_ipv4(c->bt, ipv4) || (c->pool && pool_has_ipv4(c->pool, ipv4)) ||
	       (c->p->n_rules && map_rules_find(c->p->rules, c->p->n_rules, ipv4) >= 0);
}

/*
 * Send an ICMPv4 error about pkt back to its source. The source may be
 * a host behind a SMAP (a shared address): then it goes back through
 * the softwire like any inbound packet. forwarded: the error is about a
 * packet being forwarded, and the quote shows it as forwarding left it,
 * its TTL already decremented (RFC 1812 4.3.2.3 allows it; the peer
 * lwAFTR does it).
 */
static void
icmp4_send_quote(struct prr_ctx *c, const uint8_t *pkt, size_t len, uint8_t type,
		 uint8_t code, uint32_t rest, bool forwarded, bool relay, uint64_t now_ms)
{
	struct ipv4_info ip;
	size_t n;

	if (ipv4_parse(pkt, len, false, &ip) != PKT_OK || !icmp4_may_answer(pkt, &ip))
		return;
	if (!icmp_rate_ok(c, relay, now_ms))
		return;
	n = icmp4_error_build(c->icmp, sizeof(c->icmp), c->p->ipv4_addr, ip.src,
			      type, code, rest, pkt, ip.tot_len, ICMP4_MAX);
	if (n == 0)
		return;
	if (forwarded && ip.ttl > 0) {
		/* the quoted header starts at 28 and is whole (20 <= tot_len) */
		uint16_t ck;

		ipv4_dec_ttl(c->icmp + 28);
		put16(c->icmp + 22, 0);
		ck = csum_buf(c->icmp + 20, n - 20);
		memcpy(c->icmp + 22, &ck, 2);
	}
	c->stats[PRR_STAT_ICMP4_SENT]++;
	if (has_ipv4(c, ip.src)) {
		/* copy: inbound() may build into c->icmp again */
		uint8_t tmp[ICMP4_MAX];
		memcpy(tmp, c->icmp, n);
		inbound(c, tmp, n, now_ms, false);
	} else {
		c->emit(c->emit_arg, PRR_SIDE_V4, c->icmp, n);
	}
}

static void
icmp4_send(struct prr_ctx *c, const uint8_t *pkt, size_t len,
	   uint8_t type, uint8_t code, uint32_t rest, uint64_t now_ms)
{
	icmp4_send_quote(c, pkt, len, type, code, rest, false, false, now_ms);
}

/* An ICMPv6 error from the access network, relayed: the relay's own bucket. */
static void
icmp4_relay(struct prr_ctx *c, const uint8_t *pkt, size_t len,
	    uint8_t type, uint8_t code, uint32_t rest, uint64_t now_ms)
{
	icmp4_send_quote(c, pkt, len, type, code, rest, false, true, now_ms);
}

static void
icmp4_send_forwarded(struct prr_ctx *c, const uint8_t *pkt, size_t len,
		     uint8_t type, uint8_t code, uint32_t rest, uint64_t now_ms)
{
	icmp4_send_quote(c, pkt, len, type, code, rest, true, false, now_ms);
}

static void
icmp6_send(struct prr_ctx *c, const uint8_t *pkt, size_t len, const struct in6_addr *src,
	   const struct in6_addr *dst, uint8_t type, uint8_t code, uint64_t now_ms)
{
	size_t n;

	if (!icmp_rate_ok(c, false, now_ms))
		return;
	n = icmp6_error_build(c->icmp, sizeof(c->icmp), src, dst, type, code, 0,
			      pkt, len, ICMP6_MAX);
	if (n == 0)
		return;
	c->stats[PRR_STAT_ICMP6_SENT]++;
	c->emit(c->emit_arg, PRR_SIDE_V6, c->icmp, n);
}

static void
emit_frag6(void *arg, const uint8_t *pkt, size_t len)
{
	struct prr_ctx *c = arg;

	c->stats[PRR_STAT_OUT_FRAG6]++;
	c->emit(c->emit_arg, PRR_SIDE_V6, pkt, len);
}

static void
emit_frag4(void *arg, const uint8_t *pkt, size_t len)
{
	struct prr_ctx *c = arg;

	c->stats[PRR_STAT_OUT_FRAG4]++;
	c->emit(c->emit_arg, PRR_SIDE_V4, pkt, len);
}

/*
 * The port that selects the SMAP for an IPv4 packet arriving for a
 * shared address (port_select.h): TCP/UDP destination port, ICMP echo
 * identifier (or port 0 for requests, echo_request_lookup = "port-0"),
 * or for an ICMP error the source port of the quoted packet, which our
 * SMAP sent.
 */
static bool
inbound_port(struct prr_ctx *c, const uint8_t *pkt, const struct ipv4_info *ip,
	     uint16_t *port, enum prr_stat *why)
{
	struct port_pair pp;

	if (ip->proto == IPPROTO_ICMP) {
		if (!c->p->v4.allow_incoming_icmp) {
			*why = PRR_STAT_IN4_DROP_ICMP_POLICY;
			return false;
		}
		if (csum_fold(csum_partial(pkt + ip->hlen, ip->tot_len - ip->hlen, 0)) != 0xffff) {
			*why = PRR_STAT_IN4_DROP_L4;
			return false;
		}
	}
	switch (port_select(pkt, ip, PORT_TO_SHARED, c->p->echo_request_port0, &pp)) {
	case PORT_SEL_OK:
		*port = pp.port;
		return true;
	case PORT_SEL_L4:
		*why = PRR_STAT_IN4_DROP_L4;
		break;
	case PORT_SEL_ICMP_TYPE:
		*why = PRR_STAT_IN4_DROP_ICMP_TYPE;
		break;
	case PORT_SEL_ICMP_QUOTE:
		*why = PRR_STAT_IN4_DROP_ICMP_QUOTE;
		break;
	case PORT_SEL_NO_PORT:
		*why = PRR_STAT_IN4_DROP_NO_PORT;
		break;
	}
	return false;
}

/* Encapsulate the whole IPv4 packet pkt toward binding b (RFC 2473). */
static enum prr_verdict
encapsulate(struct prr_ctx *c, const uint8_t *pkt, size_t len, const struct ipv4_info *ip,
	    const struct binding *b, bool hairpin, uint64_t now_ms)
{
	const struct prr_params *p = c->p;
	const struct in6_addr *br = &p->br[b->br < p->n_br ? b->br : 0];
	size_t total = IPV6_HDR_LEN + len;
	unsigned mtu = p->v6.mtu;

	/* learnt path MTUs are >= 1280: small packets need no look-up */
	if (total > IPV6_MIN_MTU)
		mtu = pmtu_get(c->pmtu, &b->ipv6, mtu, now_ms);
	if (total > mtu && ip->df) {
		/* RFC 2473 7.1: tell the source the tunnel MTU */
		if (hairpin ? p->v6.generate_icmp : p->v4.generate_icmp)
			icmp4_send_forwarded(c, pkt, len, 3, 4, mtu - IPV6_HDR_LEN, now_ms);
		return drop(c, hairpin ? PRR_STAT_IN6_DROP_TOO_BIG : PRR_STAT_IN4_DROP_TOO_BIG);
	}
	ipv6_build(c->out, ip->tos, 0, (uint16_t)len, IPPROTO_IPIP_, p->hop_limit, br, &b->ipv6);
	memcpy(c->out + IPV6_HDR_LEN, pkt, len);
	ipv4_dec_ttl(c->out + IPV6_HDR_LEN);
	c->stats[hairpin ? PRR_STAT_IN6_HAIRPINNED : PRR_STAT_IN4_ENCAPSULATED]++;
	if (total <= mtu) {
		c->emit(c->emit_arg, PRR_SIDE_V6, c->out, total);
		return PRR_CONSUMED;
	}
	if (frag6_split(c->out, total, mtu, c->frag6_id++, emit_frag6, c) < 0)
		c->stats[PRR_STAT_TX_ERRORS]++;
	return PRR_CONSUMED;
}

/* No binding: drop, and answer if configured. */
static enum prr_verdict
inbound_unbound(struct prr_ctx *c, const uint8_t *pkt, const struct ipv4_info *ip,
		bool hairpin, uint64_t now_ms)
{
	/* RFC 7596 8.1: ICMPv4 matching no softwire is dropped silently */
	if (!hairpin && c->p->unbound_icmp_code && c->p->v4.generate_icmp &&
	    ip->proto != IPPROTO_ICMP)
		icmp4_send(c, pkt, ip->tot_len, 3, c->p->unbound_icmp_code, 0, now_ms);
	return drop(c, hairpin ? PRR_STAT_IN6_DROP_HAIRPIN : PRR_STAT_IN4_DROP_UNBOUND);
}

/* The binding is known (or NULL): TTL, then encapsulation. */
static enum prr_verdict
inbound_bound(struct prr_ctx *c, const uint8_t *pkt, const struct ipv4_info *ip,
	      const struct binding *b, bool hairpin, uint64_t now_ms)
{
	if (!b)
		return inbound_unbound(c, pkt, ip, hairpin, now_ms);
	if (ip->ttl <= 1) {
		/* RFC 1812 5.3.1; errors go to the sender's side's hosts */
		if (hairpin ? c->p->v6.generate_icmp : c->p->v4.generate_icmp)
			icmp4_send_forwarded(c, pkt, ip->tot_len, 11, 0, 0, now_ms);
		return drop(c, hairpin ? PRR_STAT_IN6_DROP_TTL : PRR_STAT_IN4_DROP_TTL);
	}
	return encapsulate(c, pkt, ip->tot_len, ip, b, hairpin, now_ms);
}

/*
 * An IPv4 packet for a shared address: from the Internet, or from a SMAP
 * toward another SMAP (hairpin). Takes the TTL down by one either way.
 */
static enum prr_verdict
inbound(struct prr_ctx *c, const uint8_t *pkt, size_t len, uint64_t now_ms, bool hairpin)
{
	struct ipv4_info ip;
	struct binding tmp;
	enum prr_stat why;
	uint16_t port;

	if (ipv4_parse(pkt, len, true, &ip) != PKT_OK)
		return drop(c, PRR_STAT_IN4_DROP_MALFORMED);
	if (ipv4_is_fragment(&ip)) {
		enum reasm_result r;
		size_t wlen;

		if (!has_ipv4(c, ip.dst))
			return inbound_unbound(c, pkt, &ip, hairpin, now_ms);
		c->stats[PRR_STAT_IN4_FRAGMENTS]++;
		r = reasm4_add(c->reasm4, pkt, ip.tot_len, now_ms, c->whole, sizeof(c->whole), &wlen);
		if (r == REASM_PENDING)
			return PRR_CONSUMED;
		if (r != REASM_DONE)
			return drop(c, PRR_STAT_IN4_DROP_FRAG);
		c->stats[PRR_STAT_IN4_REASSEMBLED]++;
		pkt = c->whole;
		len = wlen;
		if (ipv4_parse(pkt, len, false, &ip) != PKT_OK)
			return drop(c, PRR_STAT_IN4_DROP_FRAG);
	}
	if (!inbound_port(c, pkt, &ip, &port, &why))
		return drop(c, why);
	return inbound_bound(c, pkt, &ip, lookup(c, ip.dst, port, &tmp, PRR_STAT_IN4_RULE),
			     hairpin, now_ms);
}

enum prr_verdict
prr_from_inet(struct prr_ctx *c, const uint8_t *pkt, size_t len, uint64_t now_ms)
{
	c->stats[PRR_STAT_IN4_PACKETS]++;
	return inbound(c, pkt, len, now_ms, false);
}

/*
 * The port that an IPv4 packet from a SMAP is sent from (port_select.h):
 * TCP/UDP source port, ICMP echo identifier (port 0 for a reply when
 * requests go by port 0: the reply is checked against the binding its
 * request was routed to), or for an ICMP error the destination port of
 * the quoted packet (which was sent to the SMAP).
 */
static bool
outbound_port(struct prr_ctx *c, const uint8_t *pkt, const struct ipv4_info *ip,
	      uint16_t *port, enum prr_stat *why)
{
	struct port_pair pp;
	enum port_sel r = port_select(pkt, ip, PORT_FROM_SHARED, c->p->echo_request_port0, &pp);

	/* a malformed header counts as such before the ICMP policy */
	if (r != PORT_SEL_L4 && ip->proto == IPPROTO_ICMP && !c->p->v6.allow_incoming_icmp) {
		*why = PRR_STAT_IN6_DROP_ICMP;
		return false;
	}
	switch (r) {
	case PORT_SEL_OK:
		*port = pp.port;
		return true;
	case PORT_SEL_NO_PORT:
		*why = PRR_STAT_IN6_DROP_NO_PORT;
		break;
	case PORT_SEL_L4:
	case PORT_SEL_ICMP_TYPE:
	case PORT_SEL_ICMP_QUOTE:
		*why = PRR_STAT_IN6_DROP_L4;
		break;
	}
	return false;
}

/* ICMPv6 code -> ICMPv4 3/code for errors about packets we tunnelled. */
static bool
icmp6_to_icmp4(uint8_t type, uint8_t code, uint8_t *t4, uint8_t *c4)
{
	switch (type) {
	case 1:		/* destination unreachable */
	case 4:		/* parameter problem */
		*t4 = 3;
		*c4 = 1;	/* host unreachable: the SMAP cannot be reached */
		return true;
	case 3:		/* time exceeded */
		if (code != 0)
			return false;	/* reassembly timeout: nothing to tell */
		*t4 = 3;
		*c4 = 1;
		return true;
	}
	return false;
}

/*
 * Whether an ICMPv6 error's quote (q: our IPv6 header, then the IPv4
 * packet we tunnelled) is a packet this PRR sent: its IPv4 destination
 * and port belong to the SMAP it was sent to, from that binding's
 * softwire address. A sender that is itself a SMAP (it has a static
 * binding) may only tell of packets sent to itself. Anything else is
 * injected: it neither moves a path MTU nor is relayed.
 */
static bool
quote_is_ours(struct prr_ctx *c, const uint8_t *q, size_t qlen, const struct in6_addr *sender,
	      const struct in6_addr *qsrc, const struct in6_addr *qdst)
{
	struct port_pair pp;
	struct binding tmp;
	const struct binding *b;
	uint32_t dst;
	size_t off = IPV6_HDR_LEN;
	uint8_t nh = qlen >= IPV6_HDR_LEN ? q[6] : 0;

	/* a packet we fragmented (over the link's MTU): the first fragment
	 * holds the IPv4 header and ports; a later one cannot be checked */
	if (nh == IPPROTO_FRAGMENT) {
		if (qlen < off + 8 || (get16(q + off + 2) & 0xfff8) != 0)
			return false;
		nh = q[off];
		off += 8;
	}
	if (qlen < off || nh != IPPROTO_IPIP_ ||
	    port_select_sent(q + off, qlen - off, c->p->echo_request_port0,
			     &dst, &pp) != PORT_SEL_OK)
		return false;
	b = lookup(c, dst, pp.port, &tmp, PRR_STAT_MAX);
	if (!b || memcmp(&b->ipv6, qdst, 16) != 0 || br_index(c->p, qsrc) != b->br)
		return false;
	return memcmp(sender, qdst, 16) == 0 || btable_first6(c->bt, sender) < 0;
}

/*
 * ICMPv6 from the access network about a packet we sent to a SMAP:
 * learn the path MTU from packet too big, and relay errors to the
 * IPv4 host whose packet it was (RFC 2473 8).
 */
static enum prr_verdict
from_smap_icmp6(struct prr_ctx *c, const uint8_t *pkt, size_t len,
		const struct ipv6_info *ip6, uint64_t now_ms)
{
	const uint8_t *l4p = pkt + ip6->l4_off;
	size_t l4len = IPV6_HDR_LEN + ip6->plen - ip6->l4_off;
	struct in6_addr qsrc, qdst;
	const uint8_t *q = l4p + 8, *inner;
	size_t qlen, ilen;
	uint8_t type, code, t4 = 0, c4 = 0;
	uint32_t mtu = 0, mtu4 = 0;

	if (l4len < 8)
		return drop(c, PRR_STAT_IN6_DROP_ICMP);
	type = l4p[0];
	code = l4p[1];
	if (type >= 128)
		return PRR_PASS;	/* informational (echo to the PRR): the kernel's */
	if (!c->p->v6.allow_incoming_icmp)
		return drop(c, PRR_STAT_IN6_DROP_ICMP);
	if (csum_fold(csum_partial(l4p, l4len, csum_pseudo6(&ip6->src, &ip6->dst,
	    IPPROTO_ICMPV6, (uint32_t)l4len))) != 0xffff)
		return drop(c, PRR_STAT_IN6_DROP_ICMP);
	/* the quoted packet: our IPv6 header, then the inner IPv4 header */
	qlen = l4len - 8;
	if (qlen < IPV6_HDR_LEN + IPV4_HDR_MIN || q[0] >> 4 != 6)
		return drop(c, PRR_STAT_IN6_DROP_ICMP);
	memcpy(&qsrc, q + 8, 16);
	memcpy(&qdst, q + 24, 16);
	if (br_index(c->p, &qsrc) < 0)
		return drop(c, PRR_STAT_IN6_DROP_ICMP);
	if (!quote_is_ours(c, q, qlen, &ip6->src, &qsrc, &qdst))
		return drop(c, PRR_STAT_IN6_DROP_ICMP_UNMATCHED);
	if (type == 2) {
		mtu = get32(l4p + 4);
		/*
		 * The IPv4 host is told what fits in the reported MTU, even
		 * below 1280 (but never below 576): that spares the SMAP IPv6
		 * fragments. The MTU
		 * learnt for the SMAP stays >= 1280 (we fragment below).
		 */
		mtu4 = mtu > 576 + IPV6_HDR_LEN ? mtu - IPV6_HDR_LEN : 576;	/* RFC 791, 1191 */
		if (mtu4 > 65535)
			mtu4 = 65535;
		if (mtu < IPV6_MIN_MTU)
			mtu = IPV6_MIN_MTU;	/* RFC 8201 4 */
		pmtu_set(c->pmtu, &qdst, mtu, now_ms);
		c->stats[PRR_STAT_IN6_PTB]++;
		t4 = 3;
		c4 = 4;
	} else if (!icmp6_to_icmp4(type, code, &t4, &c4)) {
		return drop(c, PRR_STAT_IN6_DROP_ICMP);
	}
	if (q[6] != IPPROTO_IPIP_)
		return drop(c, PRR_STAT_IN6_DROP_ICMP);
	inner = q + IPV6_HDR_LEN;
	ilen = qlen - IPV6_HDR_LEN;
	if (inner[0] >> 4 != 4 || (size_t)(inner[0] & 0xf) * 4 > ilen)
		return drop(c, PRR_STAT_IN6_DROP_ICMP);
	/* the quote may be cut short: tell icmp4_send how much there is */
	{
		uint8_t tmp[ICMP6_MAX];
		size_t n = ilen < sizeof(tmp) ? ilen : sizeof(tmp);
		memcpy(tmp, inner, n);
		if (get16(tmp + 2) > n) {
			put16(tmp + 2, (uint16_t)n);
			ipv4_set_csum(tmp);
		}
		if (c4 == 4 && !(get16(tmp + 6) & IPV4_DF))
			return PRR_CONSUMED;	/* we fragment those: nothing to tell */
		c->stats[PRR_STAT_IN6_ICMP_TRANSLATED]++;
		if (c->p->v4.generate_icmp)
			icmp4_relay(c, tmp, n, t4, c4, c4 == 4 ? mtu4 : 0, now_ms);
	}
	return PRR_CONSUMED;
}

/* Send a decapsulated packet to the Internet, fragmenting it if it must. */
static enum prr_verdict
to_inet(struct prr_ctx *c, const uint8_t *pkt, size_t len, const struct ipv4_info *ip,
	uint64_t now_ms)
{
	if (len > c->p->v4.mtu) {
		if (ip->df) {
			if (c->p->v6.generate_icmp)
				icmp4_send(c, pkt, len, 3, 4, c->p->v4.mtu, now_ms);
			return drop(c, PRR_STAT_IN6_DROP_TOO_BIG);
		}
		c->stats[PRR_STAT_IN6_DECAPSULATED]++;
		if (frag4_split(pkt, len, c->p->v4.mtu, emit_frag4, c) < 0)
			c->stats[PRR_STAT_TX_ERRORS]++;
		return PRR_CONSUMED;
	}
	c->stats[PRR_STAT_IN6_DECAPSULATED]++;
	c->emit(c->emit_arg, PRR_SIDE_V4, pkt, len);
	return PRR_CONSUMED;
}

/*
 * The binding of the inner source is known (or NULL): check that the
 * SMAP owns it, then hairpin or send to the Internet. in4 lies in pkt or
 * c->whole, never in c->out, which inbound() writes.
 */
static enum prr_verdict
outbound_bound(struct prr_ctx *c, const uint8_t *pkt, size_t plen6,
	       const struct ipv6_info *ip6, int br, const uint8_t *in4,
	       const struct ipv4_info *ip, const struct binding *b, uint64_t now_ms)
{
	if (!b || memcmp(&b->ipv6, &ip6->src, 16) != 0 || b->br != br) {
		/* RFC 7596 6.2: source address failed ingress/egress policy */
		if (c->p->v6.generate_icmp)
			icmp6_send(c, pkt, plen6, &ip6->dst, &ip6->src, 1, 5, now_ms);
		return drop(c, PRR_STAT_IN6_DROP_SPOOFED);
	}
	if (c->p->hairpinning && has_ipv4(c, ip->dst))
		return inbound(c, in4, ip->tot_len, now_ms, true);
	return to_inet(c, in4, ip->tot_len, ip, now_ms);
}

enum prr_verdict
prr_from_smap(struct prr_ctx *c, const uint8_t *pkt, size_t len, uint64_t now_ms)
{
	struct ipv6_info ip6;
	struct ipv4_info ip;
	struct binding tmp;
	const uint8_t *in4;
	size_t in4len, plen6;
	enum prr_stat why;
	uint16_t port;
	int br;

	c->stats[PRR_STAT_IN6_PACKETS]++;
	if (ipv6_parse(pkt, len, &ip6) != PKT_OK)
		return drop(c, PRR_STAT_IN6_DROP_MALFORMED);
	br = br_index(c->p, &ip6.dst);
	if (br < 0)
		return drop(c, PRR_STAT_IN6_DROP_NOT_BR);
	if (ip6.proto == IPPROTO_ICMPV6 && !ipv6_is_fragment(&ip6))
		return from_smap_icmp6(c, pkt, len, &ip6, now_ms);
	if (ip6.proto != IPPROTO_IPIP_)
		return drop(c, PRR_STAT_IN6_DROP_NOT_IPIP);
	plen6 = IPV6_HDR_LEN + ip6.plen;
	if (ipv6_is_fragment(&ip6)) {
		enum reasm_result r;
		size_t wlen;

		c->stats[PRR_STAT_IN6_FRAGMENTS]++;
		r = reasm6_add(c->reasm6, pkt, plen6, ip6.frag_hdr, now_ms,
			       c->out, sizeof(c->out), &wlen);
		if (r == REASM_PENDING)
			return PRR_CONSUMED;
		if (r != REASM_DONE)
			return drop(c, PRR_STAT_IN6_DROP_FRAG);
		c->stats[PRR_STAT_IN6_REASSEMBLED]++;
		/* c->out is free again only after we are done with it: copy */
		memcpy(c->whole, c->out, wlen);
		pkt = c->whole;
		if (ipv6_parse(pkt, wlen, &ip6) != PKT_OK || ip6.proto != IPPROTO_IPIP_)
			return drop(c, PRR_STAT_IN6_DROP_FRAG);
		plen6 = IPV6_HDR_LEN + ip6.plen;
	}
	in4 = pkt + ip6.l4_off;
	in4len = plen6 - ip6.l4_off;
	if (ipv4_parse(in4, in4len, true, &ip) != PKT_OK)
		return drop(c, PRR_STAT_IN6_DROP_INNER_MALFORMED);
	in4len = ip.tot_len;
	if (ipv4_is_fragment(&ip)) {
		enum reasm_result r;
		size_t wlen;

		/* inner IPv4 fragments from a SMAP: reassemble to see the port */
		if (pkt == c->whole) {
			memcpy(c->out, in4, in4len);
			in4 = c->out;
		}
		c->stats[PRR_STAT_IN6_FRAGMENTS]++;
		r = reasm4_add(c->reasm4, in4, in4len, now_ms, c->whole, sizeof(c->whole), &wlen);
		if (r == REASM_PENDING)
			return PRR_CONSUMED;
		if (r != REASM_DONE)
			return drop(c, PRR_STAT_IN6_DROP_FRAG);
		c->stats[PRR_STAT_IN6_REASSEMBLED]++;
		in4 = c->whole;
		if (ipv4_parse(in4, wlen, false, &ip) != PKT_OK)
			return drop(c, PRR_STAT_IN6_DROP_FRAG);
		in4len = ip.tot_len;
	}
	if (!outbound_port(c, in4, &ip, &port, &why))
		return drop(c, why);
	return outbound_bound(c, pkt, plen6, &ip6, br, in4, &ip,
			      lookup(c, ip.src, port, &tmp, PRR_STAT_IN6_RULE), now_ms);
}

/*
 * Bursts: the same as one packet at a time, but the binding look-ups of
 * the whole burst are made together so that their cache misses overlap
 * (btable_lookup_burst). Packets that need more than the common path
 * (fragments, ICMPv6) take the one-at-a-time path, in order.
 */
enum { B_DONE, B_SLOW, B_FAST };

/* What the static table does not own may be a registered set. */
static void
pool_fill(const struct prr_ctx *c, size_t n, const uint32_t *ipv4, const uint16_t *port,
	  const struct binding **b)
{
	if (!c->pool)
		return;
	for (size_t i = 0; i < n; i++)
		if (!b[i])
			b[i] = pool_lookup(c->pool, ipv4[i], port[i]);
}

void
prr_from_inet_burst(struct prr_ctx *c, const uint8_t *const *pkt, const size_t *len,
		    size_t n, uint64_t now_ms)
{
	struct ipv4_info ip[PRR_BURST];
	uint32_t key[PRR_BURST];
	uint16_t port[PRR_BURST];
	const struct binding *b[PRR_BURST];
	struct binding rb[PRR_BURST];	/* rule-derived: written only on a miss */
	uint8_t st[PRR_BURST];

	for (size_t s = 0; s < n; s += PRR_BURST) {
		size_t m = n - s < PRR_BURST ? n - s : PRR_BURST, nf = 0;
		enum prr_stat why;

		for (size_t i = 0; i < m; i++) {
			const uint8_t *p = pkt[s + i];

			c->stats[PRR_STAT_IN4_PACKETS]++;
			st[i] = B_DONE;
			if (ipv4_parse(p, len[s + i], true, &ip[i]) != PKT_OK) {
				drop(c, PRR_STAT_IN4_DROP_MALFORMED);
			} else if (ipv4_is_fragment(&ip[i])) {
				st[i] = B_SLOW;
			} else if (!inbound_port(c, p, &ip[i], &port[nf], &why)) {
				drop(c, why);
			} else {
				st[i] = B_FAST;
				key[nf++] = ip[i].dst;
			}
		}
		btable_lookup_burst(c->bt, nf, key, port, b);
		pool_fill(c, nf, key, port, b);
		if (c->p->n_rules)
			for (size_t i = 0; i < nf; i++)
				if (!b[i] && (b[i] = rule_binding(c->p, key[i], port[i], &rb[i])))
					c->stats[PRR_STAT_IN4_RULE]++;
		nf = 0;
		for (size_t i = 0; i < m; i++) {
			if (st[i] == B_SLOW)
				inbound(c, pkt[s + i], len[s + i], now_ms, false);
			else if (st[i] == B_FAST)
				inbound_bound(c, pkt[s + i], &ip[i], b[nf++], false, now_ms);
		}
	}
}

void
prr_from_smap_burst(struct prr_ctx *c, const uint8_t *const *pkt, const size_t *len,
		    size_t n, uint64_t now_ms)
{
	struct ipv6_info ip6[PRR_BURST];
	struct ipv4_info ip[PRR_BURST];
	uint32_t key[PRR_BURST];
	uint16_t port[PRR_BURST];
	const struct binding *b[PRR_BURST];
	struct binding rb[PRR_BURST];	/* rule-derived: written only on a miss */
	uint8_t st[PRR_BURST];
	int br[PRR_BURST];

	for (size_t s = 0; s < n; s += PRR_BURST) {
		size_t m = n - s < PRR_BURST ? n - s : PRR_BURST, nf = 0;
		enum prr_stat why;

		for (size_t i = 0; i < m; i++) {
			const uint8_t *p = pkt[s + i];

			st[i] = B_DONE;
			if (ipv6_parse(p, len[s + i], &ip6[i]) != PKT_OK ||
			    ip6[i].proto != IPPROTO_IPIP_ || ipv6_is_fragment(&ip6[i])) {
				st[i] = B_SLOW;	/* errors are counted there too */
				continue;
			}
			c->stats[PRR_STAT_IN6_PACKETS]++;
			br[i] = br_index(c->p, &ip6[i].dst);
			if (br[i] < 0) {
				drop(c, PRR_STAT_IN6_DROP_NOT_BR);
				continue;
			}
			if (ipv4_parse(p + ip6[i].l4_off, IPV6_HDR_LEN + ip6[i].plen - ip6[i].l4_off,
				       true, &ip[i]) != PKT_OK) {
				drop(c, PRR_STAT_IN6_DROP_INNER_MALFORMED);
			} else if (ipv4_is_fragment(&ip[i])) {
				c->stats[PRR_STAT_IN6_PACKETS]--;	/* counted again there */
				st[i] = B_SLOW;
			} else if (!outbound_port(c, p + ip6[i].l4_off, &ip[i], &port[nf], &why)) {
				drop(c, why);
			} else {
				st[i] = B_FAST;
				key[nf++] = ip[i].src;
			}
		}
		btable_lookup_burst(c->bt, nf, key, port, b);
		pool_fill(c, nf, key, port, b);
		if (c->p->n_rules)
			for (size_t i = 0; i < nf; i++)
				if (!b[i] && (b[i] = rule_binding(c->p, key[i], port[i], &rb[i])))
					c->stats[PRR_STAT_IN6_RULE]++;
		nf = 0;
		for (size_t i = 0; i < m; i++) {
			const uint8_t *p = pkt[s + i];

			if (st[i] == B_SLOW)
				prr_from_smap(c, p, len[s + i], now_ms);
			else if (st[i] == B_FAST)
				outbound_bound(c, p, IPV6_HDR_LEN + ip6[i].plen, &ip6[i], br[i],
					       p + ip6[i].l4_off, &ip[i], b[nf++], now_ms);
		}
	}
}
