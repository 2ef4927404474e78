/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for smap_config_load (smap/config.c with the
 * registration, PCP, UPnP and MAP-E sections): the input is written to a
 * temp file and loaded, then printed (smap -nv) when it loads.
 *
 * It aborts on a broken promise: a config that fails must say why and
 * name the file; one that loads must print.
 * fuzz-options: -max_len=4096
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "smap/config.h"
#include "tests/fuzz/lib.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct smap_config c;
	static struct conf_err err;
	const char *path;
	FILE *f;

	/* @include could name any file (or a FIFO): keep the fuzzer on our parser */
	if (memmem(data, size, "@include", 8))
		return 0;
	path = fuzz_file("smap-config", data, size);
	memset(&c, 0, sizeof(c));
	memset(&err, 0, sizeof(err));
	if (smap_config_load(path, &c, &err) < 0) {
		if (err.count < 1 || !strstr(err.text, path))
			abort();
	} else {
		f = fopen("/dev/null", "w");
		if (!f)
			abort();
		smap_config_print(&c, f);
		fclose(f);
	}
	return 0;
}
