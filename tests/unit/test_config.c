/* SPDX-License-Identifier: MIT */
/*
 * prr.conf loading. Every error must name the file, the line and the
 * key ("FILE:LINE: KEY: message"), and one load reports every error.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prr/config.h"
#include "tests/unit/check_main.h"

static char dir[64];
static char path[128];
static struct prr_config cfg;
static struct conf_err err;

/* The two lines most files here start with. */
#define HEAD	"softwire_addresses = [ \"2001:db8:100::1\" ];\n" \
		"pools = [ \"192.0.2.0/28\" ];\n"

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_config.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

/* Write text to DIR/name and load it; path is left naming the file. */
static int
load(const char *name, const char *text)
{
	FILE *f;
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	r = prr_config_load(path, &cfg, &err);
	if (r == 0)
		ck_assert_int_eq(err.count, 0);
	else
		ck_assert_int_gt(err.count, 0);
	return r;
}

/* The error text holds "PATH:LINE: KEY:" (or "PATH:LINE: " with key NULL) and more. */
static void
has_error(int line, const char *key, const char *more)
{
	char want[320];
	const char *at;

	if (key)
		snprintf(want, sizeof(want), "%s:%d: %s: ", path, line, key);
	else
		snprintf(want, sizeof(want), "%s:%d: ", path, line);
	at = strstr(err.text, want);
	ck_assert_msg(at != NULL, "no \"%s\" in:\n%s", want, err.text);
	if (more) {
		const char *eol = strchr(at, '\n');
		const char *m = strstr(at, more);
		ck_assert_msg(m && (!eol || m < eol), "no \"%s\" after \"%s\" in:\n%s",
			      more, want, err.text);
	}
}

static void
loaded_ok(void)
{
	ck_assert_msg(err.count == 0, "%s", err.text);
}

START_TEST(shipped_prr_conf)
{
	const struct binding *b;
	struct in6_addr a;

	ck_assert_int_eq(prr_config_load("etc/prr.conf", &cfg, &err), 0);
	loaded_ok();
	ck_assert_uint_eq(cfg.params.n_br, 1);
	inet_pton(AF_INET6, "2001:db8:100::1", &a);
	ck_assert(memcmp(&cfg.params.br[0], &a, 16) == 0);
	ck_assert_uint_eq(cfg.params.ipv4_addr, 0xc6336401);
	ck_assert_uint_eq(cfg.n_pools, 1);
	ck_assert_uint_eq(cfg.pools[0].addr, 0xc0000200);
	ck_assert_uint_eq(cfg.pools[0].plen, 28);
	ck_assert_uint_eq(cfg.queue_first, 0);
	ck_assert_uint_eq(cfg.queue_count, 2);
	ck_assert_str_eq(cfg.control_socket, "/run/prr/prr.sock");
	ck_assert_uint_eq(cfg.params.v4.mtu, 1500);
	ck_assert_uint_eq(cfg.params.v6.mtu, 1500);
	ck_assert(cfg.params.hairpinning);
	ck_assert_uint_eq(cfg.params.hop_limit, 64);
	ck_assert_uint_eq(cfg.params.icmp_rate, 200);
	ck_assert_uint_eq(btable_count(cfg.bt), 3);
	b = btable_lookup(cfg.bt, 0xc0000201, 10000);
	ck_assert_ptr_nonnull(b);
	inet_pton(AF_INET6, "2001:db8:1::2", &a);
	ck_assert(memcmp(&b->ipv6, &a, 16) == 0);
	ck_assert_ptr_null(btable_lookup(cfg.bt, 0xc0000201, 12000));
	/* psid 5/6 offset 6: ports (a << 10) | (5 << 4) | j with a >= 1 */
	b = btable_lookup(cfg.bt, 0xc0000202, 1024 | 5 << 4);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_null(btable_lookup(cfg.bt, 0xc0000202, 1024 | 6 << 4));
	ck_assert(prr_config_in_pool(&cfg, 0xc000020f));
	ck_assert(!prr_config_in_pool(&cfg, 0xc0000210));
	prr_config_free(&cfg);
}
END_TEST

START_TEST(shipped_testbed_conf)
{
	struct in6_addr a;
	const struct binding *b;

	ck_assert_int_eq(prr_config_load("etc/testbed/prr.conf", &cfg, &err), 0);
	loaded_ok();
	ck_assert_uint_eq(btable_count(cfg.bt), 2);
	ck_assert_str_eq(cfg.control_socket, "/run/ap-testbed/prr.sock");
	inet_pton(AF_INET6, "2001:db8:2::2", &a);
	b = btable_lookup(cfg.bt, 0xc0000201, 11999);
	ck_assert_ptr_nonnull(b);
	ck_assert(memcmp(&b->ipv6, &a, 16) == 0);
	ck_assert_ptr_null(btable_lookup(cfg.bt, 0xc0000201, 9999));
	prr_config_free(&cfg);
}
END_TEST

START_TEST(minimal_and_defaults)
{
	ck_assert_int_eq(load("min.conf", HEAD), 0);
	ck_assert_uint_eq(btable_count(cfg.bt), 0);
	ck_assert_uint_eq(cfg.queue_count, 1);
	ck_assert(cfg.install_rules);
	ck_assert_uint_eq(cfg.params.v6.mtu, 1500);
	ck_assert_uint_eq(cfg.params.unbound_icmp_code, 0);
	prr_config_free(&cfg);

	ck_assert_int_eq(load("full.conf", HEAD
		"ipv4_side = { unbound_icmp = \"admin-prohibited\"; mtu = 1400; };\n"
		"ipv6_side = { mtu = 1280; generate_icmp = false; };\n"
		"hairpinning = false;\nhop_limit = 32;\nicmp_rate_limit = 0;\n"
		"install_rules = false;\n"
		"bindings = ( { ipv6 = \"2001:db8:1::2\"; ipv4 = \"192.0.2.3\"; ports = \"2000\"; } );\n"),
		0);
	ck_assert_uint_eq(cfg.params.unbound_icmp_code, 13);
	ck_assert_uint_eq(cfg.params.v4.mtu, 1400);
	ck_assert_uint_eq(cfg.params.v6.mtu, 1280);
	ck_assert(!cfg.params.v6.generate_icmp);
	ck_assert(!cfg.params.hairpinning);
	ck_assert(!cfg.install_rules);
	ck_assert_uint_eq(cfg.params.hop_limit, 32);
	ck_assert_uint_eq(cfg.params.icmp_rate, 0);
	ck_assert_ptr_nonnull(btable_lookup(cfg.bt, 0xc0000203, 2000));
	ck_assert_ptr_null(btable_lookup(cfg.bt, 0xc0000203, 2001));
	prr_config_free(&cfg);
}
END_TEST

START_TEST(syntax_error)
{
	ck_assert_int_eq(load("syntax.conf", HEAD "hairpinning = true;\nhop_limit = ;\n"), -1);
	ck_assert_int_eq(err.count, 1);
	has_error(4, NULL, "syntax error");
	/* a missing file names the file too */
	snprintf(path, sizeof(path), "%s/nonexistent.conf", dir);
	ck_assert_int_eq(prr_config_load(path, &cfg, &err), -1);
	ck_assert_int_eq(err.count, 1);
	ck_assert_ptr_nonnull(strstr(err.text, path));
}
END_TEST

START_TEST(unknown_keys)
{
	ck_assert_int_eq(load("unknown.conf", HEAD
		"hairpining = true;\n"
		"ipv4_side = {\n\tmtu = 1500;\n\tbogus = 2;\n};\n"
		"queues = { first = 0; many = 3; };\n"
		"bindings = ( { ipv6 = \"2001:db8:1::2\"; ipv4 = \"192.0.2.1\";\n"
		"\tports = \"10000-10999\"; port = 5; } );\n"), -1);
	ck_assert_int_eq(err.count, 4);
	has_error(3, "hairpining", "unknown key");
	has_error(6, "ipv4_side.bogus", "unknown key");
	has_error(8, "queues.many", "unknown key");
	has_error(10, "bindings.[0].port", "unknown key");
}
END_TEST

START_TEST(fast_path_keys)
{
	ck_assert_int_eq(load("fp0.conf", HEAD), 0);
	ck_assert_int_eq(cfg.fast_path, FASTPATH_OFF);
	ck_assert_uint_eq(cfg.n_fast_ifs, 0);
	prr_config_free(&cfg);
	ck_assert_int_eq(load("fp1.conf", HEAD "fast_path = \"auto\";\n"), 0);
	ck_assert_int_eq(cfg.fast_path, FASTPATH_AUTO);
	prr_config_free(&cfg);
	ck_assert_int_eq(load("fp2.conf", HEAD "fast_path = \"xdp\";\n"
			      "fast_path_interfaces = [ \"eth0\", \"eth1\" ];\n"), 0);
	ck_assert_int_eq(cfg.fast_path, FASTPATH_XDP);
	ck_assert_uint_eq(cfg.n_fast_ifs, 2);
	ck_assert_str_eq(cfg.fast_ifs[1], "eth1");
	prr_config_free(&cfg);
	ck_assert_int_eq(load("fp3.conf", HEAD "fast_path = \"tc\";\n"
			      "fast_path_interfaces = [ \"a/b\", \"averyveryverylongname\" ];\n"), -1);
	ck_assert_int_eq(err.count, 3);
	has_error(3, "fast_path", "'tc' is not one of auto, xdp, off");
	has_error(4, NULL, "'a/b' is not an interface name");
	has_error(4, NULL, "is not an interface name");
}
END_TEST

START_TEST(bad_addresses)
{
	ck_assert_int_eq(load("addr.conf",
		"softwire_addresses = [ \"2001:db8:100::1\", \"zz::1::\" ];\n"
		"pools = [ \"192.0.2.0/28\" ];\n"
		"ipv4_address = \"198.51.100\";\n"
		"bindings = (\n"
		"\t{ ipv6 = \"2001:db8:1::2x\"; ipv4 = \"192.0.2.1\"; ports = \"10000-10999\"; },\n"
		"\t{ ipv6 = \"2001:db8:1::2\"; ipv4 = \"192.0.2.300\"; ports = \"10000-10999\"; },\n"
		"\t{ ipv6 = \"192.0.2.1\"; ipv4 = \"2001:db8::1\"; ports = \"10000-10999\"; }\n"
		");\n"), -1);
	ck_assert_int_eq(err.count, 5);
	has_error(1, "softwire_addresses.[1]", "'zz::1::' is not an IPv6 address");
	has_error(3, "ipv4_address", "'198.51.100' is not an IPv4 address");
	has_error(5, "bindings.[0].ipv6", "'2001:db8:1::2x' is not an IPv6 address");
	has_error(6, "bindings.[1].ipv4", "'192.0.2.300' is not an IPv4 address");
	has_error(7, "bindings.[2].ipv6", "not an IPv6 address");
}
END_TEST

START_TEST(bad_pools)
{
	ck_assert_int_eq(load("pool.conf",
		"softwire_addresses = [ \"2001:db8:100::1\" ];\n"
		"pools = [\n"
		"\t\"192.0.2.1/28\",\n"	/* host bits set */
		"\t\"10.0.0.0/33\",\n"
		"\t\"foo\",\n"
		"\t\"10.0.0.0/\",\n"
		"\t\"0.0.0.0/0\",\n"	/* legal: everything */
		"\t\"198.51.100.7\"\n"	/* legal: /32 */
		"];\n"), -1);
	ck_assert_int_eq(err.count, 4);
	has_error(3, "pools.[0]", "'192.0.2.1/28' is not an IPv4 prefix");
	has_error(4, "pools.[1]", "'10.0.0.0/33'");
	has_error(5, "pools.[2]", "'foo'");
	has_error(6, "pools.[3]", "'10.0.0.0/'");

	ck_assert_int_eq(load("pool0.conf",
		"softwire_addresses = [ \"2001:db8:100::1\" ];\n"
		"pools = [ \"0.0.0.0/0\", \"198.51.100.7\" ];\n"), 0);
	ck_assert_uint_eq(cfg.n_pools, 2);
	ck_assert_uint_eq(cfg.pools[0].plen, 0);
	ck_assert_uint_eq(cfg.pools[1].plen, 32);
	ck_assert(prr_config_in_pool(&cfg, 0xffffffff));
	prr_config_free(&cfg);

	ck_assert_int_eq(load("nopool.conf",
		"softwire_addresses = [ \"2001:db8:100::1\" ];\n"), -1);
	has_error(0, "pools", "missing");
}
END_TEST

START_TEST(bad_port_sets)
{
	ck_assert_int_eq(load("ports.conf", HEAD "bindings = (\n"
		"\t{ ipv6 = \"2001:db8:1::2\"; ipv4 = \"192.0.2.1\"; ports = \"10999-10000\"; },\n"
		"\t{ ipv6 = \"2001:db8:1::3\"; ipv4 = \"192.0.2.1\"; ports = \"abc\"; },\n"
		"\t{ ipv6 = \"2001:db8:1::4\"; ipv4 = \"192.0.2.1\"; ports = \"1-70000\"; },\n"
		"\t{ ipv6 = \"2001:db8:1::5\"; ipv4 = \"192.0.2.1\"; psid = 64; psid_length = 6; offset = 6; },\n"
		"\t{ ipv6 = \"2001:db8:1::6\"; ipv4 = \"192.0.2.1\"; ports = \"10-20\"; psid = 1; psid_length = 4; },\n"
		"\t{ ipv6 = \"2001:db8:1::7\"; ipv4 = \"192.0.2.1\"; },\n"
		"\t{ ipv6 = \"2001:db8:1::8\"; ipv4 = \"192.0.2.1\"; psid = 1; psid_length = 17; }\n"
		");\n"), -1);
	ck_assert_int_eq(err.count, 7);
	has_error(4, "bindings.[0].ports", "10999-10000");
	has_error(5, "bindings.[1].ports", "abc");
	has_error(6, "bindings.[2].ports", "1-70000");
	has_error(7, "bindings.[3].psid", "64");
	has_error(8, "bindings.[4].ports", "either ports or psid");
	has_error(9, "bindings.[5]", "needs ports");
	has_error(10, "bindings.[6].psid_length", "out of range");
}
END_TEST

START_TEST(psid_without_length)
{
	ck_assert_int_eq(load("psid.conf", HEAD "bindings = (\n"
		"\t{ ipv6 = \"2001:db8:1::4\"; ipv4 = \"192.0.2.1\";\n"
		"\t  psid = 5; offset = 6; }\n"
		");\n"), -1);
	ck_assert_int_eq(err.count, 1);
	/* the key is absent, so the line is the binding's */
	has_error(4, "bindings.[0].psid_length", "missing");
}
END_TEST

START_TEST(softwire_index_out_of_range)
{
	ck_assert_int_eq(load("br.conf",
		"softwire_addresses = [ \"2001:db8:100::1\", \"2001:db8:100::2\" ];\n"
		"pools = [ \"192.0.2.0/28\" ];\n"
		"bindings = (\n"
		"\t{ ipv6 = \"2001:db8:1::2\"; ipv4 = \"192.0.2.1\"; ports = \"10000-10999\";\n"
		"\t  softwire_address = 1; },\n"
		"\t{ ipv6 = \"2001:db8:1::3\"; ipv4 = \"192.0.2.1\"; ports = \"11000-11999\";\n"
		"\t  softwire_address = 2; },\n"
		"\t{ ipv6 = \"2001:db8:1::4\"; ipv4 = \"192.0.2.1\"; ports = \"12000-12999\";\n"
		"\t  softwire_address = 16; }\n"
		");\n"), -1);
	ck_assert_int_eq(err.count, 2);
	has_error(7, "bindings.[1].softwire_address", "index 2, but only 2");
	has_error(9, "bindings.[2].softwire_address", "out of range");
}
END_TEST

START_TEST(binding_outside_pools)
{
	ck_assert_int_eq(load("outside.conf", HEAD "bindings = (\n"
		"\t{ ipv6 = \"2001:db8:1::2\"; ipv4 = \"192.0.2.15\"; ports = \"10000-10999\"; },\n"
		"\t{ ipv6 = \"2001:db8:1::3\"; ipv4 = \"192.0.2.16\"; ports = \"10000-10999\"; }\n"
		");\n"), -1);
	ck_assert_int_eq(err.count, 1);
	has_error(5, "bindings.[1].ipv4", "192.0.2.16 is in none of the pools");
}
END_TEST

START_TEST(overlapping_bindings)
{
	ck_assert_int_eq(load("overlap.conf", HEAD "bindings = (\n"
		"\t{ ipv6 = \"2001:db8:1::2\"; ipv4 = \"192.0.2.1\"; ports = \"10000-10999\"; },\n"
		"\t{ ipv6 = \"2001:db8:2::2\"; ipv4 = \"192.0.2.1\"; ports = \"10500-11999\"; }\n"
		");\n"), -1);
	ck_assert_int_eq(err.count, 1);
	has_error(3, "bindings", "overlap");
	ck_assert_ptr_nonnull(strstr(err.text, "2001:db8:1::2 192.0.2.1 10000-10999"));
	ck_assert_ptr_nonnull(strstr(err.text, "2001:db8:2::2 192.0.2.1 10500-11999"));

	/* a range and a PSID set sharing a port */
	ck_assert_int_eq(load("overlap2.conf", HEAD "bindings = (\n"
		"\t{ ipv6 = \"2001:db8:1::2\"; ipv4 = \"192.0.2.2\"; ports = \"1104-1104\"; },\n"
		"\t{ ipv6 = \"2001:db8:3::2\"; ipv4 = \"192.0.2.2\"; psid = 5; psid_length = 6; offset = 6; }\n"
		");\n"), -1);
	ck_assert_int_eq(err.count, 1);
	has_error(3, "bindings", NULL);
	ck_assert_ptr_nonnull(strstr(err.text, "2001:db8:1::2"));
	ck_assert_ptr_nonnull(strstr(err.text, "2001:db8:3::2"));

	/* the same ports on different addresses do not overlap */
	ck_assert_int_eq(load("nooverlap.conf", HEAD "bindings = (\n"
		"\t{ ipv6 = \"2001:db8:1::2\"; ipv4 = \"192.0.2.1\"; ports = \"10000-10999\"; },\n"
		"\t{ ipv6 = \"2001:db8:2::2\"; ipv4 = \"192.0.2.2\"; ports = \"10000-10999\"; }\n"
		");\n"), 0);
	ck_assert_uint_eq(btable_count(cfg.bt), 2);
	prr_config_free(&cfg);
}
END_TEST

START_TEST(missing_softwire_addresses)
{
	ck_assert_int_eq(load("nosw.conf", "pools = [ \"192.0.2.0/28\" ];\n"), -1);
	ck_assert_int_eq(err.count, 1);
	/* absent: no line of its own */
	has_error(0, "softwire_addresses", "missing");

	ck_assert_int_eq(load("emptysw.conf", "softwire_addresses = [ ];\n"
		"pools = [ \"192.0.2.0/28\" ];\n"), -1);
	has_error(1, "softwire_addresses", "empty");

	ck_assert_int_eq(load("strsw.conf", "softwire_addresses = \"2001:db8:100::1\";\n"
		"pools = [ \"192.0.2.0/28\" ];\n"), -1);
	has_error(1, "softwire_addresses", "expected a list");
}
END_TEST

START_TEST(ipv6_mtu_below_1280)
{
	ck_assert_int_eq(load("mtu.conf", HEAD "ipv6_side = {\n\tmtu = 1279;\n};\n"
		"ipv4_side = {\n\tmtu = 575;\n};\n"), -1);
	ck_assert_int_eq(err.count, 2);
	has_error(4, "ipv6_side.mtu", "1279 is below the IPv6 minimum 1280");
	has_error(7, "ipv4_side.mtu", "out of range");
	ck_assert_int_eq(load("mtu2.conf", HEAD "ipv6_side = { mtu = 1280; };\n"), 0);
	prr_config_free(&cfg);
}
END_TEST

START_TEST(wrong_types)
{
	ck_assert_int_eq(load("types.conf", HEAD
		"hairpinning = 1;\n"					/* 3 */
		"hop_limit = \"64\";\n"					/* 4 */
		"ipv4_side = {\n"					/* 5 */
		"\tmtu = true;\n"					/* 6 */
		"\tgenerate_icmp = \"yes\";\n"				/* 7 */
		"\tunbound_icmp = 3;\n"					/* 8 */
		"};\n"
		"icmp_rate_limit = 1.5;\n"				/* 10 */
		"ipv6_side = 7;\n"					/* 11 */
		"control_socket = [ \"/run/x\" ];\n"			/* 12 */
		"queues = { first = 0; count = 99; };\n"		/* 13 */
		"bindings = { };\n"),					/* 14 */
		-1);
	ck_assert_int_eq(err.count, 10);
	has_error(3, "hairpinning", "expected true or false");
	has_error(4, "hop_limit", "expected an integer");
	has_error(6, "ipv4_side.mtu", "expected an integer");
	has_error(7, "ipv4_side.generate_icmp", "expected true or false");
	has_error(8, "ipv4_side.unbound_icmp", "expected a string");
	has_error(10, "icmp_rate_limit", "expected an integer");
	has_error(11, "ipv6_side", "expected a group");
	has_error(12, "control_socket", "expected a string");
	has_error(13, "queues.count", "99 is out of range");
	has_error(14, "bindings", "expected a list");

	ck_assert_int_eq(load("types2.conf",
		"softwire_addresses = ( \"2001:db8:100::1\", 5 );\n"
		"pools = [ \"192.0.2.0/28\" ];\n"
		"ipv4_side = { unbound_icmp = \"drop\"; };\n"
		"ipv6_side = { unbound_icmp = \"none\"; };\n"
		"bindings = ( 5, { ipv6 = 6; ipv4 = \"192.0.2.1\"; ports = 10000; } );\n"), -1);
	/* a binding stops at its first bad key: one error for [1] */
	ck_assert_int_eq(err.count, 5);
	has_error(1, "softwire_addresses.[1]", "expected a string");
	has_error(3, "ipv4_side.unbound_icmp", "'drop' is not one of");
	has_error(4, "ipv6_side.unbound_icmp", "only for ipv4_side");
	has_error(5, "bindings.[0]", "expected a group");
	has_error(5, "bindings.[1].ipv6", "expected a string");
}
END_TEST

/* map_rules' forwarding key (the FMR flag sent to SMAPs): default true, bool only */
START_TEST(map_rule_forwarding)
{
	ck_assert_int_eq(load("fwd.conf",
		"softwire_addresses = [ \"2001:db8:100::1\" ];\n"
		"pools = [ \"192.0.2.0/28\" ];\n"
		"map_rules = (\n"
		"\t{ ipv6_prefix = \"2001:db8:f000::/48\"; ipv4_prefix = \"192.0.2.8/30\"; ea_length = 8; },\n"
		"\t{ ipv6_prefix = \"2001:db8:e000::/48\"; ipv4_prefix = \"192.0.2.4/30\"; ea_length = 8;"
		" forwarding = false; }\n"
		");\n"), 0);
	ck_assert_uint_eq(cfg.params.n_rules, 2);
	for (unsigned i = 0; i < 2; i++)
		ck_assert_int_eq(cfg.params.rules[i].forwarding,
				 cfg.params.rules[i].prefix4 == 0xc0000208);
	prr_config_free(&cfg);
	ck_assert_int_eq(load("fwd-bad.conf",
		"softwire_addresses = [ \"2001:db8:100::1\" ];\n"
		"pools = [ \"192.0.2.0/28\" ];\n"
		"map_rules = (\n"
		"\t{ ipv6_prefix = \"2001:db8:f000::/48\"; ipv4_prefix = \"192.0.2.8/30\"; ea_length = 8;"
		" forwarding = 1; }\n"					/* 4 */
		");\n"), -1);
	has_error(4, "map_rules.[0].forwarding", NULL);
}
END_TEST

START_TEST(all_errors_reported)
{
	/* one error of each kind, each on its own line */
	ck_assert_int_eq(load("many.conf",
		"softwire_addresses = [ \"2001:db8:100::1\" ];\n"			/* 1 */
		"pools = [ \"192.0.2.0/28\" ];\n"					/* 2 */
		"ipv4_address = \"x\";\n"						/* 3 */
		"nonsense = 1;\n"							/* 4 */
		"hop_limit = 0;\n"							/* 5 */
		"bindings = (\n"							/* 6 */
		"\t{ ipv6 = \"2001:db8:1::2\"; ipv4 = \"192.0.2.1\"; ports = \"9-1\"; },\n"	/* 7 */
		"\t{ ipv6 = \"2001:db8:1::3\"; ipv4 = \"203.0.113.1\"; ports = \"1-2\"; },\n"	/* 8 */
		"\t{ ipv6 = \"2001:db8:1::4\"; ipv4 = \"192.0.2.1\"; psid = 3; }\n"		/* 9 */
		");\n"), -1);
	ck_assert_int_eq(err.count, 6);
	has_error(3, "ipv4_address", NULL);
	has_error(4, "nonsense", "unknown key");
	has_error(5, "hop_limit", "out of range");
	has_error(7, "bindings.[0].ports", NULL);
	has_error(8, "bindings.[1].ipv4", "none of the pools");
	has_error(9, "bindings.[2].psid_length", "missing");
	/* one line per error */
	{
		int lines = 0;
		for (const char *p = err.text; *p; p++)
			lines += *p == '\n';
		ck_assert_int_eq(lines, err.count);
	}
}
END_TEST

START_TEST(error_text_overflow)
{
	/* far more errors than the text holds: counted, text stays bounded */
	size_t cap = 200 * 100 + 200, n = 0;
	char *text = malloc(cap);

	ck_assert_ptr_nonnull(text);
	n += (size_t)snprintf(text + n, cap - n, "%sbindings = (\n", HEAD);
	for (int i = 0; i < 200; i++)
		n += (size_t)snprintf(text + n, cap - n,
			"{ ipv6 = \"2001:db8::%x\"; ipv4 = \"192.0.2.1\"; ports = \"9-1\"; }%s\n",
			i + 1, i < 199 ? "," : "");
	snprintf(text + n, cap - n, ");\n");
	ck_assert_int_eq(load("overflow.conf", text), -1);
	ck_assert_int_eq(err.count, 200);
	ck_assert_uint_lt(strlen(err.text), sizeof(err.text));
	ck_assert_uint_eq(strlen(err.text), err.len);
	has_error(4, "bindings.[0].ports", NULL);
	free(text);
}
END_TEST

START_TEST(reload_same_struct)
{
	/* load twice into one struct, as SIGHUP does: no leak (ASan), same result */
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(prr_config_load("etc/testbed/prr.conf", &cfg, &err), 0);
		ck_assert_uint_eq(btable_count(cfg.bt), 2);
		prr_config_free(&cfg);
	}
	prr_config_free(&cfg);	/* twice is harmless */
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("prr_config");
	TCase *tc = tcase_create("load");

	/* unchecked: made and removed in the parent, even when a test fails */
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, shipped_prr_conf);
	tcase_add_test(tc, shipped_testbed_conf);
	tcase_add_test(tc, minimal_and_defaults);
	tcase_add_test(tc, syntax_error);
	tcase_add_test(tc, unknown_keys);
	tcase_add_test(tc, fast_path_keys);
	tcase_add_test(tc, bad_addresses);
	tcase_add_test(tc, bad_pools);
	tcase_add_test(tc, bad_port_sets);
	tcase_add_test(tc, psid_without_length);
	tcase_add_test(tc, softwire_index_out_of_range);
	tcase_add_test(tc, binding_outside_pools);
	tcase_add_test(tc, overlapping_bindings);
	tcase_add_test(tc, missing_softwire_addresses);
	tcase_add_test(tc, ipv6_mtu_below_1280);
	tcase_add_test(tc, wrong_types);
	tcase_add_test(tc, all_errors_reported);
	tcase_add_test(tc, map_rule_forwarding);
	tcase_add_test(tc, error_text_overflow);
	tcase_add_test(tc, reload_same_struct);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(config_suite());
}
