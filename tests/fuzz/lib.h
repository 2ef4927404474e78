/* SPDX-License-Identifier: MIT */
/* Helpers the fuzz targets share (tests/fuzz/lib.c, linked into each). */
#ifndef FUZZ_LIB_H
#define FUZZ_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The next packet of a sequence input, [flags][len hi][len lo][len bytes]
 * (a length past the end is cut to what is left). false at the end.
 */
bool fuzz_next(const uint8_t **data, size_t *size, uint8_t *flags,
	       const uint8_t **pkt, size_t *len);
/* Fix an IPv4 header's checksum and, for unfragmented ICMP, the ICMP one. */
void fuzz_fix4(uint8_t *p, size_t len);
/*
 * Write data to this process's temp file for tag (/tmp/fuzz-TAG.PID,
 * removed at exit) and return its name: for parsers that read files.
 */
const char *fuzz_file(const char *tag, const uint8_t *data, size_t size);

#endif
