/* cookie.c -- the browser's session cookies: read Cookie, write Set-Cookie */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cookie.h"

static int	ows(int);
static int	cookie_octet(int);

/* RFC 6265 5.2: the whitespace trimmed around names and values. */
static int
ows(int c)
{
	return c == ' ' || c == '\t';
}

/* RFC 6265 4.1.1's cookie-octet: no space, '"', ',', ';', '\\' or CTL. */
static int
cookie_octet(int c)
{
	return c >= 0x21 && c <= 0x7e && c != '"' && c != ',' && c != ';' &&
	    c != '\\';
}

int
cookie_https(const struct http_request *req)
{
	const char	*v;

	if ((v = http_param(req, "HTTPS")) != NULL &&
	    (strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0))
		return 1;
	/*
	 * A forward-auth proxy asks over plain HTTP whatever the client
	 * used, and says which in X-Forwarded-Proto (Caddy, Traefik).
	 */
	v = http_param(req, "HTTP_X_FORWARDED_URI");
	if (v == NULL || *v == '\0')
		return 0;
	v = http_param(req, "HTTP_X_FORWARDED_PROTO");
	return v != NULL && strcasecmp(v, "https") == 0;
}

const char *
cookie_name(enum cookie_kind kind, int https)
{
	if (kind == COOKIE_REFRESH)
		return https ? COOKIE_REFRESH_SECURE : COOKIE_REFRESH_PLAIN;
	return https ? COOKIE_ACCESS_SECURE : COOKIE_ACCESS_PLAIN;
}

int
cookie_find(const char *header, const char *name, const char **value,
    size_t *len)
{
	const char	*p, *end, *pair_end, *s, *e, *eq, *ne;
	size_t		 hlen, nlen = strlen(name);

	*value = NULL;
	*len = 0;
	if (header == NULL || nlen == 0 ||
	    (hlen = strnlen(header, COOKIE_HEADER_MAX_BYTES + 1)) >
	    COOKIE_HEADER_MAX_BYTES)
		return -1;
	end = header + hlen;
	for (p = header; p < end; p = pair_end + 1) {
		if ((pair_end = memchr(p, ';', (size_t)(end - p))) == NULL)
			pair_end = end;
		for (s = p; s < pair_end && ows(*s); s++)
			;
		if ((eq = memchr(s, '=', (size_t)(pair_end - s))) == NULL)
			continue;
		for (ne = eq; ne > s && ows(ne[-1]); ne--)
			;
		if ((size_t)(ne - s) != nlen || memcmp(s, name, nlen) != 0)
			continue;
		for (s = eq + 1; s < pair_end && ows(*s); s++)
			;
		for (e = pair_end; e > s && ows(e[-1]); e--)
			;
		if (e - s >= 2 && *s == '"' && e[-1] == '"') {
			s++;
			e--;
		}
		*value = s;
		*len = (size_t)(e - s);
		return 0;
	}
	return -1;
}

int
cookie_get(const struct http_request *req, enum cookie_kind kind,
    const char **value, size_t *len)
{
	if (cookie_find(http_param(req, "HTTP_COOKIE"),
	    cookie_name(kind, cookie_https(req)), value, len) == -1 ||
	    *len == 0) {
		*value = NULL;
		*len = 0;
		return -1;
	}
	return 0;
}

int
cookie_format(char *buf, size_t size, enum cookie_kind kind, int https,
    const char *value, long long max_age)
{
	size_t	 i, vlen = strlen(value);
	int	 n;

	if (max_age < 0 || vlen > COOKIE_VALUE_MAX_BYTES)
		return -1;
	for (i = 0; i < vlen; i++)
		if (!cookie_octet((unsigned char)value[i]))
			return -1;
	/*
	 * Path as narrow as each allows: the access token goes to every
	 * protected path; the refresh token only to /auth/ (signin,
	 * signout), never to the apps behind.  SameSite=Lax: a cross-site
	 * POST carries neither (the forms check Origin as well).
	 */
	n = snprintf(buf, size, "%s=%s; Path=%s; Max-Age=%lld; HttpOnly%s; "
	    "SameSite=Lax", cookie_name(kind, https), value,
	    kind == COOKIE_REFRESH ? "/auth/" : "/", max_age,
	    https ? "; Secure" : "");
	if (n < 0 || (size_t)n >= size)
		return -1;
	return n;
}

int
cookie_set(struct http_response *resp, enum cookie_kind kind, int https,
    const char *value, long long max_age)
{
	char	 buf[COOKIE_VALUE_MAX_BYTES + 128];
	int	 n, ret;

	if ((n = cookie_format(buf, sizeof(buf), kind, https, value,
	    max_age)) == -1)
		return -1;
	ret = http_header_addn(resp, "Set-Cookie", buf, (size_t)n);
	/* It may hold a token. */
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

int
cookie_clear_all(struct http_response *resp, int https)
{
	if (cookie_set(resp, COOKIE_ACCESS, https, "", 0) == -1 ||
	    cookie_set(resp, COOKIE_REFRESH, https, "", 0) == -1)
		return -1;
	return 0;
}
