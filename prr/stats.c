/* SPDX-License-Identifier: MIT */
#include "prr/stats.h"

const struct prr_stat_desc prr_stat_desc[PRR_STAT_MAX] = {
#define X(id, name, doc) [PRR_STAT_##id] = { name, doc },
	PRR_STATS(X)
#undef X
};
