/* check_store.c -- the session store's contract, run against each back-end */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <limits.h>
#include <signal.h>

#include "check_common.h"
#include "b64url.h"
#include "log.h"
#include "session.h"
#include "store.h"
#include "store_int.h"
#include "throttle.h"
#include "watch.h"

/*
 * One source, built once per back-end: -DSTORE_BACKEND=sqlite (the
 * default) or redis.  Each back-end defines three functions:
 *   backend_suite_setup, backend_suite_teardown: unchecked fixtures of
 *     every TCase (the Redis build's check_store_redis.h starts and stops
 *     its own redis-server there, and exits 77 without one);
 *   backend_fresh_url(url, size): the SESSION_STORE of a fresh, empty
 *     store for the next test.
 * The "down" cases are each back-end's own (SQLite's are below).
 */
#define sqlite	1
#define redis	2
#ifndef STORE_BACKEND
#define STORE_BACKEND sqlite
#endif
#if STORE_BACKEND == redis
#define BACKEND_REDIS	1
#define STORE_BACKEND_KIND	"redis"
#else
#define STORE_BACKEND_KIND	"sqlite"
#endif
#undef sqlite
#undef redis

#ifdef BACKEND_REDIS
#include "check_store_redis.h"
#else
#include <sqlite3.h>

static void
backend_suite_setup(void)
{
}

static void
backend_suite_teardown(void)
{
}

/* A new file in a new folder, by absolute path (sqlite:PATH wants one). */
static void
backend_fresh_url(char *url, size_t size)
{
	char	 abs[PATH_MAX];

	ck_assert_ptr_nonnull(realpath(test_fresh_dir("store"), abs));
	ck_assert_int_lt(snprintf(url, size, "sqlite:%s/sessions.db", abs),
	    (int)size);
}
#endif

#define NOW		((long long)TS_CONST)
#define USER		"alice"
#define RACERS		16
#define RACE_ROUNDS	20

/* The clock every store here runs on: tests step it. */
static long long	 t_mono_ms, t_real_ms;
static char		 url[STORE_URL_MAX + 1];

static long long
t_mono(void *arg)
{
	(void)arg;
	return t_mono_ms;
}

static long long
t_real(void *arg)
{
	(void)arg;
	return t_real_ms;
}

static const struct watch_clock tclock = { t_mono, t_real, NULL };

static void
at(long long now)
{
	t_real_ms = now * 1000;
}

static void
setup(void)
{
	t_mono_ms = 1000000;
	at(NOW);
	backend_fresh_url(url, sizeof(url));
}

static void
teardown(void)
{
}

static struct store *
open_lim(const struct store_limits *lim)
{
	struct store	*st;
	char		 err[1200];

	st = store_open(url, NULL, lim, &tclock, err, sizeof(err));
	ck_assert_msg(st != NULL, "store_open %s: %s", url, err);
	return st;
}

static struct store *
open_default(void)
{
	struct store_limits	 lim;

	store_limits_init(&lim);
	return open_lim(&lim);
}

/* A distinct refresh-token hash for each n. */
static void
hash_of(int n, unsigned char h[SESSION_HASH_BYTES])
{
	char	 s[32];

	(void)snprintf(s, sizeof(s), "token %d", n);
	ck_assert_int_eq(session_sha256(s, strlen(s), h), 0);
}

/* A new session of user at now, its refresh token's hash hash_of(n). */
static void
new_session(struct store *st, const char *user, long long now, int n,
    struct store_session *s)
{
	unsigned char	 h[SESSION_HASH_BYTES];

	memset(s, 0, sizeof(*s));
	ck_assert_int_eq(session_new_id(s->sid), 0);
	(void)snprintf(s->user, sizeof(s->user), "%s", user);
	s->ver = 3;
	(void)snprintf(s->scope, sizeof(s->scope), "read write");
	s->created = now;
	(void)snprintf(s->addr, sizeof(s->addr), "192.0.2.%d", n % 250);
	(void)snprintf(s->agent, sizeof(s->agent), "agent/%d", n);
	hash_of(n, h);
	ck_assert_int_eq(store_create(st, s, h), STORE_OK);
}

/* The ended log, read whole from {0, 0}. */
struct logged {
	unsigned char	 sid[64][SESSION_SID_BYTES];
	long long	 until[64];
	size_t		 n;
};

static void
collect(const unsigned char sid[SESSION_SID_BYTES], long long until,
    void *arg)
{
	struct logged	*l = arg;

	ck_assert_uint_lt(l->n, 64);
	memcpy(l->sid[l->n], sid, SESSION_SID_BYTES);
	l->until[l->n++] = until;
}

static void
read_log(struct store *st, struct store_cursor *cur, struct logged *l)
{
	size_t	 n;

	memset(l, 0, sizeof(*l));
	ck_assert_int_eq(store_ended_since(st, cur, 64, collect, l, &n),
	    STORE_OK);
	ck_assert_uint_eq(n, l->n);
}

/* How many times sid is in the log, and the until of its last entry. */
static size_t
times_logged(struct store *st, const char *sid, long long *until)
{
	struct store_cursor	 cur = { 0, 0 };
	struct logged		 l;
	unsigned char		 raw[SESSION_SID_BYTES];
	size_t			 i, k = 0;

	ck_assert_int_eq(session_sid_decode(sid, strlen(sid), raw), 0);
	read_log(st, &cur, &l);
	for (i = 0; i < l.n; i++)
		if (memcmp(l.sid[i], raw, sizeof(raw)) == 0) {
			k++;
			if (until != NULL)
				*until = l.until[i];
		}
	return k;
}

START_TEST(test_url_check)
{
	static const struct {
		const char	*url;
		int		 ok;	/* 1: valid (if the back-end is built) */
	} cases[] = {
		{ "sqlite:/var/lib/fcgi-auth/sessions.db", 1 },
		{ "sqlite:sessions.db", 0 },
		{ "sqlite:./sessions.db", 0 },
		{ "sqlite:", 0 },
		{ "redis://localhost", 1 },
		{ "redis://127.0.0.1:6380/3", 1 },
		{ "redis://fa@redis.example:6379/15", 1 },
		{ "redis://[::1]:6379/0", 1 },
		{ "redis://[::1]", 1 },
		{ "redis://user:secret@localhost", 0 },
		{ "redis://:secret@localhost", 0 },
		{ "redis://localhost:0", 0 },
		{ "redis://localhost:65536", 0 },
		{ "redis://localhost:", 0 },
		{ "redis://localhost/16", 0 },
		{ "redis://localhost/", 0 },
		{ "redis://localhost/1/2", 0 },
		{ "redis://localhost?db=1", 0 },
		{ "redis://", 0 },
		{ "redis://[::1", 0 },
		{ "redis://[nonsense]", 0 },
		{ "redis://host name", 0 },
		{ "rediss://localhost", 0 },
		{ "http://localhost", 0 },
		{ "", 0 },
	};
	char	 err[256], big[STORE_URL_MAX + 16];
	size_t	 i;
	int	 rc;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		err[0] = '\0';
		rc = store_url_check(cases[i].url, err, sizeof(err));
		if (cases[i].ok)
			/* Valid, or valid but not in this build: said so. */
			ck_assert_msg(rc == 0 || strstr(err, "this build has "
			    "no") != NULL, "%s: %s", cases[i].url, err);
		else
			ck_assert_msg(rc == -1 && err[0] != '\0' &&
			    strstr(err, "this build has no") == NULL,
			    "%s: accepted", cases[i].url);
		/* A password never shows in the message. */
		ck_assert(strstr(err, "secret") == NULL);
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "sqlite:/", 8);
	ck_assert_int_eq(store_url_check(big, err, sizeof(err)), -1);
}
END_TEST

START_TEST(test_open_refused)
{
	struct store_limits	 lim;
	char			 err[1200], bad[STORE_URL_MAX + 64];

	store_limits_init(&lim);
	ck_assert_ptr_null(store_open("sqlite:relative.db", NULL, &lim, NULL,
	    err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "absolute"));
#ifndef BACKEND_REDIS
	/* A folder that is not there: the file can never be opened. */
	ck_assert_int_lt(snprintf(bad, sizeof(bad), "%s/none/x.db", url),
	    (int)sizeof(bad));
	ck_assert_ptr_null(store_open(bad, NULL, &lim, NULL, err,
	    sizeof(err)));
	/* SQLite has no password. */
	test_write(test_path("pw"), "pw\n", 3);
	ck_assert_ptr_null(store_open(url, test_path("pw"), &lim, NULL, err,
	    sizeof(err)));
	ck_assert_ptr_null(strstr(err, "pw\n"));
#else
	(void)bad;
#endif
	store_free(NULL);
}
END_TEST

/* 1. create, then list: the user's live sessions, oldest first. */
START_TEST(test_create_list)
{
	struct store		*st = open_default();
	struct store_session	 a, b, c, out[4], g;
	struct store_limits	 lim;
	size_t			 n;

	store_limits_init(&lim);
	new_session(st, USER, NOW, 1, &a);
	ck_assert_int_eq(a.last_used, NOW);
	ck_assert_int_eq(a.abs_expires, NOW + lim.ttl_sec);
	ck_assert_int_eq(a.expires, NOW + lim.idle_sec);
	ck_assert_int_eq(a.ended, 0);
	new_session(st, USER, NOW + 10, 2, &b);
	new_session(st, "bob", NOW + 5, 3, &c);

	ck_assert_int_eq(store_list(st, USER, NOW + 20, out, 4, &n), STORE_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(out[0].sid, a.sid);
	ck_assert_str_eq(out[1].sid, b.sid);
	ck_assert_str_eq(out[0].user, USER);
	ck_assert_int_eq(out[0].ver, 3);
	ck_assert_str_eq(out[0].scope, "read write");
	ck_assert_int_eq(out[0].created, NOW);
	ck_assert_int_eq(out[0].last_used, NOW);
	ck_assert_int_eq(out[0].expires, NOW + lim.idle_sec);
	ck_assert_int_eq(out[0].abs_expires, NOW + lim.ttl_sec);
	ck_assert_str_eq(out[0].addr, "192.0.2.1");
	ck_assert_str_eq(out[0].agent, "agent/1");
	ck_assert_str_eq(out[1].agent, "agent/2");
	/* At most max. */
	ck_assert_int_eq(store_list(st, USER, NOW + 20, out, 1, &n), STORE_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(out[0].sid, a.sid);
	ck_assert_int_eq(store_list(st, "bob", NOW + 20, out, 4, &n), STORE_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(out[0].sid, c.sid);
	ck_assert_int_eq(store_list(st, "carol", NOW, out, 4, &n), STORE_OK);
	ck_assert_uint_eq(n, 0);
	/* Expired ones are not listed. */
	ck_assert_int_eq(store_list(st, USER, NOW + lim.idle_sec, out, 4, &n),
	    STORE_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(out[0].sid, b.sid);

	ck_assert_int_eq(store_get(st, b.sid, &g), STORE_OK);
	ck_assert_str_eq(g.sid, b.sid);
	ck_assert_str_eq(g.addr, "192.0.2.2");
	ck_assert_int_eq(g.created, NOW + 10);
	ck_assert_int_eq(store_get(st, "AAAAAAAAAAAAAAAAAAAAAA", &g),
	    STORE_NOT_FOUND);
	ck_assert_str_eq(g.sid, "");
	ck_assert_int_eq(store_get(st, "not a sid", &g), STORE_NOT_FOUND);
	ck_assert_str_eq(store_kind(st), STORE_BACKEND_KIND);
	ck_assert_str_eq(store_errstr(st), "");
	store_free(st);
}
END_TEST

/*
 * The password hash's fingerprint comes back as it went in, from every
 * read (get, list, rotate); a session made without one reads as "".
 */
START_TEST(test_pwfp)
{
	struct store		*st = open_default();
	struct store_session	 a, b, g, out[2];
	unsigned char		 h0[SESSION_HASH_BYTES], h1[SESSION_HASH_BYTES];
	char			 fp[SESSION_PWFP_CHARS + 1];
	size_t			 n;

	ck_assert_int_eq(session_pw_fingerprint("$5$rounds=1000$salt$"
	    "hash", fp), 0);
	ck_assert_uint_eq(strlen(fp), SESSION_PWFP_CHARS);
	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(session_new_id(a.sid), 0);
	(void)snprintf(a.user, sizeof(a.user), "%s", USER);
	a.created = NOW;
	(void)snprintf(a.addr, sizeof(a.addr), "192.0.2.1");
	(void)snprintf(a.pwfp, sizeof(a.pwfp), "%s", fp);
	hash_of(0, h0);
	ck_assert_int_eq(store_create(st, &a, h0), STORE_OK);
	new_session(st, USER, NOW + 1, 1, &b);	/* none */

	ck_assert_int_eq(store_get(st, a.sid, &g), STORE_OK);
	ck_assert_str_eq(g.pwfp, fp);
	ck_assert_int_eq(store_get(st, b.sid, &g), STORE_OK);
	ck_assert_str_eq(g.pwfp, "");
	ck_assert_int_eq(store_list(st, USER, NOW + 2, out, 2, &n), STORE_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(out[0].pwfp, fp);
	ck_assert_str_eq(out[1].pwfp, "");
	hash_of(1, h1);
	ck_assert_int_eq(store_rotate(st, a.sid, h0, h1, NOW + 3, &g),
	    STORE_OK);
	ck_assert_str_eq(g.pwfp, fp);
	/* A replay answers the session too, and reuse. */
	ck_assert_int_eq(store_rotate(st, a.sid, h0, h1, NOW + 4, &g),
	    STORE_OK);
	ck_assert_str_eq(g.pwfp, fp);
	ck_assert_int_eq(store_rotate(st, a.sid, h0, h0, NOW + 5, &g),
	    STORE_REUSED);
	ck_assert_str_eq(g.pwfp, fp);

	/* Anything but "" or a whole fingerprint is a caller's bug. */
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(session_new_id(g.sid), 0);
	(void)snprintf(g.user, sizeof(g.user), "%s", USER);
	(void)snprintf(g.pwfp, sizeof(g.pwfp), "abc");
	ck_assert_int_eq(store_create(st, &g, h0), STORE_DOWN);
	ck_assert_int_eq(store_get(st, g.sid, &b), STORE_NOT_FOUND);
	store_free(st);
}
END_TEST

/*
 * 2-5, 7: what a session answers to each refresh token presented, and
 * what ends it.  Each case starts from one session created at NOW with
 * token 0, then runs its steps; at the end the log must hold the session
 * exactly "logged" times.
 */
enum op { NONE, ROT, END, END_TOKEN };

struct step {
	enum op			 op;
	int			 a, b;	/* ROT a -> b; END_TOKEN a */
	long long		 dt;	/* now = NOW + dt */
	enum store_status	 want;
	long long		 last;	/* ROT: want out.last_used - NOW; -1 */
};

#define DAY	86400LL
#define IDLE	(7 * DAY)

static const struct {
	const char	*name;
	struct step	 steps[16];
	size_t		 logged;
	long long	 log_dt;	/* the logging step's dt */
} life_cases[] = {
	{ "rotate; old is reuse; new then ended", {
		{ ROT, 0, 1, 100, STORE_OK, 100 },
		{ ROT, 0, 2, 200, STORE_REUSED, 100 },
		{ ROT, 1, 3, 300, STORE_ENDED, 100 },
	}, 1, 200 },
	{ "reuse twice logs once", {
		{ ROT, 0, 1, 10, STORE_OK, 10 },
		{ ROT, 0, 2, 20, STORE_REUSED, -1 },
		{ ROT, 0, 3, 30, STORE_REUSED, -1 },
		{ ROT, 1, 4, 40, STORE_ENDED, -1 },
	}, 1, 20 },
	{ "a chain of rotations, then an old one", {
		{ ROT, 0, 1, 10, STORE_OK, 10 },
		{ ROT, 1, 2, 20, STORE_OK, 20 },
		{ ROT, 2, 3, 30, STORE_OK, 30 },
		{ ROT, 1, 9, 40, STORE_REUSED, 30 },
		{ ROT, 3, 4, 50, STORE_ENDED, -1 },
	}, 1, 40 },
	{ "a guess for a known sid ends nothing", {
		{ ROT, 7, 1, 10, STORE_NOT_FOUND, -1 },
		{ END_TOKEN, 8, 0, 20, STORE_NOT_FOUND, -1 },
		{ ROT, 0, 1, 30, STORE_OK, 30 },
	}, 0, 0 },
	{ "idle: just before expiry", {
		{ ROT, 0, 1, IDLE - 1, STORE_OK, IDLE - 1 },
	}, 0, 0 },
	{ "idle: at expiry, ended, nothing logged", {
		{ ROT, 0, 1, IDLE, STORE_ENDED, 0 },
		{ ROT, 0, 1, IDLE + 1, STORE_ENDED, 0 },
	}, 0, 0 },
	{ "absolute: daily refreshes end after 14 days", {
		{ ROT, 0, 1, 1 * DAY, STORE_OK, 1 * DAY },
		{ ROT, 1, 2, 3 * DAY, STORE_OK, 3 * DAY },
		{ ROT, 2, 3, 5 * DAY, STORE_OK, 5 * DAY },
		{ ROT, 3, 4, 7 * DAY, STORE_OK, 7 * DAY },
		{ ROT, 4, 5, 9 * DAY, STORE_OK, 9 * DAY },
		{ ROT, 5, 6, 11 * DAY, STORE_OK, 11 * DAY },
		{ ROT, 6, 7, 13 * DAY, STORE_OK, 13 * DAY },
		{ ROT, 7, 8, 14 * DAY - 1, STORE_OK, 14 * DAY - 1 },
		{ ROT, 8, 9, 14 * DAY, STORE_ENDED, 14 * DAY - 1 },
	}, 0, 0 },
	{ "idempotent replay: one rotation", {
		{ ROT, 0, 1, 10, STORE_OK, 10 },
		{ ROT, 0, 1, 20, STORE_OK, 10 },
		{ ROT, 0, 1, 30, STORE_OK, 10 },
		{ ROT, 1, 2, 40, STORE_OK, 40 },
		/* Rotated on since: now it is reuse. */
		{ ROT, 0, 1, 50, STORE_REUSED, 40 },
	}, 1, 50 },
	{ "replay of an ended session is reuse", {
		{ ROT, 0, 1, 10, STORE_OK, 10 },
		{ END, 0, 0, 20, STORE_OK, -1 },
		{ ROT, 0, 1, 30, STORE_REUSED, 10 },
	}, 1, 20 },
	{ "end: refreshes no more, ends once", {
		{ END, 0, 0, 10, STORE_OK, -1 },
		{ ROT, 0, 1, 20, STORE_ENDED, 0 },
		{ END, 0, 0, 30, STORE_NOT_FOUND, -1 },
		{ END_TOKEN, 0, 0, 40, STORE_NOT_FOUND, -1 },
	}, 1, 10 },
	{ "end_token with the current token", {
		{ END_TOKEN, 0, 0, 10, STORE_OK, -1 },
		{ ROT, 0, 1, 20, STORE_ENDED, -1 },
	}, 1, 10 },
	{ "end_token with a rotated token", {
		{ ROT, 0, 1, 10, STORE_OK, 10 },
		{ END_TOKEN, 0, 0, 20, STORE_OK, -1 },
		{ ROT, 1, 2, 30, STORE_ENDED, 10 },
	}, 1, 20 },
};

START_TEST(test_life)
{
	struct store		*st = open_default();
	struct store_session	 s, out;
	struct store_limits	 lim;
	const struct step	*p;
	unsigned char		 ha[SESSION_HASH_BYTES], hb[SESSION_HASH_BYTES];
	enum store_status	 rc = STORE_OK;
	long long		 until = 0;
	size_t			 i;
	int			 ended = 0;

	store_limits_init(&lim);
	new_session(st, USER, NOW, 0, &s);
	for (i = 0; i < ARRAY_SIZE(life_cases[_i].steps); i++) {
		p = &life_cases[_i].steps[i];
		if (p->op == NONE)
			break;
		at(NOW + p->dt);
		hash_of(p->a, ha);
		hash_of(p->b, hb);
		switch (p->op) {
		case ROT:
			memset(&out, 0x5a, sizeof(out));
			rc = store_rotate(st, s.sid, ha, hb, NOW + p->dt, &out);
			if (rc == STORE_NOT_FOUND)
				ck_assert_str_eq(out.sid, "");
			else
				ck_assert_str_eq(out.sid, s.sid);
			if (p->last >= 0)
				ck_assert_msg(out.last_used == NOW + p->last,
				    "%s, step %zu: last_used %lld",
				    life_cases[_i].name, i, out.last_used -
				    NOW);
			if (rc == STORE_OK) {
				ck_assert_int_eq(out.ended, 0);
				ck_assert_int_eq(out.expires,
				    out.last_used + lim.idle_sec <
				    out.abs_expires ? out.last_used +
				    lim.idle_sec : out.abs_expires);
			}
			if (rc == STORE_REUSED)
				ck_assert_int_ne(out.ended, 0);
			break;
		case END:
			rc = store_end(st, s.sid, NOW + p->dt);
			break;
		case END_TOKEN:
			rc = store_end_token(st, s.sid, ha, NOW + p->dt);
			break;
		case NONE:
			break;
		}
		ck_assert_msg(rc == p->want, "%s, step %zu: %d, not %d",
		    life_cases[_i].name, i, rc, p->want);
		if (rc == STORE_REUSED || (p->op != ROT && rc == STORE_OK))
			ended = 1;
		/* This process refuses an ended session's tokens at once. */
		ck_assert_int_eq(store_ended(st, s.sid), ended);
	}
	ck_assert_uint_eq(times_logged(st, s.sid, &until),
	    life_cases[_i].logged);
	if (life_cases[_i].logged > 0)
		ck_assert_int_eq(until, NOW + life_cases[_i].log_dt +
		    lim.keep_sec);
	ck_assert_int_eq(store_get(st, s.sid, &out), STORE_OK);
	ck_assert_int_eq(out.ended != 0, ended);
	store_free(st);
}
END_TEST

/* Unknown and malformed ids: NOT_FOUND everywhere, nothing written. */
START_TEST(test_unknown)
{
	struct store		*st = open_default();
	struct store_session	 out;
	struct store_cursor	 cur = { 0, 0 };
	struct logged		 l;
	unsigned char		 h[SESSION_HASH_BYTES], h2[SESSION_HASH_BYTES];
	char			 sid[SESSION_SID_CHARS + 1];
	static const char *const ids[] = {
		NULL, "", "short", "AAAAAAAAAAAAAAAAAAAAAAA",
		"AAAAAAAAAAAAAAAAAAAAAx", "AAAAAAAAAAAAAAAAAAAA+A",
	};
	size_t			 i;

	ck_assert_int_eq(session_new_id(sid), 0);
	hash_of(0, h);
	hash_of(1, h2);
	ck_assert_int_eq(store_rotate(st, sid, h, h2, NOW, &out),
	    STORE_NOT_FOUND);
	ck_assert_int_eq(store_end(st, sid, NOW), STORE_NOT_FOUND);
	ck_assert_int_eq(store_end_token(st, sid, h, NOW), STORE_NOT_FOUND);
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		ck_assert_int_eq(store_rotate(st, ids[i], h, h2, NOW, &out),
		    STORE_NOT_FOUND);
		ck_assert_int_eq(store_get(st, ids[i], &out), STORE_NOT_FOUND);
		ck_assert_int_eq(store_end(st, ids[i], NOW), STORE_NOT_FOUND);
		ck_assert_int_eq(store_end_token(st, ids[i], h, NOW),
		    STORE_NOT_FOUND);
		ck_assert_int_eq(store_ended(st, ids[i]), 0);
	}
	read_log(st, &cur, &l);
	ck_assert_uint_eq(l.n, 0);
	store_free(st);
}
END_TEST

/* 7. end_user: every live session of the user, counted, logged once. */
START_TEST(test_end_user)
{
	struct store		*st = open_default();
	struct store_session	 live1, live2, ended, expired, bob, out;
	long			 n = -1;

	new_session(st, USER, NOW, 1, &live1);
	new_session(st, USER, NOW + 1, 2, &live2);
	new_session(st, USER, NOW, 3, &ended);
	new_session(st, USER, NOW - IDLE - 10, 4, &expired);
	new_session(st, "bob", NOW, 5, &bob);
	ck_assert_int_eq(store_end(st, ended.sid, NOW + 5), STORE_OK);

	ck_assert_int_eq(store_end_user(st, USER, NOW + 10, &n), STORE_OK);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(times_logged(st, live1.sid, NULL), 1);
	ck_assert_uint_eq(times_logged(st, live2.sid, NULL), 1);
	ck_assert_uint_eq(times_logged(st, ended.sid, NULL), 1);
	ck_assert_uint_eq(times_logged(st, expired.sid, NULL), 0);
	ck_assert_uint_eq(times_logged(st, bob.sid, NULL), 0);
	ck_assert_int_eq(store_get(st, live1.sid, &out), STORE_OK);
	ck_assert_int_eq(out.ended, NOW + 10);
	ck_assert_int_eq(store_get(st, bob.sid, &out), STORE_OK);
	ck_assert_int_eq(out.ended, 0);
	/* Again: nothing live is left. */
	ck_assert_int_eq(store_end_user(st, USER, NOW + 20, &n), STORE_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(store_end_user(st, "nobody", NOW + 20, &n), STORE_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_uint_eq(times_logged(st, live1.sid, NULL), 1);
	store_free(st);
}
END_TEST

/*
 * 8. The log: cursor semantics, pages of max, commit order; and after a
 * purge has emptied it, a new entry is still seen by a reader whose
 * cursor is past every number used so far.
 */
START_TEST(test_ended_since)
{
	struct store		*st = open_default();
	struct store_limits	 lim;
	struct store_session	 s[6];
	struct store_cursor	 cur = { 0, 0 }, was;
	struct logged		 l;
	unsigned char		 raw[SESSION_SID_BYTES];
	size_t			 i, k, n, total = 0;
	int			 order[5] = { 3, 0, 4, 1, 2 };

	store_limits_init(&lim);
	for (i = 0; i < 6; i++)
		new_session(st, USER, NOW, (int)i, &s[i]);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(store_end(st, s[order[i]].sid, NOW +
		    (long long)i), STORE_OK);
	/* Pages of 2: 2, 2, 1 (caught up), in the order they ended. */
	for (i = 0; i < 3; i++) {
		memset(&l, 0, sizeof(l));
		ck_assert_int_eq(store_ended_since(st, &cur, 2, collect, &l, &n),
		    STORE_OK);
		ck_assert_uint_eq(n, i < 2 ? 2 : 1);
		for (k = 0; k < n; k++, total++) {
			ck_assert_int_eq(session_sid_decode(
			    s[order[total]].sid, SESSION_SID_CHARS, raw), 0);
			ck_assert(memcmp(l.sid[k], raw, sizeof(raw)) == 0);
			ck_assert_int_eq(l.until[k], NOW + (long long)total +
			    lim.keep_sec);
		}
	}
	was = cur;
	read_log(st, &cur, &l);
	ck_assert_uint_eq(l.n, 0);
	ck_assert(cur.hi == was.hi && cur.lo == was.lo);

	/* Every until passes; a write purges the log empty (Redis trims
	   by its own clock: test_redis_expiry). */
	new_session(st, USER, NOW + lim.keep_sec + 100, 10, &s[5]);
#ifndef BACKEND_REDIS
	memset(&was, 0, sizeof(was));
	read_log(st, &was, &l);
	ck_assert_uint_eq(l.n, 0);
#endif
	/* A new entry: seen from where the reader was. */
	ck_assert_int_eq(store_end(st, s[5].sid, NOW + lim.keep_sec + 101),
	    STORE_OK);
	read_log(st, &cur, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_int_eq(session_sid_decode(s[5].sid, SESSION_SID_CHARS, raw),
	    0);
	ck_assert(memcmp(l.sid[0], raw, sizeof(raw)) == 0);
	store_free(st);
}
END_TEST

/*
 * 8. The poll: another process's end is refused here once the interval
 * has passed (not before), and forgotten after its until.
 */
START_TEST(test_poll)
{
	struct store		*a = open_default(), *b = open_default();
	struct store_limits	 lim;
	struct store_session	 s, old, next;
	unsigned char		 raw[SESSION_SID_BYTES];

	store_limits_init(&lim);
	new_session(b, USER, NOW - 100, 1, &old);
	ck_assert_int_eq(store_end(b, old.sid, NOW - 50), STORE_OK);
	new_session(b, USER, NOW, 2, &s);
	ck_assert_int_eq(store_ended_load(a), 0);
	ck_assert_uint_eq(store_ended_count(a), 1);
	ck_assert_int_eq(store_ended(a, old.sid), 1);

	ck_assert_int_eq(store_end(b, s.sid, NOW), STORE_OK);
	ck_assert_int_eq(store_ended(b, s.sid), 1);	/* b at once */
	t_mono_ms += STORE_POLL_INTERVAL_MS - 1;
	ck_assert_int_eq(store_ended(a, s.sid), 0);	/* a: not due */
	t_mono_ms += 1;
	ck_assert_int_eq(store_ended(a, s.sid), 1);
	ck_assert_uint_eq(store_ended_count(a), 2);
	/* Asked to, a polls at once: b's next end is seen before it is due. */
	new_session(b, USER, NOW, 3, &next);
	ck_assert_int_eq(store_end(b, next.sid, NOW), STORE_OK);
	ck_assert_int_eq(store_ended(a, next.sid), 0);	/* a: not due */
	store_poll_now(a);
	ck_assert_int_eq(store_ended(a, next.sid), 1);
	ck_assert_int_eq(store_ended(a, "garbage"), 0);
	ck_assert_int_eq(store_ended(a, NULL), 0);
	/* The token check's way in: the sid's bytes, decoded already. */
	ck_assert_int_eq(session_sid_decode(s.sid, strlen(s.sid), raw), 0);
	ck_assert_int_eq(store_ended_raw(a, raw), 1);
	ck_assert_int_eq(session_sid_decode(old.sid, strlen(old.sid), raw), 0);
	ck_assert_int_eq(store_ended_raw(a, raw), 1);
	raw[0] ^= 1;
	ck_assert_int_eq(store_ended_raw(a, raw), 0);

	/* Past the first's until: no longer refused, then forgotten. */
	at(NOW - 50 + lim.keep_sec + 1);
	ck_assert_int_eq(store_ended(a, old.sid), 0);
	ck_assert_int_eq(store_ended(a, s.sid), 1);
	t_mono_ms += STORE_SWEEP_INTERVAL_MS;
	ck_assert_int_eq(store_ended(a, s.sid), 1);
	ck_assert_uint_eq(store_ended_count(a), 2);	/* s and next */
	store_free(a);
	store_free(b);
}
END_TEST

#ifndef BACKEND_REDIS
/*
 * 9. purge: a session's rows go keep_sec after it expires, not before.
 * (Redis purges by its own clock, which the test's cannot move:
 * test_redis_expiry.)
 */
START_TEST(test_purge)
{
	struct store		*st = open_default();
	struct store_limits	 lim;
	struct store_session	 s, t, out;
	long long		 gone;

	store_limits_init(&lim);
	new_session(st, USER, NOW, 1, &s);
	gone = s.expires + lim.keep_sec;
	/* A write one second before: still there (ended or not). */
	new_session(st, USER, gone - 1, 2, &t);
	ck_assert_int_eq(store_get(st, s.sid, &out), STORE_OK);
	new_session(st, USER, gone, 3, &t);
	ck_assert_int_eq(store_get(st, s.sid, &out), STORE_NOT_FOUND);
	ck_assert_int_eq(store_get(st, t.sid, &out), STORE_OK);
	store_free(st);
}
END_TEST

/* A count from the file itself, on a connection of the test's own. */
static long long
sql_count(const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*q;
	long long	 n = -1;

	ck_assert_int_eq(sqlite3_open_v2(url + strlen("sqlite:"), &db,
	    SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	(void)sqlite3_finalize(q);
	(void)sqlite3_close(db);
	return n;
}

/* 9. Purge is bounded per write, and attempts go after the hour. */
START_TEST(test_purge_bounded)
{
	struct store		*st = open_default();
	struct store_limits	 lim;
	struct store_session	 s;
	struct store_attempt	 att;
	long			 ra;
	int			 i;
	struct stat		 sb;

	store_limits_init(&lim);
	/* Made 0600 (SQLite gives -wal and -shm the same mode). */
	ck_assert_int_eq(stat(url + strlen("sqlite:"), &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	for (i = 0; i < 300; i++)
		new_session(st, USER, NOW, i, &s);
	ck_assert_int_eq(store_throttle_begin(st, USER, "192.0.2.1",
	    NOW * 1000, &att, &ra), STORE_OK);
	at(NOW + IDLE + lim.keep_sec);
	new_session(st, "bob", NOW + IDLE + lim.keep_sec, 1000, &s);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM sessions"), 300 - 256 +
	    1);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM attempts"), 0);
	new_session(st, "bob", NOW + IDLE + lim.keep_sec + 1, 1001, &s);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM sessions"), 2);
	store_free(st);
}
END_TEST
#endif

/*
 * 10. The throttling rule on the store, one address's and one account's
 * story, with its own clock (ms from T0).
 */
#define T0	(NOW * 1000)

struct attempt_step {
	long long		 dt_ms;
	const char		*user, *addr;
	enum store_status	 want;
	long			 retry_after;	/* for STORE_THROTTLED */
	int			 success;	/* for STORE_OK */
};

static const struct {
	const char		*name;
	int			 account_max;	/* 0: the default */
	struct attempt_step	 steps[16];
} throttle_cases[] = {
	{ "pair: 5 failures, then doubling waits", 0, {
		{ 0, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 1000, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 2000, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 3000, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 4000, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 5000, USER, "198.51.100.1", STORE_THROTTLED, 29, 0 },
		/* Refused, and not recorded: the wait does not grow. */
		{ 33001, USER, "198.51.100.1", STORE_THROTTLED, 1, 0 },
		{ 34000, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 34001, USER, "198.51.100.1", STORE_THROTTLED, 60, 0 },
		{ 94000, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 94000, USER, "198.51.100.1", STORE_THROTTLED, 120, 0 },
		/* Another address, another user: theirs to try. */
		{ 94000, USER, "198.51.100.2", STORE_OK, 0, 1 },
		{ 94000, "bob", "198.51.100.1", STORE_OK, 0, 0 },
	} },
	{ "pair: a success clears it", 0, {
		{ 0, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 0, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 0, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 0, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 0, USER, "198.51.100.1", STORE_OK, 0, 1 },
		{ 0, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 0, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 0, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 0, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 0, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 0, USER, "198.51.100.1", STORE_THROTTLED, 30, 0 },
	} },
	{ "pair: failures age out after the window", 0, {
		{ 0, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 0, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 0, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 0, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 0, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 0, USER, "198.51.100.1", STORE_THROTTLED, 30, 0 },
		{ 900000, USER, "198.51.100.1", STORE_OK, 0, 0 },
	} },
	{ "account: cleared pairs still count", 7, {
		{ 0, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 1, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 2, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 3, USER, "198.51.100.1", STORE_OK, 0, 0 },
		{ 4, USER, "198.51.100.1", STORE_OK, 0, 1 },
		{ 5, USER, "198.51.100.2", STORE_OK, 0, 0 },
		{ 6, USER, "198.51.100.2", STORE_OK, 0, 0 },
		{ 7, USER, "198.51.100.2", STORE_OK, 0, 0 },
		/* 4 + 3 failures: the account's cap, from any address. */
		{ 8, USER, "198.51.100.9", STORE_THROTTLED, 3600, 0 },
		{ 3600000, USER, "198.51.100.9", STORE_OK, 0, 1 },
		{ 3600000, "bob", "198.51.100.9", STORE_OK, 0, 0 },
	} },
};

START_TEST(test_throttle)
{
	struct store		*st;
	struct store_limits	 lim;
	struct store_attempt	 att;
	const struct attempt_step *p;
	enum store_status	 rc;
	long			 ra;
	size_t			 i;

	store_limits_init(&lim);
	if (throttle_cases[_i].account_max != 0)
		lim.account_max = throttle_cases[_i].account_max;
	st = open_lim(&lim);
	for (i = 0; i < ARRAY_SIZE(throttle_cases[_i].steps); i++) {
		p = &throttle_cases[_i].steps[i];
		if (p->user == NULL)
			break;
		ra = -1;
		rc = store_throttle_begin(st, p->user, p->addr, T0 + p->dt_ms,
		    &att, &ra);
		ck_assert_msg(rc == p->want, "%s, step %zu: %d, not %d",
		    throttle_cases[_i].name, i, rc, p->want);
		if (rc == STORE_THROTTLED) {
			ck_assert_msg(ra == p->retry_after, "%s, step %zu: "
			    "Retry-After %ld, not %ld", throttle_cases[_i].name,
			    i, ra, p->retry_after);
			continue;
		}
		ck_assert_str_eq(att.user, p->user);
		ck_assert_str_eq(att.addr, p->addr);
		ck_assert(att.id[0] != '\0');
		ck_assert_int_eq(store_throttle_end(st, &att, p->success),
		    STORE_OK);
	}
	store_free(st);
}
END_TEST

/*
 * 10. The account's default cap: 100 failures an hour from 100
 * addresses; the 101st attempt, from a clean address, waits until the
 * oldest is an hour old.
 */
START_TEST(test_throttle_account)
{
	struct store		*st = open_default();
	struct store_attempt	 att;
	char			 addr[STORE_ADDR_MAX + 1];
	long			 ra;
	int			 i;

	for (i = 0; i < THROTTLE_ACCOUNT_MAX; i++) {
		(void)snprintf(addr, sizeof(addr), "203.0.113.%d", i);
		ck_assert_int_eq(store_throttle_begin(st, USER, addr,
		    T0 + i * 1000LL, &att, &ra), STORE_OK);
		ck_assert_int_eq(store_throttle_end(st, &att, 0), STORE_OK);
	}
	ck_assert_int_eq(store_throttle_begin(st, USER, "203.0.113.200",
	    T0 + 100000, &att, &ra), STORE_THROTTLED);
	ck_assert_int_eq(ra, 3600 - 100);
	ck_assert_int_eq(store_throttle_begin(st, USER, "203.0.113.200",
	    T0 + 3600000, &att, &ra), STORE_OK);
	store_free(st);
}
END_TEST

/*
 * Fork n children that each open their own store (after the fork), wait
 * on one pipe until the parent closes it, run fn once and report its
 * status on another.  Returns the count of each status.
 */
typedef enum store_status racer_fn(struct store *, int, void *);

static void
race(int n, racer_fn *fn, void *arg, int counts[STORE_DOWN + 1])
{
	int		 go[2], res[2], i, status;
	pid_t		 pids[RACERS];
	unsigned char	 b;
	char		 c;

	ck_assert_int_le(n, RACERS);
	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(res), 0);
	for (i = 0; i < n; i++) {
		ck_assert_int_ne(pids[i] = fork(), -1);
		if (pids[i] == 0) {
			struct store	*st;

			(void)close(go[1]);
			(void)close(res[0]);
			st = open_default();
			/* Every child waits here until the pipe closes. */
			while (read(go[0], &c, 1) == -1 && errno == EINTR)
				;
			b = (unsigned char)fn(st, i, arg);
			store_free(st);
			_exit(write(res[1], &b, 1) == 1 ? 0 : 1);
		}
	}
	(void)close(go[0]);
	(void)close(res[1]);
	(void)close(go[1]);	/* go */
	memset(counts, 0, sizeof(int) * (STORE_DOWN + 1));
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(read(res[0], &b, 1), 1);
		ck_assert_int_le(b, STORE_DOWN);
		counts[b]++;
	}
	(void)close(res[0]);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

static enum store_status
rotate_racer(struct store *st, int i, void *arg)
{
	const char	*sid = arg;
	struct store_session out;
	unsigned char	 old[SESSION_HASH_BYTES], h[SESSION_HASH_BYTES];

	hash_of(0, old);
	hash_of(100 + i, h);
	return store_rotate(st, sid, old, h, NOW + 10, &out);
}

/* 6. 16 processes rotate one token: one wins, 15 see reuse, it ends. */
START_TEST(test_race)
{
	struct store		*st;
	struct store_session	 s, out;
	int			 round, counts[STORE_DOWN + 1];

	for (round = 0; round < RACE_ROUNDS; round++) {
		/* Closed across the fork: the children open their own. */
		st = open_default();
		new_session(st, USER, NOW, 0, &s);
		store_free(st);
		race(RACERS, rotate_racer, s.sid, counts);
		st = open_default();
		ck_assert_msg(counts[STORE_OK] == 1 &&
		    counts[STORE_REUSED] == RACERS - 1, "round %d: %d OK, %d "
		    "REUSED, %d ENDED, %d NOT_FOUND, %d DOWN", round,
		    counts[STORE_OK], counts[STORE_REUSED],
		    counts[STORE_ENDED], counts[STORE_NOT_FOUND],
		    counts[STORE_DOWN]);
		ck_assert_int_eq(store_get(st, s.sid, &out), STORE_OK);
		ck_assert_int_ne(out.ended, 0);
		ck_assert_uint_eq(times_logged(st, s.sid, NULL), 1);
		store_free(st);
	}
}
END_TEST

static enum store_status
throttle_racer(struct store *st, int i, void *arg)
{
	struct store_attempt	 att;
	long			 ra;

	(void)i;
	return store_throttle_begin(st, arg, "198.51.100.7", T0, &att, &ra);
}

/* 11. 16 processes try one pair at once: exactly M get through. */
START_TEST(test_throttle_race)
{
	char	 user[32];
	int	 round, counts[STORE_DOWN + 1];

	for (round = 0; round < RACE_ROUNDS; round++) {
		(void)snprintf(user, sizeof(user), "user%d", round);
		race(RACERS, throttle_racer, user, counts);
		ck_assert_msg(counts[STORE_OK] == 5 &&
		    counts[STORE_THROTTLED] == RACERS - 5, "round %d: %d OK, "
		    "%d THROTTLED, %d DOWN", round, counts[STORE_OK],
		    counts[STORE_THROTTLED], counts[STORE_DOWN]);
	}
}
END_TEST

/* A handle opened before fork(2) works in the child, on its own. */
START_TEST(test_fork_guard)
{
	struct store		*st = open_default();
	struct store_session	 s, out;
	unsigned char		 h0[SESSION_HASH_BYTES], h1[SESSION_HASH_BYTES];
	pid_t			 pid;
	int			 status, res[2];
	unsigned char		 b = 0xff;

	new_session(st, USER, NOW, 0, &s);
	hash_of(0, h0);
	hash_of(1, h1);
	ck_assert_int_eq(pipe(res), 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		b = (unsigned char)store_rotate(st, s.sid, h0, h1, NOW + 1,
		    &out);
		store_free(st);
		/*
		 * The answer goes by pipe, and the child leaves by SIGKILL:
		 * it still holds its parent's connection (by design), which
		 * a leak checker run on the suite would take for a leak.
		 */
		if (write(res[1], &b, 1) != 1)
			_exit(1);
		(void)kill(getpid(), SIGKILL);
		_exit(1);
	}
	(void)close(res[1]);
	ck_assert_int_eq(read(res[0], &b, 1), 1);
	(void)close(res[0]);
	ck_assert_int_eq(b, STORE_OK);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	/* The parent's connection still works, and sees the rotation. */
	ck_assert_int_eq(store_get(st, s.sid, &out), STORE_OK);
	ck_assert_int_eq(out.last_used, NOW + 1);
	ck_assert_int_eq(store_rotate(st, s.sid, h0, h1, NOW + 2, &out),
	    STORE_OK);	/* the replay */
	store_free(st);
}
END_TEST

#ifndef BACKEND_REDIS
/*
 * 12. SQLite full: the write that does not fit is STORE_DOWN and leaves
 * nothing; reads go on; with room again, writes work without a reopen.
 */
START_TEST(test_down_full)
{
	struct store_limits	 lim;
	struct store		*st;
	struct store_session	 s, big, out;
	struct store_cursor	 cur = { 0, 0 };
	struct logged		 l;
	struct store_attempt	 att;
	unsigned char		 h[SESSION_HASH_BYTES], h1[SESSION_HASH_BYTES];
	long			 ra;
	size_t			 n;
	int			 i;
	enum store_status	 rc = STORE_OK;

	store_limits_init(&lim);
	st = open_lim(&lim);
	new_session(st, USER, NOW, 0, &s);
	ck_assert_int_eq(store_end(st, s.sid, NOW + 1), STORE_OK);
	new_session(st, USER, NOW, 1, &s);
	ck_assert_int_eq(store_sqlite_test_exec(st, "PRAGMA max_page_count = 1"),
	    0);
	hash_of(2, h);
	for (i = 0; i < 64 && rc == STORE_OK; i++) {
		memset(&big, 0, sizeof(big));
		ck_assert_int_eq(session_new_id(big.sid), 0);
		(void)snprintf(big.user, sizeof(big.user), "%s", USER);
		memset(big.scope, 's', TOKEN_SCOPE_MAX);
		big.created = NOW;
		rc = store_create(st, &big, h);
	}
	ck_assert_int_eq(rc, STORE_DOWN);
	ck_assert_msg(strstr(store_errstr(st), "full") != NULL, "%s",
	    store_errstr(st));
	/* Nothing half-written; reads answer. */
	ck_assert_int_eq(store_get(st, big.sid, &out), STORE_NOT_FOUND);
	ck_assert_int_eq(store_get(st, s.sid, &out), STORE_OK);
	ck_assert_int_eq(store_list(st, USER, NOW, &out, 1, &n), STORE_OK);
	read_log(st, &cur, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_int_eq(store_ended_load(st), 0);
	/* Writes fail whole or succeed whole. */
	hash_of(1, h);
	hash_of(3, h1);
	rc = store_rotate(st, s.sid, h, h1, NOW + 2, &out);
	ck_assert(rc == STORE_OK || rc == STORE_DOWN);
	ck_assert_int_eq(store_get(st, s.sid, &out), STORE_OK);
	ck_assert_int_eq(out.last_used, rc == STORE_OK ? NOW + 2 : NOW);
	rc = store_throttle_begin(st, USER, "192.0.2.1", T0, &att, &ra);
	ck_assert(rc == STORE_OK || rc == STORE_DOWN);

	ck_assert_int_eq(store_sqlite_test_exec(st,
	    "PRAGMA max_page_count = 1000000"), 0);
	ck_assert_int_eq(store_create(st, &big, h), STORE_OK);
	ck_assert_int_eq(store_rotate(st, s.sid, h, h1, NOW + 3, &out),
	    STORE_OK);
	store_free(st);
}
END_TEST

/*
 * 12. SQLite locked by another connection's EXCLUSIVE transaction:
 * writes are STORE_DOWN after the (lowered) busy timeout and leave
 * nothing; reads, the poll and refusals that need no lock go on; once
 * released, writes work again.
 */
START_TEST(test_down_locked)
{
	struct store_limits	 lim;
	struct store		*st;
	struct store_session	 s, t, out;
	struct store_cursor	 cur = { 0, 0 };
	struct logged		 l;
	struct store_attempt	 att;
	unsigned char		 h0[SESSION_HASH_BYTES], h1[SESSION_HASH_BYTES];
	unsigned char		 h9[SESSION_HASH_BYTES];
	sqlite3			*db;
	long			 ra, n;

	store_limits_init(&lim);
	lim.timeout_ms = 50;
	st = open_lim(&lim);
	new_session(st, USER, NOW, 0, &s);
	ck_assert_int_eq(sqlite3_open_v2(url + strlen("sqlite:"), &db,
	    SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL,
	    NULL), SQLITE_OK);

	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(session_new_id(t.sid), 0);
	(void)snprintf(t.user, sizeof(t.user), "%s", USER);
	t.created = NOW;
	hash_of(5, h9);
	ck_assert_int_eq(store_create(st, &t, h9), STORE_DOWN);
	ck_assert_msg(strstr(store_errstr(st), "locked") != NULL, "%s",
	    store_errstr(st));
	hash_of(0, h0);
	hash_of(1, h1);
	ck_assert_int_eq(store_rotate(st, s.sid, h0, h1, NOW + 1, &out),
	    STORE_DOWN);
	ck_assert_int_eq(store_end(st, s.sid, NOW + 1), STORE_DOWN);
	ck_assert_int_eq(store_end_user(st, USER, NOW + 1, &n), STORE_DOWN);
	ck_assert_int_eq(store_throttle_begin(st, USER, "192.0.2.1", T0, &att,
	    &ra), STORE_DOWN);
	/* A guess needs no lock: refused at once, not DOWN. */
	ck_assert_int_eq(store_rotate(st, s.sid, h9, h1, NOW + 1, &out),
	    STORE_NOT_FOUND);
	ck_assert_int_eq(store_end_token(st, s.sid, h9, NOW + 1),
	    STORE_NOT_FOUND);
	/* Reads and the poll. */
	ck_assert_int_eq(store_get(st, s.sid, &out), STORE_OK);
	ck_assert_int_eq(out.ended, 0);
	read_log(st, &cur, &l);
	ck_assert_int_eq(store_ended_load(st), 0);

	ck_assert_int_eq(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
	ck_assert_int_eq(store_get(st, t.sid, &out), STORE_NOT_FOUND);
	ck_assert_int_eq(store_rotate(st, s.sid, h0, h1, NOW + 2, &out),
	    STORE_OK);
	ck_assert_int_eq(store_create(st, &t, h9), STORE_OK);
	ck_assert_int_eq(times_logged(st, s.sid, NULL), 0);
	store_free(st);
}
END_TEST

static int	log_lines;
static char	log_last[512];

static void
count_lines(const char *line, size_t len, void *arg)
{
	(void)arg;
	log_lines++;
	(void)snprintf(log_last, sizeof(log_last), "%.*s", (int)len, line);
}

/*
 * A file of schema version 1 (before sessions kept the password hash's
 * fingerprint), with a live session in it: opened, it is upgraded in
 * place; the old session reads as having none and still rotates and
 * ends; new sessions keep theirs; a second connection finds it done.
 */
START_TEST(test_upgrade_v1)
{
	struct store		*st, *st2;
	struct store_session	 s, out;
	unsigned char		 h0[SESSION_HASH_BYTES], h1[SESSION_HASH_BYTES];
	sqlite3			*db;
	sqlite3_stmt		*q;
	char			 sql[1024], sid[SESSION_SID_CHARS + 1];

	/* Version 1's sessions table, as that release made it. */
	store_free(open_default());
	ck_assert_int_eq(session_new_id(sid), 0);
	hash_of(0, h0);
	ck_assert_int_eq(sqlite3_open_v2(url + strlen("sqlite:"), &db,
	    SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db,
	    "DROP TABLE sessions;"
	    "CREATE TABLE sessions ("
	    "	sid		TEXT PRIMARY KEY,"
	    "	user		TEXT NOT NULL,"
	    "	ver		INTEGER NOT NULL,"
	    "	scope		TEXT NOT NULL,"
	    "	created		INTEGER NOT NULL,"
	    "	last_used	INTEGER NOT NULL,"
	    "	expires		INTEGER NOT NULL,"
	    "	abs_expires	INTEGER NOT NULL,"
	    "	ended		INTEGER NOT NULL DEFAULT 0,"
	    "	addr		TEXT NOT NULL,"
	    "	agent		TEXT NOT NULL,"
	    "	gen		INTEGER NOT NULL DEFAULT 0,"
	    "	cur		BLOB NOT NULL"
	    ") WITHOUT ROWID;"
	    "CREATE INDEX sessions_user ON sessions (user, expires);"
	    "CREATE INDEX sessions_expires ON sessions (expires);"
	    "PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
	(void)snprintf(sql, sizeof(sql), "INSERT INTO sessions (sid, user, "
	    "ver, scope, created, last_used, expires, abs_expires, addr, "
	    "agent, cur) VALUES ('%s', 'alice', 3, 'read', %lld, %lld, "
	    "%lld, %lld, '192.0.2.1', 'old', ?1)", sid, NOW, NOW, NOW + 600,
	    NOW + 6000);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_bind_blob(q, 1, h0, sizeof(h0),
	    SQLITE_STATIC), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_DONE);
	ck_assert_int_eq(sqlite3_finalize(q), SQLITE_OK);

	st = open_default();
	st2 = open_default();
	ck_assert_int_eq(store_get(st, sid, &out), STORE_OK);
	ck_assert_str_eq(out.user, USER);
	ck_assert_str_eq(out.agent, "old");
	ck_assert_str_eq(out.pwfp, "");
	hash_of(1, h1);
	ck_assert_int_eq(store_rotate(st2, sid, h0, h1, NOW + 1, &out),
	    STORE_OK);
	ck_assert_str_eq(out.pwfp, "");
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(session_new_id(s.sid), 0);
	(void)snprintf(s.user, sizeof(s.user), "%s", USER);
	s.created = NOW;
	(void)snprintf(s.addr, sizeof(s.addr), "-");
	ck_assert_int_eq(session_pw_fingerprint("$5$x$y", s.pwfp), 0);
	ck_assert_int_eq(store_create(st2, &s, h0), STORE_OK);
	ck_assert_int_eq(store_get(st, s.sid, &out), STORE_OK);
	ck_assert_str_eq(out.pwfp, s.pwfp);
	ck_assert_int_eq(store_end(st, sid, NOW + 2), STORE_OK);
	store_free(st2);
	store_free(st);

	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(q, 0), 2);
	ck_assert_int_eq(sqlite3_finalize(q), SQLITE_OK);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
}
END_TEST

/* user_version values this build neither wrote nor can upgrade. */
static const int unknown_versions[] = {
	99,	/* a newer fcgi-auth's */
	-1,	/* nobody's: a file touched by hand */
};

/*
 * A file whose schema this build does not know (newer, or set by hand):
 * refused, not used; so the ended log never loads, and token checks go
 * on (fail open).
 */
START_TEST(test_down_newer)
{
	struct store		*st;
	struct store_session	 s, out;
	struct store_cursor	 cur = { 0, 7 };
	struct logged		 l;
	unsigned char		 h[SESSION_HASH_BYTES];
	sqlite3			*db;
	size_t			 n;
	int			 i;
	char			 sql[64];

	/* Today's tables, as a newer version might keep them. */
	store_free(open_default());
	ck_assert_int_eq(sqlite3_open_v2(url + strlen("sqlite:"), &db,
	    SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	(void)snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    unknown_versions[_i]);
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
	st = open_default();
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(session_new_id(s.sid), 0);
	(void)snprintf(s.user, sizeof(s.user), "%s", USER);
	hash_of(0, h);
	ck_assert_int_eq(store_create(st, &s, h), STORE_DOWN);
	ck_assert_int_eq(store_get(st, s.sid, &out), STORE_DOWN);

	/* The cursor stays where it was; the poll fails open, said once. */
	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(store_ended_since(st, &cur, 8, collect, &l, &n),
	    STORE_DOWN);
	ck_assert(cur.hi == 0 && cur.lo == 7);
	log_set_sink(count_lines, NULL);
	log_lines = 0;
	ck_assert_int_eq(store_ended_load(st), -1);
	for (i = 0; i < 3; i++) {
		t_mono_ms += STORE_POLL_INTERVAL_MS;
		ck_assert_int_eq(store_ended(st, s.sid), 0);
	}
	log_set_sink(NULL, NULL);
	ck_assert_int_eq(log_lines, 1);
	ck_assert_ptr_nonnull(strstr(log_last, "not loaded"));
	store_free(st);
}
END_TEST
#endif

static Suite *
store_suite(void)
{
	Suite	*s = suite_create("store_" STORE_BACKEND_KIND);
	TCase	*tc;

	tc = tcase_create("open");
	tcase_add_unchecked_fixture(tc, backend_suite_setup,
	    backend_suite_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_url_check);
	tcase_add_test(tc, test_open_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("sessions");
	tcase_add_unchecked_fixture(tc, backend_suite_setup,
	    backend_suite_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_create_list);
	tcase_add_test(tc, test_pwfp);
	tcase_add_loop_test(tc, test_life, 0, ARRAY_SIZE(life_cases));
	tcase_add_test(tc, test_unknown);
	tcase_add_test(tc, test_end_user);
	tcase_add_test(tc, test_ended_since);
	tcase_add_test(tc, test_poll);
#ifndef BACKEND_REDIS
	tcase_add_test(tc, test_purge);
	tcase_add_test(tc, test_purge_bounded);
#endif
	suite_add_tcase(s, tc);

	tc = tcase_create("throttle");
	tcase_add_unchecked_fixture(tc, backend_suite_setup,
	    backend_suite_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_throttle, 0, ARRAY_SIZE(throttle_cases));
	tcase_add_test(tc, test_throttle_account);
	suite_add_tcase(s, tc);

	tc = tcase_create("concurrency");
	tcase_add_unchecked_fixture(tc, backend_suite_setup,
	    backend_suite_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_race);
	tcase_add_test(tc, test_throttle_race);
	tcase_add_test(tc, test_fork_guard);
	suite_add_tcase(s, tc);

#ifndef BACKEND_REDIS
	tc = tcase_create("down");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_down_full);
	tcase_add_test(tc, test_down_locked);
	tcase_add_loop_test(tc, test_down_newer, 0,
	    ARRAY_SIZE(unknown_versions));
	tcase_add_test(tc, test_upgrade_v1);
	suite_add_tcase(s, tc);
#else
	suite_add_tcase(s, tcase_redis_lua());
	suite_add_tcase(s, tcase_redis());
#endif
	return s;
}

TEST_MAIN(store_suite)
