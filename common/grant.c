/* grant.c -- the token endpoints' answers: tokens issued, and the store's refusals */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grant.h"
#include "log.h"
#include "policy.h"
#include "session.h"

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

int
grant_reply(const struct app *app, const struct http_request *req,
    const struct auth_user *user, const char *scope, int show_scope,
    const char *sid, const char *refresh_token, const char *why,
    struct http_response *resp, struct http_outcome *out)
{
	const struct cfg	*cfg = app_cfg(app);
	struct token_claims	 claims;
	json_object		*body;
	char			 jti[SESSION_JTI_CHARS + 1];
	char			*token = NULL;
	int			 ret;

	jti[0] = '\0';
	if (token_claims_init(&claims, user->name, user->role,
	    user->version) == -1 || token_claims_scope(&claims, scope) == -1 ||
	    (sid != NULL && (session_new_id(jti) == -1 ||
	    token_claims_session(&claims, sid, jti) == -1)) ||
	    token_mint(cfg, &claims, req->now, &token) == -1) {
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

int
grant_store_down(struct app *app, struct http_response *resp,
    struct http_outcome *out, int oauth)
{
	/* The outcome line's reason: one line per refusal, with the why. */
	static char	 reason[192];
	char		 ra[16];
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
