/* SPDX-License-Identifier: MIT */
/*
 * The PostgreSQL store (see store.h): several PRRs share one binding
 * store. The database is the truth; each PRR's registry is a copy kept
 * in step by ap_changes (a sequence number per change) and LISTEN
 * ap_changes. A commit is one call of ap_apply (store_pg_schema.c) with
 * every queued change and allocation log line: one round trip, one
 * transaction, the log row written only with the change it tells of.
 *
 * Losing the database: the registry keeps serving (forwarding, renewals
 * of known SMAPs that change nothing durable); changes stay queued and
 * commits fail (no answer: the SMAPs ask again) until a reconnection,
 * tried with a backoff of 0.25 s doubling to 8 s, which then reloads
 * only the changes after the last sequence number seen.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "prr/pg_copy.h"
#include "prr/state.h"
#include "prr/store.h"
#include "prr/store_pg_schema.h"

struct pg {
	struct store s;
	PGconn *c;
	char writer[96];	/* host:pid: whose changes are our own */
	int64_t seq;		/* last change applied */
	bool need_sync;		/* reconnected, or told of changes */
	bool refetch;		/* the SMAPs in s.lost: read their rows again */
	uint64_t next_try, backoff;	/* ms */
	char *buf;		/* queued batch for ap_apply */
	size_t len, cap;
	unsigned long must;	/* queued changes an answer waits for (all but renewals) */
};

static int
queue(struct pg *p, const char *s)
{
	size_t n = strlen(s);

	if (p->len + n + 2 > p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 65536;
		char *b;
		while (cap < p->len + n + 2)
			cap *= 2;
		if (!(b = realloc(p->buf, cap)))
			return -1;
		p->buf = b;
		p->cap = cap;
	}
	memcpy(p->buf + p->len, s, n);
	p->len += n;
	p->buf[p->len++] = '\n';
	p->buf[p->len] = '\0';
	return 0;
}

/* A statement without rows; false with the error logged. */
static bool
exec_ok(struct pg *p, const char *sql)
{
	PGresult *res = PQexec(p->c, sql);
	ExecStatusType st = PQresultStatus(res);
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

	if (!ok)
		log_warnx("postgresql: %s", PQerrorMessage(p->c));
	PQclear(res);
	return ok;
}

/* Connected, or reconnecting when the backoff allows: 0 connected. */
static int
connected(struct pg *p)
{
	uint64_t now = clock_ms();

	if (PQstatus(p->c) == CONNECTION_OK)
		return 0;
	if (now < p->next_try)
		return -1;
	PQreset(p->c);
	if (PQstatus(p->c) != CONNECTION_OK) {
		p->backoff = p->backoff ? (p->backoff * 2 > 8000 ? 8000 : p->backoff * 2) : 250;
		p->next_try = now + p->backoff;
		return -1;
	}
	log_info("postgresql: reconnected; loading the changes after %" PRId64, p->seq);
	p->backoff = 0;
	p->need_sync = true;
	return exec_ok(p, "LISTEN ap_changes") ? 0 : -1;
}

static void
lost_conn(struct pg *p)
{
	if (PQstatus(p->c) == CONNECTION_OK)
		return;
	if (p->backoff == 0)
		log_warnx("postgresql: connection lost: forwarding goes on; changes wait");
	p->backoff = p->backoff ? p->backoff : 250;
	p->next_try = clock_ms() + p->backoff;
}

static int
pg_touch(struct store *s, const struct reg_entry *e)
{
	char line[260] = "+\t";
	int n = reg_entry_format(e, line + 2, sizeof(line) - 2);

	if (n < 0 || (size_t)n >= sizeof(line) - 2 || queue((struct pg *)s, line) < 0)
		return -1;
	s->pending++;
	return 0;
}

static int
pg_put(struct store *s, const struct reg_entry *e)
{
	((struct pg *)s)->must++;
	return pg_touch(s, e);
}

static int
pg_del(struct store *s, const struct in6_addr *a)
{
	char line[64] = "-\t";

	inet_ntop(AF_INET6, a, line + 2, sizeof(line) - 2);
	if (queue((struct pg *)s, line) < 0)
		return -1;
	s->pending++;
	((struct pg *)s)->must++;
	return 0;
}

static int
pg_log(struct store *s, uint64_t t, const char *event, const struct binding *b)
{
	char line[256], a6[INET6_ADDRSTRLEN], a4[INET_ADDRSTRLEN], ps[64];
	uint32_t n = htonl(b->ipv4);

	inet_ntop(AF_INET6, &b->ipv6, a6, sizeof(a6));
	inet_ntop(AF_INET, &n, a4, sizeof(a4));
	portset_format(&b->ps, ps, sizeof(ps));
	snprintf(line, sizeof(line), "L\t%" PRIu64 "\t%s\t%s\t%s\t%s", t, event, a6, a4, ps);
	if (queue((struct pg *)s, line) < 0)
		return -1;
	s->pending++;
	((struct pg *)s)->must++;
	return 0;
}

/* ap_apply's answer: the SMAPs that lost a race, one a line. */
static void
take_lost(struct pg *p, const char *v)
{
	size_t n = 1;

	for (const char *c = v; *c; c++)
		n += *c == '\n';
	free(p->s.lost);
	p->s.lost = calloc(n, sizeof(*p->s.lost));
	p->s.n_lost = 0;
	while (p->s.lost && *v) {
		char a[INET6_ADDRSTRLEN];
		size_t k = strcspn(v, "\n");
		if (k < sizeof(a)) {
			memcpy(a, v, k);
			a[k] = '\0';
			if (inet_pton(AF_INET6, a, &p->s.lost[p->s.n_lost]) == 1)
				p->s.n_lost++;
		}
		v += k + (v[k] == '\n');
	}
	p->refetch = p->s.n_lost > 0;
	/* the winners committed first: read them now, not when their NOTIFY comes */
	p->need_sync |= p->refetch;
}

/*
 * The rows of the SMAPs that lost a race, as they are now: the change
 * that beat them may be one the registry applied already (and then
 * dropped with the loser's set), so the change feed alone is not enough.
 */
static int
refetch(struct pg *p, store_change_fn fn, void *arg)
{
	char msg[256];

	for (size_t i = 0; i < p->s.n_lost; i++) {
		char a[INET6_ADDRSTRLEN];
		const char *vals[1] = { a };
		struct reg_entry e;
		PGresult *res;

		inet_ntop(AF_INET6, &p->s.lost[i], a, sizeof(a));
		res = PQexecParams(p->c, "SELECT concat_ws(E'\\t', host(ipv6), host(ipv4), ports, origin, "
				   "expires, held_until, softwire, nonce) FROM ap_bindings WHERE ipv6 = $1::inet",
				   1, NULL, vals, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			PQclear(res);
			lost_conn(p);
			return -1;
		}
		if (PQntuples(res) == 0)
			fn(arg, NULL, &p->s.lost[i]);
		else if (reg_entry_parse(PQgetvalue(res, 0, 0), &e, msg, sizeof(msg)))
			fn(arg, &e, &e.b.ipv6);
		PQclear(res);
	}
	p->refetch = false;
	return 0;
}

static int
pg_commit(struct store *s)
{
	struct pg *p = (struct pg *)s;
	const char *vals[2] = { p->writer, p->buf };
	PGresult *res;

	s->n_lost = 0;
	if (p->len == 0)
		return 0;
	if (connected(p) < 0) {
		if (p->must == 0)
			return 0;	/* renewals only: answered from memory, written later */
		errno = EAGAIN;
		return -1;	/* kept queued for the next try */
	}
	res = PQexecParams(p->c, "SELECT ap_apply($1, $2)", 2, NULL, vals, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		log_warnx("postgresql: commit: %s", PQerrorMessage(p->c));
		PQclear(res);
		if (PQstatus(p->c) != CONNECTION_OK) {
			lost_conn(p);
			errno = EAGAIN;
			return -1;
		}
		/* the database refused the batch itself: retrying it would block every later one */
		p->len = 0;
		p->must = 0;
		s->pending = 0;
		errno = EINVAL;
		return -1;
	}
	take_lost(p, PQgetvalue(res, 0, 0));
	PQclear(res);
	p->len = 0;
	p->must = 0;
	s->pending = 0;
	return 0;
}

static bool
one_value(struct pg *p, const char *sql, char *out, size_t len)
{
	PGresult *res = PQexec(p->c, sql);
	bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;

	out[0] = '\0';
	if (!ok)
		log_warnx("postgresql: %s", PQerrorMessage(p->c));
	else if (PQntuples(res) > 0)
		snprintf(out, len, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return ok;
}

/*
 * One row of the start-up's binary COPY (ipv6, ipv4, ports, origin,
 * expires, held_until, softwire, nonce) to an entry: no text to parse
 * but the port set's, origin and nonce.
 */
static bool
entry_of_row(const struct pgcopy_field *f, int n, struct reg_entry *e, char *err, size_t errlen)
{
	char ports[64], origin[16], nonce[2 * PCP_NONCE_LEN + 1];
	bool has_nonce = n == 8 && f[7].len >= 0;
	int64_t exp, held, sw;
	uint8_t a4[4];

	memset(e, 0, sizeof(*e));
	if (n != 8 || !pgcopy_inet(&f[0], 6, e->b.ipv6.s6_addr) || !pgcopy_inet(&f[1], 4, a4) ||
	    !pgcopy_text(&f[2], ports, sizeof(ports)) || !pgcopy_text(&f[3], origin, sizeof(origin)) ||
	    !pgcopy_int(&f[4], &exp) || !pgcopy_int(&f[5], &held) || !pgcopy_int(&f[6], &sw) ||
	    exp < 0 || exp > UINT32_MAX || held < 0 || held > UINT32_MAX || sw < 0 || sw > 255 ||
	    (has_nonce && !pgcopy_text(&f[7], nonce, sizeof(nonce)))) {
		snprintf(err, errlen, "a row that is not an entry (%d fields)", n);
		return false;
	}
	e->b.ipv4 = (uint32_t)a4[0] << 24 | (uint32_t)a4[1] << 16 | (uint32_t)a4[2] << 8 | a4[3];
	e->expires = (uint64_t)exp;
	e->held_until = (uint64_t)held;
	e->b.br = (uint8_t)sw;
	return reg_entry_text_fields(e, ports, origin, has_nonce ? nonce : NULL, err, errlen);
}

/* A start-up's entries go in batches (registry_add_batch): a batch's slots are fetched together. */
static void
load_said(void *arg, size_t i, enum reg_result res, const char *msg)
{
	struct store_report *rep = arg;

	(void)i;
	if (res == REG_REPLACED)
		rep->replaced++;
	else if (rep->refused++ < 20)
		log_warnx("postgresql: ap_bindings: %s; skipped", msg);
}

static int
pg_load(struct store *s, struct registry *r, struct store_report *rep, char *err, size_t errlen)
{
	struct pg *p = (struct pg *)s;
	struct reg_entry batch[REG_LOAD_BATCH];
	unsigned nb = 0;
	bool first = true;
	char v[64], msg[256];
	PGresult *res;
	char *row;
	int n;

	memset(rep, 0, sizeof(*rep));
	if (!exec_ok(p, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") ||
	    !one_value(p, "SELECT coalesce(max(seq), 0) FROM ap_changes", v, sizeof(v))) {
		snprintf(err, errlen, "postgresql: %s", PQerrorMessage(p->c));
		return -1;
	}
	p->seq = strtoll(v, NULL, 10);
	if (one_value(p, "SELECT value FROM ap_meta WHERE key = 'epoch'", v, sizeof(v)) && v[0])
		r->epoch_start = strtoull(v, NULL, 10);
	/* binary: no text made by the server and read back here but the port sets' */
	res = PQexec(p->c, "COPY (SELECT ipv6, ipv4, ports, origin, expires, held_until, softwire, nonce"
			   " FROM ap_bindings) TO STDOUT (FORMAT binary)");
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		snprintf(err, errlen, "postgresql: %s", PQerrorMessage(p->c));
		PQclear(res);
		return -1;
	}
	PQclear(res);
	r->bulk = true;
	while ((n = PQgetCopyData(p->c, &row, 0)) > 0) {
		const uint8_t *b = (const uint8_t *)row;
		struct pgcopy_field f[8];
		long skip = 0;
		int k;
		bool ok;

		if (first && (skip = pgcopy_header(b, (size_t)n)) < 0) {
			PQfreemem(row);
			registry_block_static(r, NULL, NULL);
			snprintf(err, errlen, "postgresql: loading: not a binary COPY");
			return -1;
		}
		first = false;
		k = pgcopy_row(b + skip, (size_t)(n - skip), f, 8);
		ok = k > 0 && entry_of_row(f, k, &batch[nb], msg, sizeof(msg));
		if (k < 0)
			snprintf(msg, sizeof(msg), "a malformed row");
		PQfreemem(row);
		if (k == 0)
			continue;	/* the trailer */
		rep->records++;
		if (!ok) {
			if (rep->bad++ < 20)
				log_warnx("postgresql: ap_bindings: %s; skipped", msg);
		} else if (++nb == REG_LOAD_BATCH) {
			nb = 0;
			if (registry_add_batch(r, batch, REG_LOAD_BATCH, load_said, rep) < 0)
				break;
		}
	}
	if (n > 0 || registry_add_batch(r, batch, nb, load_said, rep) < 0) {
		registry_block_static(r, NULL, NULL);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	registry_block_static(r, NULL, NULL);
	res = PQgetResult(p->c);
	if (n == -2 || PQresultStatus(res) != PGRES_COMMAND_OK) {
		snprintf(err, errlen, "postgresql: loading: %s", PQerrorMessage(p->c));
		PQclear(res);
		return -1;
	}
	PQclear(res);
	while ((res = PQgetResult(p->c)))
		PQclear(res);
	exec_ok(p, "COMMIT");
	return 0;
}

/* One change line of the feed (an entry line, or "-<TAB>ipv6"), applied. */
static void
apply_line(const char *l, store_change_fn fn, void *arg, int64_t seq)
{
	struct reg_entry e;
	struct in6_addr a;
	char msg[256];

	if (l[0] == '-' && l[1] == '\t') {
		if (inet_pton(AF_INET6, l + 2, &a) == 1)
			fn(arg, NULL, &a);
	} else if (reg_entry_parse(l, &e, msg, sizeof(msg))) {
		fn(arg, &e, &e.b.ipv6);
	} else {
		log_warnx("postgresql: change %" PRId64 ": %s; skipped", seq, msg);
	}
}

/*
 * A NOTIFY of ap_apply: "writer<TAB>first<TAB>last", then maybe the
 * changes one a line. True if it is taken care of: seen already, ours,
 * or carried whole and next in sequence (applied here, no query).
 */
static bool
notice(struct pg *p, char *payload, store_change_fn fn, void *arg)
{
	char *lines = strchr(payload, '\n'), *w = payload, *t1, *t2;
	int64_t first, last;

	if (lines)
		*lines++ = '\0';
	if (!(t1 = strchr(w, '\t')) || !(t2 = strchr(t1 + 1, '\t')))
		return false;	/* ap_apply_rows's: the writer only */
	*t1 = '\0';
	first = strtoll(t1 + 1, NULL, 10);
	last = strtoll(t2 + 1, NULL, 10);
	if (first <= 0 || last < first)
		return false;
	if (last <= p->seq)
		return true;	/* a query read them already */
	if (first != p->seq + 1)
		return false;	/* a change before them not seen */
	if (strcmp(w, p->writer) != 0) {
		if (!lines)
			return false;	/* too many to carry */
		for (int64_t seq = first; lines && *lines; seq++) {
			char *nl = strchr(lines, '\n');
			if (nl)
				*nl = '\0';
			apply_line(lines, fn, arg, seq);
			lines = nl ? nl + 1 : NULL;
		}
	}
	p->seq = last;
	return true;
}

/* Apply the changes of others after p->seq; -1 if they could not be read. */
static int
pg_sync(struct store *s, struct registry *r, store_change_fn fn, void *arg)
{
	struct pg *p = (struct pg *)s;
	PGnotify *nt;
	PGresult *res;
	char seq[32];
	const char *vals[2] = { seq, p->writer };

	if (connected(p) < 0)
		return -1;
	if (!PQconsumeInput(p->c)) {
		lost_conn(p);
		return -1;
	}
	while ((nt = PQnotifies(p->c))) {
		if (p->need_sync || !notice(p, nt->extra, fn, arg))
			p->need_sync = true;
		PQfreemem(nt);
	}
	if (p->refetch && refetch(p, fn, arg) < 0)
		return -1;
	if (!p->need_sync)
		return 0;
	snprintf(seq, sizeof(seq), "%" PRId64, p->seq);
	/* others' changes, and the last one whoever wrote it: ours need not come back, the count does */
	res = PQexecParams(p->c, "SELECT seq, writer, host(ipv6), line, (SELECT min(seq) FROM ap_changes) "
			   "FROM ap_changes WHERE seq > $1 AND (writer <> $2 OR "
			   "seq = (SELECT max(seq) FROM ap_changes)) ORDER BY seq",
			   2, NULL, vals, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		log_warnx("postgresql: changes: %s", PQerrorMessage(p->c));
		PQclear(res);
		lost_conn(p);
		return -1;
	}
	p->need_sync = false;
	if (PQntuples(res) > 0 && strtoll(PQgetvalue(res, 0, 4), NULL, 10) > p->seq + 1 && p->seq > 0)
		/* away for longer than the changes are kept: only a full load is right */
		log_warnx("postgresql: changes %" PRId64 "..%s were pruned while away: "
			  "restart this PRR to load the whole table", p->seq + 1, PQgetvalue(res, 0, 4));
	for (int i = 0; i < PQntuples(res); i++) {
		char del[64];

		p->seq = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		if (strcmp(PQgetvalue(res, i, 1), p->writer) == 0)
			continue;	/* ours: in the registry already */
		snprintf(del, sizeof(del), "-\t%s", PQgetvalue(res, i, 2));
		apply_line(PQgetisnull(res, i, 3) ? del : PQgetvalue(res, i, 3), fn, arg, p->seq);
	}
	PQclear(res);
	(void)r;
	return 0;
}

/* Renewals are written one by one here: compaction only keeps the epoch and prunes old changes. */
static int
pg_compact(struct store *s, const struct registry *r)
{
	struct pg *p = (struct pg *)s;
	char ep[32];
	const char *vals[1] = { ep };
	PGresult *res;

	if (pg_commit(s) < 0 || connected(p) < 0)
		return -1;
	snprintf(ep, sizeof(ep), "%" PRIu64, r->epoch_start);
	res = PQexecParams(p->c, "INSERT INTO ap_meta VALUES ('epoch', $1) ON CONFLICT (key) DO NOTHING",
			   1, NULL, vals, NULL, NULL, 0);
	PQclear(res);
	exec_ok(p, "DELETE FROM ap_changes WHERE at < now() - interval '1 day'");
	return 0;
}

static int
pg_fd(struct store *s)
{
	return PQsocket(((struct pg *)s)->c);
}

static int
pg_whois(struct store *s, uint32_t ipv4, uint16_t port, uint64_t at, struct whois_hit *hit, int max)
{
	struct pg *p = (struct pg *)s;
	char a4[INET_ADDRSTRLEN];
	const char *vals[1] = { a4 };
	uint32_t n = htonl(ipv4);
	PGresult *res;
	char *text = NULL;
	size_t tlen = 0;
	FILE *f;
	int k;

	if (connected(p) < 0)
		return -1;
	inet_ntop(AF_INET, &n, a4, sizeof(a4));
	res = PQexecParams(p->c, "SELECT extract(epoch FROM at)::bigint || E'\\t' || "
			   "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || E'\\t' || "
			   "event || E'\\t' || host(ipv6) || E'\\t' || host(ipv4) || E'\\t' || ports "
			   "FROM ap_alloc_log WHERE ipv4 = $1::inet ORDER BY at, id",
			   1, NULL, vals, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		log_warnx("postgresql: whois: %s", PQerrorMessage(p->c));
		PQclear(res);
		return -1;
	}
	/* the rows as log lines, read by the file's own reader */
	if (!(f = open_memstream(&text, &tlen))) {
		PQclear(res);
		return -1;
	}
	for (int i = 0; i < PQntuples(res); i++)
		fprintf(f, "%s\n", PQgetvalue(res, i, 0));
	PQclear(res);
	fclose(f);
	f = fmemopen(text, tlen ? tlen : 1, "r");
	k = f ? whois_log(f, ipv4, port, at, hit, max) : -1;
	if (f)
		fclose(f);
	free(text);
	return k;
}

static void
pg_close(struct store *s)
{
	struct pg *p = (struct pg *)s;

	pg_commit(s);
	PQfinish(p->c);
	free(p->buf);
	free(s->lost);
	free(p);
}

static const struct store_ops pg_ops = {
	.name = "postgresql",
	.load = pg_load,
	.put = pg_put,
	.del = pg_del,
	.commit = pg_commit,
	.compact = pg_compact,
	.close = pg_close,
	.fd = pg_fd,
	.sync = pg_sync,
	.log = pg_log,
	.whois = pg_whois,
	.touch = pg_touch,
};

/* The schema at this PRR's version: migrated if init, else refused if not there. */
static int
schema(struct pg *p, bool init, char *err, size_t errlen)
{
	unsigned want = store_pg_schema_version(), have;
	char v[32];

	if (init && !exec_ok(p, "CREATE TABLE IF NOT EXISTS ap_schema (version int NOT NULL)"))
		goto fail;
	if (!exec_ok(p, "BEGIN") || !exec_ok(p, "LOCK TABLE ap_schema") ||
	    !one_value(p, "SELECT coalesce(max(version), 0) FROM ap_schema", v, sizeof(v)))
		goto fail;
	have = (unsigned)strtoul(v, NULL, 10);
	if (have > want) {
		exec_ok(p, "ROLLBACK");
		snprintf(err, errlen, "the store's schema is version %u, newer than this prr's %u",
			 have, want);
		return -1;
	}
	if (have < want && !init) {
		exec_ok(p, "ROLLBACK");
		snprintf(err, errlen, "the store's schema is version %u, this prr needs %u: "
			 "run prr --init-store", have, want);
		return -1;
	}
	for (unsigned i = have; i < want; i++)
		if (!exec_ok(p, store_pg_migration(i)))
			goto fail;
	if (have < want) {
		snprintf(v, sizeof(v), "%u", want);
		if (!exec_ok(p, "DELETE FROM ap_schema"))
			goto fail;
		{
			const char *vals[1] = { v };
			PGresult *res = PQexecParams(p->c, "INSERT INTO ap_schema VALUES ($1::int)", 1,
						     NULL, vals, NULL, NULL, 0);
			PQclear(res);
		}
		log_info("postgresql: schema migrated from version %u to %u", have, want);
	}
	if (!exec_ok(p, "COMMIT"))
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "postgresql: schema: %s", PQerrorMessage(p->c));
	exec_ok(p, "ROLLBACK");
	return -1;
}

struct store *
store_pg_open(const char *conninfo, bool init, char *err, size_t errlen)
{
	struct pg *p = calloc(1, sizeof(*p));
	char host[64] = "";

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->s.ops = &pg_ops;
	p->s.shared = true;
	gethostname(host, sizeof(host) - 1);
	snprintf(p->writer, sizeof(p->writer), "%s:%ld", host, (long)getpid());
	p->c = PQconnectdb(conninfo);
	if (PQstatus(p->c) != CONNECTION_OK) {
		/* refused, not started from a local copy: a PRR that allocates alone hands sets out twice */
		snprintf(err, errlen, "postgresql: %s", PQerrorMessage(p->c));
		goto fail;
	}
	if (schema(p, init, err, errlen) < 0)
		goto fail;
	if (!init && !exec_ok(p, "LISTEN ap_changes")) {
		snprintf(err, errlen, "postgresql: LISTEN: %s", PQerrorMessage(p->c));
		goto fail;
	}
	return &p->s;
fail:
	for (char *c = err; *c; c++)
		if (*c == '\n')
			*c = ' ';
	PQfinish(p->c);
	free(p);
	return NULL;
}
