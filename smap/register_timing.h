/* SPDX-License-Identifier: MIT */
/*
 * The timing of a PCP client that holds one mapping (the SMAP's
 * registration with the PRR): when to send, when to retransmit, when to
 * renew, what an answer or an ANNOUNCE means. Pure: the caller passes
 * the time (milliseconds, any monotonic origin) and a random number for
 * each jitter; sockets and packets are elsewhere (smap/register.c).
 *
 *  - Retransmission (RFC 6887 8.1.1): IRT 3 s, MRT 1024 s, MRC and MRD
 *    0 (never give up); RT = (1 + RAND) * IRT, then
 *    RT = (1 + RAND) * MIN(2 * RTprev, MRT), RAND in [-0.1, +0.1].
 *  - Renewal (RFC 6887 11.2.1): at a random time between 1/2 and 5/8
 *    of the lifetime; unanswered, it is retransmitted as above, and the
 *    last port set is kept meanwhile (even past the lifetime: the PRR
 *    holds a set it lost track of before giving it to anyone else).
 *  - Errors (NOT_AUTHORIZED, NO_RESOURCES, ...): asked again after a
 *    backoff that doubles per error from IRT up to MRT, but never later
 *    than the error's lifetime says the answer stays the same (RFC 6887
 *    7.4: 30 s for short errors, 1800 s for long ones, capped by MRT).
 *  - Epoch (RFC 6887 8.5): every answer's epoch is checked against the
 *    previous one; a PRR whose epoch went back or drifted from the
 *    client's clock lost its state: register again at once.
 *  - ANNOUNCE from the PRR (its set for us changed, or it restarted):
 *    ask again at once, whatever its epoch says.
 */
#ifndef AP_PCP_CLIENT_H
#define AP_PCP_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#define PCPC_IRT_MS	3000u		/* RFC 6887 8.1.1 */
#define PCPC_MRT_MS	1024000u

enum pcpc_state {
	PCPC_IDLE = 0,		/* not started */
	PCPC_REQUESTING,	/* no set yet: sending, retransmitting */
	PCPC_BOUND,		/* a set, renewal scheduled */
	PCPC_RENEWING,		/* a set, renewal unanswered: retransmitting */
	PCPC_ERROR,		/* the PRR refused (last_result): backing off */
};

struct pcpc {
	enum pcpc_state state;
	uint64_t next_ms;	/* when to send next (valid unless IDLE) */
	uint32_t rt_ms;		/* current retransmission timeout; 0: none sent yet */
	uint32_t backoff_ms;	/* wait after the last refusal; 0: none since a grant */
	bool bound;		/* a set was granted (and is kept through errors) */
	uint32_t lifetime;	/* of the last grant, seconds */
	uint64_t granted_ms;	/* when it came */
	int last_result;	/* result code of the last answer, -1: none */
	/* RFC 6887 8.5 */
	bool have_epoch;
	uint32_t epoch;		/* server time of the last answer */
	uint64_t epoch_ms;	/* client time it arrived */
	/* counters */
	uint64_t sent, answers, errors, epoch_lost, announces;
};

/* "idle", "requesting", "bound", "renewing", "error" */
const char *pcpc_state_name(enum pcpc_state);

/* rnd: uniform in [0, 2^32); value * (1 + RAND), RAND in [-0.1, +0.1] */
uint64_t pcpc_jitter(uint64_t value, uint32_t rnd);

/* Start (or restart) asking: a request is due at once. */
void pcpc_start(struct pcpc *, uint64_t now_ms);
/* Whether a request is due now. */
bool pcpc_due(const struct pcpc *, uint64_t now_ms);
/* Milliseconds until the next request is due (0 if due), UINT64_MAX when idle. */
uint64_t pcpc_wait_ms(const struct pcpc *, uint64_t now_ms);
/* A request went out: schedule its retransmission (8.1.1). */
void pcpc_sent(struct pcpc *, uint64_t now_ms, uint32_t rnd);

/*
 * RFC 6887 8.5: is the server's epoch consistent with the last one
 * seen? true when there is none yet. Does not record it.
 */
bool pcpc_epoch_valid(const struct pcpc *, uint32_t epoch, uint64_t now_ms);

enum pcpc_verdict {
	PCPC_GRANTED,		/* success: apply the set, renewal scheduled */
	PCPC_REFUSED,		/* error result: backing off, last set kept */
	PCPC_LOST_STATE,	/* success, but the epoch says the PRR had lost state */
};

/*
 * An answer to our request (nonce checked by the caller): result code,
 * lifetime and epoch from the header. Success schedules the renewal at
 * 1/2..5/8 of the lifetime (rnd picks where); an error the backoff.
 * PCPC_LOST_STATE is a grant too (apply the set); the renewal is due at
 * once, so that whatever the PRR had forgotten is asked for again.
 */
enum pcpc_verdict pcpc_answer(struct pcpc *, uint64_t now_ms, uint32_t rnd,
			      int result, uint32_t lifetime, uint32_t epoch);

/*
 * An unsolicited ANNOUNCE from the server: ask again at once (the set
 * may have changed). Returns false if the epoch was inconsistent (the
 * PRR lost state; counted in epoch_lost).
 */
bool pcpc_announce(struct pcpc *, uint64_t now_ms, uint32_t epoch);

#endif
