/* SPDX-License-Identifier: MIT */
/* The control socket, server and client: see ctlsock.h. */
#include <errno.h>
#include <stdarg.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctlsock.h"
#include "log.h"

/* ---- access list ---- */

static bool
parse_id(const char *s, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno == 0 && *end == '\0' && *out < 0xffffffffUL;
}

bool
ctl_access_add(struct ctl_access *a, const char *spec, char *err, size_t errlen)
{
	unsigned long id;

	if (spec[0] == '@') {
		const struct group *gr;

		if (a->n_gids == CTL_MAX_IDS) {
			snprintf(err, errlen, "more than %d groups", CTL_MAX_IDS);
			return false;
		}
		if (parse_id(spec + 1, &id)) {
			a->gids[a->n_gids++] = (gid_t)id;
			return true;
		}
		if (!(gr = getgrnam(spec + 1))) {
			snprintf(err, errlen, "no group '%s'", spec + 1);
			return false;
		}
		a->gids[a->n_gids++] = gr->gr_gid;
		return true;
	}
	if (a->n_uids == CTL_MAX_IDS) {
		snprintf(err, errlen, "more than %d users", CTL_MAX_IDS);
		return false;
	}
	if (parse_id(spec, &id)) {
		a->uids[a->n_uids++] = (uid_t)id;
		return true;
	}
	const struct passwd *pw = *spec ? getpwnam(spec) : NULL;

	if (!pw) {
		snprintf(err, errlen, "no user '%s' (users by name or number, groups as @GROUP)",
			 spec);
		return false;
	}
	a->uids[a->n_uids++] = pw->pw_uid;
	return true;
}

void
ctl_access_default(struct ctl_access *a, gid_t socket_group)
{
	a->n_uids = 0;
	a->n_gids = 1;
	a->gids[0] = socket_group;
}

bool
ctl_access_allows(const struct ctl_access *a, uid_t uid, gid_t gid, const gid_t *groups,
		  size_t n_groups)
{
	if (uid == 0)
		return true;
	for (unsigned i = 0; i < a->n_uids; i++)
		if (a->uids[i] == uid)
			return true;
	for (unsigned i = 0; i < a->n_gids; i++) {
		if (a->gids[i] == gid)
			return true;
		for (size_t j = 0; j < n_groups; j++)
			if (groups[j] == a->gids[i])
				return true;
	}
	return false;
}

/* ---- line reader ---- */

enum ctl_line_state
ctl_line_feed(struct ctl_line *l, const char *data, size_t n, bool eof)
{
	for (size_t i = 0; i < n; i++) {
		if (data[i] == '\n') {
			l->buf[l->len] = '\0';
			if (l->len && l->buf[l->len - 1] == '\r')
				l->buf[--l->len] = '\0';
			return CTL_LINE_DONE;
		}
		if (data[i] == '\0')
			return CTL_LINE_BAD;
		/* room for the newline itself: CTL_LINE_MAX counts it */
		if (l->len >= CTL_LINE_MAX - 1)
			return CTL_LINE_TOO_LONG;
		l->buf[l->len++] = data[i];
	}
	if (eof && l->len) {
		l->buf[l->len] = '\0';
		return CTL_LINE_DONE;
	}
	return CTL_LINE_MORE;
}

/* ---- server ---- */

enum client_state { C_FREE, C_READ, C_WRITE, C_DRAIN };

struct ctl_client {
	enum client_state st;
	int fd;
	uint64_t deadline;
	struct ctl_line line;
	char *out;
	size_t out_len, out_off;
};

struct ctl_server {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct ctl_access access;
	ctl_handler *handler;
	void *arg;
	struct ctl_client c[CTL_MAX_CLIENTS];
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct ctl_server *
ctl_server_open(const char *path, const struct ctl_access *access, ctl_handler *h, void *arg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ctl_server *cs;
	gid_t group;
	mode_t old;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("control socket %s: path too long", path);
		return NULL;
	}
	cs = calloc(1, sizeof(*cs));
	if (!cs) {
		log_warn("control socket");
		return NULL;
	}
	strcpy(sun.sun_path, path);
	strcpy(cs->path, path);
	cs->handler = h;
	cs->arg = arg;
	cs->access = *access;
	cs->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (cs->fd < 0) {
		log_warn("control socket %s", path);
		free(cs);
		return NULL;
	}
	unlink(path);
	old = umask(0117);	/* never world-accessible, not even for a moment */
	if (bind(cs->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(cs->fd, 16) < 0) {
		umask(old);
		log_warn("control socket %s", path);
		close(cs->fd);
		free(cs);
		return NULL;
	}
	umask(old);
	group = access->has_group ? access->group : getegid();
	if (access->has_group && chown(path, 0, group) < 0)
		log_warn("control socket %s: chown to group %u (only root can use it)", path,
			 (unsigned)group);
	if (chmod(path, 0660) < 0)
		log_warn("control socket %s: chmod", path);
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++)
		cs->c[i].fd = -1;
	return cs;
}

void
ctl_server_set_access(struct ctl_server *cs, const struct ctl_access *a)
{
	bool has = cs->access.has_group;
	gid_t g = cs->access.group;

	cs->access = *a;
	cs->access.has_group = has;	/* the file's group changes at restart */
	cs->access.group = g;
}

static void
client_close(struct ctl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->st = C_FREE;
}

static void
client_reply(struct ctl_client *c, char *out, size_t len)
{
	c->out = out;
	c->out_len = len;
	c->out_off = 0;
	c->st = C_WRITE;
	c->deadline = now_ms() + CTL_REPLY_MS;
}

static void
client_error(struct ctl_client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
client_error(struct ctl_client *c, const char *fmt, ...)
{
	char *s = NULL, msg[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = asprintf(&s, "error\t%s\n", msg);
	if (n < 0) {
		client_close(c);
		return;
	}
	client_reply(c, s, (size_t)n);
}

static bool
peer_allowed(const struct ctl_server *cs, int fd, uid_t *uid)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	gid_t groups[64];
	socklen_t glen = sizeof(groups);
	size_t ng = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return false;
	*uid = cr.uid;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == 0)
		ng = glen / sizeof(gid_t);
	return ctl_access_allows(&cs->access, cr.uid, cr.gid, groups, ng);
}

static void
accept_one(struct ctl_server *cs)
{
	struct ctl_client *c = NULL;
	uid_t uid = (uid_t)-1;
	int fd;

	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++)
		if (cs->c[i].st == C_FREE) {
			c = &cs->c[i];
			break;
		}
	if (!c)
		return;	/* full: it waits in the backlog */
	fd = accept4(cs->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->st = C_READ;
	c->deadline = now_ms() + CTL_DEADLINE_MS;
	if (!peer_allowed(cs, fd, &uid)) {
		log_warnx("control socket: refused uid %u (not in control_allow)", (unsigned)uid);
		client_error(c, "permission denied: uid %u may not use this socket", (unsigned)uid);
	}
}

static void
client_answer(struct ctl_server *cs, struct ctl_client *c)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f) {
		client_close(c);
		return;
	}
	cs->handler(cs->arg, c->line.buf, f);
	if (fclose(f) != 0) {
		free(out);
		client_close(c);
		return;
	}
	client_reply(c, out, len);
}

static void
client_read(struct ctl_server *cs, struct ctl_client *c)
{
	char buf[CTL_LINE_MAX];

	for (;;) {
		ssize_t n = read(c->fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			client_close(c);
			return;
		}
		switch (ctl_line_feed(&c->line, buf, (size_t)n, n == 0)) {
		case CTL_LINE_MORE:
			if (n == 0) {	/* closed before saying anything */
				client_close(c);
				return;
			}
			continue;
		case CTL_LINE_DONE:
			client_answer(cs, c);
			return;
		case CTL_LINE_TOO_LONG:
			client_error(c, "request longer than %d bytes", CTL_LINE_MAX - 1);
			return;
		case CTL_LINE_BAD:
			client_error(c, "request with a NUL byte");
			return;
		}
	}
}

static void
client_write(struct ctl_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			client_close(c);
			return;
		}
		c->out_off += (size_t)n;
	}
	/* all sent: read what the client still sends (closing with unread
	 * bytes would reset the connection and lose the reply) until it closes */
	shutdown(c->fd, SHUT_WR);
	c->st = C_DRAIN;
}

static void
client_drain(struct ctl_client *c)
{
	char buf[1024];

	for (;;) {
		ssize_t n = read(c->fd, buf, sizeof(buf));

		if (n > 0 || (n < 0 && errno == EINTR))
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		client_close(c);	/* the client closed, or failed */
		return;
	}
}

unsigned
ctl_server_pollfds(struct ctl_server *cs, struct pollfd *p, unsigned max)
{
	unsigned n = 0, busy = 0;

	if (!cs)
		return 0;
	for (unsigned i = 0; i < CTL_MAX_CLIENTS && n + 1 < max; i++) {
		struct ctl_client *c = &cs->c[i];

		if (c->st == C_FREE)
			continue;
		busy++;
		p[n++] = (struct pollfd){ .fd = c->fd,
					  .events = c->st == C_WRITE ? POLLOUT : POLLIN };
	}
	if (busy < CTL_MAX_CLIENTS && n < max)
		p[n++] = (struct pollfd){ .fd = cs->fd, .events = POLLIN };
	return n;
}

void
ctl_server_handle(struct ctl_server *cs, const struct pollfd *p, unsigned n)
{
	uint64_t now = now_ms();

	if (!cs)
		return;
	for (unsigned k = 0; k < n; k++) {
		if (!p[k].revents)
			continue;
		if (p[k].fd == cs->fd) {
			/* several may wait: take what there is room for */
			for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++)
				accept_one(cs);
			continue;
		}
		for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++) {
			struct ctl_client *c = &cs->c[i];

			if (c->st == C_FREE || c->fd != p[k].fd)
				continue;
			if (c->st == C_READ)
				client_read(cs, c);
			if (c->st == C_WRITE)
				client_write(c);
			else if (c->st == C_DRAIN)
				client_drain(c);
			break;
		}
	}
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct ctl_client *c = &cs->c[i];

		if (c->st != C_FREE && now >= c->deadline) {
			if (c->st == C_READ)
				log_debug("control socket: request not complete within %d ms",
					  CTL_DEADLINE_MS);
			client_close(c);
		}
	}
}

void
ctl_server_close(struct ctl_server *cs)
{
	if (!cs)
		return;
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++)
		if (cs->c[i].st != C_FREE)
			client_close(&cs->c[i]);
	close(cs->fd);
	unlink(cs->path);
	free(cs);
}

/* ---- client ---- */

FILE *
ctl_request(const char *path, const char *line, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 15 };
	size_t len = strlen(line);
	char buf[CTL_LINE_MAX + 1];
	FILE *f;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return NULL;
	}
	if (len + 1 > CTL_LINE_MAX || strchr(line, '\n')) {
		snprintf(err, errlen, "request longer than %d bytes or with a newline",
			 CTL_LINE_MAX - 1);
		return NULL;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		snprintf(err, errlen, "cannot reach the daemon at %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	memcpy(buf, line, len);
	buf[len] = '\n';
	/* one write: the whole line at once */
	if (send(fd, buf, len + 1, MSG_NOSIGNAL) != (ssize_t)(len + 1)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	shutdown(fd, SHUT_WR);
	f = fdopen(fd, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}
