/* authz.c -- who is calling (token or password) and may they */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "cookie.h"
#include "log.h"
#include "password.h"
#include "policy.h"
#include "store.h"
#include "token.h"
#include "token_cache.h"

/* A token carries any name, role and version the users file can hold. */
_Static_assert(TOKEN_SUB_MAX == USERS_NAME_MAX, "token sub vs users name");
_Static_assert(TOKEN_ROLE_MAX == USERS_ROLE_MAX, "token role vs users role");
_Static_assert(TOKEN_VER_MAX == USERS_VERSION_MAX, "token ver vs users");
/* And every grant of a policy's role fits a token. */
_Static_assert(POLICY_SCOPES_MAX_BYTES == TOKEN_SCOPE_MAX,
    "policy scopes vs token scope");
_Static_assert(POLICY_ROLE_SCOPES_MAX == TOKEN_SCOPES_MAX,
    "policy scopes vs token scopes");

/*
 * Each verdict's status and detail; error is RFC 6750 3.1's error code,
 * which the policy's refusals (authz_check_policy) add to
 * WWW-Authenticate (the endpoints keep the reference app's plain
 * "Bearer").  A detail ending in ": " is followed by what was required.
 */
/* The token's sid bytes are the store's: one size. */
_Static_assert(TOKEN_SID_BYTES == SESSION_SID_BYTES, "sid sizes differ");

static const struct {
	int		 status;
	const char	*detail;
	const char	*error;
} refusals[] = {
	[AUTH_OK] =		{ 200, "OK", NULL },
	[AUTH_NO_CREDS] =	{ 401, "Not authenticated", NULL },
	[AUTH_BAD_TOKEN] =	{ 401, "Invalid or expired token",
				    "invalid_token" },
	[AUTH_BAD_PAYLOAD] =	{ 401, "Invalid token payload",
				    "invalid_token" },
	[AUTH_NO_USER] =	{ 401, "User not found", "invalid_token" },
	[AUTH_DISABLED] =	{ 401, "User disabled", "invalid_token" },
	[AUTH_REVOKED] =	{ 401, "Token revoked", "invalid_token" },
	[AUTH_BAD_LOGIN] =	{ 401, "Invalid username or password", NULL },
	[AUTH_FORBIDDEN] =	{ 403, "Requires role: ", NULL },
	[AUTH_INTERNAL] =	{ 500, "Internal server error", NULL },
	[AUTH_NO_RULE] =	{ 403, "Not allowed by policy", NULL },
	[AUTH_NO_SCOPE] =	{ 403, "Requires scope: ",
				    "insufficient_scope" },
	[AUTH_BAD_PATH] =	{ 400, "Invalid request path", NULL },
	[AUTH_BAD_METHOD] =	{ 400, "Invalid request method", NULL },
	[AUTH_PROXY_HEADERS] =	{ 500, "Server misconfigured", NULL },
	[AUTH_THROTTLED] =	{ 429, "Too many failed logins", NULL },
	[AUTH_STORE_DOWN] =	{ 503, "Session store unavailable", NULL },
};

static void	fill_user(struct auth_user *, const struct user *);
static int	refuse(struct http_response *, struct http_outcome *,
		    enum auth_status, const char *, int);
static int	join(char *, size_t, size_t, const char *, int, const char *);
static const char *nonempty(const char *);
static int	valid_method(const char *);
static enum auth_status request_target(const struct http_request *,
		    const char **, const char **, int *, int *,
		    struct http_outcome *);
static enum auth_status authenticate_any(struct app *,
		    const struct http_request *, struct auth_user *,
		    struct token_claims *);

static void
fill_user(struct auth_user *out, const struct user *u)
{
	/* The users file bounds both lengths, so these never truncate. */
	(void)snprintf(out->name, sizeof(out->name), "%s", u->name);
	(void)snprintf(out->role, sizeof(out->role), "%s", u->role);
	out->version = u->version;
}

enum auth_status
authz_authenticate(struct app *app, const struct http_request *req,
    struct auth_user *user)
{
	struct token_claims	 claims;

	return authz_authenticate_claims(app, req, user, &claims);
}

enum auth_status
authz_authenticate_claims(struct app *app, const struct http_request *req,
    struct auth_user *user, struct token_claims *claims)
{
	const char	*token;
	size_t		 len;

	if (http_bearer(req, &token, &len) == -1) {
		memset(user, 0, sizeof(*user));
		return AUTH_NO_CREDS;
	}
	return authz_authenticate_token(app, req, token, len, user, claims);
}

enum auth_status
authz_authenticate_token(struct app *app, const struct http_request *req,
    const char *token, size_t len, struct auth_user *user,
    struct token_claims *claims)
{
	const struct user	*u;
	struct store		*st;

	memset(user, 0, sizeof(*user));
	switch (token_cache_verify(app_tokens(app), token, len, req->now,
	    claims)) {
	case TOKEN_OK:
		break;
	case TOKEN_BAD_PAYLOAD:
		return AUTH_BAD_PAYLOAD;
	default:
		return AUTH_BAD_TOKEN;
	}
	(void)snprintf(user->name, sizeof(user->name), "%s", claims->sub);

	/* Identity and role come from the file now, not from the token. */
	u = users_lookup(app_users(app), claims->sub);
	/*
	 * Unknown or disabled in our copy, which may be older than the
	 * token: a user added a moment ago logs in at once through the
	 * login endpoint, which always looks first.  Look now, and if the
	 * file changed, ask it again.  Only these refusals pay the stat(2).
	 */
	if ((u == NULL || u->disabled) &&
	    app_refresh(app, USERS_REFRESH_NOW))
		u = users_lookup(app_users(app), claims->sub);
	if (u == NULL)
		return AUTH_NO_USER;
	if (u->disabled)
		return AUTH_DISABLED;
	if (claims->ver < u->version)
		return AUTH_REVOKED;
	/*
	 * A session that ended (logout, revoke, a reused refresh token,
	 * authctl) takes its access tokens with it.  The process's own set
	 * of ended sessions answers, kept fresh by the store's log: no
	 * round trip.  Sessions off: a sid means nothing and costs nothing.
	 */
	if (claims->sid[0] != '\0' && (st = app_store(app)) != NULL &&
	    store_ended_raw(st, claims->sid_raw))
		return AUTH_REVOKED;
	fill_user(user, u);
	return AUTH_OK;
}

enum auth_status
authz_require_role(const struct auth_user *user, const char *const *roles)
{
	if (roles == NULL)
		return AUTH_OK;
	for (; *roles != NULL; roles++)
		if (strcmp(user->role, *roles) == 0)
			return AUTH_OK;
	return AUTH_FORBIDDEN;
}

enum auth_status
authz_login(const struct app *app, const char *name, const char *password,
    struct auth_user *user, const char **why)
{
	const struct user	*u;
	int			 match = 0;

	memset(user, 0, sizeof(*user));
	if (strlen(password) > PASSWORD_MAX_BYTES) {
		/* Refused before hashing; the length is no secret. */
		*why = "password too long";
		return AUTH_BAD_LOGIN;
	}
	u = users_valid_name(name, strlen(name)) ?
	    users_lookup(app_users(app), name) : NULL;
	if (u == NULL) {
		/* Spend what a wrong password costs, then say the same. */
		(void)password_verify(password,
		    users_dummy_hash(app_users(app)), &match);
		*why = "unknown user";
		return AUTH_BAD_LOGIN;
	}
	if (password_verify(password, u->hash, &match) == -1) {
		log_warnx("user %s: the password hash in the users file is "
		    "unusable", u->name);
		*why = "unusable hash";
		return AUTH_INTERNAL;
	}
	if (u->disabled) {
		*why = "user disabled";
		return AUTH_BAD_LOGIN;
	}
	if (!match) {
		*why = "wrong password";
		return AUTH_BAD_LOGIN;
	}
	fill_user(user, u);
	*why = NULL;
	return AUTH_OK;
}

/*
 * Append what, its items separated by sep turned into with, to buf (of
 * size bytes, len used).  Returns the new length, or -1 if it does not
 * fit.
 */
static int
join(char *buf, size_t size, size_t len, const char *what, int sep,
    const char *with)
{
	size_t	 wl = strlen(with), n;

	for (;;) {
		n = strcspn(what, (const char[]){ (char)sep, '\0' });
		if (n >= size - len)
			return -1;
		memcpy(buf + len, what, n);
		len += n;
		buf[len] = '\0';
		if (what[n] == '\0')
			return (int)len;
		if (wl >= size - len)
			return -1;
		memcpy(buf + len, with, wl + 1);
		len += wl;
		what += n + 1;
	}
}

/*
 * Fill resp with the refusal for st and out's reason, unless one is set
 * already.  names (comma-separated; NULL: none) is what AUTH_FORBIDDEN or
 * AUTH_NO_SCOPE required.  policy: a refusal of authz_check_policy, with
 * RFC 6750's attributes, never to be cached.
 */
static int
refuse(struct http_response *resp, struct http_outcome *out,
    enum auth_status st, const char *names, int policy)
{
	char	 detail[256], www[64 + POLICY_SCOPES_MAX_BYTES];
	int	 n, w;

	if ((size_t)st >= sizeof(refusals) / sizeof(refusals[0]) ||
	    st == AUTH_OK)
		st = AUTH_INTERNAL;
	if (out->reason == NULL)
		out->reason = st == AUTH_FORBIDDEN ? "role not allowed" :
		    st == AUTH_NO_SCOPE ? "scope missing" :
		    refusals[st].detail;
	/*
	 * RFC 6750 3: every 401 names the scheme it wants; 3.1: with the
	 * error, and the scope that would do.
	 */
	w = snprintf(www, sizeof(www), "Bearer");
	if (policy && refusals[st].error != NULL)
		w = snprintf(www, sizeof(www), "Bearer error=\"%s\"",
		    refusals[st].error);
	if (w > 0 && policy && st == AUTH_NO_SCOPE && names != NULL) {
		if ((w = join(www, sizeof(www), (size_t)w, ", scope=\"", '\0',
		    "")) == -1 || (w = join(www, sizeof(www), (size_t)w, names,
		    ',', " ")) == -1 || (w = join(www, sizeof(www), (size_t)w,
		    "\"", '\0', "")) == -1)
			return http_reply_json(resp, 500, NULL);
	}
	if ((refusals[st].status == 401 || (policy && st == AUTH_NO_SCOPE)) &&
	    http_header_add(resp, "WWW-Authenticate", www) == -1)
		return http_reply_json(resp, 500, NULL);
	if (policy && http_header_add(resp, "Cache-Control", "no-store") == -1)
		return http_reply_json(resp, 500, NULL);

	/* "Requires role: admin, user", as the reference app words it. */
	n = snprintf(detail, sizeof(detail), "%s", refusals[st].detail);
	if ((st == AUTH_FORBIDDEN || st == AUTH_NO_SCOPE) && names != NULL &&
	    n > 0 && (n = join(detail, sizeof(detail), (size_t)n, names, ',',
	    ", ")) == -1)
		return http_reply_detail(resp, 500,
		    refusals[AUTH_INTERNAL].detail);
	return http_reply_detail(resp, refusals[st].status, detail);
}

int
authz_refuse(struct http_response *resp, struct http_outcome *out,
    enum auth_status st, const char *const *roles)
{
	char	 names[256];
	int	 n = 0;

	names[0] = '\0';
	for (; roles != NULL && *roles != NULL; roles++) {
		if (n > 0 && (n = join(names, sizeof(names), (size_t)n, ",",
		    '\0', "")) == -1)
			break;
		if ((n = join(names, sizeof(names), (size_t)n, *roles, '\0',
		    "")) == -1)
			break;
	}
	if (n == -1)
		return refuse(resp, out, AUTH_INTERNAL, NULL, 0);
	return refuse(resp, out, st, names, 0);
}

enum auth_status
authz_check(struct app *app, const struct http_request *req,
    const char *const *roles, struct auth_user *user,
    struct http_response *resp, struct http_outcome *out)
{
	enum auth_status	 st;

	st = authz_authenticate(app, req, user);
	if (st == AUTH_OK)
		st = authz_require_role(user, roles);
	(void)log_escape(user->name, strlen(user->name), out->user,
	    sizeof(out->user));
	if (st != AUTH_OK)
		(void)authz_refuse(resp, out, st, roles);
	return st;
}

static const char *
nonempty(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

/* An RFC 9110 method token, at most POLICY_METHOD_MAX bytes. */
static int
valid_method(const char *m)
{
	static const char	 tchar[] = "!#$%&'*+-.^_`|~";
	size_t			 i;

	for (i = 0; m[i] != '\0'; i++)
		if (i == POLICY_METHOD_MAX || !((m[i] >= 'a' && m[i] <= 'z') ||
		    (m[i] >= 'A' && m[i] <= 'Z') ||
		    (m[i] >= '0' && m[i] <= '9') ||
		    strchr(tchar, m[i]) != NULL))
			return 0;
	return i > 0;
}

/*
 * Which request authorize.fcgi is asked about (authz_check_policy says
 * how it tells).  The headers a proxy sets are trusted only because the
 * shipped configs set them and drop the client's copies; a FastCGI
 * Authorizer gets the client's headers as they came, so it never looks.
 */
static enum auth_status
request_target(const struct http_request *req, const char **method,
    const char **target, int *authorizer, int *original,
    struct http_outcome *out)
{
	const char	*role = http_param(req, "FCGI_ROLE");
	const char	*om, *ou, *fm, *fu;

	*original = 0;
	*authorizer = role != NULL && strcmp(role, "AUTHORIZER") == 0;
	*method = req->method;
	*target = http_param(req, "REQUEST_URI");
	if (!*authorizer) {
		om = nonempty(http_param(req, "HTTP_X_ORIGINAL_METHOD"));
		ou = nonempty(http_param(req, "HTTP_X_ORIGINAL_URI"));
		fm = nonempty(http_param(req, "HTTP_X_FORWARDED_METHOD"));
		fu = nonempty(http_param(req, "HTTP_X_FORWARDED_URI"));
		if ((om != NULL || ou != NULL) && (fm != NULL || fu != NULL)) {
			out->reason = "both X-Original-* and X-Forwarded-* "
			    "sent: the proxy must set one and drop the other";
			return AUTH_PROXY_HEADERS;
		}
		if ((om == NULL) != (ou == NULL) ||
		    (fm == NULL) != (fu == NULL)) {
			out->reason = "a method header without its URI "
			    "header, or the other way round";
			return AUTH_PROXY_HEADERS;
		}
		if (om != NULL) {
			*method = om;
			*target = ou;
			*original = 1;
		} else if (fm != NULL) {
			*method = fm;
			*target = fu;
		}
	}
	(void)log_escape(*method, strlen(*method), out->method,
	    sizeof(out->method));
	if (!valid_method(*method)) {
		out->reason = "not a method name";
		return AUTH_BAD_METHOD;
	}
	if (*target == NULL)
		*target = "";
	return AUTH_OK;
}

/*
 * The Bearer header's token, or without one the access cookie's: only
 * here, for the protected paths a browser opens.  The API endpoints
 * stay Bearer-only, out of reach of a cross-site form.
 */
static enum auth_status
authenticate_any(struct app *app, const struct http_request *req,
    struct auth_user *user, struct token_claims *claims)
{
	const char	*token;
	size_t		 len;

	if (http_bearer(req, &token, &len) == -1 &&
	    cookie_get(req, COOKIE_ACCESS, &token, &len) == -1) {
		memset(user, 0, sizeof(*user));
		return AUTH_NO_CREDS;
	}
	return authz_authenticate_token(app, req, token, len, user, claims);
}

enum auth_status
authz_check_policy(struct app *app, const struct http_request *req,
    struct authz_allow *allow, struct http_response *resp,
    struct http_outcome *out)
{
	const struct policy	*pol;
	const struct policy_rule *rule = NULL;
	struct token_claims	 claims;
	char			 path[POLICY_PATH_MAX + 1];
	const char		*method, *target, *why;
	enum auth_status	 st, auth;
	long			 len;

	allow->scope[0] = '\0';
	allow->cache_sec = 0;
	allow->method = allow->target = NULL;
	memset(&allow->user, 0, sizeof(allow->user));
	if ((st = request_target(req, &method, &target, &allow->authorizer,
	    &allow->original, out)) != AUTH_OK) {
		(void)refuse(resp, out, st, NULL, 1);
		return st;
	}
	if ((len = policy_normalize(target, strlen(target), path,
	    sizeof(path), &why)) < 0) {
		(void)log_escape(target, strlen(target), out->path,
		    sizeof(out->path));
		out->reason = why;
		(void)refuse(resp, out, AUTH_BAD_PATH, NULL, 1);
		return AUTH_BAD_PATH;
	}
	(void)log_escape(path, (size_t)len, out->path, sizeof(out->path));
	allow->method = method;
	allow->target = target;

	/*
	 * Authenticate first, whatever the rule: a user unknown to our copy
	 * of the users file makes it look at the files again, the policy's
	 * too, and nothing borrowed from the policy may live across that.
	 */
	auth = authenticate_any(app, req, &allow->user, &claims);
	(void)log_escape(allow->user.name, strlen(allow->user.name),
	    out->user, sizeof(out->user));
	if ((pol = app_policy(app)) == NULL) {
		out->reason = "no policy";
		(void)refuse(resp, out, AUTH_INTERNAL, NULL, 1);
		return AUTH_INTERNAL;
	}
	if ((rule = policy_match(pol, method, path, (size_t)len,
	    &why)) == NULL) {
		out->reason = why;
		st = AUTH_NO_RULE;
	} else if (rule->who == POLICY_ANYONE && auth != AUTH_OK) {
		/* A stale token locks nobody out of a public page. */
		memset(&allow->user, 0, sizeof(allow->user));
		out->user[0] = '\0';
		st = AUTH_OK;
	} else if (auth != AUTH_OK)
		st = auth;
	else {
		/* The token's scopes that the user's role grants now. */
		(void)policy_scopes_granted(pol, allow->user.role,
		    claims.scope, strlen(claims.scope), allow->scope,
		    sizeof(allow->scope));
		st = AUTH_OK;
		if (rule->who == POLICY_ROLE &&
		    !policy_rule_has_role(rule, allow->user.role))
			st = AUTH_FORBIDDEN;
		else if (rule->who == POLICY_SCOPE &&
		    !policy_rule_has_scopes(rule, allow->scope))
			st = AUTH_NO_SCOPE;
	}
	if (st != AUTH_OK) {
		(void)refuse(resp, out, st, rule != NULL ? rule->names : NULL,
		    1);
		return st;
	}
	/* Never kept past the token's own end. */
	allow->cache_sec = app_cfg(app)->auth_cache_sec;
	if (allow->user.name[0] != '\0' &&
	    claims.exp - (long long)req->now < allow->cache_sec)
		allow->cache_sec = (int)(claims.exp - (long long)req->now);
	return AUTH_OK;
}
