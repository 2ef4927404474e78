/* SPDX-License-Identifier: MIT */
/* prr/ctl.h: the PRR's control socket; smap/ctl.h is the same role for the SMAP. */
/*
 * prr's control socket requests (unix stream, common/ctlsock.h). One
 * request line, a reply, then close:
 *   stats    -> "name<TAB>value<TAB>doc" per counter
 *   metrics  -> Prometheus text exposition of every counter
 *   list     -> "ipv6 ipv4 portset softwire origin expires state" per binding (tabs)
 *   show ADDR, assign IPV6 IPV4 PORTS [BR], release IPV6, whois IPV4:PORT [TIME]
 *            -> rows as for list, or "ok"; see provision.c
 *   ping     -> "ok"
 * An unknown request gets "error<TAB>message".
 */
#ifndef PRR_CTL_H
#define PRR_CTL_H

#include <stdio.h>

#include "prr/prr.h"

#define PRR_METRICS_MS	5000	/* metrics_file rewritten this often */

/* The ctl_handler of prr's control socket; arg is the struct prr. */
void prr_ctl_handle(void *arg, char *line, FILE *out);
/* Every counter in Prometheus text; arg is the struct prr. */
void prr_metrics(FILE *, void *arg);
/* Rewrite metrics_file when it is due. */
void prr_metrics_tick(struct prr *);
/* Open NFQUEUE's counters file (root's) for good: before the privilege drop. */
void prr_ctl_open_nfq_stats(void);

#endif
