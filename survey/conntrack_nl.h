/* SPDX-License-Identifier: MIT */
/*
 * One ctnetlink conntrack message to a ct_entry, pure (libmnl attribute
 * parsing, no socket): portsurvey_nl.c dumps, this reads each entry.
 */
#ifndef SURVEY_CONNTRACK_NL_H
#define SURVEY_CONNTRACK_NL_H

#include <stdbool.h>
#include <libmnl/libmnl.h>

#include "survey/conntrack_text.h"

/*
 * An IPCTNL_MSG_CT_NEW message of a dump (nfgenmsg, then attributes):
 * both tuples into *e; false for an entry without them or malformed.
 */
bool ct_nl_parse(const struct nlmsghdr *, struct ct_entry *e);

#endif
