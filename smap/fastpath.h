/* SPDX-License-Identifier: MIT */
/*
 * The SMAP's kernel fast path (bpf/smap_tc.bpf.c): TC eBPF on the TUN's
 * egress (encapsulation) and the WAN's ingress (decapsulation), with the
 * TUN path (softwire.c) as the exception path. fast_path = "auto" runs it
 * when the kernel takes it, "bpf" insists, "off" never loads it.
 */
#ifndef SMAP_FASTPATH_H
#define SMAP_FASTPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct smap;
struct smap_config;

/* smap -n: which path will run, in words ("bpf (TC eBPF ...)", "off ..."). */
void fastpath_describe(const struct smap_config *, char *buf, size_t len);
/* After the TUN is up: load and attach (fast_path auto or bpf). -1: bpf asked and failed. */
int fastpath_start(struct smap *);
/* The binding changed (address, port set, PRR, peers, FMRs, MTU, TUN): the maps follow. */
void fastpath_update(struct smap *);
/* Detach and unload; also what a crashed predecessor left on the WAN. */
void fastpath_stop(struct smap *);
/* Add what the fast path moved since last time to s->stats (in/out packets, delivered, sent). */
void fastpath_fold(struct smap *);
/* "fastpath_*<TAB>value<TAB>doc" lines for smap stats. */
void fastpath_stats(struct smap *, FILE *);
/* "fast_path<TAB>bpf|off" for smap status. */
void fastpath_status(struct smap *, FILE *);
bool fastpath_active(const struct smap *);

#endif
