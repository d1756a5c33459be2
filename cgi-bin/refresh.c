/* refresh.c -- POST /auth/refresh: a refresh token for new tokens (RFC 6749 6) */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "endpoints.h"
#include "fcgi_loop.h"
#include "grant.h"
#include "http.h"
#include "policy.h"
#include "session.h"
#include "store.h"

static int	invalid_grant(struct http_response *, struct http_outcome *,
		    const char *);
static int	invalid_scope(struct http_response *, struct http_outcome *,
		    const char *);
static int	subset(const char *, const char *);

enum { GRANT_TYPE, REFRESH_TOKEN, SCOPE, CLIENT_ID, NFIELDS };

/*
 * One answer for every refresh token we will not honour, so a thief
 * learns nothing; why, for the log only, says which it was.
 */
static int
invalid_grant(struct http_response *resp, struct http_outcome *out,
    const char *why)
{
	out->reason = why;
	return http_reply_oauth_error(resp, 400, "invalid_grant",
	    "The refresh token is invalid, expired or revoked", 0);
}

static int
invalid_scope(struct http_response *resp, struct http_outcome *out,
    const char *why)
{
	out->reason = why;
	return http_reply_oauth_error(resp, 400, "invalid_scope",
	    "The requested scope is invalid, unknown, or malformed", 0);
}

/* Whether every scope of asked (space-separated) is one of have's. */
static int
subset(const char *asked, const char *have)
{
	const char	*a, *h;
	size_t		 n, m;

	for (a = asked; *a != '\0'; a += n) {
		a += strspn(a, " ");
		if ((n = strcspn(a, " ")) == 0)
			break;
		for (h = have; *h != '\0'; h += m) {
			h += strspn(h, " ");
			m = strcspn(h, " ");
			if (m == n && memcmp(a, h, n) == 0)
				break;
		}
		if (*h == '\0')
			return 0;
	}
	return 1;
}

int
refresh_handle(struct app *app, const struct http_request *req,
    struct http_response *resp, struct http_outcome *out)
{
	char			 grant_type[32];
	char			 token[SESSION_REFRESH_CHARS + 1];
	char			 scope[TOKEN_SCOPE_MAX + 1];
	char			 client_id[256];
	struct http_form_field	 f[NFIELDS] = {
		[GRANT_TYPE] = { .name = "grant_type", .value = grant_type,
		    .size = sizeof(grant_type) },
		[REFRESH_TOKEN] = { .name = "refresh_token", .value = token,
		    .size = sizeof(token) },
		[SCOPE] = { .name = "scope", .value = scope,
		    .size = sizeof(scope) },
		[CLIENT_ID] = { .name = "client_id", .value = client_id,
		    .size = sizeof(client_id) },
	};
	struct store		*st = app_store(app);
	struct store_session	 s, cur;
	struct auth_user	 user;
	unsigned char		 old[SESSION_HASH_BYTES];
	char			 sid[SESSION_SID_CHARS + 1];
	char			 rt[SESSION_REFRESH_CHARS + 1];
	char			 granted[TOKEN_SCOPE_MAX + 1];
	const char		*asked = NULL;
	size_t			 i;
	int			 ret;

	if (st == NULL)
		return grant_not_found(resp, out);
	if (strcmp(req->method, "POST") != 0) {
		(void)http_method_not_allowed(resp, out, "POST");
		return http_no_store(resp);
	}

	rt[0] = '\0';
	memset(old, 0, sizeof(old));
	/* Any other body has no fields: grant_type is missing. */
	if (http_is_form(http_param(req, "CONTENT_TYPE")))
		http_form_parse(req->body, req->body_len, f, NFIELDS);
	else
		http_form_parse("", 0, f, NFIELDS);

	/* RFC 6749 3.2: no parameter more than once. */
	for (i = 0; i < NFIELDS; i++)
		if (f[i].present > 1) {
			ret = grant_invalid_request(resp, out,
			    "a parameter repeated");
			goto done;
		}
	if (f[GRANT_TYPE].len == 0 && !f[GRANT_TYPE].too_long) {
		ret = grant_invalid_request(resp, out, "no grant_type");
		goto done;
	}
	if (f[GRANT_TYPE].too_long || f[GRANT_TYPE].len !=
	    strlen("refresh_token") || strcmp(grant_type,
	    "refresh_token") != 0) {
		out->reason = "grant_type is not refresh_token";
		ret = http_reply_oauth_error(resp, 400,
		    "unsupported_grant_type",
		    "The authorization grant type is not supported", 0);
		goto done;
	}
	if (f[REFRESH_TOKEN].len == 0 && !f[REFRESH_TOKEN].too_long) {
		ret = grant_invalid_request(resp, out, "no refresh_token");
		goto done;
	}
	if (f[REFRESH_TOKEN].too_long || session_refresh_parse(token,
	    f[REFRESH_TOKEN].len, sid, old) == -1) {
		ret = invalid_grant(resp, out, "malformed refresh token");
		goto done;
	}

	/*
	 * RFC 6749 6: a scope, if asked for, may only narrow the session's
	 * (which never changes, so reading it before the rotation is safe).
	 * Asked for and refused, the token stays good.  Scopes mean
	 * something only under a policy, as at login.
	 */
	if (app_policy(app) != NULL && (f[SCOPE].len > 0 ||
	    f[SCOPE].too_long)) {
		if (f[SCOPE].too_long || memchr(scope, '\0',
		    f[SCOPE].len) != NULL) {
			ret = invalid_scope(resp, out, "malformed scope");
			goto done;
		}
		switch (store_get(st, sid, &cur)) {
		case STORE_OK:
			break;
		case STORE_DOWN:
			ret = grant_store_down(app, resp, out, 1);
			goto done;
		default:
			ret = invalid_grant(resp, out, "unknown session");
			goto done;
		}
		if (!subset(scope, cur.scope)) {
			ret = invalid_scope(resp, out,
			    "scope beyond the session's");
			goto done;
		}
		asked = scope;
	}

	switch (grant_session_rotate(app, req, sid, old, &s, &user, rt,
	    out)) {
	case GRANT_OK:
		break;
	case GRANT_REFUSED:
		ret = invalid_grant(resp, out, out->reason);
		goto done;
	case GRANT_STORE_DOWN:
		ret = grant_store_down(app, resp, out, 1);
		goto done;
	default:
		ret = authz_refuse(resp, out, AUTH_INTERNAL, NULL);
		goto done;
	}
	/* The asked subset, or the session's, that the role grants now. */
	grant_scopes(app, user.role, asked != NULL ? asked : s.scope,
	    granted);
	ret = grant_reply(app, req, &user, granted, asked != NULL, s.sid, rt,
	    "refresh", resp, out);
done:
	explicit_bzero(token, sizeof(token));
	explicit_bzero(rt, sizeof(rt));
	explicit_bzero(old, sizeof(old));
	return ret;
}

#ifndef NO_MAIN
int
main(void)
{
	return fcgi_loop_run("refresh.fcgi", refresh_handle,
	    FCGI_LOOP_USERS_EVERY_REQUEST | FCGI_LOOP_POLICY_IF_ANY |
	    FCGI_LOOP_SIGNS);
}
#endif
