/* throttle_cases.h -- the pair delay's table, shared by every copy of the formula */
#ifndef FCGI_AUTH_THROTTLE_CASES_H
#define FCGI_AUTH_THROTTLE_CASES_H

/*
 * (np, M, W) -> the pair's delay, with the base delay B = 30 s: the C
 * function (check_throttle) and store_redis.c's Lua (check_store_redis)
 * run this one table, so the copies cannot drift apart.
 */
static const struct throttle_delay_case {
	const char	*name;
	long long	 np;		/* the pair's failures in the window */
	int		 max;		/* M, LOGIN_MAX_FAILURES */
	long		 window_ms;	/* W */
	long long	 want;		/* ms */
} throttle_delay_cases[] = {
	{ "none", 0, 5, 900000, 0 },
	{ "below M", 4, 5, 900000, 0 },
	{ "at M", 5, 5, 900000, 30000 },
	{ "M+1", 6, 5, 900000, 60000 },
	{ "M+2", 7, 5, 900000, 120000 },
	{ "M+3", 8, 5, 900000, 240000 },
	{ "M+4", 9, 5, 900000, 480000 },
	{ "M+5 capped at W", 10, 5, 900000, 900000 },
	{ "M+6 stays at W", 11, 5, 900000, 900000 },
	{ "far past M", 1000000, 5, 900000, 900000 },
	{ "M 1", 1, 1, 900000, 30000 },
	{ "M 1, np 2", 2, 1, 900000, 60000 },
	{ "M 1000", 1000, 1000, 900000, 30000 },
	{ "M 1000, np 999", 999, 1000, 900000, 0 },
	{ "W 1 min", 5, 5, 60000, 30000 },
	{ "W 1 min, M+1 is W", 6, 5, 60000, 60000 },
	{ "W 1 min, M+2 capped", 7, 5, 60000, 60000 },
	{ "W 1 day", 20, 5, 86400000, 86400000 },
	{ "W 1 day, M+11", 16, 5, 86400000, 61440000 },
};

#endif /* FCGI_AUTH_THROTTLE_CASES_H */
