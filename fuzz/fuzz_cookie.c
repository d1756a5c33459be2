/* fuzz_cookie.c -- libFuzzer target: the Cookie header, Set-Cookie, next */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cookie.h"
#include "redirect.h"
#include "fuzz.h"

static const char *const names[] = {
	COOKIE_ACCESS_PLAIN, COOKIE_ACCESS_SECURE, COOKIE_REFRESH_PLAIN,
	COOKIE_REFRESH_SECURE, "a",
};

static int
ows(int c)
{
	return c == ' ' || c == '\t';
}

/*
 * A second reading of RFC 6265 5.4, written apart from cookie_find: the
 * value of the first pair whose trimmed name is name.  Returns its offset
 * and length in *off, *len, or -1.
 */
static int
reference(const char *h, size_t hlen, const char *name, size_t *off,
    size_t *len)
{
	size_t	 start = 0, end, eq, ns, ne, vs, ve;

	while (start <= hlen) {
		for (end = start; end < hlen && h[end] != ';'; end++)
			;
		for (eq = start; eq < end && h[eq] != '='; eq++)
			;
		if (eq < end) {
			for (ns = start; ns < eq && ows(h[ns]); ns++)
				;
			for (ne = eq; ne > ns && ows(h[ne - 1]); ne--)
				;
			if (ne - ns == strlen(name) &&
			    strncmp(h + ns, name, ne - ns) == 0) {
				for (vs = eq + 1; vs < end && ows(h[vs]); vs++)
					;
				for (ve = end; ve > vs && ows(h[ve - 1]); ve--)
					;
				if (ve - vs >= 2 && h[vs] == '"' &&
				    h[ve - 1] == '"') {
					vs++;
					ve--;
				}
				*off = vs;
				*len = ve - vs;
				return 0;
			}
		}
		start = end + 1;
	}
	return -1;
}

/*
 * The input up to its first newline is a Cookie header (a NUL ends it,
 * as it would a FastCGI parameter); after it, a next.  cookie_find gives
 * what the reference reading gives, inside the header; a value it finds
 * that cookie_format accepts comes back from its Set-Cookie whole; a
 * next that redirect_next_ok accepts begins with one '/', holds no
 * control byte or '\\', and its sign-in link is bounded.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char	 set[COOKIE_VALUE_MAX_BYTES + 128];
	char		 loc[REDIRECT_LOCATION_MAX], *buf, *val, *nl;
	const char	*v, *v2;
	size_t		 hlen, len, len2, off, rlen, i, j, nlen;
	int		 r, n, bad;

	fuzz_quiet();
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	nl = memchr(buf, '\n', size);
	if (nl != NULL)
		*nl = '\0';
	hlen = strlen(buf);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		r = cookie_find(buf, names[i], &v, &len);
		FUZZ_ASSERT((r == 0) == (reference(buf, hlen, names[i], &off,
		    &rlen) == 0));
		if (r != 0) {
			FUZZ_ASSERT(v == NULL && len == 0);
			continue;
		}
		FUZZ_ASSERT(v == buf + off && len == rlen);
		FUZZ_ASSERT(v >= buf && v + len <= buf + hlen);
		FUZZ_ASSERT(memchr(v, ';', len) == NULL);
		if ((val = strndup(v, len)) == NULL)
			continue;
		/* RFC 6265 4.1.1: what a Set-Cookie value may hold. */
		bad = len > COOKIE_VALUE_MAX_BYTES;
		for (j = 0; j < len; j++)
			if ((unsigned char)val[j] < 0x21 ||
			    (unsigned char)val[j] > 0x7e ||
			    strchr("\",;\\", val[j]) != NULL)
				bad = 1;
		n = cookie_format(set, sizeof(set), COOKIE_ACCESS, (int)(i & 1),
		    val, (long long)len);
		FUZZ_ASSERT((n >= 0) == !bad);
		if (n >= 0) {
			/* Its own name's value, whole, and the attributes. */
			FUZZ_ASSERT((size_t)n == strlen(set));
			FUZZ_ASSERT(cookie_find(set, cookie_name(COOKIE_ACCESS,
			    (int)(i & 1)), &v2, &len2) == 0);
			FUZZ_ASSERT(len2 == len && memcmp(v2, val, len) == 0);
			FUZZ_ASSERT(strstr(set, "; HttpOnly") != NULL);
		}
		free(val);
	}
	if (nl != NULL) {
		const char	*next = nl + 1;

		nlen = size - (size_t)(nl + 1 - buf);
		if (redirect_next_ok(next, nlen)) {
			FUZZ_ASSERT(nlen >= 1 && nlen <= REDIRECT_NEXT_MAX);
			FUZZ_ASSERT(next[0] == '/' && next[1] != '/' &&
			    next[1] != '\\');
			for (i = 0; i < nlen; i++)
				FUZZ_ASSERT((unsigned char)next[i] > 0x20 &&
				    (unsigned char)next[i] < 0x7f &&
				    next[i] != '\\');
			FUZZ_ASSERT(redirect_next(next, nlen) == next);
		} else
			FUZZ_ASSERT(strcmp(redirect_next(next, nlen), "/") ==
			    0);
		n = redirect_signin_location(loc, sizeof(loc), next);
		FUZZ_ASSERT(n > 0 && (size_t)n < sizeof(loc) &&
		    (size_t)n == strlen(loc));
		FUZZ_ASSERT(strncmp(loc, REDIRECT_SIGNIN_PATH,
		    strlen(REDIRECT_SIGNIN_PATH)) == 0);
		for (i = 0; i < (size_t)n; i++)
			FUZZ_ASSERT((unsigned char)loc[i] > 0x20 &&
			    (unsigned char)loc[i] < 0x7f);
	}
	free(buf);
	return 0;
}
