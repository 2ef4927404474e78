/* SPDX-License-Identifier: MIT */
/* nft script text for the mapping table: see portmap_nft.c. */
#ifndef SMAP_PORTMAP_NFT_H
#define SMAP_PORTMAP_NFT_H

#include <stdint.h>
#include <stdio.h>

#include "smap/portmap/maptable.h"

/* verb: "add" or "delete"; nothing for a disabled mapping */
void portmap_nft_elements(FILE *, const char *verb, const struct mapping *, uint32_t ext_addr);
/* flush and rebuild the srcnat chain: mapped ports, then the free pool */
void portmap_nft_srcnat(FILE *, const struct maptable *, const char *tun, uint32_t ext_addr);
/* maps, rules and every element, into a table nat_install just made */
void portmap_nft_install(FILE *, const struct maptable *, const char *tun, uint32_t ext_addr);

/* the maps refilled from the table and the pool rebuilt (after a failure) */
void portmap_nft_sync(FILE *, const struct maptable *, const char *tun, uint32_t ext_addr);

#endif
