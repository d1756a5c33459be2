/* password.h -- verify and make password hashes with libxcrypt */
#ifndef FCGI_AUTH_PASSWORD_H
#define FCGI_AUTH_PASSWORD_H

#include <stddef.h>

/*
 * Longer passwords are refused before hashing.  libxcrypt itself refuses
 * passphrases of CRYPT_MAX_PASSPHRASE_SIZE (512) bytes or more, so this is
 * the most any scheme can take; bcrypt reads only the first 72 of them.
 */
#define PASSWORD_MAX_BYTES	511
/* Room for any hash crypt_rn returns (libxcrypt's CRYPT_OUTPUT_SIZE). */
#define PASSWORD_HASH_MAX	384

/*
 * Check a NUL-terminated password against a crypt(5) hash, in time that
 * does not depend on where the two differ.  Returns 0 with *match set to
 * 1 or 0, or -1 if crypt cannot use the hash (*match is then 0): never
 * for one password_hash_parse accepts, unless memory runs out.  A
 * password too long for libxcrypt (CRYPT_MAX_PASSPHRASE_SIZE) matches
 * nothing.
 */
int	password_verify(const char *password, const char *hash, int *match);

/*
 * Hash a password with the scheme named by prefix ("$y$", "$2b$", "$6$",
 * or NULL for libxcrypt's preferred one) at the given cost (0 for
 * libxcrypt's default).  Writes the hash to out (at least
 * PASSWORD_HASH_MAX bytes).  Returns 0, or -1 with errno set (EINVAL for
 * a cost above the caps, before any hashing).
 */
int	password_hash(const char *password, const char *prefix,
	    unsigned long cost, char *out, size_t outlen);

/*
 * The most one verification may cost, so that a login (and, through the
 * dummy hash, a login for an unknown name) stays around a second of CPU
 * or less; measured with libxcrypt 4.4.33 on a 2-core x86-64 VM, for a
 * password of 8 to 16 bytes:
 *   bcrypt cost 14                                   0.80 s
 *   sha512crypt / sha256crypt 1000000 rounds         0.25-0.45 s (0.56 s
 *       at 32 bytes; these two hash the password in every round, so a
 *       511-byte one costs 8 times as much)
 *   yescrypt N <= 2^18 and N * r <= 2^22 (512 MiB),  0.60 s at cost 10
 *       libxcrypt's cost 10 (N 2^17, r 32)           (0.70 s at worst)
 *   scrypt N <= 2^18 and N * r * p <= 2^21,          0.47 s at cost 9
 *       libxcrypt's cost 9 (N 2^16, r 32)            (0.75 s at worst)
 * One step above each doubles it (bcrypt 15: 1.6 s; bcrypt 31 would take
 * over a day).  authctl's --cost refuses more.
 */
#define PASSWORD_BCRYPT_COST_MAX	14
#define PASSWORD_SHACRYPT_ROUNDS_MAX	1000000UL
#define PASSWORD_YESCRYPT_COST_MAX	10	/* libxcrypt's gensalt cost */
#define PASSWORD_YESCRYPT_N_MAX		(1UL << 18)
#define PASSWORD_YESCRYPT_NR_MAX	(1UL << 22)
#define PASSWORD_SCRYPT_N_MAX		(1UL << 18)
#define PASSWORD_SCRYPT_NRP_MAX		(1UL << 21)

/* What a usable hash says about itself (password_hash_parse). */
struct password_setting {
	const char		*scheme;	/* "yescrypt", "bcrypt", ... */
	size_t			 len;		/* of the setting: "$2b$12$" */
	unsigned long long	 cost_ns;	/* modelled CPU to verify */
};

/*
 * Parse a crypt(5) hash the way libxcrypt 4.4.33 will, scheme by scheme,
 * without hashing anything: a scheme we accept (yescrypt, gost-yescrypt,
 * scrypt, bcrypt, sha512crypt, sha256crypt), a setting crypt_rn verifies,
 * at a cost within the caps above, a salt and a checksum crypt_rn could
 * have written.  So password_verify never fails on a hash this accepts
 * (tests/check_password.c sweeps for one).  Returns 0 with *ps filled
 * (ps may be NULL), or -1 with *why set to a short static reason that
 * quotes nothing of the hash (why may be NULL).
 *
 * cost_ns is a model, not a measurement: nanoseconds of CPU per
 * verification on the machine the constants were measured on (see
 * password.c), good for ordering two settings, not for a deadline.
 */
int	password_hash_parse(const char *hash, struct password_setting *ps,
	    const char **why);

/* Whether password_hash_parse accepts hash: 1 or 0. */
int	password_hash_usable(const char *hash);

/*
 * How long the part of hash is that names its scheme and cost, without
 * the salt: 7 for "$2b$12$...", 7 for "$y$j9T$...", 3 for "$6$salt$..."
 * (default rounds), 16 for "$6$rounds=5000$...".  Two hashes with the
 * same setting take the same time to verify.  The whole length for a
 * scheme it does not know.
 */
size_t	password_setting_len(const char *hash);

/* "yescrypt", "bcrypt", "sha512crypt", ...; "unknown" for anything else. */
const char *password_scheme_name(const char *hash);

#endif /* FCGI_AUTH_PASSWORD_H */
