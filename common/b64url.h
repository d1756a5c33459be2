/* b64url.h -- unpadded base64url (RFC 4648 5): one encoder, one strict decoder */
#ifndef FCGI_AUTH_B64URL_H
#define FCGI_AUTH_B64URL_H

#include <stddef.h>

/* The value of one base64url character, or -1 if c is not one. */
int	b64url_value(unsigned char c);

/*
 * Write len bytes as unpadded base64url into out (outsize bytes, room for
 * the NUL included).  Returns the length written, or -1 if it does not
 * fit.
 */
long	b64url_encode(const unsigned char *in, size_t len, char *out,
	    size_t outsize);

/*
 * Decode unpadded base64url into out.  Refuses other characters, padding,
 * impossible lengths and non-zero trailing bits, so each value has exactly
 * one encoding.  out needs len / 4 * 3 + 3 bytes.  Returns the length, or
 * -1.
 */
long	b64url_decode(const char *in, size_t len, unsigned char *out,
	    size_t outsize);

#endif /* FCGI_AUTH_B64URL_H */
