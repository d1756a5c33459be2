/* page.h -- the HTML a browser gets: the sign-in form, refusals, redirects */
#ifndef FCGI_AUTH_PAGE_H
#define FCGI_AUTH_PAGE_H

#include "http.h"

/*
 * Every page is compiled in, plain HTML with no script, style or other
 * asset (the Content-Security-Policy forbids them), well under 10 KiB,
 * and sent with page_headers'.  Every text put in a page is
 * HTML-escaped.
 */

/* A message page may offer these (page_message's flags). */
#define PAGE_SIGNIN_LINK	0x1	/* a link to the sign-in page */
#define PAGE_SIGNOUT_FORM	0x2	/* a button to POST /auth/signout */

/*
 * Add the headers of every page: Content-Security-Policy (default-src
 * 'self'; frame-ancestors 'none'), X-Frame-Options: DENY, Cache-Control:
 * no-store, X-Content-Type-Options: nosniff, Referrer-Policy:
 * same-origin.  Returns 0, or -1.
 */
int	page_headers(struct http_response *resp);

/*
 * The sign-in form with status: next in a hidden field, username (NULL:
 * empty) kept in its field, message (NULL: none) above the form; never a
 * password.  With page_headers.  Returns 0, or -1 (then a 500).
 */
int	page_signin(struct http_response *resp, int status, const char *next,
	    const char *username, const char *message);

/*
 * A page saying title and text with status, and what flags offer.  With
 * page_headers.  Returns 0, or -1 (then a 500).
 */
int	page_message(struct http_response *resp, int status,
	    const char *title, const char *text, int flags);

/*
 * A redirect: status (302, 303, 307) to location (a path of this site), not
 * to be cached, with a tiny page that links there for clients that do
 * not follow it.  Returns 0, or -1 (then a 500).
 */
int	page_redirect(struct http_response *resp, int status,
	    const char *location);

#endif /* FCGI_AUTH_PAGE_H */
