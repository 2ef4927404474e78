/* SPDX-License-Identifier: MIT */
/* The one version string of every program: `git describe` at build time (Makefile). */
#ifndef AP_VERSION_H
#define AP_VERSION_H

extern const char ap_version[];
/* "PROG VERSION" on stdout, for --version. */
void version_print(const char *prog);

#endif
