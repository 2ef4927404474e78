/* SPDX-License-Identifier: MIT */
/*
 * The UPnP IGD, SMAP side: libupnp parses HTTP, SOAP and SSDP from the
 * LAN, so it runs in smap-upnp (smap/upnpd/), a process of its own:
 * forked and exec'd, so that it shares no memory, threads or locks with
 * the SMAP, as upnp.user, without capabilities or inherited descriptors
 * (upnp_sandbox.c). The SMAP writes its description files, answers its
 * questions (upnp_serve.c) without ever waiting for it (non-blocking
 * socket, a bounded number of messages per loop, a reply it cannot send
 * is dropped: the child times out), and restarts it with backoff when it
 * dies.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "smap/portmap/igd_desc.h"
#include "smap/portmap/upnp.h"
#include "smap/portmap/upnp_msg.h"
#include "smap/portmap/upnp_sandbox.h"
#include "smap/portmap/upnp_serve.h"
#include "smap/smap.h"

#define UPNP_HELPER		"smap-upnp"
#define UPNP_BATCH		64	/* messages handled per loop turn */
#define UPNP_BACKOFF_MIN_MS	1000
#define UPNP_BACKOFF_MAX_MS	60000
#define UPNP_STOP_MS		5000	/* SIGTERM, then SIGKILL */

extern char **environ;

enum { ST_RESTARTS, ST_BAD, ST_DROPPED, ST_MAX };
static const struct igd_stat_desc own_desc[ST_MAX] = {
	{ "upnp_restarts", "times smap-upnp was started again after it died" },
	{ "upnp_bad_messages", "malformed messages from smap-upnp (it is killed)" },
	{ "upnp_replies_dropped", "answers smap-upnp did not read in time" },
};

static struct {
	bool enabled;
	struct smap *s;
	pid_t pid;		/* > 0 while a child exists, until reaped */
	int sock;		/* our end, non-blocking */
	int exe;		/* smap-upnp, opened before any privilege is gone */
	uid_t uid;
	gid_t gid;
	char dir[64];		/* description files, removed at stop */
	uint64_t started_ms, next_start_ms, backoff_ms;
	uint64_t stats[IGD_STAT_MAX];	/* the child's, as it last said */
	uint64_t base[IGD_STAT_MAX];	/* its dead predecessors' */
	uint64_t own[ST_MAX];
} up = { .pid = -1, .sock = -1, .exe = -1 };

/* ---- description files ---- */

static const char *const files[] = { IGD_DESC_PATH, IGD_SCPD_IPCONN, IGD_SCPD_CIF };

static int
write_file(const char *name, char *text)
{
	char path[128];
	FILE *f;
	int rc = -1;

	if (!text)
		return -1;
	snprintf(path, sizeof(path), "%s%s", up.dir, name);
	if ((f = fopen(path, "wx"))) {
		rc = fputs(text, f) < 0 || fchmod(fileno(f), 0644) < 0 ? -1 : 0;
		if (fclose(f) != 0)
			rc = -1;
	}
	if (rc < 0)
		log_warn("upnp: %s", path);
	free(text);
	return rc;
}

static void
remove_files(void)
{
	char path[128];

	if (!up.dir[0])
		return;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", up.dir, files[i]);
		unlink(path);
	}
	rmdir(up.dir);
	up.dir[0] = 0;
}

/* Root's, readable by the child, which cannot change them. */
static int
write_files(const struct smap *s)
{
	const struct upnp_config *u = &s->cfg.upnp;
	char uuid[48];

	if (u->uuid[0])
		snprintf(uuid, sizeof(uuid), "%s", u->uuid);
	else	/* stable across restarts: from the shared and LAN addresses */
		snprintf(uuid, sizeof(uuid), "5a4d4150-6967-4400-8000-%04x%08x",
			 s->cfg.lan_prefix >> 16, s->live.params.ipv4);
	snprintf(up.dir, sizeof(up.dir), "/tmp/smap-upnp.XXXXXX");
	if (!mkdtemp(up.dir) || chmod(up.dir, 0755) < 0) {
		log_warn("upnp: mkdtemp %s", up.dir);
		up.dir[0] = 0;
		return -1;
	}
	if (write_file(IGD_DESC_PATH, igd_device_desc(u->version, uuid, u->friendly_name)) ||
	    write_file(IGD_SCPD_IPCONN, igd_scpd(IGD_SVC_WANIPCONN, u->version)) ||
	    write_file(IGD_SCPD_CIF, igd_scpd(IGD_SVC_WANCIF, 1)))
		return -1;
	return 0;
}

/* ---- the child ---- */

/* upnp.user, or nobody when the configured default does not exist. */
static int
resolve_user(const char *name)
{
	struct passwd *pw = getpwnam(name);

	if (!pw && strcmp(name, UPNP_DEFAULT_USER) == 0) {
		log_info("upnp: no user %s, running smap-upnp as %s", name, UPNP_FALLBACK_USER);
		pw = getpwnam(UPNP_FALLBACK_USER);
	}
	if (!pw) {
		log_warnx("upnp: no user %s (upnp.user)", name);
		return -1;
	}
	if (pw->pw_uid == 0) {
		log_warnx("upnp: upnp.user %s is root: refused", name);
		return -1;
	}
	up.uid = pw->pw_uid;
	up.gid = pw->pw_gid;
	return 0;
}

/* smap-upnp beside this program's binary. */
static int
open_helper(void)
{
	char self[PATH_MAX], path[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n < 0) {
		log_warn("upnp: /proc/self/exe");
		return -1;
	}
	self[n] = 0;
	if ((slash = strrchr(self, '/')))
		*slash = 0;
	snprintf(path, sizeof(path), "%s/%s", self, UPNP_HELPER);
	if ((up.exe = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		log_warn("upnp: %s", path);
		return -1;
	}
	return 0;
}

static void
child(int sock, pid_t parent, char **argv)
{
	const char *why = "";

	if (upnp_sandbox_enter(sock, up.uid, up.gid, parent, &why) == 0) {
		fexecve(up.exe, argv, environ);
		why = "exec " UPNP_HELPER;
	}
	/* async-signal-safe only: a message on stderr */
	(void)!write(2, "smap-upnp: sandbox: ", 20);
	(void)!write(2, why, strlen(why));
	(void)!write(2, " failed\n", 8);
	_exit(127);
}

static void
spawn(void)
{
	const struct smap *s = up.s;
	const struct upnp_config *u = &s->cfg.upnp;
	char port[8], ver[4], age[12], lan[24];
	char *argv[20];
	int sv[2], n = 0;
	pid_t parent = getpid(), pid;
	uint32_t net;

	snprintf(port, sizeof(port), "%u", u->http_port);
	snprintf(ver, sizeof(ver), "%u", u->version);
	snprintf(age, sizeof(age), "%u", u->max_age);
	net = s->cfg.lan_plen ? s->cfg.lan_prefix & ~0u << (32 - s->cfg.lan_plen) : 0;
	snprintf(lan, sizeof(lan), "%u.%u.%u.%u/%u", net >> 24, net >> 16 & 255, net >> 8 & 255,
		 net & 255, s->cfg.lan_plen);
	argv[n++] = UPNP_HELPER;
	argv[n++] = "-i", argv[n++] = (char *)s->cfg.lan_if;
	argv[n++] = "-l", argv[n++] = lan;
	argv[n++] = "-d", argv[n++] = up.dir;
	argv[n++] = "-p", argv[n++] = port;
	argv[n++] = "-V", argv[n++] = ver;
	argv[n++] = "-a", argv[n++] = age;
	if (u->allow_other_hosts)
		argv[n++] = "-o";
	if (log_foreground())
		argv[n++] = "-f";
	if (log_getverbose() > 0)
		argv[n++] = "-v";
	argv[n] = NULL;

	up.started_ms = clock_ms();
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		log_warn("upnp: socketpair");
		return;
	}
	if ((pid = fork()) < 0) {
		log_warn("upnp: fork");
		close(sv[0]);
		close(sv[1]);
		return;
	}
	if (pid == 0)
		child(sv[1], parent, argv);
	close(sv[1]);
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) < 0)
		log_warn("upnp: O_NONBLOCK");
	up.sock = sv[0];
	up.pid = pid;
	log_info("upnp: started smap-upnp, pid %d, uid %u", (int)pid, (unsigned)up.uid);
}

static void
close_sock(void)
{
	if (up.sock >= 0)
		close(up.sock);
	up.sock = -1;
}

/* It misbehaved or hung up: it goes, upnp_tick reaps and restarts it. */
static void
drop_child(const char *why)
{
	if (up.pid > 0) {
		log_warnx("upnp: smap-upnp pid %d: %s", (int)up.pid, why);
		kill(up.pid, SIGKILL);
	}
	close_sock();
}

static void
log_exit(int status)
{
	if (WIFSIGNALED(status))
		log_warnx("upnp: smap-upnp pid %d killed by signal %d (%s)", (int)up.pid,
			  WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		log_info("upnp: smap-upnp pid %d exited with status %d", (int)up.pid,
			 WEXITSTATUS(status));
}

static void
reaped(int status)
{
	uint64_t now = clock_ms(), ran = now - up.started_ms;

	log_exit(status);
	close_sock();
	up.pid = -1;
	for (int i = 0; i < IGD_STAT_MAX; i++)
		up.base[i] += up.stats[i];
	memset(up.stats, 0, sizeof(up.stats));
	/* a child that ran a while starts again at once; a crashing one, slower and slower */
	if (ran > UPNP_BACKOFF_MAX_MS || !up.backoff_ms)
		up.backoff_ms = UPNP_BACKOFF_MIN_MS;
	else if ((up.backoff_ms *= 2) > UPNP_BACKOFF_MAX_MS)
		up.backoff_ms = UPNP_BACKOFF_MAX_MS;
	up.next_start_ms = now + up.backoff_ms;
	log_info("upnp: restarting smap-upnp in %llu ms", (unsigned long long)up.backoff_ms);
}

/* ---- the main loop's side ---- */

unsigned
upnp_pollfd(struct pollfd *p)
{
	if (up.sock < 0)
		return 0;
	*p = (struct pollfd){ .fd = up.sock, .events = POLLIN };
	return 1;
}

static void
notice(const struct upnp_msg *m)
{
	if (m->type == UPNP_MSG_STATS) {
		memcpy(up.stats, m->stats, sizeof(up.stats));
	} else if (m->type == UPNP_MSG_READY) {
		/* its HTTP ports, closed to the WAN */
		if (nat_guard_tcp(up.s, 0, m->port4) < 0 || nat_guard_tcp(up.s, 1, m->port6) < 0)
			log_warnx("upnp: cannot close its HTTP port to the WAN");
		log_debug("upnp: smap-upnp ready, HTTP ports %u and %u", m->port4, m->port6);
	}
}

void
upnp_handle(struct smap *s, const struct pollfd *p)
{
	uint8_t buf[UPNP_MSG_MAX], out[UPNP_MSG_MAX];
	struct upnp_msg q, r;

	if (up.sock < 0 || p->fd != up.sock || !p->revents)
		return;
	for (int i = 0; i < UPNP_BATCH; i++) {
		ssize_t n = recv(up.sock, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		size_t len;

		if (n == 0) {
			drop_child("closed its socket");
			return;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				drop_child(strerror(errno));
			return;
		}
		if ((size_t)n > sizeof(buf) || !upnp_msg_decode(buf, (size_t)n, &q) ||
		    q.type >= UPNP_MSG_R_MAP) {
			up.own[ST_BAD]++;
			drop_child("malformed message");
			return;
		}
		if (!upnp_serve(s, &q, &r)) {
			notice(&q);
			continue;
		}
		len = upnp_msg_encode(&r, out, sizeof(out));
		if (!len || send(up.sock, out, len, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)len)
			up.own[ST_DROPPED]++;
	}
}

void
upnp_tick(void)
{
	int status;

	if (up.pid > 0 && waitpid(up.pid, &status, WNOHANG) == up.pid)
		reaped(status);
	if (up.enabled && up.pid < 0 && clock_ms() >= up.next_start_ms) {
		up.own[ST_RESTARTS]++;
		spawn();
	}
}

/* ---- start, stop ---- */

int
upnp_start(struct smap *s)
{
	if (!s->cfg.upnp.enable || up.enabled)
		return 0;
	up.s = s;
	memset(up.stats, 0, sizeof(up.stats));
	memset(up.base, 0, sizeof(up.base));
	if (resolve_user(s->cfg.upnp.user) < 0 || open_helper() < 0 || write_files(s) < 0) {
		upnp_stop();
		return -1;
	}
	up.enabled = true;
	up.backoff_ms = 0;
	spawn();
	if (up.pid < 0) {
		upnp_stop();
		return -1;
	}
	return 0;
}

void
upnp_stop(void)
{
	int status;

	up.enabled = false;
	if (up.pid > 0) {
		uint64_t until = clock_ms() + UPNP_STOP_MS;

		pid_t got;

		kill(up.pid, SIGTERM);	/* ssdp:byebye first */
		while ((got = waitpid(up.pid, &status, WNOHANG)) == 0) {
			if (clock_ms() >= until) {
				kill(up.pid, SIGKILL);
				got = waitpid(up.pid, &status, 0);
				break;
			}
			poll(NULL, 0, 20);
		}
		if (got == up.pid)
			log_exit(status);
		log_info("upnp: stopped (%llu actions, %llu errors, %llu renewals)",
			 (unsigned long long)up.stats[IGD_STAT_ACTIONS],
			 (unsigned long long)up.stats[IGD_STAT_ERRORS],
			 (unsigned long long)up.stats[IGD_STAT_RENEWED]);
	}
	up.pid = -1;
	close_sock();
	if (up.exe >= 0)
		close(up.exe);
	up.exe = -1;
	remove_files();
}

void
upnp_stats(FILE *f)
{
	for (int i = 0; i < IGD_STAT_MAX; i++)
		fprintf(f, "%s\t%llu\t%s\n", igd_stat_desc[i].name,
			(unsigned long long)(up.base[i] + up.stats[i]), igd_stat_desc[i].doc);
	for (int i = 0; i < ST_MAX; i++)
		fprintf(f, "%s\t%llu\t%s\n", own_desc[i].name, (unsigned long long)up.own[i],
			own_desc[i].doc);
}
