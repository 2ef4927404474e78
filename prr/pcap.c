/* SPDX-License-Identifier: MIT */
/* A classic-pcap reader: see prr/pcap.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"
#include "prr/pcap.h"

static uint32_t
rd32(const uint8_t *p, bool swap)
{
	return swap ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		    : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

bool
pcap_in_next(struct pcap_in *in)
{
	uint8_t h[16];
	size_t got;

	in->have = false;
	got = fread(h, 1, sizeof(h), in->f);
	if (got == 0 && feof(in->f))
		return false;
	if (got != sizeof(h)) {
		fprintf(stderr, "%s: capture ends inside a record header\n", in->path);
		return false;
	}
	in->caplen = rd32(h + 8, in->swap);
	in->origlen = rd32(h + 12, in->swap);
	if (in->caplen > PCAP_SNAPLEN) {
		fprintf(stderr, "%s: record %lu claims %u bytes: corrupt capture\n",
			in->path, in->frames + 1, in->caplen);
		return false;
	}
	if (fread(in->buf, 1, in->caplen, in->f) != in->caplen) {
		fprintf(stderr, "%s: capture ends inside record %lu\n",
			in->path, in->frames + 1);
		return false;
	}
	in->ts_ns = (uint64_t)rd32(h, in->swap) * 1000000000u +
		    (uint64_t)rd32(h + 4, in->swap) * (in->nsec ? 1 : 1000);
	in->frames++;
	in->have = true;
	return true;
}

int
pcap_in_open(struct pcap_in *in, const char *path)
{
	FILE *f = fopen(path, "rb");

	if (!f) {
		memset(in, 0, sizeof(*in));
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	return pcap_in_start(in, f, path);
}

int
pcap_in_start(struct pcap_in *in, FILE *f, const char *path)
{
	uint8_t h[24];
	uint32_t magic;

	memset(in, 0, sizeof(*in));
	in->path = path;
	in->f = f;
	if (fread(h, 1, sizeof(h), in->f) != sizeof(h)) {
		fprintf(stderr, "%s: too short for a pcap file\n", path);
		return -1;
	}
	magic = rd32(h, false);
	switch (magic) {
	case 0xa1b2c3d4: break;
	case 0xa1b23c4d: in->nsec = true; break;
	case 0xd4c3b2a1: in->swap = true; break;
	case 0x4d3cb2a1: in->swap = in->nsec = true; break;
	case 0x0a0d0d0a:
		fprintf(stderr, "%s: pcapng is not supported; "
			"convert it with `editcap -F pcap'\n", path);
		return -1;
	default:
		fprintf(stderr, "%s: not a pcap file (magic 0x%08x)\n", path, magic);
		return -1;
	}
	in->linktype = rd32(h + 20, in->swap) & 0x0fffffff;
	switch (in->linktype) {
	case LINKTYPE_NULL: case LINKTYPE_ETHERNET: case 12: case 14: case LINKTYPE_RAW:
	case LINKTYPE_LINUX_SLL: case LINKTYPE_IPV4: case LINKTYPE_IPV6:
	case LINKTYPE_LINUX_SLL2:
		break;
	default:
		fprintf(stderr, "%s: link type %u is not supported "
			"(Ethernet, raw IP, Linux cooked, loopback are)\n", path, in->linktype);
		return -1;
	}
	in->buf = malloc(PCAP_SNAPLEN);
	if (!in->buf) {
		fprintf(stderr, "%s: out of memory\n", path);
		return -1;
	}
	pcap_in_next(in);
	return 0;
}

void
pcap_in_close(struct pcap_in *in)
{
	if (in->f)
		fclose(in->f);
	free(in->buf);
	in->f = NULL;
	in->buf = NULL;
}

long
pcap_frame_ip(unsigned linktype, const uint8_t *f, size_t len, size_t *iplen)
{
	size_t off = 0;
	uint16_t et = 0;

	switch (linktype) {
	case LINKTYPE_NULL:
		off = 4;
		break;
	case LINKTYPE_ETHERNET:
		off = 12;
		for (;;) {
			if (len < off + 2)
				return -1;
			et = get16(f + off);
			if (et != 0x8100 && et != 0x88a8 && et != 0x9100)
				break;
			off += 4;
		}
		off += 2;
		if (et != 0x0800 && et != 0x86dd)
			return -1;
		break;
	case LINKTYPE_LINUX_SLL:
		if (len < 16)
			return -1;
		et = get16(f + 14);
		off = 16;
		if (et != 0x0800 && et != 0x86dd)
			return -1;
		break;
	case LINKTYPE_LINUX_SLL2:
		if (len < 20)
			return -1;
		et = get16(f);
		off = 20;
		if (et != 0x0800 && et != 0x86dd)
			return -1;
		break;
	default:	/* raw */
		break;
	}
	if (len <= off)
		return -1;
	len -= off;
	f += off;
	if (f[0] >> 4 == 4 && len >= IPV4_HDR_MIN && get16(f + 2) <= len && get16(f + 2) >= IPV4_HDR_MIN)
		len = get16(f + 2);
	else if (f[0] >> 4 == 6 && len >= IPV6_HDR_LEN && IPV6_HDR_LEN + (size_t)get16(f + 4) <= len)
		len = IPV6_HDR_LEN + get16(f + 4);
	else if (f[0] >> 4 != 4 && f[0] >> 4 != 6)
		return -1;
	*iplen = len;
	return (long)off;
}
