/* SPDX-License-Identifier: MIT */
/*
 * smapctl: the SMAP's CLI over its control socket. Also what
 * `smap stats|status|mappings|ping ...` runs (smap/main.c hands it argv).
 */
#ifndef CTL_SMAPCTL_H
#define CTL_SMAPCTL_H

/* argv[0] names the program in messages; options anywhere, the first
 * other word is the command. Returns the exit status. */
int smapctl_main(int argc, char **argv);

#endif
