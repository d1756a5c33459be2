/* check_http.c -- form decoding, Bearer extraction, response formatting */
#include "config.h"

#include "check_common.h"
#include "http.h"

/* Each body decoded into username and password; NULL = absent. */
static const struct {
	const char	*name;
	const char	*body;
	const char	*user, *pass;
	int		 pass_too_long;
} form_cases[] = {
	{ "plain", "username=alice&password=pw", "alice", "pw", 0 },
	{ "reversed", "password=pw&username=alice", "alice", "pw", 0 },
	{ "semicolons", "username=alice;password=pw", "alice", "pw", 0 },
	{ "plus is space", "username=a+b&password=+pw+", "a b", " pw ", 0 },
	{ "escapes", "user%6Eame=%61lice&password=p%2Bw%26", "alice", "p+w&",
	    0 },
	{ "lowercase hex", "username=%c3%a9&password=x", "\xc3\xa9", "x", 0 },
	{ "broken escape kept", "username=a%zz&password=%", "a%zz", "%", 0 },
	{ "short escape kept", "username=a%4&password=%4", "a%4", "%4", 0 },
	{ "last one wins", "username=bob&password=x&username=alice", "alice",
	    "x", 0 },
	{ "empty values", "username=&password=", "", "", 0 },
	{ "no equals", "username&password", "", "", 0 },
	{ "others ignored", "grant_type=password&username=a&scope=x+y&"
	    "client_id=c&client_secret=s&password=p", "a", "p", 0 },
	{ "empty pairs", "&&username=a&&password=p&", "a", "p", 0 },
	{ "name with NUL is another name", "username%00=evil&username=a&"
	    "password=p", "a", "p", 0 },
	{ "absent", "foo=bar", NULL, NULL, 0 },
	{ "empty body", "", NULL, NULL, 0 },
	{ "value with equals", "username=a=b&password=c==", "a=b", "c==", 0 },
	{ "too long", "username=a&password=0123456789abcdef", "a", "", 1 },
	{ "too long after escapes", "username=a&password=%30%31%32%33%34%35"
	    "%36%37%38%39%41%42%43%44%45%46", "a", "", 1 },
	{ "just fits", "username=a&password=0123456789abcde", "a",
	    "0123456789abcde", 0 },
};

START_TEST(test_form)
{
	char			 user[64], pass[16];
	struct http_form_field	 f[2] = {
		{ "username", user, sizeof(user), 0, 0, 0 },
		{ "password", pass, sizeof(pass), 0, 0, 0 },
	};

	http_form_parse(form_cases[_i].body, strlen(form_cases[_i].body), f, 2);
	if (form_cases[_i].user == NULL) {
		ck_assert_msg(!f[0].present && !f[1].present, "%s: present",
		    form_cases[_i].name);
		ck_assert_str_eq(user, "");
		return;
	}
	ck_assert_msg(f[0].present && f[1].present, "%s: absent",
	    form_cases[_i].name);
	ck_assert_msg(strcmp(user, form_cases[_i].user) == 0,
	    "%s: username \"%s\"", form_cases[_i].name, user);
	ck_assert_uint_eq(f[0].len, strlen(form_cases[_i].user));
	ck_assert_msg(strcmp(pass, form_cases[_i].pass) == 0,
	    "%s: password \"%s\"", form_cases[_i].name, pass);
	ck_assert_int_eq(f[1].too_long, form_cases[_i].pass_too_long);
}
END_TEST

/* %00 decodes to a NUL inside the value: the length says so. */
START_TEST(test_form_nul)
{
	char			 pass[32];
	struct http_form_field	 f = { "password", pass, sizeof(pass), 0, 0,
				    0 };
	const char		 body[] = "password=alice%00pass";

	http_form_parse(body, sizeof(body) - 1, &f, 1);
	ck_assert(f.present);
	ck_assert_uint_eq(f.len, 10);
	ck_assert(memchr(pass, '\0', f.len) != NULL);
}
END_TEST

/* The body is not NUL-terminated: nothing past len is read. */
START_TEST(test_form_bounded)
{
	char			 user[32];
	struct http_form_field	 f = { "username", user, sizeof(user), 0, 0,
				    0 };
	const char		 body[] = "username=abcdef";

	http_form_parse(body, 11, &f, 1);	/* "username=ab" */
	ck_assert_str_eq(user, "ab");
	http_form_parse(body, 9, &f, 1);	/* "username=" */
	ck_assert(f.present);
	ck_assert_str_eq(user, "");
	http_form_parse("username=a%4", 11, &f, 1);	/* "username=a%" */
	ck_assert_str_eq(user, "a%");
}
END_TEST

static const struct {
	const char	*header;	/* NULL: no Authorization */
	int		 found;
	const char	*token;
} bearer_cases[] = {
	{ NULL, 0, NULL },
	{ "", 0, NULL },
	{ "Bearer abc", 1, "abc" },
	{ "bearer abc", 1, "abc" },
	{ "BEARER abc", 1, "abc" },
	{ "Bearer", 1, "" },
	{ "Bearer ", 1, "" },
	{ "Bearer  abc", 1, " abc" },
	{ "Basic YWxpY2U6cHc=", 0, NULL },
	{ "Bearerabc", 0, NULL },
	{ "Bearer\tabc", 0, NULL },
	{ " Bearer abc", 0, NULL },
	{ "Token abc", 0, NULL },
	{ "Bearer a b", 1, "a b" },
};

START_TEST(test_bearer)
{
	struct http_request	 req;
	const char		*tok = NULL;
	size_t			 len = 0;
	int			 r;

	memset(&req, 0, sizeof(req));
	req.authorization = bearer_cases[_i].header;
	r = http_bearer(&req, &tok, &len);
	ck_assert_msg((r == 0) == bearer_cases[_i].found, "\"%s\": %d",
	    bearer_cases[_i].header ? bearer_cases[_i].header : "(none)", r);
	if (r == 0) {
		ck_assert_uint_eq(len, strlen(bearer_cases[_i].token));
		ck_assert(memcmp(tok, bearer_cases[_i].token, len) == 0);
	}
}
END_TEST

static const struct {
	const char	*type;
	int		 is_form;
} type_cases[] = {
	{ "application/x-www-form-urlencoded", 1 },
	{ "application/x-www-form-urlencoded; charset=utf-8", 1 },
	{ "Application/X-WWW-Form-Urlencoded", 1 },
	{ "application/x-www-form-urlencodedx", 0 },
	{ "application/json", 0 },
	{ "multipart/form-data; boundary=x", 0 },
	{ "text/plain", 0 },
	{ "", 0 },
	{ NULL, 0 },
};

START_TEST(test_is_form)
{
	ck_assert_msg(http_is_form(type_cases[_i].type) ==
	    type_cases[_i].is_form, "%s", type_cases[_i].type ?
	    type_cases[_i].type : "(none)");
}
END_TEST

START_TEST(test_head)
{
	struct http_response	 resp;
	char			 buf[512], tiny[16];

	http_response_init(&resp);
	ck_assert_int_eq(http_reply_detail(&resp, 401, "Not authenticated"), 0);
	resp.www_authenticate = 1;
	ck_assert_str_eq(resp.body, "{\"detail\":\"Not authenticated\"}");
	ck_assert_int_gt(http_format_head(&resp, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "Status: 401 Unauthorized\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 30\r\n"
	    "WWW-Authenticate: Bearer\r\n"
	    "\r\n");
	ck_assert_int_eq(http_format_head(&resp, tiny, sizeof(tiny)), -1);

	http_response_init(&resp);
	ck_assert_int_eq(http_method_not_allowed(&resp, "POST"), 0);
	resp.no_store = 1;
	ck_assert_int_gt(http_format_head(&resp, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "Status: 405 Method Not Allowed\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 31\r\n"
	    "Allow: POST\r\n"
	    "Cache-Control: no-store\r\nPragma: no-cache\r\n"
	    "\r\n");
}
END_TEST

START_TEST(test_json)
{
	struct http_response	 resp;
	const char *const	 list[] = { "a/b", "c\"d", "\xc3\xa9", NULL };
	char			 big[HTTP_RESPONSE_BODY_MAX];

	http_response_init(&resp);
	/* Like Python's json: "/" plain, UTF-8 as is, quotes escaped. */
	ck_assert_int_eq(http_reply_json(&resp, 200, http_json_object(
	    "list", http_json_strings(list),
	    "ok", json_object_new_boolean(1),
	    NULL)), 0);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(resp.body,
	    "{\"list\":[\"a/b\",\"c\\\"d\",\"\xc3\xa9\"],\"ok\":true}");
	ck_assert_uint_eq(resp.body_len, strlen(resp.body));

	/* A failed value fails the whole object, and becomes a 500. */
	ck_assert_ptr_null(http_json_object("a", json_object_new_int(1),
	    "b", NULL, "c", json_object_new_int(3), NULL));
	ck_assert_int_eq(http_reply_json(&resp, 200, NULL), -1);
	ck_assert_int_eq(resp.status, 500);

	/* Too big for the response buffer: a 500, not an overflow. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(http_reply_detail(&resp, 200, big), -1);
	ck_assert_int_eq(resp.status, 500);
	ck_assert_str_eq(resp.body, "{\"detail\":\"Internal server error\"}");
	ck_assert_str_eq(http_status_text(422), "Unprocessable Entity");
	ck_assert_str_eq(http_status_text(299), "Unknown");
}
END_TEST

static Suite *
http_suite(void)
{
	Suite	*s = suite_create("http");
	TCase	*tc;

	tc = tcase_create("form");
	tcase_add_loop_test(tc, test_form, 0, ARRAY_SIZE(form_cases));
	tcase_add_test(tc, test_form_nul);
	tcase_add_test(tc, test_form_bounded);
	tcase_add_loop_test(tc, test_is_form, 0, ARRAY_SIZE(type_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("bearer");
	tcase_add_loop_test(tc, test_bearer, 0, ARRAY_SIZE(bearer_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("response");
	tcase_add_test(tc, test_head);
	tcase_add_test(tc, test_json);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(http_suite)
