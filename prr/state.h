/* SPDX-License-Identifier: MIT */
/*
 * The port-block allocation log, and whois over it and its rotated
 * predecessors. (The registry persists through prr/store.h.)
 */
#ifndef PRR_STATE_H
#define PRR_STATE_H

#include <stdint.h>
#include <stdio.h>

#include "prr/registry.h"

/*
 * The allocation log: one line per event, written only once the change
 * it tells of is durable in the store:
 * "UNIXTIME<TAB>ISO-TIME<TAB>EVENT<TAB>IPv6<TAB>IPv4<TAB>PORTSET".
 * Events: config, assign, allocate, release, expire, free.
 * alloclog_write buffers; alloclog_flush writes and fsyncs the lines.
 * alloclog_open again (SIGUSR1 after logrotate renamed the file) moves
 * to a new file at that path; nothing written is lost.
 */
void alloclog_open(const char *path);
void alloclog_close(void);
void alloclog_write(uint64_t now, const char *event, const struct binding *);
void alloclog_flush(void);

struct whois_hit {
	struct binding b;
	uint64_t from, until;	/* until 0: still holds it */
	char event[16];		/* how it got it */
};
/*
 * Who held (ipv4, port) at time `at`, according to the log file: reads
 * every line, pure apart from the read. Returns the number of hits (0..max).
 */
int whois_log(FILE *, uint32_t ipv4, uint16_t port, uint64_t at, struct whois_hit *, int max);
/*
 * The same over the log and its rotations, oldest first: path.N[.gz]
 * ... path.2.gz, path.1, path (logrotate's names, compressed or not).
 * -1 if not even path can be read.
 */
int whois_logs(const char *path, uint32_t ipv4, uint16_t port, uint64_t at,
	       struct whois_hit *, int max);

#endif
