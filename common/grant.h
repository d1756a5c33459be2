/* grant.h -- the token endpoints' answers: tokens issued, and the store's refusals */
#ifndef FCGI_AUTH_GRANT_H
#define FCGI_AUTH_GRANT_H

#include "app.h"
#include "authz.h"
#include "http.h"
#include "session.h"
#include "store.h"
#include "token.h"

/*
 * What a session's start or refresh came to (grant_session_start,
 * grant_session_rotate); out->reason says why for all but GRANT_OK.
 */
enum grant_status {
	GRANT_OK,		/* done */
	GRANT_REFUSED,		/* the refresh token is not honoured */
	GRANT_STORE_DOWN,	/* the store cannot answer: 503 */
	GRANT_INTERNAL,		/* no randomness: 500 */
};

/*
 * The scopes an access token for role gets under the app's policy: those
 * asked for (NULL: not asked, so all the role grants) that the role
 * grants now; "" without a policy.  out has TOKEN_SCOPE_MAX + 1 bytes.
 */
void	grant_scopes(const struct app *app, const char *role,
	    const char *asked, char *out);

/*
 * The password check of login and sign-in, throttled (the app's
 * throttle, if any): the attempt is recorded before the hash, so a guess
 * that must wait costs no CPU and the limits hold however many run at
 * once; every guess counts, those refused without a hash too.  name and
 * password are form fields as http_form_parse filled them (too long or
 * holding a NUL: refused, after the throttle, without a hash).  Returns
 * AUTH_OK with *user filled, AUTH_BAD_LOGIN, AUTH_INTERNAL (why says
 * which, for the log only), AUTH_THROTTLED with *wait in seconds, or
 * AUTH_STORE_DOWN (the throttle's store cannot record it: fail closed).
 */
enum auth_status grant_password(struct app *app,
		    const struct http_request *req,
		    const struct http_form_field *name,
		    const struct http_form_field *password,
		    struct auth_user *user, long *wait, const char **why);

/*
 * Mint an access token for user carrying scope, and for a session (sid
 * not NULL) sid and a fresh jti, at the request's time; it lives
 * ACCESS_TOKEN_TTL_MIN.  Returns 0 with *token malloc'd (the caller
 * wipes and frees it), or -1.
 */
int	grant_mint(const struct app *app, const struct http_request *req,
	    const struct auth_user *user, const char *scope, const char *sid,
	    char **token);

/*
 * Sessions on: a new session for user with scope (the login's), its
 * address and agent from the request, in the store first (a token for a
 * session the store never kept would be refused at refresh).  Fills *s
 * as the store keeps it and rt with its first refresh token (the caller
 * wipes it once sent).  GRANT_OK, GRANT_STORE_DOWN or GRANT_INTERNAL.
 */
enum grant_status grant_session_start(struct app *app,
		    const struct http_request *req,
		    const struct auth_user *user, const char *scope,
		    struct store_session *s,
		    char rt[SESSION_REFRESH_CHARS + 1],
		    struct http_outcome *out);

/*
 * Refresh (RFC 6749 6, RFC 9700 4.14.2): rotate session sid's refresh
 * token, whose hash is old, to a new one in rt, then check the session's
 * user as a login would (still in the users file, enabled, at the
 * version it logged in with; if not, the session ends).  A rotated token
 * used again ends the whole session (GRANT_REFUSED).  GRANT_OK fills *s
 * (as it is after the rotation) and *user (as the file says now);
 * out->user gets the session's user whenever it is known.
 */
enum grant_status grant_session_rotate(struct app *app,
		    const struct http_request *req, const char *sid,
		    const unsigned char old[SESSION_HASH_BYTES],
		    struct store_session *s, struct auth_user *user,
		    char rt[SESSION_REFRESH_CHARS + 1],
		    struct http_outcome *out);

/*
 * Mint an access token for user carrying scope and fill resp with RFC
 * 6749 5.1's answer, not to be cached: {"access_token", "token_type"},
 * then, for a session (sid not NULL: the token carries it and a fresh
 * jti), "expires_in" and "refresh_token"; then "scope" if show_scope.
 * Without a session the body is the reference app's, byte for byte.
 * out->reason is set to why (a success) or to what failed.  Returns 0,
 * or -1 (then a 500).
 */
int	grant_reply(const struct app *app, const struct http_request *req,
	    const struct auth_user *user, const char *scope, int show_scope,
	    const char *sid, const char *refresh_token, const char *why,
	    struct http_response *resp, struct http_outcome *out);

/*
 * The session store is down: 503 with Retry-After, not to be cached,
 * one log line saying why.  oauth: RFC 6749's {"error":
 * "temporarily_unavailable", ...} (refresh, logout, revoke); else
 * {"detail": "Session store unavailable"} (login).  Returns 0, or -1.
 */
int	grant_store_down(struct app *app, struct http_response *resp,
	    struct http_outcome *out, int oauth);

/*
 * Set out->reason to why the store is down (its kind and error, made
 * safe for the log line), as grant_store_down does.
 */
void	grant_store_down_reason(struct app *app, struct http_outcome *out);

/*
 * Sessions are off: the endpoint is not there, 404 {"detail":"Not
 * Found"} as the reference app answers an unknown path, not to be
 * cached.  Returns 0, or -1.
 */
int	grant_not_found(struct http_response *resp, struct http_outcome *out);

/*
 * invalid_request (RFC 6749 5.2): a parameter missing, repeated, or the
 * request otherwise malformed.  Returns 0, or -1.
 */
int	grant_invalid_request(struct http_response *resp,
	    struct http_outcome *out, const char *why);

/* The request's time in milliseconds, for the throttle and the store. */
long long grant_now_ms(const struct http_request *req);

#endif /* FCGI_AUTH_GRANT_H */
