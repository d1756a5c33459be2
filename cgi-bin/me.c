/* me.c -- GET /me: the caller's name and role */
#include "config.h"

#include <string.h>

#include "authz.h"
#include "endpoints.h"
#include "http.h"
#include "fcgi_loop.h"

int
me_handle(struct app *app, const struct http_request *req,
    struct http_response *resp, struct http_outcome *out)
{
	struct auth_user	 user;

	if (strcmp(req->method, "GET") != 0)
		return http_method_not_allowed(resp, out, "GET");
	if (authz_check(app, req, NULL, &user, resp, out) != AUTH_OK)
		return 0;
	return http_reply_json(resp, 200, http_json_object(
	    "username", json_object_new_string(user.name),
	    "role", json_object_new_string(user.role),
	    NULL));
}

#ifndef NO_MAIN
int
main(void)
{
	return fcgi_loop_run("me.fcgi", me_handle, 0);
}
#endif
