/* login.c -- POST /auth/login: a name and password for a Bearer token */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "endpoints.h"
#include "http.h"
#include "fcgi_loop.h"
#include "grant.h"
#include "log.h"
#include "password.h"
#include "policy.h"
#include "session.h"
#include "store.h"
#include "token.h"

static int	missing(const struct http_form_field *);
static int	reply_unprocessable(struct http_response *,
		    struct http_outcome *, const struct http_form_field *, int);
static int	reply_invalid_scope(struct http_response *,
		    struct http_outcome *);
static int	reply_throttled(struct http_response *,
		    struct http_outcome *, long);
static int	start_session(struct app *, const struct http_request *,
		    const struct auth_user *, const char *, int,
		    struct http_response *, struct http_outcome *);

enum { GRANT_TYPE, USERNAME, PASSWORD, SCOPE, NFIELDS };

/* Absent or empty, as pydantic sees a form field. */
static int
missing(const struct http_form_field *f)
{
	return f->len == 0 && !f->too_long;
}

/*
 * 422 in the shape FastAPI gives (pydantic v1): one entry per field,
 * grant_type first.  OAuth2PasswordRequestForm checks grant_type against
 * the regex "password" with re.match, so it must begin with "password".
 */
static int
reply_unprocessable(struct http_response *resp, struct http_outcome *out,
    const struct http_form_field *f, int bad_grant)
{
	json_object	*list, *entry;
	int		 i;

	if ((list = json_object_new_array()) == NULL)
		return http_reply_json(resp, 422, NULL);
	if (bad_grant) {
		entry = http_json_object(
		    "loc", http_json_strings((const char *const[]){ "body",
		    "grant_type", NULL }),
		    "msg", json_object_new_string(
		    "string does not match regex \"password\""),
		    "type", json_object_new_string("value_error.str.regex"),
		    "ctx", http_json_object("pattern",
		    json_object_new_string("password"), NULL),
		    NULL);
		if (entry == NULL || json_object_array_add(list, entry) != 0)
			goto fail;
	}
	for (i = USERNAME; i <= PASSWORD; i++) {
		if (!missing(&f[i]))
			continue;
		entry = http_json_object(
		    "loc", http_json_strings((const char *const[]){ "body",
		    f[i].name, NULL }),
		    "msg", json_object_new_string("field required"),
		    "type", json_object_new_string("value_error.missing"),
		    NULL);
		if (entry == NULL || json_object_array_add(list, entry) != 0)
			goto fail;
	}
	out->reason = "missing or invalid form field";
	return http_reply_json(resp, 422, http_json_object("detail", list,
	    NULL));
fail:
	json_object_put(list);
	return http_reply_json(resp, 422, NULL);
}

/* RFC 6749 5.2: a scope asked for that no role of the policy grants. */
static int
reply_invalid_scope(struct http_response *resp, struct http_outcome *out)
{
	out->reason = "unknown scope asked for";
	if (http_reply_json(resp, 400, http_json_object(
	    "error", json_object_new_string("invalid_scope"),
	    "error_description", json_object_new_string("The requested "
	    "scope is invalid, unknown, or malformed"),
	    NULL)) == -1)
		return -1;
	return http_no_store(resp);
}

/* 429 with Retry-After (RFC 6585 4): this guess must wait. */
static int
reply_throttled(struct http_response *resp, struct http_outcome *out,
    long wait)
{
	char	 ra[24];

	out->reason = "too many failed logins: throttled";
	(void)snprintf(ra, sizeof(ra), "%ld", wait > 0 ? wait : 1);
	if (authz_refuse(resp, out, AUTH_THROTTLED, NULL) == -1 ||
	    http_no_store(resp) == -1)
		return -1;
	if (http_header_add(resp, "Retry-After", ra) == -1)
		return http_reply_json(resp, 500, NULL);
	return 0;
}

/*
 * Sessions on: a new session for user, with the scopes it was granted,
 * then its first access token and refresh token.
 */
static int
start_session(struct app *app, const struct http_request *req,
    const struct auth_user *user, const char *scope, int asked,
    struct http_response *resp, struct http_outcome *out)
{
	struct store_session	 s;
	char			 rt[SESSION_REFRESH_CHARS + 1];
	int			 ret;

	switch (grant_session_start(app, req, user, scope, &s, rt, out)) {
	case GRANT_OK:
		ret = grant_reply(app, req, user, scope, asked, s.sid, rt,
		    "login", resp, out);
		break;
	case GRANT_STORE_DOWN:
		ret = grant_store_down(app, resp, out, 0);
		break;
	default:
		ret = authz_refuse(resp, out, AUTH_INTERNAL, NULL);
		break;
	}
	explicit_bzero(rt, sizeof(rt));
	return ret;
}

int
login_handle(struct app *app, const struct http_request *req,
    struct http_response *resp, struct http_outcome *out)
{
	char			 grant_type[256];
	char			 username[256];
	char			 password[PASSWORD_MAX_BYTES + 1];
	char			 scope[TOKEN_SCOPE_MAX + 1];
	struct http_form_field	 f[NFIELDS] = {
		[GRANT_TYPE] = { .name = "grant_type", .value = grant_type,
		    .size = sizeof(grant_type) },
		[USERNAME] = { .name = "username", .value = username,
		    .size = sizeof(username) },
		[PASSWORD] = { .name = "password", .value = password,
		    .size = sizeof(password) },
		[SCOPE] = { .name = "scope", .value = scope,
		    .size = sizeof(scope) },
	};
	const struct policy	*pol = app_policy(app);
	struct auth_user	 user;
	enum auth_status	 st;
	char			 granted[TOKEN_SCOPE_MAX + 1];
	const char		*why = NULL;
	long			 wait = 0;
	int			 bad_grant, asked, ret;

	if (strcmp(req->method, "POST") != 0)
		return http_method_not_allowed(resp, out, "POST");

	/* Like FastAPI, a body of any other type has no fields at all. */
	if (http_is_form(http_param(req, "CONTENT_TYPE")))
		http_form_parse(req->body, req->body_len, f, NFIELDS);
	else
		http_form_parse("", 0, f, NFIELDS);
	(void)log_escape(username, f[USERNAME].len, out->user,
	    sizeof(out->user));

	bad_grant = f[GRANT_TYPE].too_long || (f[GRANT_TYPE].len > 0 &&
	    strncmp(grant_type, "password", 8) != 0);
	if (bad_grant || missing(&f[USERNAME]) || missing(&f[PASSWORD])) {
		ret = reply_unprocessable(resp, out, f, bad_grant);
		goto done;
	}

	/*
	 * Scopes mean something only under a policy: without one the field
	 * is ignored, as before.  An empty one asks for nothing in
	 * particular (pydantic's view of a form field), so for all.  One
	 * that no role knows is refused before any hashing.
	 */
	asked = pol != NULL && (f[SCOPE].len > 0 || f[SCOPE].too_long);
	if (asked && (f[SCOPE].too_long ||
	    memchr(scope, '\0', f[SCOPE].len) != NULL ||
	    !policy_scopes_known(pol, scope, f[SCOPE].len))) {
		ret = reply_invalid_scope(resp, out);
		goto done;
	}

	/*
	 * Throttled, and every guess hashed alike, those refused without a
	 * hash too (the answer must not differ).
	 */
	switch ((st = grant_password(app, req, &f[USERNAME], &f[PASSWORD],
	    &user, &wait, &why))) {
	case AUTH_OK:
		break;
	case AUTH_THROTTLED:
		ret = reply_throttled(resp, out, wait);
		goto done;
	case AUTH_STORE_DOWN:
		ret = grant_store_down(app, resp, out, 0);
		goto done;
	default:
		ret = authz_refuse(resp, out, st, NULL);
		out->reason = why;
		goto done;
	}
	grant_scopes(app, user.role, asked ? scope : NULL, granted);
	if (app_store(app) != NULL)
		ret = start_session(app, req, &user, granted, asked, resp,
		    out);
	else
		ret = grant_reply(app, req, &user, granted, asked, NULL, NULL,
		    "login", resp, out);
done:
	explicit_bzero(password, sizeof(password));
	return ret;
}

#ifndef NO_MAIN
int
main(void)
{
	return fcgi_loop_run("login.fcgi", login_handle,
	    FCGI_LOOP_USERS_EVERY_REQUEST | FCGI_LOOP_POLICY_IF_ANY |
	    FCGI_LOOP_SIGNS);
}
#endif
