/* check_attacks.c -- attacks on the token verifier, the login form and the handlers */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <crypt.h>
#include <json-c/json.h>

#include "app.h"
#include "authz.h"
#include "endpoints.h"
#include "forge.h"
#include "http.h"
#include "log.h"
#include "password.h"
#include "token.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define STR(x)		#x
#define XSTR(x)		STR(x)

/*
 * Every request arrives at NOW; the apps are configured with a 30 minute
 * lifetime, so exp may be at most NOW + 30 * 60 + TOKEN_LEEWAY_SEC.
 * The times are literals so the payloads below read as what is sent.
 */
#define NOW		1700000000
#define TTL_MIN		30
#define EXP_OK		1700000600	/* NOW + 10 minutes */
#define EXP_NEXT	1700000001	/* NOW + 1 s: still valid */
#define EXP_PAST	1699999999	/* NOW - 1 s */
#define EXP_LAST	1700001860	/* NOW + 30 min + 60 s: the furthest */
#define EXP_TOO_FAR	1700001861	/* one second further */
#define IAT_LEEWAY	1700000060	/* NOW + 60 s: clock skew allowed */
#define IAT_FUTURE	1700000061
#define NBF_FUTURE	1700000001

#define SECRET256	"attack-suite-hs256-secret-0123456789abcdef"
#define SECRET512	"attack-suite-hs512-secret-0123456789abcdef" \
			"0123456789abcdef0123456789abcdef"
#define WRONG_SECRET	"not-the-secret-not-the-secret-not-the-secret"

/* The HMAC key of an algorithm-confusion attack: a public key. */
static const char	 public_key_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA4mwrtz2n7qYT2loUGYWS\n"
    "JjllWzglWL0OoksS3e9dWoVXse4GniC7y9GAOeSoiZUVpjnsn1GRooOD6aaAbKOS\n"
    "Cwbm5yDhRytUv6PZX6Dx9vkd7U/0Gi3fbiLqefEzyROOkxn7VK5Kc9m4Ye2/Jh8a\n"
    "lY3NacMUT4DbXLkrewRI/zTmDp85PzExEcJ3URsnS1UOyG6uH3cfs6fHBGizOBOw\n"
    "xiVeuq9jwEy4BrKNvMurfpVvuGQAIWmNUpG86FbMFekKXQd3V/jr11M3cz94qHwo\n"
    "AGp3bw3igaLb5YAl3EhDjTpTLzgOVxWD3qo8jOf1Mov8kNtp3V/UKPUZu6vFU9IM\n"
    "YwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

/* The refusals' details, as authz.c words them. */
#define D_BAD		"Invalid or expired token"
#define D_PAYLOAD	"Invalid token payload"
#define D_NO_CREDS	"Not authenticated"
#define D_NO_USER	"User not found"
#define D_DISABLED	"User disabled"
#define D_REVOKED	"Token revoked"
#define D_LOGIN		"Invalid username or password"

#define H256		"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define H512		"{\"alg\":\"HS512\",\"typ\":\"JWT\"}"
/* A good payload for alice, and the same with one claim changed. */
#define P_ALICE		"{\"sub\":\"alice\",\"role\":\"admin\"," \
			"\"iat\":" XSTR(NOW) ",\"exp\":" XSTR(EXP_OK) "}"
#define P_SUB(v)	"{\"sub\":" v ",\"role\":\"admin\",\"exp\":" \
			XSTR(EXP_OK) "}"
#define P_ROLE(v)	"{\"sub\":\"alice\",\"role\":" v ",\"exp\":" \
			XSTR(EXP_OK) "}"
#define P_EXP(v)	"{\"sub\":\"alice\",\"role\":\"admin\",\"exp\":" v "}"
#define P_WITH(k, v)	"{\"sub\":\"alice\",\"role\":\"admin\",\"exp\":" \
			XSTR(EXP_OK) ",\"" k "\":" v "}"

/*
 * Passwords.  The users file is written at setup with cheap hashes: bcrypt
 * cost 6 for the timing test (a few ms a verification), sha512crypt with
 * 1000 rounds where only the scheme matters.
 */
#define BCRYPT_COST	6
#define PW_ALICE	"alice-pw"
#define PW_PCT		"100%zz%4% a+b"		/* sent as 100%zz%4%+a%2Bb */
/* libxcrypt hashes passphrases shorter than CRYPT_MAX_PASSPHRASE_SIZE. */
#define PW_MAX_LEN	(CRYPT_MAX_PASSPHRASE_SIZE - 1)	/* 511 */

static struct app	*app256;	/* JWT_ALG=HS256, SECRET256 */
static struct app	*app512;	/* JWT_ALG=HS512, SECRET512 */
static char		 users_path[64];
static char		 pw73[74];	/* 72 x 'b' then 'X' */
static char		 pw_max[PW_MAX_LEN + 1];

/* A users file line: name, scheme ("$2b$" or "$6$"), password, the rest. */
static const struct {
	const char	*name, *prefix, *password, *rest;
} users_lines[] = {
	/*
	 * The file mixes settings, cheapest first: unknown users must be
	 * verified against the costliest (bcrypt, as alice's), not the first
	 * line's, or the timing test below sees them answered faster.
	 */
	{ "pct", "$6$", PW_PCT, "user" },
	{ "alice", "$2b$", PW_ALICE, "admin" },
	{ "bob", "$2b$", "bob-pw", "user:disabled" },
	{ "carol", "$2b$", "carol-pw", "user" },
	{ "dave", "$2b$", "dave-pw", "admin:active:3" },
	{ "bc72", "$2b$", pw73, "user" },
	{ "sha73", "$6$", pw73, "user" },
	{ "max", "$6$", pw_max, "user" },
};

/* An endpoint, as cgi-bin/ declares them (endpoints.h). */
typedef int handler_fn(struct app *, const struct http_request *,
    struct http_response *, struct http_outcome *);

/* What the last request handled by get() or post_login() came to. */
static struct http_outcome	 last_out;

static void	 log_discard(const char *, size_t, void *);
static struct app *make_app(const char *, const char *, const char *);
static void	 apps_setup(void);
static void	 apps_teardown(void);
static char	*mint(const char *, const char *, const char *, const char *);
static const char *detail_of(const struct http_response *, char *, size_t);
static char	*param(const char *, const char *);
static void	 request(struct http_request *, char **, const char *,
		    const char *, const char *);
static void	 get(handler_fn *, struct app *, const char *,
		    struct http_response *);
static void	 post_login(const char *, const char *, size_t,
		    struct http_response *);
static char	*bearer(const char *, const char *, const char *);

static void
log_discard(const char *line, size_t len, void *arg)
{
	(void)line;
	(void)len;
	(void)arg;
}

static struct app *
make_app(const char *alg, const char *secret, const char *users)
{
	struct app	*app;
	char		 err[512];

	ck_assert_int_eq(setenv("JWT_ALG", alg, 1), 0);
	ck_assert_int_eq(setenv("JWT_SECRET", secret, 1), 0);
	ck_assert_int_eq(setenv("ACCESS_TOKEN_TTL_MIN", XSTR(TTL_MIN), 1), 0);
	ck_assert_int_eq(setenv("USERS_FILE", users, 1), 0);
	ck_assert_int_eq(unsetenv("JWT_SECRET_FILE"), 0);
	app = app_new(err, sizeof(err));
	ck_assert_msg(app != NULL, "app_new(%s): %s", alg, err);
	return app;
}

/*
 * Write the users file in the build directory (the current directory
 * under "make check"; distcheck's source tree is read-only) and make
 * one app per algorithm.  Unchecked: the hashes are the slow part.
 */
static void
apps_setup(void)
{
	char	 hash[PASSWORD_HASH_MAX];
	FILE	*f;
	size_t	 i;
	int	 fd;

	log_init("check_attacks");
	log_set_sink(log_discard, NULL);
	memset(pw73, 'b', 72);
	pw73[72] = 'X';
	pw73[73] = '\0';
	for (i = 0; i < PW_MAX_LEN; i++)
		pw_max[i] = (char)('a' + i % 26);
	pw_max[PW_MAX_LEN] = '\0';

	(void)snprintf(users_path, sizeof(users_path),
	    "check_attacks-users.XXXXXX");
	fd = mkstemp(users_path);
	ck_assert_msg(fd != -1, "mkstemp %s: %s", users_path, strerror(errno));
	ck_assert((f = fdopen(fd, "w")) != NULL);
	fprintf(f, "# written by check_attacks\n");
	for (i = 0; i < ARRAY_SIZE(users_lines); i++) {
		ck_assert_msg(password_hash(users_lines[i].password,
		    users_lines[i].prefix,
		    strcmp(users_lines[i].prefix, "$2b$") == 0 ? BCRYPT_COST :
		    1000, hash, sizeof(hash)) == 0, "hash for %s",
		    users_lines[i].name);
		fprintf(f, "%s:%s:%s\n", users_lines[i].name, hash,
		    users_lines[i].rest);
	}
	ck_assert_int_eq(fclose(f), 0);
	app256 = make_app("HS256", SECRET256, users_path);
	app512 = make_app("HS512", SECRET512, users_path);
}

static void
apps_teardown(void)
{
	app_free(app256);
	app_free(app512);
	app256 = app512 = NULL;
	(void)unlink(users_path);
}

/* A token signed with HMAC hs under key; the caller frees it. */
static char *
mint(const char *header, const char *payload, const char *hs,
    const char *key)
{
	char	*t;

	t = forge_token_str(header, payload, hs, key, strlen(key));
	ck_assert(t != NULL);
	return t;
}

/* "Bearer " prefix + token + suffix; the caller frees it. */
static char *
bearer(const char *prefix, const char *token, const char *suffix)
{
	size_t	 len = strlen(prefix) + strlen(token) + strlen(suffix) + 1;
	char	*s;

	ck_assert((s = malloc(len)) != NULL);
	(void)snprintf(s, len, "%s%s%s", prefix, token, suffix);
	return s;
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

/* "name=value", as libfcgi lists a parameter; the caller frees it. */
static char *
param(const char *name, const char *value)
{
	size_t	 len = strlen(name) + strlen(value) + 2;
	char	*s;

	ck_assert((s = malloc(len)) != NULL);
	(void)snprintf(s, len, "%s=%s", name, value);
	return s;
}

/*
 * A request from 192.0.2.1 at NOW, its parameters in params (4 slots,
 * each freed by the caller): the method, and the Authorization header
 * and the content type unless NULL.
 */
static void
request(struct http_request *req, char **params, const char *method,
    const char *authorization, const char *content_type)
{
	size_t	 n = 0;

	memset(req, 0, sizeof(*req));
	params[n++] = param("REQUEST_METHOD", method);
	params[n++] = param("REMOTE_ADDR", "192.0.2.1");
	if (authorization != NULL)
		params[n++] = param("HTTP_AUTHORIZATION", authorization);
	if (content_type != NULL)
		params[n++] = param("CONTENT_TYPE", content_type);
	while (n < 4)
		params[n++] = NULL;
	req->params = (const char *const *)params;
	req->method = method;
	req->now = NOW;
}

/* A GET with this Authorization header (NULL: none) at NOW. */
static void
get(handler_fn *handle, struct app *app, const char *authorization,
    struct http_response *resp)
{
	struct http_request	 req;
	char			*params[5] = { NULL };
	size_t			 i;

	request(&req, params, "GET", authorization, NULL);
	req.body = "";
	http_response_init(resp);
	http_outcome_init(&last_out);
	(void)handle(app, &req, resp, &last_out);
	for (i = 0; i < 4; i++)
		free(params[i]);
}

/* A POST /auth/login of len bytes of body (0: strlen) at NOW. */
static void
post_login(const char *content_type, const char *body, size_t len,
    struct http_response *resp)
{
	struct http_request	 req;
	char			*params[5] = { NULL };
	size_t			 i;

	request(&req, params, "POST", NULL, content_type);
	req.body = body;
	req.body_len = len > 0 ? len : strlen(body);
	http_response_init(resp);
	http_outcome_init(&last_out);
	(void)login_handle(app256, &req, resp, &last_out);
	for (i = 0; i < 4; i++)
		free(params[i]);
}

/*
 * Token attacks: each token is forged from a header and a payload (raw
 * JSON text, not necessarily valid), an HMAC under some key, then
 * possibly mangled.  Each must get the verdict want from token_verify
 * and the status and detail from GET /me.
 */
enum key {
	K_SECRET,	/* the configured secret: a genuine signature */
	K_WRONG,	/* another secret */
	K_PUBKEY,	/* a public key PEM, as in RS256 -> HS256 confusion */
};

enum mangle {
	M_NONE,
	M_NO_SIG,	/* "h.p." */
	M_TWO_PARTS,	/* "h.p" */
	M_FOUR_PARTS,	/* "h.p.s.s" */
	M_TRAILING_DOT,	/* "h.p.s." */
	M_SIG_TRUNC,	/* the signature's last character cut */
	M_SIG_PAD,	/* "=" appended to the signature */
	M_SIG_PLUS,	/* a '+' (base64, not base64url) in the signature */
	M_SIG_FLIP,	/* one signature character changed */
	M_FLIP_PAYLOAD,	/* payload byte 8 (the 'a' of "alice") ^ 1 */
	M_OTHER_HEADER,	/* the signature made over header alt */
};

static const struct {
	const char		*name;
	int			 conf;		/* 256 or 512: which app */
	const char		*header, *payload;
	const char		*hs;		/* HMAC; NULL: no signature */
	enum key		 key;
	enum mangle		 mangle;
	const char		*alt;		/* for M_OTHER_HEADER */
	enum token_result	 want;
	int			 status;
	const char		*detail;	/* NULL for a 200 */
} token_cases[] = {
#define APP256	256
#define APP512	512
	/* Controls: what a genuine token gets. */
	{ "control: genuine HS256", APP256, H256, P_ALICE, "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_OK, 200, NULL },
	{ "control: genuine HS512 when HS512 is configured", APP512, H512,
	    P_ALICE, "HS512", K_SECRET, M_NONE, NULL, TOKEN_OK, 200, NULL },

	/* alg "none", however spelled, signed or not (RFC 8725 3.1). */
	{ "alg none, no signature", APP256, "{\"alg\":\"none\"}", P_ALICE,
	    NULL, K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "alg None, no signature", APP256, "{\"alg\":\"None\"}", P_ALICE,
	    NULL, K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "alg NONE, no signature", APP256, "{\"alg\":\"NONE\"}", P_ALICE,
	    NULL, K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "alg none, no signature, two parts", APP256, "{\"alg\":\"none\"}",
	    P_ALICE, NULL, K_SECRET, M_TWO_PARTS, NULL, TOKEN_INVALID, 401,
	    D_BAD },
	{ "alg none with a genuine HS256 signature", APP256,
	    "{\"alg\":\"none\"}", P_ALICE, "HS256", K_SECRET, M_NONE, NULL,
	    TOKEN_INVALID, 401, D_BAD },
	{ "alg None with a genuine HS256 signature", APP256,
	    "{\"alg\":\"None\",\"typ\":\"JWT\"}", P_ALICE, "HS256", K_SECRET,
	    M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "alg NONE with a genuine HS256 signature", APP256,
	    "{\"alg\":\"NONE\"}", P_ALICE, "HS256", K_SECRET, M_NONE, NULL,
	    TOKEN_INVALID, 401, D_BAD },

	/* Another HMAC than the configured one, even with the right key. */
	{ "HS384 token when HS256 is configured", APP256,
	    "{\"alg\":\"HS384\",\"typ\":\"JWT\"}", P_ALICE, "HS384", K_SECRET,
	    M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "HS512 token when HS256 is configured", APP256, H512, P_ALICE,
	    "HS512", K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "HS256 token when HS512 is configured", APP512, H256, P_ALICE,
	    "HS256", K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "HS256 header over an HS512 signature", APP256, H256, P_ALICE,
	    "HS512", K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "lowercase hs256 (libjwt alone would take it)", APP256,
	    "{\"alg\":\"hs256\",\"typ\":\"JWT\"}", P_ALICE, "HS256", K_SECRET,
	    M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "alg HS256 followed by a NUL", APP256,
	    "{\"alg\":\"HS256\\u0000\"}", P_ALICE, "HS256", K_SECRET, M_NONE,
	    NULL, TOKEN_INVALID, 401, D_BAD },
	{ "alg missing", APP256, "{\"typ\":\"JWT\"}", P_ALICE, "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "alg not a string", APP256, "{\"alg\":[\"HS256\"]}", P_ALICE,
	    "HS256", K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },

	/* Algorithm confusion: asymmetric algs with an HMAC signature. */
	{ "RS256 header, HMAC-SHA256 with the secret", APP256,
	    "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", P_ALICE, "HS256", K_SECRET,
	    M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "ES256 header, HMAC-SHA256 with the secret", APP256,
	    "{\"alg\":\"ES256\",\"typ\":\"JWT\"}", P_ALICE, "HS256", K_SECRET,
	    M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "RS256 header, HMAC-SHA256 with a public key", APP256,
	    "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", P_ALICE, "HS256", K_PUBKEY,
	    M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "ES256 header, HMAC-SHA256 with a public key", APP256,
	    "{\"alg\":\"ES256\",\"typ\":\"JWT\"}", P_ALICE, "HS256", K_PUBKEY,
	    M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "HS256 header, HMAC-SHA256 with a public key", APP256, H256,
	    P_ALICE, "HS256", K_PUBKEY, M_NONE, NULL, TOKEN_INVALID, 401,
	    D_BAD },
	{ "HS256 signed with another secret", APP256, H256, P_ALICE, "HS256",
	    K_WRONG, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },

	/* The signature and the token's shape. */
	{ "empty signature", APP256, H256, P_ALICE, "HS256", K_SECRET,
	    M_NO_SIG, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "truncated signature", APP256, H256, P_ALICE, "HS256", K_SECRET,
	    M_SIG_TRUNC, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "padded signature (=)", APP256, H256, P_ALICE, "HS256", K_SECRET,
	    M_SIG_PAD, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "signature not base64url (+)", APP256, H256, P_ALICE, "HS256",
	    K_SECRET, M_SIG_PLUS, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "one signature character changed", APP256, H256, P_ALICE, "HS256",
	    K_SECRET, M_SIG_FLIP, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "two parts", APP256, H256, P_ALICE, "HS256", K_SECRET, M_TWO_PARTS,
	    NULL, TOKEN_INVALID, 401, D_BAD },
	{ "four parts", APP256, H256, P_ALICE, "HS256", K_SECRET,
	    M_FOUR_PARTS, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "trailing dot", APP256, H256, P_ALICE, "HS256", K_SECRET,
	    M_TRAILING_DOT, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "empty payload, genuine signature", APP256, H256, "", "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "one payload byte flipped", APP256, H256, P_ALICE, "HS256",
	    K_SECRET, M_FLIP_PAYLOAD, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "genuine signature over a different header", APP256,
	    "{\"alg\":\"HS256\"}", P_ALICE, "HS256", K_SECRET, M_OTHER_HEADER,
	    H256, TOKEN_INVALID, 401, D_BAD },

	/* Header and payload that are not JSON objects, genuinely signed. */
	{ "header not JSON", APP256, "alg=HS256", P_ALICE, "HS256", K_SECRET,
	    M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "header a JSON array", APP256, "[\"HS256\"]", P_ALICE, "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "header a JSON string", APP256, "\"HS256\"", P_ALICE, "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "header with text after the object", APP256, H256 "x", P_ALICE,
	    "HS256", K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "payload not JSON", APP256, H256, "sub=alice", "HS256", K_SECRET,
	    M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "payload a JSON array", APP256, H256, "[\"alice\"]", "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "payload JSON null", APP256, H256, "null", "HS256", K_SECRET,
	    M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "payload with a second object after it", APP256, H256,
	    P_ALICE "{}", "HS256", K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401,
	    D_BAD },
	{ "payload nested deeper than 8", APP256, H256,
	    P_WITH("x", "[[[[[[[[[1]]]]]]]]]"), "HS256", K_SECRET, M_NONE,
	    NULL, TOKEN_INVALID, 401, D_BAD },

	/*
	 * Duplicate keys: json-c (ours) and jansson (libjwt's) both keep the
	 * last one, so the two parsers agree and the last one counts.
	 */
	{ "duplicate alg, none then HS256: the last, HS256, counts", APP256,
	    "{\"alg\":\"none\",\"alg\":\"HS256\"}", P_ALICE, "HS256", K_SECRET,
	    M_NONE, NULL, TOKEN_OK, 200, NULL },
	{ "duplicate alg, HS256 then none: the last, none, counts", APP256,
	    "{\"alg\":\"HS256\",\"alg\":\"none\"}", P_ALICE, "HS256", K_SECRET,
	    M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "duplicate sub, mallory then alice: alice", APP256, H256,
	    "{\"sub\":\"mallory\",\"role\":\"admin\",\"exp\":" XSTR(EXP_OK)
	    ",\"sub\":\"alice\"}", "HS256", K_SECRET, M_NONE, NULL, TOKEN_OK,
	    200, NULL },
	{ "duplicate sub, alice then mallory: mallory", APP256, H256,
	    "{\"sub\":\"alice\",\"role\":\"admin\",\"exp\":" XSTR(EXP_OK)
	    ",\"sub\":\"mallory\"}", "HS256", K_SECRET, M_NONE, NULL, TOKEN_OK,
	    401, D_NO_USER },
	{ "duplicate sub, the second spelled s\\u0075b: it counts", APP256,
	    H256, "{\"sub\":\"mallory\",\"role\":\"admin\",\"exp\":"
	    XSTR(EXP_OK) ",\"s\\u0075b\":\"alice\"}", "HS256", K_SECRET,
	    M_NONE, NULL, TOKEN_OK, 200, NULL },
	{ "duplicate alg, the second spelled \\u0061lg: none counts", APP256,
	    "{\"alg\":\"HS256\",\"\\u0061lg\":\"none\"}", P_ALICE, "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "duplicate exp, past then future: the future one", APP256, H256,
	    "{\"sub\":\"alice\",\"role\":\"admin\",\"exp\":" XSTR(EXP_PAST)
	    ",\"exp\":" XSTR(EXP_OK) "}", "HS256", K_SECRET, M_NONE, NULL,
	    TOKEN_OK, 200, NULL },
	{ "duplicate exp, future then past: the past one", APP256, H256,
	    "{\"sub\":\"alice\",\"role\":\"admin\",\"exp\":" XSTR(EXP_OK)
	    ",\"exp\":" XSTR(EXP_PAST) "}", "HS256", K_SECRET, M_NONE, NULL,
	    TOKEN_INVALID, 401, D_BAD },

	/* sub and role: genuine tokens, bad claims. */
	{ "sub a number", APP256, H256, P_SUB("42"), "HS256", K_SECRET,
	    M_NONE, NULL, TOKEN_BAD_PAYLOAD, 401, D_PAYLOAD },
	{ "sub null", APP256, H256, P_SUB("null"), "HS256", K_SECRET, M_NONE,
	    NULL, TOKEN_BAD_PAYLOAD, 401, D_PAYLOAD },
	{ "sub an array", APP256, H256, P_SUB("[\"alice\"]"), "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_BAD_PAYLOAD, 401, D_PAYLOAD },
	{ "sub an object", APP256, H256, P_SUB("{\"name\":\"alice\"}"),
	    "HS256", K_SECRET, M_NONE, NULL, TOKEN_BAD_PAYLOAD, 401,
	    D_PAYLOAD },
	{ "sub true", APP256, H256, P_SUB("true"), "HS256", K_SECRET, M_NONE,
	    NULL, TOKEN_BAD_PAYLOAD, 401, D_PAYLOAD },
	{ "sub empty", APP256, H256, P_SUB("\"\""), "HS256", K_SECRET, M_NONE,
	    NULL, TOKEN_BAD_PAYLOAD, 401, D_PAYLOAD },
	{ "sub missing", APP256, H256, "{\"role\":\"admin\",\"exp\":"
	    XSTR(EXP_OK) "}", "HS256", K_SECRET, M_NONE, NULL,
	    TOKEN_BAD_PAYLOAD, 401, D_PAYLOAD },
	/*
	 * jansson refuses \u0000 by default, so libjwt fails the decode
	 * before our claim checks see it: "invalid", not "bad payload".
	 */
	{ "sub with a NUL (\\u0000)", APP256, H256, P_SUB("\"alice\\u0000x\""),
	    "HS256", K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "sub of 65 characters", APP256, H256, P_SUB("\"aaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""), "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_BAD_PAYLOAD, 401, D_PAYLOAD },
	{ "sub of 64 characters: genuine, but no such user", APP256, H256,
	    P_SUB("\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaa\""), "HS256", K_SECRET, M_NONE, NULL, TOKEN_OK, 401,
	    D_NO_USER },
	{ "sub a path: a name, never opened", APP256, H256,
	    P_SUB("\"../../etc/passwd\""), "HS256", K_SECRET, M_NONE, NULL,
	    TOKEN_OK, 401, D_NO_USER },
	{ "sub not ASCII", APP256, H256, P_SUB("\"\\u00e5lice\""), "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_OK, 401, D_NO_USER },
	{ "role a number", APP256, H256, P_ROLE("1"), "HS256", K_SECRET,
	    M_NONE, NULL, TOKEN_BAD_PAYLOAD, 401, D_PAYLOAD },
	{ "role null", APP256, H256, P_ROLE("null"), "HS256", K_SECRET,
	    M_NONE, NULL, TOKEN_BAD_PAYLOAD, 401, D_PAYLOAD },
	{ "role an array", APP256, H256, P_ROLE("[\"admin\"]"), "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_BAD_PAYLOAD, 401, D_PAYLOAD },
	{ "role an object", APP256, H256, P_ROLE("{}"), "HS256", K_SECRET,
	    M_NONE, NULL, TOKEN_BAD_PAYLOAD, 401, D_PAYLOAD },
	{ "role empty", APP256, H256, P_ROLE("\"\""), "HS256", K_SECRET,
	    M_NONE, NULL, TOKEN_BAD_PAYLOAD, 401, D_PAYLOAD },
	{ "role with a NUL (\\u0000)", APP256, H256,
	    P_ROLE("\"admin\\u0000\""), "HS256", K_SECRET, M_NONE, NULL,
	    TOKEN_INVALID, 401, D_BAD },
	{ "role of 33 characters", APP256, H256,
	    P_ROLE("\"rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr\""), "HS256", K_SECRET,
	    M_NONE, NULL, TOKEN_BAD_PAYLOAD, 401, D_PAYLOAD },
	{ "role of 32 characters: accepted, and the file's role is used",
	    APP256, H256, P_ROLE("\"rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr\""),
	    "HS256", K_SECRET, M_NONE, NULL, TOKEN_OK, 200, NULL },
	{ "role missing", APP256, H256, "{\"sub\":\"alice\",\"exp\":"
	    XSTR(EXP_OK) "}", "HS256", K_SECRET, M_NONE, NULL,
	    TOKEN_BAD_PAYLOAD, 401, D_PAYLOAD },

	/* exp: a required integer in (NOW, NOW + lifetime + leeway]. */
	{ "exp missing", APP256, H256, "{\"sub\":\"alice\",\"role\":\"admin\"}",
	    "HS256", K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "exp a string", APP256, H256, P_EXP("\"" XSTR(EXP_OK) "\""),
	    "HS256", K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "exp a float", APP256, H256, P_EXP(XSTR(EXP_OK) ".5"), "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "exp a whole float", APP256, H256, P_EXP(XSTR(EXP_OK) ".0"),
	    "HS256", K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "exp in exponent notation", APP256, H256, P_EXP("1.7000006e9"),
	    "HS256", K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "exp negative", APP256, H256, P_EXP("-1"), "HS256", K_SECRET,
	    M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "exp INT64_MAX", APP256, H256, P_EXP("9223372036854775807"),
	    "HS256", K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "exp beyond int64", APP256, H256, P_EXP("9223372036854775808"),
	    "HS256", K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "exp beyond uint64", APP256, H256,
	    P_EXP("99999999999999999999999"), "HS256", K_SECRET, M_NONE, NULL,
	    TOKEN_INVALID, 401, D_BAD },
	{ "exp 1e300", APP256, H256, P_EXP("1e300"), "HS256", K_SECRET,
	    M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "exp true", APP256, H256, P_EXP("true"), "HS256", K_SECRET, M_NONE,
	    NULL, TOKEN_INVALID, 401, D_BAD },
	{ "exp null", APP256, H256, P_EXP("null"), "HS256", K_SECRET, M_NONE,
	    NULL, TOKEN_INVALID, 401, D_BAD },
	{ "exp one second ago", APP256, H256, P_EXP(XSTR(EXP_PAST)), "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "exp now", APP256, H256, P_EXP(XSTR(NOW)), "HS256", K_SECRET,
	    M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "control: exp in one second", APP256, H256, P_EXP(XSTR(EXP_NEXT)),
	    "HS256", K_SECRET, M_NONE, NULL, TOKEN_OK, 200, NULL },
	{ "control: exp at lifetime + leeway", APP256, H256,
	    P_EXP(XSTR(EXP_LAST)), "HS256", K_SECRET, M_NONE, NULL, TOKEN_OK,
	    200, NULL },
	{ "exp one second beyond lifetime + leeway", APP256, H256,
	    P_EXP(XSTR(EXP_TOO_FAR)), "HS256", K_SECRET, M_NONE, NULL,
	    TOKEN_INVALID, 401, D_BAD },

	/* iat and nbf: optional integers that make sense. */
	{ "iat a string", APP256, H256, P_WITH("iat", "\"" XSTR(NOW) "\""),
	    "HS256", K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "iat a float", APP256, H256, P_WITH("iat", XSTR(NOW) ".5"), "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "iat negative", APP256, H256, P_WITH("iat", "-1"), "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "iat beyond int64", APP256, H256,
	    P_WITH("iat", "9223372036854775808"), "HS256", K_SECRET, M_NONE,
	    NULL, TOKEN_INVALID, 401, D_BAD },
	{ "iat 1e300", APP256, H256, P_WITH("iat", "1e300"), "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "control: iat 60 s ahead (clock skew)", APP256, H256,
	    P_WITH("iat", XSTR(IAT_LEEWAY)), "HS256", K_SECRET, M_NONE, NULL,
	    TOKEN_OK, 200, NULL },
	{ "iat 61 s in the future", APP256, H256,
	    P_WITH("iat", XSTR(IAT_FUTURE)), "HS256", K_SECRET, M_NONE, NULL,
	    TOKEN_INVALID, 401, D_BAD },
	{ "nbf in the future", APP256, H256, P_WITH("nbf", XSTR(NBF_FUTURE)),
	    "HS256", K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "nbf a string", APP256, H256, P_WITH("nbf", "\"0\""), "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "control: nbf now", APP256, H256, P_WITH("nbf", XSTR(NOW)), "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_OK, 200, NULL },
	{ "ver negative", APP256, H256, P_WITH("ver", "-1"), "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "ver a string", APP256, H256, P_WITH("ver", "\"9\""), "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },

	/* Typed tokens and headers. */
	{ "typ claim refresh", APP256, H256, P_WITH("typ", "\"refresh\""),
	    "HS256", K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "typ claim not a string", APP256, H256, P_WITH("typ", "1"), "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "control: typ claim access", APP256, H256,
	    P_WITH("typ", "\"access\""), "HS256", K_SECRET, M_NONE, NULL,
	    TOKEN_OK, 200, NULL },
	{ "typ header at+jwt (libjwt 1.10 wants JWT)", APP256,
	    "{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}", P_ALICE, "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "crit header", APP256, "{\"alg\":\"HS256\",\"crit\":[\"exp\"]}",
	    P_ALICE, "HS256", K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401,
	    D_BAD },
	{ "crit header, empty", APP256, "{\"alg\":\"HS256\",\"crit\":[]}",
	    P_ALICE, "HS256", K_SECRET, M_NONE, NULL, TOKEN_INVALID, 401,
	    D_BAD },
	/* Key-locating headers are ignored: see the "fetch" test case. */
	{ "kid a path, otherwise valid", APP256,
	    "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"../../etc/passwd\"}",
	    P_ALICE, "HS256", K_SECRET, M_NONE, NULL, TOKEN_OK, 200, NULL },
	{ "jku and x5u URLs, otherwise valid", APP256,
	    "{\"alg\":\"HS256\",\"jku\":\"http://192.0.2.1/jwks.json\","
	    "\"x5u\":\"http://192.0.2.1/cert.pem\"}", P_ALICE, "HS256",
	    K_SECRET, M_NONE, NULL, TOKEN_OK, 200, NULL },
	{ "kid a path, signed with a public key", APP256,
	    "{\"alg\":\"HS256\",\"kid\":\"../../etc/passwd\"}", P_ALICE,
	    "HS256", K_PUBKEY, M_NONE, NULL, TOKEN_INVALID, 401, D_BAD },
	{ "jwk header with a key, signed with that key", APP256,
	    "{\"alg\":\"HS256\",\"jwk\":{\"kty\":\"oct\",\"k\":"
	    "\"bm90LXRoZS1zZWNyZXQtbm90LXRoZS1zZWNyZXQtbm90LXRoZS1zZWNyZXQ\"}}",
	    P_ALICE, "HS256", K_WRONG, M_NONE, NULL, TOKEN_INVALID, 401,
	    D_BAD },
#undef APP256
#undef APP512
};

/* Forge token_cases[i]; the caller frees the result. */
static char *
forge_case(size_t i)
{
	const char	*key;
	char		*t, *alt, *dot, *p, *s;
	size_t		 len, plen, slen;
	unsigned char	*raw;

	switch (token_cases[i].key) {
	case K_SECRET:
		key = token_cases[i].conf == 512 ? SECRET512 : SECRET256;
		break;
	case K_WRONG:
		key = WRONG_SECRET;
		break;
	default:
		key = public_key_pem;
		break;
	}
	t = mint(token_cases[i].header, token_cases[i].payload,
	    token_cases[i].hs, key);
	len = strlen(t);
	/* Room for what the mangles below append. */
	ck_assert((t = realloc(t, len * 2 + 8)) != NULL);
	s = strrchr(t, '.') + 1;	/* the signature */
	switch (token_cases[i].mangle) {
	case M_NONE:
		break;
	case M_NO_SIG:
		*s = '\0';
		break;
	case M_TWO_PARTS:
		s[-1] = '\0';
		break;
	case M_FOUR_PARTS:
		/* s ends where the copy goes: copy, then terminate. */
		slen = strlen(s);
		t[len] = '.';
		memcpy(t + len + 1, s, slen);
		t[len + 1 + slen] = '\0';
		break;
	case M_TRAILING_DOT:
		t[len] = '.';
		t[len + 1] = '\0';
		break;
	case M_SIG_TRUNC:
		t[len - 1] = '\0';
		break;
	case M_SIG_PAD:
		t[len] = '=';
		t[len + 1] = '\0';
		break;
	case M_SIG_PLUS:
		s[0] = '+';
		break;
	case M_SIG_FLIP:
		s[0] = s[0] == 'A' ? 'B' : 'A';
		break;
	case M_FLIP_PAYLOAD:
		/* Re-encode the payload with one byte changed: "`lice". */
		plen = strlen(token_cases[i].payload);
		ck_assert((raw = malloc(plen)) != NULL);
		memcpy(raw, token_cases[i].payload, plen);
		ck_assert(plen > 8 && raw[8] == 'a');
		raw[8] ^= 1;
		p = forge_b64url(raw, plen);
		free(raw);
		ck_assert(p != NULL);
		dot = strchr(t, '.');
		ck_assert(strlen(p) == (size_t)(s - 1 - (dot + 1)));
		memcpy(dot + 1, p, strlen(p));
		free(p);
		break;
	case M_OTHER_HEADER:
		/* alt's genuine signature, under the case's header. */
		alt = mint(token_cases[i].alt, token_cases[i].payload,
		    token_cases[i].hs, key);
		(void)snprintf(s, len * 2 + 8 - (size_t)(s - t), "%s",
		    strrchr(alt, '.') + 1);
		free(alt);
		break;
	}
	return t;
}

START_TEST(test_token_attack)
{
	struct app		*app;
	struct token_claims	 claims;
	struct http_response	 resp;
	enum token_result	 got;
	char			*t, *auth, detail[128];

	app = token_cases[_i].conf == 512 ? app512 : app256;
	t = forge_case((size_t)_i);
	got = token_verify(app_cfg(app), t, strlen(t), NOW, &claims);
	ck_assert_msg(got == token_cases[_i].want,
	    "%s: token_verify says %d, want %d (token %s)",
	    token_cases[_i].name, got, token_cases[_i].want, t);

	auth = bearer("Bearer ", t, "");
	get(me_handle, app, auth, &resp);
	ck_assert_msg(resp.status == token_cases[_i].status,
	    "%s: GET /me says %d %s, want %d", token_cases[_i].name,
	    resp.status, resp.body, token_cases[_i].status);
	if (token_cases[_i].detail != NULL) {
		ck_assert_msg(strcmp(detail_of(&resp, detail, sizeof(detail)),
		    token_cases[_i].detail) == 0, "%s: detail \"%s\", want "
		    "\"%s\"", token_cases[_i].name, detail,
		    token_cases[_i].detail);
		ck_assert_msg(http_header(&resp, "WWW-Authenticate") != NULL,
		    "%s: no WWW-Authenticate", token_cases[_i].name);
	} else
		ck_assert_msg(strcmp(resp.body, "{\"username\":\"alice\","
		    "\"role\":\"admin\"}") == 0, "%s: body %s",
		    token_cases[_i].name, resp.body);
	free(auth);
	free(t);
}
END_TEST

/*
 * The Authorization header around a genuine token.  The scheme is
 * compared case-insensitively (RFC 7235 2.1, as FastAPI does); exactly
 * one space separates it from the token, so a second space makes the
 * token start with a space, which no token does.
 */
static const struct {
	const char	*name;
	const char	*prefix;	/* NULL: no Authorization header */
	int		 with_token;
	const char	*suffix;
	int		 status;
	const char	*detail;
} bearer_cases[] = {
	{ "Bearer", "Bearer ", 1, "", 200, NULL },
	{ "bearer", "bearer ", 1, "", 200, NULL },
	{ "BEARER", "BEARER ", 1, "", 200, NULL },
	{ "bEaReR", "bEaReR ", 1, "", 200, NULL },
	{ "two spaces", "Bearer  ", 1, "", 401, D_BAD },
	{ "a tab", "Bearer\t", 1, "", 401, D_NO_CREDS },
	{ "a leading space", " Bearer ", 1, "", 401, D_NO_CREDS },
	{ "a trailing space", "Bearer ", 1, " ", 401, D_BAD },
	{ "a trailing comma", "Bearer ", 1, ",", 401, D_BAD },
	{ "no space", "Bearer", 1, "", 401, D_NO_CREDS },
	{ "scheme only", "Bearer", 0, "", 401, D_BAD },
	{ "scheme and a space", "Bearer ", 0, "", 401, D_BAD },
	{ "Basic", "Basic ", 1, "", 401, D_NO_CREDS },
	{ "Bearer:", "Bearer: ", 1, "", 401, D_NO_CREDS },
	{ "Bearer=", "Bearer=", 1, "", 401, D_NO_CREDS },
	{ "Bearers", "Bearers ", 1, "", 401, D_NO_CREDS },
	{ "Token", "Token ", 1, "", 401, D_NO_CREDS },
	{ "two tokens", "Bearer ", 1, " Bearer x", 401, D_BAD },
	{ "empty header", "", 0, "", 401, D_NO_CREDS },
	{ "no header", NULL, 0, "", 401, D_NO_CREDS },
};

START_TEST(test_bearer_variants)
{
	struct http_response	 resp;
	char			*t, *auth = NULL, detail[128];

	t = mint(H256, P_ALICE, "HS256", SECRET256);
	if (bearer_cases[_i].prefix != NULL)
		auth = bearer(bearer_cases[_i].prefix,
		    bearer_cases[_i].with_token ? t : "",
		    bearer_cases[_i].suffix);
	get(me_handle, app256, auth, &resp);
	ck_assert_msg(resp.status == bearer_cases[_i].status,
	    "%s: GET /me says %d %s, want %d", bearer_cases[_i].name,
	    resp.status, resp.body, bearer_cases[_i].status);
	if (bearer_cases[_i].detail != NULL)
		ck_assert_msg(strcmp(detail_of(&resp, detail, sizeof(detail)),
		    bearer_cases[_i].detail) == 0, "%s: detail \"%s\", want "
		    "\"%s\"", bearer_cases[_i].name, detail,
		    bearer_cases[_i].detail);
	free(auth);
	free(t);
}
END_TEST

/*
 * Genuinely signed tokens of a given length, padded with a claim.  Up to
 * TOKEN_MAX_BYTES they verify; beyond, they are refused before any
 * decoding (libjwt 1.10 allocas a token's length on the stack).  In
 * production lighttpd refuses headers over 8 KiB (431) first.
 */
static const struct {
	const char	*name;
	size_t		 len;
	enum token_result want;
	int		 status;
} size_cases[] = {
	{ "TOKEN_MAX_BYTES", TOKEN_MAX_BYTES, TOKEN_OK, 200 },
	{ "TOKEN_MAX_BYTES + 1", TOKEN_MAX_BYTES + 1, TOKEN_INVALID, 401 },
	{ "100 KiB", 100 * 1024, TOKEN_INVALID, 401 },
	{ "1 MiB", 1024 * 1024, TOKEN_INVALID, 401 },
};

/* A genuine token of exactly len characters; the caller frees it. */
static char *
mint_sized(size_t len)
{
	char	*payload, *t, kid[4] = "";
	size_t	 pad, k, fixed = 200;

	/* Base64 makes 4 characters of 3 bytes; tune kid for the rest. */
	ck_assert((payload = malloc(len + fixed)) != NULL);
	for (k = 0; k < 3; k++) {
		char	 header[64];

		memset(kid, 'k', k);
		kid[k] = '\0';
		(void)snprintf(header, sizeof(header),
		    "{\"alg\":\"HS256\",\"kid\":\"%s\"}", kid);
		for (pad = len / 4 * 3 > fixed ? len / 4 * 3 - fixed : 0;
		    pad < len / 4 * 3; pad++) {
			(void)snprintf(payload, len + fixed,
			    "{\"sub\":\"alice\",\"role\":\"admin\",\"exp\":"
			    XSTR(EXP_OK) ",\"pad\":\"%*s\"}", (int)pad, "");
			t = mint(header, payload, "HS256", SECRET256);
			if (strlen(t) == len) {
				free(payload);
				return t;
			}
			if (strlen(t) > len + 4) {
				free(t);
				break;
			}
			free(t);
		}
	}
	ck_abort_msg("no token of %zu characters", len);
	return NULL;
}

START_TEST(test_token_size)
{
	struct token_claims	 claims;
	struct http_response	 resp;
	char			*t, *auth;

	t = mint_sized(size_cases[_i].len);
	ck_assert_msg(token_verify(app_cfg(app256), t, strlen(t), NOW,
	    &claims) == size_cases[_i].want, "%s: token_verify",
	    size_cases[_i].name);
	auth = bearer("Bearer ", t, "");
	get(me_handle, app256, auth, &resp);
	ck_assert_msg(resp.status == size_cases[_i].status,
	    "%s: GET /me says %d, want %d", size_cases[_i].name, resp.status,
	    size_cases[_i].status);
	free(auth);
	free(t);
}
END_TEST

/* Read syscalls made so far by this process (Linux /proc/self/io), or -1. */
static long long
read_syscalls(void)
{
	char		 buf[1024], *p;
	ssize_t		 n;
	int		 fd;

	if ((fd = open("/proc/self/io", O_RDONLY)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((p = strstr(buf, "syscr: ")) == NULL)
		return -1;
	return strtoll(p + 7, NULL, 10);
}

/*
 * kid, jku and x5u are never used: with kid naming a FIFO (opening it
 * to read would block until the test times out) and jku and x5u a
 * listening socket of ours, a token verifies as usual, nothing connects
 * to the socket and no read syscall is made while it is verified.
 */
START_TEST(test_key_headers_not_fetched)
{
	struct sockaddr_in	 sin;
	struct token_claims	 claims;
	struct http_response	 resp;
	struct pollfd		 pfd;
	socklen_t		 slen = sizeof(sin);
	long long		 r0 = -1, r1, r2, r3, extra;
	char			 fifo[64], header[512], *t, *auth;
	const char		*pre;
	int			 s, try = 0;

	(void)snprintf(fifo, sizeof(fifo), "check_attacks-kid.%ld",
	    (long)getpid());
	(void)unlink(fifo);
	ck_assert_msg(mkfifo(fifo, 0600) == 0, "mkfifo: %s", strerror(errno));
	ck_assert((s = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert(bind(s, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	ck_assert(listen(s, 8) == 0);
	ck_assert(getsockname(s, (struct sockaddr *)&sin, &slen) == 0);
	(void)snprintf(header, sizeof(header), "{\"alg\":\"HS256\","
	    "\"kid\":\"%s\",\"jku\":\"http://127.0.0.1:%d/jwks.json\","
	    "\"x5u\":\"http://127.0.0.1:%d/cert.pem\"}", fifo,
	    ntohs(sin.sin_port), ntohs(sin.sin_port));
	t = mint(header, P_ALICE, "HS256", SECRET256);

	/* Once to warm up (libcrypto may read its config on first use)... */
	ck_assert(token_verify(app_cfg(app256), t, strlen(t), NOW, &claims) ==
	    TOKEN_OK);
	/*
	 * ...then count the reads of a measurement alone, and of one with a
	 * verification inside.  A fetch would read on every verification
	 * (nothing is cached), so one clean try of three is proof enough.
	 * Under valgrind, whose scheduler reads a pipe in our process as
	 * time passes, the count means nothing and is skipped.
	 */
	pre = getenv("LD_PRELOAD");
	if (pre != NULL && strstr(pre, "vgpreload") != NULL)
		try = 3;
	for (extra = -1; try < 3 && extra != 0; try++) {
		r0 = read_syscalls();
		r1 = read_syscalls();
		r2 = read_syscalls();
		ck_assert(token_verify(app_cfg(app256), t, strlen(t), NOW,
		    &claims) == TOKEN_OK);
		r3 = read_syscalls();
		if (r0 == -1)
			break;		/* no /proc/self/io: the rest stands */
		extra = (r3 - r2) - (r1 - r0);
	}
	if (r0 != -1)
		ck_assert_msg(extra == 0, "%lld read syscalls while verifying "
		    "a token with kid/jku/x5u", extra);

	auth = bearer("Bearer ", t, "");
	get(me_handle, app256, auth, &resp);
	ck_assert_msg(resp.status == 200, "GET /me: %d %s", resp.status,
	    resp.body);
	pfd.fd = s;
	pfd.events = POLLIN;
	ck_assert_msg(poll(&pfd, 1, 0) == 0, "something connected to the jku "
	    "URL");
	free(auth);
	free(t);
	(void)close(s);
	(void)unlink(fifo);
}
END_TEST

/*
 * Genuine tokens that still must not get in, or not as far as they ask:
 * identity, role and revocation come from the users file, not the token.
 */
static const struct {
	const char	*name;
	handler_fn	*handle;
	const char	*payload;
	int		 status;
	const char	*body;		/* exact, or the detail for a refusal */
} handler_cases[] = {
	{ "role claim admin for a user: /me says user", me_handle,
	    "{\"sub\":\"carol\",\"role\":\"admin\",\"exp\":" XSTR(EXP_OK) "}",
	    200, "{\"username\":\"carol\",\"role\":\"user\"}" },
	{ "role claim admin for a user: /reports refuses", reports_handle,
	    "{\"sub\":\"carol\",\"role\":\"admin\",\"exp\":" XSTR(EXP_OK) "}",
	    403, "Requires role: admin" },
	{ "disabled user's genuine token", me_handle,
	    "{\"sub\":\"bob\",\"role\":\"user\",\"exp\":" XSTR(EXP_OK) "}",
	    401, D_DISABLED },
	{ "token older than the user's version", me_handle,
	    "{\"sub\":\"dave\",\"role\":\"admin\",\"exp\":" XSTR(EXP_OK)
	    ",\"ver\":2}", 401, D_REVOKED },
	{ "token without ver, user at version 3", me_handle,
	    "{\"sub\":\"dave\",\"role\":\"admin\",\"exp\":" XSTR(EXP_OK) "}",
	    401, D_REVOKED },
	{ "control: token at the user's version", reports_handle,
	    "{\"sub\":\"dave\",\"role\":\"admin\",\"exp\":" XSTR(EXP_OK)
	    ",\"ver\":3}", 200,
	    "{\"ok\":true,\"data\":[\"revenue.csv\",\"churn.xlsx\"],"
	    "\"viewer\":\"dave\"}" },
	{ "user not in the file", projects_handle,
	    "{\"sub\":\"mallory\",\"role\":\"admin\",\"exp\":" XSTR(EXP_OK) "}",
	    401, D_NO_USER },
	{ "names are case-sensitive", me_handle,
	    "{\"sub\":\"Alice\",\"role\":\"admin\",\"exp\":" XSTR(EXP_OK) "}",
	    401, D_NO_USER },
};

START_TEST(test_handler_attack)
{
	struct http_response	 resp;
	char			*t, *auth, detail[128];

	t = mint(H256, handler_cases[_i].payload, "HS256", SECRET256);
	auth = bearer("Bearer ", t, "");
	get(handler_cases[_i].handle, app256, auth, &resp);
	ck_assert_msg(resp.status == handler_cases[_i].status,
	    "%s: %d %s, want %d", handler_cases[_i].name, resp.status,
	    resp.body, handler_cases[_i].status);
	if (resp.status == 200)
		ck_assert_msg(strcmp(resp.body, handler_cases[_i].body) == 0,
		    "%s: body %s", handler_cases[_i].name, resp.body);
	else
		ck_assert_msg(strcmp(detail_of(&resp, detail, sizeof(detail)),
		    handler_cases[_i].body) == 0, "%s: detail \"%s\", want "
		    "\"%s\"", handler_cases[_i].name, detail,
		    handler_cases[_i].body);
	free(auth);
	free(t);
}
END_TEST

#define FORM		"application/x-www-form-urlencoded"

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

START_TEST(test_login_attack)
{
	struct http_response	 resp;

	post_login(login_cases[_i].content_type, login_cases[_i].body,
	    login_cases[_i].len, &resp);
	ck_assert_msg(resp.status == login_cases[_i].status,
	    "%s: %d %s, want %d", login_cases[_i].name, resp.status,
	    resp.body, login_cases[_i].status);
	if (login_cases[_i].why != NULL)
		ck_assert_msg(last_out.reason != NULL &&
		    strcmp(last_out.reason, login_cases[_i].why) == 0,
		    "%s: log reason \"%s\", want \"%s\"", login_cases[_i].name,
		    last_out.reason != NULL ? last_out.reason : "(null)",
		    login_cases[_i].why);
	if (login_cases[_i].log_user != NULL)
		ck_assert_msg(strcmp(last_out.user, login_cases[_i].log_user) ==
		    0, "%s: log user \"%s\", want \"%s\"", login_cases[_i].name,
		    last_out.user, login_cases[_i].log_user);
	/* Whatever was sent, the log line stays one line of ASCII. */
	ck_assert_msg(strspn(last_out.user, " !#$%&'()*+,-./0123456789:;<=>?@"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~") ==
	    strlen(last_out.user), "%s: log user \"%s\"", login_cases[_i].name,
	    last_out.user);
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
	struct http_request	 req;
	struct http_response	 resp;
	char			*params[5] = { NULL };
	size_t			 i;

	request(&req, params, "POST", NULL, FORM);
	req.body = NULL;
	req.body_len = 0;
	http_response_init(&resp);
	http_outcome_init(&last_out);
	(void)login_handle(app256, &req, &resp, &last_out);
	ck_assert_int_eq(resp.status, 422);
	for (i = 0; i < 4; i++)
		free(params[i]);
}
END_TEST

/*
 * A token from the login works on /me, and not for someone else: the
 * round trip of the control case above.
 */
START_TEST(test_login_token_round_trip)
{
	struct http_response	 resp;
	json_object		*root, *tok;
	char			*auth;

	post_login(FORM, "username=carol&password=carol-pw", 0, &resp);
	ck_assert_int_eq(resp.status, 200);
	ck_assert((root = json_tokener_parse(resp.body)) != NULL);
	ck_assert(json_object_object_get_ex(root, "access_token", &tok));
	auth = bearer("Bearer ", json_object_get_string(tok), "");
	json_object_put(root);
	get(me_handle, app256, auth, &resp);
	ck_assert_str_eq(resp.body, "{\"username\":\"carol\",\"role\":\"user\"}");
	get(reports_handle, app256, auth, &resp);
	ck_assert_int_eq(resp.status, 403);
	/* The HS512 app has another secret: the token means nothing there. */
	get(me_handle, app512, auth, &resp);
	ck_assert_int_eq(resp.status, 401);
	free(auth);
}
END_TEST

/*
 * Password lengths.  Longer than PASSWORD_MAX_BYTES (511, the most
 * libxcrypt takes: CRYPT_MAX_PASSPHRASE_SIZE - 1) is refused before
 * hashing, with the same 401 as a wrong password, for known, disabled
 * and unknown users alike (the length is no secret, the name is).
 * bcrypt (libxcrypt's $2b$)
 * reads only the first 72 bytes, so for bc72, hashed from a 73-byte
 * password, any password with the same first 72 bytes matches; the
 * sha512crypt user hashed from the same password shows it is bcrypt's
 * doing.  yescrypt, libxcrypt's default, has no such limit.
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
	post_login(FORM, body, n, &resp);
	ck_assert_msg(resp.status == password_cases[_i].status,
	    "%s: %d %s, want %d", password_cases[_i].name, resp.status,
	    resp.body, password_cases[_i].status);
	if (password_cases[_i].why != NULL)
		ck_assert_msg(last_out.reason != NULL &&
		    strcmp(last_out.reason, password_cases[_i].why) == 0,
		    "%s: log reason \"%s\", want \"%s\"",
		    password_cases[_i].name,
		    last_out.reason != NULL ? last_out.reason : "(null)",
		    password_cases[_i].why);
}
END_TEST

/*
 * Timing.  Unknown and disabled users must cost what a wrong password
 * costs (DESIGN.md): the login verifies an unknown name against a dummy
 * hash of the costliest scheme and cost in the file.  TIMING_SAMPLES logins of each kind are taken in
 * rounds, one of each kind a round in rotating order, and two statistics
 * must be within TIMING_TOLERANCE of 1:
 *   cpu   the median of a kind's thread CPU time over the wrong
 *         password's: the work done, blind to preemption;
 *   wall  the median over rounds of a kind's wall-clock time over the
 *         wrong password's in the same round: what a client sees, with
 *         the load of that moment cancelled out.  (The ratio of plain
 *         medians is printed too; on a busy machine it swings, as about
 *         half the samples are preempted.)
 * A failure is measured again once with twice the samples before it
 * counts.  Skipping the hash would make both ratios near 0.
 */
#define TIMING_SAMPLES		40
#define TIMING_TOLERANCE	0.25

static const struct {
	const char	*name;
	const char	*body;
} timing_kinds[] = {
	{ "wrong password", "username=alice&password=wrong-pw" },
	{ "unknown user", "username=nobody&password=wrong-pw" },
	{ "disabled user", "username=bob&password=bob-pw" },
	{ "invalid name", "username=%27+OR+1%3D1--&password=wrong-pw" },
};
#define NKINDS	ARRAY_SIZE(timing_kinds)

struct timing {
	double	 cpu[NKINDS];		/* median CPU time / wrong password's */
	double	 wall[NKINDS];		/* median of paired wall-clock ratios */
	double	 plain[NKINDS];		/* ratio of wall-clock medians */
	double	 base_us;		/* median wall clock, wrong password */
};

static double	 elapsed_us(const struct timespec *, const struct timespec *);
static int	 cmp_double(const void *, const void *);
static double	 median(double *, size_t);
static int	 within(double);
static int	 measure_timing(size_t, struct timing *);

static double
elapsed_us(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e6 +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of n values, which are sorted in place. */
static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int
within(double ratio)
{
	return ratio >= 1 - TIMING_TOLERANCE && ratio <= 1 + TIMING_TOLERANCE;
}

/* n rounds of logins into *t; returns whether every ratio is within. */
static int
measure_timing(size_t n, struct timing *t)
{
	struct http_response	 resp;
	struct timespec		 w0, w1, c0, c1;
	double			*wall[NKINDS], *cpu[NKINDS], *pair, base_cpu;
	size_t			 i, j, k;
	int			 ok = 1;

	for (k = 0; k < NKINDS; k++) {
		ck_assert((wall[k] = calloc(n, sizeof(double))) != NULL);
		ck_assert((cpu[k] = calloc(n, sizeof(double))) != NULL);
	}
	ck_assert((pair = calloc(n, sizeof(double))) != NULL);
	for (i = 0; i < n; i++) {
		for (j = 0; j < NKINDS; j++) {
			k = (i + j) % NKINDS;	/* rotate who goes first */
			(void)clock_gettime(CLOCK_MONOTONIC, &w0);
			(void)clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
			post_login(FORM, timing_kinds[k].body, 0, &resp);
			(void)clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
			(void)clock_gettime(CLOCK_MONOTONIC, &w1);
			ck_assert_msg(resp.status == 401, "%s: %d",
			    timing_kinds[k].name, resp.status);
			wall[k][i] = elapsed_us(&w0, &w1);
			cpu[k][i] = elapsed_us(&c0, &c1);
		}
	}
	for (k = 0; k < NKINDS; k++) {
		for (i = 0; i < n; i++)
			pair[i] = wall[k][i] / wall[0][i];
		t->wall[k] = median(pair, n);
	}
	/* median() sorts: the paired ratios above come first. */
	t->base_us = median(wall[0], n);
	base_cpu = median(cpu[0], n);
	for (k = 0; k < NKINDS; k++) {
		t->plain[k] = median(wall[k], n) / t->base_us;
		t->cpu[k] = median(cpu[k], n) / base_cpu;
		if (!within(t->cpu[k]) || !within(t->wall[k]))
			ok = 0;
	}
	for (k = 0; k < NKINDS; k++) {
		free(wall[k]);
		free(cpu[k]);
	}
	free(pair);
	return ok;
}

START_TEST(test_login_timing)
{
	struct timing	 t;
	size_t		 k, n = TIMING_SAMPLES;
	int		 ok, attempt;

	for (attempt = 1;; attempt++) {
		ok = measure_timing(n, &t);
		/* Check's log keeps stdout: the ratios end up in the .log. */
		printf("login timing, attempt %d, %zu rounds, median wrong "
		    "password %.0f us; ratios to a wrong password:\n", attempt,
		    n, t.base_us);
		for (k = 1; k < NKINDS; k++)
			printf("  %-14s cpu %.3f  wall (paired) %.3f  "
			    "wall (plain medians) %.3f\n", timing_kinds[k].name,
			    t.cpu[k], t.wall[k], t.plain[k]);
		(void)fflush(stdout);
		if (ok || attempt == 2)
			break;
		n *= 2;
	}
	for (k = 1; k < NKINDS; k++) {
		ck_assert_msg(within(t.cpu[k]), "%s: %.2f x a wrong password's "
		    "CPU time (tolerance %.2f)", timing_kinds[k].name, t.cpu[k],
		    TIMING_TOLERANCE);
		ck_assert_msg(within(t.wall[k]), "%s: %.2f x a wrong password's "
		    "time (tolerance %.2f)", timing_kinds[k].name, t.wall[k],
		    TIMING_TOLERANCE);
	}
}
END_TEST

static Suite *
attacks_suite(void)
{
	Suite	*s = suite_create("attacks");
	TCase	*tc;

	tc = tcase_create("token");
	tcase_add_unchecked_fixture(tc, apps_setup, apps_teardown);
	tcase_add_loop_test(tc, test_token_attack, 0, ARRAY_SIZE(token_cases));
	tcase_add_loop_test(tc, test_token_size, 0, ARRAY_SIZE(size_cases));
	tcase_add_test(tc, test_key_headers_not_fetched);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("bearer");
	tcase_add_unchecked_fixture(tc, apps_setup, apps_teardown);
	tcase_add_loop_test(tc, test_bearer_variants, 0,
	    ARRAY_SIZE(bearer_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("handlers");
	tcase_add_unchecked_fixture(tc, apps_setup, apps_teardown);
	tcase_add_loop_test(tc, test_handler_attack, 0,
	    ARRAY_SIZE(handler_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("login");
	tcase_add_unchecked_fixture(tc, apps_setup, apps_teardown);
	tcase_add_loop_test(tc, test_login_attack, 0, ARRAY_SIZE(login_cases));
	tcase_add_test(tc, test_login_token_round_trip);
	tcase_add_test(tc, test_login_null_body);
	tcase_add_loop_test(tc, test_password_length, 0,
	    ARRAY_SIZE(password_cases));
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("timing");
	tcase_add_unchecked_fixture(tc, apps_setup, apps_teardown);
	tcase_add_test(tc, test_login_timing);
	tcase_set_timeout(tc, 300);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(attacks_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
