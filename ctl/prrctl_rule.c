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
#include "map_rule.h"
#include "ctl/prrctl.h"

#define MAXF 10

static int
split_tabs(char *line, char **f)
{
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	for (char *s = line; n < MAXF; ) {
		f[n++] = s;
		s = strchr(s, '\t');
		if (!s)
			break;
		*s++ = '\0';
	}
	return n;
}

int
prrctl_print_rules(FILE *f, int json)
{
	char line[512], *fl[MAXF];
	int rows = 0, pending = 0;

	if (json)
		putchar('[');
	while (fgets(line, sizeof(line), f)) {
		int n = split_tabs(line, fl);

		if (n >= 2 && strcmp(fl[0], "error") == 0) {
			fprintf(stderr, "prrctl: %s\n", fl[1]);
			if (json)
				printf("%s]\n", pending ? "}" : "");
			return 1;
		}
		if (n >= 2 && strcmp(fl[0], "rule-psid") == 0) {
			if (json)
				printf(",\"psid\":%s", fl[1]);
			else
				printf("%27s psid %s (given with the rule)\n", "", fl[1]);
			continue;
		}
		if (n < 8 || strcmp(fl[0], "rule") != 0)
			continue;
		if (json) {
			printf("%s{\"ipv6_prefix\":\"%s\",\"ipv4_prefix\":\"%s\",\"ea_length\":%s,"
			       "\"offset\":%s,\"psid_len\":%s,\"psid_from\":\"%s\","
			       "\"softwire_address\":\"%s\"", pending ? "}," : (rows ? "," : ""),
			       fl[1], fl[2], fl[3], fl[4], fl[5], fl[6], fl[7]);
			pending = 1;
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
		printf("%s]\n", pending ? "}" : "");
	else if (rows == 0)
		printf("no MAP-E rules\n");
	return 0;
}

static void
rule_calc_usage(void)
{
	fprintf(stderr, "usage: prrctl [--json] rule calc --rule-ipv6 PREFIX --rule-ipv4 PREFIX "
		"--ea-len N\n"
		"                  [--offset A] [--psid-len K --psid P] --prefix DELEGATED\n"
		"  what a CE with the delegated IPv6 prefix derives from the rule (RFC 7597):\n"
		"  IPv4 address, PSID, port ranges and MAP IPv6 address (offset default %d)\n",
		MAP_DEFAULT_OFFSET);
	exit(2);
}

struct ranges {
	int json;
	unsigned n;
};

static void
print_range(void *arg, uint16_t lo, uint16_t hi)
{
	struct ranges *r = arg;

	if (r->json)
		printf("%s[%u,%u]", r->n ? "," : "", lo, hi);
	else
		printf("%s%u-%u", r->n == 0 ? "" : (r->n % 6 == 0 ? "\n                " : " "),
		       lo, hi);
	r->n++;
}

static unsigned
parse_num(const char *opt, const char *s, unsigned max)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (!*s || *end || v > max) {
		fprintf(stderr, "prrctl: %s: '%s' is not a number 0..%u\n", opt, s, max);
		exit(2);
	}
	return (unsigned)v;
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
	struct ranges rg = { .json = json };
	char err[160], addr[INET6_ADDRSTRLEN], pfx[INET6_ADDRSTRLEN], v4[INET_ADDRSTRLEN];
	bool has_ea = false;
	int ch;

	if (argc < 1 || strcmp(argv[0], "calc") != 0)
		rule_calc_usage();
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case '6': s6 = optarg; break;
		case '4': s4 = optarg; break;
		case 'e': ea = parse_num("--ea-len", optarg, 48); has_ea = true; break;
		case 'o': a = parse_num("--offset", optarg, 15); break;
		case 'k': k = parse_num("--psid-len", optarg, 16); break;
		case 'p': psid = parse_num("--psid", optarg, 65535); break;
		case 'd': sd = optarg; break;
		case 'j': json = 1; rg.json = 1; break;
		default: rule_calc_usage();
		}
	}
	if (!s6 || !s4 || !sd || !has_ea || optind != argc)
		rule_calc_usage();
	if (!parse_prefix6(s6, &p6, &plen6)) {
		fprintf(stderr, "prrctl: --rule-ipv6: '%s' is not an IPv6 prefix\n", s6);
		return 2;
	}
	if (!parse_prefix4(s4, &p4, &plen4)) {
		fprintf(stderr, "prrctl: --rule-ipv4: '%s' is not an IPv4 prefix "
			"(host bits must be 0)\n", s4);
		return 2;
	}
	if (!parse_prefix6(sd, &d, &dplen)) {
		fprintf(stderr, "prrctl: --prefix: '%s' is not an IPv6 prefix\n", sd);
		return 2;
	}
	if (!map_rule_init(&r, &p6, plen6, p4, plen4, ea, a, k, psid, err, sizeof(err))) {
		fprintf(stderr, "prrctl: rule: %s\n", err);
		return 1;
	}
	if (!map_rule_ce(&r, &d, dplen, &ce, err, sizeof(err))) {
		fprintf(stderr, "prrctl: %s: %s\n", sd, err);
		return 1;
	}
	n4 = htonl(ce.ipv4);
	inet_ntop(AF_INET, &n4, v4, sizeof(v4));
	inet_ntop(AF_INET6, &ce.addr, addr, sizeof(addr));
	inet_ntop(AF_INET6, &ce.prefix, pfx, sizeof(pfx));
	if (json) {
		printf("{\"ipv4\":\"%s\",\"ipv4_prefix_len\":%u,\"psid\":%u,\"psid_len\":%u,"
		       "\"offset\":%u,\"port_count\":%u,\"ports\":[", v4, ce.v4_plen, ce.psid,
		       ce.psid_len, ce.offset, portset_size(&ce.ps));
		portset_blocks(&ce.ps, print_range, &rg);
		printf("],\"ipv6\":\"%s\",\"prefix\":\"%s/%u\"}\n", addr, pfx, ce.prefix_len);
		return 0;
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
