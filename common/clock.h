/* SPDX-License-Identifier: MIT */
/* The monotonic clock in milliseconds: what the daemons' timers count in. */
#ifndef AP_CLOCK_H
#define AP_CLOCK_H

#include <stdint.h>

uint64_t clock_ms(void);

#endif
