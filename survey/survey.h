/* SPDX-License-Identifier: MIT */
/*
 * Port survey: how many external IPv4 ports the hosts behind a NAT
 * gateway use, sample by sample, to size A+P port sets.
 *
 * What counts is what a port set must hold: distinct external
 * (protocol, address, port) tuples after NAT, i.e. the reply tuple's
 * destination, not connections. A flow counts when its original source
 * is in the LAN and its destination is not; the host is that source.
 * The gateway's own flows from its WAN address count too (host = the
 * WAN address). Only protocols with ports count (TCP, UDP, UDP-Lite,
 * SCTP, DCCP; ICMP echo ids are ports too), and only flows to unicast
 * destinations outside the LAN. Classes (DNS, HTTP, ...) go by the original destination
 * protocol and port; the first matching class wins, the rest is "other".
 *
 * Pure code: conntrack entries in (struct ct_entry), numbers out.
 */
#ifndef AP_SURVEY_H
#define AP_SURVEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "survey/conntrack_text.h"

#define SURVEY_MAX_CLASSES	16	/* including "other" */
#define SURVEY_MAX_RULES	64
#define SURVEY_MAX_PREFIXES	32
#define SURVEY_MAX_WAN		16
#define SURVEY_NAME_LEN		24
#define SURVEY_MAX_HOSTS	65535	/* per sample; more share the last slot */

enum survey_proto { SURVEY_TCP, SURVEY_UDP, SURVEY_ICMP, SURVEY_OTHERPROTO,
	SURVEY_NPROTO };
extern const char *const survey_proto_names[SURVEY_NPROTO];

struct survey_rule {
	uint8_t proto;		/* IPPROTO_*, 0 = any */
	uint8_t cls;
	uint16_t lo, hi;	/* original destination port range */
};

struct survey_prefix {
	uint32_t addr, mask;	/* host order */
};

struct survey_conf {
	char names[SURVEY_MAX_CLASSES][SURVEY_NAME_LEN];
	char match[SURVEY_MAX_CLASSES][96];	/* "udp/53,tcp/53" */
	size_t nclasses;	/* the last one is always "other" */
	struct survey_rule rules[SURVEY_MAX_RULES];
	size_t nrules;
	struct survey_prefix lan[SURVEY_MAX_PREFIXES];
	size_t nlan;		/* 0: RFC 1918 */
	uint32_t wan[SURVEY_MAX_WAN];
	size_t nwan;		/* 0: inferred from the NAT mappings seen */
};

/* DNS, HTTP, HTTPS (TCP and QUIC), other; RFC 1918 LAN; inferred WAN */
void survey_conf_default(struct survey_conf *);
/* Drops the default classes (before the first survey_conf_add_class). */
void survey_conf_clear_classes(struct survey_conf *);
/*
 * "NAME=PROTO/PORT[,PROTO/PORT...]", PORT a number or LO-HI, PROTO tcp,
 * udp, sctp, udplite, dccp, icmp or any; icmp and any may omit the port.
 * false and a message quoting the bad part in err.
 */
bool survey_conf_add_class(struct survey_conf *, const char *spec,
    char *err, size_t errlen);
bool survey_conf_add_lan(struct survey_conf *, const char *prefix,
    char *err, size_t errlen);
bool survey_conf_add_wan(struct survey_conf *, const char *addr,
    char *err, size_t errlen);
/* the class index of a flow by its original protocol and dest port */
unsigned survey_classify(const struct survey_conf *, uint8_t proto,
    uint16_t dport);
bool survey_in_lan(const struct survey_conf *, uint32_t addr);

/* one host in one sample */
struct survey_host {
	uint32_t addr;
	uint32_t sample;		/* index of the sample */
	uint32_t flows;			/* connections */
	uint32_t ports;			/* distinct external tuples */
	uint32_t cls[SURVEY_MAX_CLASSES];
};

struct survey_sample {
	double t;			/* seconds since the first sample */
	int64_t epoch;			/* Unix time of the sample, 0 unknown */
	uint32_t entries;		/* IPv4 conntrack entries read */
	uint32_t flows;			/* entries counted */
	uint32_t ports;			/* distinct external tuples */
	uint32_t cls[SURVEY_MAX_CLASSES];
	uint32_t proto[SURVEY_NPROTO];
	uint32_t nhosts;
	size_t host0;			/* first host in survey_series.hosts */
};

struct survey_series {
	struct survey_sample *samples;
	size_t nsamples, samples_cap;
	struct survey_host *hosts;	/* sorted by sample, then address */
	size_t nhosts, hosts_cap;
};

void survey_series_free(struct survey_series *);

/* The per-sample accumulator; opaque state lives behind priv. */
struct survey_acc {
	const struct survey_conf *conf;
	struct survey_acc_priv *priv;
};

int survey_acc_init(struct survey_acc *, const struct survey_conf *);
void survey_acc_free(struct survey_acc *);
/* Starts a sample. */
void survey_acc_begin(struct survey_acc *);
/* Adds one conntrack entry of the current sample. */
void survey_acc_add(struct survey_acc *, const struct ct_entry *);
/* Same, as a ct_entry_fn for ct_read_stream (arg is the accumulator). */
void survey_acc_add_fn(void *acc, const struct ct_entry *);
/* Counts the sample and appends it to the series; -1 on ENOMEM. */
int survey_acc_end(struct survey_acc *, struct survey_series *, double t,
    int64_t epoch);

/* The statistics. */
struct survey_row {
	double avg;		/* over samples */
	double share;		/* of the average total, 0..1 */
	uint32_t min, max;	/* over samples */
	uint32_t p50, p95, p99, hmax;	/* over host-samples */
};

struct survey_host_stat {
	uint32_t addr;
	uint32_t samples;	/* samples the host appeared in */
	double avg;		/* over all samples, absent = 0 */
	uint32_t max, flows_max;
	double cls_avg[SURVEY_MAX_CLASSES];
	uint32_t cls_max[SURVEY_MAX_CLASSES];
};

enum survey_unit { SURVEY_PER_HOST, SURVEY_PER_GATEWAY };

struct survey_params {
	double percentile;	/* of host-samples (or samples) to cover */
	double margin;		/* 0.5: 50% on top of the observed value */
	unsigned psid_offset;	/* MAP-E a, RFC 7597 5.1 (6) */
	enum survey_unit unit;
};

struct survey_reco {
	uint32_t observed;	/* the percentile of ports per unit */
	uint32_t needed;	/* observed plus margin, at least 1 */
	uint32_t range_sharing;	/* subscribers per address, ports 1024+ */
	unsigned psid_len;	/* largest k whose sets still hold needed */
	uint32_t psid_ports;	/* ports per PSID set */
	uint32_t psid_sharing;	/* 2^k */
	bool fits;		/* false: needs more than one address */
};

struct survey_summary {
	size_t nsamples;
	double duration;	/* t of the last sample */
	size_t nclasses;
	struct survey_row total, cls[SURVEY_MAX_CLASSES];
	struct survey_row proto[SURVEY_NPROTO], flows, hosts;
	size_t nhosts;
	struct survey_host_stat *host;	/* busiest first */
	struct survey_params params;
	struct survey_reco reco;
};

void survey_params_default(struct survey_params *);
/* -1 with errno on ENOMEM (or EINVAL for bad params) */
int survey_summarise(const struct survey_conf *, const struct survey_series *,
    const struct survey_params *, struct survey_summary *);
void survey_summary_free(struct survey_summary *);

/* Nearest-rank percentile of sorted v[0..n-1]; 0 when n == 0. */
uint32_t survey_percentile(const uint32_t *sorted, size_t n, double pct);
/* The recommendation for an observed value (pure, for the tests). */
void survey_recommend(uint32_t observed, const struct survey_params *,
    struct survey_reco *);

#endif
