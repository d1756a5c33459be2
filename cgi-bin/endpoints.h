/* endpoints.h -- the handlers of cgi-bin/, for their mains and the tests */
#ifndef FCGI_AUTH_ENDPOINTS_H
#define FCGI_AUTH_ENDPOINTS_H

#include "app.h"
#include "http.h"

int	login_handle(const struct app *, const struct http_request *,
	    struct http_response *);
int	me_handle(const struct app *, const struct http_request *,
	    struct http_response *);
int	reports_handle(const struct app *, const struct http_request *,
	    struct http_response *);
int	projects_handle(const struct app *, const struct http_request *,
	    struct http_response *);

#endif /* FCGI_AUTH_ENDPOINTS_H */
