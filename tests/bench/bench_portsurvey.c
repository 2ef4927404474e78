/* SPDX-License-Identifier: MIT */
/*
 * portsurvey on a snapshot of 1,000,000 conntrack entries: the time to
 * read, parse and count one sample (what `portsurvey --from` and the
 * /proc fallback do per sample) and to summarise it. The snapshot is
 * written to a temporary file first, so reading goes through the page
 * cache like /proc does. Best of three runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "survey/conntrack_text.h"
#include "survey/survey.h"

#define ENTRIES		1000000u
#define HOSTS		1000u		/* 1000 flows each */
#define RUNS		3

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* a busy gateway: TCP 443/80 and UDP 53/443/other from 1000 hosts,
 * NATed to 16 external addresses so every flow has its own port */
static void
write_snapshot(FILE *f)
{
	static const struct { const char *name; int num; unsigned dport; } k[] = {
		{ "tcp", 6, 443 }, { "tcp", 6, 80 }, { "udp", 17, 53 },
		{ "udp", 17, 443 }, { "udp", 17, 5000 },
	};
	unsigned i;

	for (i = 0; i < ENTRIES; i++) {
		unsigned h = i % HOSTS, c = (i / HOSTS) % 5;
		unsigned ext = i / 64000, port = 1024 + i % 64000;

		if (k[c].num == 6)
			fprintf(f, "ipv4     2 tcp      6 431999 ESTABLISHED "
			    "src=10.%u.%u.%u dst=198.51.%u.%u sport=%u dport=%u "
			    "src=198.51.%u.%u dst=192.0.2.%u sport=%u dport=%u "
			    "[ASSURED] mark=0 zone=0 use=2\n", h >> 16,
			    (h >> 8) & 255, h & 255, i % 200, i % 250,
			    30000 + i % 30000, k[c].dport, i % 200, i % 250,
			    ext, k[c].dport, port);
		else
			fprintf(f, "ipv4     2 udp      17 29 src=10.%u.%u.%u "
			    "dst=198.51.%u.%u sport=%u dport=%u src=198.51.%u.%u "
			    "dst=192.0.2.%u sport=%u dport=%u mark=0 zone=0 "
			    "use=2\n", h >> 16, (h >> 8) & 255, h & 255,
			    i % 200, i % 250, 30000 + i % 30000, k[c].dport,
			    i % 200, i % 250, ext, k[c].dport, port);
	}
}

int
main(void)
{
	static struct survey_conf conf;
	char path[] = "/tmp/bench_portsurvey.XXXXXX";
	struct survey_params par;
	struct survey_acc acc;
	double best_read = 1e9, best_sum = 1e9, t0, t1, t2;
	struct stat sb;
	FILE *f;
	int fd, r;

	fd = mkstemp(path);
	if (fd == -1 || (f = fdopen(fd, "w")) == NULL) {
		perror("bench: temporary file");
		return 1;
	}
	write_snapshot(f);
	if (fclose(f) != 0 || stat(path, &sb) != 0) {
		perror(path);
		unlink(path);
		return 1;
	}
	survey_conf_default(&conf);
	survey_params_default(&par);
	if (survey_acc_init(&acc, &conf) == -1)
		return 1;
	for (r = 0; r < RUNS; r++) {
		struct survey_series ser = { 0 };
		struct ct_read_stats st = { 0 };
		struct survey_summary sum;

		t0 = now();
		f = fopen(path, "r");
		if (f == NULL) {
			perror(path);
			return 1;
		}
		survey_acc_begin(&acc);
		if (ct_read_stream(f, survey_acc_add_fn, &acc, &st) == -1 ||
		    survey_acc_end(&acc, &ser, 0, 0) == -1) {
			perror("bench");
			return 1;
		}
		fclose(f);
		t1 = now();
		if (survey_summarise(&conf, &ser, &par, &sum) == -1) {
			perror("bench: summary");
			return 1;
		}
		t2 = now();
		if (ser.samples[0].ports != ENTRIES ||
		    ser.samples[0].nhosts != HOSTS || st.ipv4 != ENTRIES) {
			fprintf(stderr, "bench: counted %u ports, %u hosts of "
			    "%zu entries: the bench is wrong\n",
			    ser.samples[0].ports, ser.samples[0].nhosts, st.ipv4);
			return 1;
		}
		if (t1 - t0 < best_read)
			best_read = t1 - t0;
		if (t2 - t1 < best_sum)
			best_sum = t2 - t1;
		survey_summary_free(&sum);
		survey_series_free(&ser);
	}
	survey_acc_free(&acc);
	unlink(path);

	printf("portsurvey snapshot: %u conntrack entries, %u hosts, %.1f MB\n",
	    ENTRIES, HOSTS, sb.st_size / 1e6);
	printf("%-40s %8s %12s\n", "portsurvey (one core, best of 3)", "s",
	    "M entries/s");
	printf("%-40s %8.3f %12.2f\n", "read + parse + count one sample",
	    best_read, ENTRIES / best_read / 1e6);
	printf("%-40s %8.3f\n", "summarise", best_sum);
	printf("%-40s %8.3f\n", "total", best_read + best_sum);
	return 0;
}
