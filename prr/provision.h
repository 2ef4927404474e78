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
/* A SMAP registers (PCP): its set, renewed or newly allocated, live at once. */
enum reg_result provision_register(struct prr *, const struct in6_addr *, struct reg_entry *);
/* A SMAP gives its dynamic set back (PCP lifetime 0): it is held, then freed. */
void provision_unregister(struct prr *, const struct in6_addr *);
/* Expire registrations; about once a second. */
void provision_tick(struct prr *);
/* Seconds since this PRR's state began (the PCP epoch, kept across restarts). */
uint32_t provision_epoch(struct prr *);
uint64_t provision_now(void);
/* list, show, assign, release, whois; false if line is none of them. */
bool provision_ctl(struct prr *, char *line, FILE *out);
/* Swap in a new environment and free the old one after a grace period. */
void env_swap(struct prr *, struct prr_env *);

#endif
