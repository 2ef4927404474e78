/* SPDX-License-Identifier: MIT */
/*
 * Internet checksum (RFC 1071) and incremental update (RFC 1624).
 * Sums are taken over bytes as they lie in memory, so a 16-bit value
 * loaded with memcpy from a packet can be fed back as it is.
 */
#ifndef AP_CSUM_H
#define AP_CSUM_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

uint32_t csum_partial(const void *buf, size_t len, uint32_t sum);
uint16_t csum_fold(uint32_t sum);
/* The checksum to store: ~fold(partial(buf)). 0 if buf sums correctly. */
uint16_t csum_buf(const void *buf, size_t len);
/* Partial sums of the pseudo headers (RFC 768/793, RFC 8200 8.1). */
uint32_t csum_pseudo4(const void *src4, const void *dst4, uint8_t proto, uint16_t len);
uint32_t csum_pseudo6(const void *src6, const void *dst6, uint8_t nh, uint32_t len);
/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), all in memory order. */
uint16_t csum_update16(uint16_t csum, uint16_t old, uint16_t new);
uint16_t csum_update32(uint16_t csum, uint32_t old, uint32_t new);

#endif
