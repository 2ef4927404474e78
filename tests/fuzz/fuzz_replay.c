/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the pcap reader of `prr replay' (prr/pcap.c):
 * the input is a capture file, read record by record as replay does,
 * each frame cut to its IP packet by pcap_frame_ip.
 *
 * Aborts on a broken promise: a record never claims more than the
 * snapshot length, the IP packet lies inside the record and starts
 * with version 4 or 6.
 * fuzz-options: -max_len=8192 -close_fd_mask=2
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "prr/pcap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcap_in in;
	FILE *f;

	if (size == 0)
		return 0;
	f = fmemopen((void *)data, size, "rb");
	if (!f)
		abort();
	if (pcap_in_start(&in, f, "fuzz.pcap") < 0) {
		pcap_in_close(&in);
		return 0;
	}
	while (in.have) {
		size_t iplen;
		long off;

		if (in.caplen > PCAP_SNAPLEN)
			abort();
		off = pcap_frame_ip(in.linktype, in.buf, in.caplen, &iplen);
		if (off >= 0 && ((size_t)off + iplen > in.caplen || iplen == 0 ||
				 (in.buf[off] >> 4 != 4 && in.buf[off] >> 4 != 6)))
			abort();
		pcap_in_next(&in);
	}
	pcap_in_close(&in);
	return 0;
}
