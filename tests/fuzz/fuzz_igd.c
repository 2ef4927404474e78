/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the UPnP IGD actions (common/igd.c) over one
 * mapping table that lives across inputs. See tests/fuzz/README.md.
 *
 * Input: byte 0 picks the control point (bit 0: 192.168.1.10 or .11),
 * the IGD version (bit 1), allow_other_hosts (bit 2), the service (bit 3)
 * and how far the clock moves (bits 4-7, minutes, then igd_tick and an
 * expiry pass); the rest is lines: the action name, then "name=value"
 * arguments (as libupnp would hand them over from a SOAP body).
 * Aborts on a broken promise:
 *  - every error is a known UPnP code, every success has at most the
 *    action's out arguments, a listing only from GetListOfPortMappings;
 *  - the table holds only ports of the set, never a port twice;
 *  - IGD:1 permanent mappings are kept for at most IGD_KEEP_MAX entries.
 * fuzz-options: -max_len=2048
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smap/portmap/igd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct maptable *t;
static struct igd_bare bare = { .now = 1000000 };
static struct igd g;

#define check(ok)	do { if (!(ok)) abort(); } while (0)

static void
check_table(void)
{
	unsigned n = maptable_count(t);

	for (unsigned i = 0; i < n; i++) {
		const struct mapping *m = maptable_at(t, i), *next = maptable_at(t, i + 1);

		check(portset_contains(maptable_portset(t), m->ext_port));
		check(!next || next->ext_port != m->ext_port || next->proto != m->proto);
	}
	check(g.keep.n <= IGD_KEEP_MAX);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[4096], *line, *save = NULL;
	struct igd_request rq = { 0 };
	struct igd_reply r;
	const struct igd_actiondef *a;

	if (!t) {
		struct portset ps = portset_range(10000, 10063);

		t = maptable_new(&ps, 48, 16);
		bare.t = t;
		g.tab = igd_table_bare(&bare);
		g.ext_addr = 0xc0000201;
		g.lan_prefix = 0xc0a80100;
		g.lan_plen = 24;
		g.up_since = bare.now;
	}
	if (size < 1 || size >= sizeof(buf))
		return 0;
	bare.now += (uint64_t)(data[0] >> 4) * 60 * 1000;
	igd_tick(&g, bare.now);
	maptable_expire(t, bare.now, NULL, NULL);
	g.allow_other_hosts = data[0] & 4;
	rq.client = data[0] & 1 ? 0xc0a8010b : 0xc0a8010a;
	rq.version = data[0] & 2 ? 2 : 1;
	rq.service = data[0] & 8 ? IGD_SVC_WANCIF : IGD_SVC_WANIPCONN;
	rq.now = bare.now;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = 0;
	rq.action = strtok_r(buf, "\n", &save);
	while ((line = strtok_r(NULL, "\n", &save)) && rq.n < sizeof(rq.args) / sizeof(rq.args[0])) {
		char *eq = strchr(line, '=');

		if (!eq)
			continue;
		*eq = 0;
		rq.args[rq.n].name = line;
		rq.args[rq.n].value = eq + 1;
		rq.n++;
	}
	igd_handle(&g, &rq, &r);
	a = rq.action ? igd_action_find(rq.service, rq.version, rq.action) : NULL;
	if (r.err) {
		check(strcmp(igd_err_name(r.err), "Error") != 0);
		check(r.n == 0 && !r.listing);
	} else {
		unsigned outs = 0;

		check(a != NULL);
		for (unsigned i = 0; i < IGD_MAX_ARGS && a->args[i].name; i++)
			outs += a->args[i].dir == IGD_OUT;
		check(r.n <= outs);
		check(!r.listing || strcmp(a->name, "GetListOfPortMappings") == 0);
	}
	igd_reply_free(&r);
	check_table();
	return 0;
}
