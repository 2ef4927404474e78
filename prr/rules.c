/* SPDX-License-Identifier: MIT */
/*
 * NFQUEUE rules in the raw table's PREROUTING chain, so packets reach us
 * before routing (the pools need no route on the PRR) and before
 * conntrack. IPv4: everything to a pool. IPv6: next header 4 and ICMPv6
 * errors to a softwire address. Each rule carries the comment "prr" so
 * that leftovers of a crash are recognised. Commands run by execvp, no shell.
 */
#include <arpa/inet.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "log.h"
#include "prr/rules.h"

extern char **environ;

#define MAXARGS 32

static int
run(char *const argv[])
{
	pid_t pid;
	int st;
	posix_spawn_file_actions_t fa;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", 1 /* O_WRONLY */, 0);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		log_warn("cannot run %s", argv[0]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

struct rule {
	const char *argv[MAXARGS];
	int argc;
	char dst[64], qspec[32];
};

/* argv: cmd -t raw OP PREROUTING -d DST [extra...] -m comment --comment prr -j NFQUEUE ... */
static void
rule_build(struct rule *r, const struct prr_config *c, const char *cmd, const char *op,
	   const char *dst, const char *const *extra)
{
	r->argc = 0;
	r->argv[r->argc++] = cmd;
	r->argv[r->argc++] = "-w";
	r->argv[r->argc++] = "-t";
	r->argv[r->argc++] = "raw";
	r->argv[r->argc++] = op;
	r->argv[r->argc++] = "PREROUTING";
	snprintf(r->dst, sizeof(r->dst), "%s", dst);
	r->argv[r->argc++] = "-d";
	r->argv[r->argc++] = r->dst;
	for (; extra && *extra; extra++)
		r->argv[r->argc++] = *extra;
	r->argv[r->argc++] = "-m";
	r->argv[r->argc++] = "comment";
	r->argv[r->argc++] = "--comment";
	r->argv[r->argc++] = "prr";
	r->argv[r->argc++] = "-j";
	r->argv[r->argc++] = "NFQUEUE";
	if (c->queue_count > 1) {
		snprintf(r->qspec, sizeof(r->qspec), "%u:%u", c->queue_first,
			 c->queue_first + c->queue_count - 1);
		r->argv[r->argc++] = "--queue-balance";
	} else {
		snprintf(r->qspec, sizeof(r->qspec), "%u", c->queue_first);
		r->argv[r->argc++] = "--queue-num";
	}
	r->argv[r->argc++] = r->qspec;
	r->argv[r->argc] = NULL;
}

static const char *const v6_ipip[] = { "-p", "4", NULL };
static const char *const v6_icmp[][5] = {
	{ "-p", "ipv6-icmp", "--icmpv6-type", "destination-unreachable", NULL },
	{ "-p", "ipv6-icmp", "--icmpv6-type", "packet-too-big", NULL },
	{ "-p", "ipv6-icmp", "--icmpv6-type", "time-exceeded", NULL },
	{ "-p", "ipv6-icmp", "--icmpv6-type", "parameter-problem", NULL },
};

/* Calls fn for every rule; stops at the first failure when stop_on_err. */
static int
each_rule(const struct prr_config *c, const char *op, bool stop_on_err)
{
	struct rule r;
	char buf[64], a[INET6_ADDRSTRLEN];
	int rc = 0;

	for (unsigned i = 0; i < c->n_pools; i++) {
		uint32_t n = htonl(c->pools[i].addr);
		inet_ntop(AF_INET, &n, a, sizeof(a));
		snprintf(buf, sizeof(buf), "%s/%u", a, c->pools[i].plen);
		rule_build(&r, c, "iptables", op, buf, NULL);
		if (run((char *const *)r.argv) < 0) {
			rc = -1;
			if (stop_on_err)
				return rc;
		}
	}
	for (unsigned i = 0; i < c->params.n_br; i++) {
		inet_ntop(AF_INET6, &c->params.br[i], a, sizeof(a));
		rule_build(&r, c, "ip6tables", op, a, v6_ipip);
		if (run((char *const *)r.argv) < 0) {
			rc = -1;
			if (stop_on_err)
				return rc;
		}
		for (size_t k = 0; k < sizeof(v6_icmp) / sizeof(v6_icmp[0]); k++) {
			rule_build(&r, c, "ip6tables", op, a, v6_icmp[k]);
			if (run((char *const *)r.argv) < 0) {
				rc = -1;
				if (stop_on_err)
					return rc;
			}
		}
	}
	return rc;
}

void
rules_remove_once(const struct prr_config *c)
{
	each_rule(c, "-D", false);
}

int
rules_add(const struct prr_config *c)
{
	return each_rule(c, "-A", true);
}

bool
rules_same(const struct prr_config *a, const struct prr_config *b)
{
	return a->n_pools == b->n_pools && a->params.n_br == b->params.n_br &&
	       a->queue_first == b->queue_first && a->queue_count == b->queue_count &&
	       memcmp(a->pools, b->pools, a->n_pools * sizeof(a->pools[0])) == 0 &&
	       memcmp(a->params.br, b->params.br, a->params.n_br * sizeof(a->params.br[0])) == 0;
}

void
rules_remove(const struct prr_config *c)
{
	/* a crashed run may have left copies: delete until none is left */
	for (int i = 0; i < 8; i++)
		if (each_rule(c, "-D", false) < 0 && i > 0)
			break;
}

int
rules_install(const struct prr_config *c)
{
	rules_remove(c);
	if (each_rule(c, "-A", true) < 0) {
		log_warnx("cannot install the NFQUEUE rules (iptables, ip6tables)");
		rules_remove(c);
		return -1;
	}
	return 0;
}
