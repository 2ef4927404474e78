/* SPDX-License-Identifier: MIT */
/*
 * prrctl's MAP-E commands:
 *   prrctl rules                       the PRR's rules (control socket)
 *   prrctl rule calc --rule-ipv6 P6 --rule-ipv4 P4 --ea-len N [--offset A]
 *                    [--psid-len K --psid P] --prefix DELEGATED
 *                                      what a CE derives, without a PRR
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "json_out.h"
#include "map_rule.h"
#include "ctl/cli.h"
#include "ctl/prrctl.h"

#define MAXF 10

int
prrctl_print_rules(FILE *f, int json)
{
	char line[512], *fl[MAXF];
	json_t *arr = json_array(), *last = NULL;
	int rows = 0;

	while (fgets(line, sizeof(line), f)) {
		int n = cli_fields(line, fl, MAXF);

		if (n >= 2 && strcmp(fl[0], "error") == 0) {
			json_decref(arr);
			return prrctl_fail(1, "%s", fl[1]);
		}
		if (n >= 2 && strcmp(fl[0], "rule-psid") == 0) {
			if (json && last)
				json_object_set_new(last, "psid", json_from_field(fl[1]));
			else if (!json)
				printf("%27s psid %s (given with the rule)\n", "", fl[1]);
			continue;
		}
		if (n < 8 || strcmp(fl[0], "rule") != 0)
			continue;
		if (json) {
			last = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
					 "ipv6_prefix", json_text(fl[1]), "ipv4_prefix",
					 json_text(fl[2]), "ea_length", json_from_field(fl[3]),
					 "offset", json_from_field(fl[4]), "psid_len",
					 json_from_field(fl[5]), "psid_from", json_text(fl[6]),
					 "softwire_address", json_text(fl[7]));
			json_array_append_new(arr, last);
		} else {
			if (rows == 0)
				printf("%-26s %-18s %-4s %-6s %-9s %s\n", "RULE IPv6 PREFIX",
				       "RULE IPv4 PREFIX", "EA", "OFFSET", "PSID LEN", "SOFTWIRE ADDRESS");
			printf("%-26s %-18s %-4s %-6s %-9s %s\n", fl[1], fl[2], fl[3], fl[4],
			       fl[5], fl[7]);
		}
		rows++;
	}
	if (json)
		return json_out(stdout, arr);
	json_decref(arr);
	if (rows == 0)
		printf("no MAP-E rules\n");
	return 0;
}

static int
rule_calc_usage(FILE *out, int rc)
{
	fprintf(out, "usage: prrctl [--json] rule calc --rule-ipv6 PREFIX --rule-ipv4 PREFIX "
		"--ea-len N\n"
		"                  [--offset A] [--psid-len K --psid P] --prefix DELEGATED\n"
		"  what a CE with the delegated IPv6 prefix derives from the rule (RFC 7597):\n"
		"  IPv4 address, PSID, port ranges and MAP IPv6 address (offset default %d)\n",
		MAP_DEFAULT_OFFSET);
	return rc;
}

struct ranges {
	json_t *arr;
	unsigned n;
};

static void
print_range(void *arg, uint16_t lo, uint16_t hi)
{
	struct ranges *r = arg;

	if (r->arr)
		json_array_append_new(r->arr, json_pack("[i,i]", lo, hi));
	else
		printf("%s%u-%u", r->n == 0 ? "" : (r->n % 6 == 0 ? "\n                " : " "),
		       lo, hi);
	r->n++;
}

static bool
parse_num(const char *opt, const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (!*s || *end || *s == '-' || *s == '+' || v > max) {
		prrctl_fail(2, "%s: '%s' is not a number 0..%u", opt, s, max);
		return false;
	}
	*out = (unsigned)v;
	return true;
}

int
prrctl_rule_main(int argc, char **argv, int json)
{
	static const struct option opts[] = {
		{ "rule-ipv6", required_argument, NULL, '6' },
		{ "rule-ipv4", required_argument, NULL, '4' },
		{ "ea-len", required_argument, NULL, 'e' },
		{ "offset", required_argument, NULL, 'o' },
		{ "psid-len", required_argument, NULL, 'k' },
		{ "psid", required_argument, NULL, 'p' },
		{ "prefix", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 }
	};
	const char *s6 = NULL, *s4 = NULL, *sd = NULL;
	unsigned ea = 0, a = MAP_DEFAULT_OFFSET, k = 0, psid = 0, plen6, plen4, dplen;
	struct in6_addr p6, d;
	uint32_t p4, n4;
	struct map_rule r;
	struct map_ce ce;
	struct ranges rg = { 0 };
	char err[160], addr[INET6_ADDRSTRLEN], pfx[INET6_ADDRSTRLEN], v4[INET_ADDRSTRLEN];
	bool has_ea = false;
	int ch;

	if (argc >= 2 && strcmp(argv[0], "calc") == 0 && strcmp(argv[1], "--help") == 0)
		return rule_calc_usage(stdout, 0);
	if (argc < 1 || strcmp(argv[0], "calc") != 0) {
		if (!json)
			rule_calc_usage(stderr, 2);
		return prrctl_fail(2, "rule: expected 'calc' and its options");
	}
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case '6': s6 = optarg; break;
		case '4': s4 = optarg; break;
		case 'e':
			if (!parse_num("--ea-len", optarg, 48, &ea))
				return 2;
			has_ea = true;
			break;
		case 'o':
			if (!parse_num("--offset", optarg, 15, &a))
				return 2;
			break;
		case 'k':
			if (!parse_num("--psid-len", optarg, 16, &k))
				return 2;
			break;
		case 'p':
			if (!parse_num("--psid", optarg, 65535, &psid))
				return 2;
			break;
		case 'd': sd = optarg; break;
		case 'j': json = prrctl_json = 1; break;
		default:
			return prrctl_fail(2, "rule calc: unknown option (prrctl rule calc --help)");
		}
	}
	if (optind != argc)
		return prrctl_fail(2, "rule calc: unexpected '%s'", argv[optind]);
	if (!s6 || !s4 || !sd || !has_ea)
		return prrctl_fail(2, "rule calc: missing %s", !s6 ? "--rule-ipv6" :
				   !s4 ? "--rule-ipv4" : !has_ea ? "--ea-len" : "--prefix");
	if (!parse_prefix6(s6, &p6, &plen6))
		return prrctl_fail(2, "--rule-ipv6: '%s' is not an IPv6 prefix", s6);
	if (!parse_prefix4(s4, &p4, &plen4))
		return prrctl_fail(2, "--rule-ipv4: '%s' is not an IPv4 prefix "
				   "(host bits must be 0)", s4);
	if (!parse_prefix6(sd, &d, &dplen))
		return prrctl_fail(2, "--prefix: '%s' is not an IPv6 prefix", sd);
	if (!map_rule_init(&r, &p6, plen6, p4, plen4, ea, a, k, psid, err, sizeof(err)))
		return prrctl_fail(1, "rule: %s", err);
	if (!map_rule_ce(&r, &d, dplen, &ce, err, sizeof(err)))
		return prrctl_fail(1, "%s: %s", sd, err);
	n4 = htonl(ce.ipv4);
	inet_ntop(AF_INET, &n4, v4, sizeof(v4));
	inet_ntop(AF_INET6, &ce.addr, addr, sizeof(addr));
	inet_ntop(AF_INET6, &ce.prefix, pfx, sizeof(pfx));
	if (json) {
		char prefix[INET6_ADDRSTRLEN + 8];

		rg.arr = json_array();
		portset_blocks(&ce.ps, print_range, &rg);
		snprintf(prefix, sizeof(prefix), "%s/%u", pfx, ce.prefix_len);
		return json_out(stdout, json_pack("{s:s,s:i,s:i,s:i,s:i,s:i,s:o,s:s,s:s}",
						  "ipv4", v4, "ipv4_prefix_len", ce.v4_plen,
						  "psid", ce.psid, "psid_len", ce.psid_len,
						  "offset", ce.offset, "port_count",
						  portset_size(&ce.ps), "ports", rg.arr,
						  "ipv6", addr, "prefix", prefix));
	}
	printf("IPv4 address    %s", v4);
	if (ce.v4_plen < 32)
		printf("/%u (a prefix: %u addresses)", ce.v4_plen, 1u << (32 - ce.v4_plen));
	printf("\nPSID            ");
	if (ce.psid_len)
		printf("%u (0x%x), length %u, offset %u (sharing ratio %u)\n", ce.psid, ce.psid,
		       ce.psid_len, ce.offset, 1u << ce.psid_len);
	else
		printf("none (length 0: the whole address)\n");
	printf("ports           ");
	portset_blocks(&ce.ps, print_range, &rg);
	printf("\n                (%u ranges, %u ports)\n", rg.n, portset_size(&ce.ps));
	printf("MAP address     %s\n", addr);
	printf("End-user prefix %s/%u\n", pfx, ce.prefix_len);
	return 0;
}
