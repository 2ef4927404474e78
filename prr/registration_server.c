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

#include "log.h"
#include "pcp.h"
#include "prr/pcp_rules.h"
#include "prr/registration_server.h"
#include "prr/provision.h"

#define RL_SLOTS 1024

/* Per-source token buckets, by address hash: a collision only shares a bucket. */
static struct {
	uint64_t second;
	unsigned count;
} rl[RL_SLOTS];

static bool
rate_ok(const struct in6_addr *a, unsigned per_second, uint64_t now)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 16; i++)
		h = (h ^ a->s6_addr[i]) * 16777619u;
	h %= RL_SLOTS;
	if (rl[h].second != now) {
		rl[h].second = now;
		rl[h].count = 0;
	}
	return ++rl[h].count <= per_second;
}

int
pcp_server_open(const struct prr_config *c, int *fds, unsigned max)
{
	unsigned n = 0;
	int one = 1;

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
	for (unsigned i = 0; i < c->reg.n_authorized; i++)
		if (prefix6_contains(&c->reg.authorized[i], a))
			return true;
	return false;
}

static void
reply(int fd, const struct sockaddr_in6 *to, const uint8_t *buf, size_t len)
{
	if (len && sendto(fd, buf, len, 0, (const struct sockaddr *)to, sizeof(*to)) < 0)
		log_warn("PCP server: send");
}

static void
log_refusal(const struct in6_addr *a, const char *why)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, s, sizeof(s));
	log_info("registration from %s refused: %s", s, why);
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
		log_refusal(src, req->has_third_party ? "THIRD_PARTY" : "not in an authorized prefix");
		rsp.result = PCP_NOT_AUTHORIZED;
		rsp.lifetime = pcp_error_lifetime(PCP_NOT_AUTHORIZED);
		return pcp_build_response(out, cap, &rsp);
	}
	if (req->lifetime == 0) {
		/* the SMAP gives its set back: held, then free */
		provision_unregister(prr, src);
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
		r = provision_register(prr, src, &e);
	}
	if (r != REG_OK) {
		log_refusal(src, reg_strerror(r));
		rsp.result = PCP_NO_RESOURCES;
		rsp.lifetime = pcp_error_lifetime(PCP_NO_RESOURCES);
		return pcp_build_response(out, cap, &rsp);
	}
	rsp.n_port_sets = pcp_port_sets_from_portset(&e.b.ps, rsp.port_sets, PCP_MAX_PORT_SETS);
	if (rsp.n_port_sets == 0) {
		log_refusal(src, "its port set cannot be said in PORT_SET options");
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

void
pcp_server_handle(struct prr *prr, int fd)
{
	struct prr_env *env = atomic_load(&prr->env);
	const struct prr_config *c = &env->cfg;
	uint8_t in[PCP_MAX_LEN + 4], out[PCP_MAX_LEN];
	static struct pcp_request req;
	struct sockaddr_in6 from;
	socklen_t fl = sizeof(from);
	enum pcp_result r;
	ssize_t n;
	size_t len = 0;

	n = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&from, &fl);
	if (n < 0 || from.sin6_family != AF_INET6)
		return;
	if (!rate_ok(&from.sin6_addr, c->reg.rate_limit, provision_now())) {
		prr->stats[PRR_STAT_PCP_RATELIMITED]++;
		return;
	}
	prr->stats[PRR_STAT_PCP_REQUESTS]++;
	r = pcp_parse_request(in, (size_t)n, &req);
	if (pcp_result_is_drop(r))
		return;
	if (r == PCP_SUCCESS && memcmp(&req.client, &from.sin6_addr, 16) != 0)
		r = PCP_ADDRESS_MISMATCH;	/* a NAT between SMAP and PRR (RFC 6887 8.3) */
	if (r == PCP_SUCCESS && req.opcode == PCP_OP_PEER)
		r = PCP_UNSUPP_OPCODE;		/* the PRR maps port sets, not flows */
	if (r != PCP_SUCCESS) {
		len = pcp_build_error(out, sizeof(out), in, (size_t)n, r,
				      pcp_error_lifetime(r), provision_epoch(prr));
	} else if (req.opcode == PCP_OP_ANNOUNCE) {
		struct pcp_response rsp;
		pcp_response_init(&rsp, &req);
		rsp.epoch = provision_epoch(prr);
		len = pcp_build_response(out, sizeof(out), &rsp);
	} else {
		len = map(prr, c, &req, &from.sin6_addr, out, sizeof(out));
	}
	reply(fd, &from, out, len);
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
