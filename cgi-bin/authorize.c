/* authorize.c -- may this request pass? The policy file decides, for a proxy */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "endpoints.h"
#include "http.h"
#include "fcgi_loop.h"
#include "page.h"
#include "redirect.h"
#include "store.h"

static int	allow_authorizer(struct http_response *,
		    const struct authz_allow *);
static int	allow_forward(struct http_response *, const struct authz_allow *);
static int	browser(const struct http_request *,
		    const struct authz_allow *);
static int	to_signin(const struct authz_allow *, int,
		    struct http_response *);
static int	forbidden_page(const struct authz_allow *,
		    struct http_response *);
static int	ask_again(const struct authz_allow *, struct http_response *,
		    struct http_outcome *);
static int	nginx_second_ask(const struct http_request *);

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

/* A person in a browser: GET or HEAD, asking for a page. */
static int
browser(const struct http_request *req, const struct authz_allow *a)
{
	const char	*accept = http_param(req, "HTTP_ACCEPT");

	return a->method != NULL && (strcmp(a->method, "GET") == 0 ||
	    strcmp(a->method, "HEAD") == 0) && accept != NULL &&
	    strstr(accept, "text/html") != NULL;
}

/*
 * No valid token: 302 to the sign-in page, which sends the browser back
 * (and signs it in again silently if its refresh cookie allows).  nginx's
 * auth_request cannot pass a 302 on: on its first ask (X-Original-*) the
 * 401 stays, and its error_page location asks again with the parameter
 * HTTP_X_FCGI_AUTH_REPLY "client" (client_ask), for the answer the client
 * gets.  Returns 1 if resp is now the redirect.
 */
static int
to_signin(const struct authz_allow *a, int client_ask,
    struct http_response *resp)
{
	char		 loc[REDIRECT_LOCATION_MAX];
	size_t		 n = strlen(REDIRECT_SIGNIN_PATH);

	if (a->original && !client_ask)
		return 0;
	/*
	 * The sign-in page itself, under a policy that does not let anyone
	 * reach it: a redirect there would loop (the 401 stays).
	 */
	if (strncmp(a->target, REDIRECT_SIGNIN_PATH, n) == 0 &&
	    (a->target[n] == '\0' || a->target[n] == '?'))
		return 0;
	if (redirect_signin_location(loc, sizeof(loc), a->target) == -1)
		return 0;
	http_response_wipe(resp);
	(void)page_redirect(resp, 302, loc);
	return 1;
}

/*
 * Signed in, or not, and still refused: a page, not a redirect (no
 * loop), saying who is signed in (their own name) and what the rule
 * asks, with a button to sign out (how to switch user).
 */
static int
forbidden_page(const struct authz_allow *a, struct http_response *resp)
{
	json_object	*root, *v;
	char		 why[256], text[512];

	/* What the JSON refusal says the rule requires. */
	why[0] = '\0';
	if ((root = json_tokener_parse(resp->body)) != NULL) {
		if (json_object_object_get_ex(root, "detail", &v))
			(void)snprintf(why, sizeof(why), "%s",
			    json_object_get_string(v));
		json_object_put(root);
	}
	if (a->user.name[0] != '\0')
		(void)snprintf(text, sizeof(text), "You are signed in as %s, "
		    "but this page is not open to you (%s).", a->user.name,
		    why);
	else
		(void)snprintf(text, sizeof(text), "This page is not open to "
		    "you (%s).", why);
	http_response_wipe(resp);
	return page_message(resp, 403, "Access denied", text,
	    a->user.name[0] != '\0' ? PAGE_SIGNOUT_FORM : PAGE_SIGNIN_LINK);
}

/*
 * nginx asks again, for the answer the client gets, only after its first
 * ask was refused.  An allow now means the two asks met two processes
 * whose copies differ for a moment (the users file or the policy, each
 * re-read within a second; the ended sessions are read afresh for this
 * ask).  Passed on, it would give the client this JSON in place of what
 * it asked for.  So the client is told to ask again, its method and body
 * kept (307); by then the processes agree.  A target that cannot go in
 * a Location header: 503 with Retry-After.
 */
static int
ask_again(const struct authz_allow *a, struct http_response *resp,
    struct http_outcome *out)
{
	out->reason = "the verdict changed between nginx's two asks: "
	    "ask again";
	http_response_wipe(resp);
	if (a->target != NULL && redirect_next_ok(a->target,
	    strlen(a->target)))
		return page_redirect(resp, 307, a->target);
	if (http_reply_detail(resp, 503, "The verdict changed while it was "
	    "asked: try again") == -1 || http_no_store(resp) == -1 ||
	    http_header_add(resp, "Retry-After", "1") == -1)
		return http_reply_json(resp, 500, NULL);
	return 0;
}

/*
 * nginx's second ask (its error_page locations): X-Fcgi-Auth-Reply:
 * client on an X-Original-* ask, both set by nginx's config alone, which
 * blanks the client's copy on the first ask.  Through a FastCGI
 * Authorizer (lighttpd, Apache) or Caddy's X-Forwarded-* ask the header
 * is the client's own: heeded, it would let any client make every one of
 * its requests read the store.
 */
static int
nginx_second_ask(const struct http_request *req)
{
	const char	*reply = http_param(req, "HTTP_X_FCGI_AUTH_REPLY");
	const char	*role = http_param(req, "FCGI_ROLE");
	const char	*uri = http_param(req, "HTTP_X_ORIGINAL_URI");

	return reply != NULL && strcmp(reply, "client") == 0 &&
	    (role == NULL || strcmp(role, "AUTHORIZER") != 0) &&
	    uri != NULL && uri[0] != '\0';
}

int
authorize_handle(struct app *app, const struct http_request *req,
    struct http_response *resp, struct http_outcome *out)
{
	struct authz_allow	 a;
	int			 client_ask;

	/*
	 * nginx's second ask comes only after a refusal, maybe by another
	 * process: every session ended before it was asked is looked at
	 * here too, not up to half a second later.
	 */
	client_ask = nginx_second_ask(req);
	if (client_ask && app_store(app) != NULL)
		store_poll_now(app_store(app));
	/* No method check: the policy says which methods pass where. */
	switch (authz_check_policy(app, req, &a, resp, out)) {
	case AUTH_OK:
		if (a.original && client_ask)
			return ask_again(&a, resp, out);
		return a.authorizer ? allow_authorizer(resp, &a) :
		    allow_forward(resp, &a);
	case AUTH_NO_CREDS:
	case AUTH_BAD_TOKEN:
	case AUTH_BAD_PAYLOAD:
	case AUTH_NO_USER:
	case AUTH_DISABLED:
	case AUTH_REVOKED:
		/* API clients keep the 401 in JSON. */
		if (browser(req, &a))
			(void)to_signin(&a, client_ask, resp);
		return 0;
	case AUTH_FORBIDDEN:
	case AUTH_NO_RULE:
	case AUTH_NO_SCOPE:
		return browser(req, &a) ? forbidden_page(&a, resp) : 0;
	default:
		return 0;
	}
}

#ifndef NO_MAIN
int
main(void)
{
	return fcgi_loop_run("authorize.fcgi", authorize_handle,
	    FCGI_LOOP_POLICY | FCGI_LOOP_NO_STDIN);
}
#endif
