/* SPDX-License-Identifier: MIT */
/*
 * A classic-pcap reader (no libpcap): `prr replay` reads its inputs with
 * it, and the unit tests read capture files with it.
 *
 * Either byte order, micro- or nanoseconds; frames of Ethernet
 * (802.1Q/802.1ad tags skipped), raw IP, Linux cooked (SLL, SLL2) or BSD
 * loopback. pcapng is refused with a hint. Errors are printed to stderr
 * as "PATH: message".
 *
 *	struct pcap_in in;
 *	if (pcap_in_open(&in, path) < 0) ...
 *	for (; in.have; pcap_in_next(&in))
 *		off = pcap_frame_ip(in.linktype, in.buf, in.caplen, &iplen);
 *	pcap_in_close(&in);
 */
#ifndef PRR_PCAP_H
#define PRR_PCAP_H

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

/* Open path and read its first record ahead (in->have). -1 if not a capture. */
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
long pcap_frame_ip(unsigned linktype, const uint8_t *f, size_t len, size_t *iplen);

#endif
