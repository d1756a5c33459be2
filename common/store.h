/* store.h -- sessions, ended sessions and login failures: one interface, two back-ends */
#ifndef FCGI_AUTH_STORE_H
#define FCGI_AUTH_STORE_H

#include <stddef.h>

#include "session.h"
#include "token.h"
#include "users.h"

struct watch_clock;

/*
 * SESSION_STORE chooses the back-end:
 *   sqlite:PATH                  SQLite in WAL mode (one host; PATH
 *                                absolute, on a local file system)
 *   redis://[USER@]HOST[:PORT][/DB]  Redis (several hosts); HOST a name,
 *                                IPv4 or [IPv6]; PORT 1-65535 (6379); DB
 *                                0-15 (0); the password, if any, from a
 *                                file (SESSION_STORE_PASSWORD_FILE), never
 *                                in the URL
 * Every operation answers an enum store_status.  STORE_DOWN always means
 * "answer 503 with Retry-After: STORE_RETRY_AFTER_SEC": the store could
 * not be reached, was locked, full or refused the write, and nothing was
 * half-written (a transaction rolled back, or a script that did not
 * run).  A store that is down when a process starts is not fatal: every
 * operation tries again, and works again without a restart once the
 * store is back.  Time is always the caller's (now: Unix seconds,
 * now_ms: milliseconds), so tests step one clock for both back-ends.
 * A handle belongs to the process that opened it (a child after fork(2)
 * opens its own: store_sqlite.c checks, store_redis.c reconnects).
 */
#define STORE_URL_MAX		1024
#define STORE_ADDR_MAX		63	/* REMOTE_ADDR as text, or a /64 */
#define STORE_AGENT_MAX		255	/* User-Agent, log_escape'd and cut */
#define STORE_RETRY_AFTER_SEC	5	/* the 503's Retry-After */
#define STORE_POLL_INTERVAL_MS	500	/* the ended log, at most this often */
#define STORE_SWEEP_INTERVAL_MS	60000	/* forget expired entries */
#define STORE_SQLITE_BUSY_MS	5000	/* wait for SQLite's write lock */
#define STORE_REDIS_CONNECT_MS	200
#define STORE_REDIS_COMMAND_MS	1000
#define STORE_REDIS_POLL_MS	200	/* the poll's own command timeout */
#define STORE_REDIS_RETRY_MS	1000	/* after a failure, connect again */
#define STORE_PASSWORD_MAX	512	/* SESSION_STORE_PASSWORD_FILE */
#define STORE_LIST_MAX		512	/* sessions store_list looks at */

/* Every answer of an operation. */
enum store_status {
	STORE_OK,		/* done */
	STORE_NOT_FOUND,	/* no such session, or a token it never issued */
	STORE_REUSED,		/* a rotated refresh token: the family ended */
	STORE_ENDED,		/* the session ended or expired: no refresh */
	STORE_THROTTLED,	/* a login attempt refused: *retry_after set */
	STORE_DOWN,		/* unreachable, locked, full: 503, nothing written */
};

/* What is kept of a session. */
struct store_session {
	char		 sid[SESSION_SID_CHARS + 1];
	char		 user[USERS_NAME_MAX + 1];
	long		 ver;		/* the user's token version at login */
	char		 scope[TOKEN_SCOPE_MAX + 1];	/* granted at login */
	long long	 created;	/* Unix seconds */
	long long	 last_used;	/* the last refresh (created if none) */
	long long	 expires;	/* min(abs_expires, last_used + idle) */
	long long	 abs_expires;	/* created + the absolute lifetime */
	long long	 ended;		/* when it was ended; 0: not ended */
	char		 addr[STORE_ADDR_MAX + 1];	/* REMOTE_ADDR at login */
	char		 agent[STORE_AGENT_MAX + 1];	/* User-Agent at login */
	/*
	 * session_pw_fingerprint of the user's password hash at login; ""
	 * for a session made before sessions kept one (accepted as it is).
	 */
	char		 pwfp[SESSION_PWFP_CHARS + 1];
};

/*
 * The lifetimes and the throttling rule, fixed when the store is opened.
 * store_limits_init fills in the defaults; the caller sets what its
 * configuration says.
 */
struct store_limits {
	long		 ttl_sec;	/* REFRESH_TOKEN_TTL_DAYS: 14 days */
	long		 idle_sec;	/* REFRESH_TOKEN_IDLE_DAYS: 7 days */
	/*
	 * How long a session's rows stay past its expiry, and an ended
	 * session in the log: no access token of it is valid after that.
	 * ACCESS_TOKEN_TTL_MIN * 60 + TOKEN_LEEWAY_SEC (1860 s), and every
	 * host must agree on ACCESS_TOKEN_TTL_MIN.
	 */
	long		 keep_sec;
	int		 max_failures;	/* LOGIN_MAX_FAILURES: 5; 0 is off */
	long		 window_ms;	/* LOGIN_FAILURE_WINDOW_MIN: 15 min */
	long		 base_delay_ms;	/* the first wait: 30 s, then doubling */
	int		 account_max;	/* failures an account may have ... */
	long		 account_window_ms;	/* ... in this long: 100 an hour */
	/*
	 * How long one operation may wait for the store; 0: the back-end's
	 * own (STORE_SQLITE_BUSY_MS, STORE_REDIS_COMMAND_MS).  Tests lower it.
	 */
	int		 timeout_ms;
};

/* One login attempt, as store_throttle_begin recorded it. */
struct store_attempt {
	char		 id[33];	/* a row id, or 32 random hex digits */
	char		 user[USERS_NAME_MAX + 1];	/* the account's key */
	char		 addr[STORE_ADDR_MAX + 1];	/* the address's key */
};

/*
 * Where a reader of the ended log has got to: opaque to callers, and
 * {0, 0} before the first entry.  (SQLite: 0 and a sequence number;
 * Redis: a stream entry's id.)
 */
struct store_cursor {
	unsigned long long	 hi, lo;
};

struct store;

/* Called for each entry of the ended log (store_ended_since). */
typedef void store_ended_fn(const unsigned char sid[SESSION_SID_BYTES],
    long long until, void *arg);

/* The defaults: the lifetimes and the rule above, timeout_ms 0. */
void		 store_limits_init(struct store_limits *lim);

/*
 * Whether url is a SESSION_STORE this build understands (the forms above;
 * a password in a redis URL is refused: use a file).  Returns 0, or -1
 * with one line in err.  cfg_load can call it before anything is opened.
 */
int		 store_url_check(const char *url, char *err, size_t errlen);

/*
 * Open the store at url with lim (copied).  password_file (NULL: none)
 * holds Redis's password (at most STORE_PASSWORD_MAX bytes, trailing
 * newlines cut; refused for SQLite).  clock NULL is the system's: the
 * monotonic clock paces the polls of the ended log and Redis's
 * reconnects, the real-time one says which ended sessions are still
 * relevant.  SQLite opens (and creates) the file; Redis tries to connect.
 * Neither fails for a store that is down (locked, full, unreachable):
 * operations answer STORE_DOWN until it is back.  A Redis store makes
 * the process ignore SIGPIPE (hiredis writes with write(2), and Linux has
 * no per-socket way out): a connection Redis closed is then an error
 * return, never the end of the process.  Returns NULL with one
 * line in err only for a bad URL or password file, a SQLite file that
 * cannot be opened at all, or out of memory.  store_free(NULL) is a
 * no-op; store_free wipes the password.
 */
struct store	*store_open(const char *url, const char *password_file,
		    const struct store_limits *lim,
		    const struct watch_clock *clock, char *err, size_t errlen);
void		 store_free(struct store *st);

/* "sqlite" or "redis", for log lines. */
const char	*store_kind(const struct store *st);

/*
 * Why the last STORE_DOWN happened ("sqlite: database is locked",
 * "redis: Connection refused", "redis: OOM command not allowed ..."), for
 * the one log line; "" if none.  Borrowed until the next operation.
 */
const char	*store_errstr(const struct store *st);

/*
 * A new session: s->sid (session_new_id), user, ver, scope, created (now),
 * addr, agent and pwfp ("" or SESSION_PWFP_CHARS) as the caller sets
 * them; store_create sets last_used (created), abs_expires (created +
 * ttl_sec), expires (min(abs_expires, created + idle_sec)) and ended (0)
 * in *s, and keeps hash as the current refresh token's.  STORE_OK, or
 * STORE_DOWN.
 */
enum store_status store_create(struct store *st, struct store_session *s,
		    const unsigned char hash[SESSION_HASH_BYTES]);

/*
 * Rotate the refresh token whose hash is old to new_hash, at now:
 *   old is the current one, session not ended, expires > now: new_hash
 *     becomes current, old a rotated one, last_used = now, expires =
 *     min(abs_expires, now + idle_sec): STORE_OK.  A retry of the same
 *     rotation (the current one is already new_hash, session live) is
 *     STORE_OK again, without a second rotation: a reply lost on the way
 *     does not end the session, and nobody else can know new_hash.
 *   old is the current one, session ended or expired: STORE_ENDED,
 *     nothing written (an expiry is no revocation: nothing is logged).
 *   old is a rotated one: reuse, so the whole session ends now (logged,
 *     and this process's own set learns it at once): STORE_REUSED.  Of
 *     two callers racing with the same old, one gets STORE_OK and the
 *     other STORE_REUSED, on any host (RFC 9700 4.14.2: strict).
 *   anything else (unknown sid, a guess for a known one): STORE_NOT_FOUND,
 *     nothing written (a sid is no secret: every access token shows it).
 * *out is the session as it is after the call for STORE_OK, STORE_REUSED
 * and STORE_ENDED, zeroed otherwise.
 */
enum store_status store_rotate(struct store *st, const char *sid,
		    const unsigned char old[SESSION_HASH_BYTES],
		    const unsigned char new_hash[SESSION_HASH_BYTES],
		    long long now, struct store_session *out);

/*
 * The session sid, ended or not, until it is purged (keep_sec after it
 * expires): STORE_OK with *out, STORE_NOT_FOUND, or STORE_DOWN.  A read:
 * refresh's scope check, authctl.
 */
enum store_status store_get(struct store *st, const char *sid,
		    struct store_session *out);

/*
 * End session sid at now: it refreshes no more, and its access tokens are
 * refused on every process within STORE_POLL_INTERVAL_MS (this one at
 * once).  STORE_OK, STORE_NOT_FOUND (unknown, purged or already ended:
 * nothing logged again), or STORE_DOWN.
 */
enum store_status store_end(struct store *st, const char *sid,
		    long long now);

/*
 * As store_end, but only if hash is the session's current or one of its
 * rotated refresh tokens (possession of one is authority over the
 * session: RFC 7009 revoke, logout's refresh_token).  A guess for a known
 * sid is STORE_NOT_FOUND and ends nothing.
 */
enum store_status store_end_token(struct store *st, const char *sid,
		    const unsigned char hash[SESSION_HASH_BYTES], long long now);

/*
 * End every live session of user at now (authctl logout, revoke, passwd,
 * disable, del); *n says how many were live.  Each is logged; this
 * process learns them at its next poll.  STORE_OK or STORE_DOWN (some may
 * have ended before the store went down: run it again).
 */
enum store_status store_end_user(struct store *st, const char *user,
		    long long now, long *n);

/*
 * The live sessions of user (not ended, expires > now), oldest first, at
 * most max of them into out; *n how many.  STORE_OK or STORE_DOWN.
 */
enum store_status store_list(struct store *st, const char *user,
		    long long now, struct store_session *out, size_t max,
		    size_t *n);

/*
 * Read the ended log after *cur, in commit order, at most max entries,
 * calling fn for each; *cur moves past the last one read and *n says how
 * many there were (fewer than max: caught up).  Entries whose until has
 * passed may still be there until purged.  A read: it never waits for a
 * writer.  STORE_OK, or STORE_DOWN with *cur where it was.  (store_ended
 * below drives it; authctl and tests call it directly.)
 */
enum store_status store_ended_since(struct store *st,
		    struct store_cursor *cur, size_t max, store_ended_fn *fn,
		    void *arg, size_t *n);

/*
 * Read the whole ended log into this process's set now: at start, so the
 * first token check does not wait for it.  Returns 0, or -1 if the store
 * is down (not fatal: store_ended tries again when due, and until one
 * read has succeeded it accepts sid tokens, said once in the log).
 */
int		 store_ended_load(struct store *st);

/*
 * Has session sid (its 22 characters, from a verified access token)
 * ended?  Reads what is new in the ended log first when
 * STORE_POLL_INTERVAL_MS have passed since the last read (a store that
 * is down costs one failed read per interval, said once in the log, and
 * the set keeps what it had), and forgets expired entries every
 * STORE_SWEEP_INTERVAL_MS.  Returns 1 (refuse: "Token revoked") or 0.
 * An id that does not decode is 0: token_verify types the claim.
 */
int		 store_ended(struct store *st, const char *sid);

/*
 * As store_ended, for a sid already decoded (a verified token's
 * sid_raw): what the token check calls, so a cached token costs no
 * base64 decoding per request.
 */
int		 store_ended_raw(struct store *st,
		    const unsigned char sid[SESSION_SID_BYTES]);

/*
 * The next store_ended or store_ended_raw reads the ended log whatever
 * the pacing: for a question that must see every session ended before it
 * was asked (nginx's second ask, after another process refused).
 */
void		 store_poll_now(struct store *st);

/* How many ended sessions this process holds (tests, the debug log). */
size_t		 store_ended_count(const struct store *st);

/*
 * Login throttling's storage (throttle.c applies the rule; user and addr
 * are its keys, see throttle.h).  Counts the attempts of the pair (user,
 * addr) and of the account user in their windows and, if neither must
 * wait, records this attempt, atomically with the count, as a failure
 * until store_throttle_end says otherwise: STORE_OK with *att filled.
 * Else STORE_THROTTLED with *retry_after (seconds, at least 1) and
 * nothing recorded; or STORE_DOWN (fail closed: 503).
 */
enum store_status store_throttle_begin(struct store *st, const char *user,
		    const char *addr, long long now_ms,
		    struct store_attempt *att, long *retry_after);

/*
 * The attempt's outcome.  success 0: nothing to do (the attempt is the
 * failure's record).  success 1: the attempt is deleted, and the pair's
 * earlier failures leave the pair (they still count for the account).
 * STORE_OK or STORE_DOWN.
 */
enum store_status store_throttle_end(struct store *st,
		    const struct store_attempt *att, int success);

#endif /* FCGI_AUTH_STORE_H */
