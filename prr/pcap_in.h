/* SPDX-License-Identifier: MIT */
/*
 * The classic pcap reader of `prr replay' (prr/replay.c): either byte
 * order, micro- or nanoseconds; Ethernet (802.1Q/802.1ad tags skipped),
 * raw IP, Linux cooked (SLL, SLL2) or BSD loopback frames. Pure apart
 * from reading the stream: the fuzz target feeds it from memory.
 */
#ifndef PRR_PCAP_IN_H
#define PRR_PCAP_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define LINKTYPE_NULL		0
#define LINKTYPE_ETHERNET	1
#define LINKTYPE_RAW		101
#define LINKTYPE_LINUX_SLL	113
#define LINKTYPE_IPV4		228
#define LINKTYPE_IPV6		229
#define LINKTYPE_LINUX_SLL2	276
#define PCAP_SNAPLEN		262144

struct pcap_in {
	FILE *f;
	const char *path;
	bool swap, nsec;
	unsigned linktype;
	/* the record read ahead */
	bool have;
	uint64_t ts_ns;
	uint32_t caplen, origlen;
	uint8_t *buf;
	unsigned long frames, skipped, truncated;
};

/* Open path and read its header and first record; -1 (said on stderr) if it is no capture we read. */
int pcap_in_open(struct pcap_in *, const char *path);
/* The same over a stream already open (pcap_in_close closes it); path names it in messages. */
int pcap_in_start(struct pcap_in *, FILE *f, const char *path);
/* Read the next record into in->buf; false at the end (or on an error, reported). */
bool pcap_in_next(struct pcap_in *);
void pcap_in_close(struct pcap_in *);
/*
 * The IP packet in a frame: offset and length (trimmed to the IP
 * header's own length, so Ethernet padding goes). -1 if not IP.
 */
long frame_ip(unsigned linktype, const uint8_t *f, size_t len, size_t *iplen);

#endif
