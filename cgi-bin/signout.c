/* signout.c -- POST /auth/signout: end the browser's session, clear its cookies */
#include "config.h"

#include <stdio.h>
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
#include "redirect.h"
#include "session.h"
#include "store.h"
#include "token.h"

static int	end_session(struct app *, const struct http_request *,
		    struct http_outcome *);

/*
 * End the session of the access cookie (its token verified: its sid is
 * ours, whoever its user is now) and that of the refresh cookie (holding
 * one is authority over its session, as for /auth/logout).  Returns 0,
 * or -1 if the store is down.
 */
static int
end_session(struct app *app, const struct http_request *req,
    struct http_outcome *out)
{
	struct store		*st = app_store(app);
	struct token_claims	 claims;
	struct auth_user	 user;
	enum auth_status	 as;
	unsigned char		 hash[SESSION_HASH_BYTES];
	char			 sid[SESSION_SID_CHARS + 1];
	const char		*v;
	size_t			 len;
	int			 ret = -1;

	memset(hash, 0, sizeof(hash));
	if (cookie_get(req, COOKIE_ACCESS, &v, &len) == 0) {
		as = authz_authenticate_token(app, req, v, len, &user, &claims);
		(void)log_escape(user.name, strlen(user.name), out->user,
		    sizeof(out->user));
		if ((as == AUTH_OK || as == AUTH_NO_USER ||
		    as == AUTH_DISABLED || as == AUTH_REVOKED) &&
		    claims.sid[0] != '\0' &&
		    store_end(st, claims.sid, req->now) == STORE_DOWN)
			goto done;
	}
	if (cookie_get(req, COOKIE_REFRESH, &v, &len) == 0 &&
	    session_refresh_parse(v, len, sid, hash) == 0 &&
	    store_end_token(st, sid, hash, req->now) == STORE_DOWN)
		goto done;
	ret = 0;
done:
	explicit_bzero(hash, sizeof(hash));
	return ret;
}

int
signout_handle(struct app *app, const struct http_request *req,
    struct http_response *resp, struct http_outcome *out)
{
	const char	*why;
	char		 ra[16];

	if (strcmp(req->method, "POST") != 0) {
		(void)http_method_not_allowed(resp, out, "POST");
		return http_no_store(resp);
	}
	if (!origin_same(req, &why)) {
		out->reason = why;
		if (page_message(resp, 403, "Request refused", "This form was "
		    "sent from another site: you are still signed in.", 0) ==
		    -1)
			return -1;
		return 0;
	}
	/*
	 * Sessions off: only the cookie goes; the token itself lives until
	 * it expires.  The store down: the cookies stay, and the page says
	 * so, or the user would believe they were signed out.
	 */
	if (app_store(app) != NULL && end_session(app, req, out) == -1) {
		grant_store_down_reason(app, out);
		(void)snprintf(ra, sizeof(ra), "%d", STORE_RETRY_AFTER_SEC);
		if (page_message(resp, 503, "Sign-out failed", "The session "
		    "store cannot be reached, so you are still signed in. "
		    "Please try again in a few seconds.", PAGE_SIGNOUT_FORM) ==
		    -1 || http_header_add(resp, "Retry-After", ra) == -1)
			return -1;
		return 0;
	}
	out->reason = "signout";
	if (page_redirect(resp, 303, REDIRECT_SIGNIN_PATH) == -1 ||
	    cookie_clear_all(resp, cookie_https(req)) == -1)
		return -1;
	return 0;
}

#ifndef NO_MAIN
int
main(void)
{
	return fcgi_loop_run("signout.fcgi", signout_handle, 0);
}
#endif
