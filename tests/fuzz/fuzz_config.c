/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for prr_config_load: the input is written to a temp
 * file and loaded. See tests/fuzz/README.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prr/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * libconfig before 1.7 leaks string tokens dropped in syntax error
 * recovery (hyperrealm/libconfig#142, fixed by #155); Debian 12 has 1.5.
 * Not ours to fix: ignore leaks from its scanner only, so a config tree
 * we forget to destroy still shows.
 */
const char *
__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

static char path[64];

static void
cleanup(void)
{
	unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prr_config c;
	struct conf_err e;
	FILE *f;

	/* @include could name any file (or a FIFO): keep the fuzzer on our parser */
	if (memmem(data, size, "@include", 8))
		return 0;
	if (!path[0]) {
		int fd;

		snprintf(path, sizeof(path), "/tmp/fuzz_config.XXXXXX");
		fd = mkstemp(path);
		if (fd < 0)
			abort();
		close(fd);
		atexit(cleanup);
	}
	f = fopen(path, "w");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f) != 0)
		abort();

	if (prr_config_load(path, &c, &e) == 0) {
		/* a config that loads is sound */
		if (e.count != 0 || c.params.n_br == 0 || c.n_pools == 0 || !c.bt)
			abort();
		if (c.params.v6.mtu < 1280)
			abort();
		prr_config_free(&c);
	} else {
		/* every failure says why, naming the file */
		if (e.count == 0 || !strstr(e.text, path))
			abort();
	}
	if (e.len >= sizeof(e.text) || strlen(e.text) != e.len)
		abort();
	return 0;
}
