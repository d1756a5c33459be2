/* origin.h -- the cross-site check of the sign-in and sign-out forms */
#ifndef FCGI_AUTH_ORIGIN_H
#define FCGI_AUTH_ORIGIN_H

#include "http.h"

/*
 * Whether a POST comes from a page of this site: Sec-Fetch-Site is
 * "same-origin" (browsers set it and no page can), or, without it,
 * Origin is exactly "http://" or "https://" (cookie_https says which)
 * followed by the Host header (host case-insensitive).  Anything else is
 * refused: another Sec-Fetch-Site ("same-site" is a sibling subdomain,
 * "cross-site", "none"), Origin "null" (a sandboxed frame, a redirect
 * from elsewhere), another origin, or neither header (RFC 6454 7: every
 * browser sends Origin on a POST).  Returns 1, or 0 with *why set (for
 * the log).
 */
int	origin_same(const struct http_request *req, const char **why);

#endif /* FCGI_AUTH_ORIGIN_H */
