/* redirect.h -- where a browser may be sent: the next check, the sign-in link */
#ifndef FCGI_AUTH_REDIRECT_H
#define FCGI_AUTH_REDIRECT_H

#include <stddef.h>

/* The longest next honoured; a longer one is "/". */
#define REDIRECT_NEXT_MAX	2048
/* Where a browser without a valid token is sent (fixed for now). */
#define REDIRECT_SIGNIN_PATH	"/auth/signin"
/* Room for any Location redirect_signin_location writes, NUL included. */
#define REDIRECT_LOCATION_MAX	(sizeof(REDIRECT_SIGNIN_PATH "?next=") + \
				    3 * REDIRECT_NEXT_MAX)

/*
 * Whether next (len bytes, NUL-terminated) is a path on this site, and so
 * safe as a Location: at most REDIRECT_NEXT_MAX bytes of printable ASCII
 * but '\\', beginning with exactly one '/' ("//host" and "/\\host" are
 * other sites to a browser, and so is anything with a scheme), and, once
 * percent-decoded, still beginning with exactly one '/' and holding no
 * control character or '\\' ("/%2F%2Fevil.example", "/%5Cevil", a tab
 * that browsers drop).  Returns 1 or 0.
 */
int	redirect_next_ok(const char *next, size_t len);

/* next if redirect_next_ok, else "/": what a Location may say. */
const char *redirect_next(const char *next, size_t len);

/*
 * The sign-in page's address for a browser that asked for target (the
 * request-target as it came, path and query): REDIRECT_SIGNIN_PATH
 * "?next=" and target percent-encoded, into buf (REDIRECT_LOCATION_MAX
 * bytes do).  A target that redirect_next_ok refuses, or too long, gives
 * the page without next.  Returns the length, or -1 if buf is too small.
 */
int	redirect_signin_location(char *buf, size_t size, const char *target);

#endif /* FCGI_AUTH_REDIRECT_H */
