/* origin.c -- the cross-site check of the sign-in and sign-out forms */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "cookie.h"
#include "origin.h"

int
origin_same(const struct http_request *req, const char **why)
{
	const char	*site = http_param(req, "HTTP_SEC_FETCH_SITE");
	const char	*origin = http_param(req, "HTTP_ORIGIN");
	const char	*host = http_param(req, "HTTP_HOST");
	const char	*scheme;
	size_t		 n;

	*why = NULL;
	if (site != NULL) {
		if (strcmp(site, "same-origin") == 0)
			return 1;
		*why = "cross-site form: Sec-Fetch-Site is not same-origin";
		return 0;
	}
	if (origin == NULL) {
		*why = "cross-site check: no Origin or Sec-Fetch-Site";
		return 0;
	}
	scheme = cookie_https(req) ? "https://" : "http://";
	n = strlen(scheme);
	if (host == NULL || *host == '\0' || strncmp(origin, scheme, n) != 0 ||
	    strcasecmp(origin + n, host) != 0) {
		*why = "cross-site form: Origin is not this site";
		return 0;
	}
	return 1;
}
