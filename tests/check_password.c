/* check_password.c -- verifying and making hashes with libxcrypt */
#include "config.h"

#include "check_common.h"
#include "password.h"

/* Every scheme a users file may hold, at a cheap cost. */
static const struct {
	const char	*prefix;
	unsigned long	 cost;
	const char	*scheme;
} schemes[] = {
	{ "$y$", 1, "yescrypt" },
	{ "$gy$", 1, "gost-yescrypt" },
	{ "$7$", 6, "scrypt" },
	{ "$2b$", 4, "bcrypt" },
	{ "$2y$", 4, "bcrypt" },
	{ "$6$", 1000, "sha512crypt" },
	{ "$5$", 1000, "sha256crypt" },
};

START_TEST(test_roundtrip)
{
	char	 hash[PASSWORD_HASH_MAX];
	int	 match = -1;

	ck_assert_msg(password_hash("correct horse", schemes[_i].prefix,
	    schemes[_i].cost, hash, sizeof(hash)) == 0, "%s: hash failed",
	    schemes[_i].prefix);
	ck_assert_msg(strncmp(hash, schemes[_i].prefix,
	    strlen(schemes[_i].prefix)) == 0, "%s: got %s", schemes[_i].prefix,
	    hash);
	ck_assert_str_eq(password_scheme_name(hash), schemes[_i].scheme);
	ck_assert_msg(password_hash_usable(hash), "%s not usable", hash);

	ck_assert_int_eq(password_verify("correct horse", hash, &match), 0);
	ck_assert_int_eq(match, 1);
	ck_assert_int_eq(password_verify("correct horsE", hash, &match), 0);
	ck_assert_int_eq(match, 0);
	ck_assert_int_eq(password_verify("", hash, &match), 0);
	ck_assert_int_eq(match, 0);
}
END_TEST

/* Hashes made elsewhere: by passlib (as the reference app does), mkpasswd. */
static const struct {
	const char	*name;
	const char	*hash;
	const char	*password;
} foreign[] = {
	{ "passlib bcrypt",
	    "$2b$12$LCINyX7vcxLTpmKUgiSYHe0x2bjsnGb8b4uOVPJb3FwhplvhWXMBG",
	    "alicepass" },
	{ "$2y$ (htpasswd -B's form)",
	    "$2y$05$q1SLIyKaAnpWM3vFDv5vz.3rXZyfZfsJHFV4JmaS2Adj3eDSefQfW",
	    "secret" },
	{ "$2a$ (older bcrypt)",
	    "$2a$04$jnM4EDj89GXYknW1JbXMfe8bq2FRwVkE.CQafWL9PNjixccEUPsu2",
	    "old" },
	{ "mkpasswd yescrypt",
	    "$y$j9T$fir.4AIKCdywBAfiy8qZU/$MmBRJvrLn5IteKQyTjkkBRPEF9d.pqEX.WYY74i0RX9",
	    "x-dummy-password-x" },
};

START_TEST(test_foreign)
{
	int	 match = 0;

	ck_assert_msg(password_hash_usable(foreign[_i].hash), "%s",
	    foreign[_i].name);
	ck_assert_int_eq(password_verify(foreign[_i].password,
	    foreign[_i].hash, &match), 0);
	ck_assert_msg(match == 1, "%s: no match", foreign[_i].name);
}
END_TEST

/* Never usable in a users file, and never a match. */
static const char *const unusable[] = {
	"",
	"*",
	"!",
	"!$6$rounds=1000$saltsalt$x",
	"plaintext",
	"$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",		/* md5crypt */
	"abJnggxhB/yWI",				/* DES */
	"$2b$04$abcdefghijklmnopqrstuuyvPXIbu7xe6/CED2DzX8z6Si09Mlzl",
	"$2b$04$abcdefghijklmnopqrstuuyvPXIbu7xe6/CED2DzX8z6Si09MlzlWW",
	"$6$rounds=1000$saltsalt$nII71",
	("$6$rounds=1000$saltsalt$nII71HJmawaDYdXrUHYtoWV/pe6ZN/eQzrZXdKjhrcMU0"
	    "onLRg6A5m38udZu.lA6f53rIQturF4FMx1X99KF/!"),
	"$9$unknown$scheme",
	/* A setting and a checksum of the right length, but no salt. */
	"$y$jbcdefghijklmnopqrstuu3r9OfJnfnS4UpFFP8WIrW",
	"$y$j9T$jbcdefghijklmnopqrstuu3r9OfJnfnS4UpFFP8WIrW",
	"$6$rounds=1000$nII71HJmawaDYdXrUHYtoWV/pe6ZN/eQzrZXdKjhrcMU0onLRg6A5m38"
	    "udZu.lA6f53rIQturF4FMx1X99KF/0",
	/* A '$' inside the salt: crypt would stop the salt there. */
	"$5$rounds=1000$salt$more$eNI.02a9Kos9UxzxjTLpNZ6kYHkRe9Z8OsGkDDoW/X2",
};

START_TEST(test_unusable)
{
	int	 match = 1;

	ck_assert_msg(!password_hash_usable(unusable[_i]), "\"%s\" usable",
	    unusable[_i]);
	(void)password_verify("anything", unusable[_i], &match);
	ck_assert_msg(match == 0, "\"%s\" matched", unusable[_i]);
}
END_TEST

START_TEST(test_hash_limits)
{
	char	 hash[PASSWORD_HASH_MAX], small[16];
	char	 big[PASSWORD_MAX_BYTES + 2];

	ck_assert_int_eq(password_hash("", "$y$", 1, hash, sizeof(hash)), -1);
	/* One past the limit, then exactly at it. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(password_hash(big, "$y$", 1, hash, sizeof(hash)), -1);
	big[PASSWORD_MAX_BYTES] = '\0';
	ck_assert_int_eq(password_hash(big, "$y$", 1, hash, sizeof(hash)), 0);
	ck_assert_int_eq(password_hash("pw", "$y$", 1, small, sizeof(small)),
	    -1);
	ck_assert_int_eq(password_hash("pw", "$0$", 1, hash, sizeof(hash)), -1);
}
END_TEST

/*
 * bcrypt reads at most 72 bytes of a password: two passwords that agree
 * on those are the same password to it.  Other schemes read them all.
 */
START_TEST(test_bcrypt_72)
{
	char	 hash[PASSWORD_HASH_MAX], pw72[73], pw73[74];
	int	 match = 0;

	memset(pw72, 'p', 72);
	pw72[72] = '\0';
	memcpy(pw73, pw72, 72);
	pw73[72] = 'X';
	pw73[73] = '\0';
	ck_assert_int_eq(password_hash(pw72, "$2b$", 4, hash, sizeof(hash)), 0);
	ck_assert_int_eq(password_verify(pw73, hash, &match), 0);
	ck_assert_int_eq(match, 1);
	ck_assert_int_eq(password_hash(pw72, "$y$", 1, hash, sizeof(hash)), 0);
	ck_assert_int_eq(password_verify(pw73, hash, &match), 0);
	ck_assert_int_eq(match, 0);
}
END_TEST

START_TEST(test_default_scheme)
{
	char	 hash[PASSWORD_HASH_MAX];

	/* NULL prefix: libxcrypt's preferred method, yescrypt on Debian. */
	ck_assert_int_eq(password_hash("pw", NULL, 0, hash, sizeof(hash)), 0);
	ck_assert_str_eq(password_scheme_name(hash), "yescrypt");
}
END_TEST

/*
 * The setting (scheme and cost, no salt) of real hashes, as libxcrypt and
 * other tools write them: two hashes take the same time to verify when
 * these prefixes match.
 */
static const struct {
	const char	*hash;
	const char	*setting;
} settings[] = {
	{ "$y$j9T$fir.4AIKCdywBAfiy8qZU/$MmBRJvrLn5IteKQyTjkkBRPEF9d.pqEX.WYY74i0RX9",
	    "$y$j9T$" },
	{ "$y$jDT$abc$def", "$y$jDT$" },
	{ "$gy$j9T$abc$def", "$gy$j9T$" },
	{ "$7$CU..../....abcdefgh$abc", "$7$CU..../...." },
	{ "$2b$12$abcdefghijklmnopqrstuuyvPXIbu7xe6/CED2DzX8z6Si09MlzlW",
	    "$2b$12$" },
	{ "$2y$04$abcdefghijklmnopqrstuu", "$2y$04$" },
	{ "$2a$10$x", "$2a$10$" },
	{ "$6$saltsalt$abc", "$6$" },
	{ "$6$rounds=1000$saltsalt$abc", "$6$rounds=1000$" },
	{ "$5$rounds=5000$s$h", "$5$rounds=5000$" },
	{ "$5$s$h", "$5$" },
	/* Malformed: never past the end. */
	{ "$y$j9T", "$y$j9T" },
	{ "$6$rounds=1000", "$6$rounds=1000" },
	{ "$2b$1", "$2b$1" },
	{ "$7$CU", "$7$CU" },
	/* Unknown schemes: the whole hash. */
	{ "$1$salt$hash", "$1$salt$hash" },
	{ "abXYZ", "abXYZ" },
	{ "", "" },
};

START_TEST(test_setting_len)
{
	size_t	 len = password_setting_len(settings[_i].hash);

	ck_assert_msg(len == strlen(settings[_i].setting) &&
	    strncmp(settings[_i].hash, settings[_i].setting, len) == 0,
	    "%s: got %zu (\"%.*s\"), want \"%s\"", settings[_i].hash, len,
	    (int)len, settings[_i].hash, settings[_i].setting);
}
END_TEST

static Suite *
password_suite(void)
{
	Suite	*s = suite_create("password");
	TCase	*tc;

	tc = tcase_create("schemes");
	tcase_add_loop_test(tc, test_roundtrip, 0, ARRAY_SIZE(schemes));
	tcase_add_loop_test(tc, test_foreign, 0, ARRAY_SIZE(foreign));
	tcase_add_test(tc, test_default_scheme);
	tcase_add_loop_test(tc, test_setting_len, 0, ARRAY_SIZE(settings));
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_loop_test(tc, test_unusable, 0, ARRAY_SIZE(unusable));
	tcase_add_test(tc, test_hash_limits);
	tcase_add_test(tc, test_bcrypt_72);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(password_suite)
