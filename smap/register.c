/* SPDX-License-Identifier: MIT */
/*
 * Registration with the PRR: a PCP client (RFC 6887) asking the PRR's
 * server for this SMAP's shared address and port set with a MAP request
 * carrying PORT_SET (RFC 7753; a PSID set comes back as several
 * PORT_SET options, see common/pcp.h), then renewing it.
 *
 * The socket is UDP from the WAN address, port 5350 (where the PRR's
 * unsolicited ANNOUNCE goes), connected to the server's port 5351: IPv6
 * on the access network, never through the softwire. Timing (retries,
 * renewal, backoff, epoch) is common/pcp_client.c. A granted set is
 * applied live: the first brings the data path up (TUN, NAT), a changed
 * one goes the SIGHUP way (nft table rewritten, old mappings flushed), a
 * changed address also remakes the TUN. While the PRR does not answer or
 * refuses, the last set stays in use.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "safe_file.h"
#include "smap/apply.h"
#include "smap/register_map.h"
#include "pcp.h"
#include "smap/register_timing.h"
#include "smap/register.h"
#include "smap/register_answer.h"
#include "smap/smap.h"

struct smap_register {
	int fd;			/* -1 until it could be opened */
	struct pcpc fsm;
	uint8_t nonce[PCP_NONCE_LEN];
	struct in6_addr client;	/* our address, as the request says it */
	uint64_t bad_answers;	/* unparsable, wrong nonce, unusable set */
	char problem[128];	/* why the last attempt did not give a set */
	bool open_warned;
	unsigned rules;		/* MAP-E rules in the last answer (map.rules_from_prr) */
};

static struct in6_addr
server_of(const struct smap *s)
{
	return s->cfg.registration.has_server ? s->cfg.registration.server : s->live.params.prr;
}

static uint32_t
rnd32(void)
{
	uint32_t r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint32_t)random();
	return r;
}

static void
sock_close(struct smap_register *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

/* UDP [wan address]:5350 -> [server]:5351 on the WAN interface; -1 if not (yet) possible. */
static int
sock_open(struct smap *s)
{
	struct smap_register *r = s->registration;
	struct sockaddr_in6 me = { .sin6_family = AF_INET6, .sin6_port = htons(PCP_CLIENT_PORT) };
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(PCP_SERVER_PORT),
				   .sin6_addr = server_of(s) };
	socklen_t sl = sizeof(me);
	int one = 1, fd;

	if (s->live.has_wan_addr)
		me.sin6_addr = s->live.wan_addr;
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto err;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, s->cfg.wan_if, strlen(s->cfg.wan_if)) < 0 ||
	    bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0 ||
	    connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&me, &sl) < 0)
		goto err;
	r->client = me.sin6_addr;
	r->fd = fd;
	r->open_warned = false;
	return 0;
err:
	snprintf(r->problem, sizeof(r->problem), "no socket to the PRR on %s: %s",
		 s->cfg.wan_if, strerror(errno));
	if (!r->open_warned)
		log_warnx("registration: %s (retrying)", r->problem);
	r->open_warned = true;
	if (fd >= 0)
		close(fd);
	return -1;
}

static void
send_request(struct smap *s)
{
	struct smap_register *r = s->registration;
	static struct pcp_request req;
	uint8_t buf[PCP_MAX_LEN];
	size_t n;

	if (r->fd < 0 && sock_open(s) < 0)
		return;
	memset(&req, 0, sizeof(req));
	req.opcode = PCP_OP_MAP;
	req.lifetime = s->cfg.registration.lifetime;
	req.client = r->client;
	memcpy(req.nonce, r->nonce, sizeof(req.nonce));
	req.proto = 0;			/* all protocols, all ports: the port set */
	req.has_port_set = true;	/* a hint; the PRR decides */
	req.want_rules = s->cfg.map_from_prr;	/* MAP-E rules too (MAP_RULE) */
	if (r->fsm.bound) {
		/* the set we hold, so that a PRR that lost it may give it back */
		pcp_addr_from_v4(&req.ext_addr, s->live.params.ipv4);
		req.port_set.first_internal = (uint16_t)portset_next(&s->live.params.ps, 1);
		req.port_set.size = 1;
	} else {
		req.port_set.size = 1;
	}
	n = pcp_build_request(buf, sizeof(buf), &req);
	if (n == 0 || send(r->fd, buf, n, 0) < 0) {
		snprintf(r->problem, sizeof(r->problem), "cannot send to the PRR: %s",
			 n ? strerror(errno) : "request too big");
		log_debug("registration: %s", r->problem);
		/* the interface may have gone: a new socket next time */
		sock_close(r);
	}
}

static const char *
refusal_hint(int result)
{
	switch (result) {
	case PCP_NOT_AUTHORIZED:
		return ": this SMAP's address is in none of the PRR's authorized prefixes";
	case PCP_NO_RESOURCES:
		return ": the PRR's pool has no free port set";
	case PCP_ADDRESS_MISMATCH:
		return ": the PRR sees another source address (a NAT on the way?)";
	default:
		return "";
	}
}

/* Whether next differs from the binding in force in what a registration gives. */
static bool
binding_changed(const struct smap *s, const struct smap_live *next)
{
	const struct smap_live *l = &s->live;

	return !s->up || next->params.ipv4 != l->params.ipv4 ||
	       memcmp(&next->params.ps, &l->params.ps, sizeof(l->params.ps)) != 0 ||
	       next->has_wan_addr != l->has_wan_addr ||
	       memcmp(&next->wan_addr, &l->wan_addr, sizeof(l->wan_addr)) != 0 ||
	       memcmp(&next->bmr, &l->bmr, sizeof(l->bmr)) != 0 ||
	       next->params.n_fmr != l->params.n_fmr ||
	       memcmp(next->params.fmr, l->params.fmr, next->params.n_fmr * sizeof(l->params.fmr[0])) != 0;
}

static void
granted(struct smap *s, const struct smap_live *next, const struct pcp_response *rsp,
	enum pcpc_verdict v)
{
	uint32_t n4 = htonl(next->params.ipv4);
	const struct portset *ps = &next->params.ps;
	char a4[INET_ADDRSTRLEN], pst[64];

	inet_ntop(AF_INET, &n4, a4, sizeof(a4));
	portset_format(ps, pst, sizeof(pst));
	if (v == PCPC_LOST_STATE)
		log_warnx("registration: the PRR's epoch says it lost its state; registering again");
	s->registration->problem[0] = '\0';
	if (!binding_changed(s, next)) {
		log_debug("registration renewed: %s ports %s, lifetime %" PRIu32 " s", a4, pst,
			  rsp->lifetime);
		return;
	}
	log_info("registered: %s ports %s (%u ports), lifetime %" PRIu32 " s", a4, pst,
		 portset_size(ps), rsp->lifetime);
	if (smap_apply(s, next, 0, "registration") < 0) {
		snprintf(s->registration->problem, sizeof(s->registration->problem), "set granted but not applied");
		log_warnx("registration: %s", s->registration->problem);
	}
}

static void
answer(struct smap *s, const uint8_t *buf, size_t len)
{
	struct smap_register *r = s->registration;
	static struct pcp_response rsp;
	struct smap_live next;
	struct portset ps;
	uint32_t v4 = 0;
	enum pcp_rsp_err e;
	enum pcpc_verdict v;
	uint64_t now = clock_ms();
	bool ok;

	memcpy(&next, &s->live, sizeof(next));
	next.bound = true;
	switch (reg_answer_read(buf, len, r->nonce, s->cfg.map_from_prr, &rsp, &v4, &ps, &e)) {
	case REG_ANSWER_BAD:
		r->bad_answers++;
		if (e != PCP_RSP_OK)
			log_debug("registration: bad answer: %s", pcp_rsp_strerror(e));
		return;
	case REG_ANSWER_ANNOUNCE:
		ok = pcpc_announce(&r->fsm, now, rsp.epoch);
		log_info("registration: ANNOUNCE from the PRR (epoch %" PRIu32 "%s): asking again",
			 rsp.epoch, ok ? "" : ", it lost its state");
		return;
	case REG_ANSWER_UNUSABLE:
		r->bad_answers++;
		snprintf(r->problem, sizeof(r->problem), "the PRR's answer has no usable "
			 "IPv4 address and port set");
		log_warnx("registration: %s", r->problem);
		return;
	case REG_ANSWER_RULES:
		/* the set is what the rules derive for our prefix */
		if (register_map_take(&s->cfg, &s->live, &rsp, &next, r->problem, sizeof(r->problem)) < 0) {
			r->bad_answers++;
			log_warnx("registration: %s", r->problem);
			return;
		}
		r->rules = rsp.n_rules;
		break;
	case REG_ANSWER_MAP:
		break;
	}
	v = pcpc_answer(&r->fsm, now, rnd32(), rsp.result, rsp.lifetime, rsp.epoch);
	if (v != PCPC_REFUSED) {
		if (!s->cfg.map_from_prr) {
			next.params.ipv4 = v4;
			next.params.ps = ps;
		}
		granted(s, &next, &rsp, v);
		return;
	}
	snprintf(r->problem, sizeof(r->problem), "refused: %s%s", pcp_result_name(rsp.result),
		 refusal_hint(rsp.result));
	log_warnx("registration %s; %s, asking again in %" PRIu64 " s", r->problem,
		  r->fsm.bound ? "keeping the last set" : "no port set yet",
		  pcpc_wait_ms(&r->fsm, now) / 1000);
}

/*
 * The mapping nonce is the registration's key (RFC 6887 11.3): the PRR
 * renews or deletes a registration only for its nonce. Kept in a file,
 * so that a restarted SMAP renews its set instead of waiting for it to
 * run out; made at the first start.
 */
static void
nonce_load(struct smap_register *r, const char *path)
{
	char tmp[PATH_MAX + 8], msg[PATH_MAX + 64];
	FILE *f;

	if (path[0] && (f = fopen(path, "r"))) {
		size_t n = fread(r->nonce, 1, sizeof(r->nonce), f);
		fclose(f);
		if (n == sizeof(r->nonce))
			return;
	}
	if (getrandom(r->nonce, sizeof(r->nonce), 0) != sizeof(r->nonce))
		for (size_t i = 0; i < sizeof(r->nonce); i++)
			r->nonce[i] = (uint8_t)random();
	if (!path[0])
		return;
	if (safe_file_mkdirs(path, msg, sizeof(msg)) < 0)
		log_warnx("registration: nonce_file: %s", msg);
	if (!(f = safe_file_open(path, tmp, sizeof(tmp))) ||
	    (fwrite(r->nonce, 1, sizeof(r->nonce), f), safe_file_commit(f, tmp, path) < 0))
		log_warn("registration: cannot keep the nonce in %s; a restart will wait "
			 "for the PRR to let the old registration go", path);
}

int
register_open(struct smap *s)
{
	struct smap_register *r = calloc(1, sizeof(*r));

	if (!r) {
		log_warn("registration");
		return -1;
	}
	r->fd = -1;
	r->fsm.last_result = -1;
	nonce_load(r, s->cfg.registration.nonce_file);
	srandom(rnd32());
	s->registration = r;
	snprintf(r->problem, sizeof(r->problem), "no answer from the PRR yet");
	pcpc_start(&r->fsm, clock_ms());
	sock_open(s);
	return 0;
}

void
register_close(struct smap *s)
{
	if (!s->registration)
		return;
	sock_close(s->registration);
	free(s->registration);
	s->registration = NULL;
}

bool
register_pollfd(struct smap *s, struct pollfd *p)
{
	if (!s->registration || s->registration->fd < 0) {
		/* nothing to read; register_handle still runs when due (register_poll_ms) */
		p->fd = -1;
		p->events = 0;
		p->revents = 0;
		return s->registration != NULL;
	}
	p->fd = s->registration->fd;
	p->events = POLLIN;
	p->revents = 0;
	return true;
}

void
register_handle(struct smap *s, const struct pollfd *p)
{
	struct smap_register *r = s->registration;
	uint8_t buf[PCP_MAX_LEN + 4];
	uint64_t now;

	if (!r)
		return;
	if (r->fd >= 0 && p->fd == r->fd && (p->revents & (POLLIN | POLLERR))) {
		for (int i = 0; i < 64; i++) {
			ssize_t n = recv(r->fd, buf, sizeof(buf), 0);
			if (n < 0) {
				if (errno != EAGAIN && errno != EWOULDBLOCK)
					log_debug("registration: recv: %s", strerror(errno));
				break;
			}
			answer(s, buf, (size_t)n);
		}
	}
	now = clock_ms();
	if (pcpc_due(&r->fsm, now)) {
		send_request(s);
		pcpc_sent(&r->fsm, now, rnd32());
	}
}

int
register_poll_ms(struct smap *s, int max)
{
	uint64_t w;

	if (!s->registration)
		return max;
	w = pcpc_wait_ms(&s->registration->fsm, clock_ms());
	return w < (uint64_t)max ? (int)w : max;
}

void
register_reload(struct smap *s, const struct smap_register_conf *c)
{
	bool new_server = c->has_server != s->cfg.registration.has_server ||
			  memcmp(&c->server, &s->cfg.registration.server, sizeof(c->server)) != 0;

	s->cfg.registration = *c;
	if (!s->registration)
		return;
	if (new_server)
		sock_close(s->registration);
	pcpc_start(&s->registration->fsm, clock_ms());
}

void
register_status(struct smap *s, FILE *f)
{
	struct smap_register *r = s->registration;
	struct in6_addr srv;
	char a6[INET6_ADDRSTRLEN];
	uint64_t now = clock_ms();

	if (!s->cfg.registration.enabled || !r)
		return;
	srv = server_of(s);
	fprintf(f, "registration\t%s\n", pcpc_state_name(r->fsm.state));
	fprintf(f, "reg_server\t%s\n", inet_ntop(AF_INET6, &srv, a6, sizeof(a6)));
	fprintf(f, "reg_client\t%s\n", inet_ntop(AF_INET6, &r->client, a6, sizeof(a6)));
	fprintf(f, "reg_bound\t%s\n", r->fsm.bound ? "yes" : "no");
	if (r->fsm.bound) {
		uint64_t age = (now - r->fsm.granted_ms) / 1000;
		fprintf(f, "reg_lifetime_s\t%" PRIu32 "\n", r->fsm.lifetime);
		fprintf(f, "reg_expires_in_s\t%" PRIu64 "\n",
			age < r->fsm.lifetime ? r->fsm.lifetime - age : 0);
	}
	fprintf(f, "reg_next_request_s\t%" PRIu64 "\n", pcpc_wait_ms(&r->fsm, now) / 1000);
	fprintf(f, "reg_last_result\t%s\n",
		r->fsm.last_result < 0 ? "none" : pcp_result_name(r->fsm.last_result));
	if (r->problem[0])
		fprintf(f, "reg_problem\t%s\n", r->problem);
	if (r->fsm.have_epoch)
		fprintf(f, "reg_epoch\t%" PRIu32 "\n", r->fsm.epoch);
	fprintf(f, "reg_requests\t%" PRIu64 "\n", r->fsm.sent);
	fprintf(f, "reg_answers\t%" PRIu64 "\n", r->fsm.answers);
	fprintf(f, "reg_refusals\t%" PRIu64 "\n", r->fsm.errors);
	fprintf(f, "reg_epoch_lost\t%" PRIu64 "\n", r->fsm.epoch_lost);
	fprintf(f, "reg_announces\t%" PRIu64 "\n", r->fsm.announces);
	fprintf(f, "reg_bad_answers\t%" PRIu64 "\n", r->bad_answers);
	if (s->cfg.map_from_prr)
		fprintf(f, "reg_map_rules\t%u\n", r->rules);
}
