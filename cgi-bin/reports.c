/* reports.c -- GET /reports: the report list, for admins only */
#include "config.h"

#include <string.h>

#include "authz.h"
#include "endpoints.h"
#include "http.h"
#include "fcgi_loop.h"

static const char *const allowed_roles[] = { "admin", NULL };
static const char *const reports[] = { "revenue.csv", "churn.xlsx", NULL };

int
reports_handle(struct app *app, const struct http_request *req,
    struct http_response *resp, struct http_outcome *out)
{
	struct auth_user	 user;

	if (strcmp(req->method, "GET") != 0)
		return http_method_not_allowed(resp, out, "GET");
	if (authz_check(app, req, allowed_roles, &user, resp, out) != AUTH_OK)
		return 0;
	return http_reply_json(resp, 200, http_json_object(
	    "ok", json_object_new_boolean(1),
	    "data", http_json_strings(reports),
	    "viewer", json_object_new_string(user.name),
	    NULL));
}

#ifndef NO_MAIN
int
main(void)
{
	return fcgi_loop_run("reports.fcgi", reports_handle, 0);
}
#endif
