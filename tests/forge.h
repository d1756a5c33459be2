/* forge.h -- JWTs built byte by byte, for the Check suites and the fuzzers */
#ifndef FCGI_AUTH_FORGE_H
#define FCGI_AUTH_FORGE_H

#include <stddef.h>

/*
 * Unpadded base64url (RFC 4648 5) of len bytes.  Returns a malloc'd,
 * NUL-terminated string for the caller to free, or NULL.
 */
char	*forge_b64url(const void *data, size_t len);

/*
 * b64url(header) "." b64url(payload) "." signature, where the signature is
 * HMAC-SHA-256, -384 or -512 (hs "HS256", "HS384", "HS512") with key over
 * the first two parts, whatever the header says; hs NULL leaves it empty.
 * header and payload are raw bytes: they need not be JSON, or valid UTF-8.
 * Returns a malloc'd string for the caller to free, or NULL.
 */
char	*forge_token(const void *header, size_t hlen, const void *payload,
	    size_t plen, const char *hs, const void *key, size_t keylen);

/* forge_token for NUL-terminated header and payload. */
char	*forge_token_str(const char *header, const char *payload,
	    const char *hs, const void *key, size_t keylen);

#endif /* FCGI_AUTH_FORGE_H */
