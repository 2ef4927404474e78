/* SPDX-License-Identifier: MIT */
/* The PRR's own iptables/ip6tables NFQUEUE rules: added at start, removed at stop. */
#ifndef PRR_RULES_H
#define PRR_RULES_H

#include "prr/config.h"

int rules_install(const struct prr_config *);
void rules_remove(const struct prr_config *);
/* For reloads: add without first cleaning up, remove one copy, compare. */
int rules_add(const struct prr_config *);
void rules_remove_once(const struct prr_config *);
bool rules_same(const struct prr_config *, const struct prr_config *);

#endif
