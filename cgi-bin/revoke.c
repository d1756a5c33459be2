/* revoke.c -- POST /auth/revoke: token revocation (RFC 7009) */
#include "config.h"

#include <string.h>

#include "endpoints.h"
#include "fcgi_loop.h"
#include "grant.h"
#include "http.h"
#include "session.h"
#include "store.h"
#include "token.h"
#include "token_cache.h"

static enum store_status revoke_refresh(struct store *, const char *,
		    size_t, long long);
static enum store_status revoke_access(struct app *,
		    const struct http_request *, const char *, size_t);

enum { TOKEN, HINT, NFIELDS };

/* A refresh token ends its session if it is the session's own. */
static enum store_status
revoke_refresh(struct store *st, const char *token, size_t len,
    long long now)
{
	unsigned char		 hash[SESSION_HASH_BYTES];
	char			 sid[SESSION_SID_CHARS + 1];
	enum store_status	 ss;

	if (session_refresh_parse(token, len, sid, hash) == -1)
		return STORE_NOT_FOUND;
	ss = store_end_token(st, sid, hash, now);
	explicit_bzero(hash, sizeof(hash));
	return ss;
}

/*
 * An access token ends its session if it verifies (signature, algorithm,
 * times) and has one: an expired or forged one is nothing to revoke.
 */
static enum store_status
revoke_access(struct app *app, const struct http_request *req,
    const char *token, size_t len)
{
	struct token_claims	 claims;

	if (token_cache_verify(app_tokens(app), token, len, req->now,
	    &claims) != TOKEN_OK || claims.sid[0] == '\0')
		return STORE_NOT_FOUND;
	return store_end(app_store(app), claims.sid, req->now);
}

int
revoke_handle(struct app *app, const struct http_request *req,
    struct http_response *resp, struct http_outcome *out)
{
	char			 token[TOKEN_MAX_BYTES + 1];
	char			 hint[32];
	struct http_form_field	 f[NFIELDS] = {
		[TOKEN] = { .name = "token", .value = token,
		    .size = sizeof(token) },
		[HINT] = { .name = "token_type_hint", .value = hint,
		    .size = sizeof(hint) },
	};
	struct store		*st = app_store(app);
	enum store_status	 ss;
	int			 access_first, ret;

	if (st == NULL)
		return grant_not_found(resp, out);
	if (strcmp(req->method, "POST") != 0) {
		(void)http_method_not_allowed(resp, out, "POST");
		return http_no_store(resp);
	}

	if (http_is_form(http_param(req, "CONTENT_TYPE")))
		http_form_parse(req->body, req->body_len, f, NFIELDS);
	else
		http_form_parse("", 0, f, NFIELDS);
	/* RFC 7009 2.1, RFC 6749 3.2: token required, nothing twice. */
	if (f[TOKEN].present > 1 || f[HINT].present > 1) {
		ret = grant_invalid_request(resp, out, "a parameter repeated");
		goto done;
	}
	if (f[TOKEN].len == 0 && !f[TOKEN].too_long) {
		ret = grant_invalid_request(resp, out, "no token");
		goto done;
	}

	/*
	 * The hinted kind first, then the other (RFC 7009 2.1: a hint only,
	 * any other value ignored).  A token too long to be either is
	 * neither: still 200.
	 */
	access_first = f[HINT].len == strlen("access_token") &&
	    strcmp(hint, "access_token") == 0;
	ss = STORE_NOT_FOUND;
	if (!f[TOKEN].too_long) {
		ss = access_first ? revoke_access(app, req, token, f[TOKEN].len) :
		    revoke_refresh(st, token, f[TOKEN].len, req->now);
		if (ss == STORE_NOT_FOUND)
			ss = access_first ? revoke_refresh(st, token,
			    f[TOKEN].len, req->now) : revoke_access(app, req,
			    token, f[TOKEN].len);
	}
	if (ss == STORE_DOWN) {
		ret = grant_store_down(app, resp, out, 1);
		goto done;
	}
	/*
	 * RFC 7009 2.2: 200 whether it was revoked, unknown, invalid or
	 * ended already; the body, if any, is ignored, so there is none.
	 */
	out->reason = ss == STORE_OK ? "revoked" : "nothing to revoke";
	if ((ret = http_reply(resp, 200, NULL, NULL, 0)) == 0)
		ret = http_no_store(resp);
done:
	explicit_bzero(token, sizeof(token));
	return ret;
}

#ifndef NO_MAIN
int
main(void)
{
	return fcgi_loop_run("revoke.fcgi", revoke_handle, 0);
}
#endif
