/* SPDX-License-Identifier: MIT */
/* The PCP client's timing (RFC 6887 8.1.1, 8.5, 11.2.1): retransmission, renewal, errors, epoch. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "pcp.h"
#include "smap/register_timing.h"
#include "tests/unit/check_main.h"

#define RND_MIN	0u		/* RAND = -0.1 */
#define RND_MID	0x80000000u	/* RAND = 0 */
#define RND_MAX	0xffffffffu	/* RAND just under +0.1 */

static struct pcpc c;

static void
setup(void)
{
	memset(&c, 0, sizeof(c));
	c.last_result = -1;
}

START_TEST(jitter_is_within_ten_percent)
{
	ck_assert_uint_eq(pcpc_jitter(3000, RND_MIN), 2700);
	ck_assert_uint_eq(pcpc_jitter(3000, RND_MID), 3000);
	ck_assert_uint_ge(pcpc_jitter(3000, RND_MAX), 3299);
	ck_assert_uint_le(pcpc_jitter(3000, RND_MAX), 3300);
	for (uint64_t r = 0; r < (1ull << 32); r += 0x1234567) {
		uint64_t v = pcpc_jitter(1024000, (uint32_t)r);
		ck_assert_uint_ge(v, 921600);
		ck_assert_uint_le(v, 1126400);
	}
}
END_TEST

START_TEST(retransmission_doubles_up_to_mrt)
{
	uint64_t now = 1000, expect = PCPC_IRT_MS;

	ck_assert(!pcpc_due(&c, now));
	ck_assert_uint_eq(pcpc_wait_ms(&c, now), UINT64_MAX);
	pcpc_start(&c, now);
	ck_assert_int_eq(c.state, PCPC_REQUESTING);
	ck_assert(pcpc_due(&c, now));
	/* RAND = 0: 3, 6, 12, ... 768, then 1024 s for ever */
	for (int i = 0; i < 20; i++) {
		pcpc_sent(&c, now, RND_MID);
		ck_assert_uint_eq(c.rt_ms, expect);
		ck_assert(!pcpc_due(&c, now + expect - 1));
		ck_assert_uint_eq(pcpc_wait_ms(&c, now + 1), expect - 1);
		now += expect;
		ck_assert(pcpc_due(&c, now));
		expect = 2 * expect < PCPC_MRT_MS ? 2 * expect : PCPC_MRT_MS;
	}
	ck_assert_uint_eq(c.rt_ms, PCPC_MRT_MS);
	ck_assert_uint_eq(c.sent, 20);
	ck_assert_int_eq(c.state, PCPC_REQUESTING);
	ck_assert(!c.bound);
}
END_TEST

START_TEST(retransmission_is_jittered)
{
	pcpc_start(&c, 0);
	pcpc_sent(&c, 0, RND_MIN);
	ck_assert_uint_eq(c.next_ms, 2700);
	pcpc_sent(&c, 2700, RND_MAX);	/* (1 + RAND) * 2 * 2700 */
	ck_assert_uint_ge(c.next_ms, 2700 + 5939);
	ck_assert_uint_le(c.next_ms, 2700 + 5940);
}
END_TEST

START_TEST(grant_schedules_renewal_between_half_and_five_eighths)
{
	pcpc_start(&c, 0);
	pcpc_sent(&c, 0, RND_MID);
	ck_assert_int_eq(pcpc_answer(&c, 500, RND_MIN, PCP_SUCCESS, 7200, 100), PCPC_GRANTED);
	ck_assert_int_eq(c.state, PCPC_BOUND);
	ck_assert(c.bound);
	ck_assert_uint_eq(c.lifetime, 7200);
	ck_assert_uint_eq(c.next_ms, 500 + 3600000);
	ck_assert_uint_eq(c.rt_ms, 0);
	pcpc_answer(&c, 500, RND_MAX, PCP_SUCCESS, 7200, 100);
	ck_assert_uint_ge(c.next_ms, 500 + 4499000);
	ck_assert_uint_le(c.next_ms, 500 + 4500000);
}
END_TEST

START_TEST(unanswered_renewal_keeps_the_set_and_retransmits)
{
	uint64_t t;

	pcpc_start(&c, 0);
	pcpc_sent(&c, 0, RND_MID);
	pcpc_answer(&c, 10, RND_MIN, PCP_SUCCESS, 120, 50);
	t = c.next_ms;
	ck_assert_uint_eq(t, 10 + 60000);
	ck_assert(pcpc_due(&c, t));
	pcpc_sent(&c, t, RND_MID);
	ck_assert_int_eq(c.state, PCPC_RENEWING);
	ck_assert_uint_eq(c.next_ms, t + PCPC_IRT_MS);
	/* long past the lifetime: still renewing, still bound, up to MRT */
	for (int i = 0; i < 15; i++)
		pcpc_sent(&c, c.next_ms, RND_MID);
	ck_assert_int_eq(c.state, PCPC_RENEWING);
	ck_assert(c.bound);
	ck_assert_uint_eq(c.rt_ms, PCPC_MRT_MS);
	/* the answer at last: bound again, from IRT next time */
	ck_assert_int_eq(pcpc_answer(&c, c.next_ms, RND_MIN, PCP_SUCCESS, 120,
				     50 + (uint32_t)((c.next_ms - 10) / 1000)), PCPC_GRANTED);
	ck_assert_int_eq(c.state, PCPC_BOUND);
	ck_assert_uint_eq(c.rt_ms, 0);
}
END_TEST

START_TEST(errors_back_off_capped_by_lifetime_and_mrt)
{
	uint64_t now = 0;
	uint32_t waits[12];

	pcpc_start(&c, now);
	for (int i = 0; i < 12; i++) {
		pcpc_sent(&c, now, RND_MID);
		ck_assert_int_eq(pcpc_answer(&c, now, RND_MID, PCP_NO_RESOURCES,
					     PCP_SHORT_ERROR_LIFETIME, (uint32_t)(now / 1000)),
				 PCPC_REFUSED);
		ck_assert_int_eq(c.state, PCPC_ERROR);
		ck_assert_int_eq(c.last_result, PCP_NO_RESOURCES);
		waits[i] = (uint32_t)(c.next_ms - now);
		ck_assert(!pcpc_due(&c, now + waits[i] - 1));
		now = c.next_ms;
		ck_assert(pcpc_due(&c, now));
	}
	/* 3, 6, 12, 24 s, then the short error lifetime, 30 s */
	ck_assert_uint_eq(waits[0], 3000);
	ck_assert_uint_eq(waits[1], 6000);
	ck_assert_uint_eq(waits[2], 12000);
	ck_assert_uint_eq(waits[3], 24000);
	ck_assert_uint_eq(waits[4], 30000);
	ck_assert_uint_eq(waits[11], 30000);
	ck_assert_uint_eq(c.errors, 12);
	ck_assert(!c.bound);
	/* a long error (1800 s) backs off to MRT, 1024 s */
	for (int i = 0; i < 12; i++) {
		pcpc_sent(&c, now, RND_MID);
		pcpc_answer(&c, now, RND_MID, PCP_NOT_AUTHORIZED, PCP_LONG_ERROR_LIFETIME,
			    (uint32_t)(now / 1000));
		now = c.next_ms;
	}
	ck_assert_uint_eq(c.backoff_ms, PCPC_MRT_MS);
	/* granted at last: the backoff starts over */
	pcpc_sent(&c, now, RND_MID);
	ck_assert_int_eq(pcpc_answer(&c, now, RND_MID, PCP_SUCCESS, 600, (uint32_t)(now / 1000)),
			 PCPC_GRANTED);
	ck_assert_uint_eq(c.backoff_ms, 0);
	pcpc_sent(&c, c.next_ms, RND_MID);
	ck_assert_uint_eq(c.rt_ms, PCPC_IRT_MS);
}
END_TEST

START_TEST(error_while_bound_keeps_the_set)
{
	pcpc_start(&c, 0);
	pcpc_sent(&c, 0, RND_MID);
	pcpc_answer(&c, 0, RND_MID, PCP_SUCCESS, 120, 10);
	pcpc_sent(&c, c.next_ms, RND_MID);
	ck_assert_int_eq(pcpc_answer(&c, c.next_ms, RND_MID, PCP_NO_RESOURCES, 30, 10 + 70),
			 PCPC_REFUSED);
	ck_assert(c.bound);
	pcpc_sent(&c, c.next_ms, RND_MID);
	ck_assert_int_eq(c.state, PCPC_RENEWING);
}
END_TEST

START_TEST(epoch_rfc6887_8_5)
{
	ck_assert(pcpc_epoch_valid(&c, 12345, 0));	/* nothing seen yet */
	c.have_epoch = true;
	c.epoch = 1000;
	c.epoch_ms = 50000;
	/* in step with our clock, or within the allowed drift */
	ck_assert(pcpc_epoch_valid(&c, 1000, 50000));
	ck_assert(pcpc_epoch_valid(&c, 999, 50000));		/* a second back: allowed */
	ck_assert(pcpc_epoch_valid(&c, 1100, 150000));
	ck_assert(pcpc_epoch_valid(&c, 1102, 150000));
	ck_assert(pcpc_epoch_valid(&c, 1098, 150000));
	ck_assert(pcpc_epoch_valid(&c, 2000 + 60, 1050000));	/* 1/16 of 1000 s */
	/* back in time: the PRR restarted without its state */
	ck_assert(!pcpc_epoch_valid(&c, 998, 50000));
	ck_assert(!pcpc_epoch_valid(&c, 3, 150000));
	/* running much faster or slower than our clock */
	ck_assert(!pcpc_epoch_valid(&c, 1200, 150000));
	ck_assert(!pcpc_epoch_valid(&c, 1010, 150000));
	ck_assert(!pcpc_epoch_valid(&c, 1000 + 3600, 60000));
}
END_TEST

START_TEST(lost_state_re_registers_at_once)
{
	pcpc_start(&c, 0);
	pcpc_sent(&c, 0, RND_MID);
	ck_assert_int_eq(pcpc_answer(&c, 0, RND_MID, PCP_SUCCESS, 7200, 5000), PCPC_GRANTED);
	ck_assert_uint_eq(c.epoch_lost, 0);
	pcpc_sent(&c, c.next_ms, RND_MID);
	/* the renewal's answer: epoch 10 where 5000 + 3600 was due */
	ck_assert_int_eq(pcpc_answer(&c, 3600000, RND_MID, PCP_SUCCESS, 7200, 10), PCPC_LOST_STATE);
	ck_assert_uint_eq(c.epoch_lost, 1);
	ck_assert(pcpc_due(&c, 3600000));
	ck_assert(c.bound);
	/* asked again, consistent now */
	pcpc_sent(&c, 3600000, RND_MID);
	ck_assert_int_eq(pcpc_answer(&c, 3601000, RND_MID, PCP_SUCCESS, 7200, 11), PCPC_GRANTED);
	ck_assert_uint_eq(c.epoch_lost, 1);
}
END_TEST

START_TEST(announce_asks_again_at_once)
{
	/* idle: nothing to renew */
	ck_assert(pcpc_announce(&c, 0, 5));
	ck_assert_int_eq(c.state, PCPC_IDLE);
	ck_assert(!pcpc_due(&c, 0));
	memset(&c, 0, sizeof(c));
	pcpc_start(&c, 0);
	pcpc_sent(&c, 0, RND_MID);
	pcpc_answer(&c, 0, RND_MID, PCP_SUCCESS, 7200, 100);
	ck_assert(!pcpc_due(&c, 10000));
	/* an operator changed our set: the PRR's epoch is consistent */
	ck_assert(pcpc_announce(&c, 10000, 110));
	ck_assert_int_eq(c.state, PCPC_RENEWING);
	ck_assert(pcpc_due(&c, 10000));
	ck_assert_uint_eq(c.announces, 1);
	ck_assert_uint_eq(c.epoch_lost, 0);
	pcpc_sent(&c, 10000, RND_MID);
	ck_assert_uint_eq(c.rt_ms, PCPC_IRT_MS);
	/* a restarted PRR that lost state: epoch 0 */
	ck_assert(!pcpc_announce(&c, 20000, 0));
	ck_assert_uint_eq(c.epoch_lost, 1);
	ck_assert(pcpc_due(&c, 20000));
}
END_TEST

START_TEST(state_names)
{
	ck_assert_str_eq(pcpc_state_name(PCPC_IDLE), "idle");
	ck_assert_str_eq(pcpc_state_name(PCPC_REQUESTING), "requesting");
	ck_assert_str_eq(pcpc_state_name(PCPC_BOUND), "bound");
	ck_assert_str_eq(pcpc_state_name(PCPC_RENEWING), "renewing");
	ck_assert_str_eq(pcpc_state_name(PCPC_ERROR), "error");
	ck_assert_str_eq(pcpc_state_name((enum pcpc_state)99), "?");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("pcp_client");
	TCase *tc = tcase_create("pcp_client");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, jitter_is_within_ten_percent);
	tcase_add_test(tc, retransmission_doubles_up_to_mrt);
	tcase_add_test(tc, retransmission_is_jittered);
	tcase_add_test(tc, grant_schedules_renewal_between_half_and_five_eighths);
	tcase_add_test(tc, unanswered_renewal_keeps_the_set_and_retransmits);
	tcase_add_test(tc, errors_back_off_capped_by_lifetime_and_mrt);
	tcase_add_test(tc, error_while_bound_keeps_the_set);
	tcase_add_test(tc, epoch_rfc6887_8_5);
	tcase_add_test(tc, lost_state_re_registers_at_once);
	tcase_add_test(tc, announce_asks_again_at_once);
	tcase_add_test(tc, state_names);
	suite_add_tcase(s, tc);
	return check_main(s);
}
