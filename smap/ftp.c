/* SPDX-License-Identifier: MIT */
/*
 * FTP ALG for LAN clients.
 *
 * The kernel's nf_nat_ftp keeps the client's own data port when it
 * rewrites PORT/EPRT (it tries that port, then random ones above it),
 * so active mode would announce a port outside our set, which the PRR
 * drops. So LAN control connections are redirected here (nft dstnat,
 * tcp dport 21 -> :2121) and relayed to the server from the SMAP itself:
 *
 *   - PORT/EPRT from the client: we listen on the shared address at a
 *     port of the set, announce that instead, and when the server
 *     connects, connect to the client's address and port and relay.
 *     Only to the client's own address: a PORT naming another one
 *     (127.0.0.1, another LAN host) would make the SMAP connect there
 *     for whoever sent it, so it is refused with a 500 and counted.
 *   - everything else (PASV/EPSV included: the client then connects to
 *     the server directly, and that is ordinary NAT) passes unchanged.
 *
 * The kernel's FTP helper ("ftp-standard", nat.c) is assigned to our own
 * control connection, so the server's data connection to our port is
 * RELATED and passes the SMAP's input filter.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter_ipv4.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "smap/ftp_cmd.h"
#include "smap/smap.h"

#define BUFSZ		16384
#define MAX_CONNS	48

struct half {
	char buf[BUFSZ];	/* read from fd[i], to be written to fd[1 - i] */
	size_t len;
	bool eof;		/* fd[i] said EOF */
	bool shut;		/* we shut down writing on fd[1 - i] */
};

struct conn {
	int fd[2];		/* 0: LAN side, 1: Internet side */
	bool connecting[2];	/* a non-blocking connect on fd[i] in progress */
	struct half h[2];
	bool ctl;		/* control connection: rewrite what the client says */
	char line[1024];	/* ctl: the client's line being gathered */
	size_t line_len;
	int listen_fd;		/* ctl: active-mode data listener, or -1 */
	struct sockaddr_in client_data;	/* ctl: where the client waits for it */
	struct in_addr client;	/* ctl: the client's address, the only data target */
	bool dead;
	struct conn *next;
};

struct ftp_alg {
	int lfd;
	uint16_t port;
	struct conn *conns;
	unsigned n_conns;
	uint32_t next_port;	/* where the search for a data port starts */
	/* what each pollfd of the last ftp_alg_pollfds stands for */
	struct {
		struct conn *c;
		int which;	/* 0, 1: fd[which]; 2: listen_fd; -1: the ALG's listener */
	} map[256];
};

int
ftp_alg_start(struct smap *s, uint16_t port)
{
	struct ftp_alg *a;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1;

	if (s->ftp)
		return 0;
	a = calloc(1, sizeof(*a));
	if (!a)
		fatal("calloc");
	a->port = port;
	a->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (a->lfd < 0)
		goto err;
	setsockopt(a->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(a->lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(a->lfd, 16) < 0)
		goto err;
	a->next_port = (uint32_t)getpid() * 7919u;
	s->ftp = a;
	log_debug("FTP ALG listening on port %u", port);
	return 0;
err:
	log_warn("FTP ALG: cannot listen on port %u", port);
	if (a->lfd >= 0)
		close(a->lfd);
	free(a);
	return -1;
}

static void
conn_free(struct conn *c)
{
	for (int i = 0; i < 2; i++)
		if (c->fd[i] >= 0)
			close(c->fd[i]);
	if (c->listen_fd >= 0)
		close(c->listen_fd);
	free(c);
}

void
ftp_alg_stop(struct smap *s)
{
	struct ftp_alg *a = s->ftp;
	struct conn *c, *n;

	if (!a)
		return;
	for (c = a->conns; c; c = n) {
		n = c->next;
		conn_free(c);
	}
	close(a->lfd);
	free(a);
	s->ftp = NULL;
}

static struct conn *
conn_new(struct ftp_alg *a, int lan_fd, int inet_fd, bool ctl)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (!c)
		fatal("calloc");
	c->fd[0] = lan_fd;
	c->fd[1] = inet_fd;
	c->ctl = ctl;
	c->listen_fd = -1;
	c->next = a->conns;
	a->conns = c;
	a->n_conns++;
	return c;
}

/* A listening socket on the shared address and a port of the set. */
static int
data_listener(struct smap *s, uint16_t *port)
{
	const struct portset *ps = &s->live.params.ps;
	struct ftp_alg *a = s->ftp;
	uint32_t size = portset_size(ps);

	for (int tries = 0; tries < 64 && size; tries++) {
		/* next_port is where the last one ended: go round the set from there */
		uint32_t from = a->next_port % 65536;
		int p = portset_next(ps, from < 1024 ? 1024 : from);
		struct sockaddr_in sin = { .sin_family = AF_INET };
		int fd;

		if (p < 0)
			p = portset_next(ps, 1024);
		if (p < 0)
			p = portset_next(ps, 1);
		if (p <= 0)
			return -1;
		a->next_port = (uint32_t)p + 1;
		sin.sin_addr.s_addr = htonl(s->live.params.ipv4);
		sin.sin_port = htons((uint16_t)p);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 && listen(fd, 1) == 0) {
			*port = (uint16_t)p;
			return fd;
		}
		close(fd);
	}
	return -1;
}

/* A reply of ours to the client, queued as if the server had sent it. */
static void
reply_client(struct conn *c, const char *msg)
{
	struct half *h = &c->h[1];
	size_t n = strlen(msg);

	if (BUFSZ - h->len >= n) {
		memcpy(h->buf + h->len, msg, n);
		h->len += n;
	}
}

/*
 * One line from the client, rewritten into out (at most cap bytes):
 * PORT and EPRT announce our listener instead of the client.
 */
static size_t
rewrite_line(struct smap *s, struct conn *c, const char *line, size_t len, char *out,
	     size_t cap)
{
	struct sockaddr_in where;
	enum ftp_cmd k;
	uint16_t port;
	uint32_t a = s->live.params.ipv4;
	int fd;

	k = ftp_cmd_parse(line, len, &where);
	if (k == FTP_CMD_OTHER) {
		if (len > cap)
			len = cap;
		memcpy(out, line, len);
		return len;
	}
	if (where.sin_addr.s_addr != c->client.s_addr) {
		s->stats[SMAP_STAT_FTP_PORT_REFUSED]++;
		log_warnx("FTP ALG: %s toward %s refused: not the client's address",
			  k == FTP_CMD_EPRT ? "EPRT" : "PORT", inet_ntoa(where.sin_addr));
		reply_client(c, "500 Illegal PORT command: data only to your own address.\r\n");
		return 0;
	}
	if (c->listen_fd >= 0)
		close(c->listen_fd);
	c->listen_fd = -1;
	fd = data_listener(s, &port);
	if (fd < 0) {
		log_warnx("FTP ALG: no free port in the set for an active data connection");
		memcpy(out, line, len < cap ? len : cap);	/* let the server refuse it */
		return len < cap ? len : cap;
	}
	c->listen_fd = fd;
	c->client_data = where;
	log_debug("FTP ALG: %s for %s:%u announced as port %u", k == FTP_CMD_EPRT ? "EPRT" : "PORT",
		  inet_ntoa(where.sin_addr), ntohs(where.sin_port), port);
	return ftp_cmd_announce(k, a, port, out, cap);
}

static void
accept_control(struct smap *s)
{
	struct ftp_alg *a = s->ftp;
	struct sockaddr_in orig, peer, src = { .sin_family = AF_INET };
	socklen_t olen = sizeof(orig), plen = sizeof(peer);
	int cfd, sfd;

	cfd = accept4(a->lfd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	if (a->n_conns >= MAX_CONNS ||
	    getsockopt(cfd, SOL_IP, SO_ORIGINAL_DST, &orig, &olen) < 0 ||
	    ntohs(orig.sin_port) == a->port) {
		close(cfd);	/* full, or not redirected (a loop) */
		return;
	}
	sfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (sfd < 0) {
		close(cfd);
		return;
	}
	/* from the shared address: srcnat maps the port into the set */
	src.sin_addr.s_addr = htonl(s->live.params.ipv4);
	bind(sfd, (struct sockaddr *)&src, sizeof(src));
	if (connect(sfd, (struct sockaddr *)&orig, sizeof(orig)) < 0 && errno != EINPROGRESS) {
		close(cfd);
		close(sfd);
		return;
	}
	struct conn *c = conn_new(a, cfd, sfd, true);

	c->connecting[1] = true;
	c->client = peer.sin_addr;
	log_debug("FTP ALG: control connection to %s:%u", inet_ntoa(orig.sin_addr),
		  ntohs(orig.sin_port));
}

/* The server connects for an active-mode transfer: connect on to the client. */
static void
accept_data(struct smap *s, struct conn *ctl)
{
	int dfd, cfd;

	dfd = accept4(ctl->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (dfd < 0)
		return;
	close(ctl->listen_fd);
	ctl->listen_fd = -1;
	cfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (cfd < 0 || (connect(cfd, (struct sockaddr *)&ctl->client_data,
				sizeof(ctl->client_data)) < 0 && errno != EINPROGRESS)) {
		if (cfd >= 0)
			close(cfd);
		close(dfd);
		return;
	}
	conn_new(s->ftp, cfd, dfd, false)->connecting[0] = true;
}

unsigned
ftp_alg_pollfds(struct smap *s, struct pollfd *p, unsigned max)
{
	struct ftp_alg *a = s->ftp;
	unsigned n = 0;

	if (!a || max == 0)
		return 0;
	if (max > sizeof(a->map) / sizeof(a->map[0]))
		max = sizeof(a->map) / sizeof(a->map[0]);
	p[n] = (struct pollfd){ .fd = a->lfd, .events = POLLIN };
	a->map[n].c = NULL;
	a->map[n++].which = -1;
	for (struct conn *c = a->conns; c && n + 3 <= max; c = c->next) {
		for (int i = 0; i < 2; i++) {
			short ev = 0;

			if (c->connecting[i])
				ev = POLLOUT;
			else {
				/* read while there is room; write what the other side sent */
				if (!c->h[i].eof && c->h[i].len < BUFSZ &&
				    !(c->ctl && i == 0 && c->line_len == sizeof(c->line)))
					ev |= POLLIN;
				if (c->h[1 - i].len && !c->connecting[1 - i])
					ev |= POLLOUT;
			}
			p[n] = (struct pollfd){ .fd = c->fd[i], .events = ev };
			a->map[n].c = c;
			a->map[n++].which = i;
		}
		if (c->listen_fd >= 0) {
			p[n] = (struct pollfd){ .fd = c->listen_fd, .events = POLLIN };
			a->map[n].c = c;
			a->map[n++].which = 2;
		}
	}
	return n;
}

static void
conn_read(struct smap *s, struct conn *c, int i)
{
	struct half *h = &c->h[i];
	char tmp[sizeof(c->line) + 64];
	ssize_t n;

	if (c->ctl && i == 0) {
		if (c->line_len == sizeof(c->line))
			return;	/* the lines gathered wait for room toward the server */
		/* gather the client's lines and rewrite them whole */
		n = read(c->fd[0], c->line + c->line_len, sizeof(c->line) - c->line_len);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			h->eof = true;
			return;
		}
		if (n < 0)
			return;
		c->line_len += (size_t)n;
		for (;;) {
			char *nl = memchr(c->line, '\n', c->line_len);
			size_t ll, w;

			if (!nl && c->line_len == sizeof(c->line))
				nl = c->line + c->line_len - 1;	/* overlong: pass it on */
			if (!nl || BUFSZ - h->len < sizeof(tmp))
				break;
			ll = (size_t)(nl - c->line) + 1;
			w = rewrite_line(s, c, c->line, ll, tmp, sizeof(tmp));
			memcpy(h->buf + h->len, tmp, w);
			h->len += w;
			memmove(c->line, c->line + ll, c->line_len - ll);
			c->line_len -= ll;
		}
		return;
	}
	n = read(c->fd[i], h->buf + h->len, BUFSZ - h->len);
	if (n > 0)
		h->len += (size_t)n;
	else if (n == 0 || (errno != EAGAIN && errno != EINTR))
		h->eof = true;
}

static void
conn_write(struct conn *c, int i)
{
	struct half *h = &c->h[1 - i];	/* what the other side sent, for fd[i] */
	ssize_t n;

	if (!h->len)
		return;
	n = write(c->fd[i], h->buf, h->len);
	if (n > 0) {
		memmove(h->buf, h->buf + n, h->len - (size_t)n);
		h->len -= (size_t)n;
	} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
		c->dead = true;
	}
}

static void
conn_step(struct conn *c)
{
	for (int i = 0; i < 2; i++) {
		struct half *h = &c->h[i];

		if (h->eof && !h->len && !h->shut) {
			shutdown(c->fd[1 - i], SHUT_WR);
			h->shut = true;
		}
	}
	if (c->h[0].shut && c->h[1].shut)
		c->dead = true;
	/* the control connection ends when either side goes */
	if (c->ctl && (c->h[0].shut || c->h[1].shut))
		c->dead = true;
}

void
ftp_alg_handle(struct smap *s, const struct pollfd *p, unsigned n)
{
	struct ftp_alg *a = s->ftp;
	struct conn **pp, *c;

	if (!a)
		return;
	for (unsigned k = 0; k < n; k++) {
		int i = a->map[k].which;

		c = a->map[k].c;
		if (!p[k].revents)
			continue;
		if (i == -1) {
			accept_control(s);
			continue;
		}
		if (c->dead)
			continue;
		if (i == 2) {
			accept_data(s, c);
			continue;
		}
		if (c->connecting[i]) {
			int err = 0;
			socklen_t el = sizeof(err);

			getsockopt(c->fd[i], SOL_SOCKET, SO_ERROR, &err, &el);
			if (err) {
				c->dead = true;
				continue;
			}
			c->connecting[i] = false;
			continue;
		}
		if (p[k].revents & (POLLIN | POLLHUP | POLLERR))
			conn_read(s, c, i);
		if (p[k].revents & POLLOUT)
			conn_write(c, i);
		if ((p[k].revents & POLLERR) && !(p[k].revents & POLLIN))
			c->dead = true;
	}
	for (c = a->conns; c; c = c->next)
		if (!c->dead)
			conn_step(c);
	for (pp = &a->conns; (c = *pp);) {
		if (c->dead) {
			*pp = c->next;
			conn_free(c);
			a->n_conns--;
		} else {
			pp = &c->next;
		}
	}
}
