/* cookie.h -- the browser's session cookies: read Cookie, write Set-Cookie */
#ifndef FCGI_AUTH_COOKIE_H
#define FCGI_AUTH_COOKIE_H

#include <stddef.h>

#include "http.h"

/*
 * Two cookies carry a browser's session: the access token (sent to every
 * path of the site, so the authorizer sees it) and the refresh token
 * (sent only under /auth/, where signin.fcgi and signout.fcgi are).
 * Under HTTPS their names carry RFC 6265bis 4.1.3's prefixes, which a
 * browser accepts only with Secure (and, for __Host-, Path=/ and no
 * Domain): a sibling subdomain or a plain-HTTP page cannot plant them.
 */
enum cookie_kind {
	COOKIE_ACCESS,		/* the access token (a JWT) */
	COOKIE_REFRESH,		/* the session's refresh token */
};

#define COOKIE_ACCESS_SECURE	"__Host-fcgi-auth"
#define COOKIE_ACCESS_PLAIN	"fcgi-auth"
#define COOKIE_REFRESH_SECURE	"__Secure-fcgi-auth-refresh"
#define COOKIE_REFRESH_PLAIN	"fcgi-auth-refresh"

/*
 * A Cookie header longer than this is not looked at (no cookie of ours is
 * found in it): browsers send at most a few KiB, and the scan stays
 * bounded whatever a client sends.
 */
#define COOKIE_HEADER_MAX_BYTES	(64 * 1024)
/* The longest value we read or write: a token (TOKEN_MAX_BYTES) fits. */
#define COOKIE_VALUE_MAX_BYTES	8192

/*
 * Whether the request came over HTTPS: the FastCGI parameter HTTPS is
 * "on" or "1" (any case; lighttpd, Apache and nginx set it: but Apache
 * asks its FastCGI Authorizer before mod_ssl does, so its snippet must
 * set it for the authorizer), or, only when a forward-auth proxy asks
 * (X-Forwarded-Uri is there: Caddy, Traefik), X-Forwarded-Proto is
 * "https".  A client that sends those
 * headers itself can only make us read the prefixed cookie names, which
 * no plain-HTTP page can set.
 */
int	cookie_https(const struct http_request *req);

/* The name of kind's cookie under https (1) or plain HTTP (0). */
const char *cookie_name(enum cookie_kind kind, int https);

/*
 * Find the first cookie called name in header (a Cookie header's value,
 * RFC 6265 4.2.1 and 5.4: "a=b; c=d"; whitespace around names and values
 * is dropped, a value in double quotes loses them, a pair without '=' is
 * skipped).  The first one wins: browsers send the longest Path first,
 * and ours (Path=/auth/ for the refresh token) is the longest.  Returns 0
 * with *value (borrowed from header) and *len set, or -1 if there is
 * none, header is NULL or longer than COOKIE_HEADER_MAX_BYTES.
 */
int	cookie_find(const char *header, const char *name, const char **value,
	    size_t *len);

/*
 * kind's cookie in the request's Cookie header, under the name the
 * request's scheme says (cookie_https): an un-prefixed one under HTTPS is
 * ignored.  An empty value counts as none.  Returns 0 with *value
 * (borrowed) and *len set, or -1.
 */
int	cookie_get(const struct http_request *req, enum cookie_kind kind,
	    const char **value, size_t *len);

/*
 * Write the Set-Cookie value for kind's cookie holding value into buf:
 * "NAME=value; Path=/ (/auth/ for the refresh token); Max-Age=max_age;
 * HttpOnly; Secure (under https); SameSite=Lax".  value "" and max_age 0
 * clear it.  value must be made of RFC 6265 4.1.1's cookie-octets.
 * Returns the length, or -1 (value refused, max_age below 0, or buf too
 * small).
 */
int	cookie_format(char *buf, size_t size, enum cookie_kind kind,
	    int https, const char *value, long long max_age);

/*
 * Add Set-Cookie for kind's cookie (cookie_format) to resp.  Returns 0,
 * or -1 with resp unchanged.
 */
int	cookie_set(struct http_response *resp, enum cookie_kind kind,
	    int https, const char *value, long long max_age);

/* Add the Set-Cookie lines that clear both cookies.  Returns 0, or -1. */
int	cookie_clear_all(struct http_response *resp, int https);

#endif /* FCGI_AUTH_COOKIE_H */
