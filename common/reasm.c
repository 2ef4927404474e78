/* SPDX-License-Identifier: MIT */
/*
 * IPv4 (RFC 791 3.2, RFC 815) and IPv6 (RFC 8200 4.5) reassembly.
 *
 * Each datagram in flight keeps its fragments as separate copies of
 * exactly the bytes received, so memory follows what arrived and not
 * what the offsets claim: a tiny fragment at offset 65000 costs a few
 * bytes, not 64 KiB. The whole packet is put together only once every
 * byte is there. Overlaps drop the datagram (RFC 5722); exact duplicates
 * are ignored. Datagrams sit in a seeded hash table and on one list in
 * order of arrival, which is also the order in which they time out and
 * the order in which they are evicted when a limit is reached.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "frag.h"
#include "pkt.h"

#define KEY_LEN		38	/* family, proto, src[16], dst[16], id[4] */
#define IP_MAXLEN	65535
#define MAX_FRAGS_CAP	8192	/* 65535 / 8: more can never be useful */
#define IPPROTO_FRAG6	44

struct piece {
	uint32_t off, len;	/* in bytes, within the fragmentable part */
	uint8_t *data;
};

struct dgram {
	struct dgram *hnext;		/* hash chain */
	struct dgram *prev, *next;	/* arrival order */
	uint8_t key[KEY_LEN];
	uint32_t hash;
	uint64_t first_ms;
	size_t bytes;			/* accounted to r->bytes */
	uint8_t *hdr;			/* headers of the offset-0 fragment */
	size_t hdr_len;
	uint8_t nh;			/* IPv6: next header of the offset-0 fragment */
	size_t nh_field;		/* IPv6: where in hdr the fragment header was named */
	bool have_total;
	uint32_t total;			/* fragmentable part length, once known */
	uint32_t covered;		/* sum of piece lengths (no overlaps) */
	unsigned npieces;
	struct piece pieces[];		/* max_frags of them */
};

struct reasm {
	struct reasm_limits lim;
	struct dgram **buckets;
	uint32_t mask;
	uint64_t seed;
	struct dgram *oldest, *newest;
	unsigned pending;
	size_t bytes;
	unsigned long evicted;
};

/* What one fragment says, taken from its headers. */
struct frag_desc {
	uint8_t key[KEY_LEN];
	const uint8_t *hdr;	/* headers to keep if this is offset 0 */
	size_t hdr_len;
	uint8_t nh;
	size_t nh_field;
	const uint8_t *data;
	uint32_t off, len;
	bool more;
};

static size_t
dgram_size(const struct reasm *r)
{
	return sizeof(struct dgram) + r->lim.max_frags * sizeof(struct piece);
}

static uint64_t
make_seed(const struct reasm *r)
{
	uint64_t s;

	/* keys come from the network: an unknown seed keeps chains short */
	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != sizeof(s))
		s = (uint64_t)(uintptr_t)r * 0x9e3779b97f4a7c15ull;
	return s;
}

static uint32_t
key_hash(const struct reasm *r, const uint8_t *key)
{
	uint64_t h = r->seed;
	size_t i;

	for (i = 0; i < KEY_LEN; i++) {
		h ^= key[i];
		h *= 0x100000001b3ull;	/* FNV-1a over the seeded state */
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return (uint32_t)h;
}

struct reasm *
reasm_new(const struct reasm_limits *lim)
{
	struct reasm *r;
	uint32_t n = 16;

	if (!lim || !lim->max_bytes || !lim->max_frags || !lim->max_pending ||
	    !lim->timeout_ms) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->lim = *lim;
	if (r->lim.max_frags > MAX_FRAGS_CAP)
		r->lim.max_frags = MAX_FRAGS_CAP;
	while (n < lim->max_pending && n < (1u << 20))
		n <<= 1;
	r->buckets = calloc(n, sizeof(*r->buckets));
	if (!r->buckets) {
		free(r);
		return NULL;
	}
	r->mask = n - 1;
	r->seed = make_seed(r);
	return r;
}

static void
dgram_unlink(struct reasm *r, struct dgram *d)
{
	struct dgram **pp = &r->buckets[d->hash & r->mask];

	while (*pp != d)
		pp = &(*pp)->hnext;
	*pp = d->hnext;
	if (d->prev)
		d->prev->next = d->next;
	else
		r->oldest = d->next;
	if (d->next)
		d->next->prev = d->prev;
	else
		r->newest = d->prev;
	r->pending--;
	r->bytes -= d->bytes;
}

static void
dgram_drop(struct reasm *r, struct dgram *d)
{
	unsigned i;

	dgram_unlink(r, d);
	for (i = 0; i < d->npieces; i++)
		free(d->pieces[i].data);
	free(d->hdr);
	free(d);
}

void
reasm_free(struct reasm *r)
{
	if (!r)
		return;
	while (r->oldest)
		dgram_drop(r, r->oldest);
	free(r->buckets);
	free(r);
}

static bool
expired(const struct reasm *r, const struct dgram *d, uint64_t now_ms)
{
	/* RFC 791 3.2 / RFC 8200 4.5: the timer starts at the first fragment */
	return now_ms >= d->first_ms && now_ms - d->first_ms >= r->lim.timeout_ms;
}

unsigned
reasm_expire(struct reasm *r, uint64_t now_ms)
{
	unsigned n = 0;

	while (r->oldest && expired(r, r->oldest, now_ms)) {
		dgram_drop(r, r->oldest);
		n++;
	}
	return n;
}

unsigned
reasm_pending(const struct reasm *r)
{
	return r->pending;
}

size_t
reasm_bytes(const struct reasm *r)
{
	return r->bytes;
}

unsigned long
reasm_evicted(const struct reasm *r)
{
	return r->evicted;
}

/*
 * Make room for need more bytes (and a new datagram if new_dgram) by
 * evicting the oldest datagrams other than keep. False if it cannot fit.
 */
static bool
make_room(struct reasm *r, size_t need, bool new_dgram, const struct dgram *keep)
{
	for (;;) {
		bool fits = r->bytes <= r->lim.max_bytes &&
		    need <= r->lim.max_bytes - r->bytes &&
		    (!new_dgram || r->pending < r->lim.max_pending);
		struct dgram *victim = r->oldest;

		if (fits)
			return true;
		if (victim && victim == keep)
			victim = victim->next;
		if (!victim)
			return false;
		dgram_drop(r, victim);
		r->evicted++;
	}
}

static struct dgram *
dgram_find(struct reasm *r, const uint8_t *key, uint32_t hash)
{
	struct dgram *d;

	for (d = r->buckets[hash & r->mask]; d; d = d->hnext)
		if (d->hash == hash && memcmp(d->key, key, KEY_LEN) == 0)
			return d;
	return NULL;
}

static struct dgram *
dgram_new(struct reasm *r, const uint8_t *key, uint32_t hash, uint64_t now_ms)
{
	size_t size = dgram_size(r);
	struct dgram *d;

	if (!make_room(r, size, true, NULL))
		return NULL;
	d = calloc(1, size);
	if (!d)
		return NULL;
	memcpy(d->key, key, KEY_LEN);
	d->hash = hash;
	d->first_ms = now_ms;
	d->bytes = size;
	d->hnext = r->buckets[hash & r->mask];
	r->buckets[hash & r->mask] = d;
	d->prev = r->newest;
	if (r->newest)
		r->newest->next = d;
	else
		r->oldest = d;
	r->newest = d;
	r->pending++;
	r->bytes += size;
	return d;
}

/*
 * Where the fragment sits against what we have: a new piece, an exact
 * duplicate (ignored), or an overlap (RFC 5722: drop it all; bytes that
 * differ under the same offset are an overlap too).
 */
enum fit { FIT_NEW, FIT_DUP, FIT_OVERLAP };

static enum fit
piece_fit(const struct dgram *d, const struct frag_desc *f)
{
	unsigned i;

	for (i = 0; i < d->npieces; i++) {
		const struct piece *p = &d->pieces[i];

		if (p->off == f->off && p->len == f->len)
			return memcmp(p->data, f->data, f->len) ? FIT_OVERLAP : FIT_DUP;
		if (f->off < p->off + p->len && p->off < f->off + f->len)
			return FIT_OVERLAP;
	}
	return FIT_NEW;
}

/* The end of the datagram, as the last fragment tells it, must agree. */
static bool
total_consistent(const struct dgram *d, const struct frag_desc *f)
{
	uint32_t end = f->off + f->len;
	unsigned i;

	if (f->more)
		return !d->have_total || end < d->total;
	if (d->have_total)
		return end == d->total;
	for (i = 0; i < d->npieces; i++)
		if (d->pieces[i].off + d->pieces[i].len > end)
			return false;
	return true;
}

static enum reasm_result
piece_add(struct reasm *r, struct dgram *d, const struct frag_desc *f)
{
	size_t need = f->len + (f->off == 0 ? f->hdr_len : 0);
	struct piece *p;

	if (d->npieces >= r->lim.max_frags)
		return REASM_ERR_TOO_MANY;
	if (!make_room(r, need, false, d))
		return REASM_ERR_NOMEM;
	p = &d->pieces[d->npieces];
	p->data = malloc(f->len);
	if (!p->data)
		return REASM_ERR_NOMEM;
	if (f->off == 0) {
		d->hdr = malloc(f->hdr_len);
		if (!d->hdr) {
			free(p->data);
			return REASM_ERR_NOMEM;
		}
		memcpy(d->hdr, f->hdr, f->hdr_len);
		d->hdr_len = f->hdr_len;
		d->nh = f->nh;
		d->nh_field = f->nh_field;
	}
	memcpy(p->data, f->data, f->len);
	p->off = f->off;
	p->len = f->len;
	d->npieces++;
	d->covered += f->len;
	if (!f->more) {
		d->have_total = true;
		d->total = f->off + f->len;
	}
	d->bytes += need;
	r->bytes += need;
	return REASM_PENDING;
}

/* RFC 791 3.2: the first fragment's header, now for the whole. */
static void
fix4(uint8_t *out, size_t len)
{
	uint16_t w = get16(out + 6) & (uint16_t)~(IPV4_MF | 0x1fff);

	put16(out + 6, w);
	put16(out + 2, (uint16_t)len);
	ipv4_set_csum(out);
}

/* RFC 8200 4.5: the fragment header's next header goes in its place. */
static void
fix6(uint8_t *out, size_t len, const struct dgram *d)
{
	out[d->nh_field] = d->nh;
	put16(out + 4, (uint16_t)(len - IPV6_HDR_LEN));
}

/* Headers of the offset-0 fragment, then every piece in its place. */
static enum reasm_result
dgram_emit(const struct dgram *d, size_t max_len, uint8_t *out, size_t outcap,
	   size_t *outlen)
{
	size_t len = d->hdr_len + d->total;
	unsigned i;

	if (len > max_len || len > outcap)
		return REASM_ERR_TOO_BIG;
	memcpy(out, d->hdr, d->hdr_len);
	for (i = 0; i < d->npieces; i++)
		memcpy(out + d->hdr_len + d->pieces[i].off, d->pieces[i].data,
		       d->pieces[i].len);
	if (d->key[0] == 4)
		fix4(out, len);
	else
		fix6(out, len, d);
	*outlen = len;
	return REASM_DONE;
}

/*
 * The common part: find or make the datagram, place the fragment, and
 * when every byte is there copy it to out. max_len bounds the result
 * (65535 for IPv4; 40 + 65535 for IPv6). On any error but INVALID the
 * datagram is gone.
 */
static enum reasm_result
reasm_add(struct reasm *r, const struct frag_desc *f, size_t max_len,
	  uint64_t now_ms, uint8_t *out, size_t outcap, size_t *outlen)
{
	uint32_t hash = key_hash(r, f->key);
	struct dgram *d;
	enum reasm_result res;

	reasm_expire(r, now_ms);
	d = dgram_find(r, f->key, hash);
	/* RFC 791: a fragment whose end passes 65535 ends the datagram */
	if (f->hdr_len + f->off + f->len > max_len) {
		if (d)
			dgram_drop(r, d);
		return REASM_ERR_TOO_BIG;
	}
	if (!d) {
		d = dgram_new(r, f->key, hash, now_ms);
		if (!d)
			return REASM_ERR_NOMEM;
	}
	if (!total_consistent(d, f)) {
		dgram_drop(r, d);
		return REASM_ERR_INVALID;
	}
	switch (piece_fit(d, f)) {
	case FIT_DUP:
		return REASM_PENDING;
	case FIT_OVERLAP:
		dgram_drop(r, d);
		return REASM_ERR_OVERLAP;
	case FIT_NEW:
		break;
	}
	res = piece_add(r, d, f);
	if (res != REASM_PENDING) {
		dgram_drop(r, d);
		return res;
	}
	if (!d->have_total || d->covered != d->total)
		return REASM_PENDING;
	res = dgram_emit(d, max_len, out, outcap, outlen);
	dgram_drop(r, d);
	return res;
}

/* RFC 791 3.1: version, IHL, total length, all checked before use. */
static enum reasm_result
parse4(const uint8_t *pkt, size_t len, struct frag_desc *f)
{
	size_t hlen, tot;
	uint16_t w;

	if (len < IPV4_HDR_MIN || pkt[0] >> 4 != 4)
		return REASM_ERR_INVALID;
	hlen = (size_t)(pkt[0] & 0x0f) * 4;
	tot = get16(pkt + 2);
	if (hlen < IPV4_HDR_MIN || hlen > tot || tot > len)
		return REASM_ERR_INVALID;
	w = get16(pkt + 6);
	memset(f, 0, sizeof(*f));
	f->key[0] = 4;
	f->key[1] = pkt[9];
	memcpy(f->key + 2, pkt + 12, 4);
	memcpy(f->key + 18, pkt + 16, 4);
	memcpy(f->key + 34, pkt + 4, 2);
	f->hdr = pkt;
	f->hdr_len = hlen;
	f->data = pkt + hlen;
	f->len = (uint32_t)(tot - hlen);
	f->off = (uint32_t)(w & 0x1fff) * 8;
	f->more = (w & IPV4_MF) != 0;
	return REASM_PENDING;
}

/* Non-last fragments carry a multiple of 8 bytes; empty ones are noise. */
static bool
frag_len_ok(const struct frag_desc *f)
{
	return f->len > 0 && (!f->more || f->len % 8 == 0);
}

/* Copy a packet that turned out not to be fragmented at all. */
static enum reasm_result
whole_copy(const uint8_t *pkt, size_t len, uint8_t *out, size_t outcap,
	   size_t *outlen)
{
	if (len > outcap)
		return REASM_ERR_TOO_BIG;
	memmove(out, pkt, len);		/* out may be pkt itself */
	*outlen = len;
	return REASM_DONE;
}

enum reasm_result
reasm4_add(struct reasm *r, const uint8_t *pkt, size_t len, uint64_t now_ms,
	   uint8_t *out, size_t outcap, size_t *outlen)
{
	struct frag_desc f;

	if (parse4(pkt, len, &f) != REASM_PENDING)
		return REASM_ERR_INVALID;
	if (f.off == 0 && !f.more)
		return whole_copy(pkt, f.hdr_len + f.len, out, outcap, outlen);
	if (!frag_len_ok(&f))
		return REASM_ERR_INVALID;
	return reasm_add(r, &f, IP_MAXLEN, now_ms, out, outcap, outlen);
}

/*
 * Walk the headers in front of the fragment header (RFC 8200 4.1: only
 * hop-by-hop, destination options and routing may come before it) to
 * find the byte that names it; that byte gets the fragment header's
 * next header on reassembly. 0 if frag_off is not where the chain says.
 */
static size_t
nh_field6(const uint8_t *pkt, size_t frag_off)
{
	size_t field = 6, off = IPV6_HDR_LEN;
	unsigned n;

	for (n = 0; n <= IPV6_MAX_EXTHDRS; n++) {
		uint8_t nh = pkt[field];

		if (off == frag_off)
			return nh == IPPROTO_FRAG6 ? field : 0;
		if (nh != 0 && nh != 43 && nh != 60)
			return 0;
		if (off + 2 > frag_off)
			return 0;
		field = off;
		off += ((size_t)pkt[off + 1] + 1) * 8;
	}
	return 0;
}

static enum reasm_result
parse6(const uint8_t *pkt, size_t len, size_t frag_off, struct frag_desc *f)
{
	size_t end, nh_field;
	uint16_t w;

	if (len < IPV6_HDR_LEN || pkt[0] >> 4 != 6)
		return REASM_ERR_INVALID;
	/* payload length 0 would be a jumbogram (RFC 2675): not here */
	end = IPV6_HDR_LEN + (size_t)get16(pkt + 4);
	if (end == IPV6_HDR_LEN || end > len || frag_off < IPV6_HDR_LEN ||
	    frag_off > end || end - frag_off < IPV6_FRAG_LEN)
		return REASM_ERR_INVALID;
	nh_field = nh_field6(pkt, frag_off);
	if (!nh_field)
		return REASM_ERR_INVALID;
	w = get16(pkt + frag_off + 2);
	memset(f, 0, sizeof(*f));
	/* RFC 8200 4.5: source, destination and identification */
	f->key[0] = 6;
	memcpy(f->key + 2, pkt + 8, 16);
	memcpy(f->key + 18, pkt + 24, 16);
	memcpy(f->key + 34, pkt + frag_off + 4, 4);
	f->hdr = pkt;
	f->hdr_len = frag_off;
	f->nh = pkt[frag_off];
	f->nh_field = nh_field;
	f->data = pkt + frag_off + IPV6_FRAG_LEN;
	f->len = (uint32_t)(end - frag_off - IPV6_FRAG_LEN);
	f->off = w & 0xfff8;
	f->more = (w & 1) != 0;
	return REASM_PENDING;
}

/* RFC 6946: an atomic fragment is a whole packet; just lose the header. */
static enum reasm_result
atomic6(const struct frag_desc *f, uint8_t *out, size_t outcap, size_t *outlen)
{
	size_t len = f->hdr_len + f->len;

	if (len > outcap)
		return REASM_ERR_TOO_BIG;
	/* data first: with out == pkt it moves down over the fragment header */
	memmove(out + f->hdr_len, f->data, f->len);
	memmove(out, f->hdr, f->hdr_len);
	out[f->nh_field] = f->nh;
	put16(out + 4, (uint16_t)(len - IPV6_HDR_LEN));
	*outlen = len;
	return REASM_DONE;
}

enum reasm_result
reasm6_add(struct reasm *r, const uint8_t *pkt, size_t len, size_t frag_off,
	   uint64_t now_ms, uint8_t *out, size_t outcap, size_t *outlen)
{
	struct frag_desc f;

	if (parse6(pkt, len, frag_off, &f) != REASM_PENDING)
		return REASM_ERR_INVALID;
	if (f.off == 0 && !f.more)
		return atomic6(&f, out, outcap, outlen);
	/* RFC 8200 4.5: a non-last fragment not a multiple of 8 is discarded */
	if (!frag_len_ok(&f))
		return REASM_ERR_INVALID;
	return reasm_add(r, &f, IPV6_HDR_LEN + IP_MAXLEN, now_ms, out, outcap, outlen);
}
