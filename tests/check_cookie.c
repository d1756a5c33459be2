/* check_cookie.c -- the Cookie header read, Set-Cookie written, the scheme */
#include "config.h"

#include "http.h"
#include "cookie.h"
#include "check_common.h"

/* cookie_find of name "a" in header; want NULL: none found. */
static const struct {
	const char	*name;
	const char	*header;
	const char	*want;
} find_cases[] = {
	{ "alone", "a=1", "1" },
	{ "first of several", "x=0; a=1; b=2", "1" },
	{ "last", "x=0; a=1", "1" },
	{ "first of two wins", "a=1; a=2", "1" },
	{ "no space after ;", "x=0;a=1", "1" },
	{ "tabs and spaces trimmed", " \t a \t=\t 1 \t ;x=0", "1" },
	{ "quoted value", "a=\"1\"", "1" },
	{ "lone quote kept", "a=\"", "\"" },
	{ "empty value", "a=", "" },
	{ "empty value then another", "a=; a=1", "" },
	{ "value with =", "a=b=c", "b=c" },
	{ "a JWT", "a=eyJ.eyJ.sig-_", "eyJ.eyJ.sig-_" },
	{ "prefix of a name is not it", "ab=1; a=2", "2" },
	{ "name with a prefix is not it", "xa=1", NULL },
	{ "case matters", "A=1", NULL },
	{ "pair without = skipped", "a; a=1", "1" },
	{ "value that looks like a pair", "x=a=1", NULL },
	{ "empty pairs", ";;; ;a=1;;", "1" },
	{ "empty header", "", NULL },
	{ "only separators", "; ; ;", NULL },
	{ "only =", "=", NULL },
	{ "name after = of another", "x=1=a=2", NULL },
	{ "comma is no separator", "x=0, a=1", NULL },
	{ "CR LF inside", "x=0\r\n; a=1", "1" },
	{ "trailing ;", "a=1;", "1" },
	{ "trailing whitespace", "a=1   ", "1" },
};

START_TEST(test_find)
{
	const char	*v;
	size_t		 len;
	int		 r;

	r = cookie_find(find_cases[_i].header, "a", &v, &len);
	if (find_cases[_i].want == NULL) {
		ck_assert_msg(r == -1, "%s: found \"%.*s\"",
		    find_cases[_i].name, (int)len, v);
		ck_assert_ptr_null(v);
		return;
	}
	ck_assert_msg(r == 0, "%s: not found", find_cases[_i].name);
	ck_assert_msg(len == strlen(find_cases[_i].want) &&
	    memcmp(v, find_cases[_i].want, len) == 0, "%s: \"%.*s\"",
	    find_cases[_i].name, (int)len, v);
}
END_TEST

/* Hostile sizes: bounded, no allocation, nothing read past the end. */
START_TEST(test_find_limits)
{
	char		*big;
	const char	*v;
	size_t		 len, n = COOKIE_HEADER_MAX_BYTES + 16, i;

	ck_assert_int_eq(cookie_find(NULL, "a", &v, &len), -1);
	ck_assert_int_eq(cookie_find("a=1", "", &v, &len), -1);
	big = malloc(n + 1);
	ck_assert_ptr_nonnull(big);
	/* Just within the cap: thousands of pairs, ours the last. */
	for (i = 0; i + 4 < COOKIE_HEADER_MAX_BYTES - 4; i += 4)
		memcpy(big + i, "x=0;", 4);
	memcpy(big + i, "a=12", 4);
	big[i + 4] = '\0';
	ck_assert_int_eq(cookie_find(big, "a", &v, &len), 0);
	ck_assert_uint_eq(len, 2);
	ck_assert_int_eq(memcmp(v, "12", 2), 0);
	/* Past it: not looked at. */
	memset(big, ';', n);
	memcpy(big, "a=1;", 4);
	big[n] = '\0';
	ck_assert_int_eq(cookie_find(big, "a", &v, &len), -1);
	/* One huge value is returned whole (the token check caps it). */
	memset(big, 'v', COOKIE_HEADER_MAX_BYTES);
	memcpy(big, "a=", 2);
	big[COOKIE_HEADER_MAX_BYTES] = '\0';
	ck_assert_int_eq(cookie_find(big, "a", &v, &len), 0);
	ck_assert_uint_eq(len, COOKIE_HEADER_MAX_BYTES - 2);
	free(big);
}
END_TEST

/* The scheme from the request's parameters, and the cookie read by it. */
static const struct {
	const char	*name;
	const char	*https, *proto, *fwd_uri;
	int		 want;
} https_cases[] = {
	{ "plain", NULL, NULL, NULL, 0 },
	{ "HTTPS=on", "on", NULL, NULL, 1 },
	{ "HTTPS=ON", "ON", NULL, NULL, 1 },
	{ "HTTPS=1", "1", NULL, NULL, 1 },
	{ "HTTPS=off", "off", NULL, NULL, 0 },
	{ "HTTPS empty", "", NULL, NULL, 0 },
	{ "HTTPS=onx", "onx", NULL, NULL, 0 },
	{ "forward auth over https", NULL, "https", "/files/", 1 },
	{ "forward auth, HTTPS any case", NULL, "HTTPS", "/files/", 1 },
	{ "forward auth over http", NULL, "http", "/files/", 0 },
	{ "X-Forwarded-Proto alone is no proxy", NULL, "https", NULL, 0 },
	{ "X-Forwarded-Uri empty", NULL, "https", "", 0 },
};

START_TEST(test_https)
{
	struct test_request	 t;
	const char		*v;
	size_t			 len;
	int			 h;

	test_request_init(&t, "GET", TS_CONST);
	test_request_param(&t, "HTTPS", https_cases[_i].https);
	test_request_param(&t, "HTTP_X_FORWARDED_PROTO", https_cases[_i].proto);
	test_request_param(&t, "HTTP_X_FORWARDED_URI", https_cases[_i].fwd_uri);
	test_request_param(&t, "HTTP_COOKIE", "fcgi-auth=plain; "
	    "__Host-fcgi-auth=host; fcgi-auth-refresh=rplain; "
	    "__Secure-fcgi-auth-refresh=rsecure");
	h = cookie_https(&t.req);
	ck_assert_msg(h == https_cases[_i].want, "%s: %d", https_cases[_i].name,
	    h);
	ck_assert_int_eq(cookie_get(&t.req, COOKIE_ACCESS, &v, &len), 0);
	ck_assert_msg(len == strlen(h ? "host" : "plain") &&
	    memcmp(v, h ? "host" : "plain", len) == 0, "%s: access %.*s",
	    https_cases[_i].name, (int)len, v);
	ck_assert_int_eq(cookie_get(&t.req, COOKIE_REFRESH, &v, &len), 0);
	ck_assert_msg(len == strlen(h ? "rsecure" : "rplain") &&
	    memcmp(v, h ? "rsecure" : "rplain", len) == 0, "%s: refresh %.*s",
	    https_cases[_i].name, (int)len, v);
	test_request_free(&t);
}
END_TEST

/* Under HTTPS an un-prefixed cookie is not ours; an empty one is none. */
static const struct {
	const char	*name;
	const char	*https, *cookie;
	int		 found;
} get_cases[] = {
	{ "https ignores the plain name", "on", "fcgi-auth=x", 0 },
	{ "http ignores the prefixed name", NULL, "__Host-fcgi-auth=x", 0 },
	{ "empty value is none", NULL, "fcgi-auth=", 0 },
	{ "quoted empty is none", NULL, "fcgi-auth=\"\"", 0 },
	{ "no Cookie header", NULL, NULL, 0 },
	{ "prefix in another case is not it", "on", "__host-fcgi-auth=x", 0 },
	{ "found", "on", "__Host-fcgi-auth=x", 1 },
};

START_TEST(test_get)
{
	struct test_request	 t;
	const char		*v;
	size_t			 len;

	test_request_init(&t, "GET", TS_CONST);
	test_request_param(&t, "HTTPS", get_cases[_i].https);
	test_request_param(&t, "HTTP_COOKIE", get_cases[_i].cookie);
	ck_assert_msg((cookie_get(&t.req, COOKIE_ACCESS, &v, &len) == 0) ==
	    get_cases[_i].found, "%s", get_cases[_i].name);
	if (!get_cases[_i].found) {
		ck_assert_ptr_null(v);
		ck_assert_uint_eq(len, 0);
	}
	test_request_free(&t);
}
END_TEST

/* Set-Cookie as the contract spells it; NULL: refused. */
static const struct {
	const char	*name;
	enum cookie_kind kind;
	int		 https;
	const char	*value;
	long long	 max_age;
	const char	*want;
} format_cases[] = {
	{ "access https", COOKIE_ACCESS, 1, "a.b.c", 1800,
	    "__Host-fcgi-auth=a.b.c; Path=/; Max-Age=1800; HttpOnly; Secure; "
	    "SameSite=Lax" },
	{ "refresh https", COOKIE_REFRESH, 1, "Zm9v_-", 1209600,
	    "__Secure-fcgi-auth-refresh=Zm9v_-; Path=/auth/; Max-Age=1209600; "
	    "HttpOnly; Secure; SameSite=Lax" },
	{ "access http", COOKIE_ACCESS, 0, "a.b.c", 60,
	    "fcgi-auth=a.b.c; Path=/; Max-Age=60; HttpOnly; SameSite=Lax" },
	{ "refresh http", COOKIE_REFRESH, 0, "r", 5,
	    "fcgi-auth-refresh=r; Path=/auth/; Max-Age=5; HttpOnly; "
	    "SameSite=Lax" },
	{ "clear access https", COOKIE_ACCESS, 1, "", 0,
	    "__Host-fcgi-auth=; Path=/; Max-Age=0; HttpOnly; Secure; "
	    "SameSite=Lax" },
	{ "clear refresh http", COOKIE_REFRESH, 0, "", 0,
	    "fcgi-auth-refresh=; Path=/auth/; Max-Age=0; HttpOnly; "
	    "SameSite=Lax" },
	{ "negative Max-Age", COOKIE_ACCESS, 0, "x", -1, NULL },
	{ "; in value", COOKIE_ACCESS, 0, "x; Domain=evil.example", 1, NULL },
	{ "space in value", COOKIE_ACCESS, 0, "x y", 1, NULL },
	{ "CR LF in value", COOKIE_ACCESS, 0, "x\r\nSet-Cookie: y=1", 1,
	    NULL },
	{ "quote in value", COOKIE_ACCESS, 0, "\"x\"", 1, NULL },
	{ "comma in value", COOKIE_ACCESS, 0, "x,y", 1, NULL },
	{ "backslash in value", COOKIE_ACCESS, 0, "x\\y", 1, NULL },
	{ "non-ASCII in value", COOKIE_ACCESS, 0, "\xc3\xa9", 1, NULL },
};

START_TEST(test_format)
{
	struct http_response	 resp;
	char			 buf[256];
	int			 n;

	n = cookie_format(buf, sizeof(buf), format_cases[_i].kind,
	    format_cases[_i].https, format_cases[_i].value,
	    format_cases[_i].max_age);
	http_response_init(&resp);
	if (format_cases[_i].want == NULL) {
		ck_assert_msg(n == -1, "%s: %s", format_cases[_i].name, buf);
		ck_assert_int_eq(cookie_set(&resp, format_cases[_i].kind,
		    format_cases[_i].https, format_cases[_i].value,
		    format_cases[_i].max_age), -1);
		ck_assert_uint_eq(resp.nheaders, 0);
		return;
	}
	ck_assert_msg(n == (int)strlen(format_cases[_i].want) &&
	    strcmp(buf, format_cases[_i].want) == 0, "%s: %s",
	    format_cases[_i].name, buf);
	ck_assert_int_eq(cookie_set(&resp, format_cases[_i].kind,
	    format_cases[_i].https, format_cases[_i].value,
	    format_cases[_i].max_age), 0);
	ck_assert_str_eq(http_header(&resp, "Set-Cookie"),
	    format_cases[_i].want);
}
END_TEST

START_TEST(test_format_limits)
{
	struct http_response	 resp;
	char			 small[16], *big;

	/* Too small a buffer: refused, never cut. */
	ck_assert_int_eq(cookie_format(small, sizeof(small), COOKIE_ACCESS, 0,
	    "x", 1), -1);
	/* The longest value fits; one more byte does not. */
	big = malloc(COOKIE_VALUE_MAX_BYTES + 2);
	ck_assert_ptr_nonnull(big);
	memset(big, 'v', COOKIE_VALUE_MAX_BYTES + 1);
	big[COOKIE_VALUE_MAX_BYTES + 1] = '\0';
	http_response_init(&resp);
	ck_assert_int_eq(cookie_set(&resp, COOKIE_ACCESS, 1, big, 1), -1);
	big[COOKIE_VALUE_MAX_BYTES] = '\0';
	ck_assert_int_eq(cookie_set(&resp, COOKIE_ACCESS, 1, big, 1), 0);
	free(big);
	/* Both cleared, in one response. */
	http_response_init(&resp);
	ck_assert_int_eq(cookie_clear_all(&resp, 0), 0);
	ck_assert_uint_eq(resp.nheaders, 2);
}
END_TEST

static Suite *
cookie_suite(void)
{
	Suite	*s = suite_create("cookie");
	TCase	*tc;

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_find, 0, ARRAY_SIZE(find_cases));
	tcase_add_test(tc, test_find_limits);
	tcase_add_loop_test(tc, test_https, 0, ARRAY_SIZE(https_cases));
	tcase_add_loop_test(tc, test_get, 0, ARRAY_SIZE(get_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("build");
	tcase_add_loop_test(tc, test_format, 0, ARRAY_SIZE(format_cases));
	tcase_add_test(tc, test_format_limits);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(cookie_suite)
