/* SPDX-License-Identifier: MIT */
/* Logging in the OpenBSD daemons' style: stderr in the foreground, syslog otherwise. */
#ifndef AP_LOG_H
#define AP_LOG_H

#include <stdarg.h>

void log_init(int foreground, const char *ident);
void log_setverbose(int);
int log_getverbose(void);
void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));	/* appends strerror(errno) */
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
