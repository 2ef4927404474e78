/* SPDX-License-Identifier: MIT */
/* portsurvey: reading the live conntrack table into a survey sample. */
#ifndef AP_PORTSURVEY_H
#define AP_PORTSURVEY_H

#include "survey/conntrack_text.h"
#include "survey/survey.h"

/*
 * One ctnetlink dump of the IPv4 table, each entry into acc; n counts
 * them. -1 with errno (EPERM without CAP_NET_ADMIN).
 */
int ct_dump_netlink(struct survey_acc *acc, size_t *n);
/* A file in /proc/net/nf_conntrack format, each entry into acc. */
int ct_dump_file(const char *path, struct survey_acc *acc,
    struct ct_read_stats *st);

#endif
