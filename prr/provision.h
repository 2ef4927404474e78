/* SPDX-License-Identifier: MIT */
/* Provisioning: registry changes turned into new binding tables. Main thread only. */
#ifndef PRR_PROVISION_H
#define PRR_PROVISION_H

#include <stdio.h>

#include "prr/prr.h"

/* At start: config bindings + state file -> registry; env's table becomes the full one. */
int provision_init(struct prr *, struct prr_env *, char *err, size_t errlen);
/* On SIGHUP: the new config's bindings replace the old config's; others stay. */
int provision_reload(struct prr *, struct prr_env *, char *err, size_t errlen);
/*
 * A SMAP registers (PCP) with its mapping nonce: its set, renewed or
 * newly allocated, live at once in the pool's slot. The change is queued
 * for the store: answer only after provision_commit().
 */
enum reg_result provision_register(struct prr *, const struct in6_addr *, const uint8_t *nonce,
				   struct reg_entry *);
/* A SMAP gives its dynamic set back (PCP lifetime 0, same nonce): held, then freed. */
enum reg_result provision_unregister(struct prr *, const struct in6_addr *, const uint8_t *nonce,
				     struct reg_entry *);
/* Make the queued changes durable (one write, one fdatasync); -1: answer nothing. */
int provision_commit(struct prr *);
/* After the answers went out: the allocation log lines of the committed changes. */
void provision_log(struct prr *);
/* Expire registrations, compact the store now and then; call often (acts once a second). */
void provision_tick(struct prr *);
/* At the stop: the store closed (pending changes committed), the registry freed. */
void provision_fini(struct prr *);
/* SIGUSR1: the allocation log was rotated; write to a new file at its path. */
void provision_reopen_log(struct prr *);
/* Seconds since this PRR's state began (the PCP epoch, kept across restarts). */
uint32_t provision_epoch(struct prr *);
uint64_t provision_now(void);
/* list, show, assign, release, whois; false if line is none of them. */
bool provision_ctl(struct prr *, char *line, FILE *out);
/* Once the XDP fast path runs (fastpath_start loaded the pool's live slots): it follows each change. */
void provision_fastpath(struct prr *);
/* Swap in a new environment and free the old one after a grace period. */
void env_swap(struct prr *, struct prr_env *);

/* A shared store (prr/store.h): its fd to poll (-1 none), and the changes of other PRRs applied. */
int provision_fd(struct prr *);
void provision_sync(struct prr *);
/* Whether this SMAP lost the race for its set at the last commit (no answer: it asks again). */
bool provision_lost(const struct prr *, const struct in6_addr *);

#endif
