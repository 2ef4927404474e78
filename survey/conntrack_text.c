/* SPDX-License-Identifier: MIT */
/*
 * Parser for /proc/net/nf_conntrack lines, e.g.
 *
 *   ipv4 2 tcp 6 431999 ESTABLISHED src=192.168.1.10 dst=198.51.100.10
 *     sport=40000 dport=80 src=198.51.100.10 dst=192.0.2.1 sport=80
 *     dport=10123 [ASSURED] mark=0 use=1
 *
 * The first src= opens the original tuple, the second the reply tuple.
 * Hand-rolled rather than sscanf: a sample can hold a million lines.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "survey/conntrack_text.h"

bool
ct_aton(const char *s, size_t len, uint32_t *out)
{
	uint32_t addr = 0, part = 0;
	unsigned dots = 0, digits = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9') {
			part = part * 10 + (unsigned)(c - '0');
			if (++digits > 3 || part > 255)
				return false;
		} else if (c == '.' && digits > 0 && dots < 3) {
			addr = addr << 8 | part;
			part = 0;
			digits = 0;
			dots++;
		} else
			return false;
	}
	if (dots != 3 || digits == 0)
		return false;
	*out = addr << 8 | part;
	return true;
}

const char *
ct_ntoa(uint32_t a, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
	    (a >> 8) & 255, a & 255);
	return buf;
}

static bool
parse_u16(const char *s, size_t len, uint16_t *out)
{
	uint32_t v = 0;
	size_t i;

	if (len == 0 || len > 5)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	if (v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}

/*
 * The next space-separated token of [*p, end). The kernel writes single
 * spaces; memchr finds the end of a token faster than a byte loop.
 */
static bool
next_token(const char **p, const char *end, const char **tok, size_t *tlen)
{
	const char *s = *p, *e;

	while (s < end && *s == ' ')
		s++;
	if (s == end)
		return false;
	e = memchr(s, ' ', (size_t)(end - s));
	if (e == NULL)
		e = end;
	*tok = s;
	*tlen = (size_t)(e - s);
	*p = e;
	return true;
}

int
ct_parse_line(const char *line, size_t len, struct ct_entry *out)
{
	const char *p = line, *end = line + len, *t;
	size_t n;
	uint16_t proto;
	/* which fields were seen, per direction: src dst sport dport */
	unsigned seen[2] = { 0, 0 };
	int dir = -1;

	memset(out, 0, sizeof(*out));
	while (end > p && (end[-1] == '\n' || end[-1] == '\r' ||
	    end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (!next_token(&p, end, &t, &n))
		return 0;
	if (n == 4 && memcmp(t, "ipv6", 4) == 0)
		return 0;
	if (n == 4 && memcmp(t, "ipv4", 4) == 0) {
		/* "ipv4 2": skip the family number, then the protocol name */
		if (!next_token(&p, end, &t, &n) || !next_token(&p, end, &t, &n))
			return -1;
	}
	/* t is the protocol name; its number follows */
	if (!next_token(&p, end, &t, &n) || !parse_u16(t, n, &proto) ||
	    proto > 255)
		return -1;
	out->proto = (uint8_t)proto;

	while (next_token(&p, end, &t, &n)) {
		const char *v;
		size_t klen = 0, vlen;
		uint16_t port;

		/* the keys wanted are at most 5 long: look no further */
		while (klen < n && klen < 6 && t[klen] != '=')
			klen++;
		if (klen == n || t[klen] != '=')
			continue;	/* state, timeout, [ASSURED], zone=... */
		v = t + klen + 1;
		vlen = n - klen - 1;
		if (klen == 3 && memcmp(t, "src", 3) == 0) {
			if (++dir > 1)
				return -1;
			if (memchr(v, ':', vlen) != NULL)
				return 0;	/* IPv6 in `conntrack -L` output */
			if (!ct_aton(v, vlen, dir ? &out->rsrc : &out->osrc))
				return -1;
			seen[dir] |= 1;
			continue;
		}
		if (dir < 0)
			continue;
		if (klen == 3 && memcmp(t, "dst", 3) == 0) {
			if (!ct_aton(v, vlen, dir ? &out->rdst : &out->odst))
				return -1;
			seen[dir] |= 2;
		} else if ((klen == 5 && memcmp(t, "sport", 5) == 0) ||
		    (klen == 2 && memcmp(t, "id", 2) == 0)) {
			if (!parse_u16(v, vlen, &port))
				return -1;
			if (dir)
				out->rsport = port;
			else
				out->osport = port;
			if (t[0] == 'i') {	/* ICMP: the id is both ports */
				if (dir)
					out->rdport = port;
				else
					out->odport = port;
				seen[dir] |= 8;
			}
			seen[dir] |= 4;
		} else if (klen == 5 && memcmp(t, "dport", 5) == 0) {
			if (!parse_u16(v, vlen, &port))
				return -1;
			if (dir)
				out->rdport = port;
			else
				out->odport = port;
			seen[dir] |= 8;
		}
		/* the reply tuple is complete: the rest is mark=, use=... */
		if (seen[1] == 15)
			break;
	}
	/* both tuples need addresses; protocols with ports need both ports */
	if ((seen[0] & 3) != 3 || (seen[1] & 3) != 3)
		return -1;
	switch (out->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
	case IPPROTO_ICMP:
		if (seen[0] != 15 || seen[1] != 15)
			return -1;
		break;
	}
	return 1;
}

int
ct_read_stream(FILE *f, ct_entry_fn fn, void *arg, struct ct_read_stats *st)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	struct ct_entry e;

	while ((n = getline(&line, &cap, f)) >= 0) {
		st->lines++;
		switch (ct_parse_line(line, (size_t)n, &e)) {
		case 1:
			st->ipv4++;
			fn(arg, &e);
			break;
		case 0:
			st->skipped++;
			break;
		default:
			st->malformed++;
			break;
		}
	}
	free(line);
	if (ferror(f)) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}
