/* clock.h -- milliseconds from a system clock */
#ifndef FCGI_AUTH_CLOCK_H
#define FCGI_AUTH_CLOCK_H

#include <time.h>

/*
 * The time on clock id in milliseconds, rounded down: CLOCK_MONOTONIC
 * (any origin) for deadlines and waits, CLOCK_MONOTONIC_COARSE for what
 * is looked at per request (a tick of a few ms, read without a system
 * call), CLOCK_REALTIME for what is compared with file times.  Code that
 * tests step takes a struct watch_clock (watch.h) instead of calling this.
 */
long long	clock_ms(clockid_t id);

#endif /* FCGI_AUTH_CLOCK_H */
