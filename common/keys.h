/* keys.h -- the key set: the keys tokens are signed and verified with */
#ifndef FCGI_AUTH_KEYS_H
#define FCGI_AUTH_KEYS_H

#include <stddef.h>

#include "watch.h"

/* A longer secret file is a mistake (a key pair, a log), not a secret. */
#define KEYS_SECRET_FILE_MAX_BYTES	4096
#define KEYS_ALG_DEFAULT		KEYS_HS256
/* JWT_KEYS_FILE: a JWK Set of at most this many keys and bytes. */
#define KEYS_JWKS_MAX			16
#define KEYS_JWKS_FILE_MAX_BYTES	65536
/* A kid, in a key set or a token's header: 1 to this many bytes. */
#define KEYS_KID_MAX			128
/* Look at JWT_KEYS_FILE and JWT_PRIVATE_KEY_FILE at most this often. */
#define KEYS_CHECK_INTERVAL_MS		250

/*
 * The algorithms a key can be for (RFC 7518 3.1).  A key is for exactly
 * one: a token is verified only with a key of the algorithm its header
 * names, so a key is never used with another (RFC 8725 3.1).
 */
enum keys_alg {
	KEYS_ALG_NONE = 0,	/* no algorithm: never a key's */
	KEYS_HS256,		/* HMAC with SHA-256 */
	KEYS_HS384,		/* HMAC with SHA-384 */
	KEYS_HS512,		/* HMAC with SHA-512 */
	KEYS_RS256,		/* RSASSA-PKCS1-v1_5 with SHA-256 */
	KEYS_RS384,		/* RSASSA-PKCS1-v1_5 with SHA-384 */
	KEYS_RS512,		/* RSASSA-PKCS1-v1_5 with SHA-512 */
	KEYS_ES256,		/* ECDSA on P-256 with SHA-256 */
	KEYS_ES384,		/* ECDSA on P-384 with SHA-384 */
};

struct jwk;

/*
 * One key, borrowed from its set and valid until the next keys_poll that
 * returns 1, or keys_free: an HMAC secret, or a parsed key pair (signing)
 * or public key (verifying) with its kid.
 */
struct keys_key {
	enum keys_alg		 alg;
	const unsigned char	*secret;	/* HS*: the HMAC key, else NULL */
	size_t			 secret_len;	/* at least keys_alg_min_secret */
	const struct jwk	*jwk;		/* ES*, RS*: the key, else NULL */
	const char		*kid;		/* ES*, RS*: its kid, else NULL */
};

struct keys;

/* What keys_load loads for a key pair algorithm (ES*, RS*). */
#define KEYS_VERIFY	0x1	/* JWT_KEYS_FILE, required */
#define KEYS_SIGN	0x2	/* JWT_PRIVATE_KEY_FILE, required; and
				   JWT_KEYS_FILE if set (not required) */

/*
 * The key set the environment describes: JWT_ALG (default HS256).  HS*:
 * the secret, from JWT_SECRET_FILE (trailing newlines dropped, at most
 * KEYS_SECRET_FILE_MAX_BYTES) or JWT_SECRET (wiped from the environment
 * once copied), at least as long as the algorithm's hash output (RFC 7518
 * 3.2); what is ignored.  ES256, ES384, RS256, RS384, RS512: as what says,
 * the verifying keys from JWT_KEYS_FILE (a JWK Set, RFC 7517 5: every key
 * with kid and alg, at most KEYS_JWKS_MAX keys and
 * KEYS_JWKS_FILE_MAX_BYTES) and the signing key from JWT_PRIVATE_KEY_FILE
 * (a PEM private key, jwk_load_pem); both are watched (keys_poll).  A
 * signing key whose kid is not in JWT_KEYS_FILE is logged as a warning.
 * Returns NULL with one line in err naming the setting to fix.
 */
struct keys	*keys_load(int what, char *err, size_t errlen);

/*
 * A verifying set from len bytes of a JWK Set (tests, fuzzing: no file,
 * no watch), and signer (adopted, freed on failure too) to sign with, or
 * NULL.  Returns NULL with one line in err.
 */
struct keys	*keys_new_jwks(const char *jwks, size_t len, struct jwk *signer,
		    char *err, size_t errlen);

/*
 * Re-read JWT_KEYS_FILE and JWT_PRIVATE_KEY_FILE if they changed, when
 * mode says to look (watch.h).  A file that cannot be read or is refused
 * keeps the last good keys and is logged once, with the reason.  Returns
 * 1 if either was replaced (which invalidates every struct keys_key handed
 * out), else 0.  A set without files (HS*, keys_new_*) returns 0.
 */
int		 keys_poll(struct keys *keys, enum watch_mode mode);

/*
 * A number that changes whenever the verifying keys change, so that what
 * was verified with the old ones (the token cache) can be forgotten.
 */
unsigned long	 keys_generation(const struct keys *keys);

/*
 * The public keys as served at /.well-known/jwks.json: {"keys":[...]}
 * re-made from the parsed keys at each load (never the file's bytes, so no
 * stray member is published), *len bytes.  NULL for HS* (no public key).
 * Borrowed until the next keys_poll that returns 1, or keys_free.
 */
const char	*keys_jwks_json(const struct keys *keys, size_t *len);

/*
 * A key set of one HMAC secret (len bytes, copied) for alg.  Returns NULL
 * with one line in err if alg is not an HMAC or the secret is too short.
 */
struct keys	*keys_new_hs(enum keys_alg alg, const void *secret, size_t len,
		    char *err, size_t errlen);

/* Wipe every secret and free; keys_free(NULL) is a no-op. */
void		 keys_free(struct keys *keys);

/* The key new tokens are signed with, or NULL if this set has none. */
const struct keys_key *keys_signing(const struct keys *keys);

/*
 * The key to verify a token whose header names alg and kid (NULL: none),
 * or NULL if the set has none for them.  A set of one HMAC secret ignores
 * kid.  Key pairs: the key whose kid is exactly kid, if it is pinned to
 * alg; a kid absent, unknown or naming a key of another alg finds
 * nothing.  keys may be NULL (no key at all).
 */
const struct keys_key *keys_find(const struct keys *keys, enum keys_alg alg,
		    const char *kid);

/*
 * The algorithm named exactly name ("HS256", never "hs256"), or
 * KEYS_ALG_NONE; and back.  keys_alg_name never returns NULL.
 */
enum keys_alg	 keys_alg_from_name(const char *name);
const char	*keys_alg_name(enum keys_alg alg);

/* Whether alg is signed with a key pair (ES*, RS*). */
int		 keys_alg_is_pair(enum keys_alg alg);

/* Bytes of secret an HMAC algorithm needs (its hash output), else 0. */
size_t		 keys_alg_min_secret(enum keys_alg alg);

#endif /* FCGI_AUTH_KEYS_H */
