/* SPDX-License-Identifier: MIT */
/*
 * Where the registry persists: a small interface, so that another back
 * end (a database shared by several PRRs) can sit beside the journal.
 *
 *   open      find or create the store
 *   load      replay it into a registry: damaged, overlapping or
 *             duplicate records are reported and skipped (newest wins),
 *             never fatal
 *   put/del   queue a change of one SMAP's entry (operator or dynamic)
 *   commit    make the queued changes durable; a registration is
 *             answered, and the allocation log written, only after
 *   compact   rewrite the store as the registry's state now (renewals,
 *             which are never written one by one, reach it here)
 *   close
 *
 * The journal back end (store_journal.c): the state file is a snapshot
 * followed by appended records, one line each: an entry line (see
 * reg_entry_format) puts that SMAP's entry, "-<TAB>IPv6" removes its
 * entries, "# epoch N" sets the PCP epoch base. A commit is one write
 * and one fdatasync for all the changes queued since the last; a torn
 * last line (a crash during the write, never acknowledged) is cut off
 * at the next open.
 */
#ifndef PRR_STORE_H
#define PRR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prr/registry.h"

struct store;

struct store_report {
	unsigned records;	/* records read */
	unsigned bad;		/* unreadable lines, skipped */
	unsigned replaced;	/* overlapping or duplicate entries, the older one dropped */
	unsigned refused;	/* valid lines the registry refused (not a set of the pool...) */
	bool torn;		/* an incomplete last line was cut off */
};

struct whois_hit;
/* A change another PRR made, applied to the registry: e, or a delete of a6 (e NULL). */
typedef void (*store_change_fn)(void *, const struct reg_entry *e, const struct in6_addr *a6);

struct store_ops {
	const char *name;
	int (*load)(struct store *, struct registry *, struct store_report *, char *err, size_t);
	int (*put)(struct store *, const struct reg_entry *);
	int (*del)(struct store *, const struct in6_addr *);
	int (*commit)(struct store *);
	int (*compact)(struct store *, const struct registry *);
	void (*close)(struct store *);
	/* shared stores only (NULL for the journal): see store_pg.c */
	int (*fd)(struct store *);	/* readable: changes by others may wait */
	int (*sync)(struct store *, struct registry *, store_change_fn, void *);
	int (*log)(struct store *, uint64_t t, const char *event, const struct binding *);
	int (*whois)(struct store *, uint32_t ipv4, uint16_t port, uint64_t at,
		     struct whois_hit *, int max);
	/* a renewal: written, but an answer need not wait for it (the store may be away) */
	int (*touch)(struct store *, const struct reg_entry *);
};

struct store {
	const struct store_ops *ops;
	unsigned long pending;		/* changes queued, not yet committed */
	unsigned long since_compact;	/* records appended since the last compaction */
	/*
	 * Shared by several PRRs: renewals are written too (any PRR may
	 * expire a set), and a commit may lose a race: the SMAPs in lost
	 * (until the next commit) were not given their set.
	 */
	bool shared;
	struct in6_addr *lost;
	size_t n_lost;
};

/* The journal in the file path; NULL with err. */
struct store *store_journal_open(const char *path, char *err, size_t errlen);
/* The same to load only (prr replay): a torn last line is left, nothing is written. */
struct store *store_journal_open_readonly(const char *path, char *err, size_t errlen);
/*
 * PostgreSQL at conninfo; NULL with err (unreachable, or the schema is
 * not this PRR's version). init: create or migrate the schema first.
 */
struct store *store_pg_open(const char *conninfo, bool init, char *err, size_t errlen);

static inline int
store_load(struct store *s, struct registry *r, struct store_report *rep, char *err, size_t len)
{
	return s->ops->load(s, r, rep, err, len);
}
static inline int store_put(struct store *s, const struct reg_entry *e) { return s->ops->put(s, e); }
static inline int store_del(struct store *s, const struct in6_addr *a) { return s->ops->del(s, a); }
static inline int store_commit(struct store *s) { return s->ops->commit(s); }
static inline int store_compact(struct store *s, const struct registry *r) { return s->ops->compact(s, r); }
static inline void store_close(struct store *s) { if (s) s->ops->close(s); }
static inline int
store_touch(struct store *s, const struct reg_entry *e)
{
	return s->ops->touch ? s->ops->touch(s, e) : s->ops->put(s, e);
}
static inline int store_fd(struct store *s) { return s && s->ops->fd ? s->ops->fd(s) : -1; }
static inline int
store_sync(struct store *s, struct registry *r, store_change_fn fn, void *arg)
{
	return s && s->ops->sync ? s->ops->sync(s, r, fn, arg) : 0;
}
/* Whether the store keeps the allocation log itself (then written with the commit). */
static inline bool store_has_log(const struct store *s) { return s && s->ops->log; }
static inline int
store_log(struct store *s, uint64_t t, const char *event, const struct binding *b)
{
	return s->ops->log(s, t, event, b);
}
/* Whether the store answers whois itself. */
static inline bool store_has_whois(const struct store *s) { return s && s->ops->whois; }
/* Whether the journal has grown enough to be worth compacting. */
static inline bool
store_wants_compact(const struct store *s, const struct registry *r)
{
	return s->since_compact > 65536 && s->since_compact > registry_count(r);
}

#endif
