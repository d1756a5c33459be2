/* authz.h -- who is calling (token or password) and may they */
#ifndef FCGI_AUTH_AUTHZ_H
#define FCGI_AUTH_AUTHZ_H

#include "app.h"
#include "http.h"
#include "token.h"
#include "users.h"

/* Every verdict; authz_refuse maps each to its status and detail. */
enum auth_status {
	AUTH_OK,		/* authenticated, and authorised if asked */
	AUTH_NO_CREDS,		/* 401 no Bearer credentials (nor, for the
				   authorizer, an access cookie) */
	AUTH_BAD_TOKEN,		/* 401 forged, expired, malformed, wrong alg */
	AUTH_BAD_PAYLOAD,	/* 401 genuine token without good sub/role */
	AUTH_NO_USER,		/* 401 the token's user is not in the file */
	AUTH_DISABLED,		/* 401 the token's user is disabled */
	AUTH_REVOKED,		/* 401 the token's version is below the user's,
				   or its session has ended */
	AUTH_BAD_LOGIN,		/* 401 wrong name or password */
	AUTH_FORBIDDEN,		/* 403 role not allowed */
	AUTH_INTERNAL,		/* 500 */
	AUTH_NO_RULE,		/* 403 no rule of the policy allows it */
	AUTH_NO_SCOPE,		/* 403 a scope the rule names is missing */
	AUTH_BAD_PATH,		/* 400 a path that cannot be normalised */
	AUTH_BAD_METHOD,	/* 400 a method that is no method name */
	AUTH_PROXY_HEADERS,	/* 500 the proxy's headers contradict */
	AUTH_THROTTLED,		/* 429 too many failed logins: wait */
	AUTH_STORE_DOWN,	/* 503 the session store cannot answer */
};

/* The caller, as the users file says now (not as the token says). */
struct auth_user {
	char	 name[USERS_NAME_MAX + 1];
	char	 role[USERS_ROLE_MAX + 1];
	long	 version;
};

/*
 * Authenticate the request's Bearer token against the users file.  Fills
 * *user on AUTH_OK; user->name is set as soon as the token's subject is
 * known (for the log), else it is "".  A token's user who is unknown or
 * disabled in our copy of the file makes it look at the file again at
 * once (app_refresh), and look the user up again if it changed: the user
 * may have been added or enabled a moment ago.  Fills the app's cache of
 * verified tokens.
 */
enum auth_status authz_authenticate(struct app *app,
		    const struct http_request *req, struct auth_user *user);

/*
 * authz_authenticate, and the token's claims (filled as far as the token
 * verified; its sid and scope are trusted only on AUTH_OK).  Last of
 * all, a token whose session has ended (sessions on) is AUTH_REVOKED.
 */
enum auth_status authz_authenticate_claims(struct app *app,
		    const struct http_request *req, struct auth_user *user,
		    struct token_claims *claims);

/*
 * authz_authenticate_claims for a token the caller found (len bytes, not
 * necessarily NUL-terminated): the browser's access cookie.
 */
enum auth_status authz_authenticate_token(struct app *app,
		    const struct http_request *req, const char *token,
		    size_t len, struct auth_user *user,
		    struct token_claims *claims);

/* AUTH_OK if user's role is in the NULL-terminated roles, else FORBIDDEN. */
enum auth_status authz_require_role(const struct auth_user *user,
		    const char *const *roles);

/*
 * Check a name and password (NUL-terminated; the caller wipes it).  Unknown
 * and disabled users cost the same hash as a wrong password.  Returns
 * AUTH_OK with *user filled, AUTH_BAD_LOGIN (why says which kind, for the
 * log only) or AUTH_INTERNAL.
 */
enum auth_status authz_login(const struct app *app, const char *name,
		    const char *password, struct auth_user *user,
		    const char **why);

/*
 * Fill resp with the refusal for st: its status, {"detail": ...} and
 * WWW-Authenticate for 401s; and out's reason, unless one is set already.
 * roles (NULL-terminated, may be NULL) name what AUTH_FORBIDDEN required.
 * Returns 0, or -1 if resp became a plain 500.
 */
int		 authz_refuse(struct http_response *resp,
		    struct http_outcome *out, enum auth_status st,
		    const char *const *roles);

/*
 * The common prologue of a protected endpoint: authenticate, then require
 * one of roles (NULL: any authenticated user).  out gets the user's name
 * for the log.  On a refusal resp is filled and the verdict returned.
 */
enum auth_status authz_check(struct app *app,
		    const struct http_request *req, const char *const *roles,
		    struct auth_user *user, struct http_response *resp,
		    struct http_outcome *out);

/*
 * What an allow of the policy passes on.  user.name is "" when no
 * identity does (an "anyone" rule, with no valid token).
 */
struct authz_allow {
	struct auth_user user;
	char		 scope[TOKEN_SCOPE_MAX + 1];	/* effective scopes */
	int		 authorizer;	/* asked as a FastCGI Authorizer */
	int		 cache_sec;	/* how long a proxy may keep it */
	/*
	 * Also set on a refusal, once known (else NULL, 0): the method and
	 * request-target asked about (borrowed from the request), and
	 * whether they came as X-Original-* (nginx's auth_request).
	 */
	const char	*method, *target;
	int		 original;
};

/*
 * The policy's verdict on the request authorize.fcgi was asked about:
 *   - as a FastCGI Authorizer (FCGI_ROLE=AUTHORIZER): REQUEST_METHOD and
 *     REQUEST_URI, whatever the request's headers say;
 *   - else the one family of X-Original-Method/-URI (nginx) and
 *     X-Forwarded-Method/-Uri (Caddy, Traefik) that is there; both, or
 *     one half of one, is AUTH_PROXY_HEADERS (a proxy that lets the
 *     client choose is misconfigured); neither: REQUEST_METHOD and
 *     REQUEST_URI (nginx, or a CGI run).
 * The path is normalised (policy_normalize), the token checked
 * (authz_authenticate: the Bearer header's, or if there is none the
 * browser's access cookie, cookie_get), then the policy's rule decides.  Every refusal
 * fills resp as the endpoints refuse, with RFC 6750's error= and scope=
 * attributes where they apply and Cache-Control: no-store; an allow
 * fills *allow and leaves resp to the caller.  out gets the user, and
 * the method and path, for the log line.  The app must have a policy.
 */
enum auth_status authz_check_policy(struct app *app,
		    const struct http_request *req, struct authz_allow *allow,
		    struct http_response *resp, struct http_outcome *out);

#endif /* FCGI_AUTH_AUTHZ_H */
