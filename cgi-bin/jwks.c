/* jwks.c -- GET /.well-known/jwks.json: the public keys tokens are verified with */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "endpoints.h"
#include "fcgi_loop.h"
#include "http.h"
#include "keys.h"

/*
 * How long a gateway or another service may keep the key set.  A rotation
 * (docs/deploy.md) waits at least this long after publishing a new key
 * before signing with it, and after the old key's last token expired
 * before removing it; 5 minutes keeps that wait short.
 */
#define JWKS_MAX_AGE_SEC	300

int
jwks_handle(struct app *app, const struct http_request *req,
    struct http_response *resp, struct http_outcome *out)
{
	char		 cache[64];
	const char	*json;
	size_t		 len;

	if (strcmp(req->method, "GET") != 0)
		return http_method_not_allowed(resp, out, "GET");
	/* HS*: the secret is no public key, and there is nothing to serve. */
	if ((json = keys_jwks_json(app_cfg(app)->keys, &len)) == NULL)
		return http_reply_detail(resp, 404, "Not Found");
	(void)snprintf(cache, sizeof(cache), "public, max-age=%d",
	    JWKS_MAX_AGE_SEC);
	if (http_header_add(resp, "Cache-Control", cache) == -1)
		return http_reply_detail(resp, 500, "Internal Server Error");
	return http_reply(resp, 200, "application/json", json, len);
}

#ifndef NO_MAIN
int
main(void)
{
	return fcgi_loop_run("jwks.fcgi", jwks_handle, 0);
}
#endif
