/* endpoints.h -- the handlers of cgi-bin/, for their mains and the tests */
#ifndef FCGI_AUTH_ENDPOINTS_H
#define FCGI_AUTH_ENDPOINTS_H

#include "app.h"
#include "http.h"

int	login_handle(struct app *, const struct http_request *,
	    struct http_response *, struct http_outcome *);
int	me_handle(struct app *, const struct http_request *,
	    struct http_response *, struct http_outcome *);
int	reports_handle(struct app *, const struct http_request *,
	    struct http_response *, struct http_outcome *);
int	projects_handle(struct app *, const struct http_request *,
	    struct http_response *, struct http_outcome *);
int	refresh_handle(struct app *, const struct http_request *,
	    struct http_response *, struct http_outcome *);
int	logout_handle(struct app *, const struct http_request *,
	    struct http_response *, struct http_outcome *);
int	revoke_handle(struct app *, const struct http_request *,
	    struct http_response *, struct http_outcome *);
int	signin_handle(struct app *, const struct http_request *,
	    struct http_response *, struct http_outcome *);
int	signout_handle(struct app *, const struct http_request *,
	    struct http_response *, struct http_outcome *);
int	authorize_handle(struct app *, const struct http_request *,
	    struct http_response *, struct http_outcome *);
int	jwks_handle(struct app *, const struct http_request *,
	    struct http_response *, struct http_outcome *);
/* app may be NULL: no good configuration (FCGI_LOOP_HEALTH), 503. */
int	healthz_handle(struct app *, const struct http_request *,
	    struct http_response *, struct http_outcome *);

#endif /* FCGI_AUTH_ENDPOINTS_H */
