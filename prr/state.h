/* SPDX-License-Identifier: MIT */
/*
 * Persistence of the registry (operator and dynamic bindings; config
 * bindings come from the config) and the port-block allocation log.
 */
#ifndef PRR_STATE_H
#define PRR_STATE_H

#include <stdint.h>
#include <stdio.h>

#include "prr/registry.h"

/* Write crash-safely: temporary file, fsync, rename, fsync of the directory. */
int state_save(const struct registry *, const char *path);
/* Add the file's entries; a missing file is an empty state. -1 on I/O error. */
int state_load(struct registry *, const char *path, char *err, size_t errlen);

/*
 * The allocation log: one line per event, appended and flushed before the
 * answer goes out: "UNIXTIME<TAB>ISO-TIME<TAB>EVENT<TAB>IPv6<TAB>IPv4<TAB>PORTSET".
 * Events: config, assign, allocate, renew-after-restart, release, expire, free.
 */
void alloclog_open(const char *path);
void alloclog_close(void);
void alloclog_write(uint64_t now, const char *event, const struct binding *);

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

#endif
