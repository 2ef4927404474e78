/* SPDX-License-Identifier: MIT */
/* PostgreSQL's binary COPY format, read (see pg_copy.h). */
#include <string.h>

#include "prr/pg_copy.h"

static const uint8_t signature[11] = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0 };

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

long
pgcopy_header(const uint8_t *buf, size_t len)
{
	uint32_t ext;

	if (len < 19 || memcmp(buf, signature, sizeof(signature)) != 0)
		return -1;
	ext = be32(buf + 15);
	return ext > len - 19 ? -1 : (long)(19 + ext);
}

int
pgcopy_row(const uint8_t *buf, size_t len, struct pgcopy_field *f, int max)
{
	size_t at = 2;
	int n;

	if (len < 2)
		return -1;
	n = (int16_t)(buf[0] << 8 | buf[1]);
	if (n == -1)
		return len == 2 ? 0 : -1;
	if (n < 0 || n > max)
		return -1;
	for (int i = 0; i < n; i++) {
		int32_t l;

		if (len - at < 4)
			return -1;
		l = (int32_t)be32(buf + at);
		at += 4;
		if (l < -1 || (l > 0 && (size_t)l > len - at))
			return -1;
		f[i].p = buf + at;
		f[i].len = l;
		at += l > 0 ? (size_t)l : 0;
	}
	return at == len ? n : -1;
}

/* inet: family (2 IPv4, 3 IPv6), prefix bits, is_cidr, address length, address */
bool
pgcopy_inet(const struct pgcopy_field *f, int family, uint8_t *out)
{
	unsigned nb = family == 6 ? 16 : 4;

	if (f->len != (int32_t)(4 + nb) || f->p[0] != (family == 6 ? 3 : 2) ||
	    f->p[1] != nb * 8 || f->p[3] != nb)
		return false;
	memcpy(out, f->p + 4, nb);
	return true;
}

bool
pgcopy_int(const struct pgcopy_field *f, int64_t *v)
{
	uint64_t u = 0;

	if (f->len != 2 && f->len != 4 && f->len != 8)
		return false;
	for (int i = 0; i < f->len; i++)
		u = u << 8 | f->p[i];
	/* sign-extend the narrower ones */
	*v = f->len == 8 ? (int64_t)u : f->len == 4 ? (int64_t)(int32_t)u : (int64_t)(int16_t)u;
	return true;
}

bool
pgcopy_text(const struct pgcopy_field *f, char *buf, size_t len)
{
	if (f->len < 0 || (size_t)f->len >= len)
		return false;
	memcpy(buf, f->p, (size_t)f->len);
	buf[f->len] = '\0';
	return true;
}
