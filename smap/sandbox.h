/* SPDX-License-Identifier: MIT */
/*
 * The SMAP's least privilege, once its control socket is open: user and
 * seccomp of smap.conf, the capabilities and syscalls below
 * (common/privdrop.c does the work). It comes before the softwire, TUN
 * and nft setup because the SMAP redoes those at run time (registration,
 * a new binding) and UPnP starts threads, which must inherit the drop.
 */
#ifndef AP_SMAP_SANDBOX_H
#define AP_SMAP_SANDBOX_H

#include <stddef.h>

#include "smap/config.h"

int smap_sandbox(const struct smap_config *c, char *err, size_t errlen);

#endif
