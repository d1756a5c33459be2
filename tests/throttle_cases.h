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

/*
 * One account's story under the default limits (M 5, W 15 min, B 30 s, A
 * 100 an hour), step by step: what an attempt at at_ms from addr is
 * answered.  Any throttle runs it (check_throttle in memory and on each
 * store): THROTTLE_CASE_FAIL and _OK must be allowed, then end as a
 * failure or a success; _WAIT must be refused with that Retry-After.
 * addr "*" is a fresh address for each of the times.
 */
enum throttle_case_what {
	THROTTLE_CASE_FAIL,	/* allowed, wrong password */
	THROTTLE_CASE_OK,	/* allowed, right password */
	THROTTLE_CASE_WAIT,	/* refused: 429 with retry_after */
};

static const struct throttle_case_step {
	long long		 at_ms;
	const char		*user;
	const char		*addr;
	enum throttle_case_what	 what;
	long			 retry_after;
	int			 times;	/* 0 is 1 */
} throttle_story[] = {
	/* 5 failures from one address: the pair waits 30 s. */
	{ 0, "alice", "192.0.2.1", THROTTLE_CASE_FAIL, 0, 5 },
	{ 0, "alice", "192.0.2.1", THROTTLE_CASE_WAIT, 30, 0 },
	/* The wait rounds up: 999 ms left is 1 s. */
	{ 29001, "alice", "192.0.2.1", THROTTLE_CASE_WAIT, 1, 0 },
	/* Another address, another user: not this pair's business. */
	{ 29001, "alice", "192.0.2.2", THROTTLE_CASE_OK, 0, 0 },
	{ 29001, "bob", "192.0.2.1", THROTTLE_CASE_OK, 0, 0 },
	/* The 6th after 30 s, then the delay doubles... */
	{ 30000, "alice", "192.0.2.1", THROTTLE_CASE_FAIL, 0, 0 },
	{ 30000, "alice", "192.0.2.1", THROTTLE_CASE_WAIT, 60, 0 },
	{ 89999, "alice", "192.0.2.1", THROTTLE_CASE_WAIT, 1, 0 },
	{ 90000, "alice", "192.0.2.1", THROTTLE_CASE_FAIL, 0, 0 },
	{ 90000, "alice", "192.0.2.1", THROTTLE_CASE_WAIT, 120, 0 },
	{ 210000, "alice", "192.0.2.1", THROTTLE_CASE_FAIL, 0, 0 },
	{ 210000, "alice", "192.0.2.1", THROTTLE_CASE_WAIT, 240, 0 },
	{ 450000, "alice", "192.0.2.1", THROTTLE_CASE_FAIL, 0, 0 },
	{ 450000, "alice", "192.0.2.1", THROTTLE_CASE_WAIT, 480, 0 },
	/* ... until the first five leave the window (at > now - W): 4 left. */
	{ 899999, "alice", "192.0.2.1", THROTTLE_CASE_WAIT, 31, 0 },
	{ 900001, "alice", "192.0.2.1", THROTTLE_CASE_FAIL, 0, 0 },
	{ 900001, "alice", "192.0.2.1", THROTTLE_CASE_WAIT, 30, 0 },
	/* After the wait, a success clears the pair: 4 failures allowed. */
	{ 930001, "alice", "192.0.2.1", THROTTLE_CASE_OK, 0, 0 },
	{ 930001, "alice", "192.0.2.1", THROTTLE_CASE_FAIL, 0, 4 },
	{ 930001, "alice", "192.0.2.1", THROTTLE_CASE_OK, 0, 0 },
	/*
	 * The account: 14 failures so far (the cleared ones count), 86
	 * more from 86 addresses make 100 in the hour: a clean address
	 * waits until the oldest (at 0) is an hour old, whoever it is.
	 */
	{ 1000000, "alice", "*", THROTTLE_CASE_FAIL, 0, 86 },
	{ 1000000, "alice", "192.0.2.3", THROTTLE_CASE_WAIT, 2600, 0 },
	{ 1000000, "bob", "192.0.2.3", THROTTLE_CASE_OK, 0, 0 },
	{ 3599999, "alice", "192.0.2.3", THROTTLE_CASE_WAIT, 1, 0 },
	/* The five at 0 are an hour old: 95 in the hour, 5 more allowed. */
	{ 3600000, "alice", "192.0.2.3", THROTTLE_CASE_FAIL, 0, 5 },
	{ 3600000, "alice", "192.0.2.3", THROTTLE_CASE_WAIT, 30, 0 },
	/* Then each leaves the hour in turn: the one at 30 s, and so on. */
	{ 3629999, "alice", "192.0.2.4", THROTTLE_CASE_WAIT, 1, 0 },
	{ 3630000, "alice", "192.0.2.4", THROTTLE_CASE_OK, 0, 0 },
	{ 3630000, "alice", "192.0.2.5", THROTTLE_CASE_FAIL, 0, 0 },
	{ 3630000, "alice", "192.0.2.6", THROTTLE_CASE_WAIT, 60, 0 },
};

#endif /* FCGI_AUTH_THROTTLE_CASES_H */
