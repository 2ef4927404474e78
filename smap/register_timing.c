/* SPDX-License-Identifier: MIT */
/* Timing of a PCP client holding one mapping: see pcp_client.h. */
#include "smap/register_timing.h"

const char *
pcpc_state_name(enum pcpc_state s)
{
	static const char *const names[] = { "idle", "requesting", "bound", "renewing", "error" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

uint64_t
pcpc_jitter(uint64_t value, uint32_t rnd)
{
	/* (1 + RAND) * value with RAND = rnd / 2^32 * 0.2 - 0.1, in integers */
	uint64_t tenth = value / 10;

	return value - tenth + (uint64_t)(((unsigned __int128)2 * tenth * rnd) >> 32);
}

void
pcpc_start(struct pcpc *c, uint64_t now_ms)
{
	c->state = c->bound ? PCPC_RENEWING : PCPC_REQUESTING;
	c->next_ms = now_ms;
	c->rt_ms = 0;
}

bool
pcpc_due(const struct pcpc *c, uint64_t now_ms)
{
	return c->state != PCPC_IDLE && now_ms >= c->next_ms;
}

uint64_t
pcpc_wait_ms(const struct pcpc *c, uint64_t now_ms)
{
	if (c->state == PCPC_IDLE)
		return UINT64_MAX;
	return c->next_ms > now_ms ? c->next_ms - now_ms : 0;
}

void
pcpc_sent(struct pcpc *c, uint64_t now_ms, uint32_t rnd)
{
	uint64_t rt;

	c->sent++;
	if (c->state == PCPC_BOUND)		/* the renewal: from now on it retransmits */
		c->state = PCPC_RENEWING;
	else if (c->state == PCPC_ERROR)	/* asking again after a refusal */
		c->state = c->bound ? PCPC_RENEWING : PCPC_REQUESTING;
	if (c->rt_ms == 0)
		rt = pcpc_jitter(PCPC_IRT_MS, rnd);
	else
		rt = pcpc_jitter(2ull * c->rt_ms < PCPC_MRT_MS ? 2ull * c->rt_ms : PCPC_MRT_MS, rnd);
	c->rt_ms = (uint32_t)rt;
	c->next_ms = now_ms + rt;
}

bool
pcpc_epoch_valid(const struct pcpc *c, uint32_t epoch, uint64_t now_ms)
{
	uint64_t client_delta, server_delta;

	if (!c->have_epoch)
		return true;
	/* RFC 6887 8.5: back by more than a second, or drifting from our clock */
	if ((uint64_t)epoch + 1 < c->epoch)
		return false;
	client_delta = (now_ms - c->epoch_ms) / 1000;
	server_delta = epoch > c->epoch ? epoch - c->epoch : 0;
	if (client_delta + 2 < server_delta - server_delta / 16 ||
	    server_delta + 2 < client_delta - client_delta / 16)
		return false;
	return true;
}

static bool
take_epoch(struct pcpc *c, uint32_t epoch, uint64_t now_ms)
{
	bool ok = pcpc_epoch_valid(c, epoch, now_ms);

	if (!ok)
		c->epoch_lost++;
	c->have_epoch = true;
	c->epoch = epoch;
	c->epoch_ms = now_ms;
	return ok;
}

enum pcpc_verdict
pcpc_answer(struct pcpc *c, uint64_t now_ms, uint32_t rnd, int result,
	    uint32_t lifetime, uint32_t epoch)
{
	bool epoch_ok = take_epoch(c, epoch, now_ms);

	c->answers++;
	c->last_result = result;
	if (result != 0) {
		/* backoff from IRT, doubling per error, up to MRT and the error's lifetime */
		uint64_t wait = c->backoff_ms ? 2ull * c->backoff_ms : PCPC_IRT_MS;
		uint64_t cap = (uint64_t)lifetime * 1000;

		c->errors++;
		if (wait > PCPC_MRT_MS)
			wait = PCPC_MRT_MS;
		if (cap && wait > cap)
			wait = cap;
		c->state = PCPC_ERROR;
		c->backoff_ms = (uint32_t)wait;
		c->rt_ms = 0;	/* the next request retransmits from IRT again */
		c->next_ms = now_ms + pcpc_jitter(wait, rnd);
		return PCPC_REFUSED;
	}
	c->bound = true;
	c->lifetime = lifetime;
	c->granted_ms = now_ms;
	c->state = PCPC_BOUND;
	c->rt_ms = 0;
	c->backoff_ms = 0;
	/* 1/2 .. 5/8 of the lifetime (RFC 6887 11.2.1) */
	c->next_ms = now_ms + (uint64_t)lifetime * 500 +
		     (((uint64_t)lifetime * 125 * rnd) >> 32);
	if (!epoch_ok) {
		c->next_ms = now_ms;
		return PCPC_LOST_STATE;
	}
	return PCPC_GRANTED;
}

bool
pcpc_announce(struct pcpc *c, uint64_t now_ms, uint32_t epoch)
{
	bool ok = take_epoch(c, epoch, now_ms);

	c->announces++;
	if (c->state != PCPC_IDLE)
		pcpc_start(c, now_ms);
	return ok;
}
