/* SPDX-License-Identifier: MIT */
/*
 * portsurvey: how many IPv4 ports do real users consume? Samples the
 * conntrack table of a NAT gateway (or reads saved snapshots), counts
 * the distinct external ports per sample, host, class and protocol,
 * and recommends a port-set size. See smap/PORTSURVEY.md.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "version.h"
#include "log.h"
#include "survey/portsurvey.h"
#include "survey/survey_out.h"

#define PROC_CONNTRACK	"/proc/net/nf_conntrack"

enum source { SRC_AUTO, SRC_NETLINK, SRC_PROC };

struct opts {
	double interval, duration;
	unsigned long count;
	bool from, json, quiet;
	enum source source;
	const char *proc_file, *csv, *hosts_csv, *svg;
	struct survey_params params;
	struct survey_meta meta;
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
"usage: portsurvey [options]                  sample the live conntrack table\n"
"       portsurvey [options] --from FILE...   analyse snapshots, one per sample\n"
"\n"
"Counts the external IPv4 ports (distinct protocol, address, port after NAT)\n"
"that the LAN uses, per sample, class, host and protocol, and recommends a\n"
"port-set size for A+P / MAP-E.\n"
"\n"
"sampling:\n"
"  -i, --interval SECS     time between samples (default 10)\n"
"  -d, --duration SECS     stop after this long (default: until interrupted)\n"
"  -n, --count N           stop after N samples\n"
"  -s, --source SRC        auto (default: netlink, else /proc), netlink, proc\n"
"      --proc-file PATH    the /proc source (default " PROC_CONNTRACK ")\n"
"  -f, --from              the arguments are snapshot files in the\n"
"                          /proc/net/nf_conntrack format, in time order\n"
"what counts:\n"
"  -c, --class NAME=PROTO/PORT[,PROTO/PORT...]\n"
"                          a class by original destination, e.g.\n"
"                          web=tcp/80,tcp/8000-8099; PROTO tcp udp sctp\n"
"                          udplite dccp icmp any; repeat for more; replaces\n"
"                          the default dns=udp/53,tcp/53 http=tcp/80\n"
"                          https=tcp/443,udp/443 (first match wins; the\n"
"                          rest is \"other\")\n"
"  -l, --lan PREFIX        LAN source prefix, repeatable (default RFC 1918)\n"
"  -w, --wan-address ADDR  the gateway's external address, repeatable: only\n"
"                          flows NATed to it count, and its own flows count\n"
"                          (default: inferred from the NAT mappings)\n"
"recommendation:\n"
"  -p, --percentile P      cover P%% of host-samples (default 99)\n"
"  -m, --margin PCT        safety margin on top, in percent (default 50)\n"
"      --per host|gateway  size per LAN host (default) or per gateway\n"
"      --psid-offset A     MAP-E PSID offset a (default 6, RFC 7597)\n"
"output:\n"
"      --json              the summary as JSON on stdout, not the report\n"
"      --csv FILE          the time series per sample ('-' is stdout)\n"
"      --hosts-csv FILE    the time series per host and sample\n"
"      --svg FILE          a chart of ports in use per class and per host\n"
"  -t, --top N             busiest hosts in the report and chart (default 10)\n"
"  -q, --quiet             no progress line\n"
"  -v, --verbose           a line per sample on stderr\n"
"  -h, --help\n"
"      --version\n"
"\n"
"Live sampling needs CAP_NET_ADMIN (ctnetlink) or read access to\n"
PROC_CONNTRACK "; snapshot files need no privilege.\n");
}

static bool
parse_num(const char *opt, const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= min && v <= max)) {
		log_warnx("%s: `%s' is not a number from %g to %g", opt, s, min,
		    max);
		return false;
	}
	*out = v;
	return true;
}

/* 0 ok, 1 bad usage; exits on --help */
static int
parse_args(int argc, char **argv, struct opts *o, struct survey_conf *conf)
{
	static const struct option longopts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ "source", required_argument, NULL, 's' },
		{ "proc-file", required_argument, NULL, 'P' },
		{ "from", no_argument, NULL, 'f' },
		{ "class", required_argument, NULL, 'c' },
		{ "lan", required_argument, NULL, 'l' },
		{ "wan-address", required_argument, NULL, 'w' },
		{ "percentile", required_argument, NULL, 'p' },
		{ "margin", required_argument, NULL, 'm' },
		{ "per", required_argument, NULL, 'U' },
		{ "psid-offset", required_argument, NULL, 'A' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", required_argument, NULL, 'C' },
		{ "hosts-csv", required_argument, NULL, 'H' },
		{ "svg", required_argument, NULL, 'S' },
		{ "top", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	bool classes = false;
	double v;
	int ch;

	while ((ch = getopt_long(argc, argv, "i:d:n:s:fc:l:w:p:m:t:qvh",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			if (!parse_num("--interval", optarg, 0.01, 86400,
			    &o->interval))
				return 1;
			break;
		case 'd':
			if (!parse_num("--duration", optarg, 0, 1e9, &o->duration))
				return 1;
			break;
		case 'n':
			if (!parse_num("--count", optarg, 1, 1e9, &v))
				return 1;
			o->count = (unsigned long)v;
			break;
		case 's':
			if (strcmp(optarg, "auto") == 0)
				o->source = SRC_AUTO;
			else if (strcmp(optarg, "netlink") == 0)
				o->source = SRC_NETLINK;
			else if (strcmp(optarg, "proc") == 0)
				o->source = SRC_PROC;
			else {
				log_warnx("--source: `%s' is not auto, netlink "
				    "or proc", optarg);
				return 1;
			}
			break;
		case 'P':
			o->proc_file = optarg;
			break;
		case 'f':
			o->from = true;
			break;
		case 'c':
			if (!classes)	/* the first --class drops the defaults */
				survey_conf_clear_classes(conf);
			classes = true;
			if (!survey_conf_add_class(conf, optarg, err, sizeof(err))) {
				log_warnx("--class: %s", err);
				return 1;
			}
			break;
		case 'l':
			if (!survey_conf_add_lan(conf, optarg, err, sizeof(err))) {
				log_warnx("--lan: %s", err);
				return 1;
			}
			break;
		case 'w':
			if (!survey_conf_add_wan(conf, optarg, err, sizeof(err))) {
				log_warnx("--wan-address: %s", err);
				return 1;
			}
			break;
		case 'p':
			if (!parse_num("--percentile", optarg, 0.001, 100,
			    &o->params.percentile))
				return 1;
			break;
		case 'm':
			if (!parse_num("--margin", optarg, 0, 10000, &v))
				return 1;
			o->params.margin = v / 100;
			break;
		case 'U':
			if (strcmp(optarg, "host") == 0)
				o->params.unit = SURVEY_PER_HOST;
			else if (strcmp(optarg, "gateway") == 0)
				o->params.unit = SURVEY_PER_GATEWAY;
			else {
				log_warnx("--per: `%s' is not host or gateway",
				    optarg);
				return 1;
			}
			break;
		case 'A':
			if (!parse_num("--psid-offset", optarg, 0, 15, &v))
				return 1;
			o->params.psid_offset = (unsigned)v;
			break;
		case 'j':
			o->json = true;
			break;
		case 'C':
			o->csv = optarg;
			break;
		case 'H':
			o->hosts_csv = optarg;
			break;
		case 'S':
			o->svg = optarg;
			break;
		case 't':
			if (!parse_num("--top", optarg, 0, 1e6, &v))
				return 1;
			o->meta.top = (size_t)v;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'v':
			log_setverbose(log_getverbose() + 1);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			version_print("portsurvey");
			exit(0);
		default:
			usage(stderr);
			return 1;
		}
	}
	if (o->from && optind == argc) {
		log_warnx("--from needs at least one snapshot file");
		return 1;
	}
	if (!o->from && optind < argc) {
		log_warnx("unexpected argument `%s' (snapshot files need --from)",
		    argv[optind]);
		return 1;
	}
	return 0;
}

static void
progress(const struct opts *o, const struct survey_conf *conf,
    const struct survey_series *ser, bool tty)
{
	char line[512];

	survey_progress(line, sizeof(line), conf, ser);
	if (tty && !o->quiet)
		fprintf(stderr, "\r\033[K%s", line);
	else if (log_getverbose())
		fprintf(stderr, "%s\n", line);
}

static int
sample_files(struct opts *o, char **files, int n, const struct survey_conf *c,
    struct survey_acc *acc, struct survey_series *ser)
{
	bool tty = isatty(STDERR_FILENO);
	int i;

	o->meta.source = "files";
	for (i = 0; i < n && !stop; i++) {
		struct ct_read_stats st = { 0 };
		struct stat sb;

		survey_acc_begin(acc);
		if (ct_dump_file(files[i], acc, &st) == -1) {
			log_warn("%s", files[i]);
			return -1;
		}
		if (st.malformed > 0)
			log_warnx("%s: %zu of %zu lines malformed, skipped",
			    files[i], st.malformed, st.lines);
		if (survey_acc_end(acc, ser, i * o->interval,
		    stat(files[i], &sb) == 0 ? (int64_t)sb.st_mtime : 0) == -1) {
			log_warn("%s", files[i]);
			return -1;
		}
		progress(o, c, ser, tty);
	}
	if (tty && !o->quiet)
		fputc('\n', stderr);
	return 0;
}

/* one live sample through the chosen source; falls back once to /proc */
static int
sample_live_one(struct opts *o, struct survey_acc *acc)
{
	struct ct_read_stats st = { 0 };
	size_t n;

	if (o->source != SRC_PROC) {
		if (ct_dump_netlink(acc, &n) == 0) {
			o->meta.source = "netlink";
			return 0;
		}
		if (o->source == SRC_NETLINK) {
			log_warn("ctnetlink dump%s", errno == EPERM ?
			    " (needs CAP_NET_ADMIN)" : "");
			return -1;
		}
		log_warn("ctnetlink dump failed, reading %s from now on",
		    o->proc_file);
		o->source = SRC_PROC;
		survey_acc_begin(acc);
	}
	o->meta.source = "proc";
	if (ct_dump_file(o->proc_file, acc, &st) == -1) {
		log_warn("%s", o->proc_file);
		return -1;
	}
	if (st.malformed > 0)
		log_warnx("%s: %zu of %zu lines malformed, skipped",
		    o->proc_file, st.malformed, st.lines);
	return 0;
}

static int
sample_live(struct opts *o, const struct survey_conf *c,
    struct survey_acc *acc, struct survey_series *ser)
{
	bool tty = isatty(STDERR_FILENO);
	double start = ((double)clock_ms() / 1e3), next;
	unsigned long i;
	struct timespec ts;

	for (i = 0; !stop; i++) {
		double t = ((double)clock_ms() / 1e3) - start;

		survey_acc_begin(acc);
		if (sample_live_one(o, acc) == -1)
			return ser->nsamples > 0 ? 0 : -1;
		if (survey_acc_end(acc, ser, t, (int64_t)time(NULL)) == -1) {
			log_warn("sample");
			return -1;
		}
		progress(o, c, ser, tty);
		if (o->count && i + 1 >= o->count)
			break;
		next = (double)(i + 1) * o->interval;
		if (o->duration > 0 && next > o->duration + 1e-6)
			break;
		/* absolute deadlines: the cadence does not drift */
		while (!stop && ((double)clock_ms() / 1e3) - start < next) {
			double left = next - (((double)clock_ms() / 1e3) - start);

			ts.tv_sec = (time_t)left;
			ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
			nanosleep(&ts, NULL);	/* EINTR: check stop */
		}
	}
	if (tty && !o->quiet)
		fputc('\n', stderr);
	return 0;
}

typedef int (*writer_fn)(FILE *, const struct survey_conf *,
    const struct survey_series *, const struct survey_summary *,
    const struct survey_meta *);

static int
w_csv(FILE *f, const struct survey_conf *c, const struct survey_series *s,
    const struct survey_summary *sum, const struct survey_meta *m)
{
	(void)sum;
	(void)m;
	return survey_write_csv(f, c, s);
}

static int
w_hosts_csv(FILE *f, const struct survey_conf *c,
    const struct survey_series *s, const struct survey_summary *sum,
    const struct survey_meta *m)
{
	(void)sum;
	(void)m;
	return survey_write_hosts_csv(f, c, s);
}

/* writes one output file ('-' is stdout); reports failure once */
static int
write_file(const char *path, writer_fn fn, const struct survey_conf *c,
    const struct survey_series *s, const struct survey_summary *sum,
    const struct survey_meta *m)
{
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	int ret;

	if (f == NULL) {
		log_warn("%s", path);
		return -1;
	}
	ret = fn(f, c, s, sum, m);
	if (f == stdout)
		ret |= fflush(f);
	else
		ret |= fclose(f);
	if (ret != 0)
		log_warn("writing %s", path);
	return ret ? -1 : 0;
}

int
main(int argc, char **argv)
{
	static struct survey_conf conf;
	struct opts o = {
		.interval = 10,
		.proc_file = PROC_CONNTRACK,
		.meta = { .top = 10, .source = "none" },
	};
	struct survey_acc acc;
	struct survey_series ser = { 0 };
	struct survey_summary sum;
	struct sigaction sa;
	int ret = 0;

	log_init(1, "portsurvey");
	survey_conf_default(&conf);
	survey_params_default(&o.params);
	if (parse_args(argc, argv, &o, &conf) != 0)
		return 2;
	o.meta.interval = o.interval;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: wake the sleep */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (survey_acc_init(&acc, &conf) == -1)
		fatal("init");
	if (o.from)
		ret = sample_files(&o, argv + optind, argc - optind, &conf,
		    &acc, &ser);
	else
		ret = sample_live(&o, &conf, &acc, &ser);
	survey_acc_free(&acc);
	if (ret == -1 || ser.nsamples == 0) {
		if (ret != -1)
			log_warnx("no sample taken");
		survey_series_free(&ser);
		return 1;
	}
	if (survey_summarise(&conf, &ser, &o.params, &sum) == -1)
		fatal("summary");

	if (o.json)
		ret |= survey_write_json(stdout, &conf, &sum, &o.meta);
	else
		ret |= survey_write_report(stdout, &conf, &sum, &o.meta);
	if (fflush(stdout) != 0)
		ret = -1;
	if (o.csv)
		ret |= write_file(o.csv, w_csv, &conf, &ser, &sum, &o.meta);
	if (o.hosts_csv)
		ret |= write_file(o.hosts_csv, w_hosts_csv, &conf, &ser, &sum,
		    &o.meta);
	if (o.svg)
		ret |= write_file(o.svg, survey_write_svg, &conf, &ser, &sum,
		    &o.meta);
	survey_summary_free(&sum);
	survey_series_free(&ser);
	return ret ? 1 : 0;
}
