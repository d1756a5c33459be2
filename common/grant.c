/* grant.c -- the token endpoints' answers: tokens issued, and the store's refusals */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grant.h"
#include "log.h"
#include "policy.h"
#include "session.h"
#include "throttle.h"
#include "users.h"

static int	vet(struct app *, const struct http_request *,
		    const struct store_session *, struct auth_user *,
		    struct http_outcome *);

void
grant_scopes(const struct app *app, const char *role, const char *asked,
    char *out)
{
	const struct policy	*pol = app_policy(app);

	out[0] = '\0';
	if (pol == NULL)
		return;
	if (asked != NULL)
		(void)policy_scopes_granted(pol, role, asked, strlen(asked),
		    out, TOKEN_SCOPE_MAX + 1);
	else
		(void)snprintf(out, TOKEN_SCOPE_MAX + 1, "%s",
		    policy_role_scopes(pol, role));
}

enum auth_status
grant_password(struct app *app, const struct http_request *req,
    const struct http_form_field *name, const struct http_form_field *password,
    struct auth_user *user, long *wait, const char **why)
{
	struct throttle		*thr = app_throttle(app);
	struct store_attempt	 att;
	enum auth_status	 st;

	memset(user, 0, sizeof(*user));
	*wait = 0;
	*why = NULL;
	if (thr != NULL) {
		switch (throttle_begin(thr, name->value, name->len,
		    http_param(req, "REMOTE_ADDR"), grant_now_ms(req), &att,
		    wait)) {
		case THROTTLE_ALLOW:
			break;
		case THROTTLE_WAIT:
			return AUTH_THROTTLED;
		default:
			return AUTH_STORE_DOWN;
		}
	}

	/* Nothing can match these; their length or bytes are no secret. */
	if (name->too_long || password->too_long ||
	    memchr(name->value, '\0', name->len) != NULL ||
	    memchr(password->value, '\0', password->len) != NULL) {
		st = AUTH_BAD_LOGIN;
		*why = password->too_long ? "password too long" :
		    name->too_long ? "username too long" :
		    "NUL byte in username or password";
	} else
		st = authz_login(app, name->value, password->value, user, why);
	/* The session's own write, next, says whether the store is down. */
	if (thr != NULL && throttle_end(thr, &att, st == AUTH_OK) == -1)
		log_warnx("login throttling: cannot settle an attempt: %s",
		    app_store(app) != NULL ? store_errstr(app_store(app)) :
		    "?");
	return st;
}

int
grant_mint(const struct app *app, const struct http_request *req,
    const struct auth_user *user, const char *scope, const char *sid,
    char **token)
{
	struct token_claims	 claims;
	char			 jti[SESSION_JTI_CHARS + 1];

	*token = NULL;
	jti[0] = '\0';
	if (token_claims_init(&claims, user->name, user->role,
	    user->version) == -1 || token_claims_scope(&claims, scope) == -1 ||
	    (sid != NULL && (session_new_id(jti) == -1 ||
	    token_claims_session(&claims, sid, jti) == -1)) ||
	    token_mint(app_cfg(app), &claims, req->now, token) == -1)
		return -1;
	return 0;
}

enum grant_status
grant_session_start(struct app *app, const struct http_request *req,
    const struct auth_user *user, const char *scope, struct store_session *s,
    char rt[SESSION_REFRESH_CHARS + 1], struct http_outcome *out)
{
	unsigned char		 hash[SESSION_HASH_BYTES];
	const struct user	*u;
	const char		*addr = http_param(req, "REMOTE_ADDR");
	const char		*agent = http_param(req, "HTTP_USER_AGENT");
	enum grant_status	 ret;

	memset(s, 0, sizeof(*s));
	rt[0] = '\0';
	if (session_new_id(s->sid) == -1 ||
	    session_refresh_new(s->sid, rt, hash) == -1) {
		out->reason = "no randomness for a session";
		ret = GRANT_INTERNAL;
		goto done;
	}
	/* The hash the password was just checked against: vet compares. */
	if ((u = users_lookup(app_users(app), user->name)) == NULL ||
	    session_pw_fingerprint(u->hash, s->pwfp) == -1) {
		explicit_bzero(rt, SESSION_REFRESH_CHARS + 1);
		rt[0] = '\0';
		out->reason = "no password hash to fingerprint";
		ret = GRANT_INTERNAL;
		goto done;
	}
	/* The users file and the policy bound these: nothing is cut. */
	(void)snprintf(s->user, sizeof(s->user), "%s", user->name);
	(void)snprintf(s->scope, sizeof(s->scope), "%s", scope);
	s->ver = user->version;
	s->created = req->now;
	/* As the web server gave it; anything longer is no address. */
	if (addr == NULL || *addr == '\0' ||
	    strlen(addr) >= sizeof(s->addr))
		addr = "-";
	(void)snprintf(s->addr, sizeof(s->addr), "%s", addr);
	if (agent != NULL)
		(void)log_escape(agent, strlen(agent), s->agent,
		    sizeof(s->agent));
	if (store_create(app_store(app), s, hash) != STORE_OK) {
		explicit_bzero(rt, SESSION_REFRESH_CHARS + 1);
		rt[0] = '\0';
		ret = GRANT_STORE_DOWN;
		goto done;
	}
	ret = GRANT_OK;
done:
	explicit_bzero(hash, sizeof(hash));
	return ret;
}

/*
 * RFC 9700 2.2.2: a refresh checks the user as a login would.  The
 * session's user must still be in the file, enabled, at the version it
 * logged in with (authctl revoke, passwd and disable raise it; a user
 * deleted and added again starts lower, and is someone else), with the
 * password hash it logged in with (one changed by hand, the version
 * left alone, is a new password all the same).  A session from before
 * sessions kept the hash's fingerprint has none, and is let be.
 * Returns 0 with *user filled, or -1 with why in out->reason.
 */
static int
vet(struct app *app, const struct http_request *req,
    const struct store_session *s, struct auth_user *user,
    struct http_outcome *out)
{
	const struct user	*u;
	char			 fp[SESSION_PWFP_CHARS + 1];

	(void)log_escape(s->user, strlen(s->user), out->user,
	    sizeof(out->user));
	u = users_lookup(app_users(app), s->user);
	if (u == NULL)
		out->reason = "user not found: session ended";
	else if (u->disabled)
		out->reason = "user disabled: session ended";
	else if (u->version != s->ver)
		out->reason = "token revoked: session ended";
	else if (s->pwfp[0] != '\0' &&
	    (session_pw_fingerprint(u->hash, fp) == -1 ||
	    strcmp(fp, s->pwfp) != 0))
		out->reason = "password changed: session ended";
	else {
		memset(user, 0, sizeof(*user));
		(void)snprintf(user->name, sizeof(user->name), "%s", u->name);
		(void)snprintf(user->role, sizeof(user->role), "%s", u->role);
		user->version = u->version;
		return 0;
	}
	/* Its access tokens go too, on every process. */
	if (store_end(app_store(app), s->sid, req->now) == STORE_DOWN)
		log_warnx("refresh: cannot end session of %s: %s", out->user,
		    store_errstr(app_store(app)));
	return -1;
}

enum grant_status
grant_session_rotate(struct app *app, const struct http_request *req,
    const char *sid, const unsigned char old[SESSION_HASH_BYTES],
    struct store_session *s, struct auth_user *user,
    char rt[SESSION_REFRESH_CHARS + 1], struct http_outcome *out)
{
	unsigned char		 new_hash[SESSION_HASH_BYTES];
	enum grant_status	 ret;

	rt[0] = '\0';
	memset(new_hash, 0, sizeof(new_hash));
	/* Rotate first, then vet: one round trip when all is well. */
	if (session_refresh_new(sid, rt, new_hash) == -1) {
		out->reason = "no randomness for a refresh token";
		ret = GRANT_INTERNAL;
		goto done;
	}
	switch (store_rotate(app_store(app), sid, old, new_hash, req->now,
	    s)) {
	case STORE_OK:
		break;
	case STORE_REUSED:
		(void)log_escape(s->user, strlen(s->user), out->user,
		    sizeof(out->user));
		out->reason = "refresh token reuse: session ended";
		ret = GRANT_REFUSED;
		goto done;
	case STORE_ENDED:
		(void)log_escape(s->user, strlen(s->user), out->user,
		    sizeof(out->user));
		out->reason = "session ended or expired";
		ret = GRANT_REFUSED;
		goto done;
	case STORE_DOWN:
		ret = GRANT_STORE_DOWN;
		goto done;
	default:
		out->reason = "unknown refresh token";
		ret = GRANT_REFUSED;
		goto done;
	}
	ret = vet(app, req, s, user, out) == 0 ? GRANT_OK : GRANT_REFUSED;
done:
	if (ret != GRANT_OK) {
		explicit_bzero(rt, SESSION_REFRESH_CHARS + 1);
		rt[0] = '\0';
	}
	explicit_bzero(new_hash, sizeof(new_hash));
	return ret;
}

int
grant_reply(const struct app *app, const struct http_request *req,
    const struct auth_user *user, const char *scope, int show_scope,
    const char *sid, const char *refresh_token, const char *why,
    struct http_response *resp, struct http_outcome *out)
{
	const struct cfg	*cfg = app_cfg(app);
	json_object		*body;
	char			*token = NULL;
	int			 ret;

	if (grant_mint(app, req, user, scope, sid, &token) == -1) {
		out->reason = "could not mint a token";
		return authz_refuse(resp, out, AUTH_INTERNAL, NULL);
	}
	if (sid == NULL)
		body = http_json_object(
		    "access_token", json_object_new_string(token),
		    "token_type", json_object_new_string("bearer"),
		    NULL);
	else
		/* RFC 6749 5.1: expires_in is the access token's life. */
		body = http_json_object(
		    "access_token", json_object_new_string(token),
		    "token_type", json_object_new_string("bearer"),
		    "expires_in", json_object_new_int(cfg->ttl_min * 60),
		    "refresh_token", json_object_new_string(refresh_token),
		    NULL);
	if (body != NULL && show_scope) {
		json_object	*v = json_object_new_string(scope);

		if (v == NULL || json_object_object_add(body, "scope",
		    v) != 0) {
			json_object_put(v);
			json_object_put(body);
			body = NULL;
		}
	}
	out->reason = why;
	ret = http_reply_json(resp, 200, body);
	if (ret == 0)
		ret = http_no_store(resp);
	explicit_bzero(token, strlen(token));
	free(token);
	return ret;
}

void
grant_store_down_reason(struct app *app, struct http_outcome *out)
{
	/* The outcome line's reason: one line per refusal, with the why. */
	static char	 reason[192];
	size_t		 i;

	(void)snprintf(reason, sizeof(reason),
	    "session store unavailable (%s: %s)", store_kind(app_store(app)),
	    store_errstr(app_store(app)));
	/* It sits between quotes in the log: nothing may end them. */
	for (i = 0; reason[i] != '\0'; i++)
		if (reason[i] == '"' || reason[i] == '\\' ||
		    (unsigned char)reason[i] < 0x20 ||
		    (unsigned char)reason[i] > 0x7e)
			reason[i] = '?';
	out->reason = reason;
}

int
grant_store_down(struct app *app, struct http_response *resp,
    struct http_outcome *out, int oauth)
{
	char	 ra[16];

	grant_store_down_reason(app, out);
	if (oauth)
		return http_reply_oauth_error(resp, 503,
		    "temporarily_unavailable",
		    "The session store is unavailable", STORE_RETRY_AFTER_SEC);
	(void)snprintf(ra, sizeof(ra), "%d", STORE_RETRY_AFTER_SEC);
	if (authz_refuse(resp, out, AUTH_STORE_DOWN, NULL) == -1 ||
	    http_no_store(resp) == -1)
		return -1;
	if (http_header_add(resp, "Retry-After", ra) == -1)
		return http_reply_json(resp, 500, NULL);
	return 0;
}

int
grant_not_found(struct http_response *resp, struct http_outcome *out)
{
	out->reason = "sessions are off (SESSION_STORE unset)";
	if (http_reply_detail(resp, 404, "Not Found") == -1)
		return -1;
	return http_no_store(resp);
}

int
grant_invalid_request(struct http_response *resp, struct http_outcome *out,
    const char *why)
{
	out->reason = why;
	return http_reply_oauth_error(resp, 400, "invalid_request",
	    "The request is missing a required parameter, includes a "
	    "repeated parameter, or is otherwise malformed", 0);
}

long long
grant_now_ms(const struct http_request *req)
{
	return (long long)req->now * 1000;
}
