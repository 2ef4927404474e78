/* SPDX-License-Identifier: MIT */
/*
 * The PCP / NAT-PMP server for the LAN (RFC 6887, RFC 6886): a UDP
 * socket on the LAN address, port 5351, bound to the LAN interface;
 * each request goes through pcp_serve() (common/pcp_serve.c, the whole
 * policy) over the shared mapping table (portmap.h). At start an
 * unsolicited ANNOUNCE goes to 224.0.0.1:5350 (RFC 6887 14.1.3), so
 * that clients refresh their mappings; the epoch counts from the state
 * file's base (RFC 6887 8.5), so it only restarts when the mappings
 * were lost.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "smap/portmap/pcp_server.h"
#include "smap/portmap/portmap.h"
#include "smap/smap.h"

struct pcp_server {
	int fd;
	uint32_t lan_addr;		/* host order */
	struct pcp_serve_cfg cfg;
	struct pcp_serve_stats st;
};

static enum maptable_result
op_add(void *ctx, const struct mapping *want, uint32_t lifetime, bool exact,
       struct mapping *out)
{
	return portmap_add(ctx, want, lifetime, false, exact, out);
}

static enum maptable_result
op_del(void *ctx, uint8_t proto, uint16_t ext_port, const uint8_t *nonce, struct mapping *out)
{
	return portmap_del(ctx, proto, ext_port, nonce, out);
}

static bool
op_find_int(void *ctx, uint8_t proto, uint32_t int_addr, uint16_t int_port,
	    struct mapping *out)
{
	return portmap_find_int(ctx, proto, int_addr, int_port, out);
}

/* The IPv4 address of the LAN interface inside the LAN prefix. */
static int
lan_address(const struct smap_config *c, uint32_t *out)
{
	struct ifaddrs *ifa, *i;
	uint32_t mask = c->lan_plen ? ~0u << (32 - c->lan_plen) : 0;
	int rc = -1;

	if (getifaddrs(&ifa) < 0)
		return -1;
	for (i = ifa; i; i = i->ifa_next) {
		uint32_t a;

		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET ||
		    strcmp(i->ifa_name, c->lan_if) != 0)
			continue;
		a = ntohl(((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr);
		if ((a & mask) == c->lan_prefix) {
			*out = a;
			rc = 0;
			break;
		}
	}
	freeifaddrs(ifa);
	return rc;
}

static uint32_t
epoch(struct smap *s)
{
	return (uint32_t)(portmap_now() - portmap_epoch_base(s));
}

static void
announce(struct smap *s)
{
	struct pcp_server *p = s->pcp;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(PCP_CLIENT_PORT),
				  .sin_addr.s_addr = htonl(0xe0000001) };	/* 224.0.0.1 */
	struct in_addr ifa = { .s_addr = htonl(p->lan_addr) };
	uint8_t buf[PCP_HDR_LEN];
	size_t n = pcp_build_announce(buf, sizeof(buf), epoch(s));
	int ttl = 1;

	setsockopt(p->fd, IPPROTO_IP, IP_MULTICAST_IF, &ifa, sizeof(ifa));
	setsockopt(p->fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl));
	if (sendto(p->fd, buf, n, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		log_warn("PCP ANNOUNCE to 224.0.0.1:%u", PCP_CLIENT_PORT);
	else
		log_info("PCP ANNOUNCE sent, epoch %u", epoch(s));
}

int
pcp_server_start(struct smap *s)
{
	const struct smap_config *c = &s->cfg;
	struct pcp_server *p;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(PCP_SERVER_PORT) };
	char a[INET_ADDRSTRLEN];
	int one = 1;

	if (!c->pcp.enable)
		return 0;
	p = calloc(1, sizeof(*p));
	if (!p)
		fatal("calloc");
	if (lan_address(c, &p->lan_addr) < 0) {
		log_warnx("PCP: no address of %s on %s", c->lan_if, "the LAN prefix");
		free(p);
		return -1;
	}
	p->cfg = c->pcp.serve;
	p->cfg.lan_prefix = c->lan_prefix;
	p->cfg.lan_plen = c->lan_plen;
	p->cfg.ext_addr = c->params.ipv4;
	sin.sin_addr.s_addr = htonl(p->lan_addr);
	inet_ntop(AF_INET, &sin.sin_addr, a, sizeof(a));
	p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0 ||
	    setsockopt(p->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(p->fd, SOL_SOCKET, SO_BINDTODEVICE, c->lan_if, strlen(c->lan_if)) < 0 ||
	    bind(p->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		log_warn("PCP: socket on %s:%u", a, PCP_SERVER_PORT);
		if (p->fd >= 0)
			close(p->fd);
		free(p);
		return -1;
	}
	s->pcp = p;
	log_info("PCP and NAT-PMP server on %s:%u, epoch %u", a, PCP_SERVER_PORT, epoch(s));
	if (c->pcp.announce)
		announce(s);
	return 0;
}

void
pcp_server_stop(struct smap *s)
{
	if (!s->pcp)
		return;
	close(s->pcp->fd);
	free(s->pcp);
	s->pcp = NULL;
}

void
pcp_server_reload(struct smap *s)
{
	struct pcp_server *p = s->pcp;

	if (!p)
		return;
	p->cfg.min_lifetime = s->cfg.pcp.serve.min_lifetime;
	p->cfg.max_lifetime = s->cfg.pcp.serve.max_lifetime;
	p->cfg.n_third_party = s->cfg.pcp.serve.n_third_party;
	memcpy(p->cfg.third_party, s->cfg.pcp.serve.third_party, sizeof(p->cfg.third_party));
}

unsigned
pcp_server_pollfd(struct smap *s, struct pollfd *pfd)
{
	if (!s->pcp)
		return 0;
	pfd->fd = s->pcp->fd;
	pfd->events = POLLIN;
	pfd->revents = 0;
	return 1;
}

void
pcp_server_handle(struct smap *s, const struct pollfd *pfd)
{
	struct pcp_server *p = s->pcp;
	struct pcp_serve_ops ops = { .ctx = s, .add = op_add, .del = op_del,
				     .find_int = op_find_int };
	uint8_t in[PCP_MAX_LEN + 4], out[PCP_MAX_LEN];

	if (!p || !(pfd->revents & POLLIN))
		return;
	/* a burst at most, so that the softwire is served too */
	for (int i = 0; i < 64; i++) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(p->fd, in, sizeof(in), MSG_TRUNC, (struct sockaddr *)&from, &fl);
		size_t len;

		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn("PCP recvfrom");
			return;
		}
		/* longer than the buffer: MALFORMED_REQUEST from its real length */
		len = (size_t)n;
		if (len > sizeof(in))
			len = sizeof(in);
		len = pcp_serve(&p->cfg, &ops, ntohl(from.sin_addr.s_addr), in, len, epoch(s),
				out, sizeof(out), &p->st);
		if (len && sendto(p->fd, out, len, 0, (struct sockaddr *)&from, fl) < 0)
			log_warn("PCP sendto");
	}
}

void
pcp_server_stats(struct smap *s, FILE *f)
{
	static const struct pcp_serve_stats zero;
	const struct pcp_serve_stats *st = s->pcp ? &s->pcp->st : &zero;

	for (int i = 0; i < PCPS_MAX; i++)
		fprintf(f, "%s\t%llu\t%s\n", pcp_serve_stat_desc[i].name,
			(unsigned long long)st->v[i], pcp_serve_stat_desc[i].doc);
	for (int r = 0; r <= PCP_RESULT_MAX; r++) {
		char name[64];

		snprintf(name, sizeof(name), "pcp_result_%s", pcp_result_name(r));
		for (char *c = name; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		fprintf(f, "%s\t%llu\tPCP responses with result %s\n", name,
			(unsigned long long)st->pcp_result[r], pcp_result_name(r));
	}
}
