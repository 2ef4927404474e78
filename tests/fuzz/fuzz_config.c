/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for prr_config_load: the input is written to a temp
 * file and loaded. See tests/fuzz/README.md.
 * fuzz-options: -max_len=4096
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prr/config.h"
#include "tests/fuzz/lib.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prr_config c;
	const char *path;
	struct conf_err e;

	/* @include could name any file (or a FIFO): keep the fuzzer on our parser */
	if (memmem(data, size, "@include", 8))
		return 0;
	path = fuzz_file("config", data, size);

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
