/* SPDX-License-Identifier: MIT */
/* The running daemon: configuration in force, workers, shared tables. */
#ifndef PRR_PRR_H
#define PRR_PRR_H

#include <pthread.h>
#include <stdatomic.h>

#include "prr/config.h"
#include "prr/datapath.h"
#include "prr/registry.h"

/* What the workers read; replaced whole on reload (RCU-like, see main.c). */
struct prr_env {
	struct prr_config cfg;
	const struct pool *pool;	/* the registry's dynamic sets, live (prr/pool.h) */
};

struct prr_worker {
	pthread_t thread;
	unsigned queue;
	struct prr *prr;
	struct prr_ctx *ctx;
	atomic_uint_fast64_t seq;	/* batches done: a grace period has passed when it moves */
	atomic_int busy;
	int ready;			/* 1 bound, -1 failed */
};

struct prr {
	_Atomic(struct prr_env *) env;
	struct pmtu_cache *pmtu;
	struct prr_worker workers[PRR_MAX_QUEUES];
	unsigned n_workers;
	atomic_int stop;
	uint64_t started_ms;
	struct registry reg;		/* main thread only: see provision.c */
	struct store *store;		/* where reg persists (prr/store.h); NULL: nowhere */
	struct prov_log *plog;		/* allocation log lines waiting for their commit */
	uint64_t last_tick, last_compact;
	bool renewed;			/* renewals since the last compaction */
	struct pool *retired_pool;	/* replaced by a reload: freed after the env swap */
	int pcp_fds[PRR_MAX_BR];	/* registration server sockets */
	int n_pcp_fds;
	uint64_t pcp_requests;		/* registration requests received */
	uint64_t pcp_ratelimited;	/* dropped by the per-source rate limit */
	uint64_t pcp_rule_answers;	/* answers with MAP-E rules (prr/pcp_rules.c) */
	uint64_t pcp_rules_sent;	/* MAP_RULE options in them */
	uint64_t pcp_rules_dropped;	/* rules left out: over 1100 bytes */
	uint64_t pcp_refused_nonce;	/* renewal or delete with another nonce */
	uint64_t pcp_refused_limit;	/* subscriber or authorized prefix at its limit */
	uint64_t pcp_refused_pool;	/* pool exhausted */
};

uint64_t prr_now_ms(void);
int nfq_worker_start(struct prr *, struct prr_worker *, unsigned queue);
void nfq_worker_join(struct prr_worker *);
/* Sum of one counter over all workers. */
uint64_t prr_stat_sum(const struct prr *, enum prr_stat);

#endif
