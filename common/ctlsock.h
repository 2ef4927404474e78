/* SPDX-License-Identifier: MIT */
/*
 * The control socket of both daemons (unix stream), server and client.
 * Protocol: the client sends one request line, the daemon answers with
 * lines of tab-separated fields, then closes. An error reply is the line
 * "error<TAB>message".
 *
 * Server: every client is read without blocking inside the daemon's own
 * poll loop; a request must arrive whole within CTL_DEADLINE_MS, a line
 * longer than CTL_LINE_MAX gets an error reply (never cut silently), and
 * only peers (SO_PEERCRED, SO_PEERGROUPS) in the allowed list are served.
 * The socket file is made 0660, owned by root and the control group (the
 * daemon's group by default); it is removed at close.
 *
 *	struct ctl_server *cs = ctl_server_open(path, &access, handler, arg);
 *	n = ctl_server_pollfds(cs, pfd, CTL_POLLFDS);   ... poll ...
 *	ctl_server_handle(cs, pfd, n);                    every loop turn
 */
#ifndef AP_CTLSOCK_H
#define AP_CTLSOCK_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define CTL_LINE_MAX	512	/* request line with its newline */
#define CTL_DEADLINE_MS	2000	/* for a whole request line to arrive */
#define CTL_REPLY_MS	10000	/* for the client to take the reply */
#define CTL_MAX_CLIENTS	8
#define CTL_POLLFDS	(1 + CTL_MAX_CLIENTS)
#define CTL_MAX_IDS	16

/* ---- pure parts ---- */

/* Who may use the socket: root always, then these uids and gids. */
struct ctl_access {
	bool has_group;			/* control_group: the socket file's group */
	gid_t group;
	unsigned n_uids, n_gids;
	uid_t uids[CTL_MAX_IDS];
	gid_t gids[CTL_MAX_IDS];
};

/* Add "USER", "UID", "@GROUP" or "@GID" to the list; false with a message in err. */
bool ctl_access_add(struct ctl_access *, const char *spec, char *err, size_t errlen);
/* The defaults when nothing was configured: root and the socket's group. */
void ctl_access_default(struct ctl_access *, gid_t socket_group);
/* A peer with uid, primary gid and supplementary groups. */
bool ctl_access_allows(const struct ctl_access *, uid_t uid, gid_t gid,
		       const gid_t *groups, size_t n_groups);

/* A request line being read. */
struct ctl_line {
	size_t len;
	char buf[CTL_LINE_MAX + 1];
};

enum ctl_line_state {
	CTL_LINE_MORE,		/* no newline yet */
	CTL_LINE_DONE,		/* buf holds the line, without CR/LF, NUL-terminated */
	CTL_LINE_TOO_LONG,	/* more than CTL_LINE_MAX bytes before the newline */
	CTL_LINE_BAD,		/* a NUL byte in the line */
};

/* Feed bytes read; eof: the client closed its side (a last line without newline counts). */
enum ctl_line_state ctl_line_feed(struct ctl_line *, const char *data, size_t n, bool eof);

/* ---- server ---- */

/* Answer one request line (the handler may cut it up): write reply lines to out. */
typedef void ctl_handler(void *arg, char *line, FILE *out);
struct ctl_server;

/* NULL on failure (logged). */
struct ctl_server *ctl_server_open(const char *path, const struct ctl_access *,
				   ctl_handler *, void *arg);
/* A reload may change who is allowed (not the path nor the group). */
void ctl_server_set_access(struct ctl_server *, const struct ctl_access *);
/* Fill at most max (>= CTL_POLLFDS) entries; returns how many. */
unsigned ctl_server_pollfds(struct ctl_server *, struct pollfd *, unsigned max);
/* After poll, with the entries filled above; also expires slow clients. */
void ctl_server_handle(struct ctl_server *, const struct pollfd *, unsigned n);
void ctl_server_close(struct ctl_server *);

/* ---- client ---- */

/*
 * Connect to path, send line (plus a newline), and return the reply for
 * reading; NULL with a message in err (cannot connect, line too long).
 */
FILE *ctl_request(const char *path, const char *line, char *err, size_t errlen);

#endif
