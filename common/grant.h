/* grant.h -- the token endpoints' answers: tokens issued, and the store's refusals */
#ifndef FCGI_AUTH_GRANT_H
#define FCGI_AUTH_GRANT_H

#include "app.h"
#include "authz.h"
#include "http.h"
#include "store.h"
#include "token.h"

/*
 * The scopes an access token for role gets under the app's policy: those
 * asked for (NULL: not asked, so all the role grants) that the role
 * grants now; "" without a policy.  out has TOKEN_SCOPE_MAX + 1 bytes.
 */
void	grant_scopes(const struct app *app, const char *role,
	    const char *asked, char *out);

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
