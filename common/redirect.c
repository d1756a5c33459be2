/* redirect.c -- where a browser may be sent: the next check, the sign-in link */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "http.h"
#include "redirect.h"

static int	path_ok(const unsigned char *, size_t, int);

/*
 * The test a next passes before and after decoding: one leading '/', no
 * second '/' or '\\' after it, no control character or '\\' anywhere
 * (WHATWG URL strips tabs and newlines and reads '\\' as '/', so
 * "/\t/evil" and "/\\evil" are "//evil").  raw: the text as sent, which
 * is also printable ASCII without a space; decoded, a byte above 0x7e or
 * a space is part of a path (UTF-8, %20).
 */
static int
path_ok(const unsigned char *p, size_t len, int raw)
{
	size_t	 i;

	if (len == 0 || p[0] != '/' || (len > 1 && (p[1] == '/' ||
	    p[1] == '\\')))
		return 0;
	for (i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f || p[i] == '\\')
			return 0;
		if (raw && (p[i] == ' ' || p[i] > 0x7e))
			return 0;
	}
	return 1;
}

int
redirect_next_ok(const char *next, size_t len)
{
	unsigned char	 dec[REDIRECT_NEXT_MAX];
	size_t		 i, n;
	int		 hi, lo;

	if (len > REDIRECT_NEXT_MAX || strnlen(next, len) != len ||
	    !path_ok((const unsigned char *)next, len, 1))
		return 0;
	/* Decoded once, as a browser or the app behind may. */
	for (i = n = 0; i < len; i++, n++) {
		if (next[i] == '%' && i + 2 < len &&
		    (hi = http_hex_value(next[i + 1])) != -1 &&
		    (lo = http_hex_value(next[i + 2])) != -1) {
			dec[n] = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else
			dec[n] = (unsigned char)next[i];
	}
	return path_ok(dec, n, 0);
}

const char *
redirect_next(const char *next, size_t len)
{
	return next != NULL && redirect_next_ok(next, len) ? next : "/";
}

int
redirect_signin_location(char *buf, size_t size, const char *target)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 tlen, n, i;
	unsigned char		 c;
	int			 with;

	tlen = target != NULL ? strnlen(target, REDIRECT_NEXT_MAX + 1) : 0;
	with = tlen > 0 && tlen <= REDIRECT_NEXT_MAX &&
	    redirect_next_ok(target, tlen) && strcmp(target, "/") != 0;
	n = strlen(REDIRECT_SIGNIN_PATH);
	if (n >= size)
		return -1;
	memcpy(buf, REDIRECT_SIGNIN_PATH, n + 1);
	if (!with)
		return (int)n;
	if (size - n <= strlen("?next="))
		return -1;
	memcpy(buf + n, "?next=", strlen("?next=") + 1);
	n += strlen("?next=");
	/*
	 * RFC 3986 2.3's unreserved characters and '/' as they are; every
	 * other byte %-encoded, so the query's '&' and '=' stay in next.
	 */
	for (i = 0; i < tlen; i++) {
		c = (unsigned char)target[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~' || c == '/') {
			if (size - n < 2)
				return -1;
			buf[n++] = (char)c;
		} else {
			if (size - n < 4)
				return -1;
			buf[n++] = '%';
			buf[n++] = hex[c >> 4];
			buf[n++] = hex[c & 0xf];
		}
	}
	buf[n] = '\0';
	return (int)n;
}
