/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the messages between the SMAP and smap-upnp
 * (smap/portmap/upnp_msg.c): the input is one packet from the socketpair.
 * What decodes encodes again to the very same bytes (one encoding per
 * message), and its fields are in their ranges.
 * fuzz-options: -max_len=512
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smap/portmap/upnp_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct upnp_msg m;
	uint8_t out[UPNP_MSG_MAX];
	size_t n;

	if (!upnp_msg_decode(data, size, &m))
		return 0;
	if (m.type == 0 || m.type >= UPNP_MSG_TYPE_MAX || size > UPNP_MSG_MAX ||
	    strnlen(m.m.desc, sizeof(m.m.desc)) > MAPTABLE_DESC_MAX)
		abort();
	n = upnp_msg_encode(&m, out, sizeof(out));
	if (n != size || memcmp(out, data, size) != 0)
		abort();
	return 0;
}
