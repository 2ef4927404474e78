/* SPDX-License-Identifier: MIT */
/* The running daemon: configuration in force, workers, shared tables. */
#ifndef PRR_PRR_H
#define PRR_PRR_H

#include <pthread.h>
#include <stdatomic.h>

#include "prr/config.h"
#include "prr/datapath.h"
#include "prr/fastpath.h"
#include "prr/registry.h"

/*
 * The running environment: what the workers read, replaced whole on
 * reload and on every binding change (RCU-like, env_swap in provision.c).
 * cfg is the file as loaded: cfg.bt holds only the bindings it lists.
 * bt is the live binding table the data path uses: the config's, the
 * operator's and the registered SMAPs' bindings (provision.c builds it
 * from the registry). An environment made for a binding change takes
 * over the cfg of the one it replaces.
 */
struct prr_env {
	struct prr_config cfg;
	struct btable *bt;		/* the live table: config and operator bindings */
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
	uint64_t stats[PRR_STAT_MAX];	/* the main thread's counters (PRR_STAT_PCP_*) */
	uint64_t metrics_ms;		/* metrics_file last written */
	/*
	 * Told when an operator changed a SMAP's set (assign, release), so
	 * the SMAP hears of it: the registration server's ANNOUNCE, set by
	 * main.c. NULL: nobody to tell.
	 */
	void (*announce)(struct prr *, const struct in6_addr *smap);
	struct fastpath *fp;		/* XDP fast path, or NULL (prr/fastpath.h) */
};

int nfq_worker_start(struct prr *, struct prr_worker *, unsigned queue);
void nfq_worker_join(struct prr_worker *);
/* Sum of one counter over all workers and the main thread. */
uint64_t prr_stat_sum(const struct prr *, enum prr_stat);

#endif
