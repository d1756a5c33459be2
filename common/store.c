/* store.c -- SESSION_STORE: parse it, dispatch to a back-end, poll the ended log */
#include "config.h"

#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ended.h"
#include "log.h"
#include "session.h"
#include "store.h"
#include "store_int.h"
#include "throttle.h"
#include "watch.h"

#define STORE_PAGE	512	/* ended log entries read at a time */

/*
 * The back-ends, by URL scheme; ops NULL is one this build does not have
 * (a URL of that form is refused with one line saying so).
 */
struct backend {
	const char		*scheme;
	int			 (*parse)(const char *, struct store_url *,
				    char *, size_t);
	const struct store_ops	*ops;
};

struct store {
	const struct store_ops	*ops;
	void			*impl;
	struct store_limits	 lim;
	struct watch_clock	 clock;
	struct ended		*set;		/* the ended sessions we know */
	struct store_cursor	 cur;		/* how far the log was read */
	int			 loaded;	/* a whole read has succeeded */
	int			 said_down;	/* the poll's failure is logged */
	int			 said_full;	/* the set's ENOSPC is logged */
	long long		 next_poll_ms;	/* monotonic */
	long long		 next_sweep_ms;	/* monotonic */
	long long		 poll_now;	/* real time of the poll, s */
	const char		*err;		/* store.c's own reason, or NULL */
};

static int	parse_sqlite(const char *, struct store_url *, char *, size_t);
static int	parse_redis(const char *, struct store_url *, char *, size_t);
static const struct backend *url_parse(const char *, struct store_url *,
		    char *, size_t);
static int	read_password(const char *, char *, size_t, char *, size_t);
static long long real_sec(const struct store *);
static int	valid_sid(const char *, unsigned char *);
static int	valid_name(const char *, size_t);
static void	learn(struct store *, const unsigned char *, long long);
static void	poll_add(const unsigned char [SESSION_SID_BYTES], long long,
		    void *);
static int	poll_log(struct store *);

static const struct backend backends[] = {
	{ "sqlite:", parse_sqlite, &store_sqlite_ops },
	{ "redis://", parse_redis, &store_redis_ops },
};

static long long
real_sec(const struct store *st)
{
	return st->clock.real_ms(st->clock.arg) / 1000;
}

void
store_limits_init(struct store_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->ttl_sec = 14L * 86400;
	lim->idle_sec = 7L * 86400;
	lim->keep_sec = 30L * 60 + 60;	/* ACCESS_TOKEN_TTL_MIN + leeway */
	lim->max_failures = 5;
	lim->window_ms = 15L * 60 * 1000;
	lim->base_delay_ms = THROTTLE_BASE_DELAY_SEC * 1000L;
	lim->account_max = THROTTLE_ACCOUNT_MAX;
	lim->account_window_ms = THROTTLE_ACCOUNT_WINDOW_SEC * 1000L;
	lim->timeout_ms = 0;
}

/*
 * sqlite:PATH, PATH absolute: a relative one would depend on each
 * process's working directory, which differs between servers.
 */
static int
parse_sqlite(const char *rest, struct store_url *u, char *err,
    size_t errlen)
{
	if (rest[0] != '/')
		return log_seterr(err, errlen, "SESSION_STORE sqlite:PATH "
		    "needs an absolute PATH");
	if (strlen(rest) > sizeof(u->path) - 1)
		return log_seterr(err, errlen, "SESSION_STORE is too long");
	(void)snprintf(u->path, sizeof(u->path), "%s", rest);
	return 0;
}

/* A decimal number lo..hi, all of [s, e); -1 if it is not one. */
static long
number(const char *s, const char *e, long lo, long hi)
{
	long	 v = 0;

	if (s == e || e - s > 5)
		return -1;
	for (; s < e; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v < lo || v > hi ? -1 : v;
}

/*
 * redis://[USER@]HOST[:PORT][/DB]: HOST a name, an IPv4 address or an
 * [IPv6] one.  Userinfo with a ':' carries a password, which would then
 * sit in the environment of every process and in ps(1): refused.
 */
static int
parse_redis(const char *rest, struct store_url *u, char *err,
    size_t errlen)
{
	const char	*at, *p, *hs, *he, *end;
	unsigned char	 a6[16];
	size_t		 n;
	long		 v;

	end = rest + strlen(rest);
	u->port = 6379;
	u->db = 0;
	p = rest;
	if ((at = strchr(rest, '@')) != NULL) {
		if (memchr(rest, ':', (size_t)(at - rest)) != NULL)
			return log_seterr(err, errlen, "SESSION_STORE: no "
			    "password in the URL; put it in "
			    "SESSION_STORE_PASSWORD_FILE");
		if (at == rest)
			return log_seterr(err, errlen, "SESSION_STORE: "
			    "an empty Redis user name");
		for (p = rest; p < at; p++)
			if (!isalnum((unsigned char)*p) &&
			    strchr("._-", *p) == NULL)
				return log_seterr(err, errlen,
				    "SESSION_STORE: a Redis user name is "
				    "letters, digits, '.', '_' and '-'");
		n = (size_t)(at - rest);
		memcpy(u->user, rest, n);
		u->user[n] = '\0';
		p = at + 1;
	}
	if (*p == '[') {
		hs = p + 1;
		if ((he = strchr(hs, ']')) == NULL)
			return log_seterr(err, errlen, "SESSION_STORE: an "
			    "IPv6 address without its ']'");
		n = (size_t)(he - hs);
		memcpy(u->host, hs, n);
		u->host[n] = '\0';
		if (inet_pton(AF_INET6, u->host, a6) != 1)
			return log_seterr(err, errlen, "SESSION_STORE: not "
			    "an IPv6 address in [ ]");
		p = he + 1;
	} else {
		for (hs = p; *p != '\0' && *p != ':' && *p != '/'; p++)
			if (!isalnum((unsigned char)*p) &&
			    strchr(".-", *p) == NULL)
				return log_seterr(err, errlen,
				    "SESSION_STORE: a Redis host is a name, "
				    "an IPv4 address or an [IPv6] one");
		n = (size_t)(p - hs);
		memcpy(u->host, hs, n);
		u->host[n] = '\0';
	}
	if (u->host[0] == '\0')
		return log_seterr(err, errlen, "SESSION_STORE: no Redis host");
	if (*p == ':') {
		for (hs = ++p; *p != '\0' && *p != '/'; p++)
			;
		if ((v = number(hs, p, 1, 65535)) == -1)
			return log_seterr(err, errlen, "SESSION_STORE: the "
			    "Redis port must be 1-65535");
		u->port = (int)v;
	}
	if (*p == '/') {
		if ((v = number(p + 1, end, 0, 15)) == -1)
			return log_seterr(err, errlen, "SESSION_STORE: the "
			    "Redis database must be 0-15");
		u->db = (int)v;
		p = end;
	}
	if (*p != '\0')
		return log_seterr(err, errlen, "SESSION_STORE must be "
		    "redis://[USER@]HOST[:PORT][/DB]");
	return 0;
}

static const struct backend *
url_parse(const char *url, struct store_url *u, char *err, size_t errlen)
{
	const struct backend	*b;
	size_t			 i, n;

	memset(u, 0, sizeof(*u));
	if (url == NULL || strlen(url) > STORE_URL_MAX) {
		(void)log_seterr(err, errlen, "SESSION_STORE is longer than "
		    "%d bytes", STORE_URL_MAX);
		return NULL;
	}
	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		b = &backends[i];
		n = strlen(b->scheme);
		if (strncmp(url, b->scheme, n) != 0)
			continue;
		if (b->parse(url + n, u, err, errlen) == -1)
			return NULL;
		if (b->ops == NULL) {
			(void)log_seterr(err, errlen, "SESSION_STORE %s: this "
			    "build has no %.*s back-end", b->scheme, (int)n - 1,
			    b->scheme);
			return NULL;
		}
		return b;
	}
	(void)log_seterr(err, errlen, "SESSION_STORE must be sqlite:PATH or "
	    "redis://[USER@]HOST[:PORT][/DB]");
	return NULL;
}

int
store_url_check(const char *url, char *err, size_t errlen)
{
	struct store_url	*u;
	int			 ret;

	/* A struct store_url is a few kilobytes: not on the stack. */
	if ((u = malloc(sizeof(*u))) == NULL)
		return log_seterr(err, errlen, "out of memory");
	ret = url_parse(url, u, err, errlen) == NULL ? -1 : 0;
	free(u);
	return ret;
}

/*
 * The password file: at most STORE_PASSWORD_MAX bytes, trailing newlines
 * cut, not empty, no NUL.  pw has STORE_PASSWORD_MAX + 1 bytes.
 */
static int
read_password(const char *path, char *pw, size_t pwsize, char *err,
    size_t errlen)
{
	char	*buf = NULL, e[256];
	size_t	 len = 0;
	int	 ret = -1;

	if (watch_read(path, STORE_PASSWORD_MAX, &buf, &len, NULL, e,
	    sizeof(e)) == -1) {
		(void)log_seterr(err, errlen, "SESSION_STORE_PASSWORD_FILE: %s",
		    e);
		goto done;
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (len == 0 || memchr(buf, '\0', len) != NULL || len >= pwsize) {
		(void)log_seterr(err, errlen, "SESSION_STORE_PASSWORD_FILE %s: "
		    "empty, or a NUL byte in it", path);
		goto done;
	}
	memcpy(pw, buf, len);
	pw[len] = '\0';
	ret = 0;
done:
	if (buf != NULL) {
		explicit_bzero(buf, len);
		free(buf);
	}
	return ret;
}

struct store *
store_open(const char *url, const char *password_file,
    const struct store_limits *lim, const struct watch_clock *clock,
    char *err, size_t errlen)
{
	struct store		*st = NULL;
	struct store_url	*u = NULL;
	const struct backend	*b;
	char			 pw[STORE_PASSWORD_MAX + 1];
	int			 have_pw = 0;

	if ((u = malloc(sizeof(*u))) == NULL) {
		(void)log_seterr(err, errlen, "out of memory");
		goto done;
	}
	if ((b = url_parse(url, u, err, errlen)) == NULL)
		goto done;
	if (password_file != NULL) {
		if (b->ops == &store_sqlite_ops) {
			(void)log_seterr(err, errlen, "SESSION_STORE_PASSWORD_FILE "
			    "is for Redis; a SQLite store has no password");
			goto done;
		}
		if (read_password(password_file, pw, sizeof(pw), err,
		    errlen) == -1)
			goto done;
		have_pw = 1;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->set = ended_new(0)) == NULL) {
		(void)log_seterr(err, errlen, "out of memory");
		goto fail;
	}
	st->ops = b->ops;
	st->lim = *lim;
	st->clock = clock != NULL ? *clock : watch_system_clock;
	if ((st->impl = st->ops->open(u, have_pw ? pw : NULL, &st->lim,
	    &st->clock, err, errlen)) == NULL)
		goto fail;
	goto done;
fail:
	if (st != NULL)
		ended_free(st->set);
	free(st);
	st = NULL;
done:
	if (have_pw)
		explicit_bzero(pw, sizeof(pw));
	free(u);
	return st;
}

void
store_free(struct store *st)
{
	if (st == NULL)
		return;
	st->ops->free(st->impl);
	ended_free(st->set);
	free(st);
}

const char *
store_kind(const struct store *st)
{
	return st->ops->kind;
}

const char *
store_errstr(const struct store *st)
{
	if (st->err != NULL)
		return st->err;
	return st->ops->errstr(st->impl);
}

void *
store_impl(struct store *st, const struct store_ops *ops)
{
	return st != NULL && st->ops == ops ? st->impl : NULL;
}

/* sid is a session id we could have made; raw (may be NULL) gets it. */
static int
valid_sid(const char *sid, unsigned char *raw)
{
	unsigned char	 tmp[SESSION_SID_BYTES];

	if (sid == NULL)
		return 0;
	return session_sid_decode(sid, strnlen(sid, SESSION_SID_CHARS + 1),
	    raw != NULL ? raw : tmp) == 0;
}

/* A name the store can hold: 1 to max bytes (the callers choose what). */
static int
valid_name(const char *s, size_t max)
{
	size_t	 n;

	if (s == NULL)
		return 0;
	n = strnlen(s, max + 1);
	return n > 0 && n <= max;
}

/* This process ended sid itself: refuse its tokens here at once. */
static void
learn(struct store *st, const unsigned char *raw, long long now)
{
	if (ended_add(st->set, raw, now + st->lim.keep_sec, now) == -1 &&
	    !st->said_full) {
		log_warnx("ended sessions: the set is full; a session ended "
		    "now is refused by the other processes only");
		st->said_full = 1;
	}
}

enum store_status
store_create(struct store *st, struct store_session *s,
    const unsigned char hash[SESSION_HASH_BYTES])
{
	st->err = NULL;
	if (!valid_sid(s->sid, NULL) || !valid_name(s->user, USERS_NAME_MAX) ||
	    strnlen(s->scope, sizeof(s->scope)) == sizeof(s->scope) ||
	    strnlen(s->addr, sizeof(s->addr)) == sizeof(s->addr) ||
	    strnlen(s->agent, sizeof(s->agent)) == sizeof(s->agent) ||
	    (s->pwfp[0] != '\0' && strnlen(s->pwfp, sizeof(s->pwfp)) !=
	    SESSION_PWFP_CHARS)) {
		/* A caller's bug: never a session that half exists. */
		st->err = "store: a malformed session was not created";
		return STORE_DOWN;
	}
	s->last_used = s->created;
	s->abs_expires = s->created + st->lim.ttl_sec;
	s->expires = s->created + st->lim.idle_sec;
	if (s->expires > s->abs_expires)
		s->expires = s->abs_expires;
	s->ended = 0;
	return st->ops->create(st->impl, s, hash);
}

enum store_status
store_rotate(struct store *st, const char *sid,
    const unsigned char old[SESSION_HASH_BYTES],
    const unsigned char new_hash[SESSION_HASH_BYTES], long long now,
    struct store_session *out)
{
	enum store_status	 rc;
	unsigned char		 raw[SESSION_SID_BYTES];

	st->err = NULL;
	memset(out, 0, sizeof(*out));
	if (!valid_sid(sid, raw))
		return STORE_NOT_FOUND;
	rc = st->ops->rotate(st->impl, sid, old, new_hash, now, out);
	if (rc == STORE_REUSED)
		learn(st, raw, now);
	if (rc != STORE_OK && rc != STORE_REUSED && rc != STORE_ENDED)
		memset(out, 0, sizeof(*out));
	return rc;
}

enum store_status
store_get(struct store *st, const char *sid, struct store_session *out)
{
	enum store_status	 rc;

	st->err = NULL;
	memset(out, 0, sizeof(*out));
	if (!valid_sid(sid, NULL))
		return STORE_NOT_FOUND;
	if ((rc = st->ops->get(st->impl, sid, out)) != STORE_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}

enum store_status
store_end(struct store *st, const char *sid, long long now)
{
	enum store_status	 rc;
	unsigned char		 raw[SESSION_SID_BYTES];

	st->err = NULL;
	if (!valid_sid(sid, raw))
		return STORE_NOT_FOUND;
	if ((rc = st->ops->end(st->impl, sid, now)) == STORE_OK)
		learn(st, raw, now);
	return rc;
}

enum store_status
store_end_token(struct store *st, const char *sid,
    const unsigned char hash[SESSION_HASH_BYTES], long long now)
{
	enum store_status	 rc;
	unsigned char		 raw[SESSION_SID_BYTES];

	st->err = NULL;
	if (!valid_sid(sid, raw))
		return STORE_NOT_FOUND;
	if ((rc = st->ops->end_token(st->impl, sid, hash, now)) == STORE_OK)
		learn(st, raw, now);
	return rc;
}

enum store_status
store_end_user(struct store *st, const char *user, long long now, long *n)
{
	st->err = NULL;
	*n = 0;
	if (!valid_name(user, USERS_NAME_MAX))
		return STORE_OK;
	return st->ops->end_user(st->impl, user, now, n);
}

enum store_status
store_list(struct store *st, const char *user, long long now,
    struct store_session *out, size_t max, size_t *n)
{
	st->err = NULL;
	*n = 0;
	if (!valid_name(user, USERS_NAME_MAX) || max == 0)
		return STORE_OK;
	if (max > STORE_LIST_MAX)
		max = STORE_LIST_MAX;
	memset(out, 0, max * sizeof(*out));
	return st->ops->list(st->impl, user, now, out, max, n);
}

enum store_status
store_ended_since(struct store *st, struct store_cursor *cur, size_t max,
    store_ended_fn *fn, void *arg, size_t *n)
{
	struct store_cursor	 was = *cur;
	enum store_status	 rc;

	st->err = NULL;
	*n = 0;
	if (max == 0)
		return STORE_OK;
	if ((rc = st->ops->ended_since(st->impl, cur, max, fn, arg, n)) ==
	    STORE_DOWN)
		*cur = was;
	return rc;
}

static void
poll_add(const unsigned char sid[SESSION_SID_BYTES], long long until,
    void *arg)
{
	struct store	*st = arg;

	if (until < st->poll_now)
		return;		/* its tokens are dead already */
	if (ended_add(st->set, sid, until, st->poll_now) == -1 &&
	    !st->said_full) {
		log_warnx("ended sessions: the set is full (%zu); later ends "
		    "are not refused here until older ones expire",
		    ended_count(st->set));
		st->said_full = 1;
	}
}

/*
 * Read what is new in the log, a page at a time until one comes back
 * short.  Returns 0, or -1 if the store is down (what was read stays).
 */
static int
poll_log(struct store *st)
{
	size_t	 n;

	st->poll_now = real_sec(st);
	do {
		if (store_ended_since(st, &st->cur, STORE_PAGE, poll_add, st,
		    &n) != STORE_OK) {
			if (!st->said_down) {
				if (st->loaded)
					log_warnx("ended sessions: cannot poll "
					    "the %s store: %s; tokens are "
					    "checked against what was loaded",
					    store_kind(st), store_errstr(st));
				else
					log_warnx("ended sessions not loaded "
					    "(%s: %s): logouts of the last %ld "
					    "min are not enforced here until "
					    "the store answers",
					    store_kind(st), store_errstr(st),
					    (st->lim.keep_sec + 59) / 60);
				st->said_down = 1;
			}
			return -1;
		}
	} while (n == STORE_PAGE);
	if (st->said_down) {
		log_info("ended sessions: the %s store answers again",
		    store_kind(st));
		st->said_down = 0;
	}
	st->loaded = 1;
	return 0;
}

int
store_ended_load(struct store *st)
{
	st->next_poll_ms = st->clock.mono_ms(st->clock.arg) +
	    STORE_POLL_INTERVAL_MS;
	if (st->next_sweep_ms == 0)
		st->next_sweep_ms = st->next_poll_ms - STORE_POLL_INTERVAL_MS +
		    STORE_SWEEP_INTERVAL_MS;
	return poll_log(st);
}

int
store_ended(struct store *st, const char *sid)
{
	unsigned char	 raw[SESSION_SID_BYTES];

	if (sid == NULL || session_sid_decode(sid, strnlen(sid,
	    SESSION_SID_CHARS + 1), raw) == -1)
		return 0;
	return store_ended_raw(st, raw);
}

int
store_ended_raw(struct store *st, const unsigned char raw[SESSION_SID_BYTES])
{
	long long	 mono;

	mono = st->clock.mono_ms(st->clock.arg);
	if (mono >= st->next_poll_ms) {
		st->next_poll_ms = mono + STORE_POLL_INTERVAL_MS;
		(void)poll_log(st);
		if (mono >= st->next_sweep_ms) {
			(void)ended_sweep(st->set, real_sec(st));
			st->next_sweep_ms = mono + STORE_SWEEP_INTERVAL_MS;
		}
	}
	return ended_has(st->set, raw, real_sec(st));
}

void
store_poll_now(struct store *st)
{
	st->next_poll_ms = st->clock.mono_ms(st->clock.arg);
}

size_t
store_ended_count(const struct store *st)
{
	return ended_count(st->set);
}

enum store_status
store_throttle_begin(struct store *st, const char *user, const char *addr,
    long long now_ms, struct store_attempt *att, long *retry_after)
{
	st->err = NULL;
	memset(att, 0, sizeof(*att));
	*retry_after = 0;
	if (!valid_name(user, USERS_NAME_MAX) ||
	    !valid_name(addr, STORE_ADDR_MAX)) {
		st->err = "store: a malformed throttling key";
		return STORE_DOWN;
	}
	return st->ops->throttle_begin(st->impl, user, addr, now_ms, att,
	    retry_after);
}

enum store_status
store_throttle_end(struct store *st, const struct store_attempt *att,
    int success)
{
	st->err = NULL;
	if (att->id[0] == '\0')
		return STORE_OK;	/* no attempt was recorded */
	return st->ops->throttle_end(st->impl, att, success);
}
