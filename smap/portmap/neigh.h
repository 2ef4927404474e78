/* SPDX-License-Identifier: MIT */
/*
 * Which LAN host an IPv4 address is: its MAC from the kernel's neighbour
 * table, so that the mapping quota counts machines, not the source
 * addresses they claim.
 */
#ifndef SMAP_PORTMAP_NEIGH_H
#define SMAP_PORTMAP_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Pure: the MAC of addr (host order) in the text of /proc/net/arp
 * ("IP address  HW type  Flags  HW address  Mask  Device" rows). False
 * when there is no complete entry for it.
 */
bool neigh_arp_find(const char *text, uint32_t addr, uint8_t mac[6]);
/* The same from this network namespace's /proc/net/arp. */
bool neigh_mac(uint32_t addr, uint8_t mac[6]);

#endif
