/* session.h -- session ids and refresh tokens: make, parse and hash them */
#ifndef FCGI_AUTH_SESSION_H
#define FCGI_AUTH_SESSION_H

#include <stddef.h>

/*
 * A session is one login and every refresh after it (RFC 9700 4.14.2's
 * "family").  Its id (the access token's sid claim) is 128 random bits,
 * written as unpadded base64url (RFC 4648 5).  A refresh token is the
 * session id followed by 256 random bits, 48 bytes, written the same way:
 * 64 characters, all of RFC 6749 A.17's VSCHAR.  The id in the token
 * finds the session; the secret is the credential.  The store keeps the
 * session id and SHA-256 of all 48 bytes, never the token: the secret is
 * 256 uniformly random bits, so there is no dictionary to slow down and
 * preimage resistance is all that matters (no salt, no password hash).
 * The store compares hashes, which tells a timing observer nothing: at
 * most a prefix of the SHA-256 of bytes of their own choosing.
 */
#define SESSION_SID_BYTES	16
#define SESSION_SID_CHARS	22
#define SESSION_JTI_BYTES	16	/* jti: fresh for every access token */
#define SESSION_JTI_CHARS	22
#define SESSION_SECRET_BYTES	32
#define SESSION_REFRESH_BYTES	(SESSION_SID_BYTES + SESSION_SECRET_BYTES)
#define SESSION_REFRESH_CHARS	64
#define SESSION_HASH_BYTES	32	/* SHA-256 */
#define SESSION_PWFP_BYTES	16	/* a password hash's fingerprint */
#define SESSION_PWFP_CHARS	32	/* ... in hex */

/*
 * Fill buf with len bytes from getrandom(2) (which blocks only before the
 * kernel's pool is first seeded).  Returns 0, or -1 with errno.
 */
int	session_random(void *buf, size_t len);

/*
 * A new random id of SESSION_SID_BYTES, written into id (22 characters
 * and a NUL): a session id, or an access token's jti.  Returns 0, or -1.
 */
int	session_new_id(char id[SESSION_SID_CHARS + 1]);

/*
 * Decode a session id: exactly SESSION_SID_CHARS of the base64url
 * alphabet (len bytes, NUL-terminated or not) that decode to
 * SESSION_SID_BYTES in their one canonical encoding.  Returns 0 with raw
 * filled, or -1 for anything else.
 */
int	session_sid_decode(const char *sid, size_t len,
	    unsigned char raw[SESSION_SID_BYTES]);

/*
 * A new refresh token for the session sid (22 characters): 32 random
 * bytes after the decoded sid, written into token (64 characters and a
 * NUL), and its hash for the store.  Wipes the raw bytes it used.
 * Returns 0, or -1 if sid is no session id or randomness failed (then
 * token is "" and hash zeroed).  The caller wipes token once it is sent.
 */
int	session_refresh_new(const char *sid,
	    char token[SESSION_REFRESH_CHARS + 1],
	    unsigned char hash[SESSION_HASH_BYTES]);

/*
 * Parse a refresh token as a client sent it: len bytes (not necessarily
 * NUL-terminated), exactly SESSION_REFRESH_CHARS of the base64url
 * alphabet decoding, canonically and without padding, to
 * SESSION_REFRESH_BYTES.  Returns 0 with its session id (text) in sid and
 * its hash in hash, or -1 (then invalid_grant, without asking the store).
 * Wipes the decoded bytes.
 */
int	session_refresh_parse(const char *token, size_t len,
	    char sid[SESSION_SID_CHARS + 1],
	    unsigned char hash[SESSION_HASH_BYTES]);

/*
 * SHA-256 of len bytes into out (libcrypto, the digest fetched once per
 * process).  Returns 0, or -1 if libcrypto failed.
 */
int	session_sha256(const void *in, size_t len,
	    unsigned char out[SESSION_HASH_BYTES]);

/*
 * The fingerprint of a user's password hash (the users file's crypt
 * string) that a session keeps from its login: the first
 * SESSION_PWFP_BYTES of its SHA-256, in lowercase hex, into fp (32
 * characters and a NUL).  A refresh compares it with the hash in the
 * file now, so a password changed by hand, without a new token version,
 * still ends the session.  The crypt string carries its own random salt,
 * so the fingerprint is no password verifier without the users file.
 * Returns 0, or -1 (then fp is "").
 */
int	session_pw_fingerprint(const char *hash,
	    char fp[SESSION_PWFP_CHARS + 1]);

#endif /* FCGI_AUTH_SESSION_H */
