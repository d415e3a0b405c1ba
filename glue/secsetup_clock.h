#ifndef SECSETUP_CLOCK_H
#define SECSETUP_CLOCK_H

#include <stdint.h>
#include <time.h>

/* The one time source of every core call: monotonic seconds, the same in all processes.
 * The coarse clock (the last tick's time, a few ms behind) reads no TSC: the core counts in
 * whole seconds, and every caller, the timer process included, sees the same clock. */
static inline uint64_t secsetup_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec;
}

#endif
