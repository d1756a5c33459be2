/* check_cfg.c -- the environment: key set, lifetimes, audience, paths */
#include "config.h"

#include "check_common.h"
#include "cfg.h"

static const char *const cfg_vars[] = {
	"JWT_SECRET", "JWT_SECRET_FILE", "JWT_ALG", "ACCESS_TOKEN_TTL_MIN",
	"USERS_FILE", "JWT_AUDIENCE", "JWT_ISSUER",
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

START_TEST(test_secret_env_wiped)
{
	struct cfg	 cfg;
	char		 err[256];

	clear_env();
	setenv("JWT_SECRET", TEST_SECRET_32, 1);
	ck_assert_int_eq(cfg_load(&cfg, err, sizeof(err)), 0);
	/* Copied out, then gone from the environment children would see. */
	ck_assert_ptr_null(getenv("JWT_SECRET"));
	cfg_clear(&cfg);
}
END_TEST

START_TEST(test_both_secrets)
{
	struct cfg	 cfg;
	char		 err[256];

	clear_env();
	test_write(test_path("secret"), TEST_SECRET_32, 32);
	setenv("JWT_SECRET", TEST_SECRET_32, 1);
	setenv("JWT_SECRET_FILE", test_path("secret"), 1);
	ck_assert_int_eq(cfg_load(&cfg, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not both"));
}
END_TEST

/* Secret files: contents, and the error each bad one gets. */
static const struct {
	const char	*name;
	const char	*content;	/* NULL: no such file */
	size_t		 repeat;	/* content written this many times */
	int		 ok;
	size_t		 want_len;
	const char	*err_has;
} file_cases[] = {
	{ "plain", TEST_SECRET_32, 1, 1, 32, NULL },
	{ "trailing newline", TEST_SECRET_32 "\n", 1, 1, 32, NULL },
	{ "trailing crlf", TEST_SECRET_32 "\r\n", 1, 1, 32, NULL },
	{ "binary", "\x01\x02\x00\xff", 16, 1, 64, NULL },
	{ "short", "0123456789", 1, 0, 0, "/secret: the secret is 10 bytes; "
	    "HS256 needs at least 32" },
	{ "empty", "", 1, 0, 0, "is empty" },
	{ "only newline", "\n", 1, 0, 0, "is empty" },
	{ "too large", "0123456789abcdef", 257, 0, 0, "larger than" },
	{ "missing", NULL, 0, 0, 0, "No such file" },
};

START_TEST(test_secret_file)
{
	struct cfg	 cfg;
	char		 err[512] = "", buf[8192];
	const char	*path = test_path("secret");
	size_t		 i, n = 0, piece;

	clear_env();
	unlink(path);
	if (file_cases[_i].content != NULL) {
		/* "binary" is 4 bytes with a NUL, so not strlen. */
		piece = strcmp(file_cases[_i].name, "binary") == 0 ? 4 :
		    strlen(file_cases[_i].content);
		for (i = 0; i < file_cases[_i].repeat; i++) {
			memcpy(buf + n, file_cases[_i].content, piece);
			n += piece;
		}
		test_write(path, buf, n);
	}
	setenv("JWT_SECRET_FILE", path, 1);
	ck_assert_msg((cfg_load(&cfg, err, sizeof(err)) == 0) ==
	    file_cases[_i].ok, "%s: %s", file_cases[_i].name, err);
	if (file_cases[_i].ok) {
		ck_assert_uint_eq(the_key(&cfg)->secret_len,
		    file_cases[_i].want_len);
		cfg_clear(&cfg);
	} else
		ck_assert_msg(strstr(err, file_cases[_i].err_has) != NULL,
		    "%s: error \"%s\"", file_cases[_i].name, err);
}
END_TEST

START_TEST(test_secret_file_directory)
{
	struct cfg	 cfg;
	char		 err[512];

	clear_env();
	setenv("JWT_SECRET_FILE", test_tmpdir(), 1);
	ck_assert_int_eq(cfg_load(&cfg, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
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

/* The key set's own rules, for sets built without the environment. */
START_TEST(test_keys)
{
	static const struct {
		enum keys_alg	 alg;
		const char	*name;
		size_t		 min;
	} algs[] = {
		{ KEYS_HS256, "HS256", 32 },
		{ KEYS_HS384, "HS384", 48 },
		{ KEYS_HS512, "HS512", 64 },
	};
	const struct keys_key	*k;
	struct keys		*keys;
	char			 err[256], secret[65];
	size_t			 i;

	memset(secret, 'k', sizeof(secret));
	for (i = 0; i < ARRAY_SIZE(algs); i++) {
		ck_assert_int_eq(keys_alg_from_name(algs[i].name), algs[i].alg);
		ck_assert_str_eq(keys_alg_name(algs[i].alg), algs[i].name);
		ck_assert_uint_eq(keys_alg_min_secret(algs[i].alg), algs[i].min);
		/* One byte short, refused, saying so. */
		ck_assert_ptr_null(keys_new_hs(algs[i].alg, secret,
		    algs[i].min - 1, err, sizeof(err)));
		ck_assert_msg(strstr(err, "needs at least") != NULL, "%s", err);
		keys = keys_new_hs(algs[i].alg, secret, algs[i].min, err,
		    sizeof(err));
		ck_assert_msg(keys != NULL, "%s: %s", algs[i].name, err);
		ck_assert_ptr_nonnull(k = keys_signing(keys));
		ck_assert_int_eq(k->alg, algs[i].alg);
		ck_assert_uint_eq(k->secret_len, algs[i].min);
		/* A copy: the caller's buffer may be wiped at once. */
		ck_assert_ptr_ne(k->secret, secret);
		ck_assert(memcmp(k->secret, secret, algs[i].min) == 0);
		/* Found only for its own algorithm, whatever the kid. */
		ck_assert_ptr_eq(keys_find(keys, algs[i].alg, NULL), k);
		ck_assert_ptr_eq(keys_find(keys, algs[i].alg, "any"), k);
		ck_assert_ptr_null(keys_find(keys, algs[(i + 1) %
		    ARRAY_SIZE(algs)].alg, NULL));
		ck_assert_ptr_null(keys_find(keys, KEYS_ALG_NONE, NULL));
		keys_free(keys);
	}
	ck_assert_int_eq(keys_alg_from_name("hs256"), KEYS_ALG_NONE);
	ck_assert_int_eq(keys_alg_from_name("none"), KEYS_ALG_NONE);
	ck_assert_int_eq(keys_alg_from_name(""), KEYS_ALG_NONE);
	ck_assert_int_eq(keys_alg_from_name("HS256 "), KEYS_ALG_NONE);
	ck_assert_str_eq(keys_alg_name(KEYS_ALG_NONE), "none");
	ck_assert_uint_eq(keys_alg_min_secret(KEYS_ALG_NONE), 0);
	ck_assert_ptr_null(keys_new_hs(KEYS_ALG_NONE, secret, sizeof(secret),
	    err, sizeof(err)));
	ck_assert_ptr_null(keys_find(NULL, KEYS_HS256, NULL));
	ck_assert_ptr_null(keys_signing(NULL));
	keys_free(NULL);
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
	tcase_add_test(tc, test_secret_env_wiped);
	tcase_add_test(tc, test_both_secrets);
	tcase_add_test(tc, test_users_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("aud_iss");
	tcase_add_loop_test(tc, test_claim_values, 0,
	    ARRAY_SIZE(claim_value_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("keys");
	tcase_add_test(tc, test_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("secret_file");
	tcase_add_loop_test(tc, test_secret_file, 0, ARRAY_SIZE(file_cases));
	tcase_add_test(tc, test_secret_file_directory);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_long");
	tcase_add_loop_test(tc, test_parse_long, 0, ARRAY_SIZE(long_cases));
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(cfg_suite)
