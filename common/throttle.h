/* throttle.h -- login throttling: per account, per (account, address) */
#ifndef FCGI_AUTH_THROTTLE_H
#define FCGI_AUTH_THROTTLE_H

#include <stddef.h>

#include "store.h"

/*
 * The rule (OWASP ASVS 4.0.3 V2.2.1, NIST SP 800-63B 5.2.2), with M =
 * max_failures, W = window_ms, B = base_delay_ms, A = account_max, AW =
 * account_window_ms (store_limits; defaults 5, 15 min, 30 s, 100, 1 h):
 *   np = the pair's failures within W, last the newest of them;
 *   na = the account's failures within AW (every address, and the
 *        failures of pairs a success has cleared), oldest the oldest;
 *   pair wait:    np >= M: last + min(B * 2^(np - M), W) - now;
 *   account wait: na >= A: oldest + AW - now;
 * an attempt waits max(pair, account, 0): 429 with Retry-After, the wait
 * rounded up to seconds, nothing recorded and no hash computed.  A
 * correct password from an address with no recent failures logs in
 * whatever other addresses did, until the account's own cap is reached:
 * an attacker cannot lock the owner out below it.  A success clears its
 * pair.  On a store, an attempt is recorded before the password is
 * hashed (atomically with the count) and deleted if it succeeds, so the
 * caps hold under any concurrency; in memory (sessions off), failures are
 * recorded after the hash, one request at a time, per process.
 */
#define THROTTLE_ACCOUNT_MAX		100
#define THROTTLE_ACCOUNT_WINDOW_SEC	3600
#define THROTTLE_BASE_DELAY_SEC		30
/* The account key of every name that is no valid user name. */
#define THROTTLE_INVALID_NAME		"!invalid"
/* In memory: at most this many accounts and pairs (the oldest go). */
#define THROTTLE_MEM_ACCOUNTS		4096
#define THROTTLE_MEM_PAIRS		16384
#define THROTTLE_MEM_PAIR_RING		32	/* times kept per pair */

/* What throttle_begin says about a login attempt. */
enum throttle_verdict {
	THROTTLE_ALLOW,		/* check the password, then throttle_end */
	THROTTLE_WAIT,		/* 429 Too many failed logins, Retry-After */
	THROTTLE_DOWN,		/* the store cannot record it: 503 */
};

/* A pair's and an account's failures in their windows, as the rule reads them. */
struct throttle_counts {
	long long	 np, last;	/* the pair's: how many, the newest */
	long long	 na, oldest;	/* the account's: how many, the oldest */
};

struct throttle;

/*
 * Throttling on st (its limits apply), or, for throttle_new_memory, in
 * this process's memory under lim (copied): sessions off.  max_failures 0
 * turns it off (every attempt allowed, nothing recorded).  Returns NULL
 * if out of memory.  throttle_free(NULL) is a no-op; st is not freed.
 */
struct throttle	*throttle_new_store(struct store *st);
struct throttle	*throttle_new_memory(const struct store_limits *lim);
void		 throttle_free(struct throttle *t);

/*
 * May this login attempt go on to the password check?  name is the name
 * as typed (len bytes, maybe with NUL bytes), remote_addr REMOTE_ADDR
 * (NULL if none; never a header a client can set); now_ms the real-time
 * clock in milliseconds.  THROTTLE_ALLOW with *att filled (hand it to
 * throttle_end), THROTTLE_WAIT with *retry_after in seconds (at least 1),
 * or THROTTLE_DOWN (the store is down: fail closed; store_errstr says
 * why).  Whether the account exists plays no part.
 */
enum throttle_verdict throttle_begin(struct throttle *t, const char *name,
		    size_t len, const char *remote_addr, long long now_ms,
		    struct store_attempt *att, long *retry_after);

/*
 * The attempt's outcome: success 1 clears the pair (and the attempt),
 * success 0 leaves (store) or records (memory) a failure.  Returns 0, or
 * -1 if the store is down (log it and carry on: the login's own store
 * write says whether to answer 503).
 */
int		 throttle_end(struct throttle *t,
		    const struct store_attempt *att, int success);

/*
 * The account key of a name as typed: the name if users_valid_name
 * accepts it, else THROTTLE_INVALID_NAME (one bucket for every malformed
 * name, so they bound the key space and throttle only each other).
 * out has USERS_NAME_MAX + 1 bytes.
 */
void		 throttle_account_key(const char *name, size_t len,
		    char out[USERS_NAME_MAX + 1]);

/*
 * The address key of REMOTE_ADDR: IPv4 as it is; an IPv4-mapped IPv6
 * address as its IPv4; any other IPv6 address as its /64
 * ("2001:db8:1:2::/64": a client is given a whole /64); "-" for none or
 * for one inet_pton does not parse.  out has STORE_ADDR_MAX + 1 bytes.
 */
void		 throttle_addr_key(const char *remote_addr,
		    char out[STORE_ADDR_MAX + 1]);

/*
 * The pair's delay after np failures in the window (np >= M): B * 2^(np -
 * M), at most W; 0 below M.  The one C copy of the formula (the SQLite
 * store and the in-memory table use it; store_redis.c's Lua has the
 * other).
 */
long long	 throttle_delay_ms(const struct store_limits *lim, long long np);

/*
 * How long an attempt at now_ms must wait given the counts: the rule
 * above; 0 if it may go on.
 */
long long	 throttle_wait_ms(const struct store_limits *lim,
		    const struct throttle_counts *c, long long now_ms);

#endif /* FCGI_AUTH_THROTTLE_H */
