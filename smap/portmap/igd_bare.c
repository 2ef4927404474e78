/* SPDX-License-Identifier: MIT */
/* igd_table over a bare maptable (igd.h): for the unit tests and the fuzz target. */
#include "smap/portmap/igd.h"

static bool
copy(const struct mapping *m, struct mapping *out)
{
	if (m)
		*out = *m;
	return m != NULL;
}

static enum maptable_result
bare_add(void *a, const struct mapping *w, uint32_t lifetime, bool exact, struct mapping *out)
{
	struct igd_bare *b = a;

	return maptable_add(b->t, w, lifetime, false, exact, b->now, out);
}

static enum maptable_result
bare_del(void *a, uint8_t proto, uint16_t port, struct mapping *out)
{
	return maptable_del(((struct igd_bare *)a)->t, proto, port, NULL, out);
}

static bool
bare_at(void *a, unsigned i, struct mapping *out)
{
	return copy(maptable_at(((struct igd_bare *)a)->t, i), out);
}

static bool
bare_find_ext(void *a, uint8_t proto, uint16_t port, struct mapping *out)
{
	return copy(maptable_find_ext(((struct igd_bare *)a)->t, proto, port), out);
}

static bool
bare_find_int(void *a, uint8_t proto, uint32_t addr, uint16_t port, struct mapping *out)
{
	return copy(maptable_find_int(((struct igd_bare *)a)->t, proto, addr, port), out);
}

struct igd_table
igd_table_bare(struct igd_bare *b)
{
	return (struct igd_table){ b, bare_add, bare_del, bare_at, bare_find_ext, bare_find_int };
}
