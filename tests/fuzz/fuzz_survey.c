/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for portsurvey's parsers of outside input:
 *   byte 0 % 3 == 0  the rest is a ctnetlink dump (netlink messages), each
 *                    read by ct_nl_parse (survey/conntrack_nl.c) as
 *                    portsurvey_nl.c does; the framing is checked here
 *                    as mnl_cb_run does with what the kernel sends (the
 *                    attributes inside are the fuzzer's)
 *            == 1    the rest is /proc/net/nf_conntrack text, read by
 *                    ct_read_stream (survey/conntrack_text.c)
 *            == 2    the rest is command-line specs, one a line:
 *                    "class NAME=PROTO/PORT,...", "lan PREFIX", "wan ADDR"
 *                    (survey_conf_add_class/lan/wan), then flows classified
 * Every entry read is classified and checked against the LAN.
 *
 * Aborts on a broken promise: a class index within the classes, a spec
 * refused always says why, the class table never overflows.
 * fuzz-options: -max_len=8192
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>

#include "survey/conntrack_nl.h"
#include "survey/survey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct survey_conf conf;
static size_t entries;

static void
entry(void *arg, const struct ct_entry *e)
{
	const struct survey_conf *c = arg;

	if (survey_classify(c, e->proto, e->odport) >= c->nclasses)
		abort();
	survey_in_lan(c, e->osrc);
	entries++;
}

static void
nl_dump(const uint8_t *buf, size_t len, void *arg)
{
	while (len >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = (const void *)buf;
		size_t n = nlh->nlmsg_len;
		struct ct_entry e;

		if (n < sizeof(*nlh) || n > len)
			return;
		if (nlh->nlmsg_type >= NLMSG_MIN_TYPE && ct_nl_parse(nlh, &e))
			entry(arg, &e);
		n = MNL_ALIGN(n);
		if (n >= len)
			return;
		buf += n;
		len -= n;
	}
}

static void
specs(struct survey_conf *c, char *text)
{
	char *line, *save = NULL, err[256];
	bool cleared = false;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		bool ok;

		err[0] = '\0';
		if (!strncmp(line, "class ", 6)) {
			if (!cleared)
				survey_conf_clear_classes(c);
			cleared = true;
			ok = survey_conf_add_class(c, line + 6, err, sizeof(err));
		} else if (!strncmp(line, "lan ", 4)) {
			ok = survey_conf_add_lan(c, line + 4, err, sizeof(err));
		} else if (!strncmp(line, "wan ", 4)) {
			ok = survey_conf_add_wan(c, line + 4, err, sizeof(err));
		} else {
			continue;
		}
		if (!ok && !err[0])
			abort();
		if (c->nclasses > SURVEY_MAX_CLASSES || c->nrules > SURVEY_MAX_RULES ||
		    c->nlan > SURVEY_MAX_PREFIXES || c->nwan > SURVEY_MAX_WAN)
			abort();
	}
	for (unsigned p = 0; p < 256; p += 1) {
		if (survey_classify(c, (uint8_t)p, 53) >= c->nclasses ||
		    survey_classify(c, (uint8_t)p, (uint16_t)(p * 257)) >= c->nclasses)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t sel;

	if (size < 1)
		return 0;
	sel = data[0] % 3;
	data++;
	size--;
	survey_conf_default(&conf);
	entries = 0;
	if (sel == 0) {
		/* netlink messages are 4-aligned in a dump buffer */
		uint32_t *buf = malloc(size + 4);

		if (!buf)
			abort();
		memcpy(buf, data, size);
		nl_dump((const uint8_t *)buf, size, &conf);
		free(buf);
	} else if (sel == 1) {
		struct ct_read_stats st = { 0 };
		FILE *f = fmemopen((void *)data, size ? size : 1, "r");

		if (!f)
			abort();
		if (ct_read_stream(f, entry, &conf, &st) == 0 && st.ipv4 != entries)
			abort();
		fclose(f);
	} else {
		char *text = malloc(size + 1);

		if (!text)
			abort();
		memcpy(text, data, size);
		text[size] = '\0';
		specs(&conf, text);
		free(text);
	}
	return 0;
}
