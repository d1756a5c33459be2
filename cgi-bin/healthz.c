/* healthz.c -- GET /healthz: is this host fit to serve, for a load balancer */
#include "config.h"

#include <string.h>

#include "endpoints.h"
#include "fcgi_loop.h"
#include "http.h"
#include "store.h"
#include "users.h"

/* Nothing is found by the read: it only asks the store to answer. */
static void
healthz_ignore(const unsigned char sid[SESSION_SID_BYTES], long long until,
    void *arg)
{
	(void)sid;
	(void)until;
	(void)arg;
}

/*
 * 200 {"status":"ok","users":N} when the process has a good configuration
 * and a users file loaded (the last good copy counts: that is what the
 * other endpoints check tokens against); 503 {"status":"unavailable"}
 * when it has none (FCGI_LOOP_HEALTH hands a NULL app).  No password is
 * hashed and nothing is written: a load balancer may ask every second.
 * With sessions on, "store" says whether the store answered a one-entry
 * read of the ended log, and the status stays 200 either way: tokens are
 * still checked against the ended sessions this process holds, and
 * login and the session endpoints answer 503 themselves, so taking every
 * host out of the pool when the shared store is down would end the
 * service instead of the sessions.  Nothing secret, no user names.
 */
int
healthz_handle(struct app *app, const struct http_request *req,
    struct http_response *resp, struct http_outcome *out)
{
	struct store_cursor	 cur;
	struct store		*st;
	size_t			 n;
	int			 up;

	if (strcmp(req->method, "GET") != 0)
		return http_method_not_allowed(resp, out, "GET");
	if (http_header_add(resp, "Cache-Control", "no-store") == -1)
		return http_reply_detail(resp, 500, "Internal Server Error");
	if (app == NULL) {
		out->reason = "no good configuration";
		return http_reply_json(resp, 503, http_json_object(
		    "status", json_object_new_string("unavailable"),
		    NULL));
	}
	if ((st = app_store(app)) == NULL)
		return http_reply_json(resp, 200, http_json_object(
		    "status", json_object_new_string("ok"),
		    "users", json_object_new_int64(
		    (int64_t)users_count(app_users(app))),
		    NULL));
	memset(&cur, 0, sizeof(cur));
	up = store_ended_since(st, &cur, 1, healthz_ignore, NULL, &n) ==
	    STORE_OK;
	if (!up)
		out->reason = "the session store is down";
	return http_reply_json(resp, 200, http_json_object(
	    "status", json_object_new_string("ok"),
	    "users", json_object_new_int64(
	    (int64_t)users_count(app_users(app))),
	    "store", json_object_new_string(up ? "up" : "down"),
	    NULL));
}

#ifndef NO_MAIN
int
main(void)
{
	return fcgi_loop_run("healthz.fcgi", healthz_handle, FCGI_LOOP_HEALTH);
}
#endif
