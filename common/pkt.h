/* SPDX-License-Identifier: MIT */
/*
 * Packet parsing and building: IPv4, IPv6 (with extension headers),
 * TCP, UDP, ICMPv4, ICMPv6. Parsers fill a plain struct of host-order
 * values and offsets into the caller's buffer; they never read a byte
 * they have not checked is there, and never cast the buffer to a struct.
 */
#ifndef AP_PKT_H
#define AP_PKT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum pkt_err {
	PKT_OK = 0,
	PKT_TRUNCATED,		/* buffer ends inside a header */
	PKT_BAD_VERSION,
	PKT_BAD_IHL,		/* IPv4 header length below 5 words */
	PKT_BAD_LENGTH,		/* length field disagrees with the buffer */
	PKT_BAD_CHECKSUM,
	PKT_BAD_EXTHDR,		/* IPv6 extension header chain broken or too long */
	PKT_BAD_L4,		/* L4 header missing or malformed */
};

const char *pkt_strerror(enum pkt_err);

#define IPV4_HDR_MIN	20
#define IPV6_HDR_LEN	40
#define IPV6_FRAG_LEN	8
#define IPV6_MAX_EXTHDRS 8	/* more than this is treated as a loop */

#define IPPROTO_IPIP_	4

struct ipv4_info {
	uint8_t hlen;		/* header length in bytes */
	uint8_t tos;
	uint8_t ttl;
	uint8_t proto;
	uint16_t tot_len;	/* from the header, checked <= buffer */
	uint16_t id;
	uint16_t frag_off;	/* fragment offset in bytes */
	bool df, mf;
	uint32_t src, dst;	/* host order */
};

static inline bool
ipv4_is_fragment(const struct ipv4_info *ip)
{
	return ip->mf || ip->frag_off != 0;
}

/*
 * Parse an IPv4 header. The buffer may be longer than tot_len (padding);
 * it may not be shorter. check_csum: verify the header checksum.
 */
enum pkt_err ipv4_parse(const uint8_t *buf, size_t len, bool check_csum,
			struct ipv4_info *out);
/* Write a 20-byte header with its checksum. frag: flags and offset word. */
void ipv4_build(uint8_t *buf, uint8_t tos, uint16_t tot_len, uint16_t id,
		uint16_t frag, uint8_t ttl, uint8_t proto, uint32_t src, uint32_t dst);
/* Decrement TTL in place, updating the checksum incrementally (RFC 1624). */
void ipv4_dec_ttl(uint8_t *buf);
void ipv4_set_csum(uint8_t *buf);

#define IPV4_DF 0x4000
#define IPV4_MF 0x2000

struct ipv6_info {
	uint8_t tc;
	uint32_t flow;
	uint16_t plen;		/* payload length from the header */
	uint8_t hlim;
	struct in6_addr src, dst;
	uint8_t proto;		/* upper-layer protocol after the extension headers */
	size_t l4_off;		/* offset of the upper-layer header */
	size_t proto_field;	/* offset of the byte that holds proto */
	bool frag;		/* a fragment header is present */
	size_t frag_hdr;	/* its offset */
	uint16_t frag_off;	/* fragment offset in bytes */
	bool mf;
	uint32_t frag_id;
};

static inline bool
ipv6_is_fragment(const struct ipv6_info *ip)
{
	return ip->frag && (ip->mf || ip->frag_off != 0);
}

/* Parse an IPv6 header and walk the extension headers (RFC 8200 4). */
enum pkt_err ipv6_parse(const uint8_t *buf, size_t len, struct ipv6_info *out);
void ipv6_build(uint8_t *buf, uint8_t tc, uint32_t flow, uint16_t plen,
		uint8_t nh, uint8_t hlim, const struct in6_addr *src,
		const struct in6_addr *dst);

/* The transport view of a packet: ports, or ICMP type/code/identifier. */
struct l4_info {
	uint8_t proto;
	uint16_t sport, dport;	/* TCP/UDP; for ICMP echo both are the identifier */
	uint8_t type, code;	/* ICMP */
	bool icmp_echo;		/* echo request or reply: id is a port */
	bool icmp_error;	/* an error quoting a packet at l4 + 8 */
	size_t hlen;		/* header bytes checked present */
};

/*
 * Parse the upper-layer header at buf[0..len). For a fragment that is not
 * the first, call nothing: there is no header. A UDP or TCP header is
 * required to be whole (8 or 20+ bytes); ICMP at least 8.
 */
enum pkt_err l4_parse(uint8_t proto, const uint8_t *buf, size_t len, struct l4_info *out);

/* Offsets of the checksum field for TCP/UDP/ICMP, or -1. */
int l4_csum_offset(uint8_t proto);

/*
 * Build an ICMPv4 error (RFC 792, RFC 1812 4.3.2.3) at out: IPv4 header
 * from src to dst with TTL 255, ICMP type/code, the 32-bit "rest" word
 * (next-hop MTU for fragmentation needed), and as much of orig as fits
 * in max_total bytes (576). Returns the length written, 0 if cap is short.
 */
size_t icmp4_error_build(uint8_t *out, size_t cap, uint32_t src, uint32_t dst,
			 uint8_t type, uint8_t code, uint32_t rest,
			 const uint8_t *orig, size_t orig_len, size_t max_total);
/* The same for ICMPv6 (RFC 4443 2.4(c): at most 1280 bytes in all). */
size_t icmp6_error_build(uint8_t *out, size_t cap, const struct in6_addr *src,
			 const struct in6_addr *dst, uint8_t type, uint8_t code,
			 uint32_t rest, const uint8_t *orig, size_t orig_len,
			 size_t max_total);

/* Byte helpers: unaligned, network order. */
static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
