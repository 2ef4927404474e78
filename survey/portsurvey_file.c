/* SPDX-License-Identifier: MIT */
/* Reading a sample from /proc/net/nf_conntrack or a saved snapshot. */
#include <stdio.h>

#include "survey/portsurvey.h"

int
ct_dump_file(const char *path, struct survey_acc *acc,
    struct ct_read_stats *st)
{
	static char iobuf[1 << 16];
	FILE *f;
	int ret;

	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
	ret = ct_read_stream(f, survey_acc_add_fn, acc, st);
	fclose(f);
	return ret;
}
