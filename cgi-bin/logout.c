/* logout.c -- POST /auth/logout: end the session of a Bearer access token */
#include "config.h"

#include <string.h>

#include "authz.h"
#include "endpoints.h"
#include "fcgi_loop.h"
#include "grant.h"
#include "http.h"
#include "log.h"
#include "session.h"
#include "store.h"
#include "token.h"

int
logout_handle(struct app *app, const struct http_request *req,
    struct http_response *resp, struct http_outcome *out)
{
	char			 token[SESSION_REFRESH_CHARS + 1];
	struct http_form_field	 f = { .name = "refresh_token",
				    .value = token, .size = sizeof(token) };
	struct store		*st = app_store(app);
	struct token_claims	 claims;
	struct auth_user	 user;
	enum auth_status	 as;
	unsigned char		 hash[SESSION_HASH_BYTES];
	char			 sid[SESSION_SID_CHARS + 1];
	int			 ret;

	if (st == NULL)
		return grant_not_found(resp, out);
	if (strcmp(req->method, "POST") != 0) {
		(void)http_method_not_allowed(resp, out, "POST");
		return http_no_store(resp);
	}

	/* The token is checked as every token endpoint checks one. */
	as = authz_authenticate_claims(app, req, &user, &claims);
	(void)log_escape(user.name, strlen(user.name), out->user,
	    sizeof(out->user));
	if (as != AUTH_OK) {
		if (authz_refuse(resp, out, as, NULL) == -1)
			return -1;
		return http_no_store(resp);
	}
	/*
	 * A token without a session (minted while sessions were off, or by
	 * the reference app) cannot be ended: it lives until it expires,
	 * and the client must know that.
	 */
	if (claims.sid[0] == '\0') {
		out->reason = "token has no session";
		if (http_reply_detail(resp, 400,
		    "This token has no session to end") == -1)
			return -1;
		return http_no_store(resp);
	}

	memset(hash, 0, sizeof(hash));
	/*
	 * A refresh token sent along ends its own session too: holding one
	 * is authority over it (as for revoke).  One that does not parse is
	 * nothing to end.
	 */
	if (http_is_form(http_param(req, "CONTENT_TYPE")))
		http_form_parse(req->body, req->body_len, &f, 1);
	else
		http_form_parse("", 0, &f, 1);
	if (f.len > 0 && !f.too_long &&
	    session_refresh_parse(token, f.len, sid, hash) == 0 &&
	    store_end_token(st, sid, hash, req->now) == STORE_DOWN) {
		ret = grant_store_down(app, resp, out, 1);
		goto done;
	}
	/* Already ended or expired: the same 204, logout is idempotent. */
	if (store_end(st, claims.sid, req->now) == STORE_DOWN) {
		ret = grant_store_down(app, resp, out, 1);
		goto done;
	}
	out->reason = "logout";
	if ((ret = http_reply(resp, 204, NULL, NULL, 0)) == 0)
		ret = http_no_store(resp);
done:
	explicit_bzero(token, sizeof(token));
	explicit_bzero(hash, sizeof(hash));
	return ret;
}

#ifndef NO_MAIN
int
main(void)
{
	return fcgi_loop_run("logout.fcgi", logout_handle, 0);
}
#endif
