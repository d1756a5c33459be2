/* store_redis.c -- the session store on Redis (several hosts), hiredis 0.14 */
#include "config.h"

#include <sys/time.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hiredis.h>

#include "log.h"
#include "session.h"
#include "store.h"
#include "store_int.h"
#include "watch.h"

/*
 * Keys (one database per deployment: redis://HOST/DB):
 *   fa:s:SID        hash: user ver scope created last exp abs ended addr
 *                   agent gen cur pw (cur: the current hash, 32 raw bytes;
 *                   pw: the password hash's fingerprint, absent in a
 *                   session made before there was one); gone keep
 *                   seconds after exp, moved at each refresh
 *   fa:r:SID        set: the rotated hashes; the same expiry
 *   fa:u:USER       zset: SID -> abs + keep (list, end all); gone when the
 *                   newest session's is
 *   fa:ended        stream of {s SID, u UNTIL}, trimmed to keep at each add
 *   fa:fp:USER|ADDR zset: attempt id -> ms, the pair's in its window
 *   fa:fa:USER      zset: attempt id -> ms, the account's in its window
 *   fa:epoch        16 random bytes (hex), SET NX at each connect: a new
 *                   value means Redis lost its data
 * USER is a valid user name or THROTTLE_INVALID_NAME (no '|', ':' or
 * space), ADDR has no '|'.  Every script names every key it touches in
 * KEYS; a stream and a session's keys would sit in different slots, so
 * Cluster is not supported.  Arguments go through redisCommandArgv only,
 * binary-safe, never through a format string.  Every script reads before
 * its first write (Redis does not roll a script back), and every one is
 * idempotent, so one that may have run is safe to run again.  Times are
 * the caller's, and so are expiries: a key lives exp + keep - now seconds
 * from the caller's now (EXPIRE, not EXPIREAT), so a host whose clock is
 * off, or a test's clock, never makes Redis drop a live session.
 */
#define KEY_ENDED	"fa:ended"
#define KEY_EPOCH	"fa:epoch"
#define KEY_MAX		(8 + USERS_NAME_MAX + 1 + STORE_ADDR_MAX + 1)
#define PAGE_MAX	512	/* ids read at a time (list, end_user) */
#define ERR_MAX		256

/* End a live session and log it; 1 if it was live.  (TIME before writes
   is allowed: Redis 7 replicates a script by its effects.) */
#define LUA_ENDIT \
"local function endit(skey, stream, sid, now, untl, keep)\n" \
"  local e = redis.call('HGET', skey, 'ended')\n" \
"  if not e or e ~= '0' then return 0 end\n" \
"  redis.call('HSET', skey, 'ended', now)\n" \
"  local t = redis.call('TIME')\n" \
"  local minid = (tonumber(t[1]) - tonumber(keep)) * 1000\n" \
"  if minid < 0 then minid = 0 end\n" \
"  redis.call('XADD', stream, 'MINID', '~', minid, '*', 's', sid,\n" \
"    'u', untl)\n" \
"  return 1\n" \
"end\n"

/* The session as rotate answers it, after its status. */
#define LUA_SESSION \
"local function sess(skey, st)\n" \
"  local h = redis.call('HMGET', skey, 'user', 'ver', 'scope', 'created',\n" \
"    'last', 'exp', 'abs', 'ended', 'addr', 'agent', 'pw')\n" \
"  return {st, h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10],\n" \
"    h[11]}\n" \
"end\n"

static const char lua_create[] =
/* KEYS: fa:s:SID fa:u:USER
   ARGV: sid user ver scope created exp abs addr agent cur keep pw */
"local now, keep = tonumber(ARGV[5]), tonumber(ARGV[11])\n"
"redis.call('HSET', KEYS[1], 'user', ARGV[2], 'ver', ARGV[3], 'scope',\n"
"  ARGV[4], 'created', ARGV[5], 'last', ARGV[5], 'exp', ARGV[6], 'abs',\n"
"  ARGV[7], 'ended', '0', 'addr', ARGV[8], 'agent', ARGV[9], 'gen', '0',\n"
"  'cur', ARGV[10], 'pw', ARGV[12])\n"
"redis.call('EXPIRE', KEYS[1], tonumber(ARGV[6]) + keep - now)\n"
"redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)\n"
"redis.call('ZADD', KEYS[2], tonumber(ARGV[7]) + keep, ARGV[1])\n"
"redis.call('EXPIRE', KEYS[2], tonumber(ARGV[7]) + keep - now)\n"
"return 1\n";

static const char lua_rotate[] =
/* KEYS: fa:s:SID fa:r:SID fa:ended; ARGV: old new now idle until keep sid */
LUA_ENDIT LUA_SESSION
"local h = redis.call('HMGET', KEYS[1], 'cur', 'ended', 'exp', 'abs')\n"
"if not h[1] then return {'nf'} end\n"
"local now = tonumber(ARGV[3])\n"
"local live = h[2] == '0' and tonumber(h[3]) > now\n"
/* A retry whose reply was lost: nobody else can know new.  Once the
   session has ended, old is a rotated token like any other: reuse. */
"if h[1] == ARGV[2] and live then return sess(KEYS[1], 'ok') end\n"
"if h[1] == ARGV[1] then\n"
"  if not live then return sess(KEYS[1], 'ended') end\n"
"  local exp = now + tonumber(ARGV[4])\n"
"  if exp > tonumber(h[4]) then exp = tonumber(h[4]) end\n"
"  redis.call('HSET', KEYS[1], 'cur', ARGV[2], 'last', now, 'exp', exp)\n"
"  redis.call('HINCRBY', KEYS[1], 'gen', 1)\n"
"  redis.call('SADD', KEYS[2], ARGV[1])\n"
"  redis.call('EXPIRE', KEYS[1], exp + tonumber(ARGV[6]) - now)\n"
"  redis.call('EXPIRE', KEYS[2], exp + tonumber(ARGV[6]) - now)\n"
"  return sess(KEYS[1], 'ok')\n"
"end\n"
"if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then\n"
"  endit(KEYS[1], KEYS[3], ARGV[7], now, ARGV[5], ARGV[6])\n"
"  return sess(KEYS[1], 'reused')\n"
"end\n"
"return {'nf'}\n";

static const char lua_end[] =
/* KEYS: fa:s:SID fa:ended; ARGV: sid now until keep live_only
   (live_only "1": not if it has expired, for end_user) */
LUA_ENDIT
"if ARGV[5] == '1' then\n"
"  local exp = redis.call('HGET', KEYS[1], 'exp')\n"
"  if not exp or tonumber(exp) <= tonumber(ARGV[2]) then return 0 end\n"
"end\n"
"return endit(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[4])\n";

static const char lua_end_token[] =
/* KEYS: fa:s:SID fa:r:SID fa:ended; ARGV: hash sid now until keep */
LUA_ENDIT
"local cur = redis.call('HGET', KEYS[1], 'cur')\n"
"if not cur then return 0 end\n"
"if cur ~= ARGV[1] and redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then\n"
"  return 0\n"
"end\n"
"return endit(KEYS[1], KEYS[3], ARGV[2], ARGV[3], ARGV[4], ARGV[5])\n";

/*
 * The pair's delay after np failures, as throttle_delay_ms computes it:
 * B * 2^(np - M), at most W, doubled step by step only while below W (no
 * power overflows); 0 below M.  tests/throttle_cases.h runs both copies.
 */
#define LUA_DELAY \
"local function delay(np, max, win, base)\n" \
"  if max <= 0 or np < max then return 0 end\n" \
"  local d = base\n" \
"  for i = max + 1, np do\n" \
"    if d >= win then break end\n" \
"    d = d * 2\n" \
"  end\n" \
"  if d > win then d = win end\n" \
"  return d\n" \
"end\n"

/*
 * The rule of throttle.h, as throttle_wait_ms computes it: the pair's wait
 * is last + delay - now, the account's oldest + AW - now; the larger, if
 * positive, is the answer (ms) and nothing is recorded.  M = 0: no rule.
 */
static const char lua_throttle[] =
/* KEYS: pair account; ARGV: now_ms window_ms max awin_ms amax id base_ms */
LUA_DELAY
"local now, win = tonumber(ARGV[1]), tonumber(ARGV[2])\n"
"local max = tonumber(ARGV[3])\n"
"local awin, amax = tonumber(ARGV[4]), tonumber(ARGV[5])\n"
"if max <= 0 then return 0 end\n"
"redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - win)\n"
"redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - awin)\n"
"local np = redis.call('ZCARD', KEYS[1])\n"
"local na = redis.call('ZCARD', KEYS[2])\n"
"local wait = 0\n"
"if np >= max then\n"
"  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]\n"
"  last = tonumber(last)\n"
"  wait = last + delay(np, max, win, tonumber(ARGV[7])) - now\n"
"end\n"
"if amax > 0 and na >= amax then\n"
"  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')[2]\n"
"  oldest = tonumber(oldest)\n"
"  if oldest + awin - now > wait then wait = oldest + awin - now end\n"
"end\n"
"if wait > 0 then return wait end\n"
"redis.call('ZADD', KEYS[1], now, ARGV[6])\n"
"redis.call('PEXPIRE', KEYS[1], win)\n"
"redis.call('ZADD', KEYS[2], now, ARGV[6])\n"
"redis.call('PEXPIRE', KEYS[2], awin)\n"
"return 0\n";

/* Tests only: the delay alone.  ARGV: np max win base */
static const char lua_delay[] =
LUA_DELAY
"return delay(tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]),\n"
"  tonumber(ARGV[4]))\n";

static const char lua_throttle_ok[] =
/* KEYS: pair account; ARGV: id */
"redis.call('ZREM', KEYS[2], ARGV[1])\n"
"redis.call('DEL', KEYS[1])\n"
"return 1\n";

enum script {
	SCRIPT_CREATE,
	SCRIPT_ROTATE,
	SCRIPT_END,
	SCRIPT_END_TOKEN,
	SCRIPT_THROTTLE,
	SCRIPT_THROTTLE_OK,
	SCRIPT_COUNT
};

static const char *const scripts[SCRIPT_COUNT] = {
	[SCRIPT_CREATE] = lua_create,
	[SCRIPT_ROTATE] = lua_rotate,
	[SCRIPT_END] = lua_end,
	[SCRIPT_END_TOKEN] = lua_end_token,
	[SCRIPT_THROTTLE] = lua_throttle,
	[SCRIPT_THROTTLE_OK] = lua_throttle_ok,
};

/* The fields of fa:s:SID that make a struct store_session, in order. */
static const char *const session_fields[] = {
	"user", "ver", "scope", "created", "last", "exp", "abs", "ended",
	"addr", "agent", "pw",
};
#define SESSION_FIELDS	11

struct rd {
	redisContext		*c;
	pid_t			 pid;		/* the process c belongs to */
	char			 host[STORE_URL_MAX + 1];
	int			 port;
	int			 db;
	char			 user[STORE_URL_MAX + 1];	/* ACL user */
	char			 password[STORE_PASSWORD_MAX + 1];
	size_t			 password_len;
	const struct store_limits *lim;	/* store.c's */
	const struct watch_clock *clock;	/* store.c's */
	char			 sha[SCRIPT_COUNT][41];
	long long		 next_try_ms;	/* no connect before (mono) */
	int			 wait_ms;	/* the socket's timeout now */
	int			 fresh;		/* connected by this operation */
	int			 peer_closed;	/* the last failure: a close */
	char			 epoch[33];	/* "" until first read */
	int			 epoch_reset;	/* re-read the log from the start */
	int			 warned_policy;
	char			 err[ERR_MAX];
};

static long long	 mono_ms(const struct rd *);
static int		 timeout_ms(const struct rd *);
static void		 set_timeout(struct rd *, int);
static void		 fail(struct rd *, const char *, ...)
			    __attribute__((format(printf, 2, 3)));
static void		 drop(struct rd *);
static redisReply	*command(struct rd *, int, const char **,
			    const size_t *);
static int		 reply_ok(struct rd *, redisReply *, int);
static enum store_status ended_status(struct rd *, redisReply *);
static int		 check_policy(struct rd *);
static int		 check_epoch(struct rd *);
static int		 auth(struct rd *);
static int		 connect_now(struct rd *);
static int		 ensure(struct rd *);
static redisReply	*call(struct rd *, int, const char **, const size_t *,
			    int);
static redisReply	*run(struct rd *, enum script, int, const char **,
			    const size_t *, int);
static int		 key(char *, size_t, const char *, const char *,
			    const char *);
static void		 el_str(const redisReply *, size_t, char *, size_t);
static long long	 el_num(const redisReply *, size_t);
static void		 fill_session(const redisReply *, size_t, const char *,
			    struct store_session *);
static int		 get_session(struct rd *, const char *,
			    struct store_session *);
static enum store_status end_one(struct rd *, const char *, long long, int);
static redisReply	*user_page(struct rd *, const char *, long long,
			    size_t);
static int		 read_entry(const redisReply *, struct store_cursor *,
			    unsigned char [SESSION_SID_BYTES], long long *);
static void		*rd_open(const struct store_url *, const char *,
			    const struct store_limits *,
			    const struct watch_clock *, char *, size_t);
static void		 rd_free(void *);
static const char	*rd_errstr(const void *);
static enum store_status rd_create(void *, struct store_session *,
			    const unsigned char [SESSION_HASH_BYTES]);
static enum store_status rd_rotate(void *, const char *,
			    const unsigned char [SESSION_HASH_BYTES],
			    const unsigned char [SESSION_HASH_BYTES], long long,
			    struct store_session *);
static enum store_status rd_get(void *, const char *, struct store_session *);
static enum store_status rd_end(void *, const char *, long long);
static enum store_status rd_end_token(void *, const char *,
			    const unsigned char [SESSION_HASH_BYTES], long long);
static enum store_status rd_end_user(void *, const char *, long long, long *);
static enum store_status rd_list(void *, const char *, long long,
			    struct store_session *, size_t, size_t *);
static enum store_status rd_ended_since(void *, struct store_cursor *, size_t,
			    store_ended_fn *, void *, size_t *);
static enum store_status rd_throttle_begin(void *, const char *, const char *,
			    long long, struct store_attempt *, long *);
static enum store_status rd_throttle_end(void *, const struct store_attempt *,
			    int);

static long long
mono_ms(const struct rd *r)
{
	return r->clock->mono_ms(r->clock->arg);
}

/* A command's timeout: STORE_REDIS_COMMAND_MS, or the caller's. */
static int
timeout_ms(const struct rd *r)
{
	return r->lim->timeout_ms > 0 ? r->lim->timeout_ms :
	    STORE_REDIS_COMMAND_MS;
}

/* hiredis 0.14: sets SO_RCVTIMEO and SO_SNDTIMEO on the socket. */
static void
set_timeout(struct rd *r, int ms)
{
	struct timeval	 tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (r->c != NULL && redisSetTimeout(r->c, tv) != REDIS_OK)
		fail(r, "setting the timeout failed");
	r->wait_ms = ms;
}

/* Remember why the store is down ("redis: ..."), for store_errstr. */
static void
fail(struct rd *r, const char *fmt, ...)
{
	static const char	 prefix[] = "redis: ";
	va_list			 ap;

	memcpy(r->err, prefix, sizeof(prefix));
	va_start(ap, fmt);
	(void)vsnprintf(r->err + sizeof(prefix) - 1,
	    sizeof(r->err) - (sizeof(prefix) - 1), fmt, ap);
	va_end(ap);
}

/*
 * Close the connection: a hiredis context with c->err set stays failed.
 * The next one is made no sooner than STORE_REDIS_RETRY_MS from now, so a
 * Redis that is down costs every other operation nothing (no connect
 * storm, no wait per request).
 */
static void
drop(struct rd *r)
{
	if (r->c != NULL) {
		redisFree(r->c);
		r->c = NULL;
	}
	r->next_try_ms = mono_ms(r) + STORE_REDIS_RETRY_MS;
}

/*
 * One command.  NULL if the connection failed (I/O error, timeout, EOF):
 * it is closed then, and peer_closed says whether the server closed it
 * (EOF, reset, broken pipe), the one failure worth one more try at once.
 * A timeout is a hung or slow server: no second wait.
 */
static redisReply *
command(struct rd *r, int argc, const char **argv, const size_t *len)
{
	redisReply	*rep;
	int		 saved;

	errno = 0;
	rep = redisCommandArgv(r->c, argc, argv, len);
	if (rep != NULL)
		return rep;
	saved = errno;
	r->peer_closed = r->c->err == REDIS_ERR_EOF ||
	    (r->c->err == REDIS_ERR_IO &&
	    (saved == ECONNRESET || saved == EPIPE));
	if (r->c->err == REDIS_ERR_IO && (saved == EAGAIN ||
	    saved == EWOULDBLOCK))
		fail(r, "no answer within %d ms", r->wait_ms);
	else
		fail(r, "%s", r->c->errstr[0] != '\0' ? r->c->errstr :
		    "no reply");
	drop(r);
	return NULL;
}

/*
 * An error reply (OOM when maxmemory is reached, READONLY from a
 * replica, MISCONF, NOAUTH) means the store is down for this operation;
 * the connection itself is fine.  Frees rep then.  Returns 0 if rep has
 * the type wanted, else -1.
 */
static int
reply_ok(struct rd *r, redisReply *rep, int type)
{
	const char	*nl;
	int		 n;

	if (rep->type == type)
		return 0;
	if (rep->type == REDIS_REPLY_ERROR && rep->str != NULL) {
		nl = memchr(rep->str, '\n', rep->len);
		n = (int)(nl != NULL ? (size_t)(nl - rep->str) :
		    rep->len > 200 ? 200 : rep->len);
		fail(r, "%.*s", n, rep->str);
	} else
		fail(r, "unexpected reply (type %d)", rep->type);
	freeReplyObject(rep);
	return -1;
}

/*
 * maxmemory-policy must be noeviction: allkeys-* may evict fa:ended (a
 * revocation undone for new processes), so such a Redis is down;
 * volatile-* may evict sessions (logouts) and throttle counters (weaker
 * throttling): one warning per process.
 */
static int
check_policy(struct rd *r)
{
	const char	*argv[] = { "INFO", "memory" };
	redisReply	*rep;
	const char	*p;
	char		 policy[64];
	size_t		 n;

	if ((rep = command(r, 2, argv, NULL)) == NULL)
		return -1;
	if (reply_ok(r, rep, REDIS_REPLY_STRING) == -1)
		return -1;
	policy[0] = '\0';
	if ((p = strstr(rep->str, "maxmemory_policy:")) != NULL) {
		p += strlen("maxmemory_policy:");
		n = strcspn(p, "\r\n");
		if (n >= sizeof(policy))
			n = sizeof(policy) - 1;
		memcpy(policy, p, n);
		policy[n] = '\0';
	}
	freeReplyObject(rep);
	if (strncmp(policy, "allkeys-", 8) == 0) {
		fail(r, "maxmemory-policy %s may evict sessions and the "
		    "ended log: set noeviction", policy);
		return -1;
	}
	if (strncmp(policy, "volatile-", 9) == 0 && !r->warned_policy) {
		r->warned_policy = 1;
		log_warnx("session store: redis maxmemory-policy %s may "
		    "evict sessions and login failures: set noeviction",
		    policy);
	}
	return 0;
}

/*
 * fa:epoch is set once, at random, by whoever connects first; a value
 * other than the one seen before means Redis lost its data (restarted
 * without persistence, flushed): the ended log starts again, so readers
 * must read it from the start (the set they hold is kept).
 */
static int
check_epoch(struct rd *r)
{
	unsigned char	 rnd[16];
	char		 hex[33];
	const char	*set[] = { "SET", KEY_EPOCH, hex, "NX" };
	const char	*get[] = { "GET", KEY_EPOCH };
	redisReply	*rep;
	int		 i;

	if (session_random(rnd, sizeof(rnd)) == -1) {
		fail(r, "no random bytes");
		drop(r);
		return -1;
	}
	for (i = 0; i < 16; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	if ((rep = command(r, 4, set, NULL)) == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_ERROR) {
		(void)reply_ok(r, rep, REDIS_REPLY_STATUS);
		return -1;
	}
	freeReplyObject(rep);
	if ((rep = command(r, 2, get, NULL)) == NULL)
		return -1;
	if (reply_ok(r, rep, REDIS_REPLY_STRING) == -1)
		return -1;
	(void)snprintf(hex, sizeof(hex), "%.*s", (int)rep->len, rep->str);
	freeReplyObject(rep);
	if (r->epoch[0] != '\0' && strcmp(r->epoch, hex) != 0) {
		log_warnx("session store: redis lost its data (new epoch): "
		    "reading the ended log again from the start");
		r->epoch_reset = 1;
	}
	memcpy(r->epoch, hex, sizeof(r->epoch));
	return 0;
}

/*
 * AUTH [USER] PASSWORD.  The command is written to the socket from a
 * buffer of ours, wiped at once, rather than through hiredis's output
 * buffer, which it frees without wiping.  Never logs the password; the
 * server's reason (WRONGPASS, ...) is safe to say.  Returns 0, or -1 with
 * the connection closed.
 */
static int
auth(struct rd *r)
{
	const char	*argv[3];
	size_t		 len[3];
	redisReply	*rep = NULL;
	char		*cmd = NULL;
	size_t		 off = 0, cmdlen = 0;
	ssize_t		 w;
	int		 argc = 0, n, ret = -1;

	argv[argc] = "AUTH";
	len[argc++] = 4;
	if (r->user[0] != '\0') {
		argv[argc] = r->user;
		len[argc++] = strlen(r->user);
	}
	argv[argc] = r->password;
	len[argc++] = r->password_len;
	if ((n = redisFormatCommandArgv(&cmd, argc, argv, len)) < 0) {
		cmd = NULL;
		fail(r, "out of memory");
		goto done;
	}
	cmdlen = (size_t)n;
	while (off < cmdlen) {
		if ((w = write(r->c->fd, cmd + off, cmdlen - off)) == -1) {
			if (errno == EINTR)
				continue;
			fail(r, "AUTH: %s", strerror(errno));
			goto done;
		}
		off += (size_t)w;
	}
	if (redisGetReply(r->c, (void **)&rep) != REDIS_OK || rep == NULL) {
		fail(r, "AUTH: %s", r->c->errstr[0] != '\0' ? r->c->errstr :
		    "no reply");
		rep = NULL;
		goto done;
	}
	if (reply_ok(r, rep, REDIS_REPLY_STATUS) == -1) {
		rep = NULL;	/* freed */
		goto done;
	}
	ret = 0;
done:
	if (rep != NULL)
		freeReplyObject(rep);
	if (cmd != NULL) {
		explicit_bzero(cmd, cmdlen);
		free(cmd);
	}
	if (ret == -1)
		drop(r);
	return ret;
}

/*
 * Connect: AUTH, SELECT, the maxmemory policy, the epoch, SCRIPT LOAD of
 * every script.  Any failure closes the connection (the store is down).
 * hiredis 0.14's connect timeout is no read timeout (SO_RCVTIMEO is 0
 * after it), so one is set at once; redisReconnect would drop it again,
 * hence a new context every time.  Returns 0 or -1.
 */
static int
connect_now(struct rd *r)
{
	struct timeval	 tv;
	redisReply	*rep;
	char		 db[16];
	int		 i;

	tv.tv_sec = STORE_REDIS_CONNECT_MS / 1000;
	tv.tv_usec = (STORE_REDIS_CONNECT_MS % 1000) * 1000;
	r->c = redisConnectWithTimeout(r->host, r->port, tv);
	if (r->c == NULL) {
		fail(r, "out of memory");
		drop(r);
		return -1;
	}
	if (r->c->err) {
		fail(r, "%s", r->c->errstr);
		drop(r);
		return -1;
	}
	r->pid = getpid();
	set_timeout(r, timeout_ms(r));
	if (r->c->err) {
		drop(r);
		return -1;
	}
	if (r->password_len > 0 && auth(r) == -1)
		return -1;
	if (r->db != 0) {
		const char	*argv[] = { "SELECT", db };

		(void)snprintf(db, sizeof(db), "%d", r->db);
		if ((rep = command(r, 2, argv, NULL)) == NULL)
			return -1;
		if (reply_ok(r, rep, REDIS_REPLY_STATUS) == -1) {
			drop(r);
			return -1;
		}
		freeReplyObject(rep);
	}
	if (check_policy(r) == -1 || check_epoch(r) == -1) {
		drop(r);
		return -1;
	}
	for (i = 0; i < SCRIPT_COUNT; i++) {
		const char	*argv[] = { "SCRIPT", "LOAD", scripts[i] };

		if ((rep = command(r, 3, argv, NULL)) == NULL)
			return -1;
		if (reply_ok(r, rep, REDIS_REPLY_STRING) == -1) {
			drop(r);
			return -1;
		}
		if (rep->len != 40) {
			freeReplyObject(rep);
			fail(r, "SCRIPT LOAD: unexpected reply");
			drop(r);
			return -1;
		}
		memcpy(r->sha[i], rep->str, 40);
		r->sha[i][40] = '\0';
		freeReplyObject(rep);
	}
	r->fresh = 1;
	return 0;
}

/*
 * A connection to use: the one there is (a child after fork(2) makes its
 * own: two processes must never share one socket), or a new one if the
 * last attempt is STORE_REDIS_RETRY_MS old.  Returns 0, or -1: down.
 */
static int
ensure(struct rd *r)
{
	if (r->c != NULL && r->pid != getpid()) {
		/* Closes only this process's copy of the descriptor. */
		redisFree(r->c);
		r->c = NULL;
		r->next_try_ms = 0;
	}
	if (r->c != NULL)
		return 0;
	if (mono_ms(r) < r->next_try_ms) {
		if (r->err[0] == '\0')
			fail(r, "not connected");
		return -1;
	}
	return connect_now(r);
}

/*
 * A command on a connection, made now if need be.  A connection made
 * before this operation that the server closed since (a restart, an idle
 * timeout) gets one more try on a new one: every command and script here
 * is idempotent.  Returns the reply (the caller frees it), or NULL: down.
 * The sha1 of a script (argv[1] of EVALSHA) is filled in once connected.
 */
static redisReply *
call(struct rd *r, int argc, const char **argv, const size_t *len,
    int script)
{
	redisReply	*rep;
	int		 fresh;

	if (ensure(r) == -1)
		return NULL;
	fresh = r->fresh;
	r->fresh = 0;
	if (script >= 0)
		argv[1] = r->sha[script];
	if ((rep = command(r, argc, argv, len)) != NULL)
		return rep;
	if (fresh || !r->peer_closed)
		return NULL;
	r->next_try_ms = 0;
	if (ensure(r) == -1)
		return NULL;
	r->fresh = 0;
	if (script >= 0)
		argv[1] = r->sha[script];
	return command(r, argc, argv, len);
}

/*
 * EVALSHA script with the n args, the first nkeys of them keys (lens[i]
 * 0: strlen).  A Redis that lost its script cache (restarted, SCRIPT
 * FLUSH) answers NOSCRIPT: then EVAL of the text.  An error reply (OOM,
 * READONLY, ...) is down: a script validates before it writes, so nothing
 * was written.  Returns the reply (the caller frees it), or NULL.
 */
static redisReply *
run(struct rd *r, enum script s, int n, const char **args,
    const size_t *lens, int nkeys)
{
	const char	*argv[3 + 16];
	size_t		 len[3 + 16];
	char		 nk[8];
	redisReply	*rep;
	int		 i;

	if (n > 16) {
		fail(r, "too many arguments");
		return NULL;
	}
	(void)snprintf(nk, sizeof(nk), "%d", nkeys);
	argv[0] = "EVALSHA";
	len[0] = 7;
	argv[1] = NULL;
	len[1] = 40;
	argv[2] = nk;
	len[2] = strlen(nk);
	for (i = 0; i < n; i++) {
		argv[3 + i] = args[i];
		len[3 + i] = lens != NULL && lens[i] != 0 ? lens[i] :
		    strlen(args[i]);
	}
	if ((rep = call(r, 3 + n, argv, len, s)) == NULL)
		return NULL;
	if (rep->type == REDIS_REPLY_ERROR && rep->str != NULL &&
	    strncmp(rep->str, "NOSCRIPT", 8) == 0) {
		freeReplyObject(rep);
		argv[0] = "EVAL";
		len[0] = 4;
		argv[1] = scripts[s];
		len[1] = strlen(scripts[s]);
		if ((rep = command(r, 3 + n, argv, len)) == NULL)
			return NULL;
	}
	if (rep->type == REDIS_REPLY_ERROR) {
		(void)reply_ok(r, rep, REDIS_REPLY_NIL);
		return NULL;
	}
	return rep;
}

/* prefix a [sep b] into buf; -1 if it does not fit. */
static int
key(char *buf, size_t size, const char *prefix, const char *a,
    const char *b)
{
	int	 n;

	if (b != NULL)
		n = snprintf(buf, size, "%s%s|%s", prefix, a, b);
	else
		n = snprintf(buf, size, "%s%s", prefix, a);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Element i of an array reply as a string ("" if none). */
static void
el_str(const redisReply *rep, size_t i, char *dst, size_t size)
{
	const redisReply	*e;

	dst[0] = '\0';
	if (rep->type != REDIS_REPLY_ARRAY || i >= rep->elements)
		return;
	e = rep->element[i];
	if (e->type == REDIS_REPLY_STRING || e->type == REDIS_REPLY_STATUS) {
		if (e->len >= size)
			return;
		memcpy(dst, e->str, e->len);
		dst[e->len] = '\0';
	}
}

/* Element i of an array reply as a number (0 if none). */
static long long
el_num(const redisReply *rep, size_t i)
{
	char		 buf[32];
	long long	 v;
	char		*end;

	el_str(rep, i, buf, sizeof(buf));
	if (buf[0] == '\0')
		return 0;
	errno = 0;
	v = strtoll(buf, &end, 10);
	return errno != 0 || *end != '\0' ? 0 : v;
}

/* The session_fields from element off on, for session sid. */
static void
fill_session(const redisReply *rep, size_t off, const char *sid,
    struct store_session *s)
{
	memset(s, 0, sizeof(*s));
	(void)snprintf(s->sid, sizeof(s->sid), "%s", sid);
	el_str(rep, off + 0, s->user, sizeof(s->user));
	s->ver = (long)el_num(rep, off + 1);
	el_str(rep, off + 2, s->scope, sizeof(s->scope));
	s->created = el_num(rep, off + 3);
	s->last_used = el_num(rep, off + 4);
	s->expires = el_num(rep, off + 5);
	s->abs_expires = el_num(rep, off + 6);
	s->ended = el_num(rep, off + 7);
	el_str(rep, off + 8, s->addr, sizeof(s->addr));
	el_str(rep, off + 9, s->agent, sizeof(s->agent));
	/* A nil (a session from before there was one) is "". */
	el_str(rep, off + 10, s->pwfp, sizeof(s->pwfp));
}

static void *
rd_open(const struct store_url *u, const char *password,
    const struct store_limits *lim, const struct watch_clock *clock,
    char *err, size_t errlen)
{
	struct rd	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		(void)log_seterr(err, errlen, "out of memory");
		return NULL;
	}
	(void)snprintf(r->host, sizeof(r->host), "%s", u->host);
	(void)snprintf(r->user, sizeof(r->user), "%s", u->user);
	r->port = u->port;
	r->db = u->db;
	r->lim = lim;
	r->clock = clock;
	if (password != NULL) {
		r->password_len = strlen(password);
		if (r->password_len > STORE_PASSWORD_MAX) {
			free(r);
			(void)log_seterr(err, errlen, "the Redis password is "
			    "longer than %d bytes", STORE_PASSWORD_MAX);
			return NULL;
		}
		memcpy(r->password, password, r->password_len + 1);
	}
	/*
	 * A write to a connection Redis closed raises SIGPIPE, which would
	 * kill a tool that does not ignore it (the endpoints' loop does):
	 * the failure is an error return instead.
	 */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		log_warn("ignoring SIGPIPE");
	(void)ensure(r);	/* down at start is not fatal */
	r->fresh = 0;		/* the first operation may find it closed */
	return r;
}

static void
rd_free(void *impl)
{
	struct rd	*r = impl;

	if (r == NULL)
		return;
	if (r->c != NULL)
		redisFree(r->c);
	explicit_bzero(r->password, sizeof(r->password));
	free(r);
}

static const char *
rd_errstr(const void *impl)
{
	const struct rd	*r = impl;

	return r->err;
}

static enum store_status
rd_create(void *impl, struct store_session *s,
    const unsigned char hash[SESSION_HASH_BYTES])
{
	struct rd	*r = impl;
	char		 ks[KEY_MAX], ku[KEY_MAX], ver[24], cr[24], ex[24];
	char		 ab[24], kp[24];
	const char	*a[14];
	size_t		 l[14];
	redisReply	*rep;

	if (key(ks, sizeof(ks), "fa:s:", s->sid, NULL) == -1 ||
	    key(ku, sizeof(ku), "fa:u:", s->user, NULL) == -1) {
		fail(r, "a key too long");
		return STORE_DOWN;
	}
	(void)snprintf(ver, sizeof(ver), "%ld", s->ver);
	(void)snprintf(cr, sizeof(cr), "%lld", s->created);
	(void)snprintf(ex, sizeof(ex), "%lld", s->expires);
	(void)snprintf(ab, sizeof(ab), "%lld", s->abs_expires);
	(void)snprintf(kp, sizeof(kp), "%ld", r->lim->keep_sec);
	a[0] = ks;
	a[1] = ku;
	a[2] = s->sid;
	a[3] = s->user;
	a[4] = ver;
	a[5] = s->scope;
	a[6] = cr;
	a[7] = ex;
	a[8] = ab;
	a[9] = s->addr;
	a[10] = s->agent;
	a[11] = (const char *)hash;
	a[12] = kp;
	a[13] = s->pwfp;
	memset(l, 0, sizeof(l));
	l[11] = SESSION_HASH_BYTES;
	if ((rep = run(r, SCRIPT_CREATE, 14, a, l, 2)) == NULL)
		return STORE_DOWN;
	freeReplyObject(rep);
	return STORE_OK;
}

static enum store_status
rd_rotate(void *impl, const char *sid,
    const unsigned char old[SESSION_HASH_BYTES],
    const unsigned char new_hash[SESSION_HASH_BYTES], long long now,
    struct store_session *out)
{
	struct rd	*r = impl;
	char		 ks[KEY_MAX], kr[KEY_MAX], n[24], idle[24], un[24];
	char		 kp[24], st[16];
	const char	*a[10];
	size_t		 l[10];
	redisReply	*rep;
	enum store_status ret;

	(void)key(ks, sizeof(ks), "fa:s:", sid, NULL);
	(void)key(kr, sizeof(kr), "fa:r:", sid, NULL);
	(void)snprintf(n, sizeof(n), "%lld", now);
	(void)snprintf(idle, sizeof(idle), "%ld", r->lim->idle_sec);
	(void)snprintf(un, sizeof(un), "%lld", now + r->lim->keep_sec);
	(void)snprintf(kp, sizeof(kp), "%ld", r->lim->keep_sec);
	a[0] = ks;
	a[1] = kr;
	a[2] = KEY_ENDED;
	a[3] = (const char *)old;
	a[4] = (const char *)new_hash;
	a[5] = n;
	a[6] = idle;
	a[7] = un;
	a[8] = kp;
	a[9] = sid;
	memset(l, 0, sizeof(l));
	l[3] = l[4] = SESSION_HASH_BYTES;
	if ((rep = run(r, SCRIPT_ROTATE, 10, a, l, 3)) == NULL)
		return STORE_DOWN;
	el_str(rep, 0, st, sizeof(st));
	if (strcmp(st, "ok") == 0)
		ret = STORE_OK;
	else if (strcmp(st, "reused") == 0)
		ret = STORE_REUSED;
	else if (strcmp(st, "ended") == 0)
		ret = STORE_ENDED;
	else if (strcmp(st, "nf") == 0)
		ret = STORE_NOT_FOUND;
	else {
		freeReplyObject(rep);
		fail(r, "rotate: unexpected reply");
		return STORE_DOWN;
	}
	if (ret != STORE_NOT_FOUND)
		fill_session(rep, 1, sid, out);
	freeReplyObject(rep);
	return ret;
}

/* HMGET the session_fields of fa:s:sid into *out: 1 found, 0 not, -1 down. */
static int
get_session(struct rd *r, const char *sid, struct store_session *out)
{
	char		 ks[KEY_MAX];
	const char	*argv[2 + SESSION_FIELDS];
	redisReply	*rep;
	int		 i, ret;

	(void)key(ks, sizeof(ks), "fa:s:", sid, NULL);
	argv[0] = "HMGET";
	argv[1] = ks;
	for (i = 0; i < SESSION_FIELDS; i++)
		argv[2 + i] = session_fields[i];
	if ((rep = call(r, 2 + SESSION_FIELDS, argv, NULL, -1)) == NULL)
		return -1;
	if (reply_ok(r, rep, REDIS_REPLY_ARRAY) == -1)
		return -1;
	ret = 0;
	if (rep->elements == SESSION_FIELDS &&
	    rep->element[0]->type == REDIS_REPLY_STRING) {
		fill_session(rep, 0, sid, out);
		ret = 1;
	}
	freeReplyObject(rep);
	return ret;
}

static enum store_status
rd_get(void *impl, const char *sid, struct store_session *out)
{
	switch (get_session(impl, sid, out)) {
	case 1:
		return STORE_OK;
	case 0:
		return STORE_NOT_FOUND;
	default:
		return STORE_DOWN;
	}
}

/* The end script on sid; live_only for end_user. */
static enum store_status
end_one(struct rd *r, const char *sid, long long now, int live_only)
{
	char		 ks[KEY_MAX], n[24], un[24], kp[24];
	const char	*a[7];
	redisReply	*rep;

	(void)key(ks, sizeof(ks), "fa:s:", sid, NULL);
	(void)snprintf(n, sizeof(n), "%lld", now);
	(void)snprintf(un, sizeof(un), "%lld", now + r->lim->keep_sec);
	(void)snprintf(kp, sizeof(kp), "%ld", r->lim->keep_sec);
	a[0] = ks;
	a[1] = KEY_ENDED;
	a[2] = sid;
	a[3] = n;
	a[4] = un;
	a[5] = kp;
	a[6] = live_only ? "1" : "0";
	if ((rep = run(r, SCRIPT_END, 7, a, NULL, 2)) == NULL)
		return STORE_DOWN;
	return ended_status(r, rep);
}

/* An end script's answer (1: ended now, 0: nothing to end); frees rep. */
static enum store_status
ended_status(struct rd *r, redisReply *rep)
{
	enum store_status	 ret;

	if (rep->type != REDIS_REPLY_INTEGER) {
		(void)reply_ok(r, rep, REDIS_REPLY_INTEGER);
		return STORE_DOWN;
	}
	ret = rep->integer == 1 ? STORE_OK : STORE_NOT_FOUND;
	freeReplyObject(rep);
	return ret;
}

static enum store_status
rd_end(void *impl, const char *sid, long long now)
{
	return end_one(impl, sid, now, 0);
}

static enum store_status
rd_end_token(void *impl, const char *sid,
    const unsigned char hash[SESSION_HASH_BYTES], long long now)
{
	struct rd	*r = impl;
	char		 ks[KEY_MAX], kr[KEY_MAX], n[24], un[24], kp[24];
	const char	*a[8];
	size_t		 l[8];
	redisReply	*rep;

	(void)key(ks, sizeof(ks), "fa:s:", sid, NULL);
	(void)key(kr, sizeof(kr), "fa:r:", sid, NULL);
	(void)snprintf(n, sizeof(n), "%lld", now);
	(void)snprintf(un, sizeof(un), "%lld", now + r->lim->keep_sec);
	(void)snprintf(kp, sizeof(kp), "%ld", r->lim->keep_sec);
	a[0] = ks;
	a[1] = kr;
	a[2] = KEY_ENDED;
	a[3] = (const char *)hash;
	a[4] = sid;
	a[5] = n;
	a[6] = un;
	a[7] = kp;
	memset(l, 0, sizeof(l));
	l[3] = SESSION_HASH_BYTES;
	if ((rep = run(r, SCRIPT_END_TOKEN, 8, a, l, 3)) == NULL)
		return STORE_DOWN;
	return ended_status(r, rep);
}

/*
 * A page of user's session ids whose abs + keep is after now (fa:u:USER,
 * oldest first), from offset off: the reply (an array of strings; the
 * caller frees it), or NULL: down.
 */
static redisReply *
user_page(struct rd *r, const char *user, long long now, size_t off)
{
	char		 ku[KEY_MAX], lo[32], o[24], cnt[24];
	const char	*argv[] = { "ZRANGEBYSCORE", ku, lo, "+inf", "LIMIT", o,
			    cnt };
	redisReply	*rep;
	size_t		 i;

	if (key(ku, sizeof(ku), "fa:u:", user, NULL) == -1) {
		fail(r, "a key too long");
		return NULL;
	}
	(void)snprintf(lo, sizeof(lo), "(%lld", now);
	(void)snprintf(o, sizeof(o), "%zu", off);
	(void)snprintf(cnt, sizeof(cnt), "%d", PAGE_MAX);
	if ((rep = call(r, 7, argv, NULL, -1)) == NULL)
		return NULL;
	if (reply_ok(r, rep, REDIS_REPLY_ARRAY) == -1)
		return NULL;
	for (i = 0; i < rep->elements; i++)
		if (rep->element[i]->type != REDIS_REPLY_STRING ||
		    rep->element[i]->len != SESSION_SID_CHARS) {
			freeReplyObject(rep);
			fail(r, "%s: not a list of session ids", ku);
			return NULL;
		}
	return rep;
}

/*
 * Atomic per session, which is all it needs: a login that commits a
 * moment later is a new session, on either back-end.
 */
static enum store_status
rd_end_user(void *impl, const char *user, long long now, long *n)
{
	struct rd	*r = impl;
	redisReply	*rep;
	enum store_status st = STORE_OK;
	size_t		 off, i, got;

	*n = 0;
	for (off = 0;; off += got) {
		if ((rep = user_page(r, user, now, off)) == NULL)
			return STORE_DOWN;
		got = rep->elements;
		for (i = 0; i < got && st != STORE_DOWN; i++) {
			st = end_one(r, rep->element[i]->str, now, 1);
			if (st == STORE_OK)
				(*n)++;
		}
		freeReplyObject(rep);
		if (st == STORE_DOWN)
			return STORE_DOWN;
		if (got < PAGE_MAX)
			return STORE_OK;
	}
}

/*
 * fa:u:USER is ordered by abs + keep, that is by creation: oldest first.
 * Ids whose session is gone (expired) are skipped; create drops them from
 * the set, and the set expires with its newest session.
 */
static enum store_status
rd_list(void *impl, const char *user, long long now,
    struct store_session *out, size_t max, size_t *n)
{
	struct rd	*r = impl;
	redisReply	*rep;
	size_t		 off, i, got;
	int		 found;

	*n = 0;
	for (off = 0; *n < max; off += got) {
		if ((rep = user_page(r, user, now, off)) == NULL)
			return STORE_DOWN;
		got = rep->elements;
		for (i = 0; i < got && *n < max; i++) {
			found = get_session(r, rep->element[i]->str,
			    &out[*n]);
			if (found == -1) {
				freeReplyObject(rep);
				return STORE_DOWN;
			}
			if (found == 1 && out[*n].ended == 0 &&
			    out[*n].expires > now)
				(*n)++;
			else
				memset(&out[*n], 0, sizeof(out[*n]));
		}
		freeReplyObject(rep);
		if (got < PAGE_MAX)
			break;
	}
	return STORE_OK;
}

/* One stream entry: [id, [field, value, ...]].  0, or -1 if malformed. */
static int
read_entry(const redisReply *e, struct store_cursor *cur,
    unsigned char sid[SESSION_SID_BYTES], long long *until)
{
	const redisReply	*f, *k, *v;
	unsigned long long	 hi, lo;
	char			 id[48], num[24], *end;
	size_t			 j;
	int			 have_sid = 0;

	if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
	    e->element[0]->type != REDIS_REPLY_STRING ||
	    e->element[0]->len >= sizeof(id) ||
	    e->element[1]->type != REDIS_REPLY_ARRAY)
		return -1;
	memcpy(id, e->element[0]->str, e->element[0]->len);
	id[e->element[0]->len] = '\0';
	errno = 0;
	hi = strtoull(id, &end, 10);
	if (errno != 0 || end == id || *end != '-')
		return -1;
	lo = strtoull(end + 1, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	cur->hi = hi;
	cur->lo = lo;
	*until = 0;
	f = e->element[1];
	for (j = 0; j + 1 < f->elements; j += 2) {
		k = f->element[j];
		v = f->element[j + 1];
		if (k->type != REDIS_REPLY_STRING ||
		    v->type != REDIS_REPLY_STRING || k->len != 1)
			continue;
		if (k->str[0] == 's')
			have_sid = session_sid_decode(v->str, v->len,
			    sid) == 0;
		else if (k->str[0] == 'u' && v->len < sizeof(num)) {
			memcpy(num, v->str, v->len);
			num[v->len] = '\0';
			*until = strtoll(num, NULL, 10);
		}
	}
	return have_sid ? 0 : -1;
}

/*
 * XRANGE fa:ended (CURSOR + COUNT max, with the poll's own shorter
 * timeout: a hung Redis costs a token check at most that.  After Redis
 * lost its data (a new epoch) the log is read from the start again.
 */
static enum store_status
rd_ended_since(void *impl, struct store_cursor *cur, size_t max,
    store_ended_fn *fn, void *arg, size_t *n)
{
	struct rd	*r = impl;
	char		 from[64], cnt[24];
	const char	*argv[] = { "XRANGE", KEY_ENDED, from, "+", "COUNT",
			    cnt };
	unsigned char	 sid[SESSION_SID_BYTES];
	long long	 until;
	redisReply	*rep = NULL;
	size_t		 i;
	int		 ms, tries, reset;

	*n = 0;
	if (ensure(r) == -1)
		return STORE_DOWN;
	ms = timeout_ms(r) < STORE_REDIS_POLL_MS ? timeout_ms(r) :
	    STORE_REDIS_POLL_MS;
	/* A reconnect on the way may find a new epoch: then once more. */
	for (tries = 0; tries < 2; tries++) {
		if (r->epoch_reset) {
			cur->hi = 0;
			cur->lo = 0;
		}
		if (cur->hi == 0 && cur->lo == 0)
			(void)snprintf(from, sizeof(from), "-");
		else
			(void)snprintf(from, sizeof(from), "(%llu-%llu",
			    cur->hi, cur->lo);
		(void)snprintf(cnt, sizeof(cnt), "%zu", max);
		reset = r->epoch_reset;
		set_timeout(r, ms);
		rep = call(r, 6, argv, NULL, -1);
		if (r->c != NULL)
			set_timeout(r, timeout_ms(r));
		if (rep == NULL)
			return STORE_DOWN;
		if (reply_ok(r, rep, REDIS_REPLY_ARRAY) == -1)
			return STORE_DOWN;
		if (r->epoch_reset == reset)
			break;
		freeReplyObject(rep);
		rep = NULL;
	}
	if (rep == NULL) {
		fail(r, "the epoch changed twice in one read");
		return STORE_DOWN;
	}
	r->epoch_reset = 0;
	for (i = 0; i < rep->elements; i++) {
		/* A foreign entry moves the cursor but ends nothing. */
		if (read_entry(rep->element[i], cur, sid, &until) == 0)
			fn(sid, until, arg);
		(*n)++;
	}
	freeReplyObject(rep);
	return STORE_OK;
}

static enum store_status
rd_throttle_begin(void *impl, const char *user, const char *addr,
    long long now_ms, struct store_attempt *att, long *retry_after)
{
	struct rd	*r = impl;
	char		 kp[KEY_MAX], ka[KEY_MAX], n[24], w[24], m[16];
	char		 aw[24], am[16], b[24];
	unsigned char	 rnd[16];
	const char	*a[9];
	redisReply	*rep;
	int		 i;

	if (key(kp, sizeof(kp), "fa:fp:", user, addr) == -1 ||
	    key(ka, sizeof(ka), "fa:fa:", user, NULL) == -1) {
		fail(r, "a key too long");
		return STORE_DOWN;
	}
	/* Made once, before the first try: a retry adds the same member. */
	if (session_random(rnd, sizeof(rnd)) == -1) {
		fail(r, "no random bytes");
		return STORE_DOWN;
	}
	for (i = 0; i < 16; i++)
		(void)snprintf(att->id + 2 * i, 3, "%02x", rnd[i]);
	(void)snprintf(att->user, sizeof(att->user), "%s", user);
	(void)snprintf(att->addr, sizeof(att->addr), "%s", addr);
	(void)snprintf(n, sizeof(n), "%lld", now_ms);
	(void)snprintf(w, sizeof(w), "%ld", r->lim->window_ms);
	(void)snprintf(m, sizeof(m), "%d", r->lim->max_failures);
	(void)snprintf(aw, sizeof(aw), "%ld", r->lim->account_window_ms);
	(void)snprintf(am, sizeof(am), "%d", r->lim->account_max);
	(void)snprintf(b, sizeof(b), "%ld", r->lim->base_delay_ms);
	a[0] = kp;
	a[1] = ka;
	a[2] = n;
	a[3] = w;
	a[4] = m;
	a[5] = aw;
	a[6] = am;
	a[7] = att->id;
	a[8] = b;
	if ((rep = run(r, SCRIPT_THROTTLE, 9, a, NULL, 2)) == NULL)
		goto down;
	if (rep->type != REDIS_REPLY_INTEGER) {
		(void)reply_ok(r, rep, REDIS_REPLY_INTEGER);
		goto down;
	}
	if (rep->integer > 0) {
		*retry_after = (long)((rep->integer + 999) / 1000);
		freeReplyObject(rep);
		memset(att, 0, sizeof(*att));
		return STORE_THROTTLED;
	}
	freeReplyObject(rep);
	return STORE_OK;
down:
	memset(att, 0, sizeof(*att));
	return STORE_DOWN;
}

static enum store_status
rd_throttle_end(void *impl, const struct store_attempt *att, int success)
{
	struct rd	*r = impl;
	char		 kp[KEY_MAX], ka[KEY_MAX];
	const char	*a[3];
	redisReply	*rep;

	if (!success)
		return STORE_OK;	/* the attempt is the failure's record */
	if (key(kp, sizeof(kp), "fa:fp:", att->user, att->addr) == -1 ||
	    key(ka, sizeof(ka), "fa:fa:", att->user, NULL) == -1) {
		fail(r, "a key too long");
		return STORE_DOWN;
	}
	a[0] = kp;
	a[1] = ka;
	a[2] = att->id;
	if ((rep = run(r, SCRIPT_THROTTLE_OK, 3, a, NULL, 2)) == NULL)
		return STORE_DOWN;
	freeReplyObject(rep);
	return STORE_OK;
}

const struct store_ops store_redis_ops = {
	.kind = "redis",
	.open = rd_open,
	.free = rd_free,
	.errstr = rd_errstr,
	.create = rd_create,
	.rotate = rd_rotate,
	.get = rd_get,
	.end = rd_end,
	.end_token = rd_end_token,
	.end_user = rd_end_user,
	.list = rd_list,
	.ended_since = rd_ended_since,
	.throttle_begin = rd_throttle_begin,
	.throttle_end = rd_throttle_end,
};

int
store_redis_test_delay(struct store *st, long long np,
    const struct store_limits *lim, long long *ms)
{
	struct rd	*r;
	char		 a[4][24];
	const char	*argv[] = { "EVAL", lua_delay, "0", a[0], a[1], a[2],
			    a[3] };
	redisReply	*rep;

	if ((r = store_impl(st, &store_redis_ops)) == NULL)
		return -1;
	(void)snprintf(a[0], sizeof(a[0]), "%lld", np);
	(void)snprintf(a[1], sizeof(a[1]), "%d", lim->max_failures);
	(void)snprintf(a[2], sizeof(a[2]), "%ld", lim->window_ms);
	(void)snprintf(a[3], sizeof(a[3]), "%ld", lim->base_delay_ms);
	if ((rep = call(r, 7, argv, NULL, -1)) == NULL)
		return -1;
	if (reply_ok(r, rep, REDIS_REPLY_INTEGER) == -1)
		return -1;
	*ms = rep->integer;
	freeReplyObject(rep);
	return 0;
}
