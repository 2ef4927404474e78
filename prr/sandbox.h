/* SPDX-License-Identifier: MIT */
/*
 * The PRR's least privilege, once its sockets, NFQUEUE binding, rules
 * and XDP program are in place: user and seccomp of prr.conf, the
 * capabilities and syscalls below (common/privdrop.c does the work).
 */
#ifndef AP_PRR_SANDBOX_H
#define AP_PRR_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "prr/config.h"

/* Before the workers start; fast_path: the XDP program is loaded. */
int prr_sandbox(const struct prr_config *c, bool fast_path, char *err, size_t errlen);

#endif
