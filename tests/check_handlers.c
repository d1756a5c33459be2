/* check_handlers.c -- each endpoint as a pure function of one request */
#include "config.h"

#include <crypt.h>
#include <dlfcn.h>

#include <sqlite3.h>

#include "app.h"
#include "http.h"
#include "jwk.h"
#include "watch.h"
#include "check_common.h"
#include "endpoints.h"
#include "fcgi_loop.h"
#include "forge.h"
#include "session.h"
#include "store.h"
#include "token.h"

#define FORM	"application/x-www-form-urlencoded"

/*
 * One request to a handler at TS_CONST from 192.0.2.1, with these
 * parameters (NULL: not sent) and len bytes of body.
 */
static void
run(fcgi_handler_fn *handle, struct app *app, const char *method,
    const char *auth, const char *type, const char *body, size_t len,
    struct http_response *resp, struct http_outcome *out)
{
	struct test_request	 t;

	test_request_init(&t, method, TS_CONST);
	test_request_param(&t, "CONTENT_TYPE", type);
	test_request_param(&t, "REMOTE_ADDR", "192.0.2.1");
	test_request_param(&t, "HTTP_AUTHORIZATION", auth);
	t.req.body = body;
	t.req.body_len = len;
	http_response_init(resp);
	http_outcome_init(out);
	ck_assert_int_eq(handle(app, &t.req, resp, out), 0);
	test_request_free(&t);
}

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
	struct http_response	 resp;
	struct token_claims	 claims;
	struct http_outcome	 out;
	char			 header[4096];
	char			*tok = NULL;
	const char		*p, *auth = cases[_i].auth;

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
	run(cases[_i].handle, test_app, cases[_i].method, auth, cases[_i].type,
	    cases[_i].body, cases[_i].body ? strlen(cases[_i].body) : 0,
	    &resp, &out);
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
}
END_TEST

/* A login's token: well formed, ours, for the file's role, not cached. */
START_TEST(test_login_token)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	struct token_claims	 c;
	json_object		*obj, *v;
	const char		*body = "username=alice&password=alicepass";
	const char		*tok;
	char			 head[HTTP_HEAD_MAX], want[256];

	run(login_handle, test_app, "POST", NULL, FORM, body, strlen(body),
	    &resp, &out);
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
	struct http_response	 resp;
	struct http_outcome	 out;
	const char		*body = "username=a%0Ab%22c%1B&password=x";

	run(login_handle, test_app, "POST", NULL, FORM, body, strlen(body),
	    &resp, &out);
	ck_assert_int_eq(resp.status, 401);
	ck_assert_str_eq(out.user, "a\\x0ab\\x22c\\x1b");
	ck_assert_str_eq(out.reason, "unknown user");
}
END_TEST

/* Every endpoint refuses every other method the same way. */
START_TEST(test_methods)
{
	static const char *const methods[] = { "PUT", "DELETE", "PATCH",
	    "OPTIONS", "TRACE", "CONNECT", "" };
	struct http_response	 resp;
	struct http_outcome	 out;
	size_t			 m;

	for (m = 0; m < ARRAY_SIZE(methods); m++) {
		run(endpoints[_i].handle, test_app, methods[m], NULL, NULL,
		    NULL, 0, &resp, &out);
		ck_assert_msg(resp.status == 405, "%s %s: %d",
		    endpoints[_i].name, methods[m], resp.status);
		ck_assert_ptr_nonnull(http_header(&resp, "Allow"));
		ck_assert_str_eq(out.reason, "method not allowed");
	}
}
END_TEST

/*
 * Hostile requests, against an app of their own: a users file that mixes
 * hash settings, cheapest first, with users for the password limits.
 */
#define BCRYPT_COST	6
#define PW_ALICE	"alice-pw"
#define PW_PCT		"100%zz%4% a+b"		/* sent as 100%zz%4%+a%2Bb */
/* libxcrypt hashes passphrases shorter than CRYPT_MAX_PASSPHRASE_SIZE. */
#define PW_MAX_LEN	(CRYPT_MAX_PASSPHRASE_SIZE - 1)	/* 511 */
#define D_NO_USER	"User not found"
#define D_LOGIN		"Invalid username or password"

static struct app	*hostile_app;
static char		 pw73[74];	/* 72 x 'b' then 'X' */
static char		 pw_max[PW_MAX_LEN + 1];

static const struct test_user	 hostile_users[] = {
	{ "pct", "$6$", 1000, PW_PCT, "user" },
	{ "alice", "$2b$", BCRYPT_COST, PW_ALICE, "admin" },
	{ "bob", "$2b$", BCRYPT_COST, "bob-pw", "user:disabled" },
	{ "carol", "$2b$", BCRYPT_COST, "carol-pw", "user" },
	{ "dave", "$2b$", BCRYPT_COST, "dave-pw", "admin:active:3" },
	{ "bc72", "$2b$", BCRYPT_COST, pw73, "user" },
	{ "sha73", "$6$", 1000, pw73, "user" },
	{ "max", "$6$", 1000, pw_max, "user" },
};

/* Unchecked: the hashes are the slow part. */
static void
hostile_setup(void)
{
	size_t	 i;

	memset(pw73, 'b', 72);
	pw73[72] = 'X';
	pw73[73] = '\0';
	for (i = 0; i < PW_MAX_LEN; i++)
		pw_max[i] = (char)('a' + i % 26);
	pw_max[PW_MAX_LEN] = '\0';
	test_write_user_file(test_path("users-hostile"), hostile_users,
	    ARRAY_SIZE(hostile_users));
	hostile_app = test_app_with("HS256", TEST_SECRET_32,
	    test_path("users-hostile"));
}

static void
hostile_teardown(void)
{
	app_free(hostile_app);
	hostile_app = NULL;
}

/* The "detail" string of a JSON response body, or "" if there is none. */
static const char *
detail_of(const struct http_response *resp, char *buf, size_t size)
{
	json_object	*root, *d;

	buf[0] = '\0';
	if ((root = json_tokener_parse(resp->body)) == NULL)
		return buf;
	if (json_object_object_get_ex(root, "detail", &d) &&
	    json_object_is_type(d, json_type_string))
		(void)snprintf(buf, size, "%s", json_object_get_string(d));
	json_object_put(root);
	return buf;
}

/*
 * Genuine tokens that still must not get in, or not as far as they ask:
 * identity, role and revocation come from the users file, not the token.
 * Each is signed over payload as written; status and body (exact, or the
 * detail of a refusal) from the handler.
 */
#define P_EXP_OK	",\"exp\":1700000600"
static const struct {
	const char	*name;
	fcgi_handler_fn	*handle;
	const char	*payload;
	int		 status;
	const char	*body;
} hostile_token_cases[] = {
	{ "role claim admin for a user: /me says user", me_handle,
	    "{\"sub\":\"carol\",\"role\":\"admin\"" P_EXP_OK "}", 200,
	    "{\"username\":\"carol\",\"role\":\"user\"}" },
	{ "role claim admin for a user: /reports refuses", reports_handle,
	    "{\"sub\":\"carol\",\"role\":\"admin\"" P_EXP_OK "}", 403,
	    "Requires role: admin" },
	{ "disabled user's genuine token", me_handle,
	    "{\"sub\":\"bob\",\"role\":\"user\"" P_EXP_OK "}", 401,
	    "User disabled" },
	{ "token older than the user's version", me_handle,
	    "{\"sub\":\"dave\",\"role\":\"admin\"" P_EXP_OK ",\"ver\":2}", 401,
	    "Token revoked" },
	{ "token without ver, user at version 3", me_handle,
	    "{\"sub\":\"dave\",\"role\":\"admin\"" P_EXP_OK "}", 401,
	    "Token revoked" },
	{ "control: token at the user's version", reports_handle,
	    "{\"sub\":\"dave\",\"role\":\"admin\"" P_EXP_OK ",\"ver\":3}", 200,
	    "{\"ok\":true,\"data\":[\"revenue.csv\",\"churn.xlsx\"],"
	    "\"viewer\":\"dave\"}" },
	{ "user not in the file", projects_handle,
	    "{\"sub\":\"mallory\",\"role\":\"admin\"" P_EXP_OK "}", 401,
	    D_NO_USER },
	{ "names are case-sensitive", me_handle,
	    "{\"sub\":\"Alice\",\"role\":\"admin\"" P_EXP_OK "}", 401,
	    D_NO_USER },
	/* Claims the verifier lets through (check_token.c): the file says. */
	{ "sub of 64 bytes: genuine, but no such user", me_handle,
	    "{\"sub\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaa\",\"role\":\"admin\"" P_EXP_OK "}", 401, D_NO_USER },
	{ "sub a path: a name, never opened", me_handle,
	    "{\"sub\":\"../../etc/passwd\",\"role\":\"admin\"" P_EXP_OK "}",
	    401, D_NO_USER },
	{ "sub not ASCII", me_handle,
	    "{\"sub\":\"\\u00e5lice\",\"role\":\"admin\"" P_EXP_OK "}", 401,
	    D_NO_USER },
	{ "duplicate sub, alice then mallory: mallory's", me_handle,
	    "{\"sub\":\"alice\",\"role\":\"admin\"" P_EXP_OK
	    ",\"sub\":\"mallory\"}", 401, D_NO_USER },
	{ "role of 32 bytes: accepted, and the file's role is used",
	    me_handle, "{\"sub\":\"alice\",\"role\":"
	    "\"rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr\"" P_EXP_OK "}", 200,
	    "{\"username\":\"alice\",\"role\":\"admin\"}" },
	{ "genuine, without sub: the payload's fault", me_handle,
	    "{\"role\":\"admin\"" P_EXP_OK "}", 401, "Invalid token payload" },
};

START_TEST(test_hostile_token)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	char			*t, auth[1024], detail[128];

	t = forge_token_str("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
	    hostile_token_cases[_i].payload, "HS256", TEST_SECRET_32,
	    strlen(TEST_SECRET_32));
	ck_assert_ptr_nonnull(t);
	(void)snprintf(auth, sizeof(auth), "Bearer %s", t);
	run(hostile_token_cases[_i].handle, hostile_app, "GET", auth, NULL,
	    NULL, 0, &resp, &out);
	ck_assert_msg(resp.status == hostile_token_cases[_i].status,
	    "%s: %d %s, want %d", hostile_token_cases[_i].name, resp.status,
	    resp.body, hostile_token_cases[_i].status);
	if (resp.status == 200)
		ck_assert_msg(strcmp(resp.body, hostile_token_cases[_i].body) ==
		    0, "%s: body %s", hostile_token_cases[_i].name, resp.body);
	else
		ck_assert_msg(strcmp(detail_of(&resp, detail, sizeof(detail)),
		    hostile_token_cases[_i].body) == 0, "%s: detail \"%s\", "
		    "want \"%s\"", hostile_token_cases[_i].name, detail,
		    hostile_token_cases[_i].body);
	free(t);
}
END_TEST

/*
 * The login form.  why is the handler's log reason, which tells apart
 * refusals that look the same to the client: "unknown user" was hashed
 * against the dummy hash, "NUL byte..." and "password too long" were not
 * hashed at all.  log_user, when set, is what the log line would show.
 */
static const struct {
	const char	*name;
	const char	*content_type;
	const char	*body;
	size_t		 len;		/* 0: strlen(body) */
	int		 status;
	const char	*why;		/* NULL: not checked */
	const char	*log_user;	/* NULL: not checked */
} login_cases[] = {
	{ "control: alice", FORM, "username=alice&password=" PW_ALICE, 0, 200,
	    "login", "alice" },
	{ "SQL in the username", FORM,
	    "username=%27+OR+1%3D1--&password=x", 0, 401, "unknown user",
	    "'\\x20OR\\x201\\x3d1--" },
	{ "SQL in the password", FORM,
	    "username=alice&password=%27+OR+%271%27%3D%271", 0, 401,
	    "wrong password", NULL },
	{ "format string in the username", FORM,
	    "username=%25s%25n%25x%25n&password=%25s%25n", 0, 401,
	    "unknown user", "%s%n%x%n" },
	{ "a path as the username", FORM,
	    "username=..%2F..%2Fetc%2Fpasswd&password=x", 0, 401,
	    "unknown user", "../../etc/passwd" },
	{ "a path as the username, unescaped", FORM,
	    "username=../../etc/passwd&password=x", 0, 401, "unknown user",
	    NULL },
	{ "NUL (%00) after the username", FORM,
	    "username=alice%00&password=" PW_ALICE, 0, 401,
	    "NUL byte in username or password", "alice\\x00" },
	{ "NUL (%00) after the right password", FORM,
	    "username=alice&password=" PW_ALICE "%00garbage", 0, 401,
	    "NUL byte in username or password", NULL },
	{ "a raw NUL byte after the right password", FORM,
	    "username=alice&password=" PW_ALICE "\0x",
	    sizeof("username=alice&password=" PW_ALICE "\0x") - 1, 401,
	    "NUL byte in username or password", NULL },
	{ "invalid UTF-8 username", FORM, "username=%ff%fe%C0%80&password=x",
	    0, 401, "unknown user", "\\xff\\xfe\\xc0\\x80" },
	{ "invalid UTF-8 password", FORM, "username=alice&password=%ff%fe",
	    0, 401, "wrong password", NULL },
	{ "a newline in the username (log injection)", FORM,
	    "username=alice%0a2024+login+ok+user%3Droot&password=x", 0, 401,
	    "unknown user",
	    "alice\\x0a2024\\x20login\\x20ok\\x20user\\x3droot" },
	{ "a quote in the username", FORM, "username=al%22ice&password=x", 0,
	    401, "unknown user", "al\\x22ice" },
	{ "broken escapes are kept as typed", FORM,
	    "username=pct&password=100%zz%4%+a%2Bb", 0, 200, "login", NULL },
	{ "username %", FORM, "username=%&password=x", 0, 401,
	    "unknown user", "%" },
	{ "username %4", FORM, "username=%4&password=x", 0, 401,
	    "unknown user", "%4" },
	{ "username %zz", FORM, "username=%zz&password=x", 0, 401,
	    "unknown user", "%zz" },
	{ "duplicate username: the last wins", FORM,
	    "username=mallory&username=alice&password=" PW_ALICE, 0, 200,
	    "login", "alice" },
	{ "duplicate password: the last wins", FORM,
	    "username=alice&password=" PW_ALICE "&password=wrong", 0, 401,
	    "wrong password", NULL },
	{ "duplicate password, the last right", FORM,
	    "username=alice&password=wrong&password=" PW_ALICE, 0, 200,
	    "login", NULL },
	{ "';' separates fields too", FORM,
	    "username=alice;password=" PW_ALICE, 0, 200, "login", NULL },
	{ "a trailing space in the username", FORM,
	    "username=alice+&password=" PW_ALICE, 0, 401, "unknown user",
	    "alice\\x20" },
	{ "names are case-sensitive", FORM,
	    "username=Alice&password=" PW_ALICE, 0, 401, "unknown user", NULL },
	{ "a username of 255 bytes", FORM, "username="
	    "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
	    "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
	    "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
	    "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
	    "&password=x", 0, 401, "unknown user", NULL },
	{ "a username of 256 bytes", FORM, "username="
	    "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
	    "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
	    "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
	    "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
	    "&password=x", 0, 401, "username too long", NULL },
	{ "disabled user, right password", FORM,
	    "username=bob&password=bob-pw", 0, 401, "user disabled", "bob" },
	{ "password empty", FORM, "username=alice&password=", 0, 422, NULL,
	    NULL },
	{ "password missing", FORM, "username=alice", 0, 422, NULL, NULL },
	{ "username empty", FORM, "username=&password=" PW_ALICE, 0, 422,
	    NULL, NULL },
	{ "grant_type client_credentials", FORM, "grant_type="
	    "client_credentials&username=alice&password=" PW_ALICE, 0, 422,
	    NULL, NULL },
	{ "grant_type starting with password (re.match, as FastAPI)", FORM,
	    "grant_type=passwordX&username=alice&password=" PW_ALICE, 0, 200,
	    "login", NULL },
	{ "grant_type password%00", FORM, "grant_type=password%00&"
	    "username=alice&password=" PW_ALICE, 0, 200, "login", NULL },
	{ "a JSON body", "application/json",
	    "{\"username\":\"alice\",\"password\":\"" PW_ALICE "\"}", 0, 422,
	    NULL, NULL },
	{ "a JSON body sent as a form", FORM,
	    "{\"username\":\"alice\",\"password\":\"" PW_ALICE "\"}", 0, 422,
	    NULL, NULL },
	{ "a form without a content type", NULL,
	    "username=alice&password=" PW_ALICE, 0, 422, NULL, NULL },
	{ "a form as text/plain", "text/plain",
	    "username=alice&password=" PW_ALICE, 0, 422, NULL, NULL },
	{ "a form as multipart (not supported)",
	    "multipart/form-data; boundary=x",
	    "username=alice&password=" PW_ALICE, 0, 422, NULL, NULL },
	{ "a form type with a suffix", FORM "x",
	    "username=alice&password=" PW_ALICE, 0, 422, NULL, NULL },
	{ "control: the form type with a charset", FORM "; charset=UTF-8",
	    "username=alice&password=" PW_ALICE, 0, 200, "login", NULL },
	{ "control: the form type in capitals",
	    "APPLICATION/X-WWW-FORM-URLENCODED",
	    "username=alice&password=" PW_ALICE, 0, 200, "login", NULL },
};

START_TEST(test_hostile_login)
{
	struct http_response	 resp;
	struct http_outcome	 out;

	run(login_handle, hostile_app, "POST", NULL,
	    login_cases[_i].content_type, login_cases[_i].body,
	    login_cases[_i].len > 0 ? login_cases[_i].len :
	    strlen(login_cases[_i].body), &resp, &out);
	ck_assert_msg(resp.status == login_cases[_i].status,
	    "%s: %d %s, want %d", login_cases[_i].name, resp.status,
	    resp.body, login_cases[_i].status);
	if (login_cases[_i].why != NULL)
		ck_assert_msg(out.reason != NULL &&
		    strcmp(out.reason, login_cases[_i].why) == 0,
		    "%s: log reason \"%s\", want \"%s\"", login_cases[_i].name,
		    out.reason != NULL ? out.reason : "(null)",
		    login_cases[_i].why);
	if (login_cases[_i].log_user != NULL)
		ck_assert_msg(strcmp(out.user, login_cases[_i].log_user) == 0,
		    "%s: log user \"%s\", want \"%s\"", login_cases[_i].name,
		    out.user, login_cases[_i].log_user);
	/* Whatever was sent, the log line stays one line of ASCII. */
	ck_assert_msg(strspn(out.user, " !#$%&'()*+,-./0123456789:;<=>?@"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~") ==
	    strlen(out.user), "%s: log user \"%s\"", login_cases[_i].name,
	    out.user);
	if (resp.status == 200)
		ck_assert_msg(http_header(&resp, "Cache-Control") != NULL &&
		    strcmp(http_header(&resp, "Cache-Control"), "no-store") ==
		    0, "%s: a token without no-store",
		    login_cases[_i].name);
	if (resp.status == 401)
		ck_assert_msg(strcmp(resp.body,
		    "{\"detail\":\"" D_LOGIN "\"}") == 0, "%s: body %s",
		    login_cases[_i].name, resp.body);
}
END_TEST

/*
 * A POST without a body, as a hand-built request may have it: body NULL.
 * http_form_parse used to compute NULL + 0, which is undefined (clang's
 * UBSan stops there); now it is a form with no fields, so 422.
 */
START_TEST(test_login_null_body)
{
	struct http_response	 resp;
	struct http_outcome	 out;

	run(login_handle, hostile_app, "POST", NULL, FORM, NULL, 0, &resp,
	    &out);
	ck_assert_int_eq(resp.status, 422);
}
END_TEST

/*
 * A token from the login works on /me, and not for someone else: the
 * round trip of the control case above.
 */
START_TEST(test_login_token_round_trip)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	struct app		*other;
	json_object		*root, *tok;
	const char		*body = "username=carol&password=carol-pw";
	char			 auth[1024];

	run(login_handle, hostile_app, "POST", NULL, FORM, body, strlen(body),
	    &resp, &out);
	ck_assert_int_eq(resp.status, 200);
	ck_assert((root = json_tokener_parse(resp.body)) != NULL);
	ck_assert(json_object_object_get_ex(root, "access_token", &tok));
	(void)snprintf(auth, sizeof(auth), "Bearer %s",
	    json_object_get_string(tok));
	json_object_put(root);
	run(me_handle, hostile_app, "GET", auth, NULL, NULL, 0, &resp, &out);
	ck_assert_str_eq(resp.body, "{\"username\":\"carol\",\"role\":\"user\"}");
	run(reports_handle, hostile_app, "GET", auth, NULL, NULL, 0, &resp,
	    &out);
	ck_assert_int_eq(resp.status, 403);
	/* Another service's secret (and algorithm): the token means nothing. */
	other = test_app_with("HS512", TEST_SECRET_64,
	    test_path("users-hostile"));
	run(me_handle, other, "GET", auth, NULL, NULL, 0, &resp, &out);
	ck_assert_int_eq(resp.status, 401);
	app_free(other);
}
END_TEST

/*
 * Password lengths.  Longer than PASSWORD_MAX_BYTES (511, the most
 * libxcrypt takes: CRYPT_MAX_PASSPHRASE_SIZE - 1) is refused before
 * hashing, with the same 401 as a wrong password, for known, disabled
 * and unknown users alike (the length is no secret, the name is).
 * bcrypt (libxcrypt's $2b$) reads only the first 72 bytes, so for bc72,
 * hashed from a 73-byte password, any password with the same first 72
 * bytes matches; the sha512crypt user hashed from the same password
 * shows it is bcrypt's doing.  yescrypt, libxcrypt's default, has no
 * such limit.
 */
enum pw_kind {
	PW_B72,		/* 72 x 'b' */
	PW_B72_Y,	/* 72 x 'b' then 'Y' (the hash is of ... 'X') */
	PW_B73,		/* 72 x 'b' then 'X': the hashed password */
	PW_B71,		/* 71 x 'b' */
	PW_MAX,		/* max's 511-byte password */
	PW_MAX_PLUS,	/* max's password and one more byte */
	PW_X,		/* n x 'x' */
};

static const struct {
	const char	*name;
	const char	*user;
	enum pw_kind	 kind;
	size_t		 n;		/* for PW_X */
	int		 status;
	const char	*why;
} password_cases[] = {
	{ "0 bytes", "alice", PW_X, 0, 422, NULL },
	{ "72 bytes, wrong", "alice", PW_X, 72, 401, "wrong password" },
	{ "73 bytes, wrong", "alice", PW_X, 73, 401, "wrong password" },
	/* PASSWORD_MAX_BYTES is 511: libxcrypt takes no more. */
	{ "512 bytes: refused unhashed", "alice", PW_X, 512, 401,
	    "password too long" },
	{ "1024 bytes", "alice", PW_X, 1024, 401, "password too long" },
	{ "1024 bytes, disabled user", "bob", PW_X, 1024, 401,
	    "password too long" },
	{ "1024 bytes, unknown user", "nobody", PW_X, 1024, 401,
	    "password too long" },
	{ "1025 bytes: refused unhashed", "alice", PW_X, 1025, 401,
	    "password too long" },
	{ "1025 bytes, unknown user: refused unhashed", "nobody", PW_X, 1025,
	    401, "password too long" },
	{ "control: 511 bytes, right", "max", PW_MAX, 0, 200, "login" },
	{ "the 511 right bytes and one more", "max", PW_MAX_PLUS, 0, 401,
	    "password too long" },
	{ "bcrypt: the 73 hashed bytes", "bc72", PW_B73, 0, 200, "login" },
	{ "bcrypt: the first 72 of them also match", "bc72", PW_B72, 0, 200,
	    "login" },
	{ "bcrypt: a different 73rd byte also matches", "bc72", PW_B72_Y, 0,
	    200, "login" },
	{ "bcrypt: 71 bytes do not", "bc72", PW_B71, 0, 401,
	    "wrong password" },
	{ "sha512crypt: the 73 hashed bytes", "sha73", PW_B73, 0, 200,
	    "login" },
	{ "sha512crypt: the first 72 do not match", "sha73", PW_B72, 0, 401,
	    "wrong password" },
	{ "sha512crypt: a different 73rd byte does not", "sha73", PW_B72_Y, 0,
	    401, "wrong password" },
};

START_TEST(test_password_length)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	char			 body[64 + 1100];
	char			 pw[1100];	/* past the limit, to 1025 */
	size_t			 n;

	switch (password_cases[_i].kind) {
	case PW_B72:
	case PW_B72_Y:
	case PW_B73:
	case PW_B71:
		memcpy(pw, pw73, sizeof(pw73));
		if (password_cases[_i].kind == PW_B72)
			pw[72] = '\0';
		else if (password_cases[_i].kind == PW_B72_Y)
			pw[72] = 'Y';
		else if (password_cases[_i].kind == PW_B71)
			pw[71] = '\0';
		break;
	case PW_MAX:
	case PW_MAX_PLUS:
		memcpy(pw, pw_max, sizeof(pw_max));
		if (password_cases[_i].kind == PW_MAX_PLUS) {
			pw[PW_MAX_LEN] = 'z';
			pw[PW_MAX_LEN + 1] = '\0';
		}
		break;
	case PW_X:
		n = password_cases[_i].n;
		ck_assert(n < sizeof(pw));
		memset(pw, 'x', n);
		pw[n] = '\0';
		break;
	}
	n = (size_t)snprintf(body, sizeof(body), "username=%s&password=%s",
	    password_cases[_i].user, pw);
	ck_assert(n < sizeof(body));
	run(login_handle, hostile_app, "POST", NULL, FORM, body, n, &resp,
	    &out);
	ck_assert_msg(resp.status == password_cases[_i].status,
	    "%s: %d %s, want %d", password_cases[_i].name, resp.status,
	    resp.body, password_cases[_i].status);
	if (password_cases[_i].why != NULL)
		ck_assert_msg(out.reason != NULL &&
		    strcmp(out.reason, password_cases[_i].why) == 0,
		    "%s: log reason \"%s\", want \"%s\"",
		    password_cases[_i].name,
		    out.reason != NULL ? out.reason : "(null)",
		    password_cases[_i].why);
}
END_TEST

/*
 * authorize.fcgi, on the cast (alice admin, bob user, carol disabled,
 * dave at version 3, erin auditor) and a policy.
 */
#define POLICY \
	"role admin reports:read projects:read users:admin\n" \
	"role user projects:read\n" \
	"allow GET,HEAD /reports/ scope=reports:read\n" \
	"allow * /projects/ role=admin,user\n" \
	"allow GET /public/ anyone\n" \
	"allow * / authenticated\n"
#define ALL	"reports:read projects:read users:admin"

static struct app	*policy_app, *cache_app, *nocache_app;

static void
policy_setup(void)
{
	test_write_users(test_path("users"));
	test_write(test_path("policy"), POLICY, strlen(POLICY));
	policy_app = test_app_policy(test_path("policy"), NULL);
	cache_app = test_app_policy(test_path("policy"), "10");
	nocache_app = test_app_policy(test_path("policy"), "0");
}

static void
policy_teardown(void)
{
	app_free(policy_app);
	app_free(cache_app);
	app_free(nocache_app);
	policy_app = cache_app = nocache_app = NULL;
}

/* A token from app for sub with scope, minted at when. */
static char *
mint_for(struct app *app, const char *sub, const char *scope, time_t when)
{
	struct token_claims	 c;
	char			*tok;

	ck_assert_int_eq(token_claims_init(&c, sub, "user", 3), 0);
	ck_assert_int_eq(token_claims_scope(&c, scope), 0);
	ck_assert_int_eq(token_mint(app_cfg(app), &c, when, &tok), 0);
	return tok;
}

/*
 * One request to authorize: method and parameters ("NAME=value"), a
 * token for sub (NULL: none; "!": not a token) with scope, and the exact
 * head and body of the answer.  "%L" in the head is the body's length.
 */
static const struct {
	const char	*name;
	const char	*method;
	const char	*params[7];
	const char	*sub, *scope;
	const char	*head, *body;
} authorize_cases[] = {
	/* forward auth (nginx), and plain CGI: the same answer */
	{ "forward: allowed", "GET", { "REQUEST_URI=/x",
	    "HTTP_X_ORIGINAL_URI=/reports/x", "HTTP_X_ORIGINAL_METHOD=GET" },
	    "alice", ALL,
	    "Status: 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: %L\r\nX-Auth-User: alice\r\nX-Auth-Role: admin\r\n"
	    "X-Auth-Scope: " ALL "\r\nX-Accel-Expires: 1\r\n\r\n",
	    "{\"username\":\"alice\",\"role\":\"admin\",\"scope\":\"" ALL "\"}" },
	{ "CGI: allowed", "GET", { "REQUEST_URI=/projects/" }, "bob", "",
	    "Status: 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: %L\r\nX-Auth-User: bob\r\nX-Auth-Role: user\r\n"
	    "X-Auth-Scope: \r\nX-Accel-Expires: 1\r\n\r\n",
	    "{\"username\":\"bob\",\"role\":\"user\",\"scope\":\"\"}" },
	{ "Caddy: allowed, all three headers though anonymous", "GET",
	    { "REQUEST_URI=/public/x", "HTTP_X_FORWARDED_URI=/public/x",
	    "HTTP_X_FORWARDED_METHOD=GET" }, NULL, NULL,
	    "Status: 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: %L\r\nX-Auth-User: \r\nX-Auth-Role: \r\n"
	    "X-Auth-Scope: \r\nX-Accel-Expires: 1\r\n\r\n",
	    "{\"username\":null,\"role\":null,\"scope\":\"\"}" },
	{ "forward: forged identity headers change nothing", "GET",
	    { "REQUEST_URI=/public/x", "HTTP_X_AUTH_USER=mallory",
	    "HTTP_X_AUTH_ROLE=admin", "HTTP_X_AUTH_SCOPE=" ALL,
	    "HTTP_REMOTE_USER=mallory", "HTTP_VARIABLE_REMOTE_USER=mallory" },
	    "!", NULL,
	    "Status: 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: %L\r\nX-Auth-User: \r\nX-Auth-Role: \r\n"
	    "X-Auth-Scope: \r\nX-Accel-Expires: 1\r\n\r\n",
	    "{\"username\":null,\"role\":null,\"scope\":\"\"}" },
	/* the FastCGI Authorizer role: Variable-* only, no body, no length */
	{ "Authorizer: allowed", "GET", { "FCGI_ROLE=AUTHORIZER",
	    "REQUEST_URI=/reports/x" }, "alice", ALL,
	    "Status: 200 OK\r\nVariable-REMOTE_USER: alice\r\n"
	    "Variable-AUTH_USER: alice\r\nVariable-AUTH_ROLE: admin\r\n"
	    "Variable-AUTH_SCOPE: " ALL "\r\n\r\n", "" },
	{ "Authorizer: anonymous, no REMOTE_USER", "GET",
	    { "FCGI_ROLE=AUTHORIZER", "REQUEST_URI=/public/x" }, NULL, NULL,
	    "Status: 200 OK\r\nVariable-AUTH_USER: \r\nVariable-AUTH_ROLE: \r\n"
	    "Variable-AUTH_SCOPE: \r\n\r\n", "" },
	{ "Authorizer: forged Variable-* and X-Auth-* change nothing", "GET",
	    { "FCGI_ROLE=AUTHORIZER", "REQUEST_URI=/public/x",
	    "HTTP_VARIABLE_REMOTE_USER=mallory", "HTTP_REMOTE_USER=mallory",
	    "HTTP_X_AUTH_USER=mallory", "HTTP_AUTH_USER=mallory" }, "carol",
	    ALL,
	    "Status: 200 OK\r\nVariable-AUTH_USER: \r\nVariable-AUTH_ROLE: \r\n"
	    "Variable-AUTH_SCOPE: \r\n\r\n", "" },
	{ "Authorizer: the client's X-Original-URI is ignored", "GET",
	    { "FCGI_ROLE=AUTHORIZER", "REQUEST_URI=/reports/x",
	    "HTTP_X_ORIGINAL_URI=/public/x", "HTTP_X_ORIGINAL_METHOD=GET" },
	    NULL, NULL,
	    "Status: 401 Unauthorized\r\nContent-Type: application/json\r\n"
	    "Content-Length: %L\r\nWWW-Authenticate: Bearer\r\n"
	    "Cache-Control: no-store\r\n\r\n",
	    "{\"detail\":\"Not authenticated\"}" },
	/* every refusal, every way: never cacheable */
	{ "401 bad token", "GET", { "REQUEST_URI=/reports/x" }, "!", NULL,
	    "Status: 401 Unauthorized\r\nContent-Type: application/json\r\n"
	    "Content-Length: %L\r\n"
	    "WWW-Authenticate: Bearer error=\"invalid_token\"\r\n"
	    "Cache-Control: no-store\r\n\r\n",
	    "{\"detail\":\"Invalid or expired token\"}" },
	{ "Authorizer: 401 disabled", "GET", { "FCGI_ROLE=AUTHORIZER",
	    "REQUEST_URI=/reports/x" }, "carol", ALL,
	    "Status: 401 Unauthorized\r\nContent-Type: application/json\r\n"
	    "Content-Length: %L\r\n"
	    "WWW-Authenticate: Bearer error=\"invalid_token\"\r\n"
	    "Cache-Control: no-store\r\n\r\n",
	    "{\"detail\":\"User disabled\"}" },
	{ "401 unknown user", "GET", { "REQUEST_URI=/x" }, "zed", "",
	    "Status: 401 Unauthorized\r\nContent-Type: application/json\r\n"
	    "Content-Length: %L\r\n"
	    "WWW-Authenticate: Bearer error=\"invalid_token\"\r\n"
	    "Cache-Control: no-store\r\n\r\n",
	    "{\"detail\":\"User not found\"}" },
	{ "401 revoked (dave is at version 3)", "GET", { "REQUEST_URI=/x" },
	    "{\"sub\":\"dave\",\"role\":\"user\",\"exp\":1700000600,"
	    "\"ver\":2}", NULL,
	    "Status: 401 Unauthorized\r\nContent-Type: application/json\r\n"
	    "Content-Length: %L\r\n"
	    "WWW-Authenticate: Bearer error=\"invalid_token\"\r\n"
	    "Cache-Control: no-store\r\n\r\n",
	    "{\"detail\":\"Token revoked\"}" },
	{ "401 genuine, without role", "GET", { "REQUEST_URI=/x" },
	    "{\"sub\":\"alice\",\"exp\":1700000600}", NULL,
	    "Status: 401 Unauthorized\r\nContent-Type: application/json\r\n"
	    "Content-Length: %L\r\n"
	    "WWW-Authenticate: Bearer error=\"invalid_token\"\r\n"
	    "Cache-Control: no-store\r\n\r\n",
	    "{\"detail\":\"Invalid token payload\"}" },
	{ "401 a scope claim of the wrong type", "GET", { "REQUEST_URI=/x" },
	    "{\"sub\":\"alice\",\"role\":\"admin\",\"exp\":1700000600,"
	    "\"scope\":[\"reports:read\"]}", NULL,
	    "Status: 401 Unauthorized\r\nContent-Type: application/json\r\n"
	    "Content-Length: %L\r\n"
	    "WWW-Authenticate: Bearer error=\"invalid_token\"\r\n"
	    "Cache-Control: no-store\r\n\r\n",
	    "{\"detail\":\"Invalid or expired token\"}" },
	{ "403 scope", "GET", { "REQUEST_URI=/reports/x" }, "bob",
	    "reports:read",
	    "Status: 403 Forbidden\r\nContent-Type: application/json\r\n"
	    "Content-Length: %L\r\nWWW-Authenticate: Bearer "
	    "error=\"insufficient_scope\", scope=\"reports:read\"\r\n"
	    "Cache-Control: no-store\r\n\r\n",
	    "{\"detail\":\"Requires scope: reports:read\"}" },
	{ "403 role", "GET", { "REQUEST_URI=/projects/x",
	    "HTTP_X_FORWARDED_URI=/projects/x", "HTTP_X_FORWARDED_METHOD=GET" },
	    "erin", "",
	    "Status: 403 Forbidden\r\nContent-Type: application/json\r\n"
	    "Content-Length: %L\r\nCache-Control: no-store\r\n\r\n",
	    "{\"detail\":\"Requires role: admin, user\"}" },
	{ "403 no rule", "POST", { "REQUEST_URI=/reports/x" }, "alice", ALL,
	    "Status: 403 Forbidden\r\nContent-Type: application/json\r\n"
	    "Content-Length: %L\r\nCache-Control: no-store\r\n\r\n",
	    "{\"detail\":\"Not allowed by policy\"}" },
	{ "400 bad path", "GET", { "REQUEST_URI=/public/%2e%2e%2freports/x" },
	    "alice", ALL,
	    "Status: 400 Bad Request\r\nContent-Type: application/json\r\n"
	    "Content-Length: %L\r\nCache-Control: no-store\r\n\r\n",
	    "{\"detail\":\"Invalid request path\"}" },
	{ "400 a method that is no method", "GET", { "REQUEST_URI=/x",
	    "HTTP_X_FORWARDED_URI=/public/x",
	    "HTTP_X_FORWARDED_METHOD=GET\t/" }, NULL, NULL,
	    "Status: 400 Bad Request\r\nContent-Type: application/json\r\n"
	    "Content-Length: %L\r\nCache-Control: no-store\r\n\r\n",
	    "{\"detail\":\"Invalid request method\"}" },
	{ "500 both header families", "GET", { "REQUEST_URI=/public/x",
	    "HTTP_X_ORIGINAL_URI=/public/x", "HTTP_X_ORIGINAL_METHOD=GET",
	    "HTTP_X_FORWARDED_URI=/public/x", "HTTP_X_FORWARDED_METHOD=GET" },
	    NULL, NULL,
	    "Status: 500 Internal Server Error\r\n"
	    "Content-Type: application/json\r\nContent-Length: %L\r\n"
	    "Cache-Control: no-store\r\n\r\n",
	    "{\"detail\":\"Server misconfigured\"}" },
};

START_TEST(test_authorize)
{
	struct test_request	 t;
	struct http_response	 resp;
	struct http_outcome	 out;
	char			 head[HTTP_HEAD_MAX], want[1024], name[64];
	char			 header[4096], len[16];
	char			*tok = NULL;
	const char		*eq, *p, *sub = authorize_cases[_i].sub;
	size_t			 i;
	long			 n;

	test_request_init(&t, authorize_cases[_i].method, TS_CONST);
	for (i = 0; i < ARRAY_SIZE(authorize_cases[_i].params) &&
	    authorize_cases[_i].params[i] != NULL; i++) {
		eq = strchr(authorize_cases[_i].params[i], '=');
		(void)snprintf(name, sizeof(name), "%.*s",
		    (int)(eq - authorize_cases[_i].params[i]),
		    authorize_cases[_i].params[i]);
		test_request_param(&t, name, eq + 1);
	}
	if (sub != NULL && strcmp(sub, "!") == 0)
		test_request_param(&t, "HTTP_AUTHORIZATION", "Bearer x.y.z");
	else if (sub != NULL && sub[0] == '{') {
		/* A payload as written, signed with the app's secret. */
		tok = forge_token_str("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
		    sub, "HS256", TEST_SECRET_32, strlen(TEST_SECRET_32));
		ck_assert_ptr_nonnull(tok);
		(void)snprintf(header, sizeof(header), "Bearer %s", tok);
		test_request_param(&t, "HTTP_AUTHORIZATION", header);
	} else if (sub != NULL) {
		tok = mint_for(policy_app, sub, authorize_cases[_i].scope,
		    TS_CONST);
		(void)snprintf(header, sizeof(header), "Bearer %s", tok);
		test_request_param(&t, "HTTP_AUTHORIZATION", header);
	}
	http_response_init(&resp);
	http_outcome_init(&out);
	ck_assert_int_eq(authorize_handle(policy_app, &t.req, &resp, &out), 0);
	ck_assert_int_gt(n = http_format_head(&resp, head, sizeof(head)), 0);
	(void)snprintf(len, sizeof(len), "%zu", resp.body_len);
	p = strstr(authorize_cases[_i].head, "%L");
	if (p != NULL)
		(void)snprintf(want, sizeof(want), "%.*s%s%s",
		    (int)(p - authorize_cases[_i].head),
		    authorize_cases[_i].head, len, p + 2);
	else
		(void)snprintf(want, sizeof(want), "%s",
		    authorize_cases[_i].head);
	ck_assert_msg(strcmp(head, want) == 0, "%s: head\n%s\nwant\n%s",
	    authorize_cases[_i].name, head, want);
	ck_assert_msg(strcmp(resp.body, authorize_cases[_i].body) == 0,
	    "%s: body %s", authorize_cases[_i].name, resp.body);
	/* The log line: a reason for each refusal, the method and path. */
	if (resp.status >= 400)
		ck_assert_ptr_nonnull(out.reason);
	else
		ck_assert_ptr_null(out.reason);
	if (resp.status != 500 && strstr(authorize_cases[_i].name,
	    "method") == NULL)
		ck_assert_str_eq(out.method, authorize_cases[_i].method);
	free(tok);
	test_request_free(&t);
}
END_TEST

/*
 * authorize for browsers: the access cookie as well as the Bearer
 * header; no valid token, a 302 to the sign-in page wherever the proxy
 * can pass one on (not on nginx's first ask); refused, a 403 page.
 * "%T" in the cookie or header is a token for sub ("%E" expired, "%K"
 * signed with another key, "%N" alg none).
 */
#define HTML	"HTTP_ACCEPT=text/html,application/xhtml+xml,*/*;q=0.8"
static const struct {
	const char	*name;
	const char	*method;
	const char	*params[8];
	const char	*sub;
	int		 status;
	const char	*location;	/* NULL: none */
	const char	*has;		/* in the body */
} web_authz_cases[] = {
	{ "Authorizer: no token, 302", "GET", { "FCGI_ROLE=AUTHORIZER",
	    "REQUEST_URI=/reports/x?a=1&b=%2F", HTML }, NULL, 302,
	    "/auth/signin?next=/reports/x%3Fa%3D1%26b%3D%252F",
	    "href=\"/auth/signin?next=/reports/x%3Fa%3D1%26b%3D%252F\"" },
	{ "Authorizer: HEAD, 302", "HEAD", { "FCGI_ROLE=AUTHORIZER",
	    "REQUEST_URI=/files/", HTML }, NULL, 302,
	    "/auth/signin?next=/files/", "Continue" },
	{ "Caddy: no token, 302 to its URI", "GET", { "REQUEST_URI=/auth",
	    "HTTP_X_FORWARDED_URI=/files/a.txt",
	    "HTTP_X_FORWARDED_METHOD=GET", HTML }, NULL, 302,
	    "/auth/signin?next=/files/a.txt", NULL },
	{ "CGI: no token, 302", "GET", { "REQUEST_URI=/files/", HTML }, NULL,
	    302, "/auth/signin?next=/files/", NULL },
	{ "nginx first ask: 401 stays", "GET", { "REQUEST_URI=/auth",
	    "HTTP_X_ORIGINAL_URI=/files/", "HTTP_X_ORIGINAL_METHOD=GET", HTML },
	    NULL, 401, NULL, "Not authenticated" },
	{ "nginx first ask, reply blank: 401", "GET", { "REQUEST_URI=/auth",
	    "HTTP_X_ORIGINAL_URI=/files/", "HTTP_X_ORIGINAL_METHOD=GET",
	    "HTTP_X_FCGI_AUTH_REPLY=", HTML }, NULL, 401, NULL,
	    "Not authenticated" },
	{ "nginx second ask: 302", "GET", { "REQUEST_URI=/files/",
	    "HTTP_X_ORIGINAL_URI=/files/?x", "HTTP_X_ORIGINAL_METHOD=GET",
	    "HTTP_X_FCGI_AUTH_REPLY=client", HTML }, NULL, 302,
	    "/auth/signin?next=/files/%3Fx", NULL },
	{ "API client: 401 JSON", "GET", { "FCGI_ROLE=AUTHORIZER",
	    "REQUEST_URI=/files/", "HTTP_ACCEPT=application/json" }, NULL,
	    401, NULL, "{\"detail\":\"Not authenticated\"}" },
	{ "no Accept: 401 JSON", "GET", { "REQUEST_URI=/files/" }, NULL, 401,
	    NULL, "{\"detail\":\"Not authenticated\"}" },
	{ "POST from a browser: 401 JSON", "POST", { "FCGI_ROLE=AUTHORIZER",
	    "REQUEST_URI=/files/", HTML }, NULL, 401, NULL,
	    "{\"detail\":\"Not authenticated\"}" },
	{ "nginx: original method POST: 401 JSON", "GET",
	    { "REQUEST_URI=/auth", "HTTP_X_ORIGINAL_URI=/files/",
	    "HTTP_X_ORIGINAL_METHOD=POST", "HTTP_X_FCGI_AUTH_REPLY=client",
	    HTML }, NULL, 401, NULL, "Not authenticated" },
	{ "the sign-in page itself: 401, no loop", "GET",
	    { "FCGI_ROLE=AUTHORIZER", "REQUEST_URI=/auth/signin?next=%2Fx",
	    HTML }, NULL, 401, NULL, "Not authenticated" },
	{ "the sign-in page without next: 401, no loop", "GET",
	    { "FCGI_ROLE=AUTHORIZER", "REQUEST_URI=/auth/signin", HTML }, NULL,
	    401, NULL, "Not authenticated" },
	{ "a path beside it: 302", "GET", { "FCGI_ROLE=AUTHORIZER",
	    "REQUEST_URI=/auth/signinx", HTML }, NULL, 302,
	    "/auth/signin?next=/auth/signinx", NULL },
	{ "a next off the site: no next", "GET", { "FCGI_ROLE=AUTHORIZER",
	    "REQUEST_URI=//evil.example/", HTML }, NULL, 302,
	    "/auth/signin", NULL },
	/* the access cookie */
	{ "cookie: allowed", "GET", { "REQUEST_URI=/reports/x", HTML,
	    "HTTP_COOKIE=x=1; fcgi-auth=%T; y=2" }, "alice", 200, NULL,
	    "{\"username\":\"alice\"" },
	{ "cookie: Authorizer allowed", "GET", { "FCGI_ROLE=AUTHORIZER",
	    "REQUEST_URI=/reports/x", "HTTP_COOKIE=fcgi-auth=%T" }, "alice",
	    200, NULL, "" },
	{ "cookie: https reads __Host-", "GET", { "REQUEST_URI=/reports/x",
	    "HTTPS=on", "HTTP_COOKIE=__Host-fcgi-auth=%T" }, "alice", 200,
	    NULL, "alice" },
	{ "cookie: https ignores the plain name", "GET",
	    { "REQUEST_URI=/reports/x", "HTTPS=on", HTML,
	    "HTTP_COOKIE=fcgi-auth=%T" }, "alice", 302,
	    "/auth/signin?next=/reports/x", NULL },
	{ "cookie: forward auth over https", "GET", { "REQUEST_URI=/auth",
	    "HTTP_X_FORWARDED_URI=/reports/x", "HTTP_X_FORWARDED_METHOD=GET",
	    "HTTP_X_FORWARDED_PROTO=https",
	    "HTTP_COOKIE=__Host-fcgi-auth=%T" }, "alice", 200, NULL, "alice" },
	{ "cookie: forged, browser 302", "GET", { "REQUEST_URI=/reports/x",
	    HTML, "HTTP_COOKIE=fcgi-auth=%K" }, "alice", 302,
	    "/auth/signin?next=/reports/x", NULL },
	{ "cookie: forged, API 401", "GET", { "REQUEST_URI=/reports/x",
	    "HTTP_COOKIE=fcgi-auth=%K" }, "alice", 401, NULL,
	    "{\"detail\":\"Invalid or expired token\"}" },
	{ "cookie: alg none, 302", "GET", { "REQUEST_URI=/reports/x", HTML,
	    "HTTP_COOKIE=fcgi-auth=%N" }, "alice", 302,
	    "/auth/signin?next=/reports/x", NULL },
	{ "cookie: alg none, API 401", "GET", { "REQUEST_URI=/reports/x",
	    "HTTP_COOKIE=fcgi-auth=%N" }, "alice", 401, NULL,
	    "{\"detail\":\"Invalid or expired token\"}" },
	{ "cookie: expired, 302", "GET", { "REQUEST_URI=/reports/x", HTML,
	    "HTTP_COOKIE=fcgi-auth=%E" }, "alice", 302,
	    "/auth/signin?next=/reports/x", NULL },
	{ "cookie: disabled user, 302", "GET", { "REQUEST_URI=/reports/x",
	    HTML, "HTTP_COOKIE=fcgi-auth=%T" }, "carol", 302,
	    "/auth/signin?next=/reports/x", NULL },
	{ "Bearer first: a bad one beats a good cookie", "GET",
	    { "REQUEST_URI=/reports/x", "HTTP_AUTHORIZATION=Bearer x.y.z",
	    "HTTP_COOKIE=fcgi-auth=%T" }, "alice", 401, NULL,
	    "Invalid or expired token" },
	{ "Bearer first: a good one beats a bad cookie", "GET",
	    { "REQUEST_URI=/reports/x", "HTTP_AUTHORIZATION=Bearer %T",
	    "HTTP_COOKIE=fcgi-auth=x.y.z" }, "alice", 200, NULL, "alice" },
	/*
	 * nginx asks again only after a refusal; an allow then means another
	 * process judged with a copy a moment older or newer (the ended
	 * sessions, the users file).  Passed on, the client would get this
	 * JSON instead of its file: it is sent to ask again, method kept.
	 */
	{ "nginx second ask, now allowed: 307 to ask again", "GET",
	    { "REQUEST_URI=/auth", "HTTP_X_ORIGINAL_URI=/reports/x?a=1",
	    "HTTP_X_ORIGINAL_METHOD=GET", "HTTP_X_FCGI_AUTH_REPLY=client",
	    HTML, "HTTP_COOKIE=fcgi-auth=%T" }, "alice", 307,
	    "/reports/x?a=1", "/reports/x?a=1" },
	{ "nginx second ask, API client, now allowed: 307", "GET",
	    { "REQUEST_URI=/auth", "HTTP_X_ORIGINAL_URI=/reports/x",
	    "HTTP_X_ORIGINAL_METHOD=HEAD", "HTTP_X_FCGI_AUTH_REPLY=client",
	    "HTTP_AUTHORIZATION=Bearer %T" }, "alice", 307, "/reports/x",
	    NULL },
	{ "nginx second ask, now allowed, odd target: 503", "GET",
	    { "REQUEST_URI=/auth", "HTTP_X_ORIGINAL_URI=//reports/x",
	    "HTTP_X_ORIGINAL_METHOD=GET", "HTTP_X_FCGI_AUTH_REPLY=client",
	    "HTTP_AUTHORIZATION=Bearer %T" }, "alice", 503, NULL,
	    "{\"detail\":\"The verdict changed while it was asked: try "
	    "again\"}" },
	/* refused: a page, not a redirect */
	{ "403 role: a page", "GET", { "REQUEST_URI=/projects/x", HTML,
	    "HTTP_COOKIE=fcgi-auth=%T" }, "erin", 403, NULL,
	    "You are signed in as erin, but this page is not open to you "
	    "(Requires role: admin, user)." },
	{ "403 role: sign-out button", "GET", { "FCGI_ROLE=AUTHORIZER",
	    "REQUEST_URI=/projects/x", HTML, "HTTP_COOKIE=fcgi-auth=%T" },
	    "erin", 403, NULL,
	    "<form method=\"post\" action=\"/auth/signout\">" },
	{ "403 scope: a page on nginx's first ask too", "GET",
	    { "REQUEST_URI=/auth", "HTTP_X_ORIGINAL_URI=/reports/x",
	    "HTTP_X_ORIGINAL_METHOD=GET", HTML, "HTTP_COOKIE=fcgi-auth=%T" },
	    "bob", 403, NULL, "Requires scope: reports:read" },
	{ "403 for an API client: JSON", "GET", { "REQUEST_URI=/projects/x",
	    "HTTP_COOKIE=fcgi-auth=%T" }, "erin", 403, NULL,
	    "{\"detail\":\"Requires role: admin, user\"}" },
};

START_TEST(test_authorize_web)
{
	struct test_request	 t;
	struct http_response	 resp;
	struct http_outcome	 out;
	char			 name[64], val[4096];
	char			*tok = NULL;
	const char		*eq, *p, *param, *key =
				    "0123456789abcdef0123456789abcdeX";
	size_t			 i;

	test_request_init(&t, web_authz_cases[_i].method, TS_CONST);
	for (i = 0; i < ARRAY_SIZE(web_authz_cases[_i].params) &&
	    (param = web_authz_cases[_i].params[i]) != NULL; i++) {
		eq = strchr(param, '=');
		(void)snprintf(name, sizeof(name), "%.*s", (int)(eq - param),
		    param);
		(void)snprintf(val, sizeof(val), "%s", eq + 1);
		if ((p = strchr(eq + 1, '%')) != NULL && p[1] != '\0' &&
		    strchr("TEKN", p[1]) != NULL) {
			if (p[1] == 'T')
				tok = mint_for(policy_app,
				    web_authz_cases[_i].sub, ALL, TS_CONST);
			else if (p[1] == 'E')
				tok = mint_for(policy_app,
				    web_authz_cases[_i].sub, ALL,
				    TS_CONST - 1801);
			else if (p[1] == 'K')
				tok = forge_token_str("{\"alg\":\"HS256\","
				    "\"typ\":\"JWT\"}", "{\"sub\":\"alice\","
				    "\"role\":\"admin\",\"exp\":1700000600}",
				    "HS256", key, strlen(key));
			else
				tok = forge_token_str("{\"alg\":\"none\"}",
				    "{\"sub\":\"alice\",\"role\":\"admin\","
				    "\"exp\":1700000600}", NULL, "", 0);
			ck_assert_ptr_nonnull(tok);
			(void)snprintf(val, sizeof(val), "%.*s%s%s",
			    (int)(p - eq - 1), eq + 1, tok, p + 2);
			free(tok);
			tok = NULL;
		}
		test_request_param(&t, name, val);
	}
	http_response_init(&resp);
	http_outcome_init(&out);
	ck_assert_int_eq(authorize_handle(policy_app, &t.req, &resp, &out), 0);
	ck_assert_msg(resp.status == web_authz_cases[_i].status,
	    "%s: status %d: %s", web_authz_cases[_i].name, resp.status,
	    resp.body);
	if (web_authz_cases[_i].location != NULL) {
		ck_assert_msg(http_header(&resp, "Location") != NULL &&
		    strcmp(http_header(&resp, "Location"),
		    web_authz_cases[_i].location) == 0, "%s: Location %s",
		    web_authz_cases[_i].name, http_header(&resp, "Location"));
		ck_assert_str_eq(http_header(&resp, "Cache-Control"),
		    "no-store");
		ck_assert_str_eq(resp.content_type, "text/html; charset=utf-8");
		ck_assert_ptr_null(http_header(&resp, "WWW-Authenticate"));
	} else
		ck_assert_ptr_null(http_header(&resp, "Location"));
	if (resp.status == 403 && strchr(web_authz_cases[_i].has, '{') ==
	    NULL) {
		ck_assert_str_eq(resp.content_type, "text/html; charset=utf-8");
		ck_assert_str_eq(http_header(&resp, "Content-Security-Policy"),
		    "default-src 'self'; frame-ancestors 'none'");
		ck_assert_str_eq(http_header(&resp, "Cache-Control"),
		    "no-store");
	}
	if (web_authz_cases[_i].has != NULL)
		ck_assert_msg(strstr(resp.body, web_authz_cases[_i].has) !=
		    NULL, "%s: body %s", web_authz_cases[_i].name, resp.body);
	/* The log line says why each was refused. */
	if (resp.status != 200)
		ck_assert_ptr_nonnull(out.reason);
	test_request_free(&t);
}
END_TEST

/*
 * How long a proxy may keep an allow: AUTH_CACHE_SECONDS, never past
 * the token's exp; 0 says so; a refusal never carries it.
 */
static const struct {
	const char	*name;
	int		 app;		/* 0 default, 1 ten seconds, 2 zero */
	const char	*sub;
	time_t		 minted;	/* tokens live 30 minutes */
	const char	*want;		/* NULL: no X-Accel-Expires */
} cache_cases[] = {
	{ "default", 0, "alice", TS_CONST, "1" },
	{ "default, expiring in 1 s", 0, "alice", TS_CONST - 1799, "1" },
	{ "10 s", 1, "alice", TS_CONST, "10" },
	{ "10 s, the token ends in 3 s", 1, "alice", TS_CONST - 1797, "3" },
	{ "10 s, the token ends in 1 s", 1, "alice", TS_CONST - 1799, "1" },
	{ "10 s, the token ends in 10 s", 1, "alice", TS_CONST - 1790, "10" },
	{ "10 s, anonymous", 1, NULL, 0, "10" },
	{ "10 s, a token that has ended: anonymous", 1, "alice",
	    TS_CONST - 1800, "10" },
	{ "0", 2, "alice", TS_CONST, "0" },
	{ "0, anonymous", 2, NULL, 0, "0" },
	{ "a refusal", 1, "carol", TS_CONST, NULL },
};

START_TEST(test_authorize_cache)
{
	struct app *const	 apps[] = { policy_app, cache_app, nocache_app };
	struct app		*app = apps[cache_cases[_i].app];
	struct test_request	 t;
	struct http_response	 resp;
	struct http_outcome	 out;
	char			 header[4096];
	char			*tok = NULL;
	const char		*v;

	test_request_init(&t, "GET", TS_CONST);
	/* /public/: anyone, so an ended token passes, anonymous. */
	test_request_param(&t, "REQUEST_URI", cache_cases[_i].want != NULL ?
	    "/public/x" : "/projects/");
	if (cache_cases[_i].sub != NULL) {
		tok = mint_for(app, cache_cases[_i].sub, "",
		    cache_cases[_i].minted);
		(void)snprintf(header, sizeof(header), "Bearer %s", tok);
		test_request_param(&t, "HTTP_AUTHORIZATION", header);
	}
	http_response_init(&resp);
	http_outcome_init(&out);
	ck_assert_int_eq(authorize_handle(app, &t.req, &resp, &out), 0);
	v = http_header(&resp, "X-Accel-Expires");
	if (cache_cases[_i].want == NULL) {
		ck_assert_int_eq(resp.status, 401);
		ck_assert_ptr_null(v);
	} else {
		ck_assert_int_eq(resp.status, 200);
		ck_assert_msg(v != NULL && strcmp(v, cache_cases[_i].want) == 0,
		    "%s: X-Accel-Expires %s", cache_cases[_i].name,
		    v != NULL ? v : "(none)");
	}
	/* Never a Cache-Control on an allow, always on a refusal. */
	ck_assert((http_header(&resp, "Cache-Control") != NULL) ==
	    (resp.status != 200));
	free(tok);
	test_request_free(&t);
}
END_TEST

/*
 * Login's scope field, under a policy: granted = asked and the role's
 * (all of the role's when none is asked); an unknown scope is 400
 * invalid_scope, before any password is hashed.  body: the exact keys
 * of the answer; scope: the token's scope claim.
 */
static const struct {
	const char	*name;
	int		 policy;	/* 0: an app without a policy */
	const char	*form;
	int		 status;
	const char	*keys;		/* of the 200, in order */
	const char	*granted;	/* the body's "scope" */
	const char	*claim;		/* the token's */
} scope_cases[] = {
	{ "not asked: all the role grants", 1,
	    "username=alice&password=alicepass", 200,
	    "access_token token_type", NULL, ALL },
	{ "empty: as not asked", 1,
	    "username=alice&password=alicepass&scope=", 200,
	    "access_token token_type", NULL, ALL },
	{ "one asked", 1,
	    "username=alice&password=alicepass&scope=reports:read", 200,
	    "access_token token_type scope", "reports:read", "reports:read" },
	{ "two asked, the role's order", 1, "username=alice&password="
	    "alicepass&scope=users:admin+reports:read", 200,
	    "access_token token_type scope", "reports:read users:admin",
	    "reports:read users:admin" },
	{ "asked twice, extra spaces", 1, "username=alice&password="
	    "alicepass&scope=+reports:read++reports:read+", 200,
	    "access_token token_type scope", "reports:read", "reports:read" },
	{ "known, not the role's: not granted", 1,
	    "username=bob&password=bobpass&scope=reports:read+projects:read",
	    200, "access_token token_type scope", "projects:read",
	    "projects:read" },
	{ "known, none granted: no claim", 1,
	    "username=bob&password=bobpass&scope=reports:read", 200,
	    "access_token token_type scope", "", "" },
	{ "a role without a role line", 1,
	    "username=erin&password=erinpass", 200,
	    "access_token token_type", NULL, "" },
	{ "unknown", 1, "username=alice&password=alicepass&scope=nope", 400,
	    NULL, NULL, NULL },
	{ "unknown among known", 1, "username=alice&password=alicepass&"
	    "scope=reports:read+nope", 400, NULL, NULL, NULL },
	{ "unknown, wrong password: the scope first", 1,
	    "username=alice&password=x&scope=nope", 400, NULL, NULL, NULL },
	{ "malformed: a quote", 1, "username=alice&password=alicepass&"
	    "scope=reports:read%22", 400, NULL, NULL, NULL },
	{ "malformed: a NUL", 1, "username=alice&password=alicepass&"
	    "scope=reports:read%00", 400, NULL, NULL, NULL },
	{ "malformed: a tab", 1, "username=alice&password=alicepass&"
	    "scope=reports:read%09projects:read", 400, NULL, NULL, NULL },
	{ "known, wrong password: 401", 1,
	    "username=alice&password=x&scope=reports:read", 401, NULL, NULL,
	    NULL },
	{ "no policy: ignored, as before", 0,
	    "username=alice&password=alicepass&scope=nope", 200,
	    "access_token token_type", NULL, "" },
	{ "no policy: a known-looking one too", 0,
	    "username=alice&password=alicepass&scope=reports:read", 200,
	    "access_token token_type", NULL, "" },
};

START_TEST(test_login_scope)
{
	struct app		*app = scope_cases[_i].policy ? policy_app :
				    test_app;
	struct http_response	 resp;
	struct http_outcome	 out;
	struct token_claims	 c;
	json_object		*root, *v;
	char			 keys[256];
	const char		*tok;
	size_t			 k = 0;

	run(login_handle, app, "POST", NULL, FORM, scope_cases[_i].form,
	    strlen(scope_cases[_i].form), &resp, &out);
	ck_assert_msg(resp.status == scope_cases[_i].status, "%s: %d %s",
	    scope_cases[_i].name, resp.status, resp.body);
	if (resp.status == 400) {
		ck_assert_str_eq(resp.body, "{\"error\":\"invalid_scope\","
		    "\"error_description\":\"The requested scope is invalid, "
		    "unknown, or malformed\"}");
		ck_assert_str_eq(http_header(&resp, "Cache-Control"),
		    "no-store");
		ck_assert_str_eq(http_header(&resp, "Pragma"), "no-cache");
		ck_assert_str_eq(out.reason, "unknown scope asked for");
		return;
	}
	if (resp.status != 200)
		return;
	ck_assert_ptr_nonnull(root = json_tokener_parse(resp.body));
	keys[0] = '\0';
	json_object_object_foreach(root, key, val) {
		(void)val;
		k += (size_t)snprintf(keys + k, sizeof(keys) - k, "%s%s",
		    k > 0 ? " " : "", key);
	}
	ck_assert_msg(strcmp(keys, scope_cases[_i].keys) == 0, "%s: keys %s",
	    scope_cases[_i].name, keys);
	if (scope_cases[_i].granted != NULL) {
		ck_assert(json_object_object_get_ex(root, "scope", &v));
		ck_assert_str_eq(json_object_get_string(v),
		    scope_cases[_i].granted);
	}
	ck_assert(json_object_object_get_ex(root, "access_token", &v));
	tok = json_object_get_string(v);
	ck_assert_int_eq(token_verify(app_cfg(app), tok, strlen(tok),
	    TS_CONST, &c), TOKEN_OK);
	ck_assert_msg(strcmp(c.scope, scope_cases[_i].claim) == 0,
	    "%s: claim \"%s\"", scope_cases[_i].name, c.scope);
	json_object_put(root);
}
END_TEST

/* authorize.fcgi is a method-less check: every method gets a verdict. */
START_TEST(test_authorize_methods)
{
	static const char *const methods[] = { "PUT", "DELETE", "PATCH",
	    "OPTIONS", "TRACE", "PROPFIND", "BREW" };
	struct http_response	 resp;
	struct http_outcome	 out;
	struct test_request	 t;
	size_t			 m;

	for (m = 0; m < ARRAY_SIZE(methods); m++) {
		test_request_init(&t, methods[m], TS_CONST);
		test_request_param(&t, "REQUEST_URI", "/anything");
		http_response_init(&resp);
		http_outcome_init(&out);
		ck_assert_int_eq(authorize_handle(policy_app, &t.req, &resp,
		    &out), 0);
		/* "allow * / authenticated": asked who, not 405. */
		ck_assert_msg(resp.status == 401, "%s: %d", methods[m],
		    resp.status);
		ck_assert_ptr_null(http_header(&resp, "Allow"));
		test_request_free(&t);
	}
}
END_TEST

/*
 * Sessions (SESSION_STORE): each test has a SQLite store, a users file
 * (the cast) and an app of its own, made in the test's own process (a
 * store handle is its opener's), on test_clk: requests come at TS_CONST,
 * the store's clock says the same.  The store waits 200 ms for a lock,
 * not 5 s, so a store held locked (sess_lock) is down quickly.
 */
static char		 sess_dir[512], sess_db[1024], sess_users[1024];
static struct watch_clock sess_clock;
static struct app	*sess_app;
static sqlite3		*sess_locker;

/*
 * crypt_rn, counted: every password hash goes through it, so a count
 * that does not move proves no hash ran (an outcome, not a time).
 */
static int	sess_hashes;

char *
crypt_rn(const char *phrase, const char *setting, void *data, int size)
{
	static char	*(*real)(const char *, const char *, void *, int);

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "crypt_rn");
	ck_assert_ptr_nonnull(real);
	sess_hashes++;
	return real(phrase, setting, data, size);
}

/* An app on this test's store (NULL: sessions off), policy if not NULL. */
static struct app *
sess_app_new(const char *db, const char *policy)
{
	struct app_opts	 opts = { &sess_clock, 200, 0 };
	struct app	*app;
	char		 err[1024], url[1100];

	unsetenv("JWT_SECRET_FILE");
	unsetenv("ACCESS_TOKEN_TTL_MIN");
	setenv("JWT_ALG", "HS256", 1);
	setenv("JWT_SECRET", TEST_SECRET_32, 1);
	setenv("USERS_FILE", sess_users, 1);
	if (db != NULL) {
		(void)snprintf(url, sizeof(url), "sqlite:%s", db);
		setenv("SESSION_STORE", url, 1);
	}
	if (policy != NULL)
		setenv("POLICY_FILE", policy, 1);
	app = app_new_opts(policy != NULL ? APP_POLICY_REQUIRED :
	    APP_POLICY_NONE, &opts, err, sizeof(err));
	unsetenv("SESSION_STORE");
	unsetenv("POLICY_FILE");
	ck_assert_msg(app != NULL, "app_new_opts: %s", err);
	return app;
}

static void
sess_setup(void)
{
	char	 cwd[400];

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	(void)snprintf(sess_dir, sizeof(sess_dir), "%s",
	    test_fresh_dir("sess"));
	(void)snprintf(sess_users, sizeof(sess_users), "%s/users", sess_dir);
	(void)snprintf(sess_db, sizeof(sess_db), "%s/%s/store.db", cwd,
	    sess_dir);
	test_write_users(sess_users);
	sess_clock = test_clock_reset();
	sess_app = sess_app_new(sess_db, NULL);
	sess_locker = NULL;
}

static void
sess_teardown(void)
{
	if (sess_locker != NULL)
		(void)sqlite3_close(sess_locker);
	sess_locker = NULL;
	app_free(sess_app);
	sess_app = NULL;
}

/* Hold the store's write lock from another connection: it is down. */
static void
sess_lock(void)
{
	ck_assert_int_eq(sqlite3_open(sess_db, &sess_locker), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(sess_locker, "BEGIN EXCLUSIVE", NULL,
	    NULL, NULL), SQLITE_OK);
}

static void
sess_unlock(void)
{
	ck_assert_int_eq(sqlite3_exec(sess_locker, "ROLLBACK", NULL, NULL,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_close(sess_locker), SQLITE_OK);
	sess_locker = NULL;
}

static void	sess_post_with(fcgi_handler_fn *, struct app *, time_t,
		    const char *, const char *, const char *,
		    const char *const *, struct http_response *,
		    struct http_outcome *);

/*
 * POST body (form) to handle on app at now, as the loop runs it: the
 * users file looked at first.  auth: the Authorization header or NULL.
 */
static void
sess_post(fcgi_handler_fn *handle, struct app *app, time_t now,
    const char *auth, const char *type, const char *body,
    struct http_response *resp, struct http_outcome *out)
{
	sess_post_with(handle, app, now, auth, type, body, NULL, resp, out);
}

/* As sess_post, with more parameters: name, value, ..., NULL (or NULL). */
static void
sess_post_with(fcgi_handler_fn *handle, struct app *app, time_t now,
    const char *auth, const char *type, const char *body,
    const char *const *more, struct http_response *resp,
    struct http_outcome *out)
{
	struct test_request	 t;

	(void)app_refresh(app, USERS_REFRESH_NOW);
	test_request_init(&t, "POST", now);
	test_request_param(&t, "CONTENT_TYPE", type);
	test_request_param(&t, "REMOTE_ADDR", "192.0.2.7");
	test_request_param(&t, "HTTP_USER_AGENT", "check \"handlers\"");
	test_request_param(&t, "HTTP_AUTHORIZATION", auth);
	for (; more != NULL && more[0] != NULL; more += 2)
		test_request_param(&t, more[0], more[1]);
	t.req.body = body;
	t.req.body_len = body != NULL ? strlen(body) : 0;
	http_response_init(resp);
	http_outcome_init(out);
	ck_assert_int_eq(handle(app, &t.req, resp, out), 0);
	test_request_free(&t);
}

/* The string member key of resp's JSON body into buf ("" if none). */
static const char *
sess_field(const struct http_response *resp, const char *key, char *buf,
    size_t size)
{
	json_object	*root, *v;

	buf[0] = '\0';
	if ((root = json_tokener_parse(resp->body)) == NULL)
		return buf;
	if (json_object_object_get_ex(root, key, &v))
		(void)snprintf(buf, size, "%s", json_object_get_string(v));
	json_object_put(root);
	return buf;
}

/* Every answer of the session endpoints: never cached. */
static void
sess_no_store(const struct http_response *resp, const char *name)
{
	ck_assert_msg(http_header(resp, "Cache-Control") != NULL &&
	    strcmp(http_header(resp, "Cache-Control"), "no-store") == 0,
	    "%s: %d without Cache-Control: no-store", name, resp->status);
	ck_assert_msg(http_header(resp, "Pragma") != NULL,
	    "%s: no Pragma", name);
}

/* An OAuth error: status, error, no-store (and Retry-After for a 503). */
static void
sess_oauth_error(const struct http_response *resp, int status,
    const char *error, const char *name)
{
	char	 buf[64];

	ck_assert_msg(resp->status == status, "%s: status %d, want %d: %s",
	    name, resp->status, status, resp->body);
	ck_assert_msg(strcmp(sess_field(resp, "error", buf, sizeof(buf)),
	    error) == 0, "%s: error %s, want %s", name, buf, error);
	sess_no_store(resp, name);
	if (status == 503)
		ck_assert_str_eq(http_header(resp, "Retry-After"), "5");
	else
		ck_assert_ptr_null(http_header(resp, "Retry-After"));
}

/* A login for name on app: its access token ("Bearer ...") and refresh token. */
static void
sess_login(struct app *app, const char *name, const char *scope,
    char *auth, size_t authsize, char rt[SESSION_REFRESH_CHARS + 1])
{
	struct http_response	 resp;
	struct http_outcome	 out;
	char			 body[256], tok[2048];

	(void)snprintf(body, sizeof(body), "username=%s&password=%spass%s%s",
	    name, name, scope != NULL ? "&scope=" : "",
	    scope != NULL ? scope : "");
	sess_post(login_handle, app, TS_CONST, NULL, FORM, body, &resp, &out);
	ck_assert_msg(resp.status == 200, "login %s: %d %s", name,
	    resp.status, resp.body);
	(void)snprintf(auth, authsize, "Bearer %s",
	    sess_field(&resp, "access_token", tok, sizeof(tok)));
	(void)sess_field(&resp, "refresh_token", rt,
	    SESSION_REFRESH_CHARS + 1);
	ck_assert_uint_eq(strlen(rt), SESSION_REFRESH_CHARS);
}

/* A refresh with rt (and extra form fields) at now. */
static void
sess_refresh(struct app *app, time_t now, const char *rt, const char *extra,
    struct http_response *resp, struct http_outcome *out)
{
	char	 body[512];

	(void)snprintf(body, sizeof(body),
	    "grant_type=refresh_token&refresh_token=%s%s", rt,
	    extra != NULL ? extra : "");
	sess_post(refresh_handle, app, now, NULL, FORM, body, resp, out);
}

/* GET /me with auth: its status. */
static int
sess_me(struct app *app, const char *auth, struct http_response *resp)
{
	struct http_outcome	 out;

	run(me_handle, app, "GET", auth, NULL, NULL, 0, resp, &out);
	return resp->status;
}

/*
 * Login with sessions on: the reference body and expires_in and
 * refresh_token, in that order; the token carries sid and jti; the
 * session is in the store, with the address and agent escaped.
 */
START_TEST(test_sess_login)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	struct token_claims	 c;
	struct store_session	 s;
	char			 tok[2048], rt[128], sid[SESSION_SID_CHARS + 1];
	unsigned char		 hash[SESSION_HASH_BYTES];
	char			 want[4096];
	const char		*body = "username=alice&password=alicepass";

	sess_post(login_handle, sess_app, TS_CONST, NULL, FORM, body, &resp,
	    &out);
	ck_assert_int_eq(resp.status, 200);
	(void)sess_field(&resp, "access_token", tok, sizeof(tok));
	(void)sess_field(&resp, "refresh_token", rt, sizeof(rt));
	(void)snprintf(want, sizeof(want), "{\"access_token\":\"%s\","
	    "\"token_type\":\"bearer\",\"expires_in\":1800,"
	    "\"refresh_token\":\"%s\"}", tok, rt);
	ck_assert_str_eq(resp.body, want);
	sess_no_store(&resp, "login");
	ck_assert_int_eq(token_verify(app_cfg(sess_app), tok, strlen(tok),
	    TS_CONST, &c), TOKEN_OK);
	ck_assert_uint_eq(strlen(c.sid), SESSION_SID_CHARS);
	ck_assert_uint_eq(strlen(c.jti), SESSION_JTI_CHARS);
	ck_assert_int_eq(session_refresh_parse(rt, strlen(rt), sid, hash), 0);
	ck_assert_str_eq(sid, c.sid);
	ck_assert_int_eq(store_get(app_store(sess_app), c.sid, &s), STORE_OK);
	ck_assert_str_eq(s.user, "alice");
	ck_assert_int_eq(s.created, TS_CONST);
	ck_assert_str_eq(s.addr, "192.0.2.7");
	ck_assert_str_eq(s.agent, "check\\x20\\x22handlers\\x22");
	ck_assert_int_eq(s.ended, 0);
	/* Two logins, two sessions, two different tokens. */
	sess_post(login_handle, sess_app, TS_CONST, NULL, FORM, body, &resp,
	    &out);
	ck_assert_str_ne(sess_field(&resp, "access_token", want,
	    sizeof(want)), tok);
	ck_assert_str_ne(sess_field(&resp, "refresh_token", want,
	    sizeof(want)), rt);
}
END_TEST

/* Sessions off: the body as today, byte for byte, and the token with no sid. */
START_TEST(test_sess_login_off)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	struct token_claims	 c;
	struct app		*off = sess_app_new(NULL, NULL);
	char			 tok[2048], want[4096];
	const char		*body = "username=alice&password=alicepass";

	ck_assert_ptr_null(app_store(off));
	sess_post(login_handle, off, TS_CONST, NULL, FORM, body, &resp, &out);
	ck_assert_int_eq(resp.status, 200);
	(void)sess_field(&resp, "access_token", tok, sizeof(tok));
	(void)snprintf(want, sizeof(want), "{\"access_token\":\"%s\","
	    "\"token_type\":\"bearer\"}", tok);
	ck_assert_str_eq(resp.body, want);
	ck_assert_int_eq(token_verify(app_cfg(off), tok, strlen(tok),
	    TS_CONST, &c), TOKEN_OK);
	ck_assert_str_eq(c.sid, "");
	ck_assert_str_eq(c.jti, "");
	app_free(off);
}
END_TEST

/*
 * Five wrong passwords from one address, then the sixth attempt waits,
 * the right password too: 429 with Retry-After and no hash.  On the
 * store (sessions on, even _i) and in memory (off, odd _i) alike; from
 * _i 2 on, each failure names another client in X-Forwarded-For and
 * X-Real-IP: headers a client sets are no address, REMOTE_ADDR is.
 */
START_TEST(test_sess_throttle)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	struct app		*app = _i % 2 == 0 ? sess_app :
				    sess_app_new(NULL, NULL);
	char			 buf[128], fwd[64];
	const char		*more[] = { "HTTP_X_FORWARDED_FOR", fwd,
				    "HTTP_X_REAL_IP", fwd,
				    "HTTP_FORWARDED", fwd, NULL };
	int			 i, hashes;

	for (i = 0; i < 5; i++) {
		(void)snprintf(fwd, sizeof(fwd), "198.51.100.%d", i + 1);
		sess_post_with(login_handle, app, TS_CONST, NULL, FORM,
		    "username=bob&password=wrong", _i >= 2 ? more : NULL,
		    &resp, &out);
		ck_assert_int_eq(resp.status, 401);
	}
	hashes = sess_hashes;
	(void)snprintf(fwd, sizeof(fwd), "198.51.100.6");
	sess_post_with(login_handle, app, TS_CONST + 1, NULL, FORM,
	    "username=bob&password=bobpass", _i >= 2 ? more : NULL, &resp,
	    &out);
	ck_assert_int_eq(resp.status, 429);
	ck_assert_str_eq(resp.body, "{\"detail\":\"Too many failed logins\"}");
	ck_assert_str_eq(http_header(&resp, "Retry-After"), "29");
	sess_no_store(&resp, "429");
	ck_assert_int_eq(sess_hashes, hashes);
	/* The wait over, the right password logs in. */
	sess_post(login_handle, app, TS_CONST + 30, NULL, FORM,
	    "username=bob&password=bobpass", &resp, &out);
	ck_assert_msg(resp.status == 200, "%d %s", resp.status,
	    sess_field(&resp, "detail", buf, sizeof(buf)));
	ck_assert_int_gt(sess_hashes, hashes);
	if (app != sess_app)
		app_free(app);
}
END_TEST

/*
 * The store down at login: 503 with Retry-After before any hash (the
 * counted crypt_rn does not move); back, and the login works.
 */
/*
 * With sessions on, the health check says whether the store answers, and
 * stays 200 when it does not: tokens are still checked against the ended
 * sessions the process holds (a Redis store on a port nothing listens
 * on is down from the start, which is not fatal).
 */
START_TEST(test_sess_healthz)
{
	struct app_opts		 opts = { &sess_clock, 200, 0 };
	struct http_response	 resp;
	struct http_outcome	 out;
	struct app		*down;
	char			 err[1024];

	run(healthz_handle, sess_app, "GET", NULL, NULL, NULL, 0, &resp,
	    &out);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(resp.body,
	    "{\"status\":\"ok\",\"users\":5,\"store\":\"up\"}");
	setenv("JWT_ALG", "HS256", 1);
	setenv("JWT_SECRET", TEST_SECRET_32, 1);
	setenv("USERS_FILE", sess_users, 1);
	setenv("SESSION_STORE", "redis://127.0.0.1:1", 1);
	down = app_new_opts(APP_POLICY_NONE, &opts, err, sizeof(err));
	unsetenv("SESSION_STORE");
	ck_assert_msg(down != NULL, "app_new_opts: %s", err);
	run(healthz_handle, down, "GET", NULL, NULL, NULL, 0, &resp, &out);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(resp.body,
	    "{\"status\":\"ok\",\"users\":5,\"store\":\"down\"}");
	ck_assert_str_eq(out.reason, "the session store is down");
	app_free(down);
}
END_TEST

START_TEST(test_sess_login_down)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	int			 hashes;

	sess_lock();
	hashes = sess_hashes;
	sess_post(login_handle, sess_app, TS_CONST, NULL, FORM,
	    "username=alice&password=alicepass", &resp, &out);
	ck_assert_int_eq(resp.status, 503);
	ck_assert_str_eq(resp.body,
	    "{\"detail\":\"Session store unavailable\"}");
	ck_assert_str_eq(http_header(&resp, "Retry-After"), "5");
	sess_no_store(&resp, "503");
	ck_assert_int_eq(sess_hashes, hashes);
	sess_unlock();
	sess_post(login_handle, sess_app, TS_CONST, NULL, FORM,
	    "username=alice&password=alicepass", &resp, &out);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_int_eq(sess_hashes, hashes + 1);
}
END_TEST

/*
 * Refresh, RFC 6749 6, every row of the design's table.  "%R" in the
 * body is a live refresh token of alice's session, "%S" that session's
 * id in a token with a guessed secret.
 */
#define RT_REQ	"invalid_request"
#define RT_GRANT "invalid_grant"
static const struct {
	const char	*name;
	const char	*type;
	const char	*body;
	int		 status;
	const char	*error;		/* NULL: 200 */
} refresh_cases[] = {
	{ "ok", FORM, "grant_type=refresh_token&refresh_token=%R", 200,
	    NULL },
	{ "ok with client_id", FORM, "client_id=app&grant_type="
	    "refresh_token&refresh_token=%R", 200, NULL },
	{ "no grant_type", FORM, "refresh_token=%R", 400, RT_REQ },
	{ "empty grant_type", FORM, "grant_type=&refresh_token=%R", 400,
	    RT_REQ },
	{ "no refresh_token", FORM, "grant_type=refresh_token", 400, RT_REQ },
	{ "empty refresh_token", FORM, "grant_type=refresh_token&"
	    "refresh_token=", 400, RT_REQ },
	{ "grant_type twice", FORM, "grant_type=refresh_token&grant_type="
	    "refresh_token&refresh_token=%R", 400, RT_REQ },
	{ "refresh_token twice", FORM, "grant_type=refresh_token&"
	    "refresh_token=%R&refresh_token=%R", 400, RT_REQ },
	{ "client_id twice", FORM, "grant_type=refresh_token&"
	    "refresh_token=%R&client_id=a&client_id=a", 400, RT_REQ },
	{ "not a form", "application/json", "grant_type=refresh_token&"
	    "refresh_token=%R", 400, RT_REQ },
	{ "grant_type password", FORM, "grant_type=password&"
	    "refresh_token=%R", 400, "unsupported_grant_type" },
	{ "grant_type prefix", FORM, "grant_type=refresh_tokens&"
	    "refresh_token=%R", 400, "unsupported_grant_type" },
	{ "token cut short", FORM, "grant_type=refresh_token&"
	    "refresh_token=AAAA", 400, RT_GRANT },
	{ "token too long", FORM, "grant_type=refresh_token&"
	    "refresh_token=%RA", 400, RT_GRANT },
	{ "token not base64url", FORM, "grant_type=refresh_token&"
	    "refresh_token=%SAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%2B%2F", 400,
	    RT_GRANT },
	{ "unknown session", FORM, "grant_type=refresh_token&refresh_token="
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    400, RT_GRANT },
	{ "guessed secret", FORM, "grant_type=refresh_token&"
	    "refresh_token=%SAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    400, RT_GRANT },
};

START_TEST(test_sess_refresh_row)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	struct token_claims	 c, c0;
	char			 auth[2048], rt[SESSION_REFRESH_CHARS + 1];
	char			 body[4096], tok[2048], nrt[128];
	const char		*p;
	size_t			 n = 0;

	sess_login(sess_app, "alice", NULL, auth, sizeof(auth), rt);
	for (p = refresh_cases[_i].body; *p != '\0' && n < sizeof(body) - 80;
	    p++) {
		if (p[0] == '%' && (p[1] == 'R' || p[1] == 'S')) {
			n += (size_t)snprintf(body + n, sizeof(body) - n,
			    "%.*s", p[1] == 'R' ? SESSION_REFRESH_CHARS :
			    SESSION_SID_CHARS, rt);
			p++;
		} else
			body[n++] = *p;
	}
	body[n] = '\0';
	sess_post(refresh_handle, sess_app, TS_CONST + 60, NULL,
	    refresh_cases[_i].type, body, &resp, &out);
	if (refresh_cases[_i].error != NULL) {
		sess_oauth_error(&resp, refresh_cases[_i].status,
		    refresh_cases[_i].error, refresh_cases[_i].name);
		ck_assert_ptr_nonnull(out.reason);
		/* Refused, the token stays good (nothing was a reuse). */
		sess_refresh(sess_app, TS_CONST + 61, rt, NULL, &resp, &out);
		ck_assert_msg(resp.status == 200, "%s: then %d %s",
		    refresh_cases[_i].name, resp.status, resp.body);
		return;
	}
	ck_assert_msg(resp.status == 200, "%s: %d %s", refresh_cases[_i].name,
	    resp.status, resp.body);
	sess_no_store(&resp, refresh_cases[_i].name);
	(void)sess_field(&resp, "access_token", tok, sizeof(tok));
	(void)sess_field(&resp, "refresh_token", nrt, sizeof(nrt));
	ck_assert_uint_eq(strlen(nrt), SESSION_REFRESH_CHARS);
	ck_assert_str_ne(nrt, rt);
	(void)snprintf(body, sizeof(body), "{\"access_token\":\"%s\","
	    "\"token_type\":\"bearer\",\"expires_in\":1800,"
	    "\"refresh_token\":\"%s\"}", tok, nrt);
	ck_assert_str_eq(resp.body, body);
	/* The same session, a new token id, the time of the refresh. */
	ck_assert_int_eq(token_verify(app_cfg(sess_app), tok, strlen(tok),
	    TS_CONST + 60, &c), TOKEN_OK);
	ck_assert_int_eq(token_verify(app_cfg(sess_app), auth + 7,
	    strlen(auth + 7), TS_CONST + 60, &c0), TOKEN_OK);
	ck_assert_str_eq(c.sid, c0.sid);
	ck_assert_str_ne(c.jti, c0.jti);
	ck_assert_int_eq(c.iat, TS_CONST + 60);
	ck_assert_str_eq(c.sub, "alice");
	ck_assert_str_eq(c.role, "admin");
	ck_assert_str_eq(out.reason, "refresh");
}
END_TEST

/*
 * Reuse: a rotated token presented again ends the family.  The newest
 * refresh token is refused, and the access tokens refused on /me.
 */
START_TEST(test_sess_refresh_reuse)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	char			 auth[2048], rt[SESSION_REFRESH_CHARS + 1];
	char			 auth2[2048], rt2[128], tok[2048];

	sess_login(sess_app, "alice", NULL, auth, sizeof(auth), rt);
	sess_refresh(sess_app, TS_CONST + 1, rt, NULL, &resp, &out);
	ck_assert_int_eq(resp.status, 200);
	(void)sess_field(&resp, "refresh_token", rt2, sizeof(rt2));
	(void)snprintf(auth2, sizeof(auth2), "Bearer %s",
	    sess_field(&resp, "access_token", tok, sizeof(tok)));
	ck_assert_int_eq(sess_me(sess_app, auth2, &resp), 200);

	sess_refresh(sess_app, TS_CONST + 2, rt, NULL, &resp, &out);
	sess_oauth_error(&resp, 400, RT_GRANT, "reuse");
	ck_assert_str_eq(out.reason, "refresh token reuse: session ended");
	ck_assert_str_eq(out.user, "alice");
	sess_refresh(sess_app, TS_CONST + 3, rt2, NULL, &resp, &out);
	sess_oauth_error(&resp, 400, RT_GRANT, "after reuse");
	ck_assert_int_eq(sess_me(sess_app, auth2, &resp), 401);
	ck_assert_str_eq(resp.body, "{\"detail\":\"Token revoked\"}");
	ck_assert_int_eq(sess_me(sess_app, auth, &resp), 401);
}
END_TEST

/* Idle and absolute expiry: invalid_grant, nothing revoked. */
START_TEST(test_sess_refresh_expiry)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	char			 auth[2048], rt[SESSION_REFRESH_CHARS + 1];
	time_t			 t;
	int			 day;

	/* Idle: 7 days without a refresh. */
	sess_login(sess_app, "alice", NULL, auth, sizeof(auth), rt);
	sess_refresh(sess_app, TS_CONST + 7 * 86400, rt, NULL, &resp, &out);
	sess_oauth_error(&resp, 400, RT_GRANT, "idle");
	ck_assert_str_eq(out.reason, "session ended or expired");
	ck_assert_int_eq(sess_me(sess_app, auth, &resp), 200);

	/* Absolute: 14 days even with a refresh every day. */
	sess_login(sess_app, "bob", NULL, auth, sizeof(auth), rt);
	for (day = 1; day <= 14; day++) {
		t = TS_CONST + day * 86400;
		sess_refresh(sess_app, t, rt, NULL, &resp, &out);
		if (day < 14) {
			ck_assert_msg(resp.status == 200, "day %d: %d", day,
			    resp.status);
			(void)sess_field(&resp, "refresh_token", rt,
			    sizeof(rt));
		}
	}
	sess_oauth_error(&resp, 400, RT_GRANT, "absolute");
}
END_TEST

/*
 * The users file decides at each refresh: a user deleted, disabled,
 * revoked (version raised) or whose password hash changed (by hand, the
 * version left alone) ends the session: invalid_grant now and after, and
 * the session's access tokens are refused.
 */
static const struct {
	const char	*name;
	const char	*line;		/* bob's line after the hash; NULL: gone */
	const char	*password;	/* a new hash of it; NULL: bob's kept */
	const char	*why;
} vet_cases[] = {
	{ "deleted", NULL, NULL, "user not found: session ended" },
	{ "disabled", "user:disabled", NULL, "user disabled: session ended" },
	{ "revoked", "user:active:1", NULL, "token revoked: session ended" },
	{ "role changed", "admin", NULL, NULL },
	{ "password changed by hand, version unchanged", "user", "bobnew",
	    "password changed: session ended" },
	{ "same password hashed again, version unchanged", "user", "bobpass",
	    "password changed: session ended" },
};

/*
 * Rewrite bob's line of the users file as an operator's editor would:
 * "bob:HASH:line" (HASH his own, or one of password), or no line at all;
 * every other line as it was.  A new file renamed over the old one.
 */
static void
sess_edit_bob(const char *line, const char *password)
{
	char	*old, *p, *nl, *colon, image[8192], hash[PASSWORD_HASH_MAX];
	char	 tmp[1100];
	size_t	 len = 0;
	int	 w;

	old = test_read_file(sess_users);
	for (p = old; *p != '\0'; p = nl + 1) {
		ck_assert_ptr_nonnull(nl = strchr(p, '\n'));
		if (strncmp(p, "bob:", 4) != 0) {
			w = snprintf(image + len, sizeof(image) - len, "%.*s\n",
			    (int)(nl - p), p);
		} else if (line == NULL)
			continue;
		else {
			ck_assert_ptr_nonnull(colon = strchr(p + 4, ':'));
			if (password != NULL)
				ck_assert_int_eq(password_hash(password, "$5$",
				    1000, hash, sizeof(hash)), 0);
			else
				(void)snprintf(hash, sizeof(hash), "%.*s",
				    (int)(colon - (p + 4)), p + 4);
			w = snprintf(image + len, sizeof(image) - len,
			    "bob:%s:%s\n", hash, line);
		}
		ck_assert(w > 0 && (size_t)w < sizeof(image) - len);
		len += (size_t)w;
	}
	free(old);
	(void)snprintf(tmp, sizeof(tmp), "%s.new", sess_users);
	test_write(tmp, image, len);
	ck_assert_int_eq(rename(tmp, sess_users), 0);
}

START_TEST(test_sess_refresh_vet)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	struct token_claims	 c;
	char			 auth[2048], rt[SESSION_REFRESH_CHARS + 1];
	char			 tok[2048], tmp[1100], *was;

	sess_login(sess_app, "bob", NULL, auth, sizeof(auth), rt);
	was = test_read_file(sess_users);
	sess_edit_bob(vet_cases[_i].line, vet_cases[_i].password);
	sess_refresh(sess_app, TS_CONST + 1, rt, NULL, &resp, &out);
	if (vet_cases[_i].why == NULL) {
		/* The role comes from the file now. */
		ck_assert_int_eq(resp.status, 200);
		(void)sess_field(&resp, "access_token", tok, sizeof(tok));
		ck_assert_int_eq(token_verify(app_cfg(sess_app), tok,
		    strlen(tok), TS_CONST + 1, &c), TOKEN_OK);
		ck_assert_str_eq(c.role, "admin");
		free(was);
		return;
	}
	sess_oauth_error(&resp, 400, RT_GRANT, vet_cases[_i].name);
	ck_assert_str_eq(out.reason, vet_cases[_i].why);
	ck_assert_str_eq(out.user, "bob");
	/* Ended: put bob back as he was, hash and all: it stays ended. */
	(void)snprintf(tmp, sizeof(tmp), "%s.new", sess_users);
	test_write(tmp, was, strlen(was));
	ck_assert_int_eq(rename(tmp, sess_users), 0);
	free(was);
	sess_refresh(sess_app, TS_CONST + 2, rt, NULL, &resp, &out);
	sess_oauth_error(&resp, 400, RT_GRANT, vet_cases[_i].name);
	ck_assert_int_eq(sess_me(sess_app, auth, &resp), 401);
	ck_assert_str_eq(resp.body, "{\"detail\":\"Token revoked\"}");
}
END_TEST

/*
 * scope on refresh: absent, or a subset of the session's; beyond it,
 * invalid_scope and the token stays good.  The access token gets the
 * subset, the refresh token keeps the session's.
 */
START_TEST(test_sess_refresh_scope)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	struct token_claims	 c;
	struct app		*app;
	char			 auth[2048], rt[SESSION_REFRESH_CHARS + 1];
	char			 tok[2048], buf[256], policy[1100];

	(void)snprintf(policy, sizeof(policy), "%s/policy", sess_dir);
	test_write(policy, POLICY, strlen(POLICY));
	app = sess_app_new(sess_db, policy);
	sess_login(app, "alice", "reports:read+projects:read", auth,
	    sizeof(auth), rt);

	sess_refresh(app, TS_CONST + 1, rt, "&scope=users:admin", &resp,
	    &out);
	sess_oauth_error(&resp, 400, "invalid_scope", "beyond");
	sess_refresh(app, TS_CONST + 1, rt, "&scope=nonsense", &resp, &out);
	sess_oauth_error(&resp, 400, "invalid_scope", "unknown");
	sess_refresh(app, TS_CONST + 1, rt, "&scope=reports:read", &resp,
	    &out);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(sess_field(&resp, "scope", buf, sizeof(buf)),
	    "reports:read");
	(void)sess_field(&resp, "access_token", tok, sizeof(tok));
	ck_assert_int_eq(token_verify(app_cfg(app), tok, strlen(tok),
	    TS_CONST + 1, &c), TOKEN_OK);
	ck_assert_str_eq(c.scope, "reports:read");
	(void)sess_field(&resp, "refresh_token", rt, sizeof(rt));
	/* No scope: the session's, all of it; and no "scope" member. */
	sess_refresh(app, TS_CONST + 2, rt, NULL, &resp, &out);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(sess_field(&resp, "scope", buf, sizeof(buf)), "");
	(void)sess_field(&resp, "access_token", tok, sizeof(tok));
	ck_assert_int_eq(token_verify(app_cfg(app), tok, strlen(tok),
	    TS_CONST + 2, &c), TOKEN_OK);
	ck_assert_str_eq(c.scope, "reports:read projects:read");
	app_free(app);
}
END_TEST

/* The store down: every session endpoint 503, nothing lost; back, it works. */
START_TEST(test_sess_down)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	char			 auth[2048], rt[SESSION_REFRESH_CHARS + 1];
	char			 body[256];

	sess_login(sess_app, "alice", NULL, auth, sizeof(auth), rt);
	sess_lock();
	sess_refresh(sess_app, TS_CONST + 1, rt, NULL, &resp, &out);
	sess_oauth_error(&resp, 503, "temporarily_unavailable", "refresh");
	sess_post(logout_handle, sess_app, TS_CONST + 1, auth, NULL, NULL,
	    &resp, &out);
	sess_oauth_error(&resp, 503, "temporarily_unavailable", "logout");
	(void)snprintf(body, sizeof(body), "token=%s", rt);
	sess_post(revoke_handle, sess_app, TS_CONST + 1, NULL, FORM, body,
	    &resp, &out);
	sess_oauth_error(&resp, 503, "temporarily_unavailable", "revoke");
	/* Token checks answer from what this process knows. */
	ck_assert_int_eq(sess_me(sess_app, auth, &resp), 200);
	sess_unlock();
	sess_refresh(sess_app, TS_CONST + 2, rt, NULL, &resp, &out);
	ck_assert_int_eq(resp.status, 200);
}
END_TEST

/*
 * Logout: 204 and the session is over (its access token refused, its
 * refresh token too); a refresh token sent along ends its own session.
 */
START_TEST(test_sess_logout)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	char			 auth[2048], rt[SESSION_REFRESH_CHARS + 1];
	char			 auth2[2048], rt2[SESSION_REFRESH_CHARS + 1];
	char			 body[256];

	sess_login(sess_app, "alice", NULL, auth, sizeof(auth), rt);
	sess_login(sess_app, "alice", NULL, auth2, sizeof(auth2), rt2);
	(void)snprintf(body, sizeof(body), "refresh_token=%s", rt2);
	sess_post(logout_handle, sess_app, TS_CONST + 1, auth, FORM, body,
	    &resp, &out);
	ck_assert_int_eq(resp.status, 204);
	ck_assert_uint_eq(resp.body_len, 0);
	sess_no_store(&resp, "logout");
	ck_assert_str_eq(out.user, "alice");
	ck_assert_int_eq(sess_me(sess_app, auth, &resp), 401);
	ck_assert_str_eq(resp.body, "{\"detail\":\"Token revoked\"}");
	ck_assert_int_eq(sess_me(sess_app, auth2, &resp), 401);
	sess_refresh(sess_app, TS_CONST + 2, rt, NULL, &resp, &out);
	sess_oauth_error(&resp, 400, RT_GRANT, "after logout");
	sess_refresh(sess_app, TS_CONST + 2, rt2, NULL, &resp, &out);
	sess_oauth_error(&resp, 400, RT_GRANT, "its refresh token's");
	/* Again with the ended token: the token check refuses it. */
	sess_post(logout_handle, sess_app, TS_CONST + 2, auth, NULL, NULL,
	    &resp, &out);
	ck_assert_int_eq(resp.status, 401);
	sess_no_store(&resp, "logout again");
}
END_TEST

/* Logout's refusals: no token, a bad one, one with no session. */
START_TEST(test_sess_logout_refused)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	struct token_claims	 c;
	char			*tok, auth[2048];

	sess_post(logout_handle, sess_app, TS_CONST, NULL, NULL, NULL, &resp,
	    &out);
	ck_assert_int_eq(resp.status, 401);
	ck_assert_str_eq(resp.body, "{\"detail\":\"Not authenticated\"}");
	sess_no_store(&resp, "no token");
	sess_post(logout_handle, sess_app, TS_CONST, "Bearer x.y.z", NULL,
	    NULL, &resp, &out);
	ck_assert_int_eq(resp.status, 401);
	ck_assert_str_eq(resp.body,
	    "{\"detail\":\"Invalid or expired token\"}");

	ck_assert_int_eq(token_claims_init(&c, "alice", "admin", 0), 0);
	ck_assert_int_eq(token_mint(app_cfg(sess_app), &c, TS_CONST, &tok), 0);
	(void)snprintf(auth, sizeof(auth), "Bearer %s", tok);
	free(tok);
	sess_post(logout_handle, sess_app, TS_CONST, auth, NULL, NULL, &resp,
	    &out);
	ck_assert_int_eq(resp.status, 400);
	ck_assert_str_eq(resp.body,
	    "{\"detail\":\"This token has no session to end\"}");
	sess_no_store(&resp, "no sid");
	/* It lives on. */
	ck_assert_int_eq(sess_me(sess_app, auth, &resp), 200);
}
END_TEST

/*
 * Revoke (RFC 7009): 200 and an empty body for every token, good, bad
 * or unknown; what was a live session's token ends that session.
 */
enum rv_kind {
	RV_REFRESH,		/* the session's refresh token: ends it */
	RV_ACCESS,		/* its access token: ends it */
	RV_REFRESH_HINT,	/* refresh token, hint access_token */
	RV_ACCESS_HINT,		/* access token, hint refresh_token */
	RV_ACCESS_ODD_HINT,	/* access token, hint nonsense */
	RV_GARBAGE,		/* "garbage" */
	RV_GUESS,		/* the session's id, a guessed secret */
	RV_UNKNOWN,		/* a refresh token of no session */
	RV_EXPIRED,		/* its access token, expired */
	RV_NO_SID,		/* a genuine access token without a session */
	RV_FORGED,		/* an access token with a bad signature */
	RV_HUGE,		/* 9000 bytes */
};

static const struct {
	const char	*name;
	enum rv_kind	 kind;
	int		 ends;
} revoke_cases[] = {
	{ "refresh token", RV_REFRESH, 1 },
	{ "access token", RV_ACCESS, 1 },
	{ "refresh token, hint access", RV_REFRESH_HINT, 1 },
	{ "access token, hint refresh", RV_ACCESS_HINT, 1 },
	{ "access token, odd hint", RV_ACCESS_ODD_HINT, 1 },
	{ "garbage", RV_GARBAGE, 0 },
	{ "guessed secret", RV_GUESS, 0 },
	{ "unknown session", RV_UNKNOWN, 0 },
	{ "expired access token", RV_EXPIRED, 0 },
	{ "access token without sid", RV_NO_SID, 0 },
	{ "forged access token", RV_FORGED, 0 },
	{ "too long", RV_HUGE, 0 },
};

START_TEST(test_sess_revoke)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	struct token_claims	 c;
	char			 auth[2048], rt[SESSION_REFRESH_CHARS + 1];
	static char		 body[10000];
	char			*tok;
	time_t			 now = TS_CONST + 1;

	sess_login(sess_app, "alice", NULL, auth, sizeof(auth), rt);
	switch (revoke_cases[_i].kind) {
	case RV_REFRESH:
		(void)snprintf(body, sizeof(body), "token=%s", rt);
		break;
	case RV_ACCESS:
		(void)snprintf(body, sizeof(body), "token=%s", auth + 7);
		break;
	case RV_REFRESH_HINT:
		(void)snprintf(body, sizeof(body), "token=%s&token_type_hint="
		    "access_token", rt);
		break;
	case RV_ACCESS_HINT:
		(void)snprintf(body, sizeof(body), "token_type_hint="
		    "refresh_token&token=%s", auth + 7);
		break;
	case RV_ACCESS_ODD_HINT:
		(void)snprintf(body, sizeof(body), "token=%s&token_type_hint="
		    "id_token", auth + 7);
		break;
	case RV_GARBAGE:
		(void)snprintf(body, sizeof(body), "token=garbage");
		break;
	case RV_GUESS:
		(void)snprintf(body, sizeof(body), "token=%.22s%s", rt,
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
		break;
	case RV_UNKNOWN:
		(void)snprintf(body, sizeof(body), "token=%s", "AAAAAAAAAAAAAAAA"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
		break;
	case RV_EXPIRED:
		(void)snprintf(body, sizeof(body), "token=%s", auth + 7);
		now = TS_CONST + 3600;
		break;
	case RV_NO_SID:
		ck_assert_int_eq(token_claims_init(&c, "alice", "admin", 0),
		    0);
		ck_assert_int_eq(token_mint(app_cfg(sess_app), &c, TS_CONST,
		    &tok), 0);
		(void)snprintf(body, sizeof(body), "token=%s", tok);
		free(tok);
		break;
	case RV_FORGED:
		(void)snprintf(body, sizeof(body), "token=%sx", auth + 7);
		break;
	case RV_HUGE:
		memset(body, 'A', sizeof(body) - 1);
		memcpy(body, "token=", 6);
		body[9006] = '\0';
		break;
	}
	sess_post(revoke_handle, sess_app, now, NULL, FORM, body, &resp, &out);
	ck_assert_msg(resp.status == 200, "%s: %d %s", revoke_cases[_i].name,
	    resp.status, resp.body);
	ck_assert_uint_eq(resp.body_len, 0);
	ck_assert_str_eq(resp.content_type, "");
	sess_no_store(&resp, revoke_cases[_i].name);
	sess_refresh(sess_app, TS_CONST + 2, rt, NULL, &resp, &out);
	ck_assert_msg(resp.status == (revoke_cases[_i].ends ? 400 : 200),
	    "%s: refresh then %d", revoke_cases[_i].name, resp.status);
	ck_assert_int_eq(sess_me(sess_app, auth, &resp),
	    revoke_cases[_i].ends ? 401 : 200);
}
END_TEST

/* Revoke's refusals: no token, an empty or repeated one. */
static const struct {
	const char	*name, *type, *body;
} revoke_bad[] = {
	{ "no token", FORM, "token_type_hint=refresh_token" },
	{ "empty token", FORM, "token=" },
	{ "token twice", FORM, "token=a&token=b" },
	{ "hint twice", FORM, "token=a&token_type_hint=access_token&"
	    "token_type_hint=access_token" },
	{ "not a form", "application/json", "token=a" },
	{ "no body", FORM, NULL },
};

START_TEST(test_sess_revoke_bad)
{
	struct http_response	 resp;
	struct http_outcome	 out;

	sess_post(revoke_handle, sess_app, TS_CONST, NULL, revoke_bad[_i].type,
	    revoke_bad[_i].body, &resp, &out);
	sess_oauth_error(&resp, 400, "invalid_request", revoke_bad[_i].name);
}
END_TEST

/* Sessions off: the three endpoints are not there; wrong methods 405. */
START_TEST(test_sess_off_and_methods)
{
	static fcgi_handler_fn	*const handles[] = { refresh_handle,
				    logout_handle, revoke_handle };
	struct http_response	 resp;
	struct http_outcome	 out;
	struct app		*off = sess_app_new(NULL, NULL);
	size_t			 i;

	for (i = 0; i < ARRAY_SIZE(handles); i++) {
		sess_post(handles[i], off, TS_CONST, NULL, FORM, "token=a",
		    &resp, &out);
		ck_assert_int_eq(resp.status, 404);
		ck_assert_str_eq(resp.body, "{\"detail\":\"Not Found\"}");
		sess_no_store(&resp, "404");
		run(handles[i], sess_app, "GET", NULL, NULL, NULL, 0, &resp,
		    &out);
		ck_assert_int_eq(resp.status, 405);
		ck_assert_str_eq(http_header(&resp, "Allow"), "POST");
		sess_no_store(&resp, "405");
	}
	app_free(off);
}
END_TEST

/*
 * Browser sign-in: one request as a browser on a.example sends it (from
 * sess_post's address, for one throttle count), at
 * now: method, the query string, the Cookie header, Origin (NULL: not
 * sent; Sec-Fetch-Site never is), https ("on" or NULL) and a form body.
 */
static void
web(fcgi_handler_fn *handle, struct app *app, time_t now, const char *method,
    const char *query, const char *cookie, const char *origin,
    const char *https, const char *body, struct http_response *resp,
    struct http_outcome *out)
{
	struct test_request	 t;

	(void)app_refresh(app, USERS_REFRESH_NOW);
	test_request_init(&t, method, now);
	test_request_param(&t, "CONTENT_TYPE", body != NULL ? FORM : NULL);
	test_request_param(&t, "REMOTE_ADDR", "192.0.2.7");
	test_request_param(&t, "HTTP_HOST", "a.example");
	test_request_param(&t, "HTTP_USER_AGENT", "check");
	test_request_param(&t, "HTTP_ACCEPT", "text/html");
	test_request_param(&t, "QUERY_STRING", query);
	test_request_param(&t, "HTTP_COOKIE", cookie);
	test_request_param(&t, "HTTP_ORIGIN", origin);
	test_request_param(&t, "HTTPS", https);
	t.req.body = body;
	t.req.body_len = body != NULL ? strlen(body) : 0;
	http_response_init(resp);
	http_outcome_init(out);
	ck_assert_int_eq(handle(app, &t.req, resp, out), 0);
	test_request_free(&t);
}

#define SITE	"http://a.example"

/*
 * The Set-Cookie of resp for cookie name, whole, into line; its value
 * into value (both "" if none).  Returns how many set it.
 */
static int
web_set_cookie(const struct http_response *resp, const char *name,
    char *line, size_t lsize, char *value, size_t vsize)
{
	const char	*v;
	size_t		 i, n = strlen(name);
	int		 found = 0;

	line[0] = value[0] = '\0';
	for (i = 0; i < resp->nheaders; i++) {
		if (strcasecmp(resp->hbuf + resp->headers[i].name,
		    "Set-Cookie") != 0)
			continue;
		v = resp->hbuf + resp->headers[i].value;
		if (strncmp(v, name, n) != 0 || v[n] != '=')
			continue;
		found++;
		(void)snprintf(line, lsize, "%s", v);
		(void)snprintf(value, vsize, "%.*s",
		    (int)strcspn(v + n + 1, ";"), v + n + 1);
	}
	return found;
}

/* Every page's headers. */
static void
web_page_headers(const struct http_response *resp, const char *name)
{
	ck_assert_msg(strcmp(resp->content_type, "text/html; charset=utf-8")
	    == 0, "%s: type %s", name, resp->content_type);
	ck_assert_str_eq(http_header(resp, "Content-Security-Policy"),
	    "default-src 'self'; frame-ancestors 'none'");
	ck_assert_str_eq(http_header(resp, "X-Frame-Options"), "DENY");
	ck_assert_str_eq(http_header(resp, "Cache-Control"), "no-store");
	ck_assert_str_eq(http_header(resp, "X-Content-Type-Options"),
	    "nosniff");
	ck_assert_str_eq(http_header(resp, "Referrer-Policy"), "same-origin");
	ck_assert_msg(resp->body_len < 10240, "%s: %zu bytes", name,
	    resp->body_len);
	ck_assert_ptr_null(strstr(resp->body, "<script"));
	ck_assert_ptr_null(strstr(resp->body, "style"));
}

/*
 * Sign in through the form as name at now (sessions on: both cookies);
 * the cookie jar for the next request into jar ("a=b; c=d"), the access
 * token into tok and the refresh token into rt ("" if none).
 */
static void
web_signin(struct app *app, time_t now, const char *name, char *jar,
    size_t jsize, char *tok, size_t tsize, char rt[SESSION_REFRESH_CHARS + 1])
{
	struct http_response	 resp;
	struct http_outcome	 out;
	char			 body[256], line[4096];

	(void)snprintf(body, sizeof(body), "username=%s&password=%spass&"
	    "next=%%2Ffiles%%2F", name, name);
	web(signin_handle, app, now, "POST", NULL, NULL, SITE, NULL, body,
	    &resp, &out);
	ck_assert_msg(resp.status == 303, "signin %s: %d %s", name,
	    resp.status, resp.body);
	ck_assert_str_eq(http_header(&resp, "Location"), "/files/");
	ck_assert_int_eq(web_set_cookie(&resp, "fcgi-auth", line,
	    sizeof(line), tok, tsize), 1);
	(void)web_set_cookie(&resp, "fcgi-auth-refresh", line, sizeof(line),
	    rt, SESSION_REFRESH_CHARS + 1);
	(void)snprintf(jar, jsize, "fcgi-auth=%s%s%s", tok,
	    rt[0] != '\0' ? "; fcgi-auth-refresh=" : "", rt);
}

/*
 * The page: every header, the next it carries (escaped), the accessible
 * form; next refused for every way off the site.
 */
static const struct {
	const char	*name;
	const char	*query;
	const char	*field;		/* the hidden next's value */
} page_cases[] = {
	{ "no next", NULL, "value=\"/\"" },
	{ "a path", "next=%2Ffiles%2F", "value=\"/files/\"" },
	{ "a path as typed", "next=/files/a.txt?x=1",
	    "value=\"/files/a.txt?x=1\"" },
	{ "a path with a query of its own", "next=%2Ff%3Fa%3D1%26b%3D2",
	    "value=\"/f?a=1&amp;b=2\"" },
	{ "HTML escaped", "next=/%22%3E%3Cscript%3E",
	    "value=\"/&quot;&gt;&lt;script&gt;\"" },
	{ "//evil", "next=//evil.example", "value=\"/\"" },
	{ "https://evil", "next=https%3A%2F%2Fevil.example", "value=\"/\"" },
	{ "/\\evil", "next=/%5Cevil.example", "value=\"/\"" },
	{ "javascript:", "next=javascript:alert(1)", "value=\"/\"" },
	{ "/%2F%2Fevil", "next=/%252F%252Fevil.example", "value=\"/\"" },
	{ "/%5Cevil", "next=/%255Cevil.example", "value=\"/\"" },
	{ "tab", "next=/%09/evil.example", "value=\"/\"" },
	{ "a raw byte above 0x7e", "next=/caf%C3%A9", "value=\"/\"" },
	{ "an encoded one is a path", "next=/caf%25C3%25A9",
	    "value=\"/caf%C3%A9\"" },
};

START_TEST(test_web_page)
{
	struct http_response	 resp;
	struct http_outcome	 out;

	web(signin_handle, sess_app, TS_CONST, _i % 2 ? "HEAD" : "GET",
	    page_cases[_i].query, NULL, NULL, NULL, NULL, &resp, &out);
	ck_assert_int_eq(resp.status, 200);
	web_page_headers(&resp, page_cases[_i].name);
	ck_assert_msg(strstr(resp.body, page_cases[_i].field) != NULL,
	    "%s: %s", page_cases[_i].name, resp.body);
	ck_assert_ptr_nonnull(strstr(resp.body, "<html lang=\"en\">"));
	ck_assert_ptr_nonnull(strstr(resp.body, "<main>"));
	ck_assert_ptr_nonnull(strstr(resp.body, "<h1>"));
	ck_assert_ptr_nonnull(strstr(resp.body,
	    "<form method=\"post\" action=\"/auth/signin\">"));
	ck_assert_ptr_nonnull(strstr(resp.body, "<label for=\"username\">"));
	ck_assert_ptr_nonnull(strstr(resp.body, "<label for=\"password\">"));
	ck_assert_ptr_nonnull(strstr(resp.body, "autocomplete=\"username\""));
	ck_assert_ptr_nonnull(strstr(resp.body,
	    "autocomplete=\"current-password\""));
	ck_assert_ptr_null(http_header(&resp, "Set-Cookie"));
}
END_TEST

/* A next past REDIRECT_NEXT_MAX, in the query or the form: "/". */
START_TEST(test_web_next_long)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	char			 q[2200], body[2300];

	memcpy(q, "next=/", 6);
	memset(q + 6, 'a', sizeof(q) - 7);
	q[sizeof(q) - 1] = '\0';
	web(signin_handle, sess_app, TS_CONST, "GET", q, NULL, NULL, NULL,
	    NULL, &resp, &out);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_ptr_nonnull(strstr(resp.body, "name=\"next\" value=\"/\""));
	(void)snprintf(body, sizeof(body), "username=alice&password=alicepass&"
	    "%s", q);
	web(signin_handle, sess_app, TS_CONST, "POST", NULL, NULL, SITE, NULL,
	    body, &resp, &out);
	ck_assert_int_eq(resp.status, 303);
	ck_assert_str_eq(http_header(&resp, "Location"), "/");
}
END_TEST

/*
 * Signed in: 303 to next, both cookies as the contract spells them, the
 * session in the store as login starts one; the access token is the
 * one a login gives (sid, all the role's scopes).
 */
START_TEST(test_web_signin)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	struct token_claims	 c;
	struct store_session	 s;
	unsigned char		 hash[SESSION_HASH_BYTES];
	char			 line[4096], tok[2048], rt[128];
	char			 sid[SESSION_SID_CHARS + 1], want[4096];
	int			 https = _i;

	web(signin_handle, sess_app, TS_CONST, "POST", NULL, NULL,
	    https ? "https://a.example" : SITE, https ? "on" : NULL,
	    "username=alice&password=alicepass&next=%2Ffiles%2Fa.txt", &resp,
	    &out);
	ck_assert_msg(resp.status == 303, "%d %s", resp.status, resp.body);
	ck_assert_str_eq(http_header(&resp, "Location"), "/files/a.txt");
	ck_assert_str_eq(http_header(&resp, "Cache-Control"), "no-store");
	ck_assert_str_eq(out.user, "alice");
	ck_assert_str_eq(out.reason, "signin");
	ck_assert_int_eq(web_set_cookie(&resp, https ? "__Host-fcgi-auth" :
	    "fcgi-auth", line, sizeof(line), tok, sizeof(tok)), 1);
	(void)snprintf(want, sizeof(want), "%s=%s; Path=/; Max-Age=1800; "
	    "HttpOnly%s; SameSite=Lax", https ? "__Host-fcgi-auth" :
	    "fcgi-auth", tok, https ? "; Secure" : "");
	ck_assert_str_eq(line, want);
	ck_assert_int_eq(web_set_cookie(&resp, https ?
	    "__Secure-fcgi-auth-refresh" : "fcgi-auth-refresh", line,
	    sizeof(line), rt, sizeof(rt)), 1);
	/* The refresh cookie lives as long as the session: 7 idle days. */
	(void)snprintf(want, sizeof(want), "%s=%s; Path=/auth/; "
	    "Max-Age=604800; HttpOnly%s; SameSite=Lax", https ?
	    "__Secure-fcgi-auth-refresh" : "fcgi-auth-refresh", rt,
	    https ? "; Secure" : "");
	ck_assert_str_eq(line, want);
	ck_assert_int_eq(token_verify(app_cfg(sess_app), tok, strlen(tok),
	    TS_CONST, &c), TOKEN_OK);
	ck_assert_str_eq(c.sub, "alice");
	ck_assert_int_eq(session_refresh_parse(rt, strlen(rt), sid, hash), 0);
	ck_assert_str_eq(sid, c.sid);
	ck_assert_uint_eq(strlen(c.jti), SESSION_JTI_CHARS);
	ck_assert_int_eq(store_get(app_store(sess_app), c.sid, &s), STORE_OK);
	ck_assert_str_eq(s.user, "alice");
	ck_assert_str_eq(s.addr, "192.0.2.7");
	ck_assert_int_eq(s.ended, 0);
}
END_TEST

/*
 * Refused sign-ins: the form again with one message, the name kept and
 * never the password, each costing one hash; or no hash at all for a
 * form from another site.
 */
static const struct {
	const char	*name;
	const char	*origin, *body;
	int		 status, hashes;
	const char	*has;		/* in the page */
} refused_cases[] = {
	{ "wrong password", SITE, "username=alice&password=bobpass", 401, 1,
	    "value=\"alice\"" },
	{ "unknown user", SITE, "username=zed&password=zedpass", 401, 1,
	    "value=\"zed\"" },
	{ "disabled user", SITE, "username=carol&password=carolpass", 401, 1,
	    "value=\"carol\"" },
	{ "no password", SITE, "username=alice", 401, 1, "value=\"alice\"" },
	{ "nothing", SITE, "", 401, 1, "Incorrect username or password" },
	{ "name escaped", SITE, "username=%3Cb%3E%22&password=x", 401, 1,
	    "value=\"&lt;b&gt;&quot;\"" },
	{ "NUL in name: not shown", SITE, "username=a%00b&password=x", 401,
	    0, "autofocus value=\"\"" },
	{ "another site", "http://evil.example",
	    "username=alice&password=alicepass", 403, 0, "another site" },
	{ "Origin null", "null", "username=alice&password=alicepass", 403, 0,
	    "another site" },
	{ "no Origin", NULL, "username=alice&password=alicepass", 403, 0,
	    "another site" },
	{ "https page, http origin", "https://a.example",
	    "username=alice&password=alicepass", 403, 0, "another site" },
};

START_TEST(test_web_refused)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	int			 hashes = sess_hashes;

	web(signin_handle, sess_app, TS_CONST, "POST", NULL, NULL,
	    refused_cases[_i].origin, NULL, refused_cases[_i].body, &resp,
	    &out);
	ck_assert_msg(resp.status == refused_cases[_i].status, "%s: %d",
	    refused_cases[_i].name, resp.status);
	web_page_headers(&resp, refused_cases[_i].name);
	ck_assert_msg(strstr(resp.body, refused_cases[_i].has) != NULL,
	    "%s: %s", refused_cases[_i].name, resp.body);
	if (resp.status == 401)
		ck_assert_ptr_nonnull(strstr(resp.body,
		    "<p role=\"alert\">Incorrect username or password</p>"));
	ck_assert_ptr_null(strstr(resp.body, "pass\""));
	ck_assert_ptr_null(http_header(&resp, "Set-Cookie"));
	/* A NUL is refused before the hash, as login refuses it. */
	if (refused_cases[_i].hashes == 0 && resp.status == 401)
		ck_assert_int_eq(sess_hashes, hashes);
	else
		ck_assert_int_eq(sess_hashes, hashes +
		    refused_cases[_i].hashes);
}
END_TEST

/*
 * Throttled exactly as /auth/login, one count for both: four wrong
 * passwords at login and one through the form, then the right one
 * through the form waits (429 page, Retry-After, no hash), and login
 * too.
 */
START_TEST(test_web_throttle)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	int			 i, hashes;

	for (i = 0; i < 4; i++) {
		sess_post(login_handle, sess_app, TS_CONST, NULL, FORM,
		    "username=bob&password=wrong", &resp, &out);
		ck_assert_int_eq(resp.status, 401);
	}
	web(signin_handle, sess_app, TS_CONST, "POST", NULL, NULL, SITE, NULL,
	    "username=bob&password=wrong", &resp, &out);
	ck_assert_int_eq(resp.status, 401);
	hashes = sess_hashes;
	web(signin_handle, sess_app, TS_CONST + 1, "POST", NULL, NULL, SITE,
	    NULL, "username=bob&password=bobpass", &resp, &out);
	ck_assert_int_eq(resp.status, 429);
	web_page_headers(&resp, "429");
	ck_assert_str_eq(http_header(&resp, "Retry-After"), "29");
	ck_assert_str_eq(out.reason, "too many failed logins: throttled");
	ck_assert_ptr_null(http_header(&resp, "Set-Cookie"));
	sess_post(login_handle, sess_app, TS_CONST + 1, NULL, FORM,
	    "username=bob&password=bobpass", &resp, &out);
	ck_assert_int_eq(resp.status, 429);
	ck_assert_int_eq(sess_hashes, hashes);
	web(signin_handle, sess_app, TS_CONST + 30, "POST", NULL, NULL, SITE,
	    NULL, "username=bob&password=bobpass", &resp, &out);
	ck_assert_int_eq(resp.status, 303);
}
END_TEST

/*
 * Silent sign-in: the page asked for with a refresh cookie rotates it
 * (a new pair of cookies, 303 to next); the old refresh cookie again is
 * reuse: the whole session ends, the cookies are cleared, the page
 * shown, and the new access token is refused.
 */
START_TEST(test_web_silent)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	struct token_claims	 c;
	struct store_session	 s;
	char			 jar[4096], tok[2048];
	char			 rt[SESSION_REFRESH_CHARS + 1];
	char			 tok2[2048], rt2[128], line[4096];
	char			 old[4096];

	web_signin(sess_app, TS_CONST, "alice", jar, sizeof(jar), tok,
	    sizeof(tok), rt);
	/* The access token lapsed: only the refresh cookie is left. */
	(void)snprintf(old, sizeof(old), "fcgi-auth-refresh=%s", rt);
	web(signin_handle, sess_app, TS_CONST + 1900, "GET",
	    "next=%2Ffiles%2F", old, NULL, NULL, NULL, &resp, &out);
	ck_assert_msg(resp.status == 303, "%d %s", resp.status, resp.body);
	ck_assert_str_eq(http_header(&resp, "Location"), "/files/");
	ck_assert_str_eq(out.user, "alice");
	ck_assert_int_eq(web_set_cookie(&resp, "fcgi-auth", line,
	    sizeof(line), tok2, sizeof(tok2)), 1);
	ck_assert_int_eq(web_set_cookie(&resp, "fcgi-auth-refresh", line,
	    sizeof(line), rt2, sizeof(rt2)), 1);
	ck_assert_str_ne(rt2, rt);
	ck_assert_str_ne(tok2, tok);
	ck_assert_int_eq(token_verify(app_cfg(sess_app), tok2, strlen(tok2),
	    TS_CONST + 1900, &c), TOKEN_OK);
	ck_assert_str_eq(c.sub, "alice");
	/* Signed in with it: the page sends the browser on. */
	(void)snprintf(jar, sizeof(jar), "fcgi-auth=%s", tok2);
	web(signin_handle, sess_app, TS_CONST + 1900, "GET", NULL, jar, NULL,
	    NULL, NULL, &resp, &out);
	ck_assert_int_eq(resp.status, 303);

	/* The old refresh cookie again: reuse. */
	web(signin_handle, sess_app, TS_CONST + 1901, "GET",
	    "next=%2Ffiles%2F", old, NULL, NULL, NULL, &resp, &out);
	ck_assert_int_eq(resp.status, 200);
	web_page_headers(&resp, "reuse");
	ck_assert_str_eq(out.reason, "refresh token reuse: session ended");
	ck_assert_int_eq(web_set_cookie(&resp, "fcgi-auth", line,
	    sizeof(line), tok, sizeof(tok)), 1);
	ck_assert_str_eq(line, "fcgi-auth=; Path=/; Max-Age=0; HttpOnly; "
	    "SameSite=Lax");
	ck_assert_int_eq(web_set_cookie(&resp, "fcgi-auth-refresh", line,
	    sizeof(line), tok, sizeof(tok)), 1);
	ck_assert_str_eq(line, "fcgi-auth-refresh=; Path=/auth/; Max-Age=0; "
	    "HttpOnly; SameSite=Lax");
	ck_assert_int_eq(store_get(app_store(sess_app), c.sid, &s), STORE_OK);
	ck_assert_int_ne(s.ended, 0);
	/* The new access cookie is refused now, and the new refresh one. */
	web(signin_handle, sess_app, TS_CONST + 1902, "GET", NULL, jar, NULL,
	    NULL, NULL, &resp, &out);
	ck_assert_int_eq(resp.status, 200);
	(void)snprintf(old, sizeof(old), "fcgi-auth-refresh=%s", rt2);
	web(signin_handle, sess_app, TS_CONST + 1902, "GET", NULL, old, NULL,
	    NULL, NULL, &resp, &out);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(out.reason, "session ended or expired");
}
END_TEST

/*
 * Access cookies on the page: a valid one is signed in already (303, no
 * rotation); a forged, expired, alg-none, other-key or unknown-user one
 * gets the page, and a refresh cookie that is no token clears both.
 */
static const struct {
	const char	*name;
	const char	*cookie;	/* "%T": a token for alice, valid */
	int		 status;
} cookie_cases[] = {
	{ "valid", "fcgi-auth=%T", 303 },
	{ "valid, https name under http", "__Host-fcgi-auth=%T", 200 },
	{ "valid, quoted", "fcgi-auth=\"%T\"", 303 },
	{ "valid, second of two", "fcgi-auth=x.y.z; fcgi-auth=%T", 200 },
	{ "not a token", "fcgi-auth=x.y.z", 200 },
	{ "alg none", "fcgi-auth=eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0."
	    "eyJzdWIiOiJhbGljZSIsInJvbGUiOiJhZG1pbiIsImV4cCI6MTcwMDAwMDYwMH0.",
	    200 },
	{ "expired", "fcgi-auth=%E", 200 },
	{ "other key", "fcgi-auth=%K", 200 },
	{ "empty", "fcgi-auth=", 200 },
	{ "refresh cookie no token", "fcgi-auth-refresh=%3Cscript%3E", 200 },
	{ "refresh cookie unknown", "fcgi-auth-refresh="
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    200 },
};

START_TEST(test_web_cookies)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	struct token_claims	 c;
	char			 cookie[4096], line[256], val[256];
	char			*tok = NULL, *p;
	const char		*key = "0123456789abcdef0123456789abcdeX";
	time_t			 when = TS_CONST;

	(void)snprintf(cookie, sizeof(cookie), "%s", cookie_cases[_i].cookie);
	if ((p = strchr(cookie, '%')) != NULL && (p[1] == 'T' ||
	    p[1] == 'E' || p[1] == 'K')) {
		ck_assert_int_eq(token_claims_init(&c, "alice", "admin", 3), 0);
		if (p[1] == 'E')
			when = TS_CONST - 1801;
		if (p[1] == 'K')
			tok = forge_token_str("{\"alg\":\"HS256\",\"typ\":"
			    "\"JWT\"}", "{\"sub\":\"alice\",\"role\":\"admin\","
			    "\"exp\":1700000600,\"ver\":3}", "HS256", key,
			    strlen(key));
		else
			ck_assert_int_eq(token_mint(app_cfg(sess_app), &c,
			    when, &tok), 0);
		(void)snprintf(cookie, sizeof(cookie), "%.*s%s%s",
		    (int)(p - cookie), cookie_cases[_i].cookie, tok,
		    cookie_cases[_i].cookie + (p - cookie) + 2);
		free(tok);
	}
	web(signin_handle, sess_app, TS_CONST, "GET", "next=/x", cookie, NULL,
	    NULL, NULL, &resp, &out);
	ck_assert_msg(resp.status == cookie_cases[_i].status, "%s: %d",
	    cookie_cases[_i].name, resp.status);
	if (resp.status == 303) {
		ck_assert_str_eq(http_header(&resp, "Location"), "/x");
		ck_assert_str_eq(out.reason, "already signed in");
		ck_assert_ptr_null(http_header(&resp, "Set-Cookie"));
	} else
		web_page_headers(&resp, cookie_cases[_i].name);
	/* Only a refresh cookie that failed clears them. */
	ck_assert_int_eq(web_set_cookie(&resp, "fcgi-auth-refresh", line,
	    sizeof(line), val, sizeof(val)), strncmp(cookie_cases[_i].cookie,
	    "fcgi-auth-refresh", 17) == 0);
}
END_TEST

/* The store down: 503 pages, and nothing cleared or set. */
START_TEST(test_web_down)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	char			 jar[4096], tok[2048];
	char			 rt[SESSION_REFRESH_CHARS + 1];
	char			 old[256];
	int			 hashes;

	web_signin(sess_app, TS_CONST, "alice", jar, sizeof(jar), tok,
	    sizeof(tok), rt);
	(void)snprintf(old, sizeof(old), "fcgi-auth-refresh=%s", rt);
	sess_lock();
	hashes = sess_hashes;
	web(signin_handle, sess_app, TS_CONST, "POST", NULL, NULL, SITE, NULL,
	    "username=alice&password=alicepass", &resp, &out);
	ck_assert_int_eq(resp.status, 503);
	web_page_headers(&resp, "signin 503");
	ck_assert_str_eq(http_header(&resp, "Retry-After"), "5");
	ck_assert_int_eq(sess_hashes, hashes);
	web(signin_handle, sess_app, TS_CONST + 1, "GET", NULL, old, NULL,
	    NULL, NULL, &resp, &out);
	ck_assert_int_eq(resp.status, 503);
	ck_assert_ptr_null(http_header(&resp, "Set-Cookie"));
	web(signout_handle, sess_app, TS_CONST + 1, "POST", NULL, jar, SITE,
	    NULL, "", &resp, &out);
	ck_assert_int_eq(resp.status, 503);
	web_page_headers(&resp, "signout 503");
	ck_assert_ptr_null(http_header(&resp, "Set-Cookie"));
	ck_assert_ptr_nonnull(strstr(resp.body, "still signed in"));
	sess_unlock();
	/* Back: the refresh cookie still works. */
	web(signin_handle, sess_app, TS_CONST + 2, "GET", NULL, old, NULL,
	    NULL, NULL, &resp, &out);
	ck_assert_int_eq(resp.status, 303);
}
END_TEST

/*
 * Sign-out ends the session (its tokens refused, its refresh cookie
 * too), clears both cookies, and 303s to the page; again without cookies
 * the same; from another site refused, nothing ended.
 */
START_TEST(test_web_signout)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	struct store_session	 s;
	struct token_claims	 c;
	char			 jar[4096], tok[2048];
	char			 rt[SESSION_REFRESH_CHARS + 1];
	char			 line[256], val[64], auth[2200], old[256];
	int			 https;

	web_signin(sess_app, TS_CONST, "alice", jar, sizeof(jar), tok,
	    sizeof(tok), rt);
	(void)snprintf(auth, sizeof(auth), "Bearer %s", tok);
	ck_assert_int_eq(token_verify(app_cfg(sess_app), tok, strlen(tok),
	    TS_CONST, &c), TOKEN_OK);

	web(signout_handle, sess_app, TS_CONST + 1, "POST", NULL, jar,
	    "http://evil.example", NULL, "", &resp, &out);
	ck_assert_int_eq(resp.status, 403);
	web_page_headers(&resp, "cross-site signout");
	ck_assert_ptr_null(http_header(&resp, "Set-Cookie"));
	ck_assert_int_eq(sess_me(sess_app, auth, &resp), 200);

	web(signout_handle, sess_app, TS_CONST + 1, "POST", NULL, jar, SITE,
	    NULL, "", &resp, &out);
	ck_assert_int_eq(resp.status, 303);
	ck_assert_str_eq(http_header(&resp, "Location"), "/auth/signin");
	ck_assert_str_eq(out.user, "alice");
	ck_assert_str_eq(out.reason, "signout");
	ck_assert_int_eq(web_set_cookie(&resp, "fcgi-auth", line,
	    sizeof(line), val, sizeof(val)), 1);
	ck_assert_str_eq(line, "fcgi-auth=; Path=/; Max-Age=0; HttpOnly; "
	    "SameSite=Lax");
	ck_assert_int_eq(web_set_cookie(&resp, "fcgi-auth-refresh", line,
	    sizeof(line), val, sizeof(val)), 1);
	ck_assert_int_eq(store_get(app_store(sess_app), c.sid, &s), STORE_OK);
	ck_assert_int_ne(s.ended, 0);
	ck_assert_int_eq(sess_me(sess_app, auth, &resp), 401);
	(void)snprintf(old, sizeof(old), "fcgi-auth-refresh=%s", rt);
	web(signin_handle, sess_app, TS_CONST + 2, "GET", NULL, old, NULL,
	    NULL, NULL, &resp, &out);
	ck_assert_int_eq(resp.status, 200);

	/* The refresh cookie alone ends its session too. */
	web_signin(sess_app, TS_CONST, "bob", jar, sizeof(jar), tok,
	    sizeof(tok), rt);
	ck_assert_int_eq(token_verify(app_cfg(sess_app), tok, strlen(tok),
	    TS_CONST, &c), TOKEN_OK);
	(void)snprintf(old, sizeof(old), "fcgi-auth-refresh=%s", rt);
	web(signout_handle, sess_app, TS_CONST + 3, "POST", NULL, old, SITE,
	    NULL, NULL, &resp, &out);
	ck_assert_int_eq(resp.status, 303);
	ck_assert_int_eq(store_get(app_store(sess_app), c.sid, &s), STORE_OK);
	ck_assert_int_ne(s.ended, 0);

	/* Idempotent: no cookies, the same 303 (https: the prefixed names). */
	for (https = 0; https <= 1; https++) {
		web(signout_handle, sess_app, TS_CONST + 4, "POST", NULL, NULL,
		    https ? "https://a.example" : SITE, https ? "on" : NULL,
		    NULL, &resp, &out);
		ck_assert_int_eq(resp.status, 303);
		ck_assert_int_eq(web_set_cookie(&resp, https ?
		    "__Host-fcgi-auth" : "fcgi-auth", line, sizeof(line), val,
		    sizeof(val)), 1);
		ck_assert_int_eq(web_set_cookie(&resp, https ?
		    "__Secure-fcgi-auth-refresh" : "fcgi-auth-refresh", line,
		    sizeof(line), val, sizeof(val)), 1);
	}
	run(signout_handle, sess_app, "GET", NULL, NULL, NULL, 0, &resp, &out);
	ck_assert_int_eq(resp.status, 405);
	ck_assert_str_eq(http_header(&resp, "Allow"), "POST");
	run(signin_handle, sess_app, "PUT", NULL, NULL, NULL, 0, &resp, &out);
	ck_assert_int_eq(resp.status, 405);
	ck_assert_str_eq(http_header(&resp, "Allow"), "GET, HEAD, POST");
}
END_TEST

/*
 * Sessions off: the access cookie alone, for a token without sid; a
 * refresh cookie is not looked at; sign-out clears the cookie (the token
 * lives until it expires).
 */
START_TEST(test_web_off)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	struct token_claims	 c;
	struct app		*off = sess_app_new(NULL, NULL);
	char			 jar[4096], tok[2048];
	char			 rt[SESSION_REFRESH_CHARS + 1];
	char			 line[256], val[64];

	web_signin(off, TS_CONST, "alice", jar, sizeof(jar), tok, sizeof(tok),
	    rt);
	ck_assert_str_eq(rt, "");
	ck_assert_int_eq(token_verify(app_cfg(off), tok, strlen(tok),
	    TS_CONST, &c), TOKEN_OK);
	ck_assert_str_eq(c.sid, "");
	web(signin_handle, off, TS_CONST, "GET", NULL, "fcgi-auth-refresh="
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    NULL, NULL, NULL, &resp, &out);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_ptr_null(http_header(&resp, "Set-Cookie"));
	web(signout_handle, off, TS_CONST, "POST", NULL, jar, SITE, NULL, NULL,
	    &resp, &out);
	ck_assert_int_eq(resp.status, 303);
	ck_assert_int_eq(web_set_cookie(&resp, "fcgi-auth", line,
	    sizeof(line), val, sizeof(val)), 1);
	ck_assert_str_eq(val, "");
	app_free(off);
}
END_TEST

/*
 * The authorizer and the session behind the cookie, sessions on: signed
 * in, the cookie passes; after a reuse of the old refresh cookie (the
 * whole session ended) and after sign-out, the browser is sent to sign
 * in again, an API client gets 401.
 */
/* A second app on this test's store, with POLICY: the authorizer's. */
static struct app *
web_policy_app(void)
{
	char	 policy[1100];

	(void)snprintf(policy, sizeof(policy), "%s/policy", sess_dir);
	test_write(policy, POLICY, strlen(POLICY));
	return sess_app_new(sess_db, policy);
}

/*
 * authorize asks with params ("NAME=VALUE", up to n or a NULL), the
 * cookie, and Accept and X-Fcgi-Auth-Reply unless NULL; the status.
 */
static int
web_ask(struct app *app, time_t now, const char *const *params, size_t n,
    const char *cookie, const char *accept, const char *reply,
    struct http_response *resp)
{
	struct test_request	 t;
	struct http_outcome	 out;
	const char		*eq;
	char			 name[64];
	size_t			 i;

	test_request_init(&t, "GET", now);
	for (i = 0; i < n && params[i] != NULL; i++) {
		eq = strchr(params[i], '=');
		(void)snprintf(name, sizeof(name), "%.*s",
		    (int)(eq - params[i]), params[i]);
		test_request_param(&t, name, eq + 1);
	}
	/* (test_request_param leaves out a NULL value.) */
	test_request_param(&t, "HTTP_COOKIE", cookie);
	test_request_param(&t, "HTTP_ACCEPT", accept);
	test_request_param(&t, "HTTP_X_FCGI_AUTH_REPLY", reply);
	http_response_init(resp);
	http_outcome_init(&out);
	ck_assert_int_eq(authorize_handle(app, &t.req, resp, &out), 0);
	test_request_free(&t);
	return resp->status;
}

static int
web_authorize(struct app *app, time_t now, const char *cookie,
    const char *accept, struct http_response *resp)
{
	static const char *const files[] = { "REQUEST_URI=/files/a.txt" };

	return web_ask(app, now, files, ARRAY_SIZE(files), cookie, accept,
	    NULL, resp);
}

START_TEST(test_web_authorize_session)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	struct app		*app;
	char			 jar[4096], tok[2048];
	char			 rt[SESSION_REFRESH_CHARS + 1];
	char			 line[4096], tok2[2048], rt2[128], old[256];

	app = web_policy_app();

	web_signin(app, TS_CONST, "alice", jar, sizeof(jar), tok, sizeof(tok),
	    rt);
	ck_assert_int_eq(web_authorize(app, TS_CONST, jar, "text/html",
	    &resp), 200);
	ck_assert_str_eq(http_header(&resp, "X-Auth-User"), "alice");
	/* Silent sign-in, then the old refresh cookie again. */
	(void)snprintf(old, sizeof(old), "fcgi-auth-refresh=%s", rt);
	web(signin_handle, app, TS_CONST + 10, "GET", NULL, old, NULL, NULL,
	    NULL, &resp, &out);
	ck_assert_int_eq(resp.status, 303);
	(void)web_set_cookie(&resp, "fcgi-auth", line, sizeof(line), tok2,
	    sizeof(tok2));
	(void)web_set_cookie(&resp, "fcgi-auth-refresh", line, sizeof(line),
	    rt2, sizeof(rt2));
	(void)snprintf(jar, sizeof(jar), "fcgi-auth=%s", tok2);
	ck_assert_int_eq(web_authorize(app, TS_CONST + 10, jar, "text/html",
	    &resp), 200);
	web(signin_handle, app, TS_CONST + 11, "GET", NULL, old, NULL, NULL,
	    NULL, &resp, &out);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_int_eq(web_authorize(app, TS_CONST + 11, jar, "text/html",
	    &resp), 302);
	ck_assert_str_eq(http_header(&resp, "Location"),
	    "/auth/signin?next=/files/a.txt");
	ck_assert_int_eq(web_authorize(app, TS_CONST + 11, jar, NULL, &resp),
	    401);
	ck_assert_str_eq(resp.body, "{\"detail\":\"Token revoked\"}");

	/* Signed in again, then out. */
	web_signin(app, TS_CONST + 12, "alice", jar, sizeof(jar), tok,
	    sizeof(tok), rt);
	ck_assert_int_eq(web_authorize(app, TS_CONST + 12, jar, "text/html",
	    &resp), 200);
	web(signout_handle, app, TS_CONST + 13, "POST", NULL, jar, SITE, NULL,
	    NULL, &resp, &out);
	ck_assert_int_eq(resp.status, 303);
	ck_assert_int_eq(web_authorize(app, TS_CONST + 13, jar, "text/html",
	    &resp), 302);
	app_free(app);
}
END_TEST

/*
 * X-Fcgi-Auth-Reply: client makes the authorizer read the ended sessions
 * at once, for nginx's second ask (its config alone sends it, with
 * X-Original-*).  Through any other door it is the client's own header,
 * and heeded it would let a client make every request read the store:
 * there the ended sessions are read at the poll's pace, as for any ask.
 * Each door: signed in and allowed; signed out by another process; asked
 * again with the header (refused at once only where it is heeded); the
 * poll's interval later, refused everywhere.
 */
static const struct {
	const char	*name;
	const char	*params[4];
	int		 heeded;
} reply_cases[] = {
	{ "nginx's second ask", { "REQUEST_URI=/auth",
	    "HTTP_X_ORIGINAL_URI=/files/a.txt", "HTTP_X_ORIGINAL_METHOD=GET" },
	    1 },
	{ "FastCGI Authorizer (lighttpd, Apache)", { "FCGI_ROLE=AUTHORIZER",
	    "REQUEST_URI=/files/a.txt" }, 0 },
	{ "Caddy's forward auth", { "REQUEST_URI=/auth",
	    "HTTP_X_FORWARDED_URI=/files/a.txt",
	    "HTTP_X_FORWARDED_METHOD=GET" }, 0 },
	{ "asked as a responder", { "REQUEST_URI=/files/a.txt" }, 0 },
};

/* Door c asks app about /files/a.txt with cookie, the header if reply. */
static int
reply_ask(struct app *app, size_t c, const char *cookie, const char *reply,
    struct http_response *resp)
{
	return web_ask(app, TS_CONST + 2, reply_cases[c].params,
	    ARRAY_SIZE(reply_cases[c].params), cookie, NULL, reply, resp);
}

START_TEST(test_web_authorize_reply_header)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	struct app		*app;
	char			 jar[4096], tok[2048];
	char			 rt[SESSION_REFRESH_CHARS + 1];

	app = web_policy_app();		/* the authorizer's process */

	web_signin(sess_app, TS_CONST, "alice", jar, sizeof(jar), tok,
	    sizeof(tok), rt);
	ck_assert_int_eq(reply_ask(app, (size_t)_i, jar, NULL, &resp), 200);
	web(signout_handle, sess_app, TS_CONST + 1, "POST", NULL, jar, SITE,
	    NULL, NULL, &resp, &out);
	ck_assert_int_eq(resp.status, 303);
	ck_assert_int_eq(reply_ask(app, (size_t)_i, jar, "client", &resp),
	    reply_cases[_i].heeded ? 401 : 200);
	test_clock_step(STORE_POLL_INTERVAL_MS);
	ck_assert_int_eq(reply_ask(app, (size_t)_i, jar, "client", &resp), 401);
	ck_assert_str_eq(resp.body, "{\"detail\":\"Token revoked\"}");
	app_free(app);
}
END_TEST

/* The JWK Set endpoint under HS256: no public key, 404; GET only. */
START_TEST(test_jwks_hs)
{
	struct http_response	 resp;
	struct http_outcome	 out;

	run(jwks_handle, test_app, "GET", NULL, NULL, NULL, 0, &resp, &out);
	ck_assert_int_eq(resp.status, 404);
	ck_assert_str_eq(resp.content_type, "application/json");
	ck_assert_str_eq(resp.body, "{\"detail\":\"Not Found\"}");
	run(jwks_handle, test_app, "POST", NULL, NULL, NULL, 0, &resp, &out);
	ck_assert_int_eq(resp.status, 405);
	ck_assert_str_eq(http_header(&resp, "Allow"), "GET");
}
END_TEST

/*
 * The health check: 200 with the users loaded and nothing more (no name),
 * not to be cached; 503 without a good configuration (the loop's NULL
 * app); GET only.
 */
START_TEST(test_healthz)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	char			 want[64];

	run(healthz_handle, test_app, "GET", NULL, NULL, NULL, 0, &resp,
	    &out);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(resp.content_type, "application/json");
	(void)snprintf(want, sizeof(want), "{\"status\":\"ok\",\"users\":%zu}",
	    users_count(app_users(test_app)));
	ck_assert_uint_gt(users_count(app_users(test_app)), 0);
	ck_assert_str_eq(resp.body, want);
	ck_assert_str_eq(http_header(&resp, "Cache-Control"), "no-store");
	run(healthz_handle, NULL, "GET", NULL, NULL, NULL, 0, &resp, &out);
	ck_assert_int_eq(resp.status, 503);
	ck_assert_str_eq(resp.body, "{\"status\":\"unavailable\"}");
	ck_assert_str_eq(http_header(&resp, "Cache-Control"), "no-store");
	run(healthz_handle, test_app, "POST", NULL, NULL, NULL, 0, &resp,
	    &out);
	ck_assert_int_eq(resp.status, 405);
	ck_assert_str_eq(http_header(&resp, "Allow"), "GET");
}
END_TEST

/* An app of alg with the key set at set (and its private key at pem). */
static struct app *
pair_app(const char *alg, const char *set, const char *pem, int keys)
{
	struct app_opts	 opts;
	struct app	*app;
	char		 err[1024];

	memset(&opts, 0, sizeof(opts));
	opts.keys = keys;
	unsetenv("JWT_SECRET");
	unsetenv("JWT_SECRET_FILE");
	unsetenv("ACCESS_TOKEN_TTL_MIN");
	setenv("JWT_ALG", alg, 1);
	setenv("JWT_KEYS_FILE", set, 1);
	if (pem != NULL)
		setenv("JWT_PRIVATE_KEY_FILE", pem, 1);
	else
		unsetenv("JWT_PRIVATE_KEY_FILE");
	setenv("USERS_FILE", test_path("users"), 1);
	app = app_new_opts(APP_POLICY_NONE, &opts, err, sizeof(err));
	ck_assert_msg(app != NULL, "app_new_opts: %s", err);
	unsetenv("JWT_KEYS_FILE");
	unsetenv("JWT_PRIVATE_KEY_FILE");
	return app;
}

/*
 * ES256: the set served as re-made from the parsed keys (a stray member
 * in the file is not published), cacheable for 300 s; a token the login
 * side mints passes /me on the verifying side; a new set is served (and
 * verifies) after app_refresh.
 */
START_TEST(test_jwks_pair)
{
	struct http_response	 resp;
	struct http_outcome	 out;
	struct token_claims	 c;
	struct app		*signer, *verifier;
	struct jwk		*k, *k2;
	json_object		*o, *doc, *v;
	const char		*dir = test_fresh_dir("jwks");
	char			 set[560], pem[560], buf[4096], auth[2048];
	char			 err[512], *tok;
	size_t			 len;

	(void)snprintf(set, sizeof(set), "%s/keys.jwks", dir);
	(void)snprintf(pem, sizeof(pem), "%s/key.pem", dir);
	ck_assert_ptr_nonnull(k = jwk_generate(KEYS_ES256, 0, err,
	    sizeof(err)));
	ck_assert_int_eq(jwk_write_pem(k, pem, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(o = jwk_public_json(k));
	json_object_object_add(o, "x5c", json_object_new_string("stray"));
	(void)snprintf(buf, sizeof(buf), "{\"keys\":[%s]}",
	    json_object_to_json_string(o));
	json_object_put(o);
	test_replace(set, buf);

	signer = pair_app("ES256", set, pem, KEYS_SIGN);
	verifier = pair_app("ES256", set, NULL, 0);
	/* The verifying side never holds the private key. */
	ck_assert_ptr_null(keys_signing(app_cfg(verifier)->keys));

	run(jwks_handle, verifier, "GET", NULL, NULL, NULL, 0, &resp, &out);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(resp.content_type, "application/json");
	ck_assert_str_eq(http_header(&resp, "Cache-Control"),
	    "public, max-age=300");
	ck_assert_ptr_null(strstr(resp.body, "x5c"));
	ck_assert_ptr_nonnull(doc = json_tokener_parse(resp.body));
	v = json_object_array_get_idx(json_object_object_get(doc, "keys"), 0);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(v,
	    "kid")), jwk_kid(k));
	ck_assert_ptr_null(json_object_object_get(v, "d"));
	json_object_put(doc);
	ck_assert_str_eq(resp.body, keys_jwks_json(app_cfg(verifier)->keys,
	    &len));

	ck_assert_int_eq(token_claims_init(&c, "alice", "user", 3), 0);
	ck_assert_int_eq(token_mint(app_cfg(signer), &c, TS_CONST, &tok), 0);
	(void)snprintf(auth, sizeof(auth), "Bearer %s", tok);
	run(me_handle, verifier, "GET", auth, NULL, NULL, 0, &resp, &out);
	ck_assert_msg(resp.status == 200, "%d %s", resp.status, resp.body);

	/* Another key only: served after the refresh, the token refused. */
	ck_assert_ptr_nonnull(k2 = jwk_generate(KEYS_ES256, 0, err,
	    sizeof(err)));
	ck_assert_ptr_nonnull(o = jwk_public_json(k2));
	(void)snprintf(buf, sizeof(buf), "{\"keys\":[%s]}",
	    json_object_to_json_string(o));
	json_object_put(o);
	test_replace(set, buf);
	(void)app_refresh(verifier, USERS_REFRESH_FORCE);
	run(jwks_handle, verifier, "GET", NULL, NULL, NULL, 0, &resp, &out);
	ck_assert_ptr_nonnull(strstr(resp.body, jwk_kid(k2)));
	ck_assert_ptr_null(strstr(resp.body, jwk_kid(k)));
	run(me_handle, verifier, "GET", auth, NULL, NULL, 0, &resp, &out);
	ck_assert_int_eq(resp.status, 401);

	free(tok);
	jwk_free(k);
	jwk_free(k2);
	app_free(signer);
	app_free(verifier);
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

	tc = tcase_create("jwks");
	tcase_add_unchecked_fixture(tc, test_app_setup,
	    test_app_teardown);
	tcase_add_test(tc, test_jwks_hs);
	tcase_add_test(tc, test_jwks_pair);
	tcase_add_test(tc, test_healthz);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("authorize");
	tcase_add_unchecked_fixture(tc, test_app_setup, test_app_teardown);
	tcase_add_unchecked_fixture(tc, policy_setup, policy_teardown);
	tcase_add_loop_test(tc, test_authorize, 0,
	    ARRAY_SIZE(authorize_cases));
	tcase_add_loop_test(tc, test_authorize_cache, 0,
	    ARRAY_SIZE(cache_cases));
	tcase_add_test(tc, test_authorize_methods);
	tcase_add_loop_test(tc, test_authorize_web, 0,
	    ARRAY_SIZE(web_authz_cases));
	tcase_add_loop_test(tc, test_login_scope, 0, ARRAY_SIZE(scope_cases));
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_unchecked_fixture(tc, hostile_setup, hostile_teardown);
	tcase_add_loop_test(tc, test_hostile_token, 0,
	    ARRAY_SIZE(hostile_token_cases));
	tcase_add_loop_test(tc, test_hostile_login, 0,
	    ARRAY_SIZE(login_cases));
	tcase_add_test(tc, test_login_token_round_trip);
	tcase_add_test(tc, test_login_null_body);
	tcase_add_loop_test(tc, test_password_length, 0,
	    ARRAY_SIZE(password_cases));
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("sessions");
	tcase_add_checked_fixture(tc, sess_setup, sess_teardown);
	tcase_add_test(tc, test_sess_login);
	tcase_add_test(tc, test_sess_login_off);
	tcase_add_loop_test(tc, test_sess_throttle, 0, 4);
	tcase_add_test(tc, test_sess_login_down);
	tcase_add_test(tc, test_sess_healthz);
	tcase_add_loop_test(tc, test_sess_refresh_row, 0,
	    ARRAY_SIZE(refresh_cases));
	tcase_add_test(tc, test_sess_refresh_reuse);
	tcase_add_test(tc, test_sess_refresh_expiry);
	tcase_add_loop_test(tc, test_sess_refresh_vet, 0,
	    ARRAY_SIZE(vet_cases));
	tcase_add_test(tc, test_sess_refresh_scope);
	tcase_add_test(tc, test_sess_down);
	tcase_add_test(tc, test_sess_logout);
	tcase_add_test(tc, test_sess_logout_refused);
	tcase_add_loop_test(tc, test_sess_revoke, 0,
	    ARRAY_SIZE(revoke_cases));
	tcase_add_loop_test(tc, test_sess_revoke_bad, 0,
	    ARRAY_SIZE(revoke_bad));
	tcase_add_test(tc, test_sess_off_and_methods);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("browser");
	tcase_add_checked_fixture(tc, sess_setup, sess_teardown);
	tcase_add_loop_test(tc, test_web_page, 0, ARRAY_SIZE(page_cases));
	tcase_add_test(tc, test_web_next_long);
	tcase_add_loop_test(tc, test_web_signin, 0, 2);
	tcase_add_loop_test(tc, test_web_refused, 0,
	    ARRAY_SIZE(refused_cases));
	tcase_add_test(tc, test_web_throttle);
	tcase_add_test(tc, test_web_silent);
	tcase_add_loop_test(tc, test_web_cookies, 0,
	    ARRAY_SIZE(cookie_cases));
	tcase_add_test(tc, test_web_down);
	tcase_add_test(tc, test_web_signout);
	tcase_add_test(tc, test_web_off);
	tcase_add_test(tc, test_web_authorize_session);
	tcase_add_loop_test(tc, test_web_authorize_reply_header, 0,
	    ARRAY_SIZE(reply_cases));
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(handlers_suite)
