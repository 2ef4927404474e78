/* SPDX-License-Identifier: MIT */
/*
 * A tiny classic-pcap reader for unit tests (no libpcap): reads a whole
 * file and calls back once per packet. Header-only because the Makefile
 * links each tests/unit/test_*.c on its own: include it from a test.
 *
 *	static void on_pkt(void *arg, int linktype, const uint8_t *pkt, size_t len);
 *	n = pcap_read_file("x.pcap", on_pkt, arg);	// packets, or -1
 *	off = pcap_l3_offset(linktype, pkt, len, &ethertype);	// IP starts here
 *
 * Both byte orders and the nanosecond magic are understood; pcapng is not.
 */
#ifndef AP_TEST_PCAP_READ_H
#define AP_TEST_PCAP_READ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCAP_LINKTYPE_ETHERNET	1
#define PCAP_LINKTYPE_RAW	101	/* bare IPv4 or IPv6 */

typedef void (*pcap_packet_fn)(void *arg, int linktype, const uint8_t *pkt, size_t len);

static inline uint32_t
pcap_u32_(const uint8_t *p, int swap)
{
	return swap ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		    : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Walk the records of an in-memory pcap file. -1 if it is malformed. */
static inline int
pcap_read_buf(const uint8_t *buf, size_t len, pcap_packet_fn fn, void *arg)
{
	size_t off = 24;
	int swap, linktype, n = 0;
	uint32_t magic;

	if (len < 24)
		return -1;
	magic = pcap_u32_(buf, 0);
	if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
		swap = 0;
	else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
		swap = 1;
	else
		return -1;
	linktype = (int)(pcap_u32_(buf + 20, swap) & 0x0fffffff);
	while (off < len) {
		uint32_t incl;

		if (len - off < 16)
			return -1;
		incl = pcap_u32_(buf + off + 8, swap);
		off += 16;
		if (incl > len - off)
			return -1;
		fn(arg, linktype, buf + off, incl);
		off += incl;
		n++;
	}
	return n;
}

/* Read a whole file and call fn per packet: packets seen, or -1. */
static inline int
pcap_read_file(const char *path, pcap_packet_fn fn, void *arg)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, got;
	int n;

	if (!f)
		return -1;
	do {
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap = cap ? cap * 2 : 65536);

			if (!nb) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	n = ferror(f) ? -1 : pcap_read_buf(buf, len, fn, arg);
	fclose(f);
	free(buf);
	return n;
}

/*
 * Where the IP packet starts in a frame: after Ethernet and any 802.1Q /
 * 802.1ad tags. Sets *ethertype (0x0800, 0x86dd; for raw frames taken
 * from the IP version). -1 if the frame is too short or of another kind.
 */
static inline long
pcap_l3_offset(int linktype, const uint8_t *pkt, size_t len, uint16_t *ethertype)
{
	size_t off = 12;
	uint16_t t;

	if (linktype == PCAP_LINKTYPE_RAW || linktype == 12) {
		if (len < 1)
			return -1;
		*ethertype = (pkt[0] >> 4) == 6 ? 0x86dd : 0x0800;
		return 0;
	}
	if (linktype != PCAP_LINKTYPE_ETHERNET)
		return -1;
	for (;;) {
		if (len < off + 2)
			return -1;
		t = (uint16_t)(pkt[off] << 8 | pkt[off + 1]);
		if (t != 0x8100 && t != 0x88a8)
			break;
		off += 4;
	}
	*ethertype = t;
	return (long)off + 2;
}

#endif
