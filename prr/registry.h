/* SPDX-License-Identifier: MIT */
/*
 * The registry: every binding the PRR knows, where it came from, and
 * until when it holds. The data path never reads it: a change builds a
 * new binding table (registry_btable) that is swapped in.
 *
 *   config     static bindings of prr.conf
 *   operator   made by `prrctl assign`, kept until `prrctl release`
 *   dynamic    handed out to a registering SMAP from the allocation pool;
 *              expires unless renewed, then is held for hold_time before
 *              its ports may go to anyone else
 *
 * Pure: time comes in as an argument (unix seconds), nothing is written.
 */
#ifndef PRR_REGISTRY_H
#define PRR_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prr/binding.h"

enum reg_origin {
	REG_CONFIG = 0,
	REG_OPERATOR,
	REG_DYNAMIC,
};

struct reg_entry {
	struct binding b;
	uint8_t origin;		/* enum reg_origin */
	uint64_t expires;	/* dynamic: unix seconds; 0 = never */
	uint64_t held_until;	/* released or expired: ports reserved until then; 0 = active */
};

#define ALLOC_MAX_ADDRS	256

/* How dynamic port sets are cut out of the pool addresses. */
struct alloc_params {
	uint32_t addrs[ALLOC_MAX_ADDRS];	/* shared addresses handed out, in order */
	unsigned n_addrs;
	bool psid;		/* PSID sets (offset, psid_len) instead of ranges */
	unsigned size;		/* ranges: ports per set */
	unsigned first_port;	/* ranges: ports below are never handed out */
	unsigned offset, psid_len;	/* PSID sets */
	uint32_t lifetime;	/* seconds a registration lasts */
	uint32_t hold_time;	/* seconds an expired set stays reserved */
};

struct registry {
	struct reg_entry *e;
	size_t n, cap;
	struct alloc_params ap;
	uint64_t epoch_start;	/* unix time this PRR's state began: PCP epoch base */
};

enum reg_result {
	REG_OK = 0,
	REG_OVERLAP,		/* the port set overlaps another SMAP's */
	REG_UNKNOWN,		/* no such SMAP */
	REG_EXHAUSTED,		/* no free port set left in the pool */
	REG_INVALID,		/* bad port set */
	REG_NOMEM,
};

const char *reg_strerror(enum reg_result);

void registry_init(struct registry *, const struct alloc_params *);
void registry_free(struct registry *);
/* Add as is (config load, state load); refuses overlaps with active or held sets. */
enum reg_result registry_add(struct registry *, const struct reg_entry *, char *err, size_t errlen);
/*
 * A SMAP registers: its active or held set if it has one (renewed, and
 * *isnew false), else a free one from the pool (*isnew true).
 */
enum reg_result registry_register(struct registry *, const struct in6_addr *, uint64_t now,
				  struct reg_entry *out, bool *isnew);
/* The operator gives a SMAP this set (replacing what it had); overlap refused. */
enum reg_result registry_assign(struct registry *, const struct binding *, uint64_t now,
				char *err, size_t errlen);
/* The operator takes a SMAP's sets away at once (no hold). */
enum reg_result registry_release(struct registry *, const struct in6_addr *);
/*
 * Expire dynamic registrations past their lifetime (they become held)
 * and forget held ones past hold_time. Calls fn for each change.
 */
unsigned registry_expire(struct registry *, uint64_t now,
			 void (*fn)(void *arg, const struct reg_entry *, const char *event), void *arg);
/* The active entries as a binding table (built), or NULL with err. */
struct btable *registry_btable(const struct registry *, char *err, size_t errlen);
/* Index of the first active entry of a SMAP, or -1. */
long registry_find(const struct registry *, const struct in6_addr *);

/* State file lines: "ipv6 ipv4 portset origin expires held_until". */
int reg_entry_format(const struct reg_entry *, char *buf, size_t len);
bool reg_entry_parse(const char *line, struct reg_entry *, char *err, size_t errlen);

#endif
