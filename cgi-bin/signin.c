/* signin.c -- GET|POST /auth/signin: a browser signs in, with a page and cookies */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "cookie.h"
#include "endpoints.h"
#include "fcgi_loop.h"
#include "grant.h"
#include "http.h"
#include "log.h"
#include "origin.h"
#include "page.h"
#include "password.h"
#include "redirect.h"
#include "session.h"
#include "store.h"
#include "token.h"

static int	internal(struct http_response *, struct http_outcome *);
static int	store_down(struct app *, struct http_response *,
		    struct http_outcome *);
static int	signed_in(struct app *, const struct http_request *,
		    const struct auth_user *, const struct store_session *,
		    const char *, const char *, const char *,
		    struct http_response *, struct http_outcome *);
static int	silent(struct app *, const struct http_request *,
		    const char *, size_t, const char *, struct http_response *,
		    struct http_outcome *);
static int	show(struct app *, const struct http_request *,
		    struct http_response *, struct http_outcome *);
static int	post(struct app *, const struct http_request *,
		    struct http_response *, struct http_outcome *);

enum { USERNAME, PASSWORD, NEXT, NFIELDS };

/* 500: whatever resp held (a Location, a cookie) goes. */
static int
internal(struct http_response *resp, struct http_outcome *out)
{
	if (out->reason == NULL)
		out->reason = "Internal server error";
	http_response_wipe(resp);
	(void)page_message(resp, 500, "Something went wrong", "Signing in "
	    "failed on the server. Please try again later.",
	    PAGE_SIGNIN_LINK);
	return 0;
}

/* 503 with Retry-After: nothing was changed, nothing is cleared. */
static int
store_down(struct app *app, struct http_response *resp,
    struct http_outcome *out)
{
	char	 ra[16];

	grant_store_down_reason(app, out);
	(void)snprintf(ra, sizeof(ra), "%d", STORE_RETRY_AFTER_SEC);
	if (page_message(resp, 503, "Sign-in unavailable", "The session "
	    "store cannot be reached. Please try again in a few seconds.",
	    PAGE_SIGNIN_LINK) == -1 ||
	    http_header_add(resp, "Retry-After", ra) == -1)
		return internal(resp, out);
	return 0;
}

/*
 * Signed in: an access token (for session s, or none with sessions off)
 * in its cookie, s's refresh token rt in the other, and 303 See Other to
 * next.  Each cookie lives as long as what it holds.
 */
static int
signed_in(struct app *app, const struct http_request *req,
    const struct auth_user *user, const struct store_session *s,
    const char *rt, const char *next, const char *why,
    struct http_response *resp, struct http_outcome *out)
{
	char		 scope[TOKEN_SCOPE_MAX + 1];
	char		*token = NULL;
	long long	 life;
	int		 https = cookie_https(req);

	/* The session's scopes that the role grants now; or all it does. */
	grant_scopes(app, user->role, s != NULL ? s->scope : NULL, scope);
	if (grant_mint(app, req, user, scope, s != NULL ? s->sid : NULL,
	    &token) == -1) {
		out->reason = "could not mint a token";
		return internal(resp, out);
	}
	life = s != NULL ? s->expires - (long long)req->now : 0;
	if (page_redirect(resp, 303, next) == -1 ||
	    cookie_set(resp, COOKIE_ACCESS, https, token,
	    (long long)app_cfg(app)->ttl_min * 60) == -1 ||
	    (s != NULL && cookie_set(resp, COOKIE_REFRESH, https, rt,
	    life > 0 ? life : 0) == -1)) {
		out->reason = "could not set the cookies";
		(void)internal(resp, out);
	} else
		out->reason = why;
	explicit_bzero(token, strlen(token));
	free(token);
	return 0;
}

/*
 * Signed in again without a password: the refresh cookie rotated as
 * POST /auth/refresh rotates it (a rotated one used again ends the
 * whole session).  One that is refused is cleared, with the page.
 */
static int
silent(struct app *app, const struct http_request *req, const char *rtc,
    size_t len, const char *next, struct http_response *resp,
    struct http_outcome *out)
{
	struct store_session	 s;
	struct auth_user	 user;
	unsigned char		 old[SESSION_HASH_BYTES];
	char			 sid[SESSION_SID_CHARS + 1];
	char			 rt[SESSION_REFRESH_CHARS + 1];
	int			 ret;

	rt[0] = '\0';
	memset(old, 0, sizeof(old));
	if (session_refresh_parse(rtc, len, sid, old) == -1) {
		out->reason = "malformed refresh cookie";
		goto refused;
	}
	switch (grant_session_rotate(app, req, sid, old, &s, &user, rt,
	    out)) {
	case GRANT_OK:
		ret = signed_in(app, req, &user, &s, rt, next,
		    "signed in again by the refresh cookie", resp, out);
		goto done;
	case GRANT_REFUSED:
		goto refused;
	case GRANT_STORE_DOWN:
		ret = store_down(app, resp, out);
		goto done;
	default:
		ret = internal(resp, out);
		goto done;
	}
refused:
	if (page_signin(resp, 200, next, NULL, NULL) == -1 ||
	    cookie_clear_all(resp, cookie_https(req)) == -1)
		ret = internal(resp, out);
	else
		ret = 0;
done:
	explicit_bzero(rt, sizeof(rt));
	explicit_bzero(old, sizeof(old));
	return ret;
}

/* GET, HEAD: the page; or, signed in or able to be again, off to next. */
static int
show(struct app *app, const struct http_request *req,
    struct http_response *resp, struct http_outcome *out)
{
	char			 next[REDIRECT_NEXT_MAX + 1];
	struct http_form_field	 f = { .name = "next", .value = next,
				    .size = sizeof(next) };
	struct token_claims	 claims;
	struct auth_user	 user;
	const char		*qs = http_param(req, "QUERY_STRING");
	const char		*v, *to;
	size_t			 len;

	if (qs == NULL)
		qs = "";
	http_form_parse(qs, strlen(qs), &f, 1);
	to = f.too_long ? "/" : redirect_next(next, f.len);

	if (cookie_get(req, COOKIE_ACCESS, &v, &len) == 0 &&
	    authz_authenticate_token(app, req, v, len, &user, &claims) ==
	    AUTH_OK) {
		(void)log_escape(user.name, strlen(user.name), out->user,
		    sizeof(out->user));
		out->reason = "already signed in";
		if (page_redirect(resp, 303, to) == -1)
			return internal(resp, out);
		return 0;
	}
	if (app_store(app) != NULL &&
	    cookie_get(req, COOKIE_REFRESH, &v, &len) == 0)
		return silent(app, req, v, len, to, resp, out);
	out->reason = "sign-in page";
	if (page_signin(resp, 200, to, NULL, NULL) == -1)
		return internal(resp, out);
	return 0;
}

/* POST: the form, checked and throttled exactly as /auth/login. */
static int
post(struct app *app, const struct http_request *req,
    struct http_response *resp, struct http_outcome *out)
{
	char			 username[256];
	char			 password[PASSWORD_MAX_BYTES + 1];
	char			 next[REDIRECT_NEXT_MAX + 1];
	struct http_form_field	 f[NFIELDS] = {
		[USERNAME] = { .name = "username", .value = username,
		    .size = sizeof(username) },
		[PASSWORD] = { .name = "password", .value = password,
		    .size = sizeof(password) },
		[NEXT] = { .name = "next", .value = next,
		    .size = sizeof(next) },
	};
	struct store_session	 s;
	struct auth_user	 user;
	enum auth_status	 st;
	char			 rt[SESSION_REFRESH_CHARS + 1], ra[24];
	char			 granted[TOKEN_SCOPE_MAX + 1];
	const char		*why = NULL, *to;
	long			 wait = 0;
	int			 ret;

	rt[0] = '\0';
	/* First of all: a form posted from another site does nothing. */
	if (!origin_same(req, &why)) {
		out->reason = why;
		return page_message(resp, 403, "Request refused", "This form "
		    "was sent from another site. Open the sign-in page and "
		    "sign in there.", PAGE_SIGNIN_LINK) == -1 ?
		    internal(resp, out) : 0;
	}
	if (http_is_form(http_param(req, "CONTENT_TYPE")))
		http_form_parse(req->body, req->body_len, f, NFIELDS);
	else
		http_form_parse("", 0, f, NFIELDS);
	(void)log_escape(username, f[USERNAME].len, out->user,
	    sizeof(out->user));
	to = f[NEXT].too_long ? "/" : redirect_next(next, f[NEXT].len);

	switch ((st = grant_password(app, req, &f[USERNAME], &f[PASSWORD],
	    &user, &wait, &why))) {
	case AUTH_OK:
		break;
	case AUTH_THROTTLED:
		out->reason = "too many failed logins: throttled";
		(void)snprintf(ra, sizeof(ra), "%ld", wait > 0 ? wait : 1);
		if (page_message(resp, 429, "Too many attempts", "Too many "
		    "failed sign-ins. Please wait a while, then try again.",
		    PAGE_SIGNIN_LINK) == -1 ||
		    http_header_add(resp, "Retry-After", ra) == -1)
			ret = internal(resp, out);
		else
			ret = 0;
		goto done;
	case AUTH_STORE_DOWN:
		ret = store_down(app, resp, out);
		goto done;
	case AUTH_BAD_LOGIN:
		out->reason = why;
		/* The name typed stays; one that cannot be shown does not. */
		if (page_signin(resp, 401, to, f[USERNAME].too_long ||
		    memchr(username, '\0', f[USERNAME].len) != NULL ? "" :
		    username, "Incorrect username or password") == -1)
			ret = internal(resp, out);
		else
			ret = 0;
		goto done;
	default:
		out->reason = why;
		ret = internal(resp, out);
		goto done;
	}

	if (app_store(app) == NULL) {
		/* Sessions off: the access cookie alone. */
		ret = signed_in(app, req, &user, NULL, NULL, to, "signin",
		    resp, out);
		goto done;
	}
	/* Scopes as login grants them when none is asked for: all. */
	grant_scopes(app, user.role, NULL, granted);
	switch (grant_session_start(app, req, &user, granted, &s, rt, out)) {
	case GRANT_OK:
		break;
	case GRANT_STORE_DOWN:
		ret = store_down(app, resp, out);
		goto done;
	default:
		ret = internal(resp, out);
		goto done;
	}
	ret = signed_in(app, req, &user, &s, rt, to, "signin", resp, out);
done:
	explicit_bzero(password, sizeof(password));
	explicit_bzero(rt, sizeof(rt));
	return ret;
}

int
signin_handle(struct app *app, const struct http_request *req,
    struct http_response *resp, struct http_outcome *out)
{
	if (strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0)
		return show(app, req, resp, out);
	if (strcmp(req->method, "POST") == 0)
		return post(app, req, resp, out);
	(void)http_method_not_allowed(resp, out, "GET, HEAD, POST");
	return http_no_store(resp);
}

#ifndef NO_MAIN
int
main(void)
{
	return fcgi_loop_run("signin.fcgi", signin_handle,
	    FCGI_LOOP_USERS_EVERY_REQUEST | FCGI_LOOP_POLICY_IF_ANY |
	    FCGI_LOOP_SIGNS);
}
#endif
