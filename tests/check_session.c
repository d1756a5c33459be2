/* check_session.c -- session ids and refresh tokens: made, parsed, hashed, refused */
#include "config.h"

#include "check_common.h"
#include "b64url.h"
#include "session.h"

/* bytes 0..47 as a refresh token; its session id is bytes 0..15. */
#define RT_0_47		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v"
#define SID_0_15	"AAECAwQFBgcICQoLDA0ODw"
#define SHA_0_47	"4dbdc2b2b62cb00749785bc84202236dbc3777d74660611b8e58812f0cfde6c3"
/* 0xfb 0xff repeated: every character of the two that differ from base64. */
#define RT_FBFF		"-__7__v_-__7__v_-__7__v_-__7__v_-__7__v_-__7__v_-__7__v_-__7__v_"

static void
hex(const unsigned char *in, size_t len, char *out)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		(void)snprintf(out + 2 * i, 3, "%02x", in[i]);
}

static int
all_zero(const unsigned char *p, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* RFC 4648 10's vectors, unpadded, and the two URL-safe characters. */
static const struct {
	const char	*in, *want;
} enc_cases[] = {
	{ "", "" },
	{ "f", "Zg" },
	{ "fo", "Zm8" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg" },
	{ "fooba", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy" },
	{ "\xfb\xff", "-_8" },
};

START_TEST(test_encode)
{
	char	 out[16];
	long	 n;

	n = b64url_encode((const unsigned char *)enc_cases[_i].in,
	    strlen(enc_cases[_i].in), out, sizeof(out));
	ck_assert_int_eq(n, (long)strlen(enc_cases[_i].want));
	ck_assert_str_eq(out, enc_cases[_i].want);
	/* Exactly the room it needs, NUL included, and one byte less. */
	ck_assert_int_eq(b64url_encode(
	    (const unsigned char *)enc_cases[_i].in, strlen(enc_cases[_i].in),
	    out, (size_t)n + 1), n);
	ck_assert_int_eq(b64url_encode(
	    (const unsigned char *)enc_cases[_i].in, strlen(enc_cases[_i].in),
	    out, (size_t)n), -1);
}
END_TEST

/* SHA-256 known answers (FIPS 180-2 B.1, and the empty string). */
static const struct {
	const char	*in, *want;
} sha_cases[] = {
	{ "abc",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
};

START_TEST(test_sha256)
{
	unsigned char	 h[SESSION_HASH_BYTES];
	char		 x[2 * SESSION_HASH_BYTES + 1];
	int		 i;

	/* Twice: the digest is fetched at the first call, reused after. */
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(session_sha256(sha_cases[_i].in,
		    strlen(sha_cases[_i].in), h), 0);
		hex(h, sizeof(h), x);
		ck_assert_str_eq(x, sha_cases[_i].want);
	}
}
END_TEST

START_TEST(test_parse_known)
{
	char		 sid[SESSION_SID_CHARS + 1];
	unsigned char	 h[SESSION_HASH_BYTES];
	char		 x[2 * SESSION_HASH_BYTES + 1];

	ck_assert_int_eq(session_refresh_parse(RT_0_47, strlen(RT_0_47), sid,
	    h), 0);
	ck_assert_str_eq(sid, SID_0_15);
	hex(h, sizeof(h), x);
	ck_assert_str_eq(x, SHA_0_47);
	/* The two URL-safe characters are the alphabet's own. */
	ck_assert_int_eq(session_refresh_parse(RT_FBFF, strlen(RT_FBFF), sid,
	    h), 0);
	/* Not NUL-terminated: len says where it ends. */
	ck_assert_int_eq(session_refresh_parse(RT_0_47 "xyz", 64, sid, h), 0);
	ck_assert_str_eq(sid, SID_0_15);
}
END_TEST

/* Every one of these is refused without a hash: invalid_grant. */
static const struct {
	const char	*name, *in;
	size_t		 len;	/* 0: strlen */
} bad_rt[] = {
	{ "63 chars", RT_0_47, 63 },
	{ "65 chars", RT_0_47 "A", 0 },
	{ "empty", "", 0 },
	{ "padded to 64", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4=", 0 },
	{ "padded to 68", RT_0_47 "====", 0 },
	{ "48 bytes as 66 chars with ==", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v==", 0 },
	{ "'+' of base64", "+__7__v_-__7__v_-__7__v_-__7__v_-__7__v_-__7__v_-__7__v_-__7__v_", 0 },
	{ "'/' of base64", "-__7__v_-__7__v_-__7__v_-__7__v_-__7__v_-__7__v_-__7__v_-__7__v/", 0 },
	{ "NUL inside", "AAECAwQFBgcICQoLDA0ODxAREhMU\0RYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v", 64 },
	{ "NUL at the end", RT_0_47, 65 },
	{ "a space", "AAECAwQFBgcICQoLDA0ODxAREhMU RYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v", 0 },
	{ "a dot", "AAECAwQFBgcICQoLDA0ODxAREhMU.RYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v", 0 },
	{ "non-ASCII", "AAECAwQFBgcICQoLDA0ODxAREhMU\xc3RYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v", 0 },
	{ "a JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.AAAAAAAAAAAAAAAAAAAAAAAAA", 0 },
};

START_TEST(test_parse_refused)
{
	char		 sid[SESSION_SID_CHARS + 1];
	unsigned char	 h[SESSION_HASH_BYTES];
	size_t		 len;

	len = bad_rt[_i].len != 0 ? bad_rt[_i].len : strlen(bad_rt[_i].in);
	memset(sid, 'x', sizeof(sid));
	memset(h, 0xaa, sizeof(h));
	ck_assert_msg(session_refresh_parse(bad_rt[_i].in, len, sid, h) == -1,
	    "%s: accepted", bad_rt[_i].name);
	ck_assert_msg(sid[0] == '\0', "%s: sid left", bad_rt[_i].name);
	ck_assert_msg(all_zero(h, sizeof(h)), "%s: hash left",
	    bad_rt[_i].name);
}
END_TEST

/* Session ids: 22 characters, one canonical encoding of 16 bytes. */
static const struct {
	const char	*name, *in;
	size_t		 len;	/* 0: strlen */
	int		 want;
} sid_cases[] = {
	{ "canonical", SID_0_15, 0, 0 },
	{ "URL-safe characters", "-__7__v_-__7__v_-__7_w", 0, 0 },
	{ "last char with trailing bits", "AAECAwQFBgcICQoLDA0ODx", 0, -1 },
	{ "last char with one trailing bit", "AAECAwQFBgcICQoLDA0ODz", 0, -1 },
	{ "21 chars", SID_0_15, 21, -1 },
	{ "23 chars", SID_0_15 "A", 0, -1 },
	{ "24 with padding", SID_0_15 "==", 0, -1 },
	{ "'+'", "+__7__v_-__7__v_-__7_w", 0, -1 },
	{ "'/'", "/__7__v_-__7__v_-__7_w", 0, -1 },
	{ "NUL inside", "AAECAwQFBgc\0CQoLDA0ODw", 22, -1 },
	{ "empty", "", 0, -1 },
};

START_TEST(test_sid_decode)
{
	unsigned char	 raw[SESSION_SID_BYTES];
	size_t		 len, i;

	len = sid_cases[_i].len != 0 ? sid_cases[_i].len :
	    strlen(sid_cases[_i].in);
	ck_assert_msg(session_sid_decode(sid_cases[_i].in, len, raw) ==
	    sid_cases[_i].want, "%s", sid_cases[_i].name);
	if (sid_cases[_i].want == 0 && strcmp(sid_cases[_i].in,
	    SID_0_15) == 0)
		for (i = 0; i < sizeof(raw); i++)
			ck_assert_uint_eq(raw[i], i);
}
END_TEST

static int
in_alphabet(const char *s)
{
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == strlen(s);
}

START_TEST(test_new_id)
{
	char		 a[SESSION_SID_CHARS + 1], b[SESSION_SID_CHARS + 1];
	unsigned char	 raw[SESSION_SID_BYTES];

	ck_assert_int_eq(session_new_id(a), 0);
	ck_assert_int_eq(session_new_id(b), 0);
	ck_assert_uint_eq(strlen(a), SESSION_SID_CHARS);
	ck_assert(in_alphabet(a));
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(session_sid_decode(a, strlen(a), raw), 0);
}
END_TEST

START_TEST(test_refresh_new)
{
	char		 sid[SESSION_SID_CHARS + 1], back[SESSION_SID_CHARS + 1];
	char		 t1[SESSION_REFRESH_CHARS + 1];
	char		 t2[SESSION_REFRESH_CHARS + 1];
	unsigned char	 h1[SESSION_HASH_BYTES], h2[SESSION_HASH_BYTES];
	unsigned char	 hp[SESSION_HASH_BYTES];

	ck_assert_int_eq(session_new_id(sid), 0);
	ck_assert_int_eq(session_refresh_new(sid, t1, h1), 0);
	ck_assert_int_eq(session_refresh_new(sid, t2, h2), 0);
	ck_assert_uint_eq(strlen(t1), SESSION_REFRESH_CHARS);
	ck_assert(in_alphabet(t1));
	ck_assert_str_ne(t1, t2);
	ck_assert(memcmp(h1, h2, sizeof(h1)) != 0);
	/* What login hands out is what refresh reads back. */
	ck_assert_int_eq(session_refresh_parse(t1, strlen(t1), back, hp), 0);
	ck_assert_str_eq(back, sid);
	ck_assert(memcmp(hp, h1, sizeof(hp)) == 0);
}
END_TEST

START_TEST(test_refresh_new_bad_sid)
{
	char		 t[SESSION_REFRESH_CHARS + 1];
	unsigned char	 h[SESSION_HASH_BYTES];
	static const char *const bad[] = {
		"", "short", "AAECAwQFBgcICQoLDA0ODx", SID_0_15 "A",
	};
	size_t		 i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(t, 'x', sizeof(t));
		memset(h, 0xaa, sizeof(h));
		ck_assert_int_eq(session_refresh_new(bad[i], t, h), -1);
		ck_assert_str_eq(t, "");
		ck_assert(all_zero(h, sizeof(h)));
	}
}
END_TEST

START_TEST(test_random)
{
	unsigned char	 a[64], b[64];

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	ck_assert_int_eq(session_random(a, sizeof(a)), 0);
	ck_assert_int_eq(session_random(b, sizeof(b)), 0);
	ck_assert(!all_zero(a, sizeof(a)));
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
	ck_assert_int_eq(session_random(a, 0), 0);
}
END_TEST

static Suite *
session_suite(void)
{
	Suite	*s = suite_create("session");
	TCase	*tc;

	tc = tcase_create("encode");
	tcase_add_loop_test(tc, test_encode, 0, ARRAY_SIZE(enc_cases));
	tcase_add_loop_test(tc, test_sha256, 0, ARRAY_SIZE(sha_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_known);
	tcase_add_loop_test(tc, test_parse_refused, 0, ARRAY_SIZE(bad_rt));
	tcase_add_loop_test(tc, test_sid_decode, 0, ARRAY_SIZE(sid_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("make");
	tcase_add_test(tc, test_random);
	tcase_add_test(tc, test_new_id);
	tcase_add_test(tc, test_refresh_new);
	tcase_add_test(tc, test_refresh_new_bad_sid);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(session_suite)
