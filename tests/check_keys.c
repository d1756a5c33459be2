/* check_keys.c -- the key set: algorithms, and the secret from env or file */
#include "config.h"

#include "check_common.h"
#include "keys.h"

static void
clear_env(void)
{
	unsetenv("JWT_SECRET");
	unsetenv("JWT_SECRET_FILE");
	unsetenv("JWT_ALG");
}

/* The set's one key, which signs and verifies alike. */
static const struct keys_key *
the_key(const struct keys *keys)
{
	const struct keys_key	*k = keys_signing(keys);

	ck_assert_ptr_nonnull(k);
	ck_assert_ptr_eq(keys_find(keys, k->alg, NULL), k);
	return k;
}

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

START_TEST(test_secret_env_wiped)
{
	struct keys	*keys;
	char		 err[256];

	clear_env();
	setenv("JWT_SECRET", TEST_SECRET_32, 1);
	ck_assert_ptr_nonnull(keys = keys_load(KEYS_VERIFY, err, sizeof(err)));
	/* Copied out, then gone from the environment children would see. */
	ck_assert_ptr_null(getenv("JWT_SECRET"));
	keys_free(keys);
}
END_TEST

START_TEST(test_both_secrets)
{
	char	 err[256];

	clear_env();
	test_write(test_path("secret"), TEST_SECRET_32, 32);
	setenv("JWT_SECRET", TEST_SECRET_32, 1);
	setenv("JWT_SECRET_FILE", test_path("secret"), 1);
	ck_assert_ptr_null(keys_load(KEYS_VERIFY, err, sizeof(err)));
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
	struct keys	*keys;
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
	keys = keys_load(KEYS_VERIFY, err, sizeof(err));
	ck_assert_msg((keys != NULL) == file_cases[_i].ok, "%s: %s",
	    file_cases[_i].name, err);
	if (file_cases[_i].ok) {
		ck_assert_uint_eq(the_key(keys)->secret_len,
		    file_cases[_i].want_len);
		keys_free(keys);
	} else
		ck_assert_msg(strstr(err, file_cases[_i].err_has) != NULL,
		    "%s: error \"%s\"", file_cases[_i].name, err);
}
END_TEST

START_TEST(test_secret_file_directory)
{
	char	 err[512];

	clear_env();
	setenv("JWT_SECRET_FILE", test_tmpdir(), 1);
	ck_assert_ptr_null(keys_load(KEYS_VERIFY, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
}
END_TEST

static Suite *
keys_suite(void)
{
	Suite	*s = suite_create("keys");
	TCase	*tc;

	tc = tcase_create("set");
	tcase_add_test(tc, test_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("env");
	tcase_add_test(tc, test_secret_env_wiped);
	tcase_add_test(tc, test_both_secrets);
	suite_add_tcase(s, tc);

	tc = tcase_create("secret_file");
	tcase_add_loop_test(tc, test_secret_file, 0, ARRAY_SIZE(file_cases));
	tcase_add_test(tc, test_secret_file_directory);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(keys_suite)
