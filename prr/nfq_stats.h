/* SPDX-License-Identifier: MIT */
/*
 * NFQUEUE's own counters, from /proc/net/netfilter/nfnetlink_queue:
 * packets waiting in each queue (backlog), dropped because the queue was
 * full, dropped because the netlink socket was full. The kernel counts
 * these; the PRR's workers never see those packets.
 */
#ifndef PRR_NFQ_STATS_H
#define PRR_NFQ_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define NFQ_STATS_FILE "/proc/net/netfilter/nfnetlink_queue"

struct nfq_qstat {
	unsigned queue;
	uint64_t queue_total;		/* packets waiting now */
	uint64_t queue_dropped;		/* queue full */
	uint64_t user_dropped;		/* netlink socket full */
};

/* One line of the file: "queue portid total copy_mode copy_range dropped user_dropped id 1". */
bool nfq_stats_parse_line(const char *line, struct nfq_qstat *);
/* The lines of f for queues first..first+count-1 into out[queue - first];
 * returns how many were found (queues not bound yet are absent). */
unsigned nfq_stats_read(FILE *f, unsigned first, unsigned count, struct nfq_qstat *out,
			bool *found);

#endif
