/* keys.h -- the key set: the keys tokens are signed and verified with */
#ifndef FCGI_AUTH_KEYS_H
#define FCGI_AUTH_KEYS_H

#include <stddef.h>

/* A longer secret file is a mistake (a key pair, a log), not a secret. */
#define KEYS_SECRET_FILE_MAX_BYTES	4096
#define KEYS_ALG_DEFAULT		KEYS_HS256

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
};

/*
 * One key, borrowed from its set and valid until keys_free.  Today an HMAC
 * secret; a key pair or a public key (with its kid) will sit beside it.
 */
struct keys_key {
	enum keys_alg		 alg;
	const unsigned char	*secret;	/* HS*: the HMAC key */
	size_t			 secret_len;	/* at least keys_alg_min_secret */
};

struct keys;

/*
 * The key set the environment describes: JWT_ALG (default HS256) and the
 * secret, from JWT_SECRET_FILE (trailing newlines dropped, at most
 * KEYS_SECRET_FILE_MAX_BYTES) or JWT_SECRET (wiped from the environment
 * once copied), at least as long as the algorithm's hash output (RFC 7518
 * 3.2).  Returns NULL with one line in err naming the setting to fix.
 */
struct keys	*keys_load(char *err, size_t errlen);

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
 * kid.  keys may be NULL (no key at all).
 */
const struct keys_key *keys_find(const struct keys *keys, enum keys_alg alg,
		    const char *kid);

/*
 * The algorithm named exactly name ("HS256", never "hs256"), or
 * KEYS_ALG_NONE; and back.  keys_alg_name never returns NULL.
 */
enum keys_alg	 keys_alg_from_name(const char *name);
const char	*keys_alg_name(enum keys_alg alg);

/* Bytes of secret an HMAC algorithm needs (its hash output), else 0. */
size_t		 keys_alg_min_secret(enum keys_alg alg);

#endif /* FCGI_AUTH_KEYS_H */
