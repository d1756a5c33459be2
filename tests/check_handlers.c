/* check_handlers.c -- each endpoint as a pure function of one request */
#include "config.h"

#include "app.h"
#include "http.h"
#include "check_common.h"
#include "endpoints.h"
#include "fcgi_loop.h"
#include "token.h"

#define FORM	"application/x-www-form-urlencoded"

static const struct {
	const char	*name;
	fcgi_handler_fn	*handle;
} endpoints[] = {
	{ "login", login_handle },
	{ "me", me_handle },
	{ "reports", reports_handle },
	{ "projects", projects_handle },
};

/*
 * One request to one endpoint.  "%T" in auth becomes a token for tok_sub
 * (minted with role "user" at version 3: the file decides the rest).
 */
static const struct {
	const char	*name;
	fcgi_handler_fn	*handle;
	const char	*method, *auth, *tok_sub, *type, *body;
	int		 status;
	const char	*want;		/* the exact body; NULL: checked apart */
	const char	*allow;
} cases[] = {
	/* GET /me */
	{ "me", me_handle, "GET", "Bearer %T", "alice", NULL, NULL, 200,
	    "{\"username\":\"alice\",\"role\":\"admin\"}", NULL },
	{ "me bob", me_handle, "GET", "Bearer %T", "bob", NULL, NULL, 200,
	    "{\"username\":\"bob\",\"role\":\"user\"}", NULL },
	{ "me auditor", me_handle, "GET", "Bearer %T", "erin", NULL, NULL, 200,
	    "{\"username\":\"erin\",\"role\":\"auditor\"}", NULL },
	{ "me without credentials", me_handle, "GET", NULL, NULL, NULL, NULL,
	    401, "{\"detail\":\"Not authenticated\"}", NULL },
	{ "me with a bad token", me_handle, "GET", "Bearer x.y.z", NULL, NULL,
	    NULL, 401, "{\"detail\":\"Invalid or expired token\"}", NULL },
	{ "me unknown user", me_handle, "GET", "Bearer %T", "zed", NULL, NULL,
	    401, "{\"detail\":\"User not found\"}", NULL },
	{ "me disabled user", me_handle, "GET", "Bearer %T", "carol", NULL,
	    NULL, 401, "{\"detail\":\"User disabled\"}", NULL },
	{ "me POST", me_handle, "POST", "Bearer %T", "alice", NULL, NULL, 405,
	    "{\"detail\":\"Method Not Allowed\"}", "GET" },
	{ "me HEAD", me_handle, "HEAD", NULL, NULL, NULL, NULL, 405,
	    "{\"detail\":\"Method Not Allowed\"}", "GET" },
	{ "me lowercase get", me_handle, "get", NULL, NULL, NULL, NULL, 405,
	    "{\"detail\":\"Method Not Allowed\"}", "GET" },

	/* GET /reports: admin only */
	{ "reports admin", reports_handle, "GET", "Bearer %T", "alice", NULL,
	    NULL, 200, "{\"ok\":true,\"data\":[\"revenue.csv\","
	    "\"churn.xlsx\"],\"viewer\":\"alice\"}", NULL },
	{ "reports user", reports_handle, "GET", "Bearer %T", "bob", NULL,
	    NULL, 403, "{\"detail\":\"Requires role: admin\"}", NULL },
	{ "reports auditor", reports_handle, "GET", "Bearer %T", "erin", NULL,
	    NULL, 403, "{\"detail\":\"Requires role: admin\"}", NULL },
	{ "reports without credentials", reports_handle, "GET", NULL, NULL,
	    NULL, NULL, 401, "{\"detail\":\"Not authenticated\"}", NULL },
	{ "reports DELETE", reports_handle, "DELETE", NULL, NULL, NULL, NULL,
	    405, "{\"detail\":\"Method Not Allowed\"}", "GET" },

	/* GET /projects: admin and user */
	{ "projects admin", projects_handle, "GET", "Bearer %T", "alice", NULL,
	    NULL, 200, "{\"projects\":[\"alpha\",\"beta\"],"
	    "\"viewer\":\"alice\"}", NULL },
	{ "projects user", projects_handle, "GET", "Bearer %T", "bob", NULL,
	    NULL, 200, "{\"projects\":[\"alpha\",\"beta\"],"
	    "\"viewer\":\"bob\"}", NULL },
	{ "projects auditor", projects_handle, "GET", "Bearer %T", "erin",
	    NULL, NULL, 403, "{\"detail\":\"Requires role: admin, user\"}",
	    NULL },
	{ "projects PUT", projects_handle, "PUT", NULL, NULL, NULL, NULL, 405,
	    "{\"detail\":\"Method Not Allowed\"}", "GET" },

	/* POST /auth/login */
	{ "login", login_handle, "POST", NULL, NULL, FORM,
	    "username=alice&password=alicepass", 200, NULL, NULL },
	{ "login with OAuth2 extras", login_handle, "POST", NULL, NULL,
	    FORM "; charset=UTF-8", "grant_type=password&username=bob&"
	    "password=bobpass&scope=&client_id=x&client_secret=y", 200, NULL,
	    NULL },
	{ "login grant_type prefix", login_handle, "POST", NULL, NULL, FORM,
	    "grant_type=passwordx&username=bob&password=bobpass", 200, NULL,
	    NULL },
	{ "login wrong password", login_handle, "POST", NULL, NULL, FORM,
	    "username=alice&password=bobpass", 401,
	    "{\"detail\":\"Invalid username or password\"}", NULL },
	{ "login unknown user", login_handle, "POST", NULL, NULL, FORM,
	    "username=zed&password=zedpass", 401,
	    "{\"detail\":\"Invalid username or password\"}", NULL },
	{ "login disabled user", login_handle, "POST", NULL, NULL, FORM,
	    "username=carol&password=carolpass", 401,
	    "{\"detail\":\"Invalid username or password\"}", NULL },
	{ "login NUL in password", login_handle, "POST", NULL, NULL, FORM,
	    "username=alice&password=alicepass%00junk", 401,
	    "{\"detail\":\"Invalid username or password\"}", NULL },
	{ "login NUL in username", login_handle, "POST", NULL, NULL, FORM,
	    "username=alice%00&password=alicepass", 401,
	    "{\"detail\":\"Invalid username or password\"}", NULL },
	{ "login no password", login_handle, "POST", NULL, NULL, FORM,
	    "username=alice", 422, "{\"detail\":[{\"loc\":[\"body\","
	    "\"password\"],\"msg\":\"field required\",\"type\":"
	    "\"value_error.missing\"}]}", NULL },
	{ "login no username", login_handle, "POST", NULL, NULL, FORM,
	    "password=x", 422, "{\"detail\":[{\"loc\":[\"body\","
	    "\"username\"],\"msg\":\"field required\",\"type\":"
	    "\"value_error.missing\"}]}", NULL },
	{ "login empty fields", login_handle, "POST", NULL, NULL, FORM,
	    "username=&password=", 422, "{\"detail\":[{\"loc\":[\"body\","
	    "\"username\"],\"msg\":\"field required\",\"type\":"
	    "\"value_error.missing\"},{\"loc\":[\"body\",\"password\"],"
	    "\"msg\":\"field required\",\"type\":\"value_error.missing\"}]}",
	    NULL },
	{ "login JSON body", login_handle, "POST", NULL, NULL,
	    "application/json", "{\"username\":\"alice\",\"password\":"
	    "\"alicepass\"}", 422, "{\"detail\":[{\"loc\":[\"body\","
	    "\"username\"],\"msg\":\"field required\",\"type\":"
	    "\"value_error.missing\"},{\"loc\":[\"body\",\"password\"],"
	    "\"msg\":\"field required\",\"type\":\"value_error.missing\"}]}",
	    NULL },
	{ "login no content type", login_handle, "POST", NULL, NULL, NULL,
	    "username=alice&password=alicepass", 422, NULL, NULL },
	{ "login bad grant_type", login_handle, "POST", NULL, NULL, FORM,
	    "grant_type=client_credentials&password=x", 422,
	    "{\"detail\":[{\"loc\":[\"body\",\"grant_type\"],\"msg\":"
	    "\"string does not match regex \\\"password\\\"\",\"type\":"
	    "\"value_error.str.regex\",\"ctx\":{\"pattern\":\"password\"}},"
	    "{\"loc\":[\"body\",\"username\"],\"msg\":\"field required\","
	    "\"type\":\"value_error.missing\"}]}", NULL },
	{ "login GET", login_handle, "GET", NULL, NULL, NULL, NULL, 405,
	    "{\"detail\":\"Method Not Allowed\"}", "POST" },
};

START_TEST(test_endpoint)
{
	struct test_request	 t;
	struct http_response	 resp;
	struct token_claims	 claims;
	struct http_outcome	 out;
	char			 header[4096];
	char			*tok = NULL;
	const char		*p, *auth = cases[_i].auth;
	int			 r;

	if (cases[_i].tok_sub != NULL) {
		ck_assert_int_eq(token_claims_init(&claims, cases[_i].tok_sub,
		    "user", 3), 0);
		ck_assert_int_eq(token_mint(app_cfg(test_app), &claims,
		    TS_CONST, &tok), 0);
		p = strstr(cases[_i].auth, "%T");
		(void)snprintf(header, sizeof(header), "%.*s%s",
		    (int)(p - cases[_i].auth), cases[_i].auth, tok);
		auth = header;
	}
	test_request_init(&t, cases[_i].method, TS_CONST);
	test_request_param(&t, "CONTENT_TYPE", cases[_i].type);
	test_request_param(&t, "REMOTE_ADDR", "192.0.2.1");
	test_request_param(&t, "HTTP_AUTHORIZATION", auth);
	t.req.body = cases[_i].body;
	t.req.body_len = cases[_i].body ? strlen(cases[_i].body) : 0;

	http_response_init(&resp);
	http_outcome_init(&out);
	r = cases[_i].handle(test_app, &t.req, &resp, &out);
	ck_assert_int_eq(r, 0);
	ck_assert_msg(resp.status == cases[_i].status, "%s: status %d: %s",
	    cases[_i].name, resp.status, resp.body);
	if (cases[_i].want != NULL)
		ck_assert_msg(strcmp(resp.body, cases[_i].want) == 0,
		    "%s: body %s", cases[_i].name, resp.body);
	ck_assert_uint_eq(resp.body_len, strlen(resp.body));
	ck_assert_str_eq(resp.content_type, "application/json");
	if (resp.status == 401)
		ck_assert_str_eq(http_header(&resp, "WWW-Authenticate"),
		    "Bearer");
	else
		ck_assert_ptr_null(http_header(&resp, "WWW-Authenticate"));
	if (cases[_i].allow != NULL)
		ck_assert_str_eq(http_header(&resp, "Allow"), cases[_i].allow);
	else
		ck_assert_ptr_null(http_header(&resp, "Allow"));
	/* A refusal always says why, for the log line. */
	if (resp.status >= 400)
		ck_assert_ptr_nonnull(out.reason);
	/* Past the method check, the token's subject goes to the log. */
	if (cases[_i].tok_sub != NULL && resp.status != 405)
		ck_assert_str_eq(out.user, cases[_i].tok_sub);
	free(tok);
	test_request_free(&t);
}
END_TEST

/* A login's token: well formed, ours, for the file's role, not cached. */
START_TEST(test_login_token)
{
	struct test_request	 t;
	struct http_response	 resp;
	struct http_outcome	 out;
	struct token_claims	 c;
	json_object		*obj, *v;
	const char		*body = "username=alice&password=alicepass";
	const char		*tok;
	char			 head[HTTP_HEAD_MAX], want[256];

	test_request_init(&t, "POST", TS_CONST);
	test_request_param(&t, "CONTENT_TYPE", FORM);
	t.req.body = body;
	t.req.body_len = strlen(body);
	http_response_init(&resp);
	http_outcome_init(&out);
	ck_assert_int_eq(login_handle(test_app, &t.req, &resp, &out), 0);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(out.user, "alice");
	ck_assert_str_eq(out.reason, "login");
	/* The head as the reference app's, byte for byte. */
	ck_assert_int_gt(http_format_head(&resp, head, sizeof(head)), 0);
	(void)snprintf(want, sizeof(want), "Status: 200 OK\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n"
	    "Pragma: no-cache\r\n"
	    "\r\n", resp.body_len);
	ck_assert_str_eq(head, want);
	test_request_free(&t);

	ck_assert_ptr_nonnull(obj = json_tokener_parse(resp.body));
	ck_assert_int_eq(json_object_object_length(obj), 2);
	ck_assert(json_object_object_get_ex(obj, "token_type", &v));
	ck_assert_str_eq(json_object_get_string(v), "bearer");
	ck_assert(json_object_object_get_ex(obj, "access_token", &v));
	tok = json_object_get_string(v);
	ck_assert_int_eq(token_verify(app_cfg(test_app), tok, strlen(tok),
	    TS_CONST, &c), TOKEN_OK);
	ck_assert_str_eq(c.sub, "alice");
	ck_assert_str_eq(c.role, "admin");
	ck_assert_int_eq(c.exp - c.iat, 30 * 60);
	ck_assert_int_eq(c.ver, 0);
	json_object_put(obj);
}
END_TEST

/* A hostile username reaches the log escaped, never raw. */
START_TEST(test_login_log_user)
{
	struct test_request	 t;
	struct http_response	 resp;
	struct http_outcome	 out;
	const char		*body = "username=a%0Ab%22c%1B&password=x";

	test_request_init(&t, "POST", 0);
	test_request_param(&t, "CONTENT_TYPE", FORM);
	t.req.body = body;
	t.req.body_len = strlen(body);
	http_response_init(&resp);
	http_outcome_init(&out);
	ck_assert_int_eq(login_handle(test_app, &t.req, &resp, &out), 0);
	ck_assert_int_eq(resp.status, 401);
	ck_assert_str_eq(out.user, "a\\x0ab\\x22c\\x1b");
	ck_assert_str_eq(out.reason, "unknown user");
	test_request_free(&t);
}
END_TEST

/* Every endpoint refuses every other method the same way. */
START_TEST(test_methods)
{
	static const char *const methods[] = { "PUT", "DELETE", "PATCH",
	    "OPTIONS", "TRACE", "CONNECT", "" };
	struct test_request	 t;
	struct http_response	 resp;
	struct http_outcome	 out;
	size_t			 m;

	for (m = 0; m < ARRAY_SIZE(methods); m++) {
		test_request_init(&t, methods[m], TS_CONST);
		http_response_init(&resp);
		http_outcome_init(&out);
		ck_assert_int_eq(endpoints[_i].handle(test_app, &t.req, &resp,
		    &out), 0);
		ck_assert_msg(resp.status == 405, "%s %s: %d",
		    endpoints[_i].name, methods[m], resp.status);
		ck_assert_ptr_nonnull(http_header(&resp, "Allow"));
		ck_assert_str_eq(out.reason, "method not allowed");
		test_request_free(&t);
	}
}
END_TEST

static Suite *
handlers_suite(void)
{
	Suite	*s = suite_create("handlers");
	TCase	*tc;

	tc = tcase_create("endpoints");
	tcase_add_unchecked_fixture(tc, test_app_setup,
	    test_app_teardown);
	tcase_add_loop_test(tc, test_endpoint, 0, ARRAY_SIZE(cases));
	tcase_add_test(tc, test_login_token);
	tcase_add_test(tc, test_login_log_user);
	tcase_add_loop_test(tc, test_methods, 0, ARRAY_SIZE(endpoints));
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(handlers_suite)
