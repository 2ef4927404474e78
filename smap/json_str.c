/* SPDX-License-Identifier: MIT */
/* JSON strings for the smap client: see json_str.h. */
#include <stdio.h>

#include "smap/json_str.h"

void
json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		if ((unsigned char)*s >= 0x20)
			putchar(*s);
	}
	putchar('"');
}
