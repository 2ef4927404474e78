/* SPDX-License-Identifier: MIT */
/*
 * Logging in the OpenBSD daemons' style: stderr in the foreground, syslog
 * otherwise. In the foreground each line carries its syslog priority as a
 * "<N>" prefix (sd-daemon(3)) when stderr goes to the journal or is not a
 * tty, so journald and other collectors keep the severity; on a tty the
 * lines are plain. AP_LOG_PREFIX=0 or 1 in the environment decides instead
 * (a supervisor that reads the lines itself). Repeated messages (the same format string) are rate
 * limited: past a burst within a window they are counted, and the count is
 * logged as "N similar messages suppressed" once the window has passed.
 */
#ifndef AP_LOG_H
#define AP_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>	/* LOG_ERR and the rest, for log_text() */

void log_init(int foreground, const char *ident);
void log_setverbose(int);
int log_getverbose(void);
int log_foreground(void);	/* 1: stderr, 0: syslog */
void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));	/* appends strerror(errno) */
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
/*
 * Multi-line text (a config's error list): on stderr as it is in the
 * foreground ("<N>"-prefixed per line only toward the journal), one syslog
 * line per text line otherwise, so nothing goes to a closed stderr.
 */
void log_text(int pri, const char *text);

/* The pure parts, for tests. */
enum log_prefix { LOG_PREFIX_AUTO, LOG_PREFIX_NONE, LOG_PREFIX_PRIORITY };
/*
 * Should foreground lines carry "<N>"? journal: JOURNAL_STREAM names
 * stderr's device:inode; tty: stderr is a terminal.
 */
int log_want_prefix(int journal, int tty);
/* "<pri>ident: msg[: err]" (no "<pri>" unless prefix) into buf; its length. */
size_t log_format(char *buf, size_t len, int prefix, int pri, const char *ident,
		  const char *msg, const char *err);
/* JOURNAL_STREAM's value ("dev:ino") against stderr's device and inode. */
int log_journal_match(const char *env, unsigned long long dev, unsigned long long ino);

#define LOG_RL_SLOTS	32
struct log_rl_slot {
	const void *key;	/* the format string */
	uint64_t start_ms;	/* the window's start */
	unsigned passed, suppressed;
};
struct log_rl {
	uint64_t window_ms;
	unsigned burst;
	struct log_rl_slot slot[LOG_RL_SLOTS];
};
void log_rl_init(struct log_rl *, uint64_t window_ms, unsigned burst);
/*
 * One message with this key at now_ms: 1 to log it, 0 to suppress it.
 * *reported is set to the number suppressed in the key's last window when
 * that window is over (log "N similar messages suppressed" first), else 0.
 */
int log_rl_admit(struct log_rl *, const void *key, uint64_t now_ms, unsigned *reported);
/*
 * Windows over by now_ms that suppressed something: one at a time, its key
 * and count, 0 when there is none left (the caller logs each).
 */
int log_rl_expired(struct log_rl *, uint64_t now_ms, const void **key, unsigned *count);
/* Tests: the clock the rate limiter reads (NULL: CLOCK_MONOTONIC). */
void log_set_clock(uint64_t (*now_ms)(void));
/* Tests and tools: force the prefix decision. */
void log_set_prefix(enum log_prefix);

#endif
