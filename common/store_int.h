/* store_int.h -- the back-ends' side of store.h: the table store.c dispatches through */
#ifndef FCGI_AUTH_STORE_INT_H
#define FCGI_AUTH_STORE_INT_H

#include <stddef.h>

#include "store.h"

struct watch_clock;

/*
 * A SESSION_STORE as store_url_check parsed it: what a back-end's open
 * needs.  Strings are NUL-terminated and never cut (a longer URL is
 * refused before this is filled in).
 */
struct store_url {
	char		 path[STORE_URL_MAX + 1];	/* sqlite: the file */
	char		 user[STORE_URL_MAX + 1];	/* redis: ACL user; "" none */
	char		 host[STORE_URL_MAX + 1];	/* redis: name or address, no [] */
	int		 port;				/* redis: 1-65535 */
	int		 db;				/* redis: 0-15 */
};

/*
 * One back-end.  impl is what open returned.  Each operation has store.h's
 * contract for the function of the same name; store.c has already checked
 * the arguments' shapes (a sid of SESSION_SID_CHARS base64url characters,
 * a user name of at most USERS_NAME_MAX bytes, max > 0) and zeroes *out
 * before a call, so a back-end fills in only what it found.
 *   open: lim and clock (never NULL) stay valid until free; password
 *     (NULL: none) is the back-end's to copy and wipe.  NULL with one line
 *     in err only when the store can never work (store.h's store_open).
 *   errstr: why the last STORE_DOWN happened, "" if none.
 * Ending a session logs it with until = now + lim->keep_sec; store.c adds
 * what this process ended itself to its own set.
 */
struct store_ops {
	const char	*kind;		/* "sqlite", "redis": store_kind */
	void		*(*open)(const struct store_url *u, const char *password,
			    const struct store_limits *lim,
			    const struct watch_clock *clock, char *err,
			    size_t errlen);
	void		 (*free)(void *impl);
	const char	*(*errstr)(const void *impl);
	enum store_status (*create)(void *impl, struct store_session *s,
			    const unsigned char hash[SESSION_HASH_BYTES]);
	enum store_status (*rotate)(void *impl, const char *sid,
			    const unsigned char old[SESSION_HASH_BYTES],
			    const unsigned char new_hash[SESSION_HASH_BYTES],
			    long long now, struct store_session *out);
	enum store_status (*get)(void *impl, const char *sid,
			    struct store_session *out);
	enum store_status (*end)(void *impl, const char *sid, long long now);
	enum store_status (*end_token)(void *impl, const char *sid,
			    const unsigned char hash[SESSION_HASH_BYTES],
			    long long now);
	enum store_status (*end_user)(void *impl, const char *user,
			    long long now, long *n);
	enum store_status (*list)(void *impl, const char *user, long long now,
			    struct store_session *out, size_t max, size_t *n);
	enum store_status (*ended_since)(void *impl,
			    struct store_cursor *cur, size_t max,
			    store_ended_fn *fn, void *arg, size_t *n);
	enum store_status (*throttle_begin)(void *impl, const char *user,
			    const char *addr, long long now_ms,
			    struct store_attempt *att, long *retry_after);
	enum store_status (*throttle_end)(void *impl,
			    const struct store_attempt *att, int success);
};

/* The back-ends this build has (store.c lists them in one table). */
extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_redis_ops;

/* st's back-end handle if st is a store of ops, else NULL. */
void		*store_impl(struct store *st, const struct store_ops *ops);

/*
 * Tests only: run sql on an open SQLite store's own connection (a lower
 * PRAGMA max_page_count makes it full).  Returns 0, or -1 (also for a
 * store that is not SQLite).
 */
int		 store_sqlite_test_exec(struct store *st, const char *sql);

/*
 * Tests only: the pair's delay after np failures under lim's M, W and B,
 * as store_redis.c's Lua computes it (throttle_delay_ms is the C copy).
 * Returns 0 with *ms, or -1 (the store is down, or not Redis).
 */
int		 store_redis_test_delay(struct store *st, long long np,
		    const struct store_limits *lim, long long *ms);

#endif /* FCGI_AUTH_STORE_INT_H */
