/* jwk.h -- one asymmetric key, parsed once: JWK and PEM in, JWS signatures out */
#ifndef FCGI_AUTH_JWK_H
#define FCGI_AUTH_JWK_H

#include <stddef.h>

#include <json-c/json.h>

#include "keys.h"

/*
 * The only user of OpenSSL's key API.  A struct jwk is an EC P-256 key
 * for ES256, an EC P-384 key for ES384, or an RSA key of JWK_RSA_MIN_BITS
 * to JWK_RSA_MAX_BITS for RS256, RS384 or RS512: each pinned to the one
 * algorithm it was loaded for (RFC 8725 3.1), never used with another.
 * OpenSSL would take RSA keys up to 16384 bits; 4096 bounds what one
 * signature, and a key set of 16 keys, costs to check.
 */
#define JWK_THUMBPRINT_LEN	43	/* RFC 7638: SHA-256, base64url */
#define JWK_KID_MAX		KEYS_KID_MAX
#define JWK_SIG_MAX		512	/* RSA-4096; ES384's is 96 */
#define JWK_RSA_MIN_BITS	2048
#define JWK_RSA_MAX_BITS	4096
/* A longer private key file is a mistake (RSA-4096 PKCS#8 is ~3.3 KB). */
#define JWK_PEM_MAX_BYTES	16384

struct jwk;

/*
 * A public key from one JWK object (RFC 7517 4, RFC 7518 6): kid (1 to
 * JWK_KID_MAX of visible ASCII) and alg (ES256, ES384, RS256, RS384,
 * RS512) required, no private member, use "sig" and key_ops with "verify"
 * if present, EC coordinates of exactly the curve's size and on it, RSA
 * n and e without leading zeros.  Returns NULL with one line in err.
 */
struct jwk	*jwk_from_json(json_object *obj, char *err, size_t errlen);

/*
 * The private key in the PEM file at path (PKCS#8, SEC1 or PKCS#1,
 * unencrypted; never a passphrase prompt) for alg; its kid is its RFC 7638
 * thumbprint.  The file must be a regular file of at most
 * JWK_PEM_MAX_BYTES that no other user may read or write and its group
 * may not write (0600 or 0640).  Anything else, or a key that is not for
 * alg, is refused with one line in err naming path.
 */
struct jwk	*jwk_load_pem(const char *path, enum keys_alg alg, char *err,
		    size_t errlen);

/* A new key pair for alg: ES*, or RS* of bits (0: JWK_RSA_MIN_BITS). */
struct jwk	*jwk_generate(enum keys_alg alg, unsigned int bits, char *err,
		    size_t errlen);

/*
 * Write the private key as PKCS#8 PEM to a new file at path, mode 0600:
 * O_CREAT | O_EXCL | O_NOFOLLOW (an existing file or a symlink is never
 * replaced), fsync'd, and removed again if anything fails.  0, or -1 with
 * one line in err.
 */
int		 jwk_write_pem(const struct jwk *jwk, const char *path,
		    char *err, size_t errlen);

/* Free (OpenSSL clears private key material); jwk_free(NULL) is a no-op. */
void		 jwk_free(struct jwk *jwk);

enum keys_alg	 jwk_alg(const struct jwk *jwk);
/* The kid: the JWK's own, or (a PEM or a new key) its thumbprint. */
const char	*jwk_kid(const struct jwk *jwk);
int		 jwk_is_private(const struct jwk *jwk);

/* RFC 7638 thumbprint of the public half: out[JWK_THUMBPRINT_LEN + 1]. */
int		 jwk_thumbprint(const struct jwk *jwk, char *out,
		    size_t outsize);

/*
 * The public half as a new JWK object: kty, crv, x, y or n, e, then kid,
 * alg and use "sig".  The caller puts it; NULL if out of memory.
 */
json_object	*jwk_public_json(const struct jwk *jwk);

/*
 * Whether sig (siglen bytes in the JWS form: R || S of the curve's size
 * each for ES*, RFC 7518 3.4; the RSA block of the key's size for RS*) is
 * the key's PKCS#1 v1.5 or ECDSA signature of input under the key's own
 * algorithm.  Any other length (DER, a byte short or long) is refused.
 * An ECDSA S above n/2 (high-S) is accepted, as every other library does:
 * so a token's bytes are malleable.  1 if it is, 0 for every other outcome.
 */
int		 jwk_verify(const struct jwk *jwk, const void *input,
		    size_t inlen, const unsigned char *sig, size_t siglen);

/* Sign input into sig (sigsize >= JWK_SIG_MAX), JWS form.  0, or -1. */
int		 jwk_sign(const struct jwk *jwk, const void *input,
		    size_t inlen, unsigned char *sig, size_t sigsize,
		    size_t *siglen);

#endif /* FCGI_AUTH_JWK_H */
