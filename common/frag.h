/* SPDX-License-Identifier: MIT */
/*
 * IPv4 and IPv6 reassembly (bounded memory, timeouts, fragment limit)
 * and fragmentation. Pure: time comes in as an argument, output goes to
 * caller buffers or an emit callback. One context per worker thread.
 */
#ifndef AP_FRAG_H
#define AP_FRAG_H

#include <stddef.h>
#include <stdint.h>

enum reasm_result {
	REASM_DONE = 0,		/* *outlen bytes of whole packet in out */
	REASM_PENDING,		/* kept; more fragments needed */
	REASM_ERR_INVALID,	/* malformed fragment (bad offset/length) */
	REASM_ERR_OVERLAP,	/* overlapping fragments: whole datagram dropped */
	REASM_ERR_TOO_MANY,	/* more than max_frags fragments */
	REASM_ERR_TOO_BIG,	/* reassembled size > 65535 or > outcap */
	REASM_ERR_NOMEM,	/* memory budget exhausted */
};

struct reasm_limits {
	size_t max_bytes;	/* total bytes held by pending datagrams */
	unsigned max_frags;	/* fragments per datagram */
	unsigned max_pending;	/* datagrams in flight */
	uint32_t timeout_ms;	/* since the first fragment */
};

struct reasm;
/*
 * NULL with errno EINVAL if a limit is 0. When max_pending or max_bytes
 * is reached, the oldest datagrams are evicted to make room. Errors
 * other than REASM_ERR_INVALID drop the whole datagram; INVALID leaves
 * the others alone unless the fragment contradicts them (ends that
 * disagree), which drops that datagram too.
 */
struct reasm *reasm_new(const struct reasm_limits *);
void reasm_free(struct reasm *);
/*
 * pkt is a whole IPv4 packet that is a fragment (MF set or offset != 0).
 * On REASM_DONE, out holds the reassembled IPv4 packet: the first
 * fragment's header with MF and offset cleared, total length and header
 * checksum fixed.
 */
enum reasm_result reasm4_add(struct reasm *, const uint8_t *pkt, size_t len,
			     uint64_t now_ms, uint8_t *out, size_t outcap, size_t *outlen);
/*
 * pkt is a whole IPv6 packet carrying a fragment header at offset
 * frag_off (found by the caller's extension header walk). On REASM_DONE,
 * out holds the IPv6 packet without the fragment header: the headers
 * before it, the fragment header's next header patched into the
 * preceding header, payload length fixed.
 */
enum reasm_result reasm6_add(struct reasm *, const uint8_t *pkt, size_t len,
			     size_t frag_off, uint64_t now_ms,
			     uint8_t *out, size_t outcap, size_t *outlen);
/*
 * For both: out may be the very buffer pkt is in (not a partial
 * overlap); an offset-0, no-more-fragments packet comes back at once
 * (IPv6: RFC 6946 atomic fragment, its fragment header removed).
 */
/* Drop datagrams older than the timeout; returns how many. */
unsigned reasm_expire(struct reasm *, uint64_t now_ms);
unsigned reasm_pending(const struct reasm *);
size_t reasm_bytes(const struct reasm *);
/*
 * Datagrams dropped to make room for newer ones (max_pending or
 * max_bytes reached): the oldest go first.
 */
unsigned long reasm_evicted(const struct reasm *);

typedef void (*frag_emit_fn)(void *arg, const uint8_t *pkt, size_t len);
/*
 * Split an IPv4 packet into fragments of at most mtu bytes (header
 * included), offsets in 8-byte units, options copied per RFC 791.
 * Each fragment carries the largest multiple of 8 data bytes that fits;
 * the identification stays the packet's own. A packet that fits is
 * emitted unchanged (one fragment), as by frag6_split.
 * Returns the number of fragments or -1 (DF set, malformed, or mtu too
 * small).
 */
int frag4_split(const uint8_t *pkt, size_t len, size_t mtu,
		frag_emit_fn emit, void *arg);
/*
 * Split an IPv6 packet (no extension headers of its own expected, but
 * allowed: the unfragmentable part is, per RFC 8200 4.5, the IPv6 header
 * and the extension headers up to and including the last hop-by-hop or
 * routing header, with destination options before a routing header)
 * into fragments of at most mtu bytes with a fragment header carrying id.
 * Each fragment's data is the largest multiple of 8 that fits.
 * Returns the number of fragments or -1 (mtu < 1280, malformed, or
 * already fragmented).
 */
int frag6_split(const uint8_t *pkt, size_t len, size_t mtu, uint32_t id,
		frag_emit_fn emit, void *arg);

#endif
