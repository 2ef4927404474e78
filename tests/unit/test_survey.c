/* SPDX-License-Identifier: MIT */
/*
 * Port survey: the conntrack text parser, the counting of external
 * ports, the statistics and the writers. The study's four samples
 * (tests/fixtures/portsurvey/study-*.txt) are the reference: Ports, DNS,
 * HTTP, HTTPS = 5/0/1/4, 14/8/1/4, 47/40/2/4, 47/40/2/4.
 */
#include <check.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "survey/conntrack_text.h"
#include "survey/survey.h"
#include "survey/survey_out.h"
#include "tests/unit/check_main.h"

#define FIXTURES	"tests/fixtures/portsurvey/"
#define EXT		0xc0000201u	/* 192.0.2.1 */
#define HOST_A		0xc0a8010au	/* 192.168.1.10 */
#define HOST_B		0xc0a8010bu	/* 192.168.1.11 */
#define HOST_C		0x0a000005u	/* 10.0.0.5 */

static const char *
fixture(const char *name)
{
	static char path[512];
	const char *dir = getenv("AP_FIXTURES");

	snprintf(path, sizeof(path), "%s%s", dir ? dir : FIXTURES, name);
	return path;
}

static int
parse(const char *line, struct ct_entry *e)
{
	return ct_parse_line(line, strlen(line), e);
}

START_TEST(test_parse_proc_tcp)
{
	struct ct_entry e;

	ck_assert_int_eq(parse("ipv4     2 tcp      6 431999 ESTABLISHED "
	    "src=192.168.1.10 dst=198.51.100.10 sport=40000 dport=80 "
	    "src=198.51.100.10 dst=192.0.2.1 sport=80 dport=10123 [ASSURED] "
	    "mark=0 use=1\n", &e), 1);
	ck_assert_uint_eq(e.proto, IPPROTO_TCP);
	ck_assert_uint_eq(e.osrc, HOST_A);
	ck_assert_uint_eq(e.odst, 0xc633640au);
	ck_assert_uint_eq(e.osport, 40000);
	ck_assert_uint_eq(e.odport, 80);
	ck_assert_uint_eq(e.rsrc, 0xc633640au);
	ck_assert_uint_eq(e.rdst, EXT);
	ck_assert_uint_eq(e.rsport, 80);
	ck_assert_uint_eq(e.rdport, 10123);
}
END_TEST

START_TEST(test_parse_formats)
{
	struct ct_entry e;

	/* `conntrack -L`: no family columns; UNREPLIED between the tuples */
	ck_assert_int_eq(parse("udp      17 29 src=10.0.0.5 dst=198.51.100.53 "
	    "sport=5353 dport=53 [UNREPLIED] src=198.51.100.53 dst=192.0.2.1 "
	    "sport=53 dport=1024 mark=0 use=1", &e), 1);
	ck_assert_uint_eq(e.proto, IPPROTO_UDP);
	ck_assert_uint_eq(e.osrc, HOST_C);
	ck_assert_uint_eq(e.rdport, 1024);
	/* ICMP: the echo id stands for both ports of its direction */
	ck_assert_int_eq(parse("ipv4 2 icmp 1 29 src=192.168.1.10 "
	    "dst=198.51.100.10 type=8 code=0 id=7 src=198.51.100.10 "
	    "dst=192.0.2.1 type=0 code=0 id=10400 mark=0 use=1", &e), 1);
	ck_assert_uint_eq(e.proto, IPPROTO_ICMP);
	ck_assert_uint_eq(e.osport, 7);
	ck_assert_uint_eq(e.odport, 7);
	ck_assert_uint_eq(e.rsport, 10400);
	ck_assert_uint_eq(e.rdport, 10400);
	/* GRE has no ports here but still two tuples */
	ck_assert_int_eq(parse("ipv4 2 gre 47 178 timeout=180, stream_timeout="
	    "18000 src=192.168.1.10 dst=198.51.100.7 srckey=0x0 dstkey=0x0 "
	    "src=198.51.100.7 dst=192.0.2.1 srckey=0x0 dstkey=0x0 use=1", &e), 1);
	ck_assert_uint_eq(e.proto, 47);
	/* IPv6 in both formats, and blank lines, are not counted */
	ck_assert_int_eq(parse("ipv6 10 udp 17 29 src=2001:db8::1 dst=2001:db8::"
	    "2 sport=1 dport=53 src=2001:db8::2 dst=2001:db8::1 sport=53 "
	    "dport=1 use=1", &e), 0);
	ck_assert_int_eq(parse("udp 17 29 src=2001:db8::1 dst=2001:db8::2 "
	    "sport=1 dport=53 src=2001:db8::2 dst=2001:db8::1 sport=53 "
	    "dport=1 use=1", &e), 0);
	ck_assert_int_eq(parse("   \n", &e), 0);
}
END_TEST

START_TEST(test_parse_malformed)
{
	static const char *const bad[] = {
		"ipv4 2 tcp",
		"ipv4 2 tcp x 10 src=1.2.3.4 dst=1.2.3.5 sport=1 dport=2 "
		    "src=1.2.3.5 dst=1.2.3.4 sport=2 dport=1",
		/* no reply tuple */
		"ipv4 2 tcp 6 10 ESTABLISHED src=1.2.3.4 dst=1.2.3.5 sport=1 "
		    "dport=2",
		/* bad address, port too big, port missing */
		"ipv4 2 tcp 6 10 src=1.2.3.256 dst=1.2.3.5 sport=1 dport=2 "
		    "src=1.2.3.5 dst=1.2.3.4 sport=2 dport=1",
		"ipv4 2 tcp 6 10 src=1.2.3.4 dst=1.2.3.5 sport=1 dport=65536 "
		    "src=1.2.3.5 dst=1.2.3.4 sport=2 dport=1",
		"ipv4 2 udp 17 10 src=1.2.3.4 dst=1.2.3.5 sport=1 "
		    "src=1.2.3.5 dst=1.2.3.4 sport=2 dport=1",
		/* a bad reply port, a tab-separated line */
		"ipv4 2 udp 17 10 src=1.2.3.4 dst=1.2.3.5 sport=1 dport=2 "
		    "src=1.2.3.5 dst=1.2.3.4 sport=2 dport=x",
		"ipv4\t2\tudp\t17\t10\tsrc=1.2.3.4",
	};
	struct ct_entry e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse(bad[i], &e) == -1, "accepted: %s", bad[i]);
}
END_TEST

START_TEST(test_aton)
{
	uint32_t a;
	char buf[16];

	ck_assert(ct_aton("0.0.0.0", 7, &a) && a == 0);
	ck_assert(ct_aton("255.255.255.255", 15, &a) && a == 0xffffffffu);
	ck_assert(!ct_aton("1.2.3", 5, &a));
	ck_assert(!ct_aton("1.2.3.4.5", 9, &a));
	ck_assert(!ct_aton("1..3.4", 6, &a));
	ck_assert(!ct_aton("1.2.3.1000", 10, &a));
	ck_assert(!ct_aton("1.2.3.4 ", 8, &a));
	ck_assert_str_eq(ct_ntoa(0xc0000201u, buf), "192.0.2.1");
}
END_TEST

START_TEST(test_conf_classes)
{
	struct survey_conf c;
	char err[256];

	survey_conf_default(&c);
	ck_assert_uint_eq(c.nclasses, 4);
	ck_assert_str_eq(c.names[0], "dns");
	ck_assert_str_eq(c.names[3], "other");
	ck_assert_uint_eq(survey_classify(&c, IPPROTO_UDP, 53), 0);
	ck_assert_uint_eq(survey_classify(&c, IPPROTO_TCP, 53), 0);
	ck_assert_uint_eq(survey_classify(&c, IPPROTO_TCP, 80), 1);
	ck_assert_uint_eq(survey_classify(&c, IPPROTO_UDP, 80), 3);
	ck_assert_uint_eq(survey_classify(&c, IPPROTO_UDP, 443), 2);
	ck_assert_uint_eq(survey_classify(&c, IPPROTO_ICMP, 53), 3);

	survey_conf_clear_classes(&c);
	ck_assert(survey_conf_add_class(&c, "web=tcp/80,tcp/8000-8099,"
	    "udp/443", err, sizeof(err)));
	ck_assert(survey_conf_add_class(&c, "ping=icmp", err, sizeof(err)));
	ck_assert(survey_conf_add_class(&c, "dns=any/53", err, sizeof(err)));
	ck_assert_uint_eq(c.nclasses, 4);
	ck_assert_str_eq(c.names[3], "other");
	ck_assert_str_eq(c.match[0], "tcp/80,tcp/8000-8099,udp/443");
	ck_assert_uint_eq(survey_classify(&c, IPPROTO_TCP, 8050), 0);
	ck_assert_uint_eq(survey_classify(&c, IPPROTO_TCP, 8100), 3);
	ck_assert_uint_eq(survey_classify(&c, IPPROTO_ICMP, 1234), 1);
	ck_assert_uint_eq(survey_classify(&c, IPPROTO_SCTP, 53), 2);

	ck_assert(!survey_conf_add_class(&c, "web=tcp/81", err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "web=tcp/81"));
	ck_assert(!survey_conf_add_class(&c, "other=tcp/1", err, sizeof(err)));
	ck_assert(!survey_conf_add_class(&c, "x=tcp", err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "`tcp'"));
	ck_assert(!survey_conf_add_class(&c, "x=tcp/90-80", err, sizeof(err)));
	ck_assert(!survey_conf_add_class(&c, "x=tcp/70000", err, sizeof(err)));
	ck_assert(!survey_conf_add_class(&c, "x=foo/1", err, sizeof(err)));
	ck_assert(!survey_conf_add_class(&c, "X=tcp/1", err, sizeof(err)));
	ck_assert(!survey_conf_add_class(&c, "=tcp/1", err, sizeof(err)));
	ck_assert(!survey_conf_add_class(&c, "x", err, sizeof(err)));
	/* a failed class leaves no rules behind */
	ck_assert(!survey_conf_add_class(&c, "y=tcp/9,bad", err, sizeof(err)));
	ck_assert_uint_eq(survey_classify(&c, IPPROTO_TCP, 9), 3);
	ck_assert_uint_eq(c.nclasses, 4);
}
END_TEST

START_TEST(test_conf_lan_wan)
{
	struct survey_conf c;
	char err[256];

	survey_conf_default(&c);
	ck_assert(survey_in_lan(&c, 0x0a010203u));
	ck_assert(survey_in_lan(&c, 0xac1f0001u));	/* 172.31.0.1 */
	ck_assert(!survey_in_lan(&c, 0xac200001u));	/* 172.32.0.1 */
	ck_assert(survey_in_lan(&c, HOST_A));
	ck_assert(!survey_in_lan(&c, EXT));
	ck_assert(survey_conf_add_lan(&c, "100.64.0.0/10", err, sizeof(err)));
	ck_assert(survey_in_lan(&c, 0x64400001u));
	ck_assert(!survey_in_lan(&c, HOST_A));	/* no longer the default */
	ck_assert(survey_conf_add_lan(&c, "192.168.1.77", err, sizeof(err)));
	ck_assert(survey_in_lan(&c, 0xc0a8014du));
	ck_assert(!survey_conf_add_lan(&c, "192.168.1.0/33", err, sizeof(err)));
	ck_assert(!survey_conf_add_lan(&c, "192.168.1/24", err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "192.168.1/24"));
	ck_assert(survey_conf_add_wan(&c, "192.0.2.1", err, sizeof(err)));
	ck_assert_uint_eq(c.wan[0], EXT);
	ck_assert(!survey_conf_add_wan(&c, "192.0.2.1/32", err, sizeof(err)));
}
END_TEST

/* feeds one sample, given as text lines, into acc and ser */
static void
sample_text(struct survey_acc *acc, struct survey_series *ser,
    const char *text, double t)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct ct_read_stats st = { 0 };

	ck_assert_ptr_nonnull(f);
	survey_acc_begin(acc);
	ck_assert_int_eq(ct_read_stream(f, survey_acc_add_fn, acc, &st), 0);
	ck_assert_uint_eq(st.malformed, 0);
	fclose(f);
	ck_assert_int_eq(survey_acc_end(acc, ser, t, 0), 0);
}

static void
sample_file(struct survey_acc *acc, struct survey_series *ser,
    const char *name, double t)
{
	FILE *f = fopen(fixture(name), "r");
	struct ct_read_stats st = { 0 };

	ck_assert_msg(f != NULL, "%s: run from the repository root",
	    fixture(name));
	survey_acc_begin(acc);
	ck_assert_int_eq(ct_read_stream(f, survey_acc_add_fn, acc, &st), 0);
	ck_assert_uint_eq(st.malformed, 0);
	fclose(f);
	ck_assert_int_eq(survey_acc_end(acc, ser, t, 0), 0);
}

static const struct survey_host *
find_host(const struct survey_series *ser, size_t sample, uint32_t addr)
{
	const struct survey_sample *s = &ser->samples[sample];
	size_t i;

	for (i = 0; i < s->nhosts; i++)
		if (ser->hosts[s->host0 + i].addr == addr)
			return &ser->hosts[s->host0 + i];
	return NULL;
}

static struct survey_conf study_conf;
static struct survey_series study;
static struct survey_summary study_sum;

static void
study_setup(void)
{
	struct survey_acc acc;
	struct survey_params par;
	char name[32];
	int i;

	survey_conf_default(&study_conf);
	memset(&study, 0, sizeof(study));
	ck_assert_int_eq(survey_acc_init(&acc, &study_conf), 0);
	for (i = 1; i <= 4; i++) {
		snprintf(name, sizeof(name), "study-%d.txt", i);
		sample_file(&acc, &study, name, (i - 1) * 10.0);
	}
	survey_acc_free(&acc);
	survey_params_default(&par);
	ck_assert_int_eq(survey_summarise(&study_conf, &study, &par,
	    &study_sum), 0);
}

static void
study_teardown(void)
{
	survey_summary_free(&study_sum);
	survey_series_free(&study);
}

/* The study's table: Ports/DNS/HTTP/HTTPS per sample. */
START_TEST(test_study_samples)
{
	static const uint32_t want[4][5] = {	/* ports dns http https other */
		{ 5, 0, 1, 4, 0 }, { 14, 8, 1, 4, 1 },
		{ 47, 40, 2, 4, 1 }, { 47, 40, 2, 4, 1 },
	};
	size_t i, k;

	ck_assert_uint_eq(study.nsamples, 4);
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(study.samples[i].ports, want[i][0]);
		for (k = 0; k < 4; k++)
			ck_assert_msg(study.samples[i].cls[k] == want[i][k + 1],
			    "sample %zu class %s: %u, want %u", i + 1,
			    study_conf.names[k], study.samples[i].cls[k],
			    want[i][k + 1]);
	}
	/* an external port shared by two connections counts once */
	ck_assert_uint_eq(study.samples[0].flows, 6);
	ck_assert_uint_eq(study.samples[0].proto[SURVEY_TCP], 5);
	ck_assert_uint_eq(study.samples[1].proto[SURVEY_TCP], 6);
	ck_assert_uint_eq(study.samples[1].proto[SURVEY_UDP], 8);
	ck_assert_uint_eq(study.samples[2].proto[SURVEY_UDP], 41);
	/* every line is read, counted or not (decoys, IPv6 aside) */
	ck_assert_uint_eq(study.samples[0].entries, 6 + 3);
}
END_TEST

START_TEST(test_study_averages)
{
	const struct survey_summary *s = &study_sum;

	ck_assert_double_eq_tol(s->total.avg, 28.25, 1e-9);
	ck_assert_double_eq_tol(s->cls[0].avg, 22, 1e-9);
	ck_assert_double_eq_tol(s->cls[1].avg, 1.5, 1e-9);
	ck_assert_double_eq_tol(s->cls[2].avg, 4, 1e-9);
	ck_assert_double_eq_tol(s->cls[3].avg, 0.75, 1e-9);
	/* DNS is 78% of the ports, as the study found */
	ck_assert_int_eq((int)lround(100 * s->cls[0].share), 78);
	ck_assert_double_eq_tol(s->cls[0].share + s->cls[1].share +
	    s->cls[2].share + s->cls[3].share, 1, 1e-9);
	ck_assert_uint_eq(s->total.max, 47);
	ck_assert_uint_eq(s->total.min, 5);
	ck_assert_uint_eq(s->cls[0].max, 40);
	ck_assert_double_eq_tol(s->duration, 30, 1e-9);
	ck_assert_double_eq_tol(s->hosts.avg, 2.75, 1e-9);
}
END_TEST

START_TEST(test_study_hosts)
{
	const struct survey_summary *s = &study_sum;
	const struct survey_host *h;

	/* per sample: A 3 7 34 34, B 2 6 11 11, C - - 2 2, gateway - 1 - - */
	h = find_host(&study, 1, HOST_A);
	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(h->ports, 7);
	ck_assert_uint_eq(h->cls[0], 4);
	h = find_host(&study, 0, HOST_A);
	ck_assert_uint_eq(h->ports, 3);
	ck_assert_uint_eq(h->flows, 4);
	/* the gateway's own DNS query, from its NAT address */
	h = find_host(&study, 1, EXT);
	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(h->ports, 1);
	ck_assert_uint_eq(h->cls[0], 1);
	ck_assert_ptr_null(find_host(&study, 0, EXT));
	ck_assert_ptr_null(find_host(&study, 0, 0xcb007109u));	/* inbound */

	ck_assert_uint_eq(s->nhosts, 4);
	ck_assert_uint_eq(s->host[0].addr, HOST_A);
	ck_assert_uint_eq(s->host[0].max, 34);
	ck_assert_double_eq_tol(s->host[0].avg, (3 + 7 + 34 + 34) / 4.0, 1e-9);
	ck_assert_uint_eq(s->host[0].cls_max[0], 30);
	ck_assert_uint_eq(s->host[1].addr, HOST_B);
	ck_assert_uint_eq(s->host[1].max, 11);
	ck_assert_uint_eq(s->host[1].cls_max[3], 1);
	ck_assert_uint_eq(s->host[2].addr, HOST_C);
	ck_assert_uint_eq(s->host[2].samples, 2);
	ck_assert_uint_eq(s->host[3].addr, EXT);

	/* 11 host-samples: 1 2 2 2 3 6 7 11 11 34 34 */
	ck_assert_uint_eq(s->total.p50, 6);
	ck_assert_uint_eq(s->total.p95, 34);
	ck_assert_uint_eq(s->total.hmax, 34);
	/* recommendation: p99 34, +50% = 51 ports */
	ck_assert_uint_eq(s->reco.observed, 34);
	ck_assert_uint_eq(s->reco.needed, 51);
	ck_assert_uint_eq(s->reco.range_sharing, 64512 / 51);
	ck_assert_uint_eq(s->reco.psid_len, 10);
	ck_assert_uint_eq(s->reco.psid_ports, 63);
	ck_assert_uint_eq(s->reco.psid_sharing, 1024);
}
END_TEST

START_TEST(test_per_gateway)
{
	struct survey_params par;
	struct survey_summary s;

	survey_params_default(&par);
	par.unit = SURVEY_PER_GATEWAY;
	par.percentile = 50;
	par.margin = 0;
	ck_assert_int_eq(survey_summarise(&study_conf, &study, &par, &s), 0);
	ck_assert_uint_eq(s.reco.observed, 14);	/* 5 14 47 47 */
	ck_assert_uint_eq(s.reco.needed, 14);
	survey_summary_free(&s);
	par.percentile = 0;
	ck_assert_int_eq(survey_summarise(&study_conf, &study, &par, &s), -1);
}
END_TEST

START_TEST(test_percentile)
{
	uint32_t v[20];
	size_t i;

	for (i = 0; i < 20; i++)
		v[i] = (uint32_t)i + 1;
	ck_assert_uint_eq(survey_percentile(v, 20, 50), 10);
	ck_assert_uint_eq(survey_percentile(v, 20, 95), 19);	/* not 20 */
	ck_assert_uint_eq(survey_percentile(v, 20, 99), 20);
	ck_assert_uint_eq(survey_percentile(v, 20, 100), 20);
	ck_assert_uint_eq(survey_percentile(v, 20, 0.1), 1);
	ck_assert_uint_eq(survey_percentile(v, 1, 50), 1);
	ck_assert_uint_eq(survey_percentile(v, 0, 50), 0);
}
END_TEST

START_TEST(test_recommend)
{
	struct survey_params par;
	struct survey_reco r;

	survey_params_default(&par);
	/* the study's 1000 ports per computer, no margin: offset 6, k = 6 */
	par.margin = 0;
	survey_recommend(1000, &par, &r);
	ck_assert_uint_eq(r.needed, 1000);
	ck_assert_uint_eq(r.range_sharing, 64);
	ck_assert_uint_eq(r.psid_len, 6);
	ck_assert_uint_eq(r.psid_ports, 1008);
	ck_assert_uint_eq(r.psid_sharing, 64);
	ck_assert(r.fits);
	/* 200 for office use, with 25% more: 250 */
	par.margin = 0.25;
	survey_recommend(200, &par, &r);
	ck_assert_uint_eq(r.needed, 250);
	ck_assert_uint_eq(r.psid_len, 8);
	ck_assert_uint_eq(r.psid_ports, 252);
	ck_assert_uint_eq(r.range_sharing, 258);
	/* offset 0 (lw4o6 style): sets of 2^(16-k) ports */
	par.margin = 0;
	par.psid_offset = 0;
	survey_recommend(1000, &par, &r);
	ck_assert_uint_eq(r.psid_len, 6);
	ck_assert_uint_eq(r.psid_ports, 1024);
	/* none used: one port still */
	survey_recommend(0, &par, &r);
	ck_assert_uint_eq(r.needed, 1);
	/* more than an address holds */
	par.psid_offset = 6;
	survey_recommend(64513, &par, &r);
	ck_assert(!r.fits);
	ck_assert_uint_eq(r.range_sharing, 0);
	survey_recommend(64512, &par, &r);
	ck_assert(r.fits);
	ck_assert_uint_eq(r.psid_len, 0);
	ck_assert_uint_eq(r.range_sharing, 1);
}
END_TEST

/* --wan-address: only flows NATed to it count, and its own flows do */
START_TEST(test_wan_address)
{
	static const char text[] =
	    /* NATed to the chosen address */
	    "ipv4 2 tcp 6 100 ESTABLISHED src=192.168.1.10 dst=198.51.100.1 "
	    "sport=1000 dport=443 src=198.51.100.1 dst=192.0.2.1 sport=443 "
	    "dport=20000 use=1\n"
	    /* NATed to another uplink: not ours */
	    "ipv4 2 tcp 6 100 ESTABLISHED src=192.168.1.10 dst=198.51.100.1 "
	    "sport=1001 dport=443 src=198.51.100.1 dst=203.0.113.5 sport=443 "
	    "dport=20001 use=1\n"
	    /* the gateway's own flow */
	    "ipv4 2 udp 17 100 src=192.0.2.1 dst=198.51.100.53 sport=33000 "
	    "dport=53 src=198.51.100.53 dst=192.0.2.1 sport=53 dport=33000 "
	    "use=1\n"
	    /* inbound to the gateway */
	    "ipv4 2 tcp 6 100 ESTABLISHED src=198.51.100.9 dst=192.0.2.1 "
	    "sport=5000 dport=22 src=192.0.2.1 dst=198.51.100.9 sport=22 "
	    "dport=5000 use=1\n";
	struct survey_conf c;
	struct survey_acc acc;
	struct survey_series ser = { 0 };

	survey_conf_default(&c);
	ck_assert(survey_conf_add_wan(&c, "192.0.2.1", NULL, 0));
	ck_assert_int_eq(survey_acc_init(&acc, &c), 0);
	sample_text(&acc, &ser, text, 0);
	ck_assert_uint_eq(ser.samples[0].ports, 2);
	ck_assert_uint_eq(ser.samples[0].cls[2], 1);
	ck_assert_uint_eq(ser.samples[0].cls[0], 1);
	ck_assert_uint_eq(ser.samples[0].nhosts, 2);
	ck_assert_ptr_nonnull(find_host(&ser, 0, EXT));

	/* without it both uplinks count; the gateway flow still does */
	survey_conf_default(&c);
	sample_text(&acc, &ser, text, 1);
	ck_assert_uint_eq(ser.samples[1].ports, 3);
	ck_assert_uint_eq(ser.samples[1].flows, 3);
	survey_acc_free(&acc);
	survey_series_free(&ser);
}
END_TEST

START_TEST(test_icmp_and_lan)
{
	static const char text[] =
	    "ipv4 2 icmp 1 29 src=100.64.0.2 dst=198.51.100.10 type=8 code=0 "
	    "id=7 src=198.51.100.10 dst=192.0.2.1 type=0 code=0 id=10400 use=1\n"
	    "ipv4 2 icmp 1 29 src=100.64.0.3 dst=198.51.100.10 type=8 code=0 "
	    "id=7 src=198.51.100.10 dst=192.0.2.1 type=0 code=0 id=10401 use=1\n"
	    /* the same external id as 100.64.0.2's, towards another host */
	    "ipv4 2 icmp 1 29 src=100.64.0.3 dst=198.51.100.11 type=8 code=0 "
	    "id=7 src=198.51.100.11 dst=192.0.2.1 type=0 code=0 id=10400 use=1\n"
	    /* port-less protocols and multicast never take a port */
	    "ipv4 2 unknown 2 598 src=100.64.0.2 dst=224.0.0.22 [UNREPLIED] "
	    "src=224.0.0.22 dst=100.64.0.2 mark=0 use=2\n"
	    "ipv4 2 udp 17 29 src=100.64.0.2 dst=224.0.0.251 sport=5353 "
	    "dport=5353 [UNREPLIED] src=224.0.0.251 dst=100.64.0.2 sport=5353 "
	    "dport=5353 use=1\n"
	    "ipv4 2 gre 47 178 timeout=180, stream_timeout=18000 "
	    "src=100.64.0.2 dst=198.51.100.7 srckey=0x0 dstkey=0x0 "
	    "src=198.51.100.7 dst=192.0.2.1 srckey=0x0 dstkey=0x0 use=1\n"
	    "ipv4 2 udp 17 29 src=100.64.0.2 dst=255.255.255.255 sport=68 "
	    "dport=67 [UNREPLIED] src=255.255.255.255 dst=100.64.0.2 sport=67 "
	    "dport=68 use=1\n"
	    /* not in --lan 100.64.0.0/10 */
	    "ipv4 2 udp 17 29 src=192.168.1.10 dst=198.51.100.10 sport=5 "
	    "dport=53 src=198.51.100.10 dst=192.0.2.1 sport=53 dport=5 use=1\n";
	struct survey_conf c;
	struct survey_acc acc;
	struct survey_series ser = { 0 };
	const struct survey_host *h;

	survey_conf_default(&c);
	ck_assert(survey_conf_add_lan(&c, "100.64.0.0/10", NULL, 0));
	ck_assert_int_eq(survey_acc_init(&acc, &c), 0);
	sample_text(&acc, &ser, text, 0);
	ck_assert_uint_eq(ser.samples[0].ports, 2);
	ck_assert_uint_eq(ser.samples[0].proto[SURVEY_ICMP], 2);
	ck_assert_uint_eq(ser.samples[0].flows, 3);
	ck_assert_uint_eq(ser.samples[0].entries, 8);
	ck_assert_uint_eq(ser.samples[0].cls[3], 2);
	h = find_host(&ser, 0, 0x64400003u);
	ck_assert_ptr_nonnull(h);
	/* a port shared by two hosts is in each host's set */
	ck_assert_uint_eq(h->ports, 2);
	ck_assert_uint_eq(h->flows, 2);
	survey_acc_free(&acc);
	survey_series_free(&ser);
}
END_TEST

/*
 * Many hosts and ports, so the radix sort runs every pass: host i of
 * 1000 opens (i % 50) + 1 UDP flows to port 53 and as many TCP to 443,
 * with external ports unique per flow, plus one TCP port each shared by
 * two connections.
 */
START_TEST(test_many)
{
	struct survey_conf c;
	struct survey_acc acc;
	struct survey_series ser = { 0 };
	struct ct_entry e;
	uint32_t i, j, port = 1024, want = 0;

	survey_conf_default(&c);
	ck_assert_int_eq(survey_acc_init(&acc, &c), 0);
	survey_acc_begin(&acc);
	memset(&e, 0, sizeof(e));
	e.odst = e.rsrc = 0xc6336401u;
	e.rdst = EXT;
	for (i = 0; i < 1000; i++) {
		e.osrc = 0x0a000000u + i * 7;
		for (j = 0; j <= i % 50; j++) {
			e.proto = IPPROTO_UDP;
			e.odport = 53;
			e.rdport = (uint16_t)port++;
			survey_acc_add(&acc, &e);
			e.proto = IPPROTO_TCP;
			e.odport = 443;
			e.rdport = (uint16_t)port++;
			survey_acc_add(&acc, &e);
			want += 2;
		}
		e.proto = IPPROTO_TCP;
		e.odport = 443;
		e.rdport = (uint16_t)port++;
		survey_acc_add(&acc, &e);
		e.odst++;
		survey_acc_add(&acc, &e);
		e.odst--;
		want++;
	}
	ck_assert_int_eq(survey_acc_end(&acc, &ser, 0, 0), 0);
	ck_assert_uint_eq(ser.samples[0].ports, want);
	ck_assert_uint_eq(ser.samples[0].flows, want + 1000);
	ck_assert_uint_eq(ser.samples[0].nhosts, 1000);
	ck_assert_uint_eq(ser.hosts[0].addr, 0x0a000000u);
	ck_assert_uint_eq(ser.hosts[0].ports, 3);
	ck_assert_uint_eq(ser.hosts[49].ports, 50 * 2 + 1);
	ck_assert_uint_eq(ser.hosts[49].cls[0], 50);
	ck_assert_uint_eq(ser.hosts[49].cls[2], 51);
	ck_assert_uint_eq(ser.hosts[999].addr, 0x0a000000u + 999 * 7);
	survey_acc_free(&acc);
	survey_series_free(&ser);
}
END_TEST

/* the whole output of a writer as a string */
static char *
capture(int (*fn)(FILE *, const void *), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fn(f, arg), 0);
	fclose(f);
	return buf;
}

static const struct survey_meta study_meta = { "files", 10, 10 };

static int
w_json(FILE *f, const void *arg)
{
	(void)arg;
	return survey_write_json(f, &study_conf, &study_sum, &study_meta);
}

static int
w_csv(FILE *f, const void *arg)
{
	(void)arg;
	return survey_write_csv(f, &study_conf, &study);
}

static int
w_hosts_csv(FILE *f, const void *arg)
{
	(void)arg;
	return survey_write_hosts_csv(f, &study_conf, &study);
}

static int
w_svg(FILE *f, const void *arg)
{
	(void)arg;
	return survey_write_svg(f, &study_conf, &study, &study_sum, &study_meta);
}

static int
w_report(FILE *f, const void *arg)
{
	(void)arg;
	return survey_write_report(f, &study_conf, &study_sum, &study_meta);
}

static size_t
occurrences(const char *s, const char *what)
{
	size_t n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s += strlen(what);
	}
	return n;
}

START_TEST(test_write_json)
{
	char *s = capture(w_json, NULL);

	ck_assert_ptr_nonnull(strstr(s, "\"samples\": 4"));
	ck_assert_ptr_nonnull(strstr(s, "\"ports\": {\"average\": 28.25"));
	ck_assert_ptr_nonnull(strstr(s, "{\"name\": \"dns\", \"match\": "
	    "\"udp/53,tcp/53\",\n     \"average\": 22, \"share\": 0.7788"));
	ck_assert_ptr_nonnull(strstr(s, "\"name\": \"http\""));
	ck_assert_ptr_nonnull(strstr(s, "\"average\": 1.5,"));
	ck_assert_ptr_nonnull(strstr(s, "\"average\": 0.75,"));
	ck_assert_ptr_nonnull(strstr(s, "{\"address\": \"192.168.1.10\", "
	    "\"samples\": 4, \"average\": 19.5, \"max\": 34"));
	ck_assert_ptr_nonnull(strstr(s, "\"needed\": 51"));
	ck_assert_uint_eq(occurrences(s, "{"), occurrences(s, "}"));
	ck_assert_uint_eq(occurrences(s, "["), occurrences(s, "]"));
	ck_assert_ptr_null(strstr(s, "nan"));
	free(s);
}
END_TEST

START_TEST(test_write_csv)
{
	char *s = capture(w_csv, NULL);

	ck_assert_ptr_nonnull(strstr(s, "sample,seconds,epoch,ports,connections,"
	    "hosts,entries,dns,http,https,other,proto_tcp,proto_udp,"
	    "proto_icmp,proto_other\n"));
	ck_assert_ptr_nonnull(strstr(s, "\n1,0.000,0,5,6,2,9,0,1,4,0,5,0,0,0\n"));
	ck_assert_ptr_nonnull(strstr(s, "\n4,30.000,0,47,"));
	ck_assert_uint_eq(occurrences(s, "\n"), 5);
	free(s);
	s = capture(w_hosts_csv, NULL);
	ck_assert_ptr_nonnull(strstr(s, "\n2,10.000,192.0.2.1,1,1,1,0,0,0\n"));
	ck_assert_uint_eq(occurrences(s, "\n"), 1 + 11);
	free(s);
}
END_TEST

START_TEST(test_write_svg)
{
	char *s = capture(w_svg, NULL);

	ck_assert_ptr_nonnull(strstr(s, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	ck_assert_ptr_nonnull(strstr(s, "data-series=\"total\""));
	ck_assert_ptr_nonnull(strstr(s, "data-series=\"class:dns\""));
	ck_assert_ptr_nonnull(strstr(s, "data-series=\"class:other\""));
	ck_assert_ptr_nonnull(strstr(s, "data-series=\"host:192.168.1.10\""));
	/* total, 4 classes, 4 hosts */
	ck_assert_uint_eq(occurrences(s, "<polyline"), 9);
	ck_assert_uint_eq(occurrences(s, "</polyline>"), 9);
	ck_assert_ptr_nonnull(strstr(s, "</svg>\n"));
	free(s);
}
END_TEST

START_TEST(test_write_report)
{
	char *s = capture(w_report, NULL);
	char line[256];

	ck_assert_ptr_nonnull(strstr(s, "4 samples over 30 s"));
	ck_assert_ptr_nonnull(strstr(s, "  ports          28.25  100.0%"));
	ck_assert_ptr_nonnull(strstr(s, "  dns            22.00   77.9%"));
	ck_assert_ptr_nonnull(strstr(s, "  other           0.75    2.7%"));
	ck_assert_ptr_nonnull(strstr(s, "a host needs 51 ports"));
	ck_assert_ptr_nonnull(strstr(s, "1024 subscribers"));
	free(s);
	survey_progress(line, sizeof(line), &study_conf, &study);
	ck_assert_str_eq(line, "#4  ports 47  dns 40 http 2 https 4 other 1"
	    "   hosts 3  conns 48");
	survey_progress(line, 12, &study_conf, &study);
	ck_assert_uint_eq(strlen(line), 11);
}
END_TEST

START_TEST(test_empty)
{
	struct survey_conf c;
	struct survey_series ser = { 0 };
	struct survey_params par;
	struct survey_summary s;
	struct survey_acc acc;

	survey_conf_default(&c);
	survey_params_default(&par);
	ck_assert_int_eq(survey_summarise(&c, &ser, &par, &s), 0);
	ck_assert_uint_eq(s.nsamples, 0);
	ck_assert_uint_eq(s.nhosts, 0);
	survey_summary_free(&s);
	/* a sample with nothing in it */
	ck_assert_int_eq(survey_acc_init(&acc, &c), 0);
	sample_text(&acc, &ser, "", 0);
	ck_assert_int_eq(survey_summarise(&c, &ser, &par, &s), 0);
	ck_assert_uint_eq(s.total.max, 0);
	ck_assert_double_eq(s.cls[0].share, 0);
	survey_summary_free(&s);
	survey_acc_free(&acc);
	survey_series_free(&ser);
}
END_TEST

static Suite *
survey_suite(void)
{
	Suite *s = suite_create("survey");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_parse_proc_tcp);
	tcase_add_test(tc, test_parse_formats);
	tcase_add_test(tc, test_parse_malformed);
	tcase_add_test(tc, test_aton);
	tcase_add_test(tc, test_conf_classes);
	tcase_add_test(tc, test_conf_lan_wan);
	suite_add_tcase(s, tc);

	tc = tcase_create("count");
	tcase_add_test(tc, test_percentile);
	tcase_add_test(tc, test_recommend);
	tcase_add_test(tc, test_wan_address);
	tcase_add_test(tc, test_icmp_and_lan);
	tcase_add_test(tc, test_many);
	tcase_add_test(tc, test_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("study");
	tcase_add_checked_fixture(tc, study_setup, study_teardown);
	tcase_add_test(tc, test_study_samples);
	tcase_add_test(tc, test_study_averages);
	tcase_add_test(tc, test_study_hosts);
	tcase_add_test(tc, test_per_gateway);
	tcase_add_test(tc, test_write_json);
	tcase_add_test(tc, test_write_csv);
	tcase_add_test(tc, test_write_svg);
	tcase_add_test(tc, test_write_report);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(survey_suite());
}
