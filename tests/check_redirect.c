/* check_redirect.c -- the next check (no open redirect), the sign-in link */
#include "config.h"

#include "redirect.h"
#include "check_common.h"

/* Each next, as the form or query gave it (decoded once already). */
static const struct {
	const char	*name;
	const char	*next;
	int		 ok;
} next_cases[] = {
	{ "root", "/", 1 },
	{ "a folder", "/files/", 1 },
	{ "a file with a query", "/files/a.txt?x=1&y=%2F", 1 },
	{ "a fragment", "/docs#top", 1 },
	{ "encoded UTF-8", "/caf%C3%A9", 1 },
	{ "encoded space", "/a%20b", 1 },
	{ "dots stay on the site", "/../x", 1 },
	{ "a path that names a scheme", "/javascript:alert(1)", 1 },
	{ "a double-encoded slash is a path", "/%252F%252Fevil.example", 1 },
	{ "a lone %", "/100%", 1 },
	{ "a bad escape", "/%zz", 1 },
	{ "a later //", "/a//b", 1 },
	/* the list */
	{ "protocol-relative", "//evil.example", 0 },
	{ "protocol-relative with path", "//evil.example/files/", 0 },
	{ "absolute https", "https://evil.example", 0 },
	{ "absolute http", "http://evil.example/", 0 },
	{ "backslash", "/\\evil.example", 0 },
	{ "backslash later", "/a\\b", 0 },
	{ "two backslashes", "\\\\evil.example", 0 },
	{ "javascript:", "javascript:alert(1)", 0 },
	{ "data:", "data:text/html,<script>alert(1)</script>", 0 },
	/* encoded variants */
	{ "%2F%2F", "/%2F%2Fevil.example", 0 },
	{ "%2f lower", "/%2fevil.example", 0 },
	{ "%5C", "/%5Cevil.example", 0 },
	{ "%5c lower", "/%5cevil.example", 0 },
	{ "%5C later", "/a%5Cb", 0 },
	{ "tab then /", "/\t/evil.example", 0 },
	{ "%09 then /", "/%09/evil.example", 0 },
	{ "%0A", "/%0Aevil", 0 },
	{ "%0D%0A header injection", "/%0D%0ASet-Cookie:x=1", 0 },
	{ "%00", "/a%00b", 0 },
	{ "%7F", "/a%7F", 0 },
	{ "CR LF", "/\r\nLocation: //evil", 0 },
	{ "raw space", "/a b", 0 },
	{ "raw DEL", "/a\x7f", 0 },
	{ "raw non-ASCII", "/caf\xc3\xa9", 0 },
	{ "encoded scheme", "https%3A%2F%2Fevil.example", 0 },
	{ "no leading /", "files/", 0 },
	{ "empty", "", 0 },
	{ "a dot", ".", 0 },
	{ "leading space", " /files/", 0 },
	{ "/ then %2F then /", "/%2F/evil.example", 0 },
};

START_TEST(test_next)
{
	const char	*n = next_cases[_i].next;

	ck_assert_msg(redirect_next_ok(n, strlen(n)) == next_cases[_i].ok,
	    "%s: %s", next_cases[_i].name, next_cases[_i].ok ? "refused" :
	    "accepted");
	ck_assert_str_eq(redirect_next(n, strlen(n)), next_cases[_i].ok ? n :
	    "/");
}
END_TEST

START_TEST(test_next_limits)
{
	char	 buf[REDIRECT_NEXT_MAX + 2];

	memset(buf, 'a', sizeof(buf));
	buf[0] = '/';
	buf[REDIRECT_NEXT_MAX] = '\0';
	ck_assert_int_eq(redirect_next_ok(buf, REDIRECT_NEXT_MAX), 1);
	buf[REDIRECT_NEXT_MAX] = 'a';
	buf[REDIRECT_NEXT_MAX + 1] = '\0';
	ck_assert_int_eq(redirect_next_ok(buf, REDIRECT_NEXT_MAX + 1), 0);
	/* A NUL inside (a form's %00): len says more than the string. */
	ck_assert_int_eq(redirect_next_ok("/a\0b", 4), 0);
	ck_assert_str_eq(redirect_next(NULL, 0), "/");
}
END_TEST

/* The sign-in link for a target; its next decodes back to the target. */
static const struct {
	const char	*name;
	const char	*target;
	const char	*want;
} location_cases[] = {
	{ "a folder", "/files/", "/auth/signin?next=/files/" },
	{ "a query kept whole", "/files/a.txt?x=1&y=2",
	    "/auth/signin?next=/files/a.txt%3Fx%3D1%26y%3D2" },
	{ "escapes encoded again", "/a%20b", "/auth/signin?next=/a%2520b" },
	{ "root: no next", "/", "/auth/signin" },
	{ "empty: no next", "", "/auth/signin" },
	{ "NULL: no next", NULL, "/auth/signin" },
	{ "unsafe: no next", "//evil.example", "/auth/signin" },
	{ "unreserved as they are", "/A-z_0.9~",
	    "/auth/signin?next=/A-z_0.9~" },
};

START_TEST(test_location)
{
	char	 buf[REDIRECT_LOCATION_MAX];
	int	 n;

	n = redirect_signin_location(buf, sizeof(buf),
	    location_cases[_i].target);
	ck_assert_msg(n == (int)strlen(location_cases[_i].want) &&
	    strcmp(buf, location_cases[_i].want) == 0, "%s: %s",
	    location_cases[_i].name, buf);
}
END_TEST

START_TEST(test_location_limits)
{
	char	 target[REDIRECT_NEXT_MAX + 2], buf[REDIRECT_LOCATION_MAX];
	char	 small[20];

	/* The longest target, all of it encoded, fits. */
	memset(target, '=', sizeof(target));
	target[0] = '/';
	target[REDIRECT_NEXT_MAX] = '\0';
	ck_assert_int_eq(redirect_signin_location(buf, sizeof(buf), target),
	    (int)strlen("/auth/signin?next=/") + 3 * (REDIRECT_NEXT_MAX - 1));
	/* Longer: the page without next. */
	target[REDIRECT_NEXT_MAX] = '=';
	target[REDIRECT_NEXT_MAX + 1] = '\0';
	ck_assert_int_eq(redirect_signin_location(buf, sizeof(buf), target),
	    (int)strlen("/auth/signin"));
	/* Too small a buffer: refused, never cut. */
	ck_assert_int_eq(redirect_signin_location(small, sizeof(small),
	    "/files/"), -1);
	ck_assert_int_eq(redirect_signin_location(small, 12, NULL), -1);
}
END_TEST

static Suite *
redirect_suite(void)
{
	Suite	*s = suite_create("redirect");
	TCase	*tc;

	tc = tcase_create("next");
	tcase_add_loop_test(tc, test_next, 0, ARRAY_SIZE(next_cases));
	tcase_add_test(tc, test_next_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("location");
	tcase_add_loop_test(tc, test_location, 0, ARRAY_SIZE(location_cases));
	tcase_add_test(tc, test_location_limits);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(redirect_suite)
