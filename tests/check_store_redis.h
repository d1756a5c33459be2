/* check_store_redis.h -- tests/check_store.c on Redis: a real server, and its own cases */
#ifndef FCGI_AUTH_CHECK_STORE_REDIS_H
#define FCGI_AUTH_CHECK_STORE_REDIS_H

/*
 * Included by tests/check_store.c when it is built as check_store_redis
 * (after check_common.h, store.h and store_int.h).  A redis-server of the
 * machine's, on a free loopback port, in a folder of the temp directory,
 * with the persistence the documentation asks for (AOF, fsync always):
 *   - one for the whole suite (backend_suite_setup/teardown, an unchecked
 *     fixture): the cases both back-ends share, each on it flushed
 *     (backend_fresh_url);
 *   - one per test (tcase_redis's checked fixture) for the cases that
 *     stop, hang, restart or reconfigure it (spec §11 items 12 and 13).
 * A missing redis-server skips the program (exit 77); every other
 * failure fails.  Each server dies with the process that started it
 * (PR_SET_PDEATHSIG), so a failed test leaves nothing running.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <time.h>

#include <hiredis.h>

#include "throttle_cases.h"

struct redis_server {
	pid_t		 pid;
	int		 port;
	char		 dir[PATH_MAX];	/* absolute: redis-server's --dir */
	char		 url[64];
};

static struct redis_server	 redis_suite;

/* Is there a redis-server on PATH? */
static int
redis_server_found(void)
{
	const char	*path = getenv("PATH");
	char		 dir[PATH_MAX], file[PATH_MAX + 16];
	size_t		 n;

	if (path == NULL)
		path = "/usr/bin:/bin";
	while (*path != '\0') {
		n = strcspn(path, ":");
		if (n > 0 && n < sizeof(dir)) {
			memcpy(dir, path, n);
			dir[n] = '\0';
			(void)snprintf(file, sizeof(file), "%s/redis-server",
			    dir);
			if (access(file, X_OK) == 0)
				return 1;
		}
		path += n;
		if (*path == ':')
			path++;
	}
	return 0;
}

/* A loopback port nobody listens on right now. */
static int
redis_free_port(void)
{
	struct sockaddr_in	 sa;
	socklen_t		 len = sizeof(sa);
	int			 fd, port;

	ck_assert((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	(void)close(fd);
	return port;
}

/* A connection of the test's own (10 s timeouts), or NULL. */
static redisContext *
redis_test_connect(const struct redis_server *rs)
{
	struct timeval	 tv = { 10, 0 };
	redisContext	*c;

	c = redisConnectWithTimeout("127.0.0.1", rs->port, tv);
	if (c != NULL && c->err == 0 && redisSetTimeout(c, tv) == REDIS_OK)
		return c;
	if (c != NULL)
		redisFree(c);
	return NULL;
}

/* Does the server answer PING? */
static int
redis_pings(const struct redis_server *rs)
{
	const char	*argv[] = { "PING" };
	redisContext	*c;
	redisReply	*rep;
	int		 ok = 0;

	if ((c = redis_test_connect(rs)) == NULL)
		return 0;
	if ((rep = redisCommandArgv(c, 1, argv, NULL)) != NULL) {
		ok = rep->type == REDIS_REPLY_STATUS &&
		    strcmp(rep->str, "PONG") == 0;
		freeReplyObject(rep);
	}
	redisFree(c);
	return ok;
}

/*
 * Start redis-server on rs->port (0: a free one, tried again on another
 * if the server exits at once, as after a port clash) in rs->dir (""
 * a fresh folder), and wait up to 10 s for its PING.
 */
static void
redis_server_start(struct redis_server *rs)
{
	char		 port[16], log[PATH_MAX + 16];
	int		 tries, i, status, pick = rs->port == 0;
	pid_t		 pid;

	if (rs->dir[0] == '\0')
		ck_assert(realpath(test_fresh_dir("redis"), rs->dir) != NULL);
	(void)snprintf(log, sizeof(log), "%s/redis.log", rs->dir);
	for (tries = 0; tries < 5; tries++) {
		if (pick)
			rs->port = redis_free_port();
		(void)snprintf(port, sizeof(port), "%d", rs->port);
		(void)snprintf(rs->url, sizeof(rs->url),
		    "redis://127.0.0.1:%d", rs->port);
		ck_assert((pid = fork()) != -1);
		if (pid == 0) {
			int	 fd;

			(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
			if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND,
			    0600)) != -1) {
				(void)dup2(fd, 1);
				(void)dup2(fd, 2);
			}
			execlp("redis-server", "redis-server", "--port", port,
			    "--bind", "127.0.0.1", "--unixsocket", "",
			    "--dir", rs->dir, "--appendonly", "yes",
			    "--appendfsync", "always", "--save", "",
			    "--daemonize", "no", (char *)NULL);
			_exit(127);
		}
		rs->pid = pid;
		for (i = 0; i < 200; i++) {
			if (redis_pings(rs))
				return;
			if (waitpid(pid, &status, WNOHANG) == pid)
				break;
			(void)usleep(50 * 1000);
		}
		if (i == 200) {
			(void)kill(pid, SIGKILL);
			(void)waitpid(pid, &status, 0);
			ck_abort_msg("redis-server on port %d: no PING in 10 s",
			    rs->port);
		}
		if (!pick)
			break;
	}
	rs->pid = 0;
	ck_abort_msg("redis-server would not start: see %s", log);
}

/* SIGTERM (it writes the AOF and goes), and wait for it. */
static void
redis_server_stop(struct redis_server *rs)
{
	int	 status, i;

	if (rs->pid <= 0)
		return;
	(void)kill(rs->pid, SIGCONT);	/* a stopped one cannot exit */
	(void)kill(rs->pid, SIGTERM);
	for (i = 0; i < 200; i++) {
		if (waitpid(rs->pid, &status, WNOHANG) == rs->pid)
			break;
		(void)usleep(50 * 1000);
	}
	if (i == 200) {
		(void)kill(rs->pid, SIGKILL);
		(void)waitpid(rs->pid, &status, 0);
	}
	rs->pid = 0;
}

/* Send a command (arguments up to a NULL) on a connection of the test's
   own, expecting no error reply. */
static void
redis_ok(const struct redis_server *rs, const char *arg0, ...)
{
	const char	*argv[16];
	redisContext	*c;
	redisReply	*rep;
	va_list		 ap;
	int		 argc = 0;

	va_start(ap, arg0);
	for (argv[argc++] = arg0; argc < 16 &&
	    (argv[argc] = va_arg(ap, const char *)) != NULL; argc++)
		;
	va_end(ap);
	ck_assert_msg((c = redis_test_connect(rs)) != NULL,
	    "connecting to redis on port %d", rs->port);
	rep = redisCommandArgv(c, argc, argv, NULL);
	ck_assert_msg(rep != NULL, "redis %s: %s", arg0, c->errstr);
	ck_assert_msg(rep->type != REDIS_REPLY_ERROR, "redis %s: %s", arg0,
	    rep->str);
	freeReplyObject(rep);
	redisFree(c);
}

/* The unchecked fixture: one server for the shared cases. */
static void
backend_suite_setup(void)
{
	if (!redis_server_found()) {
		fprintf(stderr, "redis-server not found: skipped "
		    "(apt-get install redis-server)\n");
		test_rmtmp();
		exit(77);
	}
	redis_server_start(&redis_suite);
}

static void
backend_suite_teardown(void)
{
	redis_server_stop(&redis_suite);
}

/* A fresh, empty store for a shared case: the suite's server, flushed. */
static void
backend_fresh_url(char *url, size_t size)
{
	redis_ok(&redis_suite, "FLUSHALL", NULL);
	ck_assert_int_lt(snprintf(url, size, "%s", redis_suite.url),
	    (int)size);
}

/*
 * Redis's own cases: a server per test, a clock per test (the reconnect
 * is paced by the monotonic one: advancing it stands for the wait).
 */
static struct redis_server	 rt_srv;
static long long		 rt_mono;
static struct store_limits	 rt_lim;

static long long
rt_mono_ms(void *arg)
{
	(void)arg;
	return rt_mono;
}

static long long
rt_real_ms(void *arg)
{
	(void)arg;
	return (long long)TS_CONST * 1000;
}

static const struct watch_clock	 rt_clock = { rt_mono_ms, rt_real_ms, NULL };

static void
rt_setup(void)
{
	memset(&rt_srv, 0, sizeof(rt_srv));
	rt_mono = 1000000;
	store_limits_init(&rt_lim);
	redis_server_start(&rt_srv);
}

static void
rt_teardown(void)
{
	redis_server_stop(&rt_srv);
}

static struct store *
rt_open(const char *password_file)
{
	struct store	*st;
	char		 err[256];

	st = store_open(rt_srv.url, password_file, &rt_lim, &rt_clock, err,
	    sizeof(err));
	ck_assert_msg(st != NULL, "store_open: %s", err);
	return st;
}

/* A new session for user at TS_CONST, its hash made of seed. */
static void
rt_create(struct store *st, const char *user, int seed,
    struct store_session *s, unsigned char hash[SESSION_HASH_BYTES],
    enum store_status want)
{
	memset(s, 0, sizeof(*s));
	ck_assert_int_eq(session_new_id(s->sid), 0);
	(void)snprintf(s->user, sizeof(s->user), "%s", user);
	s->ver = 1;
	(void)snprintf(s->scope, sizeof(s->scope), "openid");
	s->created = TS_CONST;
	(void)snprintf(s->addr, sizeof(s->addr), "127.0.0.1");
	(void)snprintf(s->agent, sizeof(s->agent), "check");
	memset(hash, seed, SESSION_HASH_BYTES);
	ck_assert_int_eq(store_create(st, s, hash), want);
}

static int
rt_errstr_has(const struct store *st, const char *what)
{
	return strstr(store_errstr(st), what) != NULL;
}

/* Stopped: down, at once and without a connect per operation until
   STORE_REDIS_RETRY_MS have passed; started again: nothing lost. */
START_TEST(test_redis_stopped)
{
	struct store		*st = rt_open(NULL);
	struct store_session	 s, out;
	unsigned char		 h[SESSION_HASH_BYTES];

	rt_create(st, "alice", 1, &s, h, STORE_OK);
	redis_server_stop(&rt_srv);
	ck_assert_int_eq(store_get(st, s.sid, &out), STORE_DOWN);
	ck_assert_msg(strncmp(store_errstr(st), "redis: ", 7) == 0,
	    "errstr \"%s\"", store_errstr(st));
	rt_create(st, "alice", 2, &s, h, STORE_DOWN);
	redis_server_start(&rt_srv);
	/* The last try is less than STORE_REDIS_RETRY_MS old: no new one. */
	ck_assert_int_eq(store_get(st, s.sid, &out), STORE_DOWN);
	rt_mono += STORE_REDIS_RETRY_MS;
	rt_create(st, "alice", 3, &s, h, STORE_OK);
	ck_assert_int_eq(store_get(st, s.sid, &out), STORE_OK);
	ck_assert_str_eq(out.user, "alice");
	store_free(st);
}
END_TEST

/* Restarted between two operations: the next one works (one retry on a
   connection the server closed), and what was acknowledged survived. */
START_TEST(test_redis_restarted)
{
	struct store		*st = rt_open(NULL);
	struct store_session	 s, out;
	unsigned char		 h[SESSION_HASH_BYTES], h2[SESSION_HASH_BYTES];

	/* Connected at open, restarted before the first operation. */
	redis_server_stop(&rt_srv);
	redis_server_start(&rt_srv);
	rt_create(st, "alice", 1, &s, h, STORE_OK);
	redis_server_stop(&rt_srv);
	redis_server_start(&rt_srv);
	ck_assert_int_eq(store_get(st, s.sid, &out), STORE_OK);
	redis_server_stop(&rt_srv);
	redis_server_start(&rt_srv);
	memset(h2, 7, sizeof(h2));
	ck_assert_int_eq(store_rotate(st, s.sid, h, h2, TS_CONST + 10, &out),
	    STORE_OK);
	ck_assert_int_eq(out.last_used, TS_CONST + 10);
	store_free(st);
}
END_TEST

static void
rt_collect(const unsigned char sid[SESSION_SID_BYTES], long long until,
    void *arg)
{
	char		 (*seen)[SESSION_SID_CHARS + 1] = arg;
	size_t		 i;

	(void)until;
	for (i = 0; i < 8 && seen[i][0] != '\0'; i++)
		;
	if (i < 8)
		ck_assert(b64url_encode(sid, SESSION_SID_BYTES,
		    seen[i], sizeof(seen[i])) == SESSION_SID_CHARS);
}

/*
 * Hung (SIGSTOP): the poll is down after its own shorter timeout, an
 * operation after the command timeout (a new connection is accepted by
 * the kernel, and then nothing answers), with no second wait; then down
 * at once until the retry time; continued: works.
 */
START_TEST(test_redis_hung)
{
	struct store		*st;
	struct store_session	 s, s2, out;
	struct store_cursor	 cur = { 0, 0 };
	unsigned char		 h[SESSION_HASH_BYTES];
	char			 seen[8][SESSION_SID_CHARS + 1];
	size_t			 n;

	rt_lim.timeout_ms = 300;
	st = rt_open(NULL);
	rt_create(st, "alice", 1, &s, h, STORE_OK);
	ck_assert_int_eq(kill(rt_srv.pid, SIGSTOP), 0);
	ck_assert_int_eq(store_ended_since(st, &cur, 16, rt_collect, seen,
	    &n), STORE_DOWN);
	ck_assert_msg(rt_errstr_has(st, "no answer within 200 ms"),
	    "errstr \"%s\"", store_errstr(st));
	rt_mono += STORE_REDIS_RETRY_MS;
	rt_create(st, "alice", 2, &s2, h, STORE_DOWN);
	ck_assert_msg(rt_errstr_has(st, "no answer within 300 ms"),
	    "errstr \"%s\"", store_errstr(st));
	ck_assert_int_eq(store_get(st, s.sid, &out), STORE_DOWN);
	ck_assert_int_eq(kill(rt_srv.pid, SIGCONT), 0);
	rt_mono += STORE_REDIS_RETRY_MS;
	ck_assert_int_eq(store_get(st, s.sid, &out), STORE_OK);
	store_free(st);
}
END_TEST

/* SCRIPT FLUSH (or a restart that lost the cache): EVAL of the text. */
START_TEST(test_redis_script_flush)
{
	struct store		*st = rt_open(NULL);
	struct store_session	 s, out;
	unsigned char		 h[SESSION_HASH_BYTES], h2[SESSION_HASH_BYTES];
	unsigned char		 h3[SESSION_HASH_BYTES];

	rt_create(st, "alice", 1, &s, h, STORE_OK);
	redis_ok(&rt_srv, "SCRIPT", "FLUSH", NULL);
	memset(h2, 9, sizeof(h2));
	ck_assert_int_eq(store_rotate(st, s.sid, h, h2, TS_CONST + 1, &out),
	    STORE_OK);
	redis_ok(&rt_srv, "SCRIPT", "FLUSH", NULL);
	memset(h3, 10, sizeof(h3));
	ck_assert_int_eq(store_rotate(st, s.sid, h, h3, TS_CONST + 2, &out),
	    STORE_REUSED);
	ck_assert(out.ended == TS_CONST + 2);
	store_free(st);
}
END_TEST

/* maxmemory reached (noeviction): writes down, nothing half-written;
   reads, the poll included, still work. */
START_TEST(test_redis_oom)
{
	struct store		*st = rt_open(NULL);
	struct store_session	 s, s2, out;
	struct store_cursor	 cur = { 0, 0 };
	unsigned char		 h[SESSION_HASH_BYTES];
	char			 seen[8][SESSION_SID_CHARS + 1];
	size_t			 n;

	memset(seen, 0, sizeof(seen));
	rt_create(st, "alice", 1, &s, h, STORE_OK);
	ck_assert_int_eq(store_end(st, s.sid, TS_CONST + 1), STORE_OK);
	redis_ok(&rt_srv, "CONFIG", "SET", "maxmemory", "1", NULL);
	rt_create(st, "alice", 2, &s2, h, STORE_DOWN);
	ck_assert_msg(rt_errstr_has(st, "OOM"), "errstr \"%s\"",
	    store_errstr(st));
	ck_assert_int_eq(store_get(st, s.sid, &out), STORE_OK);
	ck_assert_int_eq(store_get(st, s2.sid, &out), STORE_NOT_FOUND);
	ck_assert_int_eq(store_ended_since(st, &cur, 16, rt_collect, seen,
	    &n), STORE_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(seen[0], s.sid);
	redis_ok(&rt_srv, "CONFIG", "SET", "maxmemory", "0", NULL);
	rt_create(st, "alice", 2, &s2, h, STORE_OK);
	store_free(st);
}
END_TEST

/* maxmemory-policy allkeys-*: may evict the ended log, so down, saying
   why; noeviction again: works. */
START_TEST(test_redis_policy)
{
	struct store		*st = rt_open(NULL);
	struct store_session	 s, out;
	unsigned char		 h[SESSION_HASH_BYTES];

	rt_create(st, "alice", 1, &s, h, STORE_OK);
	redis_ok(&rt_srv, "CONFIG", "SET", "maxmemory-policy", "allkeys-lru",
	    NULL);
	redis_ok(&rt_srv, "CLIENT", "KILL", "TYPE", "normal", NULL);
	ck_assert_int_eq(store_get(st, s.sid, &out), STORE_DOWN);
	ck_assert_msg(rt_errstr_has(st, "maxmemory-policy allkeys-lru"),
	    "errstr \"%s\"", store_errstr(st));
	redis_ok(&rt_srv, "CONFIG", "SET", "maxmemory-policy", "noeviction",
	    NULL);
	rt_mono += STORE_REDIS_RETRY_MS;
	ck_assert_int_eq(store_get(st, s.sid, &out), STORE_OK);
	store_free(st);
}
END_TEST

/* Log lines that mention what rt_log_want names. */
static const char	*rt_log_want;
static int		 rt_log_seen;

static void
rt_log(const char *line, size_t len, void *arg)
{
	(void)arg;
	if (memmem(line, len, rt_log_want, strlen(rt_log_want)) != NULL)
		rt_log_seen++;
}

/* maxmemory-policy volatile-*: works, with one warning per process. */
START_TEST(test_redis_policy_volatile)
{
	struct store		*st = rt_open(NULL);
	struct store_session	 s, out;
	unsigned char		 h[SESSION_HASH_BYTES];
	int			 i;

	rt_log_want = "maxmemory-policy volatile-lru";
	rt_log_seen = 0;
	log_set_sink(rt_log, NULL);
	rt_create(st, "alice", 1, &s, h, STORE_OK);
	redis_ok(&rt_srv, "CONFIG", "SET", "maxmemory-policy", "volatile-lru",
	    NULL);
	for (i = 0; i < 2; i++) {
		redis_ok(&rt_srv, "CLIENT", "KILL", "TYPE", "normal", NULL);
		ck_assert_int_eq(store_get(st, s.sid, &out), STORE_OK);
	}
	log_set_sink(NULL, NULL);
	ck_assert_int_eq(rt_log_seen, 1);
	store_free(st);
}
END_TEST

/*
 * Redis lost its data (a new fa:epoch): the ended log is read from the
 * start again, so an entry with an id below the cursor (the log of a
 * restored older copy) is still seen.
 */
START_TEST(test_redis_epoch)
{
	struct store		*st = rt_open(NULL);
	struct store_session	 s;
	struct store_cursor	 cur = { 0, 0 };
	unsigned char		 h[SESSION_HASH_BYTES];
	char			 seen[8][SESSION_SID_CHARS + 1], other[32];
	char			 until[24];
	size_t			 n;

	memset(seen, 0, sizeof(seen));
	rt_create(st, "alice", 1, &s, h, STORE_OK);
	ck_assert_int_eq(store_end(st, s.sid, TS_CONST), STORE_OK);
	ck_assert_int_eq(store_ended_since(st, &cur, 16, rt_collect, seen,
	    &n), STORE_OK);
	ck_assert_int_eq(n, 1);
	ck_assert(cur.hi > 1);
	ck_assert_int_eq(session_new_id(other), 0);
	(void)snprintf(until, sizeof(until), "%lld", (long long)TS_CONST +
	    100);
	redis_ok(&rt_srv, "FLUSHALL", NULL);
	redis_ok(&rt_srv, "XADD", "fa:ended", "1-1", "s", other, "u", until,
	    NULL);
	redis_ok(&rt_srv, "CLIENT", "KILL", "TYPE", "normal", NULL);
	memset(seen, 0, sizeof(seen));
	ck_assert_int_eq(store_ended_since(st, &cur, 16, rt_collect, seen,
	    &n), STORE_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(seen[0], other);
	ck_assert(cur.hi == 1 && cur.lo == 1);
	/* Read once from the start: the next read goes on from there. */
	ck_assert_int_eq(store_ended_since(st, &cur, 16, rt_collect, seen,
	    &n), STORE_OK);
	ck_assert_int_eq(n, 0);
	store_free(st);
}
END_TEST

/* A password (SESSION_STORE_PASSWORD_FILE): AUTH at each connect. */
START_TEST(test_redis_password)
{
	struct store		*st, *none, *wrong;
	struct store_session	 s;
	unsigned char		 h[SESSION_HASH_BYTES];
	char			 good[PATH_MAX + 16], bad[PATH_MAX + 16];
	char			 url[64], err[256];

	(void)snprintf(good, sizeof(good), "%s/pw", rt_srv.dir);
	(void)snprintf(bad, sizeof(bad), "%s/pw.bad", rt_srv.dir);
	test_write(good, "s3cret pass\n", 12);
	test_write(bad, "s3cret\n", 7);
	redis_ok(&rt_srv, "ACL", "SETUSER", "fa-app", "on", ">user pass", "~*",
	    "&*", "+@all", NULL);
	redis_ok(&rt_srv, "CONFIG", "SET", "requirepass", "s3cret pass",
	    NULL);
	st = rt_open(good);
	none = rt_open(NULL);
	wrong = rt_open(bad);
	rt_create(st, "alice", 1, &s, h, STORE_OK);
	rt_create(none, "alice", 2, &s, h, STORE_DOWN);
	ck_assert_msg(rt_errstr_has(none, "NOAUTH"), "errstr \"%s\"",
	    store_errstr(none));
	rt_create(wrong, "alice", 3, &s, h, STORE_DOWN);
	ck_assert_msg(!rt_errstr_has(wrong, "s3cret"), "errstr \"%s\"",
	    store_errstr(wrong));
	store_free(wrong);
	store_free(none);
	store_free(st);

	/* An ACL user: AUTH USER PASSWORD. */
	test_write(good, "user pass\n", 10);
	(void)snprintf(url, sizeof(url), "redis://fa-app@127.0.0.1:%d",
	    rt_srv.port);
	st = store_open(url, good, &rt_lim, &rt_clock, err, sizeof(err));
	ck_assert_msg(st != NULL, "store_open: %s", err);
	rt_create(st, "alice", 4, &s, h, STORE_OK);
	store_free(st);
}
END_TEST

/* A child after fork(2) talks on a connection of its own. */
START_TEST(test_redis_fork)
{
	struct store		*st = rt_open(NULL);
	struct store_session	 s, out;
	unsigned char		 h[SESSION_HASH_BYTES];
	pid_t			 pid;
	int			 status, i;

	rt_create(st, "alice", 1, &s, h, STORE_OK);
	ck_assert((pid = fork()) != -1);
	if (pid == 0) {
		struct store_session	 c;
		int			 ok = 1;

		for (i = 0; i < 20 && ok; i++)
			ok = store_get(st, s.sid, &c) == STORE_OK &&
			    strcmp(c.user, "alice") == 0;
		store_free(st);
		_exit(ok ? 0 : 1);
	}
	for (i = 0; i < 20; i++)
		ck_assert_int_eq(store_get(st, s.sid, &out), STORE_OK);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_str_eq(out.user, "alice");
	store_free(st);
}
END_TEST

/*
 * Purge on Redis is the server's own expiry, keep_sec after the session's
 * expiry counted from the caller's now (a stepped clock cannot move it):
 * with lifetimes of seconds, the session is there, then gone (a bounded
 * wait).
 */
START_TEST(test_redis_expiry)
{
	struct store		*st;
	struct store_session	 s, out, list[2];
	unsigned char		 h[SESSION_HASH_BYTES];
	size_t			 n;
	int			 i;

	rt_lim.ttl_sec = 2;
	rt_lim.idle_sec = 2;
	rt_lim.keep_sec = 1;
	st = rt_open(NULL);
	rt_create(st, "alice", 1, &s, h, STORE_OK);
	ck_assert_int_eq(store_get(st, s.sid, &out), STORE_OK);
	for (i = 0; i < 150 && store_get(st, s.sid, &out) == STORE_OK; i++)
		(void)usleep(100 * 1000);
	ck_assert_int_eq(store_get(st, s.sid, &out), STORE_NOT_FOUND);
	ck_assert_int_eq(store_list(st, "alice", TS_CONST, list, 2, &n),
	    STORE_OK);
	ck_assert_uint_eq(n, 0);
	store_free(st);
}
END_TEST

/* The pair's delay in Lua, against the table the C function runs. */
START_TEST(test_redis_delay_table)
{
	const struct throttle_delay_case *c = &throttle_delay_cases[_i];
	struct store_limits	 lim;
	struct store		*st;
	char			 err[256];
	long long		 ms = -1;

	store_limits_init(&lim);
	st = store_open(redis_suite.url, NULL, &lim, NULL, err, sizeof(err));
	ck_assert_msg(st != NULL, "store_open: %s", err);
	lim.max_failures = c->max;
	lim.window_ms = c->window_ms;
	lim.base_delay_ms = 30000;
	ck_assert_msg(store_redis_test_delay(st, c->np, &lim, &ms) == 0,
	    "%s: %s", c->name, store_errstr(st));
	ck_assert_msg(ms == c->want, "%s: %lld ms, want %lld", c->name, ms,
	    c->want);
	store_free(st);
}
END_TEST

/* Redis's Lua against the C rule's table, on the suite's server. */
static TCase *
tcase_redis_lua(void)
{
	TCase	*tc = tcase_create("redis-lua");

	tcase_add_unchecked_fixture(tc, backend_suite_setup,
	    backend_suite_teardown);
	tcase_add_loop_test(tc, test_redis_delay_table, 0,
	    (int)ARRAY_SIZE(throttle_delay_cases));
	return tc;
}

/* Redis's own cases, each on a server of its own. */
static TCase *
tcase_redis(void)
{
	TCase	*tc = tcase_create("redis");

	tcase_add_checked_fixture(tc, rt_setup, rt_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_redis_stopped);
	tcase_add_test(tc, test_redis_restarted);
	tcase_add_test(tc, test_redis_hung);
	tcase_add_test(tc, test_redis_script_flush);
	tcase_add_test(tc, test_redis_oom);
	tcase_add_test(tc, test_redis_policy);
	tcase_add_test(tc, test_redis_policy_volatile);
	tcase_add_test(tc, test_redis_epoch);
	tcase_add_test(tc, test_redis_password);
	tcase_add_test(tc, test_redis_fork);
	tcase_add_test(tc, test_redis_expiry);
	return tc;
}

#endif /* FCGI_AUTH_CHECK_STORE_REDIS_H */
