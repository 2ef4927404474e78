/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_RL_WINDOW_MS	10000	/* per format string: at most */
#define LOG_RL_BURST		20	/* this many lines per window */

static int log_fg = 1;
static int log_verbose;
static const char *log_ident = "ap";
static int log_prefix;		/* foreground lines carry "<N>" */
static int log_journal;		/* stderr is the journal's stream */
static enum log_prefix log_prefix_forced = LOG_PREFIX_AUTO;
static uint64_t (*log_clock)(void);
static struct log_rl log_limiter;
static int log_limiter_ready;
static pthread_mutex_t log_limiter_lock = PTHREAD_MUTEX_INITIALIZER;	/* prr logs from its workers */

int
log_want_prefix(int journal, int tty)
{
	return journal || !tty;
}

int
log_journal_match(const char *env, unsigned long long dev, unsigned long long ino)
{
	unsigned long long d, i;
	char tail;

	if (!env || sscanf(env, "%llu:%llu%c", &d, &i, &tail) != 2)
		return 0;
	return d == dev && i == ino;
}

size_t
log_format(char *buf, size_t len, int prefix, int pri, const char *ident,
	   const char *msg, const char *err)
{
	int n;

	if (len == 0)
		return 0;
	if (prefix)
		n = snprintf(buf, len, "<%d>%s: %s%s%s", pri & LOG_PRIMASK, ident, msg,
			     err ? ": " : "", err ? err : "");
	else
		n = snprintf(buf, len, "%s: %s%s%s", ident, msg, err ? ": " : "", err ? err : "");
	if (n < 0)
		n = 0;
	return (size_t)n < len ? (size_t)n : len - 1;
}

void
log_rl_init(struct log_rl *rl, uint64_t window_ms, unsigned burst)
{
	memset(rl, 0, sizeof(*rl));
	rl->window_ms = window_ms;
	rl->burst = burst;
}

int
log_rl_admit(struct log_rl *rl, const void *key, uint64_t now_ms, unsigned *reported)
{
	struct log_rl_slot *s, *free_slot = NULL, *oldest = NULL;
	int i;

	*reported = 0;
	for (i = 0; i < LOG_RL_SLOTS; i++) {
		s = &rl->slot[i];
		if (s->key == key)
			break;
		if (!s->key) {
			if (!free_slot)
				free_slot = s;
		} else if (s->suppressed == 0 && (!oldest || s->start_ms < oldest->start_ms)) {
			oldest = s;	/* may be reused: it owes no count */
		}
	}
	if (i == LOG_RL_SLOTS) {
		s = free_slot ? free_slot : oldest;
		if (!s)		/* every slot owes a count: never lose one, let it through */
			return 1;
		s->key = key;
		s->start_ms = now_ms;
		s->passed = 1;
		s->suppressed = 0;
		return 1;
	}
	if (now_ms - s->start_ms >= rl->window_ms) {
		*reported = s->suppressed;
		s->start_ms = now_ms;
		s->passed = 1;
		s->suppressed = 0;
		return 1;
	}
	if (s->passed < rl->burst) {
		s->passed++;
		return 1;
	}
	s->suppressed++;
	return 0;
}

int
log_rl_expired(struct log_rl *rl, uint64_t now_ms, const void **key, unsigned *count)
{
	struct log_rl_slot *s;
	int i;

	for (i = 0; i < LOG_RL_SLOTS; i++) {
		s = &rl->slot[i];
		if (s->key && s->suppressed && now_ms - s->start_ms >= rl->window_ms) {
			*key = s->key;
			*count = s->suppressed;
			memset(s, 0, sizeof(*s));
			return 1;
		}
	}
	return 0;
}

static uint64_t
log_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
log_set_clock(uint64_t (*now_ms)(void))
{
	log_clock = now_ms;
}

static void
log_decide_prefix(void)
{
	struct stat st;
	const char *env = getenv("AP_LOG_PREFIX");	/* "0" or "1": what a supervisor wants */
	enum log_prefix p = log_prefix_forced;

	log_journal = fstat(2, &st) == 0 &&
	    log_journal_match(getenv("JOURNAL_STREAM"), (unsigned long long)st.st_dev,
			      (unsigned long long)st.st_ino);
	if (p == LOG_PREFIX_AUTO && env && (!strcmp(env, "0") || !strcmp(env, "1")))
		p = env[0] == '1' ? LOG_PREFIX_PRIORITY : LOG_PREFIX_NONE;
	switch (p) {
	case LOG_PREFIX_NONE: log_prefix = 0; break;
	case LOG_PREFIX_PRIORITY: log_prefix = 1; break;
	default: log_prefix = log_want_prefix(log_journal, isatty(2)); break;
	}
}

void
log_set_prefix(enum log_prefix p)
{
	log_prefix_forced = p;
	log_decide_prefix();
}

void
log_init(int foreground, const char *ident)
{
	log_fg = foreground;
	log_ident = ident;
	if (!log_limiter_ready) {
		log_rl_init(&log_limiter, LOG_RL_WINDOW_MS, LOG_RL_BURST);
		log_limiter_ready = 1;
	}
	if (foreground)
		log_decide_prefix();
	else
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_setverbose(int v)
{
	log_verbose = v;
}

int
log_getverbose(void)
{
	return log_verbose;
}

int
log_foreground(void)
{
	return log_fg;
}

static void
emit(int pri, const char *msg, const char *err)
{
	char line[1200];

	if (log_fg) {
		log_format(line, sizeof(line), log_prefix, pri, log_ident, msg, err);
		fprintf(stderr, "%s\n", line);
		fflush(stderr);
	} else if (err) {
		syslog(pri, "%s: %s", msg, err);
	} else {
		syslog(pri, "%s", msg);
	}
}

/* Counts of windows that have passed, before anything newer. */
static void
report_suppressed(uint64_t now)
{
	const void *key;
	unsigned n;
	char msg[200];

	while (log_rl_expired(&log_limiter, now, &key, &n)) {
		snprintf(msg, sizeof(msg), "%u similar messages suppressed (\"%.120s\")", n,
			 (const char *)key);
		emit(LOG_NOTICE, msg, NULL);
	}
}

static void
vlog(int pri, const char *fmt, va_list ap, const char *err, int limited)
{
	char msg[1024];
	int saved = errno;
	unsigned reported = 0;

	if (limited && log_limiter_ready) {
		uint64_t now = log_clock ? log_clock() : log_monotonic_ms();
		int admit;

		pthread_mutex_lock(&log_limiter_lock);
		report_suppressed(now);
		admit = log_rl_admit(&log_limiter, fmt, now, &reported);
		pthread_mutex_unlock(&log_limiter_lock);
		if (!admit) {
			errno = saved;
			return;
		}
		if (reported) {
			snprintf(msg, sizeof(msg), "%u similar messages suppressed (\"%.120s\")",
				 reported, fmt);
			emit(LOG_NOTICE, msg, NULL);
		}
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	emit(pri, msg, err);
	errno = saved;
}

void
log_text(int pri, const char *text)
{
	const char *p = text, *nl;
	char line[1024];
	size_t n;

	if (log_fg && !log_journal) {
		fputs(text, stderr);
		fflush(stderr);
		return;
	}
	while (*p) {
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		if (n) {
			if (log_fg)
				fprintf(stderr, "<%d>%s\n", pri & LOG_PRIMASK, line);
			else
				syslog(pri, "%s", line);
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (log_fg)
		fflush(stderr);
}

/* debug lines (asked for with -v) are never rate limited */
#define LOGFN(name, pri, witherr, gate, limited)		\
void								\
name(const char *fmt, ...)					\
{								\
	va_list ap;						\
	const char *e = (witherr) ? strerror(errno) : NULL;	\
	if (!(gate))						\
		return;						\
	va_start(ap, fmt);					\
	vlog(pri, fmt, ap, e, limited);				\
	va_end(ap);						\
}

LOGFN(log_warn, LOG_WARNING, 1, 1, 1)
LOGFN(log_warnx, LOG_WARNING, 0, 1, 1)
LOGFN(log_info, LOG_INFO, 0, 1, 1)
LOGFN(log_debug, LOG_DEBUG, 0, log_verbose, 0)

void
fatal(const char *fmt, ...)
{
	va_list ap;
	const char *e = strerror(errno);

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, e, 0);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, NULL, 0);
	va_end(ap);
	exit(1);
}
