/* SPDX-License-Identifier: MIT */
/*
 * The PRR's registration server: SMAPs ask for their port set with a
 * PCP MAP request (RFC 6887) carrying PORT_SET (RFC 7753), on UDP 5351
 * of a softwire address. The answer carries the shared address, the
 * port set (several PORT_SET options for a PSID set, see common/pcp.h)
 * and the lifetime. Lifetime 0 gives the set back (it is then held).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "pcp.h"
#include "prr/pcp_rules.h"
#include "prr/registration_server.h"
#include "prr/provision.h"

/*
 * Token buckets, by hash: one per source address and one per subscriber
 * prefix (registration.subscriber_prefix_length), so that neither one
 * address nor a prefix full of spoofed ones can flood the server. A
 * collision only shares a bucket. Each holds a second's worth.
 */
#define TB_SLOTS 65536

struct bucket {
	uint64_t last_ms;
	uint64_t milli;		/* thousandths of a token */
};

static struct bucket by_addr[TB_SLOTS], by_prefix[TB_SLOTS];

static uint32_t
hash_prefix(const struct in6_addr *a, unsigned plen)
{
	uint32_t h = 2166136261u;

	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = plen > i * 8 ? plen - i * 8 : 0;
		uint8_t m = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);
		h = (h ^ (a->s6_addr[i] & m)) * 16777619u;
	}
	return h % TB_SLOTS;
}

static bool
take(struct bucket *b, unsigned rate, uint64_t now_ms)
{
	uint64_t cap = (uint64_t)rate * 1000;

	if (b->last_ms == 0 || now_ms < b->last_ms) {
		b->milli = cap;
	} else {
		b->milli += (now_ms - b->last_ms) * rate;
		if (b->milli > cap)
			b->milli = cap;
	}
	b->last_ms = now_ms;
	if (b->milli < 1000)
		return false;
	b->milli -= 1000;
	return true;
}

/*
 * Refusals are logged aggregated: the first of each reason in a
 * 10-second window in full, the rest as one summary line after it.
 */
enum refusal { RF_UNAUTH, RF_THIRD_PARTY, RF_NONCE, RF_LIMIT, RF_POOL, RF_OTHER, RF_MAX };
static const char *const refusal_names[RF_MAX] = {
	"not in an authorized prefix", "THIRD_PARTY", "wrong nonce", "limit", "pool exhausted", "other",
};
#define REFUSAL_WINDOW_MS 10000

static struct {
	uint64_t start_ms;
	unsigned count[RF_MAX];
	char last[RF_MAX][INET6_ADDRSTRLEN];
} refused;

static void
refusal_summary(uint64_t now_ms)
{
	char msg[512];
	size_t off = 0;
	unsigned total = 0;

	if (now_ms - refused.start_ms < REFUSAL_WINDOW_MS)
		return;
	for (int i = 0; i < RF_MAX; i++)
		if (refused.count[i] > 1) {
			total += refused.count[i] - 1;
			off += (size_t)snprintf(msg + off, off < sizeof(msg) ? sizeof(msg) - off : 0,
						"%s%s %u (last %s)", off ? ", " : "", refusal_names[i],
						refused.count[i] - 1, refused.last[i]);
		}
	if (total)
		log_info("registrations refused in the last %llu s, not logged one by one: %s",
			 (unsigned long long)((now_ms - refused.start_ms) / 1000), msg);
	memset(&refused, 0, sizeof(refused));
	refused.start_ms = now_ms;
}

static void
log_refusal(enum refusal why, const struct in6_addr *a, const char *text)
{
	char s[INET6_ADDRSTRLEN];

	refusal_summary(clock_ms());
	inet_ntop(AF_INET6, a, s, sizeof(s));
	if (refused.count[why]++ == 0)
		log_info("registration from %s refused: %s", s, text);
	snprintf(refused.last[why], sizeof(refused.last[why]), "%s", s);
}

int
pcp_server_open(const struct prr_config *c, int *fds, unsigned max)
{
	unsigned n = 0;
	int one = 1, rcvbuf = 8 << 20;

	if (!c->reg.enabled)
		return 0;
	for (unsigned i = 0; i < c->params.n_br && n < max; i++) {
		struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
					   .sin6_port = htons(PCP_SERVER_PORT),
					   .sin6_addr = c->params.br[i] };
		int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

		if (fd < 0)
			return -1;
		/* the softwire address may come up after us */
		setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		/* after a PRR restart every SMAP renews at once: a burst the
		 * default buffer (about 200 kB, some 300 requests) drops */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			log_warn("PCP server: bind to port %d", PCP_SERVER_PORT);
			close(fd);
			return -1;
		}
		fds[n++] = fd;
	}
	return (int)n;
}

static bool
authorized(const struct prr_config *c, const struct in6_addr *a)
{
	for (unsigned i = 0; i < c->reg.lim.n_authorized; i++)
		if (prefix6_contains(&c->reg.lim.authorized[i], a))
			return true;
	return false;
}

static void
reply(int fd, const struct sockaddr_in6 *to, const uint8_t *buf, size_t len)
{
	if (len && sendto(fd, buf, len, 0, (const struct sockaddr *)to, sizeof(*to)) < 0)
		log_warn("PCP server: send");
}

/*
 * RFC 6887 11.3: a request for an existing registration with another
 * nonce (a renewal or a delete by someone else) changes nothing and is
 * answered NOT_AUTHORIZED, with the registration's remaining lifetime.
 */
static size_t
nonce_refused(struct prr *prr, const struct in6_addr *src, const struct reg_entry *e, uint64_t now,
	      struct pcp_response *rsp, uint8_t *out, size_t cap)
{
	prr->stats[PRR_STAT_PCP_REFUSED_NONCE]++;
	log_refusal(RF_NONCE, src, "the registration exists with another nonce (RFC 6887 11.3)");
	rsp->result = PCP_NOT_AUTHORIZED;
	rsp->lifetime = e->expires > now + 30 ? (uint32_t)(e->expires - now) : 30;
	return pcp_build_response(out, cap, rsp);
}

/* A MAP request that parsed: authorize, register, answer. */
static size_t
map(struct prr *prr, const struct prr_config *c, const struct pcp_request *req,
    const struct in6_addr *src, uint8_t *out, size_t cap)
{
	struct pcp_response rsp;
	struct reg_entry e;
	struct map_ce ce;
	enum reg_result r;
	unsigned dropped;
	uint32_t epoch = provision_epoch(prr);
	uint64_t now = provision_now();
	/* read before provision_register: it swaps the environment c lives in */
	uint32_t usual = c->reg.ap.lifetime;
	size_t n;

	pcp_response_init(&rsp, req);
	rsp.epoch = epoch;
	if (!authorized(c, src) || req->has_third_party) {
		log_refusal(req->has_third_party ? RF_THIRD_PARTY : RF_UNAUTH, src,
			    req->has_third_party ? "THIRD_PARTY" : "not in an authorized prefix");
		rsp.result = PCP_NOT_AUTHORIZED;
		rsp.lifetime = pcp_error_lifetime(PCP_NOT_AUTHORIZED);
		return pcp_build_response(out, cap, &rsp);
	}
	if (req->lifetime == 0) {
		/* the SMAP gives its set back (held, then free): with its own nonce only */
		r = provision_unregister(prr, src, req->nonce, &e);
		if (r == REG_NONCE)
			return nonce_refused(prr, src, &e, now, &rsp, out, cap);
		rsp.lifetime = 0;
		return pcp_build_response(out, cap, &rsp);
	}
	/* the rules before provision_register frees c's environment */
	if (req->want_rules)
		pcp_rules_fill(&c->params, src, &rsp);
	if (req->want_rules && pcp_rules_ce(&c->params, src, &ce)) {
		/* a MAP address: its set is the rule's, no registry entry */
		memset(&e, 0, sizeof(e));
		e.b.ipv4 = ce.ipv4;
		e.b.ps = ce.psid_len ? ce.ps : portset_range(1024, 65535);
		e.expires = now + usual;
		r = REG_OK;
	} else {
		r = provision_register(prr, src, req->nonce, &e);
	}
	if (r == REG_NONCE)
		return nonce_refused(prr, src, &e, now, &rsp, out, cap);
	if (r != REG_OK) {
		bool limit = r == REG_SUBSCRIBER_LIMIT || r == REG_PREFIX_LIMIT;
		char a6[INET6_ADDRSTRLEN], why[160];

		if (limit)
			prr->stats[PRR_STAT_PCP_REFUSED_LIMIT]++;
		else if (r == REG_EXHAUSTED)
			prr->stats[PRR_STAT_PCP_REFUSED_POOL]++;
		inet_ntop(AF_INET6, src, a6, sizeof(a6));
		if (r == REG_EXHAUSTED)
			snprintf(why, sizeof(why), "pool exhausted: no port set for %s", a6);
		else
			snprintf(why, sizeof(why), "%s", reg_strerror(r));
		log_refusal(limit ? RF_LIMIT : r == REG_EXHAUSTED ? RF_POOL : RF_OTHER, src, why);
		/* a subscriber over its quota is told so (RFC 6887 7.4) */
		rsp.result = limit ? PCP_USER_EX_QUOTA : PCP_NO_RESOURCES;
		rsp.lifetime = pcp_error_lifetime(rsp.result);
		return pcp_build_response(out, cap, &rsp);
	}
	rsp.n_port_sets = pcp_port_sets_from_portset(&e.b.ps, rsp.port_sets, PCP_MAX_PORT_SETS);
	if (rsp.n_port_sets == 0) {
		log_refusal(RF_OTHER, src, "its port set cannot be said in PORT_SET options");
		rsp.result = PCP_NO_RESOURCES;
		rsp.lifetime = pcp_error_lifetime(PCP_NO_RESOURCES);
		return pcp_build_response(out, cap, &rsp);
	}
	pcp_addr_from_v4(&rsp.ext_addr, e.b.ipv4);
	rsp.ext_port = rsp.port_sets[0].first_internal;
	/* static bindings never expire: the SMAP renews at the usual pace */
	rsp.lifetime = e.expires > now ? (uint32_t)(e.expires - now) : usual;
	if (req->lifetime < rsp.lifetime)
		rsp.lifetime = req->lifetime < 60 ? 60 : req->lifetime;
	if (!req->want_rules)
		return pcp_build_response(out, cap, &rsp);
	/* MAP-E rules asked for (MAP_RULE, common/pcp.h): as many as fit */
	n = pcp_rules_build(out, cap, &rsp, &dropped);
	prr->stats[PRR_STAT_PCP_RULE_ANSWERS]++;
	prr->stats[PRR_STAT_PCP_RULES_SENT] += rsp.n_rules;
	prr->stats[PRR_STAT_PCP_RULES_DROPPED] += dropped;
	return n;
}

/* One request in, its answer (length 0: none) out. */
static size_t
handle_one(struct prr *prr, const struct prr_config *c, const uint8_t *in, size_t n,
	   const struct sockaddr_in6 *from, uint8_t *out, size_t cap)
{
	static struct pcp_request req;
	enum pcp_result r;
	uint64_t now_ms = clock_ms();

	if (!take(&by_addr[hash_prefix(&from->sin6_addr, 128)], c->reg.rate_limit, now_ms) ||
	    !take(&by_prefix[hash_prefix(&from->sin6_addr, c->reg.lim.subscriber_plen)],
		  c->reg.prefix_rate_limit, now_ms)) {
		prr->stats[PRR_STAT_PCP_RATELIMITED]++;
		return 0;
	}
	prr->stats[PRR_STAT_PCP_REQUESTS]++;
	r = pcp_parse_request(in, n, &req);
	if (pcp_result_is_drop(r))
		return 0;
	if (r == PCP_SUCCESS && memcmp(&req.client, &from->sin6_addr, 16) != 0)
		r = PCP_ADDRESS_MISMATCH;	/* a NAT between SMAP and PRR (RFC 6887 8.3) */
	if (r == PCP_SUCCESS && req.opcode == PCP_OP_PEER)
		r = PCP_UNSUPP_OPCODE;		/* the PRR maps port sets, not flows */
	if (r != PCP_SUCCESS)
		return pcp_build_error(out, cap, in, n, r, pcp_error_lifetime(r), provision_epoch(prr));
	if (req.opcode == PCP_OP_ANNOUNCE) {
		struct pcp_response rsp;
		pcp_response_init(&rsp, &req);
		rsp.epoch = provision_epoch(prr);
		return pcp_build_response(out, cap, &rsp);
	}
	return map(prr, c, &req, &from->sin6_addr, out, cap);
}

#define PCP_BATCH 1024

/*
 * A batch of requests, read with one recvmmsg: every change they make is
 * committed to the store at once (one write, one fdatasync), then the
 * answers go out with sendmmsg, then the allocation log is written:
 * nobody is told of a set that a crash could take back, and the log
 * names nobody who was not told.
 */
void
pcp_server_handle(struct prr *prr, int fd)
{
	struct prr_env *env = atomic_load(&prr->env);
	const struct prr_config *c = &env->cfg;
	static struct {
		struct sockaddr_in6 from;
		uint8_t in[PCP_MAX_LEN + 4];
		uint8_t out[PCP_MAX_LEN];
	} q[PCP_BATCH];
	static struct mmsghdr rm[PCP_BATCH], sm[PCP_BATCH];
	static struct iovec riov[PCP_BATCH], siov[PCP_BATCH];
	int n, ns = 0;

	refusal_summary(clock_ms());
	for (int i = 0; i < PCP_BATCH; i++) {
		riov[i] = (struct iovec){ q[i].in, sizeof(q[i].in) };
		rm[i].msg_hdr = (struct msghdr){ .msg_name = &q[i].from, .msg_namelen = sizeof(q[i].from),
						 .msg_iov = &riov[i], .msg_iovlen = 1 };
	}
	/* as many as wait, up to a batch: one commit (one fdatasync) for them all */
	for (n = 0; n < PCP_BATCH;) {
		int k = recvmmsg(fd, rm + n, (unsigned)(PCP_BATCH - n), MSG_DONTWAIT, NULL);

		if (k <= 0)
			break;
		n += k;
	}
	for (int i = 0; i < n; i++) {
		size_t len;

		if (q[i].from.sin6_family != AF_INET6)
			continue;
		len = handle_one(prr, c, q[i].in, rm[i].msg_len, &q[i].from, q[i].out, sizeof(q[i].out));
		if (!len)
			continue;
		siov[ns] = (struct iovec){ q[i].out, len };
		sm[ns].msg_hdr = (struct msghdr){ .msg_name = &q[i].from, .msg_namelen = sizeof(q[i].from),
						  .msg_iov = &siov[ns], .msg_iovlen = 1 };
		ns++;
	}
	if (n <= 0 || provision_commit(prr) < 0)
		return;	/* not durable: no answer; the SMAPs ask again */
	/* a SMAP whose set another PRR gave first (a shared store) gets no answer: it asks again */
	for (int i = 0; i < ns;)
		if (provision_lost(prr, &((struct sockaddr_in6 *)sm[i].msg_hdr.msg_name)->sin6_addr))
			sm[i] = sm[--ns];
		else
			i++;
	for (int off = 0; off < ns;) {
		int k = sendmmsg(fd, sm + off, (unsigned)(ns - off), 0);

		if (k <= 0) {
			log_warn("PCP server: send");
			break;
		}
		off += k;
	}
	provision_log(prr);
}

/*
 * Tell one SMAP that its set changed (an operator assigned or released
 * it): an unsolicited ANNOUNCE to its PCP client port (RFC 6887 14.1.3)
 * makes it register again at once and so learn its new set.
 */
void
pcp_server_announce(struct prr *prr, const struct in6_addr *smap)
{
	struct prr_env *env = atomic_load(&prr->env);
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(PCP_CLIENT_PORT),
				   .sin6_addr = *smap };
	uint8_t buf[PCP_HDR_LEN];
	size_t n;

	if (!env->cfg.reg.enabled || prr->n_pcp_fds == 0)
		return;
	n = pcp_build_announce(buf, sizeof(buf), provision_epoch(prr));
	reply(prr->pcp_fds[0], &to, buf, n);
}
