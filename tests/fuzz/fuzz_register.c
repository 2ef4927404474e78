/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the SMAP registration client's answer handling:
 * a sequence of datagrams "from the PRR", each read by reg_answer_read
 * (smap/register_answer.c) and handed to the client's timing (pcpc,
 * smap/register_timing.c) as smap/register.c does; with map.rules_from_prr,
 * a SUCCESS answer's MAP-E rules derive the address and set for the
 * delegated prefix 2001:db8:f000:4100::/56 (smap_map_derive).
 *
 * Input: byte 0 bit 0: map.rules_from_prr; bit 1: the answers carry our
 * nonce (it is set to the nonce of the first datagram that has one); the
 * rest a sequence [flags][len hi][len lo][bytes]... (flags: clock step in
 * seconds).
 *
 * Aborts on a broken promise: a set taken is a valid, non-empty port
 * set; the client is bound after a grant. (The PRR is trusted with what it grants: a set with port 0 or
 * address 0.0.0.0 is taken as given, and so is any lifetime.)
 * fuzz-options: -max_len=4096
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smap/config.h"
#include "smap/map_derive.h"
#include "smap/register_answer.h"
#include "smap/register_timing.h"
#include "tests/fuzz/lib.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct in6_addr prefix;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pcp_response rsp;
	uint8_t nonce[PCP_NONCE_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	bool rules, take_nonce;
	struct pcpc fsm;
	uint64_t now = 1000000;
	const uint8_t *pkt;
	uint8_t flags, ctl;
	size_t n;

	if (size < 1)
		return 0;
	ctl = data[0];
	rules = ctl & 1;
	take_nonce = ctl & 2;
	data++;
	size--;
	inet_pton(AF_INET6, "2001:db8:f000:4100::", &prefix);
	memset(&fsm, 0, sizeof(fsm));
	pcpc_start(&fsm, now);

	while (fuzz_next(&data, &size, &flags, &pkt, &n)) {
		/* a heap copy of exactly n bytes: ASan catches overreads */
		uint8_t *p = malloc(n ? n : 1);
		struct portset ps;
		uint32_t v4 = 0;
		enum pcp_rsp_err e;
		enum pcpc_verdict v;
		char msg[160];
		struct map_derived derived;

		if (!p)
			abort();
		memcpy(p, pkt, n);
		now += (uint64_t)flags * 1000;
		if (pcpc_due(&fsm, now))
			pcpc_sent(&fsm, now, 12345);
		if (take_nonce && n >= 24 + 12 && p[1] == (0x80 | PCP_OP_MAP)) {
			memcpy(nonce, p + 24, sizeof(nonce));
			take_nonce = false;
		}
		switch (reg_answer_read(p, n, nonce, rules, &rsp, &v4, &ps, &e)) {
		case REG_ANSWER_BAD:
		case REG_ANSWER_UNUSABLE:
			free(p);
			continue;
		case REG_ANSWER_ANNOUNCE:
			pcpc_announce(&fsm, now, rsp.epoch);
			free(p);
			continue;
		case REG_ANSWER_RULES:
			if (rsp.n_rules > PCP_MAX_MAP_RULES)
				abort();
			msg[0] = '\0';
			if (!smap_map_derive(&prefix, 56, rsp.rules, rsp.n_rules, &derived, msg,
					     sizeof(msg))) {
				if (!msg[0])
					abort();
				free(p);
				continue;
			}
			v4 = derived.ipv4;
			ps = derived.ps;
			break;
		case REG_ANSWER_MAP:
			break;
		}
		v = pcpc_answer(&fsm, now, 6789, rsp.result, rsp.lifetime, rsp.epoch);
		if (v != PCPC_REFUSED) {
			char err[128];

			if (rsp.result != PCP_SUCCESS || !fsm.bound)
				abort();
			if (!portset_valid(&ps, err, sizeof(err)) || portset_size(&ps) == 0)
				abort();
		}
		free(p);
	}
	return 0;
}
