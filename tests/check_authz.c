/* check_authz.c -- verdicts: token to user, roles, logins, refusals */
#include "config.h"

#include "app.h"
#include "check_common.h"
#include "authz.h"
#include "token.h"

/* A genuine token for sub/role at version ver. */
static char *
mint(const char *sub, const char *role, long ver)
{
	struct token_claims	 c;
	char			*tok;

	ck_assert_int_eq(token_claims_init(&c, sub, role, ver), 0);
	ck_assert_int_eq(token_mint(app_cfg(test_app), &c, TS_CONST, &tok), 0);
	return tok;
}

static const char *
status_name(enum auth_status st)
{
	static const char *const names[] = {
		"OK", "NO_CREDS", "BAD_TOKEN", "BAD_PAYLOAD", "NO_USER",
		"DISABLED", "REVOKED", "BAD_LOGIN", "FORBIDDEN", "INTERNAL",
	};

	return (size_t)st < ARRAY_SIZE(names) ? names[st] : "?";
}

/*
 * Authorization headers: "Bearer %T" is replaced by a token minted for
 * sub/role/ver; the role in the answer is the file's, not the token's.
 */
static const struct {
	const char		*name;
	const char		*header;
	const char		*sub, *role;
	long			 ver;
	enum auth_status	 want;
	const char		*want_role;
} auth_cases[] = {
	{ "no header", NULL, NULL, NULL, 0, AUTH_NO_CREDS, NULL },
	{ "basic", "Basic YWxpY2U6YWxpY2VwYXNz", NULL, NULL, 0, AUTH_NO_CREDS,
	    NULL },
	{ "bearer, no token", "Bearer", NULL, NULL, 0, AUTH_BAD_TOKEN, NULL },
	{ "garbage token", "Bearer abc.def.ghi", NULL, NULL, 0,
	    AUTH_BAD_TOKEN, NULL },
	{ "alice", "Bearer %T", "alice", "admin", 0, AUTH_OK, "admin" },
	{ "lowercase scheme", "bearer %T", "alice", "admin", 0, AUTH_OK,
	    "admin" },
	{ "role from the file", "Bearer %T", "bob", "admin", 0, AUTH_OK,
	    "user" },
	{ "unknown user", "Bearer %T", "zed", "admin", 0, AUTH_NO_USER, NULL },
	{ "disabled user", "Bearer %T", "carol", "admin", 0, AUTH_DISABLED,
	    NULL },
	{ "revoked version", "Bearer %T", "dave", "user", 2, AUTH_REVOKED,
	    NULL },
	{ "no version is 0", "Bearer %T", "dave", "user", 0, AUTH_REVOKED,
	    NULL },
	{ "current version", "Bearer %T", "dave", "user", 3, AUTH_OK, "user" },
	{ "later version", "Bearer %T", "dave", "user", 4, AUTH_OK, "user" },
};

START_TEST(test_authenticate)
{
	struct http_request	 req;
	struct auth_user	 user;
	enum auth_status	 st;
	char			 header[4096];
	char			*tok = NULL;

	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.now = TS_CONST;
	if (auth_cases[_i].sub != NULL) {
		tok = mint(auth_cases[_i].sub, auth_cases[_i].role,
		    auth_cases[_i].ver);
		(void)snprintf(header, sizeof(header), "%.*s%s",
		    (int)(strstr(auth_cases[_i].header, "%T") -
		    auth_cases[_i].header), auth_cases[_i].header, tok);
		req.authorization = header;
	} else
		req.authorization = auth_cases[_i].header;
	st = authz_authenticate(test_app, &req, &user);
	ck_assert_msg(st == auth_cases[_i].want, "%s: got %s, want %s",
	    auth_cases[_i].name, status_name(st),
	    status_name(auth_cases[_i].want));
	if (st == AUTH_OK) {
		ck_assert_str_eq(user.name, auth_cases[_i].sub);
		ck_assert_str_eq(user.role, auth_cases[_i].want_role);
	}
	/* Known from the token even when refused: for the log. */
	if (auth_cases[_i].sub != NULL)
		ck_assert_str_eq(user.name, auth_cases[_i].sub);
	free(tok);
}
END_TEST

START_TEST(test_require_role)
{
	struct auth_user	 u;
	const char *const	 admin[] = { "admin", NULL };
	const char *const	 both[] = { "admin", "user", NULL };
	const char *const	 none[] = { NULL };

	memset(&u, 0, sizeof(u));
	(void)snprintf(u.role, sizeof(u.role), "user");
	ck_assert_int_eq(authz_require_role(&u, NULL), AUTH_OK);
	ck_assert_int_eq(authz_require_role(&u, admin), AUTH_FORBIDDEN);
	ck_assert_int_eq(authz_require_role(&u, both), AUTH_OK);
	ck_assert_int_eq(authz_require_role(&u, none), AUTH_FORBIDDEN);
	(void)snprintf(u.role, sizeof(u.role), "Admin");
	ck_assert_int_eq(authz_require_role(&u, admin), AUTH_FORBIDDEN);
}
END_TEST

static const struct {
	const char		*name, *user, *password;
	enum auth_status	 want;
	const char		*why;
} login_cases[] = {
	{ "right password", "alice", "alicepass", AUTH_OK, NULL },
	{ "wrong password", "alice", "bobpass", AUTH_BAD_LOGIN,
	    "wrong password" },
	{ "unknown user", "zed", "zedpass", AUTH_BAD_LOGIN, "unknown user" },
	{ "invalid name", "../etc/passwd", "x", AUTH_BAD_LOGIN,
	    "unknown user" },
	{ "disabled, right password", "carol", "carolpass", AUTH_BAD_LOGIN,
	    "user disabled" },
	{ "disabled, wrong password", "carol", "x", AUTH_BAD_LOGIN,
	    "user disabled" },
	{ "case matters", "Alice", "alicepass", AUTH_BAD_LOGIN,
	    "unknown user" },
};

START_TEST(test_login)
{
	struct auth_user	 user;
	enum auth_status	 st;
	const char		*why = "unset";

	st = authz_login(test_app, login_cases[_i].user, login_cases[_i].password,
	    &user, &why);
	ck_assert_msg(st == login_cases[_i].want, "%s: got %s",
	    login_cases[_i].name, status_name(st));
	if (login_cases[_i].why == NULL) {
		ck_assert_ptr_null(why);
		ck_assert_str_eq(user.name, login_cases[_i].user);
		ck_assert_str_eq(user.role, "admin");
	} else
		ck_assert_str_eq(why, login_cases[_i].why);
}
END_TEST

START_TEST(test_login_too_long)
{
	struct auth_user	 user;
	char			 pw[PASSWORD_MAX_BYTES + 2];
	const char		*why;

	memset(pw, 'a', sizeof(pw) - 1);
	pw[sizeof(pw) - 1] = '\0';
	ck_assert_int_eq(authz_login(test_app, "alice", pw, &user, &why),
	    AUTH_BAD_LOGIN);
	ck_assert_str_eq(why, "password too long");
}
END_TEST

static const struct {
	enum auth_status	 st;
	int			 status;
	const char		*body;
} refuse_cases[] = {
	{ AUTH_NO_CREDS, 401, "{\"detail\":\"Not authenticated\"}" },
	{ AUTH_BAD_TOKEN, 401, "{\"detail\":\"Invalid or expired token\"}" },
	{ AUTH_BAD_PAYLOAD, 401, "{\"detail\":\"Invalid token payload\"}" },
	{ AUTH_NO_USER, 401, "{\"detail\":\"User not found\"}" },
	{ AUTH_DISABLED, 401, "{\"detail\":\"User disabled\"}" },
	{ AUTH_REVOKED, 401, "{\"detail\":\"Token revoked\"}" },
	{ AUTH_BAD_LOGIN, 401,
	    "{\"detail\":\"Invalid username or password\"}" },
	{ AUTH_FORBIDDEN, 403, "{\"detail\":\"Requires role: admin, user\"}" },
	{ AUTH_INTERNAL, 500, "{\"detail\":\"Internal server error\"}" },
	{ AUTH_OK, 500, "{\"detail\":\"Internal server error\"}" },
	{ (enum auth_status)99, 500,
	    "{\"detail\":\"Internal server error\"}" },
};

START_TEST(test_refuse)
{
	struct http_response	 resp;
	const char *const	 roles[] = { "admin", "user", NULL };

	http_response_init(&resp);
	authz_refuse(&resp, refuse_cases[_i].st, roles);
	ck_assert_int_eq(resp.status, refuse_cases[_i].status);
	ck_assert_str_eq(resp.body, refuse_cases[_i].body);
	ck_assert_int_eq(resp.www_authenticate, resp.status == 401);
	ck_assert_ptr_nonnull(resp.log_reason);
}
END_TEST

static Suite *
authz_suite(void)
{
	Suite	*s = suite_create("authz");
	TCase	*tc;

	tc = tcase_create("authenticate");
	tcase_add_unchecked_fixture(tc, test_app_setup,
	    test_app_teardown);
	tcase_add_loop_test(tc, test_authenticate, 0, ARRAY_SIZE(auth_cases));
	tcase_add_test(tc, test_require_role);
	suite_add_tcase(s, tc);

	tc = tcase_create("login");
	tcase_add_unchecked_fixture(tc, test_app_setup,
	    test_app_teardown);
	tcase_add_loop_test(tc, test_login, 0, ARRAY_SIZE(login_cases));
	tcase_add_test(tc, test_login_too_long);
	suite_add_tcase(s, tc);

	tc = tcase_create("refuse");
	tcase_add_loop_test(tc, test_refuse, 0, ARRAY_SIZE(refuse_cases));
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(authz_suite)
