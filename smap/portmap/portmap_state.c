/* SPDX-License-Identifier: MIT */
/*
 * The mapping table's state file: text, one mapping a line
 * (maptable_format_line), after a header line and "epoch_base N".
 * Written whole on every change: temp file, fsync, rename, fsync of the
 * directory, so that a crash leaves the old file or the new one.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "smap/portmap/portmap_state.h"
#include "safe_file.h"

#define HEADER	"# smap port mappings v1: rewritten by smap on every change"

int
portmap_state_save(const char *path, const struct maptable *t, uint64_t epoch_base)
{
	char tmp[PATH_MAX + 8], line[512];
	FILE *f;

	if (!path[0])
		return 0;
	f = safe_file_open(path, tmp, sizeof(tmp));
	if (!f) {
		log_warn("state file %s", tmp);
		return -1;
	}
	fprintf(f, "%s\nepoch_base %" PRIu64 "\n", HEADER, epoch_base);
	for (unsigned i = 0; i < maptable_count(t); i++) {
		maptable_format_line(maptable_at(t, i), line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	if (safe_file_commit(f, tmp, path) < 0) {
		log_warn("state file %s", path);
		return -1;
	}
	return 0;
}

int
portmap_state_load(const char *path, struct maptable *t, uint64_t now, uint64_t *epoch_base)
{
	char line[1024];
	unsigned lineno = 0, kept = 0, dropped = 0;
	FILE *f;

	*epoch_base = now;
	if (!path[0])
		return 0;
	f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		log_warn("state file %s", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		struct mapping m;
		uint64_t base;
		enum maptable_result r;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (sscanf(line, "epoch_base %" SCNu64, &base) == 1) {
			*epoch_base = base <= now ? base : now;
			continue;
		}
		if (!maptable_parse_line(line, &m)) {
			log_warnx("%s:%u: malformed mapping line, skipped", path, lineno);
			dropped++;
			continue;
		}
		if (m.expires != 0 && m.expires <= now) {
			dropped++;
			continue;
		}
		r = maptable_restore(t, &m);
		if (r != MAPTABLE_OK) {
			log_warnx("%s:%u: mapping of port %u not restored: %s", path, lineno,
				  m.ext_port, maptable_result_name(r));
			dropped++;
			continue;
		}
		kept++;
	}
	fclose(f);
	log_info("%s: %u mapping(s) restored, %u dropped", path, kept, dropped);
	return 0;
}
