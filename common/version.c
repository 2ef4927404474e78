/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "version.h"

#ifndef AP_VERSION
#define AP_VERSION "unknown"
#endif

const char ap_version[] = AP_VERSION;

void
version_print(const char *prog)
{
	printf("%s %s\n", prog, ap_version);
}
