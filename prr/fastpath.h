/* SPDX-License-Identifier: MIT */
/*
 * The XDP fast path (bpf/prr_xdp.bpf.c) seen from the daemon: load it,
 * keep its maps equal to the binding table and parameters in force,
 * attach it to interfaces, read its counters, and run single frames
 * through it (BPF_PROG_TEST_RUN) for `prr replay --xdp`.
 *
 * Attachments are bpf_links held by this process only: they and the
 * maps go when it exits, crashed or not. At attach, an older "prr_xdp"
 * program attached the legacy way (netlink) is removed first.
 */
#ifndef PRR_FASTPATH_H
#define PRR_FASTPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "prr/config.h"
#include "prr/stats.h"

struct fastpath;

const char *fastpath_mode_name(enum fastpath_mode);

/*
 * Load the program and create its maps (needs CAP_BPF). test: no route
 * look-ups, every forwarded frame comes back as XDP_TX (replay).
 * NULL with a message in err.
 */
struct fastpath *fastpath_open(bool test, char *err, size_t errlen);
/* Detach from every interface, free the program and maps. NULL is fine. */
void fastpath_close(struct fastpath *);

/*
 * Attach to an interface: native mode, or generic when the driver has
 * no XDP (only with allow_generic). The mode used goes to *native.
 */
int fastpath_attach(struct fastpath *, const char *ifname, bool allow_generic, bool *native,
		    char *err, size_t errlen);
/* Interfaces attached, "eth0 (native), eth1 (generic)", for messages. */
void fastpath_describe(const struct fastpath *, char *buf, size_t len);

/*
 * Make the maps say what cfg (its parameters and rules) and bt (the live
 * binding table) say; old and old_bt are what they say now (NULL: they
 * are empty). Bindings are changed one by one, the difference only.
 * On failure the fast path is disabled (every packet passes) and -1
 * returned with a message.
 */
int fastpath_sync(struct fastpath *, const struct prr_config *old, const struct btable *old_bt,
		  const struct prr_config *cfg, const struct btable *bt, char *err, size_t errlen);

/*
 * The allocation pool's dynamic bindings (prr/pool.h), which change one
 * slot at a time without a new table: fastpath_pool_slot writes or clears
 * the cell of slot k of p (its pool_bind/pool_unbind watch; a store into
 * the mapped array, it cannot fail); fastpath_pool_sync gives p (a new
 * pool at start or reload) a slot array of its own, filled with its live
 * slots, and moves the addresses of old (NULL: none) and p to it. -1 with
 * a message; a failed sync disables the fast path like fastpath_sync.
 */
struct pool;
int fastpath_pool_slot(struct fastpath *, const struct pool *p, uint32_t k, bool live,
		       char *err, size_t errlen);
int fastpath_pool_sync(struct fastpath *, const struct pool *old, const struct pool *p,
		       char *err, size_t errlen);

/*
 * A pmtu_watch_fn (prr/pmtu.h), arg the fastpath: keeps the program's
 * map of learnt path MTUs equal to the cache, so it takes the packets
 * larger than 1280 bytes that fit. A failed update disables the fast path.
 */
struct in6_addr;
void fastpath_pmtu(void *arg, const struct in6_addr *a, unsigned mtu, uint64_t expiry_ms);
/* A test fastpath's time (replay's clock), which learnt MTUs expire by. */
void fastpath_test_clock(struct fastpath *, uint64_t now_ms);

/* The fast path's share of a named counter, summed over CPUs. */
uint64_t fastpath_stat(const struct fastpath *, enum prr_stat);
/* Packets it took; packets it passed on, by reason (name, count) in order. */
uint64_t fastpath_packets(const struct fastpath *);
size_t fastpath_pass_reasons(const struct fastpath *, const char **names, uint64_t *counts,
			     size_t max);

/*
 * The daemon's start: by cfg->fast_path, load, fill the maps (the pool's
 * live slots too, NULL: none) and attach to cfg's fast_path_interfaces (none given: every interface but lo).
 * NULL and *fatal false: off, or auto where XDP is not available (a
 * warning is logged); NULL and *fatal true: fast_path = "xdp" failed,
 * the message in err.
 */
struct pool;
struct fastpath *fastpath_start(const struct prr_config *, const struct btable *bt,
				const struct pool *, bool *fatal, char *err, size_t errlen);
/* For prr -n: one line saying which path will run, and why. */
void fastpath_check(const struct prr_config *, FILE *);

/*
 * The control socket's stats lines (name, value, doc): fastpath_packets,
 * fastpath_to_slowpath and fastpath_to_slowpath_REASON; zeros without
 * a fast path, so the names are always there.
 */
void fastpath_reply_stats(const struct fastpath *, FILE *);

/*
 * One Ethernet frame through the program (BPF_PROG_TEST_RUN): its XDP
 * action, the frame it leaves in out (*outlen), or -1 with errno.
 */
int fastpath_run(struct fastpath *, const uint8_t *frame, size_t len, uint8_t *out,
		 size_t *outlen);

#endif
