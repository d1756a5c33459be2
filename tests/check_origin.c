/* check_origin.c -- the cross-site check of the sign-in and sign-out forms */
#include "config.h"

#include "http.h"
#include "origin.h"
#include "check_common.h"

/* The request's headers (NULL: not sent) and the verdict. */
static const struct {
	const char	*name;
	const char	*site, *origin, *host, *https;
	int		 ok;
} cases[] = {
	{ "Sec-Fetch-Site same-origin", "same-origin", NULL, "a.example",
	    NULL, 1 },
	{ "Sec-Fetch-Site wins over Origin", "same-origin",
	    "http://evil.example", "a.example", NULL, 1 },
	{ "Sec-Fetch-Site cross-site", "cross-site", "http://a.example",
	    "a.example", NULL, 0 },
	{ "Sec-Fetch-Site same-site (a sibling)", "same-site",
	    "http://a.example", "a.example", NULL, 0 },
	{ "Sec-Fetch-Site none", "none", NULL, "a.example", NULL, 0 },
	{ "Sec-Fetch-Site empty", "", "http://a.example", "a.example", NULL,
	    0 },
	{ "Sec-Fetch-Site another case", "Same-Origin", NULL, "a.example",
	    NULL, 0 },
	{ "Origin http", NULL, "http://a.example", "a.example", NULL, 1 },
	{ "Origin with port", NULL, "http://127.0.0.1:8000", "127.0.0.1:8000",
	    NULL, 1 },
	{ "Origin host in another case", NULL, "http://a.example",
	    "A.Example", NULL, 1 },
	{ "Origin https", NULL, "https://a.example", "a.example", "on", 1 },
	{ "Origin http under https", NULL, "http://a.example", "a.example",
	    "on", 0 },
	{ "Origin https under http", NULL, "https://a.example", "a.example",
	    NULL, 0 },
	{ "Origin another port", NULL, "http://a.example:8080", "a.example",
	    NULL, 0 },
	{ "Origin another host", NULL, "http://evil.example", "a.example",
	    NULL, 0 },
	{ "Origin a suffix of the host", NULL, "http://a.example.evil",
	    "a.example", NULL, 0 },
	{ "Origin a prefix of the host", NULL, "http://a.exampl",
	    "a.example", NULL, 0 },
	{ "Origin with a path", NULL, "http://a.example/", "a.example", NULL,
	    0 },
	{ "Origin null", NULL, "null", "a.example", NULL, 0 },
	{ "Origin empty", NULL, "", "a.example", NULL, 0 },
	{ "Origin scheme in capitals", NULL, "HTTP://a.example", "a.example",
	    NULL, 0 },
	{ "no Host", NULL, "http://", NULL, NULL, 0 },
	{ "empty Host", NULL, "http://", "", NULL, 0 },
	{ "neither header", NULL, NULL, "a.example", NULL, 0 },
};

START_TEST(test_origin)
{
	struct test_request	 t;
	const char		*why;
	int			 ok;

	test_request_init(&t, "POST", TS_CONST);
	test_request_param(&t, "HTTP_SEC_FETCH_SITE", cases[_i].site);
	test_request_param(&t, "HTTP_ORIGIN", cases[_i].origin);
	test_request_param(&t, "HTTP_HOST", cases[_i].host);
	test_request_param(&t, "HTTPS", cases[_i].https);
	ok = origin_same(&t.req, &why);
	ck_assert_msg(ok == cases[_i].ok, "%s: %d", cases[_i].name, ok);
	if (ok)
		ck_assert_ptr_null(why);
	else
		ck_assert_ptr_nonnull(why);
	test_request_free(&t);
}
END_TEST

static Suite *
origin_suite(void)
{
	Suite	*s = suite_create("origin");
	TCase	*tc;

	tc = tcase_create("same");
	tcase_add_loop_test(tc, test_origin, 0, ARRAY_SIZE(cases));
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(origin_suite)
