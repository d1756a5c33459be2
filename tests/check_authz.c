/* check_authz.c -- verdicts: token to user, roles, logins, refusals */
#include "config.h"

#include <time.h>

#include "app.h"
#include "http.h"
#include "check_common.h"
#include "authz.h"
#include "token.h"

/* A genuine token from app for sub/role at version ver. */
static char *
mint_with(const struct app *app, const char *sub, const char *role, long ver)
{
	struct token_claims	 c;
	char			*tok;

	ck_assert_int_eq(token_claims_init(&c, sub, role, ver), 0);
	ck_assert_int_eq(token_mint(app_cfg(app), &c, TS_CONST, &tok), 0);
	return tok;
}

static char *
mint(const char *sub, const char *role, long ver)
{
	return mint_with(test_app, sub, role, ver);
}

static const char *
status_name(enum auth_status st)
{
	static const char *const names[] = {
		"OK", "NO_CREDS", "BAD_TOKEN", "BAD_PAYLOAD", "NO_USER",
		"DISABLED", "REVOKED", "BAD_LOGIN", "FORBIDDEN", "INTERNAL",
		"NO_RULE", "NO_SCOPE", "BAD_PATH", "BAD_METHOD",
		"PROXY_HEADERS",
	};

	return (size_t)st < ARRAY_SIZE(names) ? names[st] : "?";
}

/*
 * Authorization headers: "Bearer %T" is replaced by a token minted for
 * sub/role/ver; the role in the answer is the file's, not the token's.
 */
static const struct {
	const char		*name;
	const char		*header;
	const char		*sub, *role;
	long			 ver;
	enum auth_status	 want;
	const char		*want_role;
} auth_cases[] = {
	{ "no header", NULL, NULL, NULL, 0, AUTH_NO_CREDS, NULL },
	{ "basic", "Basic YWxpY2U6YWxpY2VwYXNz", NULL, NULL, 0, AUTH_NO_CREDS,
	    NULL },
	{ "bearer, no token", "Bearer", NULL, NULL, 0, AUTH_BAD_TOKEN, NULL },
	{ "garbage token", "Bearer abc.def.ghi", NULL, NULL, 0,
	    AUTH_BAD_TOKEN, NULL },
	{ "alice", "Bearer %T", "alice", "admin", 0, AUTH_OK, "admin" },
	{ "lowercase scheme", "bearer %T", "alice", "admin", 0, AUTH_OK,
	    "admin" },
	{ "role from the file", "Bearer %T", "bob", "admin", 0, AUTH_OK,
	    "user" },
	{ "unknown user", "Bearer %T", "zed", "admin", 0, AUTH_NO_USER, NULL },
	{ "disabled user", "Bearer %T", "carol", "admin", 0, AUTH_DISABLED,
	    NULL },
	{ "revoked version", "Bearer %T", "dave", "user", 2, AUTH_REVOKED,
	    NULL },
	{ "no version is 0", "Bearer %T", "dave", "user", 0, AUTH_REVOKED,
	    NULL },
	{ "current version", "Bearer %T", "dave", "user", 3, AUTH_OK, "user" },
	{ "later version", "Bearer %T", "dave", "user", 4, AUTH_OK, "user" },
};

START_TEST(test_authenticate)
{
	struct test_request	 t;
	struct auth_user	 user;
	enum auth_status	 st;
	char			 header[4096];
	char			*tok = NULL;

	test_request_init(&t, "GET", TS_CONST);
	if (auth_cases[_i].sub != NULL) {
		tok = mint(auth_cases[_i].sub, auth_cases[_i].role,
		    auth_cases[_i].ver);
		(void)snprintf(header, sizeof(header), "%.*s%s",
		    (int)(strstr(auth_cases[_i].header, "%T") -
		    auth_cases[_i].header), auth_cases[_i].header, tok);
		test_request_param(&t, "HTTP_AUTHORIZATION", header);
	} else
		test_request_param(&t, "HTTP_AUTHORIZATION",
		    auth_cases[_i].header);
	st = authz_authenticate(test_app, &t.req, &user);
	ck_assert_msg(st == auth_cases[_i].want, "%s: got %s, want %s",
	    auth_cases[_i].name, status_name(st),
	    status_name(auth_cases[_i].want));
	if (st == AUTH_OK) {
		ck_assert_str_eq(user.name, auth_cases[_i].sub);
		ck_assert_str_eq(user.role, auth_cases[_i].want_role);
	}
	/* Known from the token even when refused: for the log. */
	if (auth_cases[_i].sub != NULL)
		ck_assert_str_eq(user.name, auth_cases[_i].sub);
	free(tok);
	test_request_free(&t);
}
END_TEST

START_TEST(test_require_role)
{
	struct auth_user	 u;
	const char *const	 admin[] = { "admin", NULL };
	const char *const	 both[] = { "admin", "user", NULL };
	const char *const	 none[] = { NULL };

	memset(&u, 0, sizeof(u));
	(void)snprintf(u.role, sizeof(u.role), "user");
	ck_assert_int_eq(authz_require_role(&u, NULL), AUTH_OK);
	ck_assert_int_eq(authz_require_role(&u, admin), AUTH_FORBIDDEN);
	ck_assert_int_eq(authz_require_role(&u, both), AUTH_OK);
	ck_assert_int_eq(authz_require_role(&u, none), AUTH_FORBIDDEN);
	(void)snprintf(u.role, sizeof(u.role), "Admin");
	ck_assert_int_eq(authz_require_role(&u, admin), AUTH_FORBIDDEN);
}
END_TEST

static const struct {
	const char		*name, *user, *password;
	enum auth_status	 want;
	const char		*why;
} login_cases[] = {
	{ "right password", "alice", "alicepass", AUTH_OK, NULL },
	{ "wrong password", "alice", "bobpass", AUTH_BAD_LOGIN,
	    "wrong password" },
	{ "unknown user", "zed", "zedpass", AUTH_BAD_LOGIN, "unknown user" },
	{ "invalid name", "../etc/passwd", "x", AUTH_BAD_LOGIN,
	    "unknown user" },
	{ "disabled, right password", "carol", "carolpass", AUTH_BAD_LOGIN,
	    "user disabled" },
	{ "disabled, wrong password", "carol", "x", AUTH_BAD_LOGIN,
	    "user disabled" },
	{ "case matters", "Alice", "alicepass", AUTH_BAD_LOGIN,
	    "unknown user" },
};

START_TEST(test_login)
{
	struct auth_user	 user;
	enum auth_status	 st;
	const char		*why = "unset";

	st = authz_login(test_app, login_cases[_i].user, login_cases[_i].password,
	    &user, &why);
	ck_assert_msg(st == login_cases[_i].want, "%s: got %s",
	    login_cases[_i].name, status_name(st));
	if (login_cases[_i].why == NULL) {
		ck_assert_ptr_null(why);
		ck_assert_str_eq(user.name, login_cases[_i].user);
		ck_assert_str_eq(user.role, "admin");
	} else
		ck_assert_str_eq(why, login_cases[_i].why);
}
END_TEST

START_TEST(test_login_too_long)
{
	struct auth_user	 user;
	char			 pw[PASSWORD_MAX_BYTES + 2];
	const char		*why;

	memset(pw, 'a', sizeof(pw) - 1);
	pw[sizeof(pw) - 1] = '\0';
	ck_assert_int_eq(authz_login(test_app, "alice", pw, &user, &why),
	    AUTH_BAD_LOGIN);
	ck_assert_str_eq(why, "password too long");
}
END_TEST

static const struct {
	enum auth_status	 st;
	int			 status;
	const char		*body;
} refuse_cases[] = {
	{ AUTH_NO_CREDS, 401, "{\"detail\":\"Not authenticated\"}" },
	{ AUTH_BAD_TOKEN, 401, "{\"detail\":\"Invalid or expired token\"}" },
	{ AUTH_BAD_PAYLOAD, 401, "{\"detail\":\"Invalid token payload\"}" },
	{ AUTH_NO_USER, 401, "{\"detail\":\"User not found\"}" },
	{ AUTH_DISABLED, 401, "{\"detail\":\"User disabled\"}" },
	{ AUTH_REVOKED, 401, "{\"detail\":\"Token revoked\"}" },
	{ AUTH_BAD_LOGIN, 401,
	    "{\"detail\":\"Invalid username or password\"}" },
	{ AUTH_FORBIDDEN, 403, "{\"detail\":\"Requires role: admin, user\"}" },
	{ AUTH_INTERNAL, 500, "{\"detail\":\"Internal server error\"}" },
	{ AUTH_NO_RULE, 403, "{\"detail\":\"Not allowed by policy\"}" },
	{ AUTH_NO_SCOPE, 403, "{\"detail\":\"Requires scope: admin, user\"}" },
	{ AUTH_BAD_PATH, 400, "{\"detail\":\"Invalid request path\"}" },
	{ AUTH_BAD_METHOD, 400, "{\"detail\":\"Invalid request method\"}" },
	{ AUTH_PROXY_HEADERS, 500, "{\"detail\":\"Server misconfigured\"}" },
	{ AUTH_OK, 500, "{\"detail\":\"Internal server error\"}" },
	{ (enum auth_status)99, 500,
	    "{\"detail\":\"Internal server error\"}" },
};

START_TEST(test_refuse)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	const char *const	 roles[] = { "admin", "user", NULL };

	http_response_init(&resp);
	http_outcome_init(&out);
	ck_assert_int_eq(authz_refuse(&resp, &out, refuse_cases[_i].st, roles),
	    0);
	ck_assert_int_eq(resp.status, refuse_cases[_i].status);
	ck_assert_str_eq(resp.body, refuse_cases[_i].body);
	if (resp.status == 401)
		ck_assert_str_eq(http_header(&resp, "WWW-Authenticate"),
		    "Bearer");
	else
		ck_assert_uint_eq(resp.nheaders, 0);
	ck_assert_ptr_nonnull(out.reason);
	/* A reason already given (the handler knows better) is kept. */
	http_response_init(&resp);
	out.reason = "mine";
	(void)authz_refuse(&resp, &out, refuse_cases[_i].st, roles);
	ck_assert_str_eq(out.reason, "mine");
}
END_TEST

/*
 * A user added to, or enabled in, the users file after this process
 * last looked: a token for them (minted by the login endpoint, which
 * always looks first) is accepted at once, because authz_authenticate
 * looks at the file again before it says "User not found" or "User
 * disabled".  Nothing else refreshes the app here: no loop runs.
 */
static const struct {
	const char		*name;
	const char		*before, *after;	/* the users file */
	enum auth_status	 want_before, want_after;
} recheck_cases[] = {
	{ "added", "alice:%H:admin\n", "alice:%H:admin\nzoe:%H:admin\n",
	    AUTH_NO_USER, AUTH_OK },
	{ "enabled", "zoe:%H:admin:disabled\n", "zoe:%H:admin:active\n",
	    AUTH_DISABLED, AUTH_OK },
	{ "control: still unknown", "alice:%H:admin\n",
	    "alice:%H:admin\nbob:%H:user\n", AUTH_NO_USER, AUTH_NO_USER },
	/*
	 * An accepted user costs no stat(2): the loop's look before each
	 * request, at most every USERS_CHECK_INTERVAL_MS, sees this change.
	 */
	{ "control: no look for an accepted user", "zoe:%H:admin\n",
	    "zoe:%H:admin:disabled\n", AUTH_OK, AUTH_OK },
};

/* The case's users file with every %H a hash of "pw". */
static void
write_recheck_users(const char *path, const char *tmpl, int replace)
{
	char	 hash[PASSWORD_HASH_MAX], image[2048];
	size_t	 len = 0;
	int	 n;

	ck_assert(password_hash("pw", "$5$", 1000, hash, sizeof(hash)) == 0);
	for (; *tmpl != '\0'; tmpl++) {
		if (tmpl[0] == '%' && tmpl[1] == 'H') {
			n = snprintf(image + len, sizeof(image) - len, "%s",
			    hash);
			tmpl++;
		} else
			n = snprintf(image + len, sizeof(image) - len, "%c",
			    *tmpl);
		ck_assert(n > 0 && (size_t)n < sizeof(image) - len);
		len += (size_t)n;
	}
	if (replace)
		test_replace(path, image);
	else
		test_write(path, image, len);
}

START_TEST(test_recheck)
{
	struct test_request	 t;
	struct auth_user	 user;
	struct app		*app;
	char			 path[512], header[4096];
	char			*tok;
	enum auth_status	 st;

	(void)snprintf(path, sizeof(path), "%s", test_path("users-recheck"));
	write_recheck_users(path, recheck_cases[_i].before, 0);
	app = test_app_with("HS256", TEST_SECRET_32, path);
	tok = mint_with(app, "zoe", "admin", 0);
	(void)snprintf(header, sizeof(header), "Bearer %s", tok);
	test_request_init(&t, "GET", TS_CONST);
	test_request_param(&t, "HTTP_AUTHORIZATION", header);

	st = authz_authenticate(app, &t.req, &user);
	ck_assert_msg(st == recheck_cases[_i].want_before, "%s: before: %s",
	    recheck_cases[_i].name, status_name(st));
	/* A new file in its place (a new inode), as authctl writes it. */
	write_recheck_users(path, recheck_cases[_i].after, 1);
	st = authz_authenticate(app, &t.req, &user);
	ck_assert_msg(st == recheck_cases[_i].want_after, "%s: after: %s",
	    recheck_cases[_i].name, status_name(st));
	if (st == AUTH_OK)
		ck_assert_str_eq(user.role, "admin");

	test_request_free(&t);
	free(tok);
	app_free(app);
}
END_TEST

/*
 * Timing.  Unknown and disabled users must cost what a wrong password
 * costs (DESIGN.md): a login verifies an unknown name against a dummy
 * hash of the costliest scheme and cost in the file, so this file mixes
 * settings, cheapest first (a dummy taken from the first line would be
 * answered faster).  TIMING_SAMPLES logins of each kind are taken in
 * rounds, one of each kind a round in rotating order, and two statistics
 * must be within TIMING_TOLERANCE of 1:
 *   cpu   the median of a kind's thread CPU time over the wrong
 *         password's: the work done, blind to preemption;
 *   wall  the median over rounds of a kind's wall-clock time over the
 *         wrong password's in the same round: what a client sees, with
 *         the load of that moment cancelled out.  (The ratio of plain
 *         medians is printed too; on a busy machine it swings, as about
 *         half the samples are preempted.)
 * A failure is measured again once with twice the samples before it
 * counts.  Skipping the hash would make both ratios near 0.
 */
#define TIMING_SAMPLES		40
#define TIMING_TOLERANCE	0.25

static const struct test_user	 timing_users[] = {
	{ "pct", "$6$", 1000, "pct-pw", "user" },
	{ "alice", "$2b$", 6, "alice-pw", "admin" },
	{ "bob", "$2b$", 6, "bob-pw", "user:disabled" },
};

static const struct {
	const char	*name;
	const char	*user, *password;
} timing_kinds[] = {
	{ "wrong password", "alice", "wrong-pw" },
	{ "unknown user", "nobody", "wrong-pw" },
	{ "disabled user", "bob", "bob-pw" },
	{ "invalid name", "' OR 1=1--", "wrong-pw" },
};
#define NKINDS	ARRAY_SIZE(timing_kinds)

struct timing {
	double	 cpu[NKINDS];		/* median CPU time / wrong password's */
	double	 wall[NKINDS];		/* median of paired wall-clock ratios */
	double	 plain[NKINDS];		/* ratio of wall-clock medians */
	double	 base_us;		/* median wall clock, wrong password */
};

static double
elapsed_us(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e6 +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of n values, which are sorted in place. */
static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int
within(double ratio)
{
	return ratio >= 1 - TIMING_TOLERANCE && ratio <= 1 + TIMING_TOLERANCE;
}

/* n rounds of logins to app, into *t; whether every ratio is within. */
static int
measure_timing(struct app *app, size_t n, struct timing *t)
{
	struct auth_user	 user;
	struct timespec		 w0, w1, c0, c1;
	double			*wall[NKINDS], *cpu[NKINDS], *pair, base_cpu;
	const char		*why;
	enum auth_status	 st;
	size_t			 i, j, k;
	int			 ok = 1;

	for (k = 0; k < NKINDS; k++) {
		ck_assert((wall[k] = calloc(n, sizeof(double))) != NULL);
		ck_assert((cpu[k] = calloc(n, sizeof(double))) != NULL);
	}
	ck_assert((pair = calloc(n, sizeof(double))) != NULL);
	for (i = 0; i < n; i++) {
		for (j = 0; j < NKINDS; j++) {
			k = (i + j) % NKINDS;	/* rotate who goes first */
			(void)clock_gettime(CLOCK_MONOTONIC, &w0);
			(void)clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
			st = authz_login(app, timing_kinds[k].user,
			    timing_kinds[k].password, &user, &why);
			(void)clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
			(void)clock_gettime(CLOCK_MONOTONIC, &w1);
			ck_assert_msg(st == AUTH_BAD_LOGIN, "%s: %s",
			    timing_kinds[k].name, status_name(st));
			wall[k][i] = elapsed_us(&w0, &w1);
			cpu[k][i] = elapsed_us(&c0, &c1);
		}
	}
	for (k = 0; k < NKINDS; k++) {
		for (i = 0; i < n; i++)
			pair[i] = wall[k][i] / wall[0][i];
		t->wall[k] = median(pair, n);
	}
	/* median() sorts: the paired ratios above come first. */
	t->base_us = median(wall[0], n);
	base_cpu = median(cpu[0], n);
	for (k = 0; k < NKINDS; k++) {
		t->plain[k] = median(wall[k], n) / t->base_us;
		t->cpu[k] = median(cpu[k], n) / base_cpu;
		if (!within(t->cpu[k]) || !within(t->wall[k]))
			ok = 0;
	}
	for (k = 0; k < NKINDS; k++) {
		free(wall[k]);
		free(cpu[k]);
	}
	free(pair);
	return ok;
}

START_TEST(test_login_timing)
{
	struct timing	 t;
	struct app	*app;
	size_t		 k, n = TIMING_SAMPLES;
	int		 ok, attempt;

	test_write_user_file(test_path("users-timing"), timing_users,
	    ARRAY_SIZE(timing_users));
	app = test_app_with("HS256", TEST_SECRET_32,
	    test_path("users-timing"));
	for (attempt = 1;; attempt++) {
		ok = measure_timing(app, n, &t);
		/* Check's log keeps stdout: the ratios end up in the .log. */
		printf("login timing, attempt %d, %zu rounds, median wrong "
		    "password %.0f us; ratios to a wrong password:\n", attempt,
		    n, t.base_us);
		for (k = 1; k < NKINDS; k++)
			printf("  %-14s cpu %.3f  wall (paired) %.3f  "
			    "wall (plain medians) %.3f\n", timing_kinds[k].name,
			    t.cpu[k], t.wall[k], t.plain[k]);
		if (ok || attempt == 2)
			break;
		n *= 2;
	}
	for (k = 1; k < NKINDS; k++) {
		ck_assert_msg(within(t.cpu[k]), "%s: %.2f x a wrong password's "
		    "CPU time (tolerance %.2f)", timing_kinds[k].name, t.cpu[k],
		    TIMING_TOLERANCE);
		ck_assert_msg(within(t.wall[k]), "%s: %.2f x a wrong password's "
		    "time (tolerance %.2f)", timing_kinds[k].name, t.wall[k],
		    TIMING_TOLERANCE);
	}
	app_free(app);
}
END_TEST

/*
 * The policy's verdicts (authz_check_policy), on the cast's users file:
 * alice admin, bob user, carol disabled, dave at version 3, erin auditor.
 */
#define POLICY \
	"role admin reports:read projects:read users:admin\n" \
	"role user projects:read\n" \
	"role auditor reports:read\n" \
	"allow GET,HEAD /reports/ scope=reports:read\n" \
	"allow * /projects/ role=admin,user\n" \
	"allow GET /public/ anyone\n" \
	"allow * / authenticated\n" \
	"allow GET /both/ scope=reports:read,projects:read\n"
#define ALL	"reports:read projects:read users:admin"

static struct app	*policy_app;

static void
policy_setup(void)
{
	test_write_users(test_path("users"));
	test_write(test_path("policy"), POLICY, strlen(POLICY));
	policy_app = test_app_policy(test_path("policy"), NULL);
}

static void
policy_teardown(void)
{
	app_free(policy_app);
	policy_app = NULL;
}

/*
 * Each request: its method and parameters ("NAME=value"), and a token
 * for sub (NULL: none; "!": one that is no token) carrying scope (NULL:
 * no claim) at version ver.  On AUTH_OK, the identity passed on ("":
 * none), the effective scopes and whether it was asked as an Authorizer.
 */
static const struct {
	const char		*name;
	const char		*method;
	const char		*params[6];
	const char		*sub, *scope;
	long			 ver;
	enum auth_status	 want;
	const char		*user, *eff;
	int			 authorizer;
} policy_cases[] = {
	{ "scope held", "GET", { "REQUEST_URI=/reports/x" }, "alice", ALL, 0,
	    AUTH_OK, "alice", ALL, 0 },
	{ "scope asked for at login only in part", "GET",
	    { "REQUEST_URI=/reports/x" }, "alice", "projects:read", 0,
	    AUTH_NO_SCOPE, NULL, NULL, 0 },
	{ "token without scope", "GET", { "REQUEST_URI=/reports/x" },
	    "alice", NULL, 0, AUTH_NO_SCOPE, NULL, NULL, 0 },
	{ "scope in the token, not granted to the role now", "GET",
	    { "REQUEST_URI=/reports/x" }, "bob", "reports:read projects:read",
	    0, AUTH_NO_SCOPE, NULL, NULL, 0 },
	{ "another role granting it", "GET", { "REQUEST_URI=/reports/x" },
	    "erin", "reports:read", 0, AUTH_OK, "erin", "reports:read", 0 },
	{ "HEAD listed", "HEAD", { "REQUEST_URI=/reports/" }, "alice", ALL, 0,
	    AUTH_OK, "alice", ALL, 0 },
	{ "no token", "GET", { "REQUEST_URI=/reports/x" }, NULL, NULL, 0,
	    AUTH_NO_CREDS, NULL, NULL, 0 },
	{ "a bad token", "GET", { "REQUEST_URI=/reports/x" }, "!", NULL, 0,
	    AUTH_BAD_TOKEN, NULL, NULL, 0 },
	{ "a disabled user", "GET", { "REQUEST_URI=/reports/x" }, "carol",
	    ALL, 0, AUTH_DISABLED, NULL, NULL, 0 },
	{ "a revoked token", "GET", { "REQUEST_URI=/reports/x" }, "dave",
	    "projects:read", 2, AUTH_REVOKED, NULL, NULL, 0 },
	{ "an unknown user", "GET", { "REQUEST_URI=/reports/x" }, "zed",
	    ALL, 0, AUTH_NO_USER, NULL, NULL, 0 },
	/* the longest path decides, whatever the method */
	{ "POST under GET,HEAD: no fallback", "POST",
	    { "REQUEST_URI=/reports/x" }, "alice", ALL, 0, AUTH_NO_RULE, NULL,
	    NULL, 0 },
	{ "POST under GET,HEAD, no token: still no rule", "POST",
	    { "REQUEST_URI=/reports/x" }, NULL, NULL, 0, AUTH_NO_RULE, NULL,
	    NULL, 0 },
	{ "role listed", "PATCH", { "REQUEST_URI=/projects/a" }, "bob",
	    "projects:read", 0, AUTH_OK, "bob", "projects:read", 0 },
	{ "role not listed", "GET", { "REQUEST_URI=/projects/a" }, "erin",
	    "reports:read", 0, AUTH_FORBIDDEN, NULL, NULL, 0 },
	{ "authenticated", "DELETE", { "REQUEST_URI=/other" }, "dave", NULL,
	    3, AUTH_OK, "dave", "", 0 },
	{ "all of two scopes", "GET", { "REQUEST_URI=/both/x" }, "alice",
	    ALL, 0, AUTH_OK, "alice", ALL, 0 },
	{ "one of two scopes", "GET", { "REQUEST_URI=/both/x" }, "erin",
	    "reports:read", 0, AUTH_NO_SCOPE, NULL, NULL, 0 },
	/* anyone: identity if valid, nothing (and no 401) if not */
	{ "anyone, no token", "GET", { "REQUEST_URI=/public/x" }, NULL, NULL,
	    0, AUTH_OK, "", "", 0 },
	{ "anyone, a bad token", "GET", { "REQUEST_URI=/public/x" }, "!",
	    NULL, 0, AUTH_OK, "", "", 0 },
	{ "anyone, a disabled user's token", "GET",
	    { "REQUEST_URI=/public/x" }, "carol", ALL, 0, AUTH_OK, "", "", 0 },
	{ "anyone, a good token", "GET", { "REQUEST_URI=/public/x" }, "bob",
	    "projects:read", 0, AUTH_OK, "bob", "projects:read", 0 },
	{ "anyone, HEAD not listed", "HEAD", { "REQUEST_URI=/public/x" },
	    NULL, NULL, 0, AUTH_NO_RULE, NULL, NULL, 0 },
	/* paths: normalised once, bypasses refused or resolved */
	{ "dot-dot out of public", "GET",
	    { "REQUEST_URI=/public/../reports/x" }, NULL, NULL, 0,
	    AUTH_NO_CREDS, NULL, NULL, 0 },
	{ "encoded dot-dot out of public", "GET",
	    { "REQUEST_URI=/public/%2e%2e/reports/x" }, "bob",
	    "projects:read", 0, AUTH_NO_SCOPE, NULL, NULL, 0 },
	{ "an encoded slash", "GET", { "REQUEST_URI=/public%2F..%2Freports" },
	    NULL, NULL, 0, AUTH_BAD_PATH, NULL, NULL, 0 },
	{ "..;", "GET", { "REQUEST_URI=/public/..;/reports/x" }, "alice", ALL,
	    0, AUTH_BAD_PATH, NULL, NULL, 0 },
	{ "above the root", "GET", { "REQUEST_URI=/../public/x" }, NULL, NULL,
	    0, AUTH_BAD_PATH, NULL, NULL, 0 },
	{ "no REQUEST_URI", "GET", { NULL }, "alice", ALL, 0, AUTH_BAD_PATH,
	    NULL, NULL, 0 },
	{ "the query is not the path", "GET",
	    { "REQUEST_URI=/reports/x?/public/" }, NULL, NULL, 0,
	    AUTH_NO_CREDS, NULL, NULL, 0 },
	{ "absolute form (Apache)", "GET",
	    { "REQUEST_URI=http://localhost/public/x" }, NULL, NULL, 0,
	    AUTH_OK, "", "", 0 },
	/* the three ways to be asked */
	{ "Authorizer", "GET", { "FCGI_ROLE=AUTHORIZER",
	    "REQUEST_URI=/reports/x" }, "alice", ALL, 0, AUTH_OK, "alice", ALL,
	    1 },
	{ "Authorizer: the client's X-Original-URI is no source", "GET",
	    { "FCGI_ROLE=AUTHORIZER", "REQUEST_URI=/reports/x",
	    "HTTP_X_ORIGINAL_URI=/public/x", "HTTP_X_ORIGINAL_METHOD=GET" },
	    NULL, NULL, 0, AUTH_NO_CREDS, NULL, NULL, 1 },
	{ "Authorizer: nor X-Forwarded-*, both families ignored", "POST",
	    { "FCGI_ROLE=AUTHORIZER", "REQUEST_URI=/public/x",
	    "HTTP_X_FORWARDED_URI=/public/x", "HTTP_X_FORWARDED_METHOD=GET",
	    "HTTP_X_ORIGINAL_URI=/x", "HTTP_X_ORIGINAL_METHOD=GET" }, NULL,
	    NULL, 0, AUTH_NO_RULE, NULL, NULL, 1 },
	{ "nginx: X-Original-*", "GET", { "REQUEST_URI=/reports/x",
	    "HTTP_X_ORIGINAL_URI=/public/x", "HTTP_X_ORIGINAL_METHOD=GET" },
	    NULL, NULL, 0, AUTH_OK, "", "", 0 },
	{ "nginx: X-Original-Method decides", "GET", { "REQUEST_URI=/public/x",
	    "HTTP_X_ORIGINAL_URI=/public/x",
	    "HTTP_X_ORIGINAL_METHOD=DELETE" }, NULL, NULL, 0, AUTH_NO_RULE,
	    NULL, NULL, 0 },
	{ "nginx: the X-Forwarded-* it blanks", "GET", {
	    "HTTP_X_ORIGINAL_URI=/public/x", "HTTP_X_ORIGINAL_METHOD=GET",
	    "HTTP_X_FORWARDED_URI=", "HTTP_X_FORWARDED_METHOD=" }, NULL, NULL,
	    0, AUTH_OK, "", "", 0 },
	{ "Caddy: X-Forwarded-*, REQUEST_METHOD always GET", "GET",
	    { "REQUEST_URI=/public/x", "HTTP_X_FORWARDED_URI=/public/x",
	    "HTTP_X_FORWARDED_METHOD=POST" }, NULL, NULL, 0, AUTH_NO_RULE,
	    NULL, NULL, 0 },
	{ "Caddy: re-encoded", "GET", { "REQUEST_URI=/x",
	    "HTTP_X_FORWARDED_URI=/public/x%23y", "HTTP_X_FORWARDED_METHOD=GET" },
	    NULL, NULL, 0, AUTH_OK, "", "", 0 },
	{ "both families", "GET", { "REQUEST_URI=/public/x",
	    "HTTP_X_ORIGINAL_URI=/public/x", "HTTP_X_ORIGINAL_METHOD=GET",
	    "HTTP_X_FORWARDED_URI=/public/x", "HTTP_X_FORWARDED_METHOD=GET" },
	    "alice", ALL, 0, AUTH_PROXY_HEADERS, NULL, NULL, 0 },
	{ "both families, one header each", "GET", { "REQUEST_URI=/public/x",
	    "HTTP_X_ORIGINAL_URI=/public/x", "HTTP_X_FORWARDED_METHOD=GET" },
	    NULL, NULL, 0, AUTH_PROXY_HEADERS, NULL, NULL, 0 },
	{ "half a family", "GET", { "REQUEST_URI=/public/x",
	    "HTTP_X_ORIGINAL_URI=/public/x" }, NULL, NULL, 0,
	    AUTH_PROXY_HEADERS, NULL, NULL, 0 },
	{ "the other half", "GET", { "REQUEST_URI=/public/x",
	    "HTTP_X_FORWARDED_METHOD=GET" }, NULL, NULL, 0,
	    AUTH_PROXY_HEADERS, NULL, NULL, 0 },
	{ "a method that is no method", "GET", { "REQUEST_URI=/public/x",
	    "HTTP_X_FORWARDED_URI=/public/x",
	    "HTTP_X_FORWARDED_METHOD=GET /x" }, NULL, NULL, 0,
	    AUTH_BAD_METHOD, NULL, NULL, 0 },
	{ "methods are case-sensitive", "get", { "REQUEST_URI=/public/x" },
	    NULL, NULL, 0, AUTH_NO_RULE, NULL, NULL, 0 },
};

/* A token for sub at version ver with scope (NULL: no claim). */
static char *
mint_scoped(const char *sub, long ver, const char *scope)
{
	struct token_claims	 c;
	char			*tok;

	ck_assert_int_eq(token_claims_init(&c, sub, "user", ver), 0);
	ck_assert_int_eq(token_claims_scope(&c, scope != NULL ? scope : ""),
	    0);
	ck_assert_int_eq(token_mint(app_cfg(policy_app), &c, TS_CONST, &tok),
	    0);
	return tok;
}

START_TEST(test_check_policy)
{
	struct test_request	 t;
	struct http_response	 resp;
	struct http_outcome	 out;
	struct authz_allow	 a;
	enum auth_status	 st;
	char			 header[4096], name[64];
	char			*tok = NULL;
	const char		*eq;
	size_t			 i;

	test_request_init(&t, policy_cases[_i].method, TS_CONST);
	for (i = 0; i < ARRAY_SIZE(policy_cases[_i].params) &&
	    policy_cases[_i].params[i] != NULL; i++) {
		eq = strchr(policy_cases[_i].params[i], '=');
		(void)snprintf(name, sizeof(name), "%.*s",
		    (int)(eq - policy_cases[_i].params[i]),
		    policy_cases[_i].params[i]);
		test_request_param(&t, name, eq + 1);
	}
	if (policy_cases[_i].sub != NULL &&
	    strcmp(policy_cases[_i].sub, "!") == 0)
		test_request_param(&t, "HTTP_AUTHORIZATION",
		    "Bearer not.a.token");
	else if (policy_cases[_i].sub != NULL) {
		tok = mint_scoped(policy_cases[_i].sub, policy_cases[_i].ver,
		    policy_cases[_i].scope);
		(void)snprintf(header, sizeof(header), "Bearer %s", tok);
		test_request_param(&t, "HTTP_AUTHORIZATION", header);
	}
	http_response_init(&resp);
	http_outcome_init(&out);
	memset(&a, 0x55, sizeof(a));
	st = authz_check_policy(policy_app, &t.req, &a, &resp, &out);
	ck_assert_msg(st == policy_cases[_i].want, "%s: got %s, want %s (%s)",
	    policy_cases[_i].name, status_name(st),
	    status_name(policy_cases[_i].want), out.reason != NULL ?
	    out.reason : "");
	if (st == AUTH_OK) {
		ck_assert_str_eq(a.user.name, policy_cases[_i].user);
		ck_assert_str_eq(a.scope, policy_cases[_i].eff);
		ck_assert_int_eq(a.authorizer, policy_cases[_i].authorizer);
		/* The role the file gives, not the token's "user". */
		if (a.user.name[0] == '\0')
			ck_assert_str_eq(a.user.role, "");
		else if (strcmp(a.user.name, "alice") == 0)
			ck_assert_str_eq(a.user.role, "admin");
		ck_assert_int_eq(a.cache_sec, 1);
		/* An allow leaves the answer to the caller. */
		ck_assert_int_eq(resp.status, 500);
		ck_assert_uint_eq(resp.nheaders, 0);
	} else {
		/* Every refusal says why, and is never to be cached. */
		ck_assert_ptr_nonnull(out.reason);
		ck_assert_str_eq(http_header(&resp, "Cache-Control"),
		    "no-store");
		ck_assert_int_ne(resp.status, 200);
	}
	free(tok);
	test_request_free(&t);
}
END_TEST

/*
 * The refusals, as a client sees them: status, body, and RFC 6750's
 * WWW-Authenticate attributes (the endpoints keep a plain "Bearer").
 */
static const struct {
	enum auth_status	 st;
	const char		*method, *uri, *sub, *scope;
	int			 status;
	const char		*body, *www;
} policy_refusal_cases[] = {
	{ AUTH_NO_CREDS, "GET", "/reports/x", NULL, NULL, 401,
	    "{\"detail\":\"Not authenticated\"}", "Bearer" },
	{ AUTH_BAD_TOKEN, "GET", "/reports/x", "!", NULL, 401,
	    "{\"detail\":\"Invalid or expired token\"}",
	    "Bearer error=\"invalid_token\"" },
	{ AUTH_DISABLED, "GET", "/reports/x", "carol", NULL, 401,
	    "{\"detail\":\"User disabled\"}",
	    "Bearer error=\"invalid_token\"" },
	{ AUTH_NO_USER, "GET", "/reports/x", "zed", NULL, 401,
	    "{\"detail\":\"User not found\"}",
	    "Bearer error=\"invalid_token\"" },
	{ AUTH_REVOKED, "GET", "/reports/x", "dave", NULL, 401,
	    "{\"detail\":\"Token revoked\"}",
	    "Bearer error=\"invalid_token\"" },
	{ AUTH_NO_SCOPE, "GET", "/reports/x", "bob", "projects:read", 403,
	    "{\"detail\":\"Requires scope: reports:read\"}",
	    "Bearer error=\"insufficient_scope\", scope=\"reports:read\"" },
	{ AUTH_NO_SCOPE, "GET", "/both/", "erin", "reports:read", 403,
	    "{\"detail\":\"Requires scope: reports:read, projects:read\"}",
	    "Bearer error=\"insufficient_scope\", "
	    "scope=\"reports:read projects:read\"" },
	{ AUTH_FORBIDDEN, "GET", "/projects/", "erin", NULL, 403,
	    "{\"detail\":\"Requires role: admin, user\"}", NULL },
	{ AUTH_NO_RULE, "POST", "/reports/x", "alice", ALL, 403,
	    "{\"detail\":\"Not allowed by policy\"}", NULL },
	{ AUTH_BAD_PATH, "GET", "/a%00", NULL, NULL, 400,
	    "{\"detail\":\"Invalid request path\"}", NULL },
};

START_TEST(test_policy_refusal)
{
	struct test_request	 t;
	struct http_response	 resp;
	struct http_outcome	 out;
	struct authz_allow	 a;
	char			 header[4096];
	char			*tok = NULL;
	const char		*sub = policy_refusal_cases[_i].sub;

	test_request_init(&t, policy_refusal_cases[_i].method, TS_CONST);
	test_request_param(&t, "REQUEST_URI", policy_refusal_cases[_i].uri);
	if (sub != NULL && strcmp(sub, "!") == 0)
		test_request_param(&t, "HTTP_AUTHORIZATION", "Bearer x.y.z");
	else if (sub != NULL) {
		tok = mint_scoped(sub, 0, policy_refusal_cases[_i].scope);
		(void)snprintf(header, sizeof(header), "Bearer %s", tok);
		test_request_param(&t, "HTTP_AUTHORIZATION", header);
	}
	http_response_init(&resp);
	http_outcome_init(&out);
	ck_assert_int_eq(authz_check_policy(policy_app, &t.req, &a, &resp,
	    &out), policy_refusal_cases[_i].st);
	ck_assert_int_eq(resp.status, policy_refusal_cases[_i].status);
	ck_assert_str_eq(resp.body, policy_refusal_cases[_i].body);
	ck_assert_str_eq(resp.content_type, "application/json");
	if (policy_refusal_cases[_i].www != NULL)
		ck_assert_str_eq(http_header(&resp, "WWW-Authenticate"),
		    policy_refusal_cases[_i].www);
	else
		ck_assert_ptr_null(http_header(&resp, "WWW-Authenticate"));
	ck_assert_str_eq(http_header(&resp, "Cache-Control"), "no-store");
	ck_assert_ptr_null(http_header(&resp, "X-Accel-Expires"));
	/* The log gets the method and the path (normalised when it can). */
	ck_assert_str_eq(out.method, policy_refusal_cases[_i].method);
	ck_assert_str_eq(out.path, policy_refusal_cases[_i].st ==
	    AUTH_BAD_PATH ? "/a%00" : policy_refusal_cases[_i].uri);
	free(tok);
	test_request_free(&t);
}
END_TEST

/*
 * A role's grants change in the policy file: the very next check uses
 * them (effective scopes are the token's and the role's now), and a
 * broken version keeps the last good one.
 */
START_TEST(test_policy_change)
{
	struct test_request	 t;
	struct http_response	 resp;
	struct http_outcome	 out;
	struct authz_allow	 a;
	struct app		*app;
	char			 header[4096];
	char			*tok;

	test_write_users(test_path("users"));
	test_replace(test_path("policy2"), POLICY);
	app = test_app_policy(test_path("policy2"), NULL);
	tok = mint_scoped("bob", 0, "reports:read projects:read");
	(void)snprintf(header, sizeof(header), "Bearer %s", tok);
	test_request_init(&t, "GET", TS_CONST);
	test_request_param(&t, "REQUEST_URI", "/reports/x");
	test_request_param(&t, "HTTP_AUTHORIZATION", header);
	http_response_init(&resp);
	http_outcome_init(&out);
	ck_assert_int_eq(authz_check_policy(app, &t.req, &a, &resp, &out),
	    AUTH_NO_SCOPE);

	test_replace(test_path("policy2"), POLICY "role user projects:read "
	    "reports:read\n");
	ck_assert_int_eq(app_refresh(app, USERS_REFRESH_FORCE), 0);
	/* A second line for the role: refused, the last good copy stays. */
	http_response_init(&resp);
	ck_assert_int_eq(authz_check_policy(app, &t.req, &a, &resp, &out),
	    AUTH_NO_SCOPE);

	test_replace(test_path("policy2"), "role user projects:read "
	    "reports:read\nallow GET /reports/ scope=reports:read\n");
	(void)app_refresh(app, USERS_REFRESH_FORCE);
	http_response_init(&resp);
	ck_assert_int_eq(authz_check_policy(app, &t.req, &a, &resp, &out),
	    AUTH_OK);
	ck_assert_str_eq(a.scope, "projects:read reports:read");
	test_request_free(&t);
	free(tok);
	app_free(app);
}
END_TEST

/*
 * What an endpoint needs of the policy file, at start: authorize needs
 * one (none, or a bad one, is one line naming the file and the line);
 * login reads one if POLICY_FILE is set or the default file exists, and
 * works as before without.
 */
START_TEST(test_policy_at_start)
{
	struct app	*app;
	struct stat	 st;
	char		 err[1024], want[1024], missing[512], bad[512];

	/* test_path's buffer is reused: copies. */
	(void)snprintf(missing, sizeof(missing), "%s",
	    test_path("no-such-policy"));
	(void)snprintf(bad, sizeof(bad), "%s", test_path("bad-policy"));
	test_write_users(test_path("users"));
	setenv("JWT_SECRET", TEST_SECRET_32, 1);
	setenv("USERS_FILE", test_path("users"), 1);
	setenv("POLICY_FILE", missing, 1);
	(void)snprintf(want, sizeof(want), "POLICY_FILE %s: No such file or "
	    "directory", missing);
	ck_assert_ptr_null(app_new_policy(APP_POLICY_REQUIRED, err,
	    sizeof(err)));
	ck_assert_str_eq(err, want);
	setenv("JWT_SECRET", TEST_SECRET_32, 1);	/* wiped once read */
	ck_assert_ptr_null(app_new_policy(APP_POLICY_IF_ANY, err,
	    sizeof(err)));
	ck_assert_str_eq(err, want);

	/* A bad line: the file and its number, not the text. */
	test_write(bad, "allow GET / anyone\nallow GET /x secret-who\n", 43);
	setenv("JWT_SECRET", TEST_SECRET_32, 1);
	setenv("POLICY_FILE", bad, 1);
	ck_assert_ptr_null(app_new_policy(APP_POLICY_IF_ANY, err,
	    sizeof(err)));
	ck_assert_msg(strstr(err, "POLICY_FILE ") == err &&
	    strstr(err, "bad-policy line 2: WHO must be") != NULL &&
	    strstr(err, "secret-who") == NULL, "%s", err);

	/* Endpoints that need none never look. */
	setenv("JWT_SECRET", TEST_SECRET_32, 1);
	ck_assert_ptr_nonnull(app = app_new(err, sizeof(err)));
	ck_assert_ptr_null(app_policy(app));
	app_free(app);

	/* Unset, and no default file: login works without one. */
	unsetenv("POLICY_FILE");
	setenv("JWT_SECRET", TEST_SECRET_32, 1);
	if (stat(SYSCONFDIR "/fcgi-auth/policy", &st) == 0)
		return;		/* installed here: not this machine's case */
	ck_assert_ptr_nonnull(app = app_new_policy(APP_POLICY_IF_ANY, err,
	    sizeof(err)));
	ck_assert_ptr_null(app_policy(app));
	app_free(app);
	setenv("JWT_SECRET", TEST_SECRET_32, 1);
	ck_assert_ptr_null(app_new_policy(APP_POLICY_REQUIRED, err,
	    sizeof(err)));
	ck_assert_msg(strstr(err, "POLICY_FILE " SYSCONFDIR
	    "/fcgi-auth/policy: ") == err, "%s", err);
}
END_TEST

static Suite *
authz_suite(void)
{
	Suite	*s = suite_create("authz");
	TCase	*tc;

	tc = tcase_create("authenticate");
	tcase_add_unchecked_fixture(tc, test_app_setup,
	    test_app_teardown);
	tcase_add_loop_test(tc, test_authenticate, 0, ARRAY_SIZE(auth_cases));
	tcase_add_test(tc, test_require_role);
	suite_add_tcase(s, tc);

	tc = tcase_create("login");
	tcase_add_unchecked_fixture(tc, test_app_setup,
	    test_app_teardown);
	tcase_add_loop_test(tc, test_login, 0, ARRAY_SIZE(login_cases));
	tcase_add_test(tc, test_login_too_long);
	suite_add_tcase(s, tc);

	tc = tcase_create("refuse");
	tcase_add_loop_test(tc, test_refuse, 0, ARRAY_SIZE(refuse_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("policy");
	tcase_add_unchecked_fixture(tc, policy_setup, policy_teardown);
	tcase_add_loop_test(tc, test_check_policy, 0,
	    ARRAY_SIZE(policy_cases));
	tcase_add_loop_test(tc, test_policy_refusal, 0,
	    ARRAY_SIZE(policy_refusal_cases));
	tcase_add_test(tc, test_policy_change);
	tcase_add_test(tc, test_policy_at_start);
	suite_add_tcase(s, tc);

	tc = tcase_create("timing");
	tcase_add_test(tc, test_login_timing);
	tcase_set_timeout(tc, 300);
	suite_add_tcase(s, tc);

	tc = tcase_create("recheck");
	tcase_add_loop_test(tc, test_recheck, 0, ARRAY_SIZE(recheck_cases));
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(authz_suite)
