/* check_http.c -- form decoding, Bearer extraction, response formatting */
#include "config.h"

#include "http.h"
#include "check_common.h"

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

/*
 * How often each field came: RFC 6749 3.1 and 3.2 forbid repeating a
 * parameter, and the token endpoints refuse a repeat (login keeps
 * FastAPI's "the last wins").
 */
START_TEST(test_form_repeats)
{
	char			 user[32], pass[32];
	struct http_form_field	 f[2] = {
		{ "username", user, sizeof(user), 0, 0, 0 },
		{ "password", pass, sizeof(pass), 0, 0, 0 },
	};
	const char		*body = "username=a&username=b;username&"
				    "password=p&user%6eame=c";

	http_form_parse(body, strlen(body), f, 2);
	ck_assert_int_eq(f[0].present, 4);
	ck_assert_int_eq(f[1].present, 1);
	ck_assert_str_eq(user, "c");
	http_form_parse("password=", 9, f, 2);
	ck_assert_int_eq(f[0].present, 0);
	ck_assert_int_eq(f[1].present, 1);
}
END_TEST

/* An OAuth error: its body, never cached, Retry-After only when given. */
START_TEST(test_oauth_error)
{
	struct http_response	 resp;
	char			 head[HTTP_HEAD_MAX];

	http_response_init(&resp);
	ck_assert_int_eq(http_reply_oauth_error(&resp, 400, "invalid_grant",
	    "The \"refresh\" token", 0), 0);
	ck_assert_int_eq(resp.status, 400);
	ck_assert_str_eq(resp.body, "{\"error\":\"invalid_grant\","
	    "\"error_description\":\"The \\\"refresh\\\" token\"}");
	ck_assert_int_gt(http_format_head(&resp, head, sizeof(head)), 0);
	ck_assert_str_eq(head, "Status: 400 Bad Request\r\n"
	    "Content-Type: application/json\r\nContent-Length: 69\r\n"
	    "Cache-Control: no-store\r\nPragma: no-cache\r\n\r\n");
	http_response_init(&resp);
	ck_assert_int_eq(http_reply_oauth_error(&resp, 503,
	    "temporarily_unavailable", "x", 5), 0);
	ck_assert_str_eq(http_header(&resp, "Retry-After"), "5");
	ck_assert_str_eq(http_header(&resp, "Cache-Control"), "no-store");
}
END_TEST

/*
 * The Authorization header around a token.  The scheme is compared
 * case-insensitively (RFC 7235 2.1, as FastAPI does); exactly one space
 * separates it from the token, and the rest is the token: a second space,
 * a trailing space or comma, a second credential, all stay in it, and the
 * verifier refuses it (check_token.c, "mangled").  Not found, the request
 * has no credentials.
 */
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
	{ "bEaReR abc", 1, "abc" },
	{ "Bearer abc ", 1, "abc " },
	{ "Bearer abc,", 1, "abc," },
	{ "Bearer: abc", 0, NULL },
	{ "Bearer=abc", 0, NULL },
	{ "Bearers abc", 0, NULL },
};

START_TEST(test_bearer)
{
	struct test_request	 t;
	const char		*tok = NULL;
	size_t			 len = 0;
	int			 r;

	test_request_init(&t, "GET", TS_CONST);
	test_request_param(&t, "HTTP_AUTHORIZATION", bearer_cases[_i].header);
	r = http_bearer(&t.req, &tok, &len);
	ck_assert_msg((r == 0) == bearer_cases[_i].found, "\"%s\": %d",
	    bearer_cases[_i].header ? bearer_cases[_i].header : "(none)", r);
	if (r == 0) {
		ck_assert_uint_eq(len, strlen(bearer_cases[_i].token));
		ck_assert(memcmp(tok, bearer_cases[_i].token, len) == 0);
	}
	test_request_free(&t);
}
END_TEST

/* Parameters as libfcgi lists them: "NAME=value", then NULL. */
static const char *const params[] = {
	"REQUEST_METHOD=GET",
	"HTTP_AUTHORIZATION=Bearer a=b",
	"CONTENT_TYPE=",
	"HTTP_X_TWICE=first",
	"HTTP_X_TWICE=second",
	"NOEQUALS",
	"=nameless",
	NULL,
};

static const struct {
	const char	*name;
	const char	*want;		/* NULL: absent */
} param_cases[] = {
	{ "REQUEST_METHOD", "GET" },
	{ "HTTP_AUTHORIZATION", "Bearer a=b" },
	{ "CONTENT_TYPE", "" },
	{ "HTTP_X_TWICE", "first" },	/* the first wins, as FCGX_GetParam */
	{ "REQUEST", NULL },		/* a prefix of a name is not the name */
	{ "REQUEST_METHOD=GET", NULL },
	{ "HTTP_AUTHORIZATION=Bearer a", NULL },
	{ "request_method", NULL },	/* case matters: CGI names are exact */
	{ "NOEQUALS", NULL },
	{ "", NULL },
	{ "CONTENT_LENGTH", NULL },
};

START_TEST(test_param)
{
	struct http_request	 req;
	const char		*v;

	memset(&req, 0, sizeof(req));
	req.params = params;
	v = http_param(&req, param_cases[_i].name);
	if (param_cases[_i].want == NULL)
		ck_assert_msg(v == NULL, "\"%s\": \"%s\"",
		    param_cases[_i].name, v);
	else
		ck_assert_msg(v != NULL && strcmp(v, param_cases[_i].want) ==
		    0, "\"%s\": %s", param_cases[_i].name, v ? v : "(none)");
	/* No list at all (a hand-built request) has no parameters. */
	req.params = NULL;
	ck_assert_ptr_null(http_param(&req, param_cases[_i].name));
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
	struct http_outcome	 out;
	char			 buf[HTTP_HEAD_MAX], tiny[16];

	/* The heads the endpoints send today, byte for byte. */
	http_response_init(&resp);
	http_outcome_init(&out);
	ck_assert_int_eq(http_reply_detail(&resp, 401, "Not authenticated"), 0);
	ck_assert_int_eq(http_header_add(&resp, "WWW-Authenticate", "Bearer"),
	    0);
	ck_assert_str_eq(resp.body, "{\"detail\":\"Not authenticated\"}");
	ck_assert_int_gt(http_format_head(&resp, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "Status: 401 Unauthorized\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 30\r\n"
	    "WWW-Authenticate: Bearer\r\n"
	    "\r\n");
	ck_assert_int_eq(http_format_head(&resp, tiny, sizeof(tiny)), -1);

	http_response_init(&resp);
	ck_assert_int_eq(http_method_not_allowed(&resp, &out, "POST"), 0);
	ck_assert_str_eq(out.reason, "method not allowed");
	ck_assert_int_eq(http_header_add(&resp, "Cache-Control", "no-store"),
	    0);
	ck_assert_int_eq(http_header_add(&resp, "Pragma", "no-cache"), 0);
	ck_assert_int_gt(http_format_head(&resp, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "Status: 405 Method Not Allowed\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 31\r\n"
	    "Allow: POST\r\n"
	    "Cache-Control: no-store\r\nPragma: no-cache\r\n"
	    "\r\n");
	ck_assert_str_eq(http_header(&resp, "allow"), "POST");
	ck_assert_str_eq(http_header(&resp, "PRAGMA"), "no-cache");
	ck_assert_ptr_null(http_header(&resp, "Location"));

	/* No body: no Content-Type; a 204 has no Content-Length either. */
	http_response_init(&resp);
	ck_assert_int_eq(http_reply(&resp, 204, NULL, NULL, 0), 0);
	ck_assert_int_gt(http_format_head(&resp, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "Status: 204 No Content\r\n\r\n");
	http_response_init(&resp);
	ck_assert_int_eq(http_reply(&resp, 303, NULL, NULL, 0), 0);
	ck_assert_int_eq(http_header_add(&resp, "Location", "/login?next=%2F"),
	    0);
	ck_assert_int_eq(http_header_add(&resp, "Set-Cookie", "a=1; Secure"),
	    0);
	ck_assert_int_eq(http_header_add(&resp, "Set-Cookie", "b=2"), 0);
	ck_assert_int_gt(http_format_head(&resp, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "Status: 303 See Other\r\n"
	    "Content-Length: 0\r\n"
	    "Location: /login?next=%2F\r\n"
	    "Set-Cookie: a=1; Secure\r\n"
	    "Set-Cookie: b=2\r\n"
	    "\r\n");

	/* Any type, any status; one not in the table is "Unknown". */
	http_response_init(&resp);
	ck_assert_int_eq(http_reply(&resp, 299, "text/html; charset=utf-8",
	    "<p>hi</p>", 9), 0);
	ck_assert_int_eq(http_header_add(&resp, "Retry-After", "30"), 0);
	ck_assert_int_gt(http_format_head(&resp, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "Status: 299 Unknown\r\n"
	    "Content-Type: text/html; charset=utf-8\r\n"
	    "Content-Length: 9\r\n"
	    "Retry-After: 30\r\n"
	    "\r\n");
	ck_assert_str_eq(resp.body, "<p>hi</p>");
	resp.status = 99;
	ck_assert_int_eq(http_format_head(&resp, buf, sizeof(buf)), -1);
	resp.status = 600;
	ck_assert_int_eq(http_format_head(&resp, buf, sizeof(buf)), -1);

	/* An empty body may have a type; a body must have one. */
	ck_assert_int_eq(http_reply(&resp, 200, "text/plain", NULL, 0), 0);
	ck_assert_int_gt(http_format_head(&resp, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "Status: 200 OK\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: 0\r\n"
	    "Retry-After: 30\r\n"
	    "\r\n");
	ck_assert_int_eq(http_reply(&resp, 200, NULL, "x", 1), -1);
	ck_assert_int_eq(resp.status, 500);
	ck_assert_str_eq(resp.content_type, "application/json");
	ck_assert_int_eq(http_reply(&resp, 200, "text/plain\r\nX: y", "x", 1),
	    -1);
	ck_assert_int_eq(resp.status, 500);
	ck_assert_str_eq(resp.body, "{\"detail\":\"Internal server error\"}");
}
END_TEST

/* Every status the endpoints send or will send has its text. */
static const struct {
	int		 status;
	const char	*text;
} status_cases[] = {
	{ 200, "OK" }, { 201, "Created" }, { 204, "No Content" },
	{ 302, "Found" }, { 303, "See Other" }, { 400, "Bad Request" },
	{ 401, "Unauthorized" }, { 403, "Forbidden" },
	{ 405, "Method Not Allowed" }, { 408, "Request Timeout" },
	{ 413, "Payload Too Large" }, { 422, "Unprocessable Entity" },
	{ 429, "Too Many Requests" }, { 500, "Internal Server Error" },
	{ 503, "Service Unavailable" }, { 299, "Unknown" },
};

/*
 * A bare reply (a FastCGI Authorizer's allow): the Status line and the
 * added headers, nothing else, not even Content-Length: 0; and whatever
 * replaces it is a whole response again.
 */
START_TEST(test_head_bare)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	char			 buf[HTTP_HEAD_MAX];

	http_response_init(&resp);
	http_outcome_init(&out);
	ck_assert_str_eq(out.method, "");
	ck_assert_str_eq(out.path, "");
	ck_assert_int_eq(http_reply_bare(&resp, 200), 0);
	ck_assert_int_eq(http_header_add(&resp, "Variable-REMOTE_USER",
	    "alice"), 0);
	ck_assert_int_eq(http_header_add(&resp, "Variable-AUTH_SCOPE", ""), 0);
	ck_assert_int_gt(http_format_head(&resp, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "Status: 200 OK\r\n"
	    "Variable-REMOTE_USER: alice\r\n"
	    "Variable-AUTH_SCOPE: \r\n"
	    "\r\n");
	ck_assert_uint_eq(resp.body_len, 0);

	/* A body afterwards brings its type and length back. */
	ck_assert_int_eq(http_reply_detail(&resp, 403, "No"), 0);
	ck_assert_int_gt(http_format_head(&resp, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "Status: 403 Forbidden\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 15\r\n"
	    "Variable-REMOTE_USER: alice\r\n"
	    "Variable-AUTH_SCOPE: \r\n"
	    "\r\n");
	http_response_init(&resp);
	ck_assert_int_eq(resp.bare, 0);
}
END_TEST

/*
 * http_reply_fields: the JSON json-c writes for the same strings (without
 * control bytes, which it writes another valid way), null for NULL, and a
 * 500 when it does not fit.
 */
static const struct {
	const char	*value;
	const char	*want;		/* the body; NULL: as json-c has it */
} fields_cases[] = {
	{ "alice", NULL },
	{ "", NULL },
	{ "reports:read projects:read", NULL },
	{ "a/b", NULL },
	{ "a\"b\\c", NULL },
	{ "caf\xc3\xa9", NULL },
	{ "!#$%&'()*+,-.:;<=>?@[]^_`{|}~", NULL },
	{ "a\nb\x01\x1f", "{\"k\":\"a\\u000ab\\u0001\\u001f\",\"n\":null}" },
};

START_TEST(test_reply_fields)
{
	struct http_response	 resp;
	json_object		*obj, *parsed, *v;
	const char		*want;
	char			*big;

	http_response_init(&resp);
	ck_assert_int_eq(http_reply_fields(&resp, 200, (const char *const[]){
	    "k", fields_cases[_i].value, "n", NULL, NULL }), 0);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(resp.content_type, "application/json");
	obj = http_json_object("k", json_object_new_string(
	    fields_cases[_i].value), NULL);
	ck_assert_ptr_nonnull(obj);
	json_object_object_add(obj, "n", NULL);
	want = fields_cases[_i].want != NULL ? fields_cases[_i].want :
	    json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	ck_assert_str_eq(resp.body, want);
	ck_assert_uint_eq(resp.body_len, strlen(want));
	json_object_put(obj);
	/* It parses back to the same string. */
	ck_assert_ptr_nonnull(parsed = json_tokener_parse(resp.body));
	ck_assert(json_object_object_get_ex(parsed, "k", &v));
	ck_assert_str_eq(json_object_get_string(v), fields_cases[_i].value);
	ck_assert(json_object_object_get_ex(parsed, "n", &v));
	ck_assert_ptr_null(v);
	json_object_put(parsed);

	/* Empty; and too much for the body: a 500. */
	ck_assert_int_eq(http_reply_fields(&resp, 201,
	    (const char *const[]){ NULL }), 0);
	ck_assert_str_eq(resp.body, "{}");
	ck_assert((big = malloc(HTTP_RESPONSE_BODY_MAX)) != NULL);
	memset(big, 'x', HTTP_RESPONSE_BODY_MAX - 9);
	big[HTTP_RESPONSE_BODY_MAX - 9] = '\0';
	ck_assert_int_eq(http_reply_fields(&resp, 200,
	    (const char *const[]){ "k", big, NULL }), 0);
	ck_assert_uint_eq(resp.body_len, HTTP_RESPONSE_BODY_MAX - 1);
	big[HTTP_RESPONSE_BODY_MAX - 10] = '"';		/* escaped: 2 bytes */
	ck_assert_int_eq(http_reply_fields(&resp, 200,
	    (const char *const[]){ "k", big, NULL }), -1);
	ck_assert_int_eq(resp.status, 500);
	ck_assert_str_eq(resp.body, "{\"detail\":\"Internal server error\"}");
	free(big);
}
END_TEST

START_TEST(test_status_text)
{
	ck_assert_str_eq(http_status_text(status_cases[_i].status),
	    status_cases[_i].text);
}
END_TEST

/*
 * Headers a handler may add, and the ones refused: a name that is not a
 * token, a name the response says itself, a value with a control
 * character (CR or LF would start a header of the sender's choosing).
 */
static const struct {
	const char	*name;
	const char	*header, *value;
	size_t		 len;		/* 0: strlen(value) */
	int		 ok;
} header_cases[] = {
	{ "plain", "X-Auth-User", "alice", 0, 1 },
	{ "empty value", "X-Auth-Role", "", 0, 1 },
	{ "tab and obs-text", "X-Note", "a\tb \xc3\xa9", 0, 1 },
	{ "RFC 6750 attributes", "WWW-Authenticate", "Bearer realm=\"api\", "
	    "error=\"invalid_token\", error_description=\"expired\"", 0, 1 },
	{ "token characters", "X-!#$%&'*+-.^_`|~09", "v", 0, 1 },
	{ "CRLF in the value", "Location", "/\r\nSet-Cookie: x=1", 0, 0 },
	{ "LF in the value", "Location", "/\nSet-Cookie: x=1", 0, 0 },
	{ "CR in the value", "Location", "/\rx", 0, 0 },
	{ "NUL in the value", "Location", "/safe\0/evil", 11, 0 },
	{ "DEL in the value", "X-A", "a\x7f", 0, 0 },
	{ "escape in the value", "X-A", "\x1b[31m", 0, 0 },
	{ "CRLF in the name", "X-A\r\nSet-Cookie", "x", 0, 0 },
	{ "colon in the name", "X-A:", "x", 0, 0 },
	{ "space in the name", "X A", "x", 0, 0 },
	{ "empty name", "", "x", 0, 0 },
	{ "non-ASCII name", "X-\xc3\xa9", "x", 0, 0 },
	{ "Status", "Status", "200 OK", 0, 0 },
	{ "status, any case", "sTaTuS", "302", 0, 0 },
	{ "Content-Type", "Content-Type", "text/html", 0, 0 },
	{ "Content-Length", "content-length", "0", 0, 0 },
	{ "a 65-byte name", "X-123456789012345678901234567890123456789012345"
	    "678901234567890123", "x", 0, 0 },
};

START_TEST(test_header_add)
{
	struct http_response	 resp;
	char			 buf[HTTP_HEAD_MAX];
	size_t			 len;
	int			 r;

	http_response_init(&resp);
	ck_assert_int_eq(http_reply_detail(&resp, 200, "x"), 0);
	len = header_cases[_i].len ? header_cases[_i].len :
	    strlen(header_cases[_i].value);
	r = http_header_addn(&resp, header_cases[_i].header,
	    header_cases[_i].value, len);
	ck_assert_msg((r == 0) == header_cases[_i].ok, "%s: %d",
	    header_cases[_i].name, r);
	ck_assert_uint_eq(resp.nheaders, header_cases[_i].ok ? 1 : 0);
	ck_assert_int_gt(http_format_head(&resp, buf, sizeof(buf)), 0);
	/* One line per header: nothing refused ever reaches the head. */
	ck_assert_msg(strstr(buf, "Set-Cookie") == NULL, "%s: %s",
	    header_cases[_i].name, buf);
	ck_assert_msg(strstr(buf, "\r\n\r\n") == buf + strlen(buf) - 4,
	    "%s: %s", header_cases[_i].name, buf);
	if (header_cases[_i].ok)
		ck_assert_str_eq(http_header(&resp, header_cases[_i].header),
		    header_cases[_i].value);
}
END_TEST

/* The list is bounded in count and in bytes; what does not fit is refused. */
START_TEST(test_header_limits)
{
	struct http_response	 resp;
	char			 big[HTTP_HEADER_BYTES], buf[HTTP_HEAD_MAX];
	char			 name[HTTP_HEADER_NAME_MAX + 1];
	size_t			 i;

	http_response_init(&resp);
	for (i = 0; i < HTTP_HEADERS_MAX; i++)
		ck_assert_int_eq(http_header_add(&resp, "Set-Cookie", "a=b"), 0);
	ck_assert_int_eq(http_header_add(&resp, "Set-Cookie", "a=b"), -1);
	ck_assert_uint_eq(resp.nheaders, HTTP_HEADERS_MAX);

	/* The largest value that fits, with the name and two NULs. */
	http_response_init(&resp);
	memset(big, 'v', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(http_header_add(&resp, "X", big), -1);
	big[sizeof(big) - 4] = '\0';
	ck_assert_int_eq(http_header_add(&resp, "X", big), 0);
	ck_assert_int_eq(http_header_add(&resp, "Y", ""), -1);
	ck_assert_uint_eq(resp.nheaders, 1);

	/* Every header at its largest still fits the head buffer. */
	http_response_init(&resp);
	ck_assert_int_eq(http_reply(&resp, 200, "text/plain", "x", 1), 0);
	memset(big, 'v', sizeof(big));
	big[HTTP_HEADER_BYTES / HTTP_HEADERS_MAX - HTTP_HEADER_NAME_MAX - 2] =
	    '\0';
	memset(name, 'N', HTTP_HEADER_NAME_MAX);
	name[HTTP_HEADER_NAME_MAX] = '\0';
	for (i = 0; i < HTTP_HEADERS_MAX; i++)
		ck_assert_int_eq(http_header_add(&resp, name, big), 0);
	ck_assert_int_gt(http_format_head(&resp, buf, sizeof(buf)), 0);
}
END_TEST

/*
 * A body replaced by a shorter one (a token by a 500) leaves nothing of
 * it past the new body_len: the loop wipes only body_len bytes.
 */
START_TEST(test_body_replaced)
{
	struct http_response	 resp;
	char			 token[200];
	size_t			 i;

	memset(token, 'T', sizeof(token));
	http_response_init(&resp);
	ck_assert_int_eq(http_reply(&resp, 200, "text/plain", token,
	    sizeof(token)), 0);
	ck_assert_int_eq(http_reply_json(&resp, 500, NULL), -1);
	ck_assert_uint_lt(resp.body_len, sizeof(token));
	for (i = resp.body_len; i < sizeof(token); i++)
		ck_assert_msg(resp.body[i] != 'T', "byte %zu of the old body "
		    "is left", i);
	ck_assert_int_eq(http_reply(&resp, 200, "text/plain", token,
	    sizeof(token)), 0);
	ck_assert_int_eq(http_reply(&resp, 204, NULL, NULL, 0), 0);
	for (i = 0; i < sizeof(token); i++)
		ck_assert_msg(resp.body[i] != 'T', "byte %zu of the old body "
		    "is left", i);
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

/* A response answered anew leaves no byte of the old one behind. */
START_TEST(test_response_wipe)
{
	struct http_response	 resp;
	size_t			 i, hlen, blen;

	http_response_init(&resp);
	ck_assert_int_eq(http_header_add(&resp, "Set-Cookie",
	    "fcgi-auth=SECRET"), 0);
	ck_assert_int_eq(http_reply(&resp, 303, "text/html", "SECRET", 6), 0);
	hlen = resp.hbuf_len;
	blen = resp.body_len;
	http_response_wipe(&resp);
	for (i = 0; i < hlen; i++)
		ck_assert_int_eq(resp.hbuf[i], 0);
	for (i = 0; i < blen; i++)
		ck_assert_int_eq(resp.body[i], 0);
	ck_assert_uint_eq(resp.nheaders, 0);
	ck_assert_uint_eq(resp.body_len, 0);
	ck_assert_int_eq(resp.status, 500);
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
	tcase_add_test(tc, test_form_repeats);
	tcase_add_test(tc, test_oauth_error);
	tcase_add_loop_test(tc, test_is_form, 0, ARRAY_SIZE(type_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("request");
	tcase_add_loop_test(tc, test_param, 0, ARRAY_SIZE(param_cases));
	tcase_add_loop_test(tc, test_bearer, 0, ARRAY_SIZE(bearer_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("response");
	tcase_add_test(tc, test_head);
	tcase_add_test(tc, test_head_bare);
	tcase_add_loop_test(tc, test_reply_fields, 0, ARRAY_SIZE(fields_cases));
	tcase_add_loop_test(tc, test_status_text, 0, ARRAY_SIZE(status_cases));
	tcase_add_loop_test(tc, test_header_add, 0, ARRAY_SIZE(header_cases));
	tcase_add_test(tc, test_header_limits);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_body_replaced);
	tcase_add_test(tc, test_response_wipe);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(http_suite)
