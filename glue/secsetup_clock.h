#ifndef SECSETUP_CLOCK_H
#define SECSETUP_CLOCK_H

#include <stdint.h>
#include <time.h>

/* The one time source of every core call: monotonic seconds, the same in all processes. */
static inline uint64_t secsetup_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

#endif
