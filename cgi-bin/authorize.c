/* authorize.c -- may this request pass? The policy file decides, for a proxy */
#include "config.h"

#include "authz.h"
#include "endpoints.h"
#include "http.h"
#include "fcgi_loop.h"

static int	allow_authorizer(struct http_response *,
		    const struct authz_allow *);
static int	allow_forward(struct http_response *, const struct authz_allow *);

/*
 * A FastCGI Authorizer's allow: 200 and only Variable-* headers, which
 * lighttpd and Apache turn into the environment of what serves the
 * request (Apache hands any other header of it to the client).  No
 * identity: no REMOTE_USER, and the others empty.
 */
static int
allow_authorizer(struct http_response *resp, const struct authz_allow *a)
{
	(void)http_reply_bare(resp, 200);
	if ((a->user.name[0] != '\0' && http_header_add(resp,
	    "Variable-REMOTE_USER", a->user.name) == -1) ||
	    http_header_add(resp, "Variable-AUTH_USER", a->user.name) == -1 ||
	    http_header_add(resp, "Variable-AUTH_ROLE", a->user.role) == -1 ||
	    http_header_add(resp, "Variable-AUTH_SCOPE", a->scope) == -1)
		return http_reply_json(resp, 500, NULL);
	return 0;
}

/*
 * Forward auth (nginx auth_request, Caddy forward_auth) and plain CGI:
 * 200, all three X-Auth-* headers always (empty without identity: a
 * proxy that copies a missing one may pass the client's, or a
 * placeholder), how long the proxy may keep the answer, and the same in
 * JSON.
 */
static int
allow_forward(struct http_response *resp, const struct authz_allow *a)
{
	char	 secs[4];
	int	 n = a->cache_sec;	/* 0..CFG_AUTH_CACHE_SEC_MAX */
	int	 known = a->user.name[0] != '\0';

	/* Two digits at most: not worth a vfprintf per request. */
	secs[0] = (char)(n >= 10 ? '0' + n / 10 % 10 : '0' + n % 10);
	secs[1] = (char)(n >= 10 ? '0' + n % 10 : '\0');
	secs[2] = '\0';
	if (http_header_add(resp, "X-Auth-User", a->user.name) == -1 ||
	    http_header_add(resp, "X-Auth-Role", a->user.role) == -1 ||
	    http_header_add(resp, "X-Auth-Scope", a->scope) == -1 ||
	    http_header_add(resp, "X-Accel-Expires", secs) == -1)
		return http_reply_json(resp, 500, NULL);
	return http_reply_fields(resp, 200, (const char *const[]){
	    "username", known ? a->user.name : NULL,
	    "role", known ? a->user.role : NULL,
	    "scope", a->scope,
	    NULL });
}

int
authorize_handle(struct app *app, const struct http_request *req,
    struct http_response *resp, struct http_outcome *out)
{
	struct authz_allow	 a;

	/* No method check: the policy says which methods pass where. */
	if (authz_check_policy(app, req, &a, resp, out) != AUTH_OK)
		return 0;
	return a.authorizer ? allow_authorizer(resp, &a) :
	    allow_forward(resp, &a);
}

#ifndef NO_MAIN
int
main(void)
{
	return fcgi_loop_run("authorize.fcgi", authorize_handle,
	    FCGI_LOOP_POLICY | FCGI_LOOP_NO_STDIN);
}
#endif
