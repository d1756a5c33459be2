/* check_clock.c -- clock_ms: milliseconds from each clock the code reads */
#include "config.h"

#include <time.h>

#include "check_common.h"
#include "clock.h"

/* Every clock the library reads through clock_ms, and what it is for. */
static const struct {
	const char	*name;
	clockid_t	 id;
} clocks[] = {
	{ "CLOCK_MONOTONIC (deadlines, waits)", CLOCK_MONOTONIC },
	{ "CLOCK_MONOTONIC_COARSE (per request)", CLOCK_MONOTONIC_COARSE },
	{ "CLOCK_REALTIME (file times)", CLOCK_REALTIME },
};

/* Milliseconds of the clock, rounded down: between two raw readings. */
START_TEST(test_between_readings)
{
	struct timespec	 a, b;
	long long	 ms, lo, hi;

	ck_assert_int_eq(clock_gettime(clocks[_i].id, &a), 0);
	ms = clock_ms(clocks[_i].id);
	ck_assert_int_eq(clock_gettime(clocks[_i].id, &b), 0);
	lo = (long long)a.tv_sec * 1000 + a.tv_nsec / 1000000;
	hi = (long long)b.tv_sec * 1000 + b.tv_nsec / 1000000;
	ck_assert_msg(ms >= lo && ms <= hi, "%s: %lld ms, readings %lld..%lld",
	    clocks[_i].name, ms, lo, hi);
}
END_TEST

/* Never back, read after read. */
START_TEST(test_never_back)
{
	long long	 prev, now;
	int		 n;

	prev = clock_ms(clocks[_i].id);
	ck_assert_msg(prev > 0, "%s: %lld", clocks[_i].name, prev);
	for (n = 0; n < 1000; n++) {
		now = clock_ms(clocks[_i].id);
		/* The realtime clock may be stepped back by an admin: not here. */
		ck_assert_msg(now >= prev, "%s: %lld after %lld",
		    clocks[_i].name, now, prev);
		prev = now;
	}
}
END_TEST

/* The real-time clock in ms agrees with time(2) in s. */
START_TEST(test_realtime_is_time)
{
	long long	 before, ms, after;

	before = (long long)time(NULL) * 1000;
	ms = clock_ms(CLOCK_REALTIME);
	after = (long long)time(NULL) * 1000;
	/* time(2) may lag a tick behind CLOCK_REALTIME: a second of slack. */
	ck_assert_msg(ms >= before && ms < after + 2000,
	    "%lld ms, time(2) %lld..%lld", ms, before, after);
}
END_TEST

static Suite *
clock_suite(void)
{
	Suite	*s = suite_create("clock");
	TCase	*tc;

	tc = tcase_create("clock_ms");
	tcase_add_loop_test(tc, test_between_readings, 0, ARRAY_SIZE(clocks));
	tcase_add_loop_test(tc, test_never_back, 0, ARRAY_SIZE(clocks));
	tcase_add_test(tc, test_realtime_is_time);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(clock_suite)
