/* SPDX-License-Identifier: MIT */
/* The journal store: see store.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "safe_file.h"
#include "prr/store.h"

struct journal {
	struct store s;
	char path[PATH_MAX];
	int fd;			/* O_APPEND */
	char *buf;		/* queued records */
	size_t len, cap;
};

static int
queue(struct journal *j, const char *line, size_t n)
{
	if (j->len + n + 1 > j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 65536;
		char *b;
		while (cap < j->len + n + 1)
			cap *= 2;
		if (!(b = realloc(j->buf, cap)))
			return -1;
		j->buf = b;
		j->cap = cap;
	}
	memcpy(j->buf + j->len, line, n);
	j->buf[j->len + n] = '\n';
	j->len += n + 1;
	j->s.pending++;
	return 0;
}

static int
j_put(struct store *s, const struct reg_entry *e)
{
	char line[256];
	int n = reg_entry_format(e, line, sizeof(line));

	return n < 0 || (size_t)n >= sizeof(line) ? -1 : queue((struct journal *)s, line, (size_t)n);
}

static int
j_del(struct store *s, const struct in6_addr *a)
{
	char line[64] = "-\t";

	inet_ntop(AF_INET6, a, line + 2, sizeof(line) - 2);
	return queue((struct journal *)s, line, strlen(line));
}

static int
j_commit(struct store *s)
{
	struct journal *j = (struct journal *)s;
	size_t off = 0;

	if (j->len == 0)
		return 0;
	while (off < j->len) {
		ssize_t w = write(j->fd, j->buf + off, j->len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)w;
	}
	if (fdatasync(j->fd) < 0)
		return -1;
	s->since_compact += s->pending;
	s->pending = 0;
	j->len = 0;
	return 0;
}

static int
j_compact(struct store *s, const struct registry *r)
{
	struct journal *j = (struct journal *)s;
	char tmp[PATH_MAX + 8], line[256];
	struct reg_entry e;
	size_t pos = 0;
	FILE *f;
	int fd;

	if (j_commit(s) < 0)
		return -1;
	if (!(f = safe_file_open(j->path, tmp, sizeof(tmp))))
		return -1;
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	fprintf(f, "# prr state: ipv6 ipv4 portset origin expires held_until softwire [nonce]\n");
	fprintf(f, "# epoch %" PRIu64 "\n", r->epoch_start);
	while (registry_iter(r, &pos, &e)) {
		if (e.origin == REG_CONFIG)
			continue;
		reg_entry_format(&e, line, sizeof(line));
		fputs(line, f);
		fputc('\n', f);
	}
	if (safe_file_commit(f, tmp, j->path) < 0)
		return -1;
	if ((fd = open(j->path, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0)
		return -1;
	close(j->fd);
	j->fd = fd;
	s->since_compact = 0;
	return 0;
}

/* Entries are added in batches (registry_add_batch): a batch's slots are fetched together. */
struct batch {
	const struct journal *j;
	struct store_report *rep;
	struct reg_entry e[REG_LOAD_BATCH];
	unsigned lineno[REG_LOAD_BATCH];
	unsigned n;
};

static void
batch_said(void *arg, size_t i, enum reg_result res, const char *msg)
{
	struct batch *b = arg;

	if (res == REG_REPLACED) {
		if (b->rep->replaced++ < 20)
			log_warnx("%s:%u: newest wins: %s", b->j->path, b->lineno[i], msg);
	} else if (b->rep->refused++ < 20) {
		log_warnx("%s:%u: %s; skipped", b->j->path, b->lineno[i], msg);
	}
}

/* The batch into the registry, in order; -1 out of memory. */
static int
add_batch(struct registry *r, struct batch *b)
{
	unsigned n = b->n;

	b->n = 0;
	return registry_add_batch(r, b->e, n, batch_said, b);
}

static int
j_load(struct store *s, struct registry *r, struct store_report *rep, char *err, size_t errlen)
{
	struct journal *j = (struct journal *)s;
	char line[512], msg[256];
	struct batch batch = { .j = j, .rep = rep };
	off_t good = 0, at = 0;
	unsigned lineno = 0;
	FILE *f = fopen(j->path, "r");
	char *iobuf = malloc(1 << 20);	/* setvbuf without a buffer of its own reads 4 kB at a time */

	memset(rep, 0, sizeof(*rep));
	if (!f) {
		snprintf(err, errlen, "%s: %s", j->path, strerror(errno));
		free(iobuf);
		return -1;
	}
	if (iobuf)
		setvbuf(f, iobuf, _IOFBF, 1 << 20);
	r->bulk = true;		/* the free list is rebuilt once, at the end */
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		at += (off_t)n;
		lineno++;
		if (n == 0 || line[n - 1] != '\n') {
			if (!feof(f)) {
				/* an over-long line: skip the rest of it */
				int c;
				while ((c = fgetc(f)) != EOF && c != '\n')
					at++;
				if (c == '\n') {
					at++;
					good = at;
				}
				rep->bad++;
				log_warnx("%s:%u: line too long; skipped", j->path, lineno);
				continue;
			}
			rep->torn = true;	/* cut off below */
			break;
		}
		good = at;
		rep->records++;
		if (strncmp(line, "# epoch ", 8) == 0) {
			r->epoch_start = strtoull(line + 8, NULL, 10);
			continue;
		}
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (line[0] == '-' && line[1] == '\t') {
			struct in6_addr a;
			line[n - 1] = '\0';
			if (inet_pton(AF_INET6, line + 2, &a) != 1) {
				rep->bad++;
				log_warnx("%s:%u: bad IPv6 address '%s'; skipped", j->path, lineno, line + 2);
				continue;
			}
			/* what came before it first */
			if (add_batch(r, &batch) < 0)
				goto nomem;
			registry_release(r, &a);
			continue;
		}
		if (!reg_entry_parse(line, &batch.e[batch.n], msg, sizeof(msg))) {
			/* one bad line loses only itself */
			rep->bad++;
			log_warnx("%s:%u: %s; skipped", j->path, lineno, msg);
			continue;
		}
		if (batch.e[batch.n].origin == REG_CONFIG)
			continue;
		batch.lineno[batch.n++] = lineno;
		if (batch.n == REG_LOAD_BATCH && add_batch(r, &batch) < 0)
			goto nomem;
	}
	if (add_batch(r, &batch) < 0)
		goto nomem;
	fclose(f);
	free(iobuf);
	registry_block_static(r, NULL, NULL);
	if (rep->torn && j->fd < 0) {
		log_warnx("%s: an incomplete last line, left as it is (read only)", j->path);
		rep->torn = false;
	}
	if (rep->torn && truncate(j->path, good) < 0) {
		snprintf(err, errlen, "%s: cannot cut off a torn last line: %s", j->path, strerror(errno));
		return -1;
	}
	if (rep->torn)
		log_warnx("%s: an incomplete last line (a crash while writing it) was cut off", j->path);
	if (rep->replaced > 20 || rep->refused > 20)
		log_warnx("%s: %u entries replaced by newer ones, %u refused in all", j->path,
			  rep->replaced, rep->refused);
	/* what a compaction would save: records beyond one per entry */
	s->since_compact = rep->records > registry_count(r) + 2 ? rep->records - registry_count(r) - 2 : 0;
	return 0;
nomem:
	fclose(f);
	free(iobuf);
	registry_block_static(r, NULL, NULL);
	snprintf(err, errlen, "out of memory");
	return -1;
}

static void
j_close(struct store *s)
{
	struct journal *j = (struct journal *)s;

	j_commit(s);
	if (j->fd >= 0)
		close(j->fd);
	free(j->buf);
	free(j);
}

static const struct store_ops journal_ops = {
	.name = "journal",
	.load = j_load,
	.put = j_put,
	.del = j_del,
	.commit = j_commit,
	.compact = j_compact,
	.close = j_close,
};

static struct store *
journal_open(const char *path, bool writable, char *err, size_t errlen)
{
	struct journal *j = calloc(1, sizeof(*j));

	if (!j) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	j->s.ops = &journal_ops;
	snprintf(j->path, sizeof(j->path), "%s", path);
	j->fd = -1;
	if (!writable)
		return &j->s;
	j->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (j->fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(j);
		return NULL;
	}
	return &j->s;
}

struct store *
store_journal_open(const char *path, char *err, size_t errlen)
{
	return journal_open(path, true, err, errlen);
}

struct store *
store_journal_open_readonly(const char *path, char *err, size_t errlen)
{
	return journal_open(path, false, err, errlen);
}
