/* SPDX-License-Identifier: MIT */
/* smapctl's main: the CLI itself is ctl/smapctl.c, shared with `smap stats ...`. */
#include "ctl/smapctl.h"

int
main(int argc, char **argv)
{
	return smapctl_main(argc, argv);
}
