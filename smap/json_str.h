/* SPDX-License-Identifier: MIT */
/* JSON output of the smap client (smap stats|status|mappings --json). */
#ifndef SMAP_JSON_STR_H
#define SMAP_JSON_STR_H

/* A JSON string of s on stdout (quotes and backslashes escaped, controls dropped). */
void json_str(const char *s);

#endif
