/* SPDX-License-Identifier: MIT */
/* NFQUEUE counters from procfs: see nfq_stats.h. */
#include <stdio.h>

#include "prr/nfq_stats.h"

bool
nfq_stats_parse_line(const char *line, struct nfq_qstat *q)
{
	unsigned queue, portid, mode, range, seq;
	unsigned long long total, dropped, udropped;
	int one, end = 0;

	if (sscanf(line, "%u %u %llu %u %u %llu %llu %u %d %n", &queue, &portid, &total, &mode,
		   &range, &dropped, &udropped, &seq, &one, &end) != 9 || line[end] != '\0')
		return false;
	q->queue = queue;
	q->queue_total = total;
	q->queue_dropped = dropped;
	q->user_dropped = udropped;
	return true;
}

unsigned
nfq_stats_read(FILE *f, unsigned first, unsigned count, struct nfq_qstat *out, bool *found)
{
	char line[256];
	unsigned n = 0;

	for (unsigned i = 0; i < count; i++)
		found[i] = false;
	while (fgets(line, sizeof(line), f)) {
		struct nfq_qstat q;

		if (!nfq_stats_parse_line(line, &q) || q.queue < first || q.queue - first >= count)
			continue;
		if (!found[q.queue - first])
			n++;
		found[q.queue - first] = true;
		out[q.queue - first] = q;
	}
	return n;
}
