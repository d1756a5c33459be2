/* check_cfg.c -- the environment: lifetimes, audience, issuer, paths, keys, cache */
#include "config.h"

#include "check_common.h"
#include "cfg.h"

static const char *const cfg_vars[] = {
	"JWT_SECRET", "JWT_SECRET_FILE", "JWT_ALG", "ACCESS_TOKEN_TTL_MIN",
	"USERS_FILE", "JWT_AUDIENCE", "JWT_ISSUER", "POLICY_FILE",
	"AUTH_CACHE_SECONDS", "SESSION_STORE", "SESSION_STORE_PASSWORD_FILE",
	"REFRESH_TOKEN_TTL_DAYS", "REFRESH_TOKEN_IDLE_DAYS",
	"LOGIN_MAX_FAILURES", "LOGIN_FAILURE_WINDOW_MIN",
};

/* The key set's one key: the secret, signing and verifying. */
static const struct keys_key *
the_key(const struct cfg *cfg)
{
	const struct keys_key	*k = keys_signing(cfg->keys);

	ck_assert_ptr_nonnull(k);
	ck_assert_ptr_eq(keys_find(cfg->keys, k->alg, NULL), k);
	return k;
}

static void
clear_env(void)
{
	size_t	 i;

	for (i = 0; i < ARRAY_SIZE(cfg_vars); i++)
		unsetenv(cfg_vars[i]);
}

/* Each case sets some variables (NULL = unset) and expects ok or an error. */
static const struct {
	const char	*name;
	const char	*secret, *alg, *ttl;
	int		 ok;
	const char	*err_has;	/* a piece of the error line */
	int		 want_ttl;
} env_cases[] = {
	{ "no secret", NULL, NULL, NULL, 0, "no secret", 0 },
	{ "empty secret", "", NULL, NULL, 0, "JWT_SECRET is empty", 0 },
	{ "31-byte secret", &TEST_SECRET_32[1], NULL, NULL, 0,
	    "JWT_SECRET: the secret is 31 bytes; HS256 needs at least 32", 0 },
	{ "32-byte secret", TEST_SECRET_32, NULL, NULL, 1, NULL, 30 },
	{ "HS384 with 32", TEST_SECRET_32, "HS384", NULL, 0,
	    "JWT_SECRET: the secret is 32 bytes; HS384 needs at least 48", 0 },
	{ "HS384 with 48", TEST_SECRET_48, "HS384", NULL, 1, NULL, 30 },
	{ "HS512 with 48", TEST_SECRET_48, "HS512", NULL, 0,
	    "needs at least 64", 0 },
	{ "HS512 with 64", TEST_SECRET_64, "HS512", NULL, 1, NULL, 30 },
	{ "alg none", TEST_SECRET_64, "none", NULL, 0, "JWT_ALG", 0 },
	{ "alg lowercase", TEST_SECRET_64, "hs256", NULL, 0, "JWT_ALG", 0 },
	{ "alg RS256", TEST_SECRET_64, "RS256", NULL, 0, "JWT_ALG", 0 },
	{ "empty alg is default", TEST_SECRET_32, "", NULL, 1, NULL, 30 },
	{ "ttl 1", TEST_SECRET_32, NULL, "1", 1, NULL, 1 },
	{ "ttl 1440", TEST_SECRET_32, NULL, "1440", 1, NULL, 1440 },
	{ "ttl 0", TEST_SECRET_32, NULL, "0", 0, "ACCESS_TOKEN_TTL_MIN", 0 },
	{ "ttl 1441", TEST_SECRET_32, NULL, "1441", 0, "ACCESS_TOKEN_TTL_MIN",
	    0 },
	{ "ttl negative", TEST_SECRET_32, NULL, "-5", 0, "ACCESS_TOKEN_TTL",
	    0 },
	{ "ttl words", TEST_SECRET_32, NULL, "ten", 0, "ACCESS_TOKEN_TTL", 0 },
	{ "ttl trailing", TEST_SECRET_32, NULL, "10m", 0, "ACCESS_TOKEN_TTL",
	    0 },
	{ "ttl space", TEST_SECRET_32, NULL, " 10", 0, "ACCESS_TOKEN_TTL", 0 },
	{ "ttl huge", TEST_SECRET_32, NULL, "99999999999999999999", 0,
	    "ACCESS_TOKEN_TTL", 0 },
	{ "ttl empty is default", TEST_SECRET_32, NULL, "", 1, NULL, 30 },
};

START_TEST(test_env)
{
	struct cfg	 cfg;
	char		 err[256] = "";
	int		 r;

	clear_env();
	if (env_cases[_i].secret != NULL)
		setenv("JWT_SECRET", env_cases[_i].secret, 1);
	if (env_cases[_i].alg != NULL)
		setenv("JWT_ALG", env_cases[_i].alg, 1);
	if (env_cases[_i].ttl != NULL)
		setenv("ACCESS_TOKEN_TTL_MIN", env_cases[_i].ttl, 1);
	r = cfg_load(&cfg, err, sizeof(err));
	ck_assert_msg((r == 0) == env_cases[_i].ok, "%s: got %d (%s)",
	    env_cases[_i].name, r, err);
	if (env_cases[_i].ok) {
		ck_assert_msg(cfg.ttl_min == env_cases[_i].want_ttl,
		    "%s: ttl %d", env_cases[_i].name, cfg.ttl_min);
		ck_assert_uint_eq(the_key(&cfg)->secret_len,
		    strlen(env_cases[_i].secret));
		ck_assert(memcmp(the_key(&cfg)->secret, env_cases[_i].secret,
		    the_key(&cfg)->secret_len) == 0);
		ck_assert_int_eq(the_key(&cfg)->alg, env_cases[_i].alg == NULL ||
		    *env_cases[_i].alg == '\0' ? KEYS_HS256 :
		    keys_alg_from_name(env_cases[_i].alg));
		cfg_clear(&cfg);
		ck_assert_ptr_null(cfg.keys);
	} else {
		ck_assert_msg(strstr(err, env_cases[_i].err_has) != NULL,
		    "%s: error \"%s\" lacks \"%s\"", env_cases[_i].name, err,
		    env_cases[_i].err_has);
		ck_assert_ptr_null(cfg.keys);
	}
}
END_TEST

START_TEST(test_users_file)
{
	struct cfg	 cfg;
	char		 err[256];

	clear_env();
	setenv("JWT_SECRET", TEST_SECRET_32, 1);
	ck_assert_int_eq(cfg_load(&cfg, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.users_file, SYSCONFDIR "/fcgi-auth/users");
	ck_assert_int_eq(the_key(&cfg)->alg, KEYS_HS256);
	ck_assert_str_eq(cfg.audience, "");
	ck_assert_str_eq(cfg.issuer, "");
	cfg_clear(&cfg);

	setenv("JWT_SECRET", TEST_SECRET_32, 1);
	setenv("USERS_FILE", "/srv/auth/users", 1);
	ck_assert_int_eq(cfg_load(&cfg, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.users_file, "/srv/auth/users");
	cfg_clear(&cfg);
	cfg_clear(&cfg);	/* twice is harmless */
}
END_TEST

/* POLICY_FILE: the default unless set, and whether it was set. */
START_TEST(test_policy_file)
{
	struct cfg	 cfg;
	char		 err[256], big[PATH_MAX + 8];

	clear_env();
	setenv("JWT_SECRET", TEST_SECRET_32, 1);
	ck_assert_int_eq(cfg_load(&cfg, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.policy_file, SYSCONFDIR "/fcgi-auth/policy");
	ck_assert_int_eq(cfg.policy_file_set, 0);
	cfg_clear(&cfg);

	setenv("JWT_SECRET", TEST_SECRET_32, 1);	/* wiped once read */
	setenv("POLICY_FILE", "", 1);
	ck_assert_int_eq(cfg_load(&cfg, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.policy_file, SYSCONFDIR "/fcgi-auth/policy");
	ck_assert_int_eq(cfg.policy_file_set, 0);
	cfg_clear(&cfg);

	setenv("JWT_SECRET", TEST_SECRET_32, 1);
	setenv("POLICY_FILE", "/srv/auth/policy", 1);
	ck_assert_int_eq(cfg_load(&cfg, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.policy_file, "/srv/auth/policy");
	ck_assert_int_eq(cfg.policy_file_set, 1);
	cfg_clear(&cfg);

	memset(big, 'p', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	setenv("JWT_SECRET", TEST_SECRET_32, 1);
	setenv("POLICY_FILE", big, 1);
	ck_assert_int_eq(cfg_load(&cfg, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "POLICY_FILE is too long");
}
END_TEST

/* AUTH_CACHE_SECONDS: 0 to 60, default 1; anything else stops us. */
static const struct {
	const char	*value;		/* NULL: unset */
	int		 want;		/* -1: refused */
} cache_cases[] = {
	{ NULL, 1 }, { "", 1 }, { "0", 0 }, { "1", 1 }, { "60", 60 },
	{ "61", -1 }, { "-1", -1 }, { "1.5", -1 }, { "1s", -1 }, { " 1", -1 },
	{ "+1", -1 }, { "99999999999999999999", -1 }, { "one", -1 },
};

START_TEST(test_auth_cache_seconds)
{
	struct cfg	 cfg;
	char		 err[256] = "";
	int		 r;

	clear_env();
	setenv("JWT_SECRET", TEST_SECRET_32, 1);
	if (cache_cases[_i].value != NULL)
		setenv("AUTH_CACHE_SECONDS", cache_cases[_i].value, 1);
	r = cfg_load(&cfg, err, sizeof(err));
	if (cache_cases[_i].want == -1) {
		ck_assert_msg(r == -1, "\"%s\": accepted", cache_cases[_i].value);
		ck_assert_str_eq(err, "AUTH_CACHE_SECONDS must be a whole "
		    "number of seconds from 0 to 60");
		return;
	}
	ck_assert_msg(r == 0, "\"%s\": %s", cache_cases[_i].value, err);
	ck_assert_int_eq(cfg.auth_cache_sec, cache_cases[_i].want);
	cfg_clear(&cfg);
}
END_TEST

#define S255	"0123456789abcdef0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef0123456789abcdef" \
		"0123456789abcde"

/*
 * JWT_AUDIENCE and JWT_ISSUER: what each value becomes, or the error.
 * Every token is compared with them byte for byte, so a value that could
 * only be a mistake (a newline or space from an environment file, a
 * control character) stops the process at start.
 */
static const struct {
	const char	*name;
	const char	*var, *value;	/* value NULL: unset */
	const char	*want;		/* NULL: refused */
} claim_value_cases[] = {
	{ "audience unset", "JWT_AUDIENCE", NULL, "" },
	{ "audience empty is unset", "JWT_AUDIENCE", "", "" },
	{ "audience a name", "JWT_AUDIENCE", "reports-api", "reports-api" },
	{ "audience a URI", "JWT_AUDIENCE", "https://api.example/v1?x=1#y",
	    "https://api.example/v1?x=1#y" },
	{ "audience of 255 bytes", "JWT_AUDIENCE", S255, S255 },
	{ "audience of 256 bytes", "JWT_AUDIENCE", S255 "f", NULL },
	{ "audience with a newline", "JWT_AUDIENCE", "api\n", NULL },
	{ "audience with a CR", "JWT_AUDIENCE", "api\r", NULL },
	{ "audience with a tab", "JWT_AUDIENCE", "my\tapi", NULL },
	{ "audience with a space", "JWT_AUDIENCE", "my api", NULL },
	{ "audience with a trailing space", "JWT_AUDIENCE", "api ", NULL },
	{ "audience with ESC", "JWT_AUDIENCE", "api\x1b[0m", NULL },
	{ "audience with DEL", "JWT_AUDIENCE", "api\x7f", NULL },
	{ "audience not ASCII", "JWT_AUDIENCE", "caf\xc3\xa9", NULL },
	{ "issuer unset", "JWT_ISSUER", NULL, "" },
	{ "issuer a URI", "JWT_ISSUER", "https://auth.example/",
	    "https://auth.example/" },
	{ "issuer of 255 bytes", "JWT_ISSUER", S255, S255 },
	{ "issuer of 256 bytes", "JWT_ISSUER", S255 "f", NULL },
	{ "issuer with a newline", "JWT_ISSUER", "https://auth.example\n",
	    NULL },
	{ "issuer with a space", "JWT_ISSUER", " https://auth.example", NULL },
	{ "issuer with a bell", "JWT_ISSUER", "auth\a", NULL },
};

START_TEST(test_claim_values)
{
	struct cfg	 cfg;
	char		 err[256] = "", want_err[128];
	const char	*other;
	int		 r;

	clear_env();
	setenv("JWT_SECRET", TEST_SECRET_32, 1);
	if (claim_value_cases[_i].value != NULL)
		setenv(claim_value_cases[_i].var, claim_value_cases[_i].value,
		    1);
	/* The other variable, set, shows the two are kept apart. */
	other = strcmp(claim_value_cases[_i].var, "JWT_AUDIENCE") == 0 ?
	    "JWT_ISSUER" : "JWT_AUDIENCE";
	setenv(other, "the-other", 1);
	r = cfg_load(&cfg, err, sizeof(err));
	if (claim_value_cases[_i].want == NULL) {
		ck_assert_msg(r == -1, "%s: accepted", claim_value_cases[_i].name);
		(void)snprintf(want_err, sizeof(want_err), "%s must be 1 to "
		    "255 printable ASCII characters without spaces",
		    claim_value_cases[_i].var);
		ck_assert_msg(strstr(err, want_err) != NULL, "%s: error \"%s\"",
		    claim_value_cases[_i].name, err);
		/* One line, and the value itself is not in it. */
		ck_assert_ptr_null(strchr(err, '\n'));
		ck_assert_ptr_null(strstr(err, claim_value_cases[_i].value));
		ck_assert_ptr_null(cfg.keys);
		return;
	}
	ck_assert_msg(r == 0, "%s: %s", claim_value_cases[_i].name, err);
	if (strcmp(claim_value_cases[_i].var, "JWT_AUDIENCE") == 0) {
		ck_assert_str_eq(cfg.audience, claim_value_cases[_i].want);
		ck_assert_str_eq(cfg.issuer, "the-other");
	} else {
		ck_assert_str_eq(cfg.issuer, claim_value_cases[_i].want);
		ck_assert_str_eq(cfg.audience, "the-other");
	}
	cfg_clear(&cfg);
}
END_TEST

/*
 * The session settings: each variable's range, and what makes a store
 * URL unusable whatever the store (its own syntax is store_open's).
 * vars: "NAME=value" pairs; want: the fields after, or the error.
 */
static const struct {
	const char	*name;
	const char	*vars[3];
	const char	*err_has;	/* NULL: accepted */
	int		 ttl, idle, max, window, on;
} session_cases[] = {
	{ "defaults: sessions off", { NULL }, NULL, 14, 7, 5, 15, 0 },
	{ "sqlite", { "SESSION_STORE=sqlite:/var/lib/fa/s.db" }, NULL,
	    14, 7, 5, 15, 1 },
	{ "redis", { "SESSION_STORE=redis://127.0.0.1:6379/2" }, NULL,
	    14, 7, 5, 15, 1 },
	{ "redis with a user and a password file",
	    { "SESSION_STORE=redis://fa@[::1]:6379",
	    "SESSION_STORE_PASSWORD_FILE=/etc/fa/pw" }, NULL, 14, 7, 5, 15,
	    1 },
	{ "empty store is off", { "SESSION_STORE=" }, NULL, 14, 7, 5, 15,
	    0 },
	{ "a relative sqlite path", { "SESSION_STORE=sqlite:s.db" },
	    "absolute path", 0, 0, 0, 0, 0 },
	{ "sqlite with a password file", { "SESSION_STORE=sqlite:/s.db",
	    "SESSION_STORE_PASSWORD_FILE=/pw" }, "not sqlite:", 0, 0, 0, 0,
	    0 },
	{ "a password file without a store",
	    { "SESSION_STORE_PASSWORD_FILE=/pw" }, "SESSION_STORE is not", 0,
	    0, 0, 0, 0 },
	{ "a password in the URL", { "SESSION_STORE=redis://:s3cret@h" },
	    "no password in the URL", 0, 0, 0, 0, 0 },
	{ "a user and password in the URL",
	    { "SESSION_STORE=redis://u:s3cret@h:6379" },
	    "no password in the URL", 0, 0, 0, 0, 0 },
	{ "another scheme", { "SESSION_STORE=postgres://h/db" },
	    "sqlite:PATH or redis://", 0, 0, 0, 0, 0 },
	{ "rediss (TLS) is not offered", { "SESSION_STORE=rediss://h" },
	    "sqlite:PATH or redis://", 0, 0, 0, 0, 0 },
	{ "a space in the URL", { "SESSION_STORE=sqlite:/a b" },
	    "printable ASCII", 0, 0, 0, 0, 0 },
	{ "ttl 1, idle follows", { "REFRESH_TOKEN_TTL_DAYS=1" }, NULL, 1, 1,
	    5, 15, 0 },
	{ "ttl 365", { "REFRESH_TOKEN_TTL_DAYS=365" }, NULL, 365, 7, 5, 15,
	    0 },
	{ "ttl 366", { "REFRESH_TOKEN_TTL_DAYS=366" },
	    "REFRESH_TOKEN_TTL_DAYS must be a whole number of days from 1 to "
	    "365", 0, 0, 0, 0, 0 },
	{ "ttl 0", { "REFRESH_TOKEN_TTL_DAYS=0" }, "REFRESH_TOKEN_TTL_DAYS",
	    0, 0, 0, 0, 0 },
	{ "idle = ttl", { "REFRESH_TOKEN_TTL_DAYS=30",
	    "REFRESH_TOKEN_IDLE_DAYS=30" }, NULL, 30, 30, 5, 15, 0 },
	{ "idle > ttl", { "REFRESH_TOKEN_TTL_DAYS=3",
	    "REFRESH_TOKEN_IDLE_DAYS=4" }, "REFRESH_TOKEN_IDLE_DAYS must be "
	    "a whole number of days (at most REFRESH_TOKEN_TTL_DAYS) from 1 "
	    "to 3", 0, 0, 0, 0, 0 },
	{ "idle > default ttl", { "REFRESH_TOKEN_IDLE_DAYS=15" },
	    "REFRESH_TOKEN_IDLE_DAYS", 0, 0, 0, 0, 0 },
	{ "idle 0", { "REFRESH_TOKEN_IDLE_DAYS=0" }, "REFRESH_TOKEN_IDLE",
	    0, 0, 0, 0, 0 },
	{ "max failures 0: throttling off", { "LOGIN_MAX_FAILURES=0" }, NULL,
	    14, 7, 0, 15, 0 },
	{ "max failures 1000", { "LOGIN_MAX_FAILURES=1000" }, NULL, 14, 7,
	    1000, 15, 0 },
	{ "max failures 1001", { "LOGIN_MAX_FAILURES=1001" },
	    "LOGIN_MAX_FAILURES must be", 0, 0, 0, 0, 0 },
	{ "max failures -1", { "LOGIN_MAX_FAILURES=-1" },
	    "LOGIN_MAX_FAILURES", 0, 0, 0, 0, 0 },
	{ "window 1440", { "LOGIN_FAILURE_WINDOW_MIN=1440" }, NULL, 14, 7, 5,
	    1440, 0 },
	{ "window 0", { "LOGIN_FAILURE_WINDOW_MIN=0" },
	    "LOGIN_FAILURE_WINDOW_MIN must be a whole number of minutes from "
	    "1 to 1440", 0, 0, 0, 0, 0 },
	{ "window 15m", { "LOGIN_FAILURE_WINDOW_MIN=15m" },
	    "LOGIN_FAILURE_WINDOW_MIN", 0, 0, 0, 0, 0 },
};

START_TEST(test_sessions)
{
	struct cfg	 cfg;
	char		 err[256] = "", name[64];
	const char	*v, *eq;
	size_t		 i;
	int		 r;

	clear_env();
	setenv("JWT_SECRET", TEST_SECRET_32, 1);
	for (i = 0; i < ARRAY_SIZE(session_cases[_i].vars) &&
	    (v = session_cases[_i].vars[i]) != NULL; i++) {
		eq = strchr(v, '=');
		(void)snprintf(name, sizeof(name), "%.*s", (int)(eq - v), v);
		setenv(name, eq + 1, 1);
	}
	r = cfg_load(&cfg, err, sizeof(err));
	if (session_cases[_i].err_has != NULL) {
		ck_assert_msg(r == -1, "%s: accepted", session_cases[_i].name);
		ck_assert_msg(strstr(err, session_cases[_i].err_has) != NULL,
		    "%s: error \"%s\"", session_cases[_i].name, err);
		/* A password never reaches the log line. */
		ck_assert_ptr_null(strstr(err, "s3cret"));
		ck_assert_ptr_null(cfg.keys);
		return;
	}
	ck_assert_msg(r == 0, "%s: %s", session_cases[_i].name, err);
	ck_assert_int_eq(cfg.refresh_ttl_days, session_cases[_i].ttl);
	ck_assert_int_eq(cfg.refresh_idle_days, session_cases[_i].idle);
	ck_assert_int_eq(cfg.login_max_failures, session_cases[_i].max);
	ck_assert_int_eq(cfg.login_window_min, session_cases[_i].window);
	ck_assert_int_eq(cfg_sessions(&cfg), session_cases[_i].on);
	if (session_cases[_i].on) {
		v = session_cases[_i].vars[0];
		ck_assert_str_eq(cfg.store_url, strchr(v, '=') + 1);
	}
	cfg_clear(&cfg);
}
END_TEST

static const struct {
	const char	*in;
	long		 min, max;
	int		 ok;
	long		 want;
} long_cases[] = {
	{ "0", 0, 10, 1, 0 },
	{ "10", 0, 10, 1, 10 },
	{ "11", 0, 10, 0, 0 },
	{ "-1", 0, 10, 0, 0 },
	{ "-1", -5, 10, 1, -1 },
	{ "", 0, 10, 0, 0 },
	{ "+1", 0, 10, 0, 0 },
	{ " 1", 0, 10, 0, 0 },
	{ "1 ", 0, 10, 0, 0 },
	{ "0x10", 0, 100, 0, 0 },
	{ "9223372036854775808", 0, 9223372036854775807L, 0, 0 },
	{ "9223372036854775807", 0, 9223372036854775807L, 1,
	    9223372036854775807L },
};

START_TEST(test_parse_long)
{
	long	 v = -42;
	int	 r;

	r = cfg_parse_long(long_cases[_i].in, long_cases[_i].min,
	    long_cases[_i].max, &v);
	ck_assert_msg((r == 0) == long_cases[_i].ok, "\"%s\": %d",
	    long_cases[_i].in, r);
	if (long_cases[_i].ok)
		ck_assert_int_eq(v, long_cases[_i].want);
	else
		ck_assert_int_eq(v, -42);	/* untouched on failure */
}
END_TEST

static Suite *
cfg_suite(void)
{
	Suite	*s = suite_create("cfg");
	TCase	*tc;

	tc = tcase_create("env");
	tcase_add_loop_test(tc, test_env, 0, ARRAY_SIZE(env_cases));
	tcase_add_test(tc, test_users_file);
	tcase_add_test(tc, test_policy_file);
	tcase_add_loop_test(tc, test_auth_cache_seconds, 0,
	    ARRAY_SIZE(cache_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("sessions");
	tcase_add_loop_test(tc, test_sessions, 0, ARRAY_SIZE(session_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("aud_iss");
	tcase_add_loop_test(tc, test_claim_values, 0,
	    ARRAY_SIZE(claim_value_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_long");
	tcase_add_loop_test(tc, test_parse_long, 0, ARRAY_SIZE(long_cases));
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(cfg_suite)
