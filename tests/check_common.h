/* check_common.h -- helpers shared by the Check suites */
#ifndef FCGI_AUTH_CHECK_COMMON_H
#define FCGI_AUTH_CHECK_COMMON_H

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* A fixed "now" for everything time-dependent: 2023-11-14T22:13:20Z. */
#define TS_CONST	((time_t)1700000000)

/* 32, 48 and 64 bytes: the least HS256, HS384 and HS512 accept. */
#define TEST_SECRET_32	"0123456789abcdef0123456789abcdef"
#define TEST_SECRET_48	TEST_SECRET_32 "0123456789abcdef"
#define TEST_SECRET_64	TEST_SECRET_32 TEST_SECRET_32

/* Run one suite; the exit status is the number of failures (0 = pass). */
#define TEST_MAIN(make_suite)						\
int									\
main(void)								\
{									\
	SRunner	*sr = srunner_create(make_suite());			\
	int	 failed;						\
									\
	/* What a test prints stays in order with Check's lines. */	\
	setvbuf(stdout, NULL, _IOLBF, 0);				\
	(void)test_tmpdir();	/* before fork: the parent cleans up */	\
	srunner_run_all(sr, CK_NORMAL);					\
	failed = srunner_ntests_failed(sr);				\
	srunner_free(sr);						\
	test_rmtmp();							\
	return failed == 0 ? 0 : 1;					\
}

static char	test_tmpdir_path[256];

static void	test_rmtmp(void);

/*
 * A private directory under the build directory (make check runs there;
 * distcheck's source tree is read-only), made on first use.
 */
static inline const char *
test_tmpdir(void)
{
	if (test_tmpdir_path[0] == '\0') {
		(void)snprintf(test_tmpdir_path, sizeof(test_tmpdir_path),
		    "tests/tmp.XXXXXX");
		if (mkdtemp(test_tmpdir_path) == NULL) {
			fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
			exit(1);
		}
	}
	return test_tmpdir_path;
}

static inline void
test_rmtmp(void)
{
	char	 cmd[300];

	if (test_tmpdir_path[0] == '\0')
		return;
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", test_tmpdir_path);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", test_tmpdir_path);
}

/* The path of name inside the temp directory, in a static buffer. */
static inline const char *
test_path(const char *name)
{
	static char	 path[512];

	(void)snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
	return path;
}

/* Write len bytes to path (replacing it in place); aborts on error. */
static inline void
test_write(const char *path, const char *data, size_t len)
{
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_msg(fd != -1, "open %s: %s", path, strerror(errno));
	ck_assert_msg(write(fd, data, len) == (ssize_t)len, "write %s", path);
	ck_assert_int_eq(close(fd), 0);
}

/* Replace path atomically with data, as authctl does: new inode. */
static inline void
test_replace(const char *path, const char *data)
{
	char	 tmp[4096 + sizeof(".new")];
	int	 n;

	n = snprintf(tmp, sizeof(tmp), "%s.new", path);
	ck_assert_msg(n >= 0 && (size_t)n < sizeof(tmp), "path too long");
	test_write(tmp, data, strlen(data));
	ck_assert_int_eq(rename(tmp, path), 0);
}

/* The whole file at path, NUL-terminated, for the caller to free. */
static inline char *
test_read_file(const char *path)
{
	struct stat	 st;
	char		*buf;
	int		 fd;

	fd = open(path, O_RDONLY);
	ck_assert_msg(fd != -1, "open %s: %s", path, strerror(errno));
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert((buf = malloc((size_t)st.st_size + 1)) != NULL);
	ck_assert_msg(read(fd, buf, (size_t)st.st_size) == st.st_size,
	    "read %s", path);
	buf[st.st_size] = '\0';
	ck_assert_int_eq(close(fd), 0);
	return buf;
}

/*
 * A new, empty folder in the temp directory, named after prefix, for a
 * test that needs one of its own (lock files, symlinks, a listing); in a
 * static buffer.  The temp directory goes, with it, when the suite ends.
 */
static inline const char *
test_fresh_dir(const char *prefix)
{
	static char	 dir[512];

	(void)snprintf(dir, sizeof(dir), "%s/%s.XXXXXX", test_tmpdir(),
	    prefix);
	ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp %s: %s", dir,
	    strerror(errno));
	return dir;
}

#ifdef FCGI_AUTH_HTTP_H
/*
 * A request as the loop hands it to a handler: its parameters are
 * "NAME=value" strings, as libfcgi gives them.  test_request_init then
 * test_request_param for each one (a NULL value sends none), and
 * test_request_free at the end.
 */
#define TEST_PARAMS_MAX	16

struct test_request {
	struct http_request	 req;
	char			*params[TEST_PARAMS_MAX + 1];
	size_t			 n;
};

static inline void
test_request_param(struct test_request *t, const char *name,
    const char *value)
{
	size_t	 len;

	if (value == NULL)
		return;
	ck_assert(t->n < TEST_PARAMS_MAX);
	len = strlen(name) + 1 + strlen(value) + 1;
	ck_assert((t->params[t->n] = malloc(len)) != NULL);
	(void)snprintf(t->params[t->n], len, "%s=%s", name, value);
	t->params[++t->n] = NULL;
}

/* A request for method (also its REQUEST_METHOD) at now, with no body. */
static inline void
test_request_init(struct test_request *t, const char *method, time_t now)
{
	memset(t, 0, sizeof(*t));
	t->req.params = (const char *const *)t->params;
	t->req.method = method;
	t->req.now = now;
	test_request_param(t, "REQUEST_METHOD", method);
}

static inline void
test_request_free(struct test_request *t)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		free(t->params[i]);
	t->n = 0;
	t->params[0] = NULL;
}
#endif

#ifdef FCGI_AUTH_APP_H
#include "password.h"

/*
 * A users file line: name, the hash's setting (prefix and cost, as
 * password_hash takes them), the password and the rest of the line
 * ("role", "role:disabled", "role:active:3").
 */
struct test_user {
	const char	*name, *prefix;
	unsigned long	 cost;
	const char	*password, *rest;
};

/* Write a users file of n users to path, hashing each password. */
static inline void
test_write_user_file(const char *path, const struct test_user *u, size_t n)
{
	char	 image[8192];
	char	 hash[PASSWORD_HASH_MAX];
	size_t	 i, len = 0;
	int	 w;

	for (i = 0; i < n; i++) {
		ck_assert_msg(password_hash(u[i].password, u[i].prefix,
		    u[i].cost, hash, sizeof(hash)) == 0, "hash for %s",
		    u[i].name);
		w = snprintf(image + len, sizeof(image) - len, "%s:%s:%s\n",
		    u[i].name, hash, u[i].rest);
		ck_assert(w > 0 && (size_t)w < sizeof(image) - len);
		len += (size_t)w;
	}
	test_write(path, image, len);
}

/*
 * The demo cast, each with password "<name>pass", cheap sha256crypt
 * hashes: alice admin, bob user, carol disabled admin, dave a user at
 * token version 3, erin an auditor (a role no endpoint allows).
 */
static inline void
test_write_users(const char *path)
{
	static const struct test_user	 cast[] = {
		{ "alice", "$5$", 1000, "alicepass", "admin" },
		{ "bob", "$5$", 1000, "bobpass", "user" },
		{ "carol", "$5$", 1000, "carolpass", "admin:disabled" },
		{ "dave", "$5$", 1000, "davepass", "user:active:3" },
		{ "erin", "$5$", 1000, "erinpass", "auditor" },
	};

	test_write_user_file(path, cast, ARRAY_SIZE(cast));
}

/*
 * An app as an endpoint would make it from the environment: alg (JWT_ALG)
 * with secret, and the users file at users.
 */
static inline struct app *
test_app_with(const char *alg, const char *secret, const char *users)
{
	struct app	*app;
	char		 err[512];

	unsetenv("JWT_SECRET_FILE");
	unsetenv("ACCESS_TOKEN_TTL_MIN");
	setenv("JWT_ALG", alg, 1);
	setenv("JWT_SECRET", secret, 1);
	setenv("USERS_FILE", users, 1);
	app = app_new(err, sizeof(err));
	ck_assert_msg(app != NULL, "app_new: %s", err);
	return app;
}

/*
 * An app as authorize.fcgi makes it: HS256, TEST_SECRET_32, the cast's
 * file (test_app_setup writes it), and the policy file at policy, which
 * it needs; AUTH_CACHE_SECONDS as cache says (NULL: unset).
 */
static inline struct app *
test_app_policy(const char *policy, const char *cache)
{
	struct app	*app;
	char		 err[1024];

	/* First: policy may be test_path's buffer, which it reuses. */
	setenv("POLICY_FILE", policy, 1);
	unsetenv("JWT_SECRET_FILE");
	unsetenv("ACCESS_TOKEN_TTL_MIN");
	setenv("JWT_ALG", "HS256", 1);
	setenv("JWT_SECRET", TEST_SECRET_32, 1);
	setenv("USERS_FILE", test_path("users"), 1);
	if (cache != NULL)
		setenv("AUTH_CACHE_SECONDS", cache, 1);
	else
		unsetenv("AUTH_CACHE_SECONDS");
	app = app_new_policy(APP_POLICY_REQUIRED, err, sizeof(err));
	unsetenv("POLICY_FILE");
	unsetenv("AUTH_CACHE_SECONDS");
	ck_assert_msg(app != NULL, "app_new_policy: %s", err);
	return app;
}

/* The app of most suites: HS256, TEST_SECRET_32, the cast's file. */
static inline struct app *
test_app_new(void)
{
	return test_app_with("HS256", TEST_SECRET_32, test_path("users"));
}

/* An unchecked fixture: the cast's users file and an app, once. */
static struct app	*test_app;

static inline void
test_app_setup(void)
{
	test_write_users(test_path("users"));
	test_app = test_app_new();
}

static inline void
test_app_teardown(void)
{
	app_free(test_app);
	test_app = NULL;
}
#endif

#ifdef FCGI_AUTH_WATCH_H
#include <time.h>

/*
 * A clock the test steps instead of sleeping (watch.h): monotonic and
 * real time in milliseconds.  Real time starts at TS_CONST; files the test
 * writes get their mtime from it (test_set_mtime), as the kernel would.
 */
struct test_clock {
	long long	 mono;
	long long	 real;
};

static struct test_clock	test_clk;

static inline long long
test_clock_mono(void *arg)
{
	return ((struct test_clock *)arg)->mono;
}

static inline long long
test_clock_real(void *arg)
{
	return ((struct test_clock *)arg)->real;
}

/* test_clk back at its start; the watch_clock that reads it. */
static inline struct watch_clock
test_clock_reset(void)
{
	struct watch_clock	 c = { test_clock_mono, test_clock_real,
				    &test_clk };

	test_clk.mono = 1000000;
	test_clk.real = (long long)TS_CONST * 1000;
	return c;
}

static inline void
test_clock_step(long long ms)
{
	test_clk.mono += ms;
	test_clk.real += ms;
}

/* Set path's mtime (and atime) to ms since the epoch. */
static inline void
test_set_mtime(const char *path, long long ms)
{
	struct timespec	 t[2];

	t[0].tv_sec = t[1].tv_sec = (time_t)(ms / 1000);
	t[0].tv_nsec = t[1].tv_nsec = (long)(ms % 1000) * 1000000;
	ck_assert_msg(utimensat(AT_FDCWD, path, t, 0) == 0, "utimensat %s: %s",
	    path, strerror(errno));
}

/* The mtime of path in milliseconds since the epoch. */
static inline long long
test_mtime_ms(const char *path)
{
	struct stat	 st;

	ck_assert_msg(stat(path, &st) == 0, "stat %s: %s", path,
	    strerror(errno));
	return (long long)st.st_mtim.tv_sec * 1000 +
	    st.st_mtim.tv_nsec / 1000000;
}

/* Write path in place, its mtime test_clk's now (a write "now"). */
static inline void
test_write_now(const char *path, const char *data)
{
	test_write(path, data, strlen(data));
	test_set_mtime(path, test_clk.real);
}

/* Replace path by rename, the new file's mtime test_clk's now. */
static inline void
test_replace_now(const char *path, const char *data)
{
	char	 tmp[4096 + sizeof(".new")];
	int	 n;

	n = snprintf(tmp, sizeof(tmp), "%s.new", path);
	ck_assert_msg(n >= 0 && (size_t)n < sizeof(tmp), "path too long");
	test_write_now(tmp, data);
	ck_assert_int_eq(rename(tmp, path), 0);
}
#endif

#endif /* FCGI_AUTH_CHECK_COMMON_H */
