/* clock.c -- milliseconds from a system clock */
#include "config.h"

#include <time.h>

#include "clock.h"

long long
clock_ms(clockid_t id)
{
	struct timespec	 ts;

	/* Fails only for a clock the system lacks: every id here is POSIX. */
	(void)clock_gettime(id, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
